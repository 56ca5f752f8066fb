// The code under test (write_trades) ingests through the library; the in-process test server
// stands in for QuestDB and the program checks what it committed.
#include <questdb/questdb.hpp>
#include <questdb/test_server/server.hpp>

#include <chrono>
#include <cstdio>
#include <string>

namespace {

void write_trades(questdb::QuestDb& db, int count) {
    auto sender = db.borrow_row_sender();
    auto rows = sender->new_buffer();
    for (int i = 0; i < count; ++i) {
        rows.table("trades").symbol("sym", i % 2 == 0 ? "BTC" : "ETH").column_i64("qty", i).at(
            questdb::ingress::TimestampNanos(1'000 + i));
    }
    sender->flush(rows);
    sender->wait(questdb::ingress::AckLevel::ok, std::chrono::seconds(10));
}

}  // namespace

int main() {
    questdb::test_server::Server server;
    server.start();
    auto db = questdb::QuestDb::connect("ws::addr=" + server.address() + ";");
    write_trades(db, 10);
    const auto table = server.table("trades");
    if (table.rows().size() != 10 || table.rows()[3].str("sym") != "ETH" ||
        table.rows()[3].i64("qty") != 3) {
        std::fprintf(stderr, "unexpected rows in the test server\n");
        return 1;
    }
    std::printf("test server consumer: 10 rows committed\n");
    return 0;
}
