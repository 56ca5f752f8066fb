// InfluxDB Line Protocol over TCP with ECDSA authentication. The key id goes in `username`,
// the private key `d` in `token`, the public key in `token_x`/`token_y` (base64url, as in
// QuestDB's auth.txt). Sender::from_conf() connects and answers the server's challenge.
// ILP/TCP has no per-request answer: flush() returns once the bytes are written, and the
// server reports a bad line only by closing the connection (the sender then must_close()).
// Prefer ILP/HTTP or the QWP pool when you need to know that data arrived.
// Usage: example_ilp_tcp_ecdsa 'tcp::addr=localhost:9009;username=KID;token=D;token_x=X;token_y=Y;'
//                              [ws-connect-string-to-verify]
#include "example_support.hpp"

int main(int argc, char** argv) {
    return example::run([&] {
        const std::string conf = argc > 1 ? argv[1] : "tcp::addr=localhost:9009;";
        const std::string verify = argc > 2 ? argv[2] : "ws::addr=localhost:9000;";
        const auto config = questdb::conf::Config::parse(conf);
        std::cout << "connecting with " << config.to_string() << "\n";  // keys redacted

        auto sender = questdb::ingress::Sender::from_conf(config);  // authenticates here
        const std::string table = example::unique_table("ilp_tcp_sensors");
        auto buffer = sender.new_buffer();
        for (int i = 0; i < 50; ++i) {
            buffer.table(table)
                .symbol("device", i % 2 == 0 ? "pump-1" : "pump-2")
                .column_f64("pressure", 1.5 + i * 0.01)
                .column_i64("rpm", 1200 + i)
                .at(questdb::ingress::TimestampNanos::now());
        }
        sender.flush(buffer);
        example::check(!sender.must_close(), "the connection is healthy after the flush");
        sender.close();

        auto db = questdb::QuestDb::connect(verify);
        example::expect_rows(db, table, 50);
        std::cout << "50 rows sent over authenticated ILP/TCP and read back\n";
    });
}
