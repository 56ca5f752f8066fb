// The WebSocket connection against scripted loopback servers: upgrade headers and response
// classification, framing (bytes after the 101, continuation frames, pings, close codes),
// timeouts, full duplex and keep-alive pings, through both the async Connection and the
// BlockingConnection facade.

#include "ws/connection.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <future>
#include <optional>
#include <thread>

#include "support/wait_for.hpp"
#include "ws/blocking.hpp"
#include "ws/ws_test_server.hpp"

namespace questdb::ws {
namespace {

namespace asio = boost::asio;
namespace websocket = boost::beast::websocket;
using questdb::test::ws::ClientFrame;
using questdb::test::ws::HttpRequest;
using questdb::test::ws::ScriptServer;
using questdb::test::ws::tcp;
using namespace std::chrono_literals;
namespace t = questdb::test::ws;

constexpr auto kTimeout = 10s;

std::vector<std::uint8_t> bytes(std::string_view s) {
    return {s.begin(), s.end()};
}
std::string text(std::span<const std::uint8_t> s) {
    return {s.begin(), s.end()};
}

Endpoint local(const ScriptServer& server) {
    return Endpoint{"127.0.0.1", server.port()};
}

ConnectionOptions options(std::string path = "/write/v4") {
    ConnectionOptions o;
    o.path = std::move(path);
    o.connect_timeout = 5s;
    o.auth_timeout = 5s;
    return o;
}

/// Answers the upgrade with 101 + `extra` headers, then runs `after`.
ScriptServer::Script upgrade_then(std::function<void(tcp::socket&, const HttpRequest&)> after,
                                  std::string extra = "") {
    return [after = std::move(after), extra = std::move(extra)](tcp::socket& s) {
        const auto request = t::read_request(s);
        t::write_all(s, t::switching_protocols(request, extra));
        after(s, request);
    };
}

TEST(WsConnection, UpgradeSendsStandardAndConfiguredHeaders) {
    std::promise<HttpRequest> seen;
    ScriptServer server(upgrade_then(
        [&](tcp::socket& s, const HttpRequest& request) {
            seen.set_value(request);
            t::wait_for_eof(s);
        },
        "X-QWP-Version: 1\r\nX-QWP-Max-Batch-Size: 1048576\r\nX-QWP-Durable-Ack: enabled\r\n"));
    auto o = options("/write/v4");
    o.headers = {{"X-QWP-Max-Version", "1"},
                 {"X-QWP-Client-Id", "questdb-cpp/0.1.0"},
                 {"X-QWP-Request-Durable-Ack", "true"}};
    o.credentials = Credentials::basic("admin", "quest");
    BlockingConnection conn(o);
    const auto outcome = conn.connect(local(server));
    ASSERT_TRUE(outcome.ok()) << outcome.failure.message;
    EXPECT_TRUE(conn.is_open());

    const auto request = seen.get_future().get();
    EXPECT_EQ(request.method, "GET");
    EXPECT_EQ(request.target, "/write/v4");
    EXPECT_EQ(request.header("Host"), "127.0.0.1:" + std::to_string(server.port()));
    EXPECT_EQ(request.header("Upgrade"), "websocket");
    EXPECT_EQ(request.header("Sec-WebSocket-Version"), "13");
    EXPECT_EQ(request.header("Sec-WebSocket-Key").value_or("").size(), 24u);
    EXPECT_EQ(request.header("X-QWP-Max-Version"), "1");
    EXPECT_EQ(request.header("X-QWP-Client-Id"), "questdb-cpp/0.1.0");
    EXPECT_EQ(request.header("X-QWP-Request-Durable-Ack"), "true");
    EXPECT_EQ(request.header("Authorization"), "Basic YWRtaW46cXVlc3Q=");

    const auto& response = conn.upgrade_response();
    EXPECT_EQ(response.status, 101u);
    EXPECT_EQ(response.header("X-QWP-Version"), "1");
    EXPECT_EQ(response.header("X-QWP-Max-Batch-Size"), "1048576");
    EXPECT_EQ(response.header("X-QWP-Durable-Ack"), "enabled");
}

TEST(WsConnection, BearerTokenAndEgressPath) {
    std::promise<HttpRequest> seen;
    ScriptServer server(upgrade_then(
        [&](tcp::socket& s, const HttpRequest& request) {
            seen.set_value(request);
            t::wait_for_eof(s);
        },
        "X-QWP-Content-Encoding: zstd;level=3\r\n"));
    auto o = options("/read/v1");
    o.headers = {{"X-QWP-Accept-Encoding", "zstd;level=3,raw"}, {"X-QWP-Max-Batch-Rows", "100"}};
    o.credentials = Credentials::bearer("tok-123");
    BlockingConnection conn(o);
    ASSERT_TRUE(conn.connect(local(server)).ok());
    const auto request = seen.get_future().get();
    EXPECT_EQ(request.target, "/read/v1");
    EXPECT_EQ(request.header("Authorization"), "Bearer tok-123");
    EXPECT_EQ(request.header("X-QWP-Accept-Encoding"), "zstd;level=3,raw");
    EXPECT_EQ(request.header("X-QWP-Max-Batch-Rows"), "100");
    EXPECT_EQ(conn.upgrade_response().header("X-QWP-Content-Encoding"), "zstd;level=3");
}

struct StatusCase {
    unsigned status;
    std::string extra;
    Verdict verdict;
    ErrorCode code;
};

class WsConnectionStatus : public ::testing::TestWithParam<StatusCase> {};

TEST_P(WsConnectionStatus, NonSwitchingStatusIsClassified) {
    const auto& param = GetParam();
    ScriptServer server([&](tcp::socket& s) {
        (void)t::read_request(s);
        t::write_all(s, t::http_response(param.status, "Nope", param.extra, "server says no"));
        t::wait_for_eof(s);
    });
    auto o = options();
    o.credentials = Credentials::basic("admin", "s3cret-password");
    BlockingConnection conn(o);
    const auto outcome = conn.connect(local(server));
    EXPECT_EQ(outcome.verdict, param.verdict);
    EXPECT_EQ(outcome.failure.code, param.code);
    EXPECT_EQ(outcome.http_status, param.status);
    EXPECT_NE(outcome.failure.message.find("127.0.0.1:" + std::to_string(server.port())),
              std::string::npos)
        << outcome.failure.message;
    EXPECT_EQ(outcome.failure.message.find("s3cret"), std::string::npos);
    EXPECT_FALSE(conn.is_open());
}

INSTANTIATE_TEST_SUITE_P(
    Statuses, WsConnectionStatus,
    ::testing::Values(StatusCase{401, "", Verdict::terminal, ErrorCode::auth_error},
                      StatusCase{403, "", Verdict::terminal, ErrorCode::auth_error},
                      StatusCase{421, "X-QuestDB-Role: REPLICA\r\n", Verdict::role_reject,
                                 ErrorCode::role_mismatch},
                      StatusCase{404, "", Verdict::transient, ErrorCode::handshake_error},
                      StatusCase{503, "", Verdict::transient, ErrorCode::handshake_error}));

TEST(WsConnection, RoleRejectCarriesRoleAndZone) {
    ScriptServer server([](tcp::socket& s) {
        (void)t::read_request(s);
        t::write_all(
            s, t::http_response(421, "Misdirected Request",
                                "X-QuestDB-Role: PRIMARY_CATCHUP\r\nX-QuestDB-Zone: eu-1\r\n"));
        t::wait_for_eof(s);
    });
    BlockingConnection conn(options());
    const auto outcome = conn.connect(local(server));
    EXPECT_EQ(outcome.verdict, Verdict::role_reject);
    EXPECT_EQ(outcome.role, "PRIMARY_CATCHUP");
    EXPECT_EQ(outcome.zone, "eu-1");
    EXPECT_TRUE(outcome.role_reject_is_transient());
}

TEST(WsConnection, WrongSecWebSocketAcceptIsATransientHandshakeError) {
    ScriptServer server([](tcp::socket& s) {
        (void)t::read_request(s);
        t::write_all(
            s,
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n");
        t::wait_for_eof(s);
    });
    BlockingConnection conn(options());
    const auto outcome = conn.connect(local(server));
    EXPECT_EQ(outcome.verdict, Verdict::transient);
    EXPECT_EQ(outcome.failure.code, ErrorCode::handshake_error);
    EXPECT_EQ(outcome.http_status, 101u);
    EXPECT_FALSE(conn.is_open());
}

TEST(WsConnection, ValidatorCanRefuseTheUpgrade) {
    ScriptServer server(upgrade_then([](tcp::socket& s, const HttpRequest&) { t::wait_for_eof(s); },
                                     "X-QWP-Version: 1\r\n"));
    auto o = options();
    o.validate_upgrade = [](const UpgradeResponse& response) {
        if (!response.header("X-QWP-Durable-Ack")) {
            return ConnectOutcome::make(Verdict::terminal, ErrorCode::protocol_version_error,
                                        "durable ack not confirmed");
        }
        return ConnectOutcome::success();
    };
    BlockingConnection conn(o);
    const auto outcome = conn.connect(local(server));
    EXPECT_EQ(outcome.verdict, Verdict::terminal);
    EXPECT_EQ(outcome.failure.message, "durable ack not confirmed");
    EXPECT_EQ(outcome.http_status, 101u);
    EXPECT_FALSE(conn.is_open());
}

TEST(WsConnection, BytesAfterThe101InTheSameWriteReachTheFramer) {
    ScriptServer server([](tcp::socket& s) {
        const auto request = t::read_request(s);
        // SERVER_INFO travels in the same TCP write as the 101 (checklist A12).
        t::write_all(s, t::switching_protocols(request) + t::server_frame(0x2, "server-info") +
                            t::server_frame(0x2, "second"));
        t::wait_for_eof(s);
    });
    BlockingConnection conn(options("/read/v1"));
    ASSERT_TRUE(conn.connect(local(server)).ok());
    auto first = conn.read(kTimeout);
    ASSERT_TRUE(first.ok()) << first.failure().message;
    EXPECT_EQ(text(first.value()), "server-info");
    auto second = conn.read(kTimeout);
    ASSERT_TRUE(second.ok());
    EXPECT_EQ(text(second.value()), "second");
}

TEST(WsConnection, ContinuationFramesAreReassembledAndPingsAnswered) {
    // 10 MiB over three frames with a ping between the first two (checklist 0.5).
    std::string big(10u * 1024 * 1024, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) {
        big[i] = static_cast<char>(i * 31 + 7);
    }
    const std::size_t third = big.size() / 3;
    std::promise<ClientFrame> pong;
    std::promise<ClientFrame> data;
    ScriptServer server(upgrade_then([&](tcp::socket& s, const HttpRequest&) {
        t::write_all(s, t::server_frame(0x2, big.substr(0, third), false) +
                            t::server_frame(0x9, "keepalive") +
                            t::server_frame(0x0, big.substr(third, third), false) +
                            t::server_frame(0x0, big.substr(2 * third), true));
        std::string pending;
        pong.set_value(t::read_client_frame(s, pending));
        data.set_value(t::read_client_frame(s, pending));
        t::wait_for_eof(s);
    }));
    BlockingConnection conn(options());
    ASSERT_TRUE(conn.connect(local(server)).ok());
    auto message = conn.read(kTimeout);
    ASSERT_TRUE(message.ok()) << message.failure().message;
    EXPECT_EQ(message.value().size(), big.size());
    EXPECT_TRUE(text(message.value()) == big);

    const auto reply = pong.get_future().get();
    EXPECT_EQ(reply.opcode, 0xA);
    EXPECT_TRUE(reply.masked);
    EXPECT_EQ(reply.payload, "keepalive");

    const std::string payload(300000, 'q');
    ASSERT_TRUE(conn.write(bytes(payload), kTimeout).ok());
    const auto frame = data.get_future().get();
    EXPECT_EQ(frame.opcode, 0x2);  // binary
    EXPECT_TRUE(frame.fin);        // one frame per message
    EXPECT_TRUE(frame.masked);
    EXPECT_EQ(frame.payload, payload);
}

TEST(WsConnection, AcceptsAMessageOf16MiBPlus14) {
    const std::string big(16u * 1024 * 1024 + 14, 'z');
    ScriptServer server(upgrade_then([&](tcp::socket& s, const HttpRequest&) {
        t::write_all(s, t::server_frame(0x2, big));
        t::wait_for_eof(s);
    }));
    BlockingConnection conn(options());
    ASSERT_TRUE(conn.connect(local(server)).ok());
    auto message = conn.read(kTimeout);
    ASSERT_TRUE(message.ok()) << message.failure().message;
    EXPECT_EQ(message.value().size(), big.size());
}

TEST(WsConnection, CloseFrameIsReportedWithItsCode) {
    ScriptServer server(upgrade_then([](tcp::socket& s, const HttpRequest&) {
        t::write_all(s, t::server_frame(0x8, std::string("\x03\xf1", 2) + "too big"));
        t::wait_for_eof(s);
    }));
    BlockingConnection conn(options());
    ASSERT_TRUE(conn.connect(local(server)).ok());
    auto message = conn.read(kTimeout);
    ASSERT_FALSE(message.ok());
    EXPECT_EQ(message.failure().code, ErrorCode::socket_error);
    EXPECT_NE(message.failure().message.find("1009"), std::string::npos)
        << message.failure().message;
    EXPECT_EQ(conn.close_code(), 1009);
    EXPECT_FALSE(conn.is_open());
    const auto after = conn.write(bytes("late"), kTimeout);
    ASSERT_FALSE(after.ok());
    EXPECT_EQ(after.failure().code, ErrorCode::socket_error);  // not a caller bug
}

TEST(WsConnection, NormalClosureIsReportedAs1000) {
    ScriptServer server(upgrade_then([](tcp::socket& s, const HttpRequest&) {
        t::write_all(s, t::server_frame(0x8, std::string("\x03\xe8", 2)));
        t::wait_for_eof(s);
    }));
    BlockingConnection conn(options());
    ASSERT_TRUE(conn.connect(local(server)).ok());
    EXPECT_FALSE(conn.read(kTimeout).ok());
    EXPECT_EQ(conn.close_code(), 1000);
}

TEST(WsConnection, OversizedInboundMessageIsALimitError) {
    ScriptServer server(upgrade_then([](tcp::socket& s, const HttpRequest&) {
        t::write_all(s, t::server_frame(0x2, std::string(2048, 'x')));
        t::wait_for_eof(s);
    }));
    auto o = options();
    o.max_message_size = 1024;
    BlockingConnection conn(o);
    ASSERT_TRUE(conn.connect(local(server)).ok());
    auto message = conn.read(kTimeout);
    ASSERT_FALSE(message.ok());
    EXPECT_EQ(message.failure().code, ErrorCode::limit_exceeded);
}

TEST(WsConnection, TextMessageIsAProtocolError) {
    ScriptServer server(upgrade_then([](tcp::socket& s, const HttpRequest&) {
        t::write_all(s, t::server_frame(0x1, "hello"));
        t::wait_for_eof(s);
    }));
    BlockingConnection conn(options());
    ASSERT_TRUE(conn.connect(local(server)).ok());
    auto message = conn.read(kTimeout);
    ASSERT_FALSE(message.ok());
    EXPECT_EQ(message.failure().code, ErrorCode::protocol_error);
}

TEST(WsConnection, RefusedConnectIsATransientSocketError) {
    std::uint16_t port = 0;
    {
        asio::io_context io;
        tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        port = acceptor.local_endpoint().port();
    }  // closed: nothing listens on `port` now
    BlockingConnection conn(options());
    const auto outcome = conn.connect(Endpoint{"127.0.0.1", port});
    EXPECT_EQ(outcome.verdict, Verdict::transient);
    EXPECT_EQ(outcome.failure.code, ErrorCode::socket_error);
    EXPECT_NE(outcome.failure.message.find("127.0.0.1:" + std::to_string(port)), std::string::npos);
    EXPECT_EQ(outcome.http_status, 0u);
}

TEST(WsConnection, SilentServerHitsTheAuthTimeout) {
    ScriptServer server([](tcp::socket& s) {
        (void)t::read_request(s);
        t::wait_for_eof(s);  // never answers the upgrade
    });
    auto o = options();
    o.auth_timeout = 200ms;
    BlockingConnection conn(o);
    const auto started = std::chrono::steady_clock::now();
    const auto outcome = conn.connect(local(server));
    EXPECT_EQ(outcome.verdict, Verdict::transient);
    EXPECT_EQ(outcome.failure.code, ErrorCode::socket_error);
    EXPECT_NE(outcome.failure.message.find("auth_timeout"), std::string::npos)
        << outcome.failure.message;
    EXPECT_LT(std::chrono::steady_clock::now() - started, kTimeout);
    EXPECT_TRUE(questdb::test::wait_for([&] { return server.finished() == 1; }));
}

TEST(WsConnection, ConnectTimeoutWhenTheListenQueueIsFull) {
    // A listener that never accepts, with its accept queue filled: the kernel drops further
    // SYNs, so the TCP connect itself stalls until connect_timeout.
    asio::io_context io;
    tcp::acceptor acceptor(io);
    acceptor.open(tcp::v4());
    acceptor.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    acceptor.listen(0);
    const auto target = acceptor.local_endpoint();
    std::vector<int> fillers;  // raw non-blocking connects: Asio would wait for them
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(target.port());
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int i = 0; i < 4; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        ASSERT_GE(fd, 0);
        (void)::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address));
        fillers.push_back(fd);
    }
    struct CloseAll {
        std::vector<int>& fds;
        ~CloseAll() {
            for (const int fd : fds) {
                ::close(fd);
            }
        }
    } close_all{fillers};
    auto o = options();
    o.connect_timeout = 300ms;
    BlockingConnection conn(o);
    const auto outcome = conn.connect(Endpoint{"127.0.0.1", target.port()});
    EXPECT_EQ(outcome.verdict, Verdict::transient);
    EXPECT_EQ(outcome.failure.code, ErrorCode::connect_timeout) << outcome.failure.message;
    EXPECT_NE(outcome.failure.message.find("connect_timeout"), std::string::npos);
}

TEST(WsConnection, BlockingReadTimesOutAndBreaksTheConnection) {
    ScriptServer server(
        upgrade_then([](tcp::socket& s, const HttpRequest&) { t::wait_for_eof(s); }));
    BlockingConnection conn(options());
    ASSERT_TRUE(conn.connect(local(server)).ok());
    auto message = conn.read(100ms);
    ASSERT_FALSE(message.ok());
    EXPECT_EQ(message.failure().code, ErrorCode::socket_error);
    EXPECT_NE(message.failure().message.find("timed out"), std::string::npos);
    EXPECT_FALSE(conn.is_open());
    EXPECT_FALSE(conn.read(100ms).ok());
}

TEST(WsConnection, InterruptWakesABlockedReadAndKeepsTheConnection) {
    std::promise<void> go;
    auto send_now = go.get_future().share();
    ScriptServer server(upgrade_then([send_now](tcp::socket& s, const HttpRequest&) {
        send_now.wait();  // silent until the client was interrupted
        t::write_all(s, t::server_frame(0x2, "after"));
        t::wait_for_eof(s);
    }));
    BlockingConnection conn(options("/read/v1"));
    ASSERT_TRUE(conn.connect(local(server)).ok());
    std::atomic<bool> reading{false};
    std::optional<ErrorCode> code;
    std::thread reader([&] {
        reading.store(true);
        auto message = conn.read(std::chrono::milliseconds(0));  // no deadline
        code = message.ok() ? std::nullopt : std::optional(message.failure().code);
    });
    ASSERT_TRUE(questdb::test::wait_for([&] { return reading.load(); }, kTimeout));
    conn.interrupt();  // from this thread, while (or just before) the other one blocks
    reader.join();
    ASSERT_TRUE(code.has_value());
    EXPECT_EQ(*code, ErrorCode::cancelled);
    EXPECT_TRUE(conn.is_open());
    go.set_value();
    auto message = conn.read(kTimeout);  // the same pending read delivers the next message
    ASSERT_TRUE(message.ok()) << message.failure().message;
    EXPECT_EQ(text(message.value()), "after");
    conn.interrupt();  // with nobody reading: the next read returns at once
    auto next = conn.read(kTimeout);
    ASSERT_FALSE(next.ok());
    EXPECT_TRUE(is_interrupt(next.failure()));
}

TEST(WsConnection, BlockingWriteTimesOutWhenThePeerStopsReading) {
    std::promise<void> release;
    auto released = release.get_future().share();
    ScriptServer server(upgrade_then([released](tcp::socket&, const HttpRequest&) {
        released.wait();  // never reads: the socket buffers fill and the client's write stalls
    }));
    BlockingConnection conn(options());
    ASSERT_TRUE(conn.connect(local(server)).ok());
    const std::vector<std::uint8_t> huge(256u * 1024 * 1024, 0x5A);
    const auto written = conn.write(huge, 300ms);
    release.set_value();
    ASSERT_FALSE(written.ok());
    EXPECT_EQ(written.failure().code, ErrorCode::socket_error);
    EXPECT_NE(written.failure().message.find("timed out"), std::string::npos)
        << written.failure().message;
    EXPECT_FALSE(conn.is_open());
}

TEST(WsConnection, GracefulCloseHandshake) {
    std::promise<int> close_code;
    ScriptServer server([&](tcp::socket& s) {
        websocket::stream<tcp::socket&> ws(s);
        ws.accept();
        boost::beast::flat_buffer buffer;
        boost::system::error_code ec;
        ws.read(buffer, ec);
        close_code.set_value(ec == websocket::error::closed ? ws.reason().code : -1);
    });
    BlockingConnection conn(options());
    ASSERT_TRUE(conn.connect(local(server)).ok());
    EXPECT_TRUE(conn.close(kTimeout, 1000).ok());
    EXPECT_EQ(close_code.get_future().get(), 1000);
    EXPECT_FALSE(conn.is_open());
}

TEST(WsConnection, OperationsBeforeConnectFailAsInvalidApiCalls) {
    BlockingConnection conn(options());
    const auto written = conn.write(bytes("x"), kTimeout);
    ASSERT_FALSE(written.ok());
    EXPECT_EQ(written.failure().code, ErrorCode::invalid_api_call);
    const auto read = conn.read(kTimeout);
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.failure().code, ErrorCode::invalid_api_call);
}

// ---- async use on a multi-threaded io_context through a strand --------------------------

/// Runs `io` on two threads for the lifetime of the object.
class IoThreads {
  public:
    explicit IoThreads(asio::io_context& io) : io_(io), guard_(asio::make_work_guard(io)) {
        for (int i = 0; i < 2; ++i) {
            threads_.emplace_back([this] { io_.run(); });
        }
    }
    ~IoThreads() {
        guard_.reset();
        io_.stop();
        for (auto& t : threads_) {
            t.join();
        }
    }

  private:
    asio::io_context& io_;
    asio::executor_work_guard<asio::io_context::executor_type> guard_;
    std::vector<std::thread> threads_;
};

TEST(WsConnectionAsync, FullDuplexPipelinedWritesWhileReading) {
    // The server echoes each message back only after it has received the NEXT one, so the
    // client can only finish if its writes proceed while a read is outstanding.
    constexpr int kMessages = 200;
    ScriptServer server([&](tcp::socket& s) {
        websocket::stream<tcp::socket&> ws(s);
        ws.accept();
        ws.binary(true);
        boost::beast::flat_buffer buffer;
        std::string previous;
        for (int i = 0; i < kMessages; ++i) {
            buffer.consume(buffer.size());
            ws.read(buffer);
            std::string current = boost::beast::buffers_to_string(buffer.data());
            if (i > 0) {
                ws.write(asio::buffer(previous));
            }
            previous = std::move(current);
        }
        ws.write(asio::buffer(previous));
        boost::system::error_code ec;
        ws.read(buffer, ec);  // until the client closes
    });

    asio::io_context io;
    auto strand = asio::make_strand(io);
    std::vector<std::vector<std::uint8_t>> outgoing;
    for (int i = 0; i < kMessages; ++i) {
        outgoing.push_back(bytes("message-" + std::to_string(i)));
    }
    std::atomic<bool> finished{false};
    std::vector<std::string> received;  // touched only on the strand
    std::string failure;                // touched only on the strand
    std::unique_ptr<Connection> conn;
    int next_write = 0;

    std::function<void()> write_next;
    std::function<void()> read_next;
    write_next = [&] {
        if (next_write == kMessages) {
            return;
        }
        conn->async_write(outgoing[next_write], [&](detail::Status st) {
            if (!st) {
                failure = st.failure().message;
                finished = true;
                return;
            }
            ++next_write;
            write_next();
        });
    };
    read_next = [&] {
        conn->async_read([&](detail::Status st, std::span<const std::uint8_t> message) {
            if (!st) {
                failure = st.failure().message;
                finished = true;
                return;
            }
            received.push_back(text(message));
            if (received.size() == kMessages) {
                conn->async_close(1000, [&](detail::Status) { finished = true; });
                return;
            }
            read_next();
        });
    };

    IoThreads threads(io);
    asio::post(strand, [&] {
        conn = std::make_unique<Connection>(strand, options());
        conn->async_connect(local(server), [&](const ConnectOutcome& outcome) {
            if (!outcome.ok()) {
                failure = outcome.failure.message;
                finished = true;
                return;
            }
            read_next();
            write_next();
        });
    });
    ASSERT_TRUE(questdb::test::wait_for([&] { return finished.load(); }, kTimeout));
    std::promise<void> destroyed;
    asio::post(strand, [&] {
        EXPECT_EQ(failure, "");
        ASSERT_EQ(received.size(), static_cast<std::size_t>(kMessages));
        for (int i = 0; i < kMessages; ++i) {
            EXPECT_EQ(received[i], "message-" + std::to_string(i));
        }
        conn.reset();
        destroyed.set_value();
    });
    destroyed.get_future().wait();
}

TEST(WsConnectionAsync, KeepAlivePingsAreSentPeriodically) {
    std::atomic<int> pings{0};
    ScriptServer server(upgrade_then([&](tcp::socket& s, const HttpRequest&) {
        std::string pending;
        while (pings.load() < 3) {
            const auto frame = t::read_client_frame(s, pending);
            if (frame.opcode == 0x9) {
                t::write_all(s, t::server_frame(0xA, frame.payload));
                ++pings;
            }
        }
        t::write_all(s, t::server_frame(0x2, "after-pings"));
        t::wait_for_eof(s);
    }));
    asio::io_context io;
    auto o = options();
    o.ping_interval = 20ms;
    Connection conn(io.get_executor(), o);
    std::string got;
    bool connected = false;
    conn.async_connect(local(server), [&](const ConnectOutcome& outcome) {
        connected = outcome.ok();
        if (!connected) {
            return;
        }
        conn.async_read([&](detail::Status st, std::span<const std::uint8_t> message) {
            got = st ? text(message) : st.failure().message;
            conn.abort();
        });
    });
    io.run_for(kTimeout);
    EXPECT_TRUE(connected);
    EXPECT_EQ(got, "after-pings");
    EXPECT_GE(conn.pings_sent(), 3u);
    EXPECT_GE(pings.load(), 3);
}

TEST(WsConnectionAsync, DestroyingTheConnectionDropsPendingHandlers) {
    ScriptServer server(
        upgrade_then([](tcp::socket& s, const HttpRequest&) { t::wait_for_eof(s); }));
    asio::io_context io;
    auto conn = std::make_unique<Connection>(io.get_executor(), options());
    bool read_handler_ran = false;
    bool connected = false;
    conn->async_connect(local(server), [&](const ConnectOutcome& outcome) {
        connected = outcome.ok();
        conn->async_read(
            [&](detail::Status, std::span<const std::uint8_t>) { read_handler_ran = true; });
        asio::post(io, [&] { conn.reset(); });
    });
    io.run_for(kTimeout);
    EXPECT_TRUE(connected);
    EXPECT_EQ(conn, nullptr);
    EXPECT_FALSE(read_handler_ran);
}

TEST(WsConnectionAsync, SecondOutstandingReadIsRejected) {
    ScriptServer server(
        upgrade_then([](tcp::socket& s, const HttpRequest&) { t::wait_for_eof(s); }));
    asio::io_context io;
    Connection conn(io.get_executor(), options());
    std::optional<ErrorCode> second;
    conn.async_connect(local(server), [&](const ConnectOutcome&) {
        conn.async_read([](detail::Status, std::span<const std::uint8_t>) {});
        conn.async_read([&](detail::Status st, std::span<const std::uint8_t>) {
            second = st ? ErrorCode{} : st.failure().code;
            conn.abort();
        });
    });
    io.run_for(kTimeout);
    EXPECT_EQ(second, ErrorCode::invalid_api_call);
}

}  // namespace
}  // namespace questdb::ws
