// ILP senders against the in-tree QuestDB test server (tests/support/server): rows land in
// its tables; auth, retries, JSON errors, timeouts, ECDSA and TLS as a real server does them.

#include <gtest/gtest.h>

#include <chrono>

#include "fake_servers.hpp"  // make_test_ec_key
#include "questdb/ingress/sender.hpp"
#include "questdb/test_server/server.hpp"
#include "support/tls_certs.hpp"
#include "support/wait_for.hpp"

namespace {

using namespace std::chrono_literals;
using questdb::Error;
using questdb::ErrorCode;
using questdb::ingress::ProtocolVersion;
using questdb::ingress::Sender;
using questdb::ingress::TimestampNanos;
using questdb::test::TempFile;
using questdb::test::TestCa;
using questdb::test::Validity;
using questdb::test::wait_for;
using questdb::test_server::Options;
using questdb::test_server::Server;

std::string http_conf(const Server& server, std::string_view extra = "") {
    return "http::addr=" + server.address() + ";" + std::string(extra);
}

ErrorCode code_of(const std::function<void()>& call, std::string* message = nullptr) {
    try {
        call();
    } catch (const Error& e) {
        if (message != nullptr) {
            *message = e.what();
        }
        return e.error_code();
    }
    ADD_FAILURE() << "expected a questdb::Error";
    return ErrorCode::query_error;
}

void write_rows(questdb::ingress::Buffer& buffer, int n, int start = 0) {
    for (int i = start; i < start + n; ++i) {
        buffer.table("trades")
            .symbol("sym", i % 2 == 0 ? "ETH-USD" : "BTC-USD")
            .column_f64("price", 100.0 + i)
            .column_i64("qty", i)
            .at(TimestampNanos(1700000000000000000 + i));
    }
}

TEST(IlpTestServer, HttpRowsArriveWithDetectedVersion) {
    Server server;
    server.start();
    auto sender = Sender::from_conf(http_conf(server));
    EXPECT_EQ(sender.protocol_version(), ProtocolVersion::v3);
    auto buffer = sender.new_buffer();
    write_rows(buffer, 10);
    sender.flush(buffer);
    ASSERT_TRUE(server.wait_for_rows("trades", 10, 5s));
    const auto table = server.table("trades");
    ASSERT_TRUE(table.exists());
    EXPECT_NE(table.column("sym"), nullptr);
    EXPECT_NE(table.column("price"), nullptr);
    EXPECT_NE(table.column("qty"), nullptr);
}

TEST(IlpTestServer, HttpBasicAuthOkAndFailed) {
    Options options;
    options.basic_user = "admin";
    options.basic_password = "quest";
    Server server(options);
    server.start();
    auto sender = Sender::from_conf(http_conf(server, "username=admin;password=quest;"));
    auto buffer = sender.new_buffer();
    write_rows(buffer, 3);
    sender.flush(buffer);
    EXPECT_TRUE(server.wait_for_rows("trades", 3, 5s));

    std::string message;
    const auto code = code_of(
        [&] {
            auto bad = Sender::from_conf(
                http_conf(server, "username=admin;password=wrong;protocol_version=2;"));
            auto b = bad.new_buffer();
            write_rows(b, 1);
            bad.flush(b);
        },
        &message);
    EXPECT_EQ(code, ErrorCode::auth_error) << message;
    EXPECT_EQ(message.find("wrong"), std::string::npos) << "no secret in messages";
    // protocol_version=auto meets the 401 already at GET /settings.
    EXPECT_EQ(
        code_of([&] { (void)Sender::from_conf(http_conf(server, "username=x;password=y;")); }),
        ErrorCode::auth_error);
}

TEST(IlpTestServer, HttpBearerToken) {
    Options options;
    options.token = "tok-123";
    Server server(options);
    server.start();
    auto sender = Sender::from_conf(http_conf(server, "token=tok-123;"));
    auto buffer = sender.new_buffer();
    write_rows(buffer, 2);
    sender.flush(buffer);
    EXPECT_TRUE(server.wait_for_rows("trades", 2, 5s));
}

TEST(IlpTestServer, ServiceUnavailableThenOkIsRetried) {
    Server server;
    server.start();
    auto sender = Sender::from_conf(http_conf(server, "protocol_version=2;"));
    server.faults().fail_ilp_http(503, "try later", 2);
    auto buffer = sender.new_buffer();
    write_rows(buffer, 4);
    sender.flush(buffer);
    EXPECT_TRUE(server.wait_for_rows("trades", 4, 5s));
    EXPECT_EQ(server.ilp_http_requests(), 3u);
    EXPECT_EQ(server.row_count("trades"), 4u) << "the refused attempts committed nothing";
}

TEST(IlpTestServer, JsonErrorIsReportedAndNotRetried) {
    Server server;
    server.start();
    auto sender = Sender::from_conf(http_conf(server, "protocol_version=2;"));
    server.faults().fail_ilp_http(
        400,
        R"({"code":"invalid","message":"failed to parse line protocol:errors encountered on line(s):\nerror in line 1: table: trades; cast error","line":1,"errorId":"9f3a-000017"})");
    auto buffer = sender.new_buffer();
    write_rows(buffer, 1);
    std::string message;
    EXPECT_EQ(code_of([&] { sender.flush(buffer); }, &message), ErrorCode::server_flush_error);
    EXPECT_NE(message.find("cast error"), std::string::npos) << message;
    EXPECT_NE(message.find("id: 9f3a-000017"), std::string::npos) << message;
    EXPECT_NE(message.find("line: 1"), std::string::npos) << message;
    EXPECT_EQ(server.ilp_http_requests(), 1u);
    EXPECT_EQ(buffer.row_count(), 1u);
    sender.flush(buffer);  // the fault was one-shot: the same rows now go through
    EXPECT_TRUE(server.wait_for_rows("trades", 1, 5s));
}

TEST(IlpTestServer, ServerRejectsMalformedDataWithItsOwnMessage) {
    Server server;
    server.start();
    auto sender = Sender::from_conf(http_conf(server, "protocol_version=1;"));
    auto buffer = sender.new_buffer();
    buffer.table("t").column_i64("v", 1).at_now();
    buffer.table("t").column_str("v", "now a string").at_now();  // type change mid-table
    std::string message;
    const auto code = code_of([&] { sender.flush(buffer); }, &message);
    if (code == ErrorCode::server_flush_error) {
        EXPECT_FALSE(message.empty());
        EXPECT_EQ(server.ilp_http_requests(), 1u) << "4xx is not retried";
    } else {
        ADD_FAILURE() << "unexpected " << message;
    }
}

TEST(IlpTestServer, RequestTimeoutIsRespected) {
    Server server;
    server.start();
    auto sender = Sender::from_conf(http_conf(
        server,
        "protocol_version=2;request_timeout=200;request_min_throughput=0;retry_timeout=0;"));
    server.faults().delay_ilp_http(3s);
    auto buffer = sender.new_buffer();
    write_rows(buffer, 1);
    const auto start = std::chrono::steady_clock::now();
    std::string message;
    EXPECT_EQ(code_of([&] { sender.flush(buffer); }, &message), ErrorCode::socket_error);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2500ms)
        << "the 200 ms timeout ends the call before the 3 s delayed answer";
    EXPECT_NE(message.find("timed out"), std::string::npos) << message;
    server.faults().clear();
    sender.flush(buffer);
    EXPECT_TRUE(server.wait_for_rows("trades", 1, 5s));
}

TEST(IlpTestServer, TcpPlainAndWithEcdsaKeys) {
    const auto key = questdb::test::ilp::make_test_ec_key();
    Options options;
    options.ilp_tcp_port = 0;
    options.ilp_tcp_keys.push_back({"testUser1", key.x, key.y});
    Server server(options);
    server.start();
    const std::string addr = "127.0.0.1:" + std::to_string(server.ilp_tcp_port());
    {
        auto sender = Sender::from_conf("tcp::addr=" + addr + ";username=testUser1;token=" + key.d +
                                        ";token_x=" + key.x + ";token_y=" + key.y + ";");
        auto buffer = sender.new_buffer();
        write_rows(buffer, 5);
        sender.flush(buffer);
        EXPECT_TRUE(server.wait_for_rows("trades", 5, 5s));
        EXPECT_EQ(server.ilp_tcp_connections(), 1u);
    }
    {
        const auto other = questdb::test::ilp::make_test_ec_key();
        auto sender =
            Sender::from_conf("tcp::addr=" + addr + ";username=testUser1;token=" + other.d +
                              ";token_x=" + other.x + ";token_y=" + other.y + ";");
        auto buffer = sender.new_buffer();
        bool failed = false;
        EXPECT_TRUE(wait_for(
            [&] {
                write_rows(buffer, 1, 100);
                try {
                    sender.flush(buffer);
                } catch (const Error& e) {
                    failed = true;
                    EXPECT_EQ(e.error_code(), ErrorCode::socket_error);
                }
                return failed;
            },
            10s));
        EXPECT_TRUE(sender.must_close());
        EXPECT_EQ(server.row_count("trades"), 5u) << "nothing from the rejected key";
    }
}

TEST(IlpTestServer, TlsWithGeneratedCaWrongHostAndExpired) {
    TestCa ca;
    TempFile ca_file(ca.cert_pem());
    auto serve = [&](const questdb::test::PemPair& leaf) {
        Options options;
        options.tls_cert_chain_pem = leaf.cert_pem;
        options.tls_private_key_pem = leaf.key_pem;
        options.ilp_tcp_port = 0;
        auto server = std::make_unique<Server>(options);
        server->start();
        return server;
    };
    {
        auto server = serve(ca.issue_leaf("localhost"));
        auto https = Sender::from_conf("https::addr=localhost:" + std::to_string(server->port()) +
                                       ";tls_roots=" + ca_file.str() + ";");
        auto buffer = https.new_buffer();
        write_rows(buffer, 2);
        https.flush(buffer);
        EXPECT_TRUE(server->wait_for_rows("trades", 2, 5s));
        auto tcps =
            Sender::from_conf("tcps::addr=localhost:" + std::to_string(server->ilp_tcp_port()) +
                              ";tls_roots=" + ca_file.str() + ";");
        auto b2 = tcps.new_buffer();
        write_rows(b2, 3, 10);
        tcps.flush(b2);
        EXPECT_TRUE(server->wait_for_rows("trades", 5, 5s));
    }
    {
        auto server = serve(ca.issue_leaf("db.example.com"));
        std::string message;
        EXPECT_EQ(code_of(
                      [&] {
                          (void)Sender::from_conf(
                              "https::addr=localhost:" + std::to_string(server->port()) +
                              ";tls_roots=" + ca_file.str() + ";");
                      },
                      &message),
                  ErrorCode::tls_error)
            << message;
        EXPECT_EQ(code_of([&] {
                      (void)Sender::from_conf(
                          "tcps::addr=localhost:" + std::to_string(server->ilp_tcp_port()) +
                          ";tls_roots=" + ca_file.str() + ";");
                  }),
                  ErrorCode::tls_error);
    }
    {
        auto server = serve(ca.issue_leaf("localhost", Validity::expired));
        std::string message;
        EXPECT_EQ(code_of(
                      [&] {
                          (void)Sender::from_conf(
                              "https::addr=localhost:" + std::to_string(server->port()) +
                              ";tls_roots=" + ca_file.str() + ";");
                      },
                      &message),
                  ErrorCode::tls_error);
        EXPECT_NE(message.find("expired"), std::string::npos) << message;
    }
}

}  // namespace
