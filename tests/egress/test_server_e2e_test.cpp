// The Reader against the in-tree QuestDB test server (tests/support/server): a registered
// result of every type with NULLs, rows ingested by an ILP/HTTP sender read back with SQL,
// QUERY_ERROR and EXEC_DONE.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

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

// ---- handshake against the real upgrade path (A1, A3-A6, A8, A10) --------------------------

const ts::RequestInfo* last_read_upgrade(const std::vector<ts::RequestInfo>& requests) {
    const ts::RequestInfo* found = nullptr;
    for (const auto& r : requests) {
        if (r.headers.count("upgrade") != 0) {
            found = &r;
        }
    }
    return found;
}

TEST(EgressTestServer, UpgradeRequestCarriesTheEgressHeaders) {
    ts::Server server;
    server.start();
    {
        auto reader = Reader::connect(ws_conf(server));
        const auto requests = server.requests();
        const auto* up = last_read_upgrade(requests);
        ASSERT_NE(up, nullptr);
        EXPECT_EQ(up->method, "GET");
        EXPECT_EQ(up->target, "/read/v1");                    // A1
        EXPECT_EQ(up->headers.at("x-qwp-max-version"), "1");  // A3
        const auto& id = up->headers.at("x-qwp-client-id");   // A4: <name>/<version>
        const auto slash = id.find('/');
        EXPECT_TRUE(slash != std::string::npos && slash > 0 && slash + 1 < id.size()) << id;
        EXPECT_EQ(up->headers.count("x-qwp-accept-encoding"), 0u);  // A5: raw sends none
        EXPECT_EQ(up->headers.count("x-qwp-max-batch-rows"), 0u);   // A6: unset sends none
    }
    auto reader = Reader::connect(
        ws_conf(server, "compression=zstd;compression_level=5;max_batch_rows=100;client_id=me/9;"));
    const auto requests = server.requests();
    const auto* up = last_read_upgrade(requests);
    ASSERT_NE(up, nullptr);
    EXPECT_EQ(up->headers.at("x-qwp-client-id"), "me/9");
    EXPECT_EQ(up->headers.at("x-qwp-accept-encoding"), "zstd;level=5,raw");
    EXPECT_EQ(up->headers.at("x-qwp-max-batch-rows"), "100");
}

TEST(EgressTestServer, AuthRefusalStopsTheWalk) {
    ts::Server refusing;
    ts::Server healthy;
    refusing.start();
    healthy.start();
    refusing.faults().refuse_upgrades(401);
    try {
        auto reader =
            Reader::connect("ws::addr=" + refusing.address() + ";addr=" + healthy.address() + ";");
        FAIL() << "connected despite a 401";
    } catch (const Error& e) {
        EXPECT_EQ(e.error_code(), ErrorCode::auth_error);  // A10: terminal at once
    }
    EXPECT_EQ(healthy.egress_connections(), 0u);  // the second endpoint was never contacted
}

TEST(EgressTestServer, RoleRejectAndVersionMismatchMoveToTheNextEndpoint) {
    ts::Server first;
    ts::Server second;
    first.start();
    second.start();
    const std::string conf = "ws::addr=" + first.address() + ";addr=" + second.address() + ";";
    first.faults().refuse_upgrades(421, {{"X-QuestDB-Role", "REPLICA"}}, {}, 1);
    {
        auto reader = Reader::connect(conf);  // A10: 421 -> next endpoint
        EXPECT_EQ(reader.current_endpoint(), second.address());
    }
    first.faults().force_qwp_version(2);
    {
        auto reader = Reader::connect(conf);  // A8: a version out of range is per endpoint
        EXPECT_EQ(reader.current_endpoint(), second.address());
    }
    first.faults().clear();
    auto reader = Reader::connect(conf);
    EXPECT_EQ(reader.current_endpoint(), first.address());
}

/// A TCP listener that never accepts: connects complete in the kernel backlog, and no
/// upgrade response ever comes.
struct SilentListener {
    SilentListener() {
        fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
            ::listen(fd, 8) != 0) {
            ADD_FAILURE() << "cannot listen on 127.0.0.1";
            return;
        }
        socklen_t len = sizeof addr;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
        port = ntohs(addr.sin_port);
    }
    ~SilentListener() {
        if (fd >= 0) {
            ::close(fd);
        }
    }
    int fd = -1;
    std::uint16_t port = 0;
};

TEST(EgressTestServer, SilentEndpointTimesOutToTheNextOne) {
    SilentListener silent;
    ts::Server healthy;
    healthy.start();
    const auto started = std::chrono::steady_clock::now();
    auto reader = Reader::connect("ws::addr=127.0.0.1:" + std::to_string(silent.port) +
                                  ";addr=" + healthy.address() + ";auth_timeout_ms=300;");
    EXPECT_EQ(reader.current_endpoint(), healthy.address());  // A11
    // Bounded by auth_timeout_ms (300 ms), not the 15 s default: a generous liveness bound.
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

}  // namespace
}  // namespace questdb::egress
