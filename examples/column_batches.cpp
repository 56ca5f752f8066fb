// Column-major ingestion: fill arrays, point a Chunk at them, flush, and reuse both the
// arrays and the Chunk for the next batch (no per-row allocation). Shows NULLs through a
// validity bitmap, a symbol column from a dictionary, VARCHAR in Arrow layout, and the
// designated timestamp.
// Usage: example_column_batches [connect-string]
#include <array>
#include <span>
#include <string_view>
#include <vector>

#include "example_support.hpp"

int main(int argc, char** argv) {
    using namespace std::chrono_literals;
    return example::run([&] {
        auto db = questdb::QuestDb::connect(example::connect_string(argc, argv));
        const std::string table = example::unique_table("sensor_readings");
        constexpr std::size_t kBatchRows = 4096;
        constexpr int kBatches = 25;

        // The symbol dictionary (Arrow layout): entry i is bytes[offsets[i], offsets[i+1]).
        constexpr std::array<std::string_view, 3> kSites{"paris", "tokyo", "lima"};
        std::vector<std::int32_t> site_offsets{0};
        std::vector<std::uint8_t> site_bytes;
        for (auto site : kSites) {
            site_bytes.insert(site_bytes.end(), site.begin(), site.end());
            site_offsets.push_back(static_cast<std::int32_t>(site_bytes.size()));
        }

        // Column arrays, allocated once and refilled for every batch.
        std::vector<std::int32_t> site(kBatchRows);
        std::vector<double> temperature(kBatchRows);
        std::vector<std::uint8_t> temperature_valid((kBatchRows + 7) / 8);
        std::vector<std::int64_t> reading_id(kBatchRows);
        std::vector<std::int32_t> note_offsets(kBatchRows + 1);
        std::vector<std::uint8_t> note_bytes;
        std::vector<std::int64_t> ts(kBatchRows);

        auto sender = db.borrow_column_sender();
        questdb::ingress::Chunk chunk(table);  // reused: flush() clears it, keeping capacity
        const std::int64_t t0 = questdb::ingress::TimestampNanos::now().as_i64();
        std::int64_t row = 0;
        std::uint64_t nulls = 0;
        for (int b = 0; b < kBatches; ++b) {
            note_bytes.clear();
            std::fill(temperature_valid.begin(), temperature_valid.end(), 0);
            for (std::size_t i = 0; i < kBatchRows; ++i, ++row) {
                site[i] = static_cast<std::int32_t>(row % 3);
                temperature[i] = 15.0 + static_cast<double>(row % 100) / 10.0;
                if (row % 10 != 0) {  // every tenth reading is missing: NULL
                    temperature_valid[i / 8] |= static_cast<std::uint8_t>(1u << (i % 8));
                } else {
                    ++nulls;
                }
                reading_id[i] = row;
                const std::string_view note = row % 2 == 0 ? "ok" : "recalibrated";
                note_offsets[i] = static_cast<std::int32_t>(note_bytes.size());
                note_bytes.insert(note_bytes.end(), note.begin(), note.end());
                ts[i] = t0 + row * 1'000'000;  // one reading per millisecond
            }
            note_offsets[kBatchRows] = static_cast<std::int32_t>(note_bytes.size());

            // The chunk borrows the arrays until flush() returns; nothing is copied before.
            chunk.symbol_dict_i32("site", site, site_offsets, site_bytes)
                .column_f64("temperature", temperature, temperature_valid)
                .column_i64("reading_id", reading_id)
                .column_varchar("note", note_offsets, note_bytes)
                .designated_timestamp_nanos(ts);
            sender.flush(chunk);  // encoded and queued; the arrays may be reused now
        }
        sender.wait(questdb::ingress::AckLevel::ok, 30s);
        const auto total = static_cast<std::uint64_t>(kBatchRows) * kBatches;
        std::cout << "flushed " << kBatches << " batches of " << kBatchRows << " rows (" << nulls
                  << " NULL temperatures) into " << table << "\n";

        // Read back and check a few values.
        example::expect_rows(db, table, total);
        auto reader = db.borrow_reader();
        auto cursor =
            reader->execute("SELECT site, temperature, reading_id FROM " + table + " LIMIT 3");
        std::uint64_t checked = 0;
        while (auto batch = cursor.next_batch()) {
            auto sites = batch->column(0).as_symbol();
            auto temps = batch->column(1).as_double();
            auto ids = batch->column(2).as_long();
            for (std::size_t r = 0; r < batch->row_count(); ++r, ++checked) {
                const auto id = *ids.get(r);
                example::check(sites.get(r) == kSites[static_cast<std::size_t>(id % 3)],
                               "site of reading " + std::to_string(id));
                example::check(temps.get(r).has_value() == (id % 10 != 0),
                               "NULL temperature of reading " + std::to_string(id));
                std::cout << "  " << *sites.get(r) << " reading " << id << ": "
                          << (temps.get(r) ? std::to_string(*temps.get(r)) : "NULL") << "\n";
            }
        }
        example::check(checked == 3, "LIMIT 3 returned 3 rows");
        std::cout << "read back " << total << " rows\n";
    });
}
