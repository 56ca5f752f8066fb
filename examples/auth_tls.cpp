// Authentication and TLS. `wss::` encrypts the connection; the server certificate is checked
// against the system trust store, or against `tls_roots=<pem file>` (a private CA or a
// self-signed certificate). Credentials are `username` + `password` (HTTP Basic) or `token`
// (Bearer), sent on the WebSocket upgrade. Wrong credentials fail the first borrow with
// auth_error, which retrying will not fix.
// Usage: example_auth_tls 'wss::addr=db.example.com:9000;username=admin;password=...;'
//        (add tls_roots=/path/ca.pem for a private CA)
#include "example_support.hpp"

int main(int argc, char** argv) {
    using namespace std::chrono_literals;
    return example::run([&] {
        const std::string conf = example::connect_string(
            argc, argv, "wss::addr=localhost:9000;username=admin;password=quest;");
        const auto config = questdb::conf::Config::parse(conf);
        // to_string() never shows secrets: log it freely.
        std::cout << "connecting with " << config.to_string() << "\n";
        example::check(config.is_tls(), "this example expects a wss:: connect string");

        auto db = questdb::QuestDb::connect(config);
        const std::string table = example::unique_table("secure_trades");
        {
            auto sender = db.borrow_row_sender();  // TLS handshake and authentication here
            auto buffer = sender->new_buffer();
            buffer.table(table)
                .symbol("sym", "ETH-USD")
                .column_f64("price", 2615.54)
                .at(questdb::ingress::TimestampNanos::now());
            sender->flush(buffer);
            sender->wait(questdb::ingress::AckLevel::ok, 10s);
        }
        example::expect_rows(db, table, 1);  // the reader authenticates the same way
        std::cout << "wrote and read back one row over TLS as "
                  << config.auth().username.value_or("(token)") << "\n";

        // The same connection with a wrong password: the borrow fails with auth_error.
        if (const auto password = config.find("password")) {
            std::string wrong = conf;
            const std::string given = "password=" + std::string(*password);
            if (const auto at = wrong.find(given); at != std::string::npos) {
                wrong.replace(at, given.size(), "password=not-the-password");
                try {
                    auto intruder = questdb::QuestDb::connect(wrong);
                    auto sender = intruder.borrow_row_sender();
                    throw std::runtime_error("a wrong password was accepted");
                } catch (const questdb::Error& e) {
                    example::check(e.error_code() == questdb::ErrorCode::auth_error,
                                   "auth_error for a wrong password");
                    std::cout << "wrong password: " << questdb::to_string(e.error_code()) << " - "
                              << e.what() << "\n";
                }
            }
        }
    });
}
