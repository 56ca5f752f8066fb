// Delivery progress: every flush is one or more frames with a frame sequence number (FSN).
// flush() returns once the frame is queued (published); the server's acknowledgement moves
// acked_fsn() forward in the background; wait() blocks until everything published so far is
// acknowledged, or throws failover_retry when no progress happens within its timeout (the
// frames stay queued and are still delivered).
// Usage: example_wait_fsn [connect-string]
#include <vector>

#include "example_support.hpp"

int main(int argc, char** argv) {
    using namespace std::chrono_literals;
    using questdb::ingress::AckLevel;
    return example::run([&] {
        auto db = questdb::QuestDb::connect(example::connect_string(argc, argv));
        const std::string table = example::unique_table("fsn_progress");
        auto sender = db.borrow_column_sender();

        std::vector<std::int64_t> value(100);
        std::vector<std::int64_t> ts(value.size());
        const auto t0 = questdb::ingress::TimestampNanos::now().as_i64();
        questdb::ingress::Chunk chunk(table);
        std::vector<std::uint64_t> fsns;
        for (int batch = 0; batch < 10; ++batch) {
            for (std::size_t i = 0; i < value.size(); ++i) {
                value[i] = batch * 100 + static_cast<std::int64_t>(i);
                ts[i] = t0 + value[i];
            }
            chunk.column_i64("value", value).designated_timestamp_nanos(ts);
            const auto fsn = sender.flush_and_get_fsn(chunk);
            example::check(fsn.has_value(), "a non-empty chunk gets an FSN");
            fsns.push_back(*fsn);
            const auto acked = sender.acked_fsn();
            std::cout << "published FSN " << *fsn
                      << ", acknowledged so far: " << (acked ? std::to_string(*acked) : "none")
                      << "\n";
        }
        example::check(sender.published_fsn() == fsns.back(), "published_fsn is the last FSN");
        for (std::size_t i = 1; i < fsns.size(); ++i) {
            example::check(fsns[i] > fsns[i - 1], "FSNs increase");
        }

        // Wait for the acknowledgement of everything published. The timeout is a
        // no-progress deadline: it restarts whenever acked_fsn advances.
        sender.wait(AckLevel::ok, 10s);
        const auto acked = sender.acked_fsn();
        example::check(acked.has_value() && *acked >= fsns.back(),
                       "after wait, acked_fsn covers the last published FSN");
        std::cout << "all " << fsns.size() << " frames acknowledged up to FSN " << *acked << "\n";

        // A rejected frame would show up here (and, when terminal, from the next flush/wait).
        if (auto rejection = sender.poll_qwp_ws_error()) {
            throw std::runtime_error("unexpected rejection: " + rejection->message);
        }

        // Durable acknowledgement (object-store upload) needs request_durable_ack=on and a
        // server that confirms it; without the key wait(durable) is invalid_api_call.
        if (db.config().find("request_durable_ack") == std::optional<std::string_view>("on")) {
            sender.wait(AckLevel::durable, 30s);
            std::cout << "durably acknowledged\n";
        }
        example::expect_rows(db, table, 1000);
    });
}
