// Configuration from the environment: deployments usually keep the connect string (with its
// secrets) out of the code, in QDB_CLIENT_CONF. QuestDb::from_env() reads it;
// conf::Config::parse() validates a string without connecting and prints it with secrets
// redacted, so the effective settings can be logged.
// Usage: QDB_CLIENT_CONF='ws::addr=localhost:9000;' example_config_from_env
//        example_config_from_env [connect-string]   (exported to QDB_CLIENT_CONF first)
#include <cstdlib>

#include "example_support.hpp"

int main(int argc, char** argv) {
    using namespace std::chrono_literals;
    return example::run([&] {
        if (argc > 1 || std::getenv("QDB_CLIENT_CONF") == nullptr) {
            // For the demonstration only: normally the deployment sets the variable.
            ::setenv("QDB_CLIENT_CONF", example::connect_string(argc, argv).c_str(), 1);
        }

        // Validate and inspect without connecting. Secrets print as [redacted].
        const auto config = questdb::conf::Config::from_env();
        std::cout << "QDB_CLIENT_CONF parses to: " << config.to_string() << "\n";
        std::cout << "  scheme " << questdb::conf::to_string(config.scheme()) << ", "
                  << config.endpoints().size() << " endpoint(s), first "
                  << config.endpoints().front().to_string() << "\n";
        std::cout << "  sender pool " << config.pool().sender_min << ".."
                  << config.pool().sender_max << ", query pool " << config.pool().query_min << ".."
                  << config.pool().query_max << ", store-and-forward "
                  << (config.find("sf_dir") ? "on disk" : "in memory") << "\n";

        // A typo is caught here, before any network I/O, with the key named.
        try {
            (void)questdb::conf::Config::parse("ws::addr=localhost:9000;pool_mx=8;");
            throw std::runtime_error("a misspelt key was accepted");
        } catch (const questdb::Error& e) {
            example::check(e.error_code() == questdb::ErrorCode::config_error, "config_error");
            std::cout << "a misspelt key is rejected: " << e.what() << "\n";
        }

        // The pool from the environment, used as any other.
        auto db = questdb::QuestDb::from_env();
        const std::string table = example::unique_table("env_configured");
        {
            auto sender = db.borrow_row_sender();
            auto buffer = sender->new_buffer();
            buffer.table(table)
                .symbol("source", "env")
                .column_i64("n", 1)
                .at(questdb::ingress::TimestampNanos::now());
            sender->flush(buffer);
            sender->wait(questdb::ingress::AckLevel::ok, 10s);
        }
        example::expect_rows(db, table, 1);
        std::cout << "wrote and read back one row through the pool from QDB_CLIENT_CONF\n";
    });
}
