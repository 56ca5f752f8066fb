// Walking the endpoint list (checklist G3, G7, G11): order and wrap-around, terminal auth
// stops the walk before later endpoints are contacted, role rejects and transport failures
// move on, and the summary failure of a walk that found nothing.

#include "ws/walk.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "ws/ws_test_server.hpp"

namespace questdb::ws {
namespace {

namespace asio = boost::asio;
namespace t = questdb::test::ws;
using t::ScriptServer;
using t::tcp;
using namespace std::chrono_literals;

ScriptServer::Script answer(unsigned status, std::string extra = "") {
    return [status, extra](tcp::socket& s) {
        const auto request = t::read_request(s);
        if (status == 101) {
            t::write_all(s, t::switching_protocols(request, extra));
        } else {
            t::write_all(s, t::http_response(status, "Rejected", extra));
        }
        t::wait_for_eof(s);
    };
}

std::uint16_t closed_port() {
    asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    return acceptor.local_endpoint().port();
}

Endpoint at(const ScriptServer& server) {
    return Endpoint{"127.0.0.1", server.port()};
}

ConnectionOptions options() {
    ConnectionOptions o;
    o.connect_timeout = 5s;
    o.auth_timeout = 5s;
    return o;
}

TEST(WsWalk, OrderStartsAnywhereAndWraps) {
    EXPECT_EQ(walk_order(3, 0), (std::vector<std::size_t>{0, 1, 2}));
    EXPECT_EQ(walk_order(3, 2), (std::vector<std::size_t>{2, 0, 1}));
    EXPECT_EQ(walk_order(3, 4), (std::vector<std::size_t>{1, 2, 0}));
    EXPECT_TRUE(walk_order(0, 0).empty());
}

TEST(WsWalk, SkipsDeadAndRoleRejectingEndpoints) {
    ScriptServer replica(answer(421, "X-QuestDB-Role: REPLICA\r\n"));
    ScriptServer primary(answer(101, "X-QWP-Version: 1\r\n"));
    const std::vector<Endpoint> endpoints{Endpoint{"127.0.0.1", closed_port()}, at(replica),
                                          at(primary)};
    WalkReport report;
    auto conn = connect_first(endpoints, 0, options(), report);
    ASSERT_NE(conn, nullptr) << report.failure().message;
    EXPECT_EQ(report.connected, 2u);
    ASSERT_EQ(report.attempts.size(), 3u);
    EXPECT_EQ(report.attempts[0].outcome.verdict, Verdict::transient);
    EXPECT_EQ(report.attempts[1].outcome.verdict, Verdict::role_reject);
    EXPECT_EQ(report.attempts[1].outcome.role, "REPLICA");
    EXPECT_TRUE(report.attempts[2].outcome.ok());
    EXPECT_EQ(conn->upgrade_response().header("X-QWP-Version"), "1");
}

TEST(WsWalk, UnresolvableHostIsTransient) {
    ScriptServer healthy(answer(101));
    // Not a valid host name: the resolver rejects it locally, without asking DNS.
    const Endpoint bogus{"bad host name", 9000};
    WalkReport report;
    auto conn = connect_first({bogus, at(healthy)}, 0, options(), report);
    ASSERT_NE(conn, nullptr) << report.failure().message;
    ASSERT_EQ(report.attempts.size(), 2u);
    const auto& first = report.attempts[0].outcome;
    EXPECT_EQ(first.verdict, Verdict::transient);
    EXPECT_EQ(first.failure.code, ErrorCode::could_not_resolve_addr);
    EXPECT_NE(first.failure.message.find("bad host name:9000"), std::string::npos);
}

TEST(WsWalk, AuthFailureIsTerminalAndLaterEndpointsAreNeverContacted) {
    ScriptServer denied(answer(401));
    ScriptServer healthy(answer(101));
    WalkReport report;
    auto conn = connect_first({at(denied), at(healthy)}, 0, options(), report);
    EXPECT_EQ(conn, nullptr);
    EXPECT_TRUE(report.terminal());
    ASSERT_EQ(report.attempts.size(), 1u);
    const auto failure = report.failure();
    EXPECT_EQ(failure.code, ErrorCode::auth_error);
    EXPECT_EQ(healthy.accepted(), 0);
}

TEST(WsWalk, AllUnreachableNamesEveryEndpoint) {
    ScriptServer unavailable(answer(503));
    const Endpoint dead{"127.0.0.1", closed_port()};
    WalkReport report;
    auto conn = connect_first({dead, at(unavailable)}, 0, options(), report);
    EXPECT_EQ(conn, nullptr);
    EXPECT_FALSE(report.terminal());
    const auto failure = report.failure();
    EXPECT_NE(failure.message.find("all QWP endpoints unreachable"), std::string::npos);
    EXPECT_NE(failure.message.find(dead.to_string()), std::string::npos) << failure.message;
    EXPECT_NE(failure.message.find(at(unavailable).to_string()), std::string::npos);
    EXPECT_NE(failure.message.find("503"), std::string::npos);
}

TEST(WsWalk, AllRoleRejectsIsARoleMismatch) {
    ScriptServer a(answer(421, "X-QuestDB-Role: REPLICA\r\n"));
    ScriptServer b(answer(421, "X-QuestDB-Role: PRIMARY_CATCHUP\r\n"));
    WalkReport report;
    auto conn = connect_first({at(a), at(b)}, 1, options(), report);
    EXPECT_EQ(conn, nullptr);
    EXPECT_TRUE(report.all_role_rejects());
    EXPECT_TRUE(report.any_transient_role_reject());
    EXPECT_EQ(report.attempts[0].index, 1u);  // started at 1
    EXPECT_EQ(report.failure().code, ErrorCode::role_mismatch);
}

TEST(WsWalk, PostConnectCheckCanRejectAnEndpoint) {
    ScriptServer first(answer(101));
    ScriptServer second(answer(101));
    WalkReport report;
    int checks = 0;
    auto conn =
        connect_first({at(first), at(second)}, 0, options(), report, [&](BlockingConnection&) {
            return ++checks == 1
                       ? ConnectOutcome::make(Verdict::role_reject, ErrorCode::role_mismatch,
                                              "replica, want primary")
                       : ConnectOutcome::success();
        });
    ASSERT_NE(conn, nullptr);
    EXPECT_EQ(report.connected, 1u);
    EXPECT_EQ(checks, 2);
}

TEST(WsWalk, AsyncWalkBindsTheFirstHealthyEndpoint) {
    ScriptServer denied_role(answer(421, "X-QuestDB-Role: REPLICA\r\n"));
    ScriptServer healthy(answer(101));
    asio::io_context io;
    EndpointWalk walk(io.get_executor(),
                      {Endpoint{"127.0.0.1", closed_port()}, at(denied_role), at(healthy)},
                      options());
    std::unique_ptr<Connection> bound;
    std::optional<WalkReport> result;
    walk.async_run(0, [&](std::unique_ptr<Connection> conn, WalkReport report) {
        bound = std::move(conn);
        result = std::move(report);
    });
    io.run_for(10s);
    ASSERT_TRUE(result);
    ASSERT_TRUE(result->ok()) << result->failure().message;
    EXPECT_EQ(result->connected, 2u);
    EXPECT_EQ(result->attempts.size(), 3u);
    ASSERT_NE(bound, nullptr);
    EXPECT_TRUE(bound->is_open());
    bound.reset();
}

TEST(WsWalk, AsyncWalkStopsOnAuthFailure) {
    ScriptServer denied(answer(403));
    ScriptServer healthy(answer(101));
    asio::io_context io;
    EndpointWalk walk(io.get_executor(), {at(denied), at(healthy)}, options());
    std::optional<WalkReport> result;
    bool got_connection = true;
    walk.async_run(0, [&](std::unique_ptr<Connection> conn, WalkReport report) {
        got_connection = conn != nullptr;
        result = std::move(report);
    });
    io.run_for(10s);
    ASSERT_TRUE(result);
    EXPECT_FALSE(got_connection);
    EXPECT_TRUE(result->terminal());
    EXPECT_EQ(result->failure().code, ErrorCode::auth_error);
    EXPECT_EQ(healthy.accepted(), 0);
}

TEST(WsWalk, EmptyListFailsWithoutIo) {
    WalkReport report;
    EXPECT_EQ(connect_first({}, 0, options(), report), nullptr);
    EXPECT_EQ(report.failure().code, ErrorCode::socket_error);
}

}  // namespace
}  // namespace questdb::ws
