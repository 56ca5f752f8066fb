// The Reader against the in-tree QuestDB test server (tests/support/server): a registered
// result of every type with NULLs, rows ingested by an ILP/HTTP sender read back with SQL,
// QUERY_ERROR and EXEC_DONE.

#include <gtest/gtest.h>

#include "questdb/egress/reader.hpp"
#include "questdb/ingress/buffer.hpp"
#include "questdb/ingress/sender.hpp"
#include "questdb/ingress/timestamp.hpp"
#include "questdb/test_server/server.hpp"

namespace questdb::egress {
namespace {

namespace ts = questdb::test_server;

std::string ws_conf(const ts::Server& server, const std::string& extra = "") {
    return "ws::addr=127.0.0.1:" + std::to_string(server.port()) + ";" + extra;
}

TEST(EgressTestServer, RegisteredResultEveryTypeWithNulls) {
    ts::Server server;
    server.start();
    ts::QueryResponse response;
    response.result.columns = {{"b", ts::ColumnType::boolean},   {"i", ts::ColumnType::int_},
                               {"l", ts::ColumnType::long_},     {"d", ts::ColumnType::double_},
                               {"s", ts::ColumnType::symbol},    {"v", ts::ColumnType::varchar},
                               {"t", ts::ColumnType::timestamp}, {"dt", ts::ColumnType::date},
                               {"u", ts::ColumnType::uuid},      {"ip", ts::ColumnType::ipv4}};
    for (int r = 0; r < 25; ++r) {
        std::vector<ts::Value> row;
        const bool null = r % 5 == 2;
        row.emplace_back(r % 2 == 0);
        if (null) {
            row.resize(10);  // monostate = NULL
        } else {
            row.emplace_back(std::int64_t{r * 3});
            row.emplace_back(std::int64_t{r} * 1'000'000'007);
            row.emplace_back(r * 0.25);
            row.emplace_back(std::string("sym") + std::to_string(r % 3));
            row.emplace_back(std::string("text ") + std::to_string(r));
            row.emplace_back(std::int64_t{1'700'000'000'000'000} + r);
            row.emplace_back(std::int64_t{1'700'000'000'000} + r);
            ts::Bytes uuid;
            uuid.data.assign(16, 0);
            uuid.data[0] = static_cast<std::uint8_t>(r);
            uuid.data[8] = 0x42;
            row.emplace_back(uuid);
            row.emplace_back(std::int64_t{0x0A000001} + r);
        }
        response.result.rows.push_back(std::move(row));
    }
    server.register_query("select * from everything", response);
    for (const char* compression : {"", "compression=zstd;"}) {
        auto reader = Reader::connect(ws_conf(server, compression));
        auto cursor = reader.execute("select * from everything");
        std::size_t row = 0;
        while (auto b = cursor.next_batch()) {
            ASSERT_EQ(b->column_count(), 10u);
            for (std::size_t i = 0; i < b->row_count(); ++i, ++row) {
                const auto r = static_cast<std::int64_t>(row);
                const bool null = row % 5 == 2;
                SCOPED_TRACE("row " + std::to_string(row));
                EXPECT_EQ(b->column(0).as_bool().value(i), row % 2 == 0);
                for (std::size_t c = 1; c < 10; ++c) {
                    EXPECT_EQ(b->column(c).is_null(i), null) << b->column_name(c);
                }
                if (null) {
                    continue;
                }
                EXPECT_EQ(b->column(1).as_int().get(i), r * 3);
                EXPECT_EQ(b->column(2).as_long().get(i), r * 1'000'000'007);
                EXPECT_EQ(b->column(3).as_double().get(i), static_cast<double>(r) * 0.25);
                EXPECT_EQ(b->column(4).as_symbol().resolve(i), "sym" + std::to_string(row % 3));
                EXPECT_EQ(b->column(5).as_varchar().value(i), "text " + std::to_string(row));
                EXPECT_EQ(b->column(6).as_timestamp().get(i), 1'700'000'000'000'000 + r);
                EXPECT_EQ(b->column(7).as_timestamp().get(i), 1'700'000'000'000 + r);
                EXPECT_EQ(b->column(8).as_uuid().get(i),
                          (Uuid{static_cast<std::uint64_t>(r), 0x42}));
                EXPECT_EQ(b->column(9).as_ipv4().get(i),
                          static_cast<std::uint32_t>(0x0A000001 + r));
            }
        }
        EXPECT_EQ(row, 25u);
        EXPECT_EQ(cursor.terminal()->kind, Terminal::Kind::result_end);
    }
}

TEST(EgressTestServer, IngestedRowsReadBack) {
    ts::Server server;
    server.start();
    {
        auto sender = ingress::Sender::from_conf(
            "http::addr=127.0.0.1:" + std::to_string(server.port()) + ";");
        auto buffer = sender.new_buffer();
        for (int r = 0; r < 100; ++r) {
            buffer.table("trades").symbol("sym", r % 2 == 0 ? "BTC" : "ETH").column_i64("qty", r);
            if (r % 10 != 3) {
                buffer.column_f64("px", 100.0 + r);  // omitted -> NULL
            }
            buffer.column_str("note", "n" + std::to_string(r));
            buffer.at(ingress::TimestampMicros(1'700'000'000'000'000 + r));
        }
        sender.flush(buffer);
    }
    ASSERT_TRUE(server.wait_for_rows("trades", 100));
    auto reader = Reader::connect(ws_conf(server));
    auto cursor = reader.execute("select sym, qty, px, note from trades");
    std::size_t row = 0;
    while (auto b = cursor.next_batch()) {
        for (std::size_t i = 0; i < b->row_count(); ++i, ++row) {
            EXPECT_EQ(b->column(0).as_symbol().resolve(i), row % 2 == 0 ? "BTC" : "ETH");
            EXPECT_EQ(b->column(1).as_long().get(i), static_cast<std::int64_t>(row));
            if (row % 10 == 3) {
                EXPECT_TRUE(b->column(2).is_null(i));
            } else {
                EXPECT_EQ(b->column(2).as_double().get(i), 100.0 + static_cast<double>(row));
            }
            EXPECT_EQ(b->column(3).as_varchar().value(i), "n" + std::to_string(row));
        }
    }
    EXPECT_EQ(row, 100u);
}

TEST(EgressTestServer, ErrorsAndExecDone) {
    ts::Server server;
    server.start();
    ts::QueryResponse err;
    err.error = std::make_pair(ts::Status::parse_error, std::string("unexpected token"));
    server.register_query("select nonsense", err);
    auto reader = Reader::connect(ws_conf(server));
    auto bad = reader.execute("select nonsense");
    try {
        (void)bad.next_batch();
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.error_code(), ErrorCode::server_parse_error);
        EXPECT_EQ(e.message(), "unexpected token");
    }
    auto ddl = reader.execute("create table x (a long)");
    EXPECT_EQ(ddl.drain().kind, Terminal::Kind::exec_done);
    EXPECT_EQ(server.egress_connections(), 1u);
}

}  // namespace
}  // namespace questdb::egress
