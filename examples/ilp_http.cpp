// InfluxDB Line Protocol over HTTP, with a transaction. Each flush is one HTTP request that
// the server applies all-or-nothing and answers before flush() returns (errors arrive as a
// server_flush_error with the server's message). transactional_flush() additionally refuses
// a buffer holding rows of more than one table, because QuestDB commits each table
// separately: only a single-table request is atomic.
// Usage: example_ilp_http [ilp-connect-string] [ws-connect-string-to-verify]
//        (defaults: http::addr=localhost:9000; and ws:: at the same address)
#include "example_support.hpp"

int main(int argc, char** argv) {
    return example::run([&] {
        const std::string conf = argc > 1 ? argv[1] : "http::addr=localhost:9000;";
        auto sender = questdb::ingress::Sender::from_conf(conf);
        std::cout << "ILP over HTTP, protocol version "
                  << static_cast<int>(sender.protocol_version()) << "\n";

        const std::string trades = example::unique_table("ilp_trades");
        auto buffer = sender.new_buffer();
        for (int i = 0; i < 100; ++i) {
            buffer.table(trades)
                .symbol("sym", i % 2 == 0 ? "ETH-USD" : "BTC-USD")
                .symbol("side", i % 3 == 0 ? "sell" : "buy")
                .column_f64("price", 2615.5 + i)
                .column_f64("amount", 0.5 * (i + 1))
                .at(questdb::ingress::TimestampNanos::now());
        }
        sender.transactional_flush(buffer);  // one atomic request; the buffer is cleared
        example::check(buffer.row_count() == 0, "a successful flush clears the buffer");

        // Rows of two tables cannot be one transaction.
        buffer.table(trades)
            .symbol("sym", "SOL-USD")
            .column_f64("price", 1.0)
            .at(questdb::ingress::TimestampNanos::now());
        buffer.table(example::unique_table("ilp_other"))
            .column_i64("n", 1)
            .at(questdb::ingress::TimestampNanos::now());
        try {
            sender.transactional_flush(buffer);
            throw std::runtime_error("a two-table transaction was accepted");
        } catch (const questdb::Error& e) {
            example::check(e.error_code() == questdb::ErrorCode::invalid_api_call,
                           "invalid_api_call for a two-table transaction");
            std::cout << "two tables in one transaction: " << e.what() << "\n";
        }
        example::check(buffer.row_count() == 2, "the refused buffer keeps its rows");
        buffer.clear();

        // Read the rows back over QWP (the same server also serves queries).
        std::string verify;
        if (argc > 2) {
            verify = argv[2];
        } else {
            const auto config = questdb::conf::Config::parse(conf);
            verify = std::string(config.is_tls() ? "wss" : "ws") +
                     "::addr=" + config.endpoints().front().to_string() + ";";
        }
        auto db = questdb::QuestDb::connect(verify);
        example::expect_rows(db, trades, 100);
        std::cout << "100 rows committed in one transaction and read back\n";
    });
}
