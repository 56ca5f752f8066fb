// Error handling: every failure is a questdb::Error with an ErrorCode, a message naming the
// offending key/table/column, in_doubt() (may the data have reached the server?) and broad
// conditions (retryable, invalid_input, server_error, security) for generic handlers.
// Usage: example_error_handling [connect-string]
#include <functional>
#include <vector>

#include "example_support.hpp"

namespace {

using questdb::ErrorCode;

// Runs `call`, expecting it to throw `expected`; prints how an application would see it.
void expect_error(const char* what, ErrorCode expected, const std::function<void()>& call) {
    try {
        call();
    } catch (const questdb::Error& e) {
        std::cout << what << ": " << questdb::to_string(e.error_code()) << " - " << e.what()
                  << (e.retryable() ? " [retryable]" : "")
                  << (e.code() == questdb::ErrorCondition::invalid_input ? " [fix the input]" : "")
                  << (e.in_doubt() ? " [in doubt]" : "") << "\n";
        example::check(e.error_code() == expected, std::string(what) + ": expected " +
                                                       std::string(questdb::to_string(expected)));
        return;
    }
    throw std::runtime_error(std::string(what) + ": no error was raised");
}

}  // namespace

int main(int argc, char** argv) {
    using namespace std::chrono_literals;
    return example::run([&] {
        const std::string conf = example::connect_string(argc, argv);

        // 1. Configuration errors: raised by parsing, before any I/O.
        expect_error("unknown key", ErrorCode::config_error, [] {
            (void)questdb::QuestDb::connect("ws::addr=localhost:9000;colour=red;");
        });
        expect_error("ILP scheme on the pool", ErrorCode::config_error,
                     [] { (void)questdb::QuestDb::connect("http::addr=localhost:9000;"); });

        // 2. Invalid input: the setter throws and the chunk/buffer stays as it was.
        expect_error("bad table name", ErrorCode::invalid_name,
                     [] { questdb::ingress::Chunk chunk("bad/name"); });
        auto db = questdb::QuestDb::connect(conf);
        const std::string table = example::unique_table("errors_demo");
        auto buffer = db.new_buffer();
        buffer.table(table).column_i64("qty", 1).at(questdb::ingress::TimestampNanos::now());
        expect_error("negative designated timestamp", ErrorCode::invalid_timestamp, [&] {
            buffer.table(table).column_i64("qty", 2).at(questdb::ingress::TimestampNanos(-1));
        });
        example::check(buffer.row_count() == 1, "the failed row was discarded, the first kept");

        // 3. A server rejection. The first flush creates `qty` as LONG; sending it as VARCHAR
        //    later is a SCHEMA_MISMATCH. The sender is told asynchronously: the rejection
        //    shows in poll_qwp_ws_error() and, being terminal, is thrown by the next wait or
        //    flush. The sender must then be dropped (must_close()).
        {
            auto sender = db.borrow_row_sender();
            sender->flush(buffer);
            sender->wait(questdb::ingress::AckLevel::ok, 10s);
            buffer.table(table)
                .column_str("qty", "three")
                .at(questdb::ingress::TimestampNanos::now());
            sender->flush(buffer);
            try {
                sender->wait(questdb::ingress::AckLevel::ok, 10s);
                throw std::runtime_error("the schema mismatch was not reported");
            } catch (const questdb::Error& e) {
                std::cout << "rejected batch: " << questdb::to_string(e.error_code()) << " - "
                          << e.what()
                          << (e.code() == questdb::ErrorCondition::server_error ? " [server error]"
                                                                                : "")
                          << "\n";
            }
            if (auto rejection = sender->poll_qwp_ws_error()) {
                std::cout << "  rejection detail: status " << rejection->status_name << ", FSN "
                          << (rejection->fsn ? std::to_string(*rejection->fsn) : "?")
                          << ", terminal=" << rejection->terminal << ", from "
                          << rejection->endpoint << "\n";
            }
            example::check(sender->must_close(), "a terminally rejected sender must be dropped");
        }  // dropped here: the pool discards it instead of recycling it

        // 4. Query errors: the server's status maps to a server_* code.
        {
            auto reader = db.borrow_reader();
            expect_error("bad SQL", ErrorCode::server_parse_error, [&] {
                auto cursor = reader->execute("SELEKT nonsense");
                while (cursor.next_batch()) {
                }
            });
            // The reader stays usable after a query error.
            auto cursor = reader->execute("SELECT * FROM " + table);
            example::check(cursor.drain().kind == questdb::egress::Terminal::Kind::result_end,
                           "the reader runs the next query");
        }
        example::expect_rows(db, table, 1);  // the accepted row; the rejected one is not there

        // 5. Network errors are retryable; a fresh borrow reconnects.
        expect_error("unreachable server", ErrorCode::socket_error, [] {
            auto offline = questdb::QuestDb::connect("ws::addr=127.0.0.1:1;");
            auto sender = offline.borrow_column_sender();
        });
        std::cout << "every error was reported as expected\n";
    });
}
