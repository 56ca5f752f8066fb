// The WebSocket session over Beast's in-memory test stream: no sockets, fully deterministic.
// "Fail the Nth operation" (beast::test::fail_count) walks every I/O step of upgrade, read
// and write and checks that each failure is reported exactly once, with a transport code.

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "ws/session.hpp"

namespace questdb::ws {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using TestSession = detail_ws::Session<beast::test::stream>;

std::string text(std::span<const std::uint8_t> s) {
    return {s.begin(), s.end()};
}

std::shared_ptr<const ConnectionOptions> test_options() {
    auto o = std::make_shared<ConnectionOptions>();
    o->path = "/read/v1";
    o->auth_timeout = std::chrono::milliseconds(0);
    o->headers = {{"X-QWP-Max-Version", "1"}};
    o->credentials = Credentials::bearer("secret-token");
    return o;
}

/// What one scripted exchange observed on the client side.
struct Observed {
    int upgrade_calls = 0;
    int read_calls = 0;
    int write_calls = 0;
    bool completed = false;
    std::optional<questdb::detail::Failure> failure;
    std::optional<Verdict> verdict;
};

/// Upgrade, read the server's greeting, write a reply; the server echoes after accepting.
Observed run_exchange(beast::test::fail_count* fail_count, std::string* server_saw = nullptr) {
    asio::io_context io;
    auto client = fail_count ? beast::test::stream(io, *fail_count) : beast::test::stream(io);
    beast::test::stream server_end(io);
    client.connect(server_end);
    auto session =
        std::make_shared<TestSession>(test_options(), Endpoint{"test", 9000}, std::move(client));
    websocket::stream<beast::test::stream> server(std::move(server_end));
    beast::flat_buffer server_buffer;
    server.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& response) { response.set("X-QWP-Version", "1"); }));
    server.async_accept([&](const boost::system::error_code& ec) {
        if (ec) {
            return;
        }
        server.binary(true);
        server.async_write(
            asio::buffer(std::string_view("greeting")),
            [&](const boost::system::error_code& ec, std::size_t) {
                if (ec) {
                    return;
                }
                server.async_read(
                    server_buffer, [&](const boost::system::error_code& ec, std::size_t) {
                        if (!ec && server_saw != nullptr) {
                            *server_saw = beast::buffers_to_string(server_buffer.data());
                        }
                    });
            });
    });

    Observed seen;
    static const std::vector<std::uint8_t> reply{'r', 'e', 'p', 'l', 'y'};
    session->async_upgrade("test:9000", [&](const ConnectOutcome& outcome) {
        ++seen.upgrade_calls;
        seen.verdict = outcome.verdict;
        if (!outcome.ok()) {
            seen.failure = outcome.failure;
            return;
        }
        session->async_read([&](questdb::detail::Status st, std::span<const std::uint8_t> message) {
            ++seen.read_calls;
            if (!st) {
                seen.failure = st.failure();
                return;
            }
            EXPECT_EQ(text(message), "greeting");
            session->async_write(reply, [&](questdb::detail::Status st) {
                ++seen.write_calls;
                if (!st) {
                    seen.failure = st.failure();
                    return;
                }
                seen.completed = true;
            });
        });
    });
    io.run();
    session->abort();
    return seen;
}

TEST(WsSessionStream, ExchangeWithoutFailures) {
    std::string server_saw;
    const auto seen = run_exchange(nullptr, &server_saw);
    EXPECT_TRUE(seen.completed);
    EXPECT_EQ(seen.upgrade_calls, 1);
    EXPECT_EQ(seen.read_calls, 1);
    EXPECT_EQ(seen.write_calls, 1);
    EXPECT_EQ(server_saw, "reply");
}

TEST(WsSessionStream, EveryFailingOperationIsReportedExactlyOnce) {
    int failures_seen = 0;
    for (std::size_t n = 0; n < 200; ++n) {
        beast::test::fail_count fail_count(n);
        const auto seen = run_exchange(&fail_count);
        EXPECT_LE(seen.upgrade_calls, 1) << "n=" << n;
        EXPECT_LE(seen.read_calls, 1) << "n=" << n;
        EXPECT_LE(seen.write_calls, 1) << "n=" << n;
        if (seen.completed) {
            EXPECT_FALSE(seen.failure);
            EXPECT_GT(failures_seen, 2) << "the exchange should have several failure points";
            return;
        }
        ++failures_seen;
        ASSERT_TRUE(seen.failure) << "n=" << n << ": no handler reported the failure";
        const auto code = seen.failure->code;
        EXPECT_TRUE(code == ErrorCode::socket_error || code == ErrorCode::handshake_error)
            << "n=" << n << ": " << seen.failure->message;
        EXPECT_NE(seen.failure->message.find("test:9000"), std::string::npos)
            << seen.failure->message;
        EXPECT_EQ(seen.failure->message.find("secret-token"), std::string::npos);
        if (seen.upgrade_calls == 1 && seen.read_calls == 0) {
            EXPECT_EQ(seen.verdict, Verdict::transient) << "n=" << n;
        }
    }
    FAIL() << "the exchange never completed";
}

TEST(WsSessionStream, ReadAndWriteBeforeUpgradeAreRejected) {
    asio::io_context io;
    beast::test::stream client(io);
    auto session =
        std::make_shared<TestSession>(test_options(), Endpoint{"test", 9000}, std::move(client));
    std::optional<ErrorCode> read_code;
    std::optional<ErrorCode> write_code;
    session->async_read([&](questdb::detail::Status st, std::span<const std::uint8_t>) {
        read_code = st ? ErrorCode{} : st.failure().code;
    });
    static const std::vector<std::uint8_t> payload{1, 2, 3};
    session->async_write(payload, [&](questdb::detail::Status st) {
        write_code = st ? ErrorCode{} : st.failure().code;
    });
    EXPECT_FALSE(read_code);  // handlers never run inside the initiating call
    io.run();
    EXPECT_EQ(read_code, ErrorCode::invalid_api_call);
    EXPECT_EQ(write_code, ErrorCode::invalid_api_call);
}

TEST(WsSessionStream, GarbageInsteadOfAnHttpResponseIsATransientFailure) {
    asio::io_context io;
    beast::test::stream client(io);
    beast::test::stream server_end(io);
    client.connect(server_end);
    client.append("SSH-2.0-OpenSSH_9.0\r\n\r\n");
    auto session =
        std::make_shared<TestSession>(test_options(), Endpoint{"test", 9000}, std::move(client));
    std::optional<ConnectOutcome> result;
    session->async_upgrade("test:9000", [&](const ConnectOutcome& outcome) { result = outcome; });
    io.run();
    ASSERT_TRUE(result);
    EXPECT_EQ(result->verdict, Verdict::transient);
    EXPECT_EQ(result->failure.code, ErrorCode::handshake_error) << result->failure.message;
    EXPECT_FALSE(session->is_open());
}

}  // namespace
}  // namespace questdb::ws
