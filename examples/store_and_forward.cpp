// Disk-backed store-and-forward and recovery after a restart.
//
// With `sf_dir`, flush() appends each frame to files under <sf_dir>/<sender_id>-ingest-<i>/
// (one slot per pooled column sender; row senders use <sender_id>-row-<i>) before returning, so
// rows flushed while the server is unreachable survive the end of the process. The next process
// that opens the same slot (same sf_dir and sender_id) finds the unacknowledged frames and delivers
// them first.
//
// To show this in one program, the first pool points at an endpoint where nothing listens
// (a server outage), flushes, and is closed without waiting; a second pool with the same
// slot and the real address then delivers the stored rows.
// Usage: example_store_and_forward [connect-string] [sf-dir]
// (the connect string must not set sf_dir or sender_id; sf-dir defaults to a fresh
// directory under the system temp directory)
#include <filesystem>
#include <vector>

#include "example_support.hpp"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
    using namespace std::chrono_literals;
    return example::run([&] {
        const std::string conf = example::connect_string(argc, argv);
        const fs::path sf_dir =
            argc > 2 ? fs::path(argv[2])
                     : fs::temp_directory_path() / example::unique_table("questdb_sf_example");
        fs::create_directories(sf_dir);
        const std::string slot_keys = "sf_dir=" + sf_dir.string() + ";sender_id=sf_example;";
        const std::string table = example::unique_table("sf_readings");
        constexpr std::int64_t kRows = 5000;

        {
            // "Before the restart": the server is down. initial_connect_retry=async lets the
            // borrow return at once while a background thread keeps trying to connect;
            // close_flush_timeout_millis=0 makes close() leave the queue on disk.
            auto offline = questdb::QuestDb::connect(
                "ws::addr=127.0.0.1:1;" + slot_keys +
                "initial_connect_retry=async;close_flush_timeout_millis=0;");
            auto sender = offline.borrow_column_sender();
            std::vector<std::int64_t> seq(1000), ts(1000);
            const auto t0 = questdb::ingress::TimestampNanos::now().as_i64();
            questdb::ingress::Chunk chunk(table);
            for (std::int64_t base = 0; base < kRows; base += 1000) {
                for (std::size_t i = 0; i < seq.size(); ++i) {
                    seq[i] = base + static_cast<std::int64_t>(i);
                    ts[i] = t0 + seq[i];
                }
                chunk.column_i64("seq", seq).designated_timestamp_nanos(ts);
                sender.flush(chunk);  // on disk when this returns
            }
            std::cout << "server unreachable: " << *sender.published_fsn() + 1
                      << " frames stored under " << sf_dir
                      << ", acknowledged: " << (sender.acked_fsn() ? "some" : "none") << "\n";
            example::check(!sender.acked_fsn().has_value(), "nothing acknowledged while offline");
        }  // the sender returns to the pool; the pool closes when `offline` goes away

        std::uintmax_t stored_bytes = 0;
        for (const auto& entry : fs::recursive_directory_iterator(sf_dir)) {
            if (entry.is_regular_file() && entry.path().extension() == ".sfa") {
                stored_bytes += entry.file_size();
            }
        }
        example::check(stored_bytes > 0, "segment files remain after the first pool closed");
        std::cout << "after the restart: segment files hold " << stored_bytes << " bytes\n";

        // "After the restart": same slot, reachable server. The stored frames are replayed
        // by the delivery thread as soon as the sender connects.
        auto db = questdb::QuestDb::connect(conf + slot_keys);
        {
            auto sender = db.borrow_column_sender();
            sender.wait(questdb::ingress::AckLevel::ok, 30s);
            std::cout << "recovered frames acknowledged up to FSN "
                      << (sender.acked_fsn() ? std::to_string(*sender.acked_fsn()) : "none")
                      << "\n";
        }
        example::expect_rows(db, table, kRows);
        std::cout << "all " << kRows << " rows written during the outage are in " << table << "\n";
        db.close();
        if (argc <= 2) {
            fs::remove_all(sf_dir);
        }
    });
}
