// Flow control and cancellation of queries.
//
// Byte credits: with initial_credit(n) the server sends result batches only while the query
// has credit left (one batch may overdraw it), then pauses. The cursor grants each batch's
// wire size back when you ask for the next batch (you released it), so at most about
// n + one batch is ever buffered, however slow the consumer. add_credit() widens the window
// on top of that, e.g. once the consumer knows it can keep up. Without a credit (0, the
// default) the server streams freely.
//
// Cancellation: cancel() (callable from any thread) tells the server to stop; the cursor
// drops further batches and ends with Terminal::Kind::cancelled. Destroying an unfinished
// cursor cancels it too.
// Usage: example_cancel_credit [connect-string]
#include <vector>

#include "example_support.hpp"

int main(int argc, char** argv) {
    using namespace std::chrono_literals;
    using questdb::egress::Terminal;
    return example::run([&] {
        auto db = questdb::QuestDb::connect(example::connect_string(argc, argv));
        const std::string table = example::unique_table("credit_demo");
        constexpr std::size_t kRows = 20'000;
        {
            std::vector<std::int64_t> id(kRows), ts(kRows);
            std::vector<double> value(kRows);
            const auto t0 = questdb::ingress::TimestampNanos::now().as_i64();
            for (std::size_t i = 0; i < kRows; ++i) {
                id[i] = static_cast<std::int64_t>(i);
                value[i] = static_cast<double>(i) * 0.5;
                ts[i] = t0 + id[i] * 1000;
            }
            auto sender = db.borrow_column_sender();
            questdb::ingress::Chunk chunk(table);
            chunk.column_i64("id", id).column_f64("value", value).designated_timestamp_nanos(ts);
            sender.flush(chunk);
            sender.wait(questdb::ingress::AckLevel::ok, 30s);
        }
        example::expect_rows(db, table, kRows);

        auto reader = db.borrow_reader();

        // 1. A credit-bounded query: a 16 KiB window, widened by 64 KiB after 5 batches.
        constexpr std::uint64_t kInitialCredit = 16 * 1024;
        constexpr std::uint64_t kExtraCredit = 64 * 1024;
        auto cursor =
            reader->prepare("SELECT * FROM " + table).initial_credit(kInitialCredit).execute();
        std::uint64_t rows = 0;
        std::uint64_t batches = 0;
        while (auto batch = cursor.next_batch()) {  // releasing a batch grants its size back
            rows += batch->row_count();
            if (++batches == 5) {
                cursor.add_credit(kExtraCredit);
            }
        }
        example::check(rows == kRows, "the bounded query returned every row");
        example::check(cursor.terminal()->kind == Terminal::Kind::result_end, "RESULT_END");
        const auto stats = cursor.stats();
        std::cout << "credit-bounded query: " << rows << " rows in " << batches << " batches, "
                  << stats.wire_bytes << " wire bytes; credit granted "
                  << cursor.credit_granted_total() << " bytes in total (initial " << kInitialCredit
                  << " + extra " << kExtraCredit << " + released batches); peak buffered "
                  << stats.peak_buffered_bytes << " bytes\n";
        example::check(cursor.credit_granted_total() >= kInitialCredit + kExtraCredit,
                       "the initial and the extra credit were granted");

        // 2. Cancel after the first batch. With a small credit the server is paused, so the
        //    cancel wins the race and the cursor ends as cancelled.
        auto big = reader->prepare("SELECT * FROM " + table).initial_credit(1024).execute();
        const auto first = big.next_batch();
        example::check(first.has_value(), "a first batch arrived");
        const auto first_rows = first->row_count();
        big.cancel();
        const auto terminal = big.drain();
        std::cout << "cancelled after " << first_rows << " rows: terminal "
                  << (terminal.kind == Terminal::Kind::cancelled ? "cancelled" : "result_end")
                  << "\n";
        example::check(terminal.kind == Terminal::Kind::cancelled, "the query was cancelled");

        // The reader is ready for the next query.
        auto again = reader->execute("SELECT id FROM " + table + " LIMIT 5");
        std::uint64_t again_rows = 0;
        while (auto batch = again.next_batch()) {
            again_rows += batch->row_count();
        }
        example::check(again_rows == 5, "the reader works after a cancel");
        std::cout << "the same reader then ran another query (" << again_rows << " rows)\n";
    });
}
