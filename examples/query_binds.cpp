// Queries with bind parameters: `$1, $2, ...` in the SQL text are bound in call order with
// typed setters (bind_i64, bind_varchar, bind_timestamp_nanos, bind_null(kind), ...). Binds
// travel separately from the SQL, so values never need quoting or escaping and the server
// can reuse the compiled statement.
// Usage: example_query_binds [connect-string]
#include <vector>

#include "example_support.hpp"

int main(int argc, char** argv) {
    using namespace std::chrono_literals;
    return example::run([&] {
        auto db = questdb::QuestDb::connect(example::connect_string(argc, argv));
        const std::string table = example::unique_table("bind_demo");

        // 1000 rows, one per second.
        constexpr std::int64_t kRows = 1000;
        constexpr std::int64_t kSecond = 1'000'000'000;
        const std::int64_t t0 =
            questdb::ingress::TimestampNanos::now().as_i64() / kSecond * kSecond;
        std::vector<std::int64_t> seq(kRows), ts(kRows);
        for (std::int64_t i = 0; i < kRows; ++i) {
            seq[static_cast<std::size_t>(i)] = i;
            ts[static_cast<std::size_t>(i)] = t0 + i * kSecond;
        }
        {
            auto sender = db.borrow_column_sender();
            questdb::ingress::Chunk chunk(table);
            chunk.column_i64("seq", seq).designated_timestamp_nanos(ts);
            sender.flush(chunk);
            sender.wait(questdb::ingress::AckLevel::ok, 30s);
        }
        example::expect_rows(db, table, kRows);

        // The same prepared shape, run for several windows of time.
        auto reader = db.borrow_reader();
        const std::string sql =
            "SELECT seq, timestamp FROM " + table + " WHERE timestamp >= $1 AND timestamp < $2";
        for (const auto& [from, to] :
             {std::pair<std::int64_t, std::int64_t>{0, 10}, {100, 250}, {990, 2000}}) {
            auto cursor = reader->prepare(sql)
                              .bind_timestamp_nanos(t0 + from * kSecond)
                              .bind_timestamp_nanos(t0 + to * kSecond)
                              .execute();
            std::int64_t rows = 0;
            std::int64_t min_seq = kRows;
            std::int64_t max_seq = -1;
            while (auto batch = cursor.next_batch()) {
                auto s = batch->column(0).as_long();
                for (std::size_t r = 0; r < batch->row_count(); ++r) {
                    min_seq = std::min(min_seq, *s.get(r));
                    max_seq = std::max(max_seq, *s.get(r));
                }
                rows += static_cast<std::int64_t>(batch->row_count());
            }
            const auto expected = std::min(to, kRows) - from;
            std::cout << "seconds [" << from << ", " << to << "): " << rows << " rows, seq "
                      << min_seq << ".." << max_seq << "\n";
            example::check(rows == expected, "row count of window [" + std::to_string(from) + ", " +
                                                 std::to_string(to) + ")");
            example::check(min_seq == from && max_seq == from + expected - 1,
                           "the window holds exactly the expected rows");
        }

        // Binds are checked locally before anything is sent.
        try {
            auto cursor = reader->prepare(sql).bind_varchar("\xff\xfe not UTF-8").execute();
            throw std::runtime_error("an invalid bind was sent");
        } catch (const questdb::Error& e) {
            std::cout << "rejected locally: " << questdb::to_string(e.error_code()) << " - "
                      << e.what() << "\n";
        }
    });
}
