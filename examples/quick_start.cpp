// Quick start: connect, borrow a column sender, flush a chunk, wait for the server's ack;
// then the same with a row sender. Usage: example_quick_start [connect-string]
// (default: QDB_CLIENT_CONF, else ws::addr=localhost:9000;).
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <questdb/questdb.hpp>
#include <string>
#include <vector>

namespace {

std::string connect_string(int argc, char** argv) {
    if (argc > 1) {
        return argv[1];
    }
    if (const char* env = std::getenv("QDB_CLIENT_CONF")) {
        return env;
    }
    return "ws::addr=localhost:9000;";
}

}  // namespace

int main(int argc, char** argv) {
    using namespace std::chrono_literals;
    using questdb::ingress::AckLevel;
    try {
        auto db = questdb::QuestDb::connect(connect_string(argc, argv));

        // Column-major: the chunk borrows these arrays until the flush returns.
        const std::vector<std::int64_t> qty{100, 250, 75};
        const std::vector<double> px{2615.54, 2615.61, 2615.40};
        const auto now = questdb::ingress::TimestampNanos::now().as_i64();
        const std::vector<std::int64_t> ts{now, now + 1000, now + 2000};
        {
            auto sender = db.borrow_column_sender();
            questdb::ingress::Chunk chunk("quick_start_trades");
            chunk.column_i64("qty", qty).column_f64("px", px).designated_timestamp_nanos(ts);
            sender.flush(chunk);
            sender.wait(AckLevel::ok, 10s);
            std::cout << "column sender: 3 rows acknowledged up to FSN " << *sender.acked_fsn()
                      << "\n";
        }

        // Row-major.
        auto rows = db.borrow_row_sender();
        auto buffer = rows->new_buffer();
        buffer.table("quick_start_trades")
            .symbol("sym", "ETH-USD")
            .column_i64("qty", 10)
            .column_f64("px", 2615.55)
            .at(questdb::ingress::TimestampNanos::now());
        rows->flush(buffer);
        rows->wait(AckLevel::ok, 10s);
        std::cout << "row sender: 1 row acknowledged\n";
        return 0;
    } catch (const questdb::Error& e) {
        std::cerr << "error (" << questdb::to_string(e.error_code()) << "): " << e.what() << "\n";
        return 1;
    }
}
