// The ILP/HTTP sender against a scripted in-test server: auth, retries, JSON errors,
// timeouts, protocol-version detection, keep-alive, transactional flushes, auto-flush.

#include <gtest/gtest.h>

#include <chrono>

#include "fake_servers.hpp"
#include "ilp/ilp_sender.hpp"

namespace {

using namespace std::chrono_literals;
using questdb::ErrorCode;
using questdb::ilp::IlpSender;
using questdb::ilp::LineBuffer;
using questdb::ilp::ProtocolVersion;
using questdb::ilp::SenderConfig;
using questdb::test::ilp::FakeHttpServer;
using questdb::test::ilp::ScriptedResponse;

SenderConfig http_config(const FakeHttpServer& server) {
    SenderConfig config;
    config.host = "127.0.0.1";
    config.port = server.port();
    config.auto_flush.enabled = false;
    return config;
}

std::unique_ptr<IlpSender> open(SenderConfig config) {
    auto sender = IlpSender::open(std::move(config));
    if (!sender.ok()) {
        ADD_FAILURE() << "open failed: " << sender.failure().message;
        return nullptr;
    }
    return std::move(sender).value();
}

void add_row(LineBuffer& buf, std::string_view table = "trades", std::int64_t v = 1) {
    ASSERT_TRUE(buf.table(table).ok());
    ASSERT_TRUE(buf.symbol("sym", "ETH-USD").ok());
    ASSERT_TRUE(buf.column_i64("qty", v).ok());
    ASSERT_TRUE(buf.at(1700000000000000000 + v, questdb::ilp::TimeUnit::nanos).ok());
}

TEST(IlpHttpSender, DetectsVersionAndSendsWithBasicAuth) {
    FakeHttpServer server;
    auto config = http_config(server);
    config.username = "admin";
    config.password = "quest";
    auto sender = open(config);
    ASSERT_TRUE(sender);
    EXPECT_EQ(sender->protocol_version(), ProtocolVersion::v3);
    auto buf = sender->new_buffer();
    add_row(buf);
    const std::string sent(buf.view());
    ASSERT_TRUE(sender->flush(buf, false, true).ok());
    EXPECT_TRUE(buf.empty());
    const auto requests = server.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0].method, "GET");
    EXPECT_EQ(requests[0].target, "/settings");
    EXPECT_EQ(requests[1].method, "POST");
    EXPECT_EQ(requests[1].target, "/write?precision=n");
    EXPECT_EQ(requests[1].authorization, "Basic YWRtaW46cXVlc3Q=");
    EXPECT_EQ(requests[1].body, sent);
    EXPECT_EQ(requests[1].content_type, "text/plain; charset=utf-8");
    EXPECT_FALSE(sender->must_close());
}

TEST(IlpHttpSender, BearerToken) {
    FakeHttpServer server;
    auto config = http_config(server);
    config.token = "secret-token";
    config.protocol_version = ProtocolVersion::v2;
    auto sender = open(config);
    ASSERT_TRUE(sender);
    auto buf = sender->new_buffer();
    add_row(buf);
    ASSERT_TRUE(sender->flush(buf, false, true).ok());
    const auto requests = server.requests();
    ASSERT_EQ(requests.size(), 1u) << "an explicit protocol_version skips /settings";
    EXPECT_EQ(requests[0].authorization, "Bearer secret-token");
}

TEST(IlpHttpSender, AuthFailureIsReportedAndNotRetried) {
    FakeHttpServer server;
    auto config = http_config(server);
    config.username = "admin";
    config.password = "wrong-password";
    config.protocol_version = ProtocolVersion::v2;
    auto sender = open(config);
    ASSERT_TRUE(sender);
    server.script({401, "text/plain", "Unauthorized"});
    auto buf = sender->new_buffer();
    add_row(buf);
    const auto status = sender->flush(buf, false, true);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.failure().code, ErrorCode::auth_error);
    EXPECT_NE(status.failure().message.find("401"), std::string::npos);
    EXPECT_EQ(status.failure().message.find("wrong-password"), std::string::npos);
    EXPECT_EQ(server.request_count(), 1u);
    EXPECT_EQ(buf.row_count(), 1u) << "a failed flush keeps the rows";
}

TEST(IlpHttpSender, ServiceUnavailableThenOkIsRetried) {
    FakeHttpServer server;
    auto config = http_config(server);
    config.protocol_version = ProtocolVersion::v2;
    auto sender = open(config);
    ASSERT_TRUE(sender);
    server.script({503, "text/plain", "busy"});
    server.script({503, "text/plain", "still busy"});
    auto buf = sender->new_buffer();
    add_row(buf);
    const std::string sent(buf.view());
    const auto status = sender->flush(buf, false, true);
    ASSERT_TRUE(status.ok()) << status.failure().message;
    const auto requests = server.requests();
    ASSERT_EQ(requests.size(), 3u);
    for (const auto& r : requests) {
        EXPECT_EQ(r.body, sent);
    }
    EXPECT_TRUE(buf.empty());
}

TEST(IlpHttpSender, JsonErrorCarriesServerMessageAndIsNotRetried) {
    FakeHttpServer server;
    auto config = http_config(server);
    config.protocol_version = ProtocolVersion::v2;
    auto sender = open(config);
    ASSERT_TRUE(sender);
    server.script(
        {400, "application/json; charset=utf-8",
         R"({"code":"invalid","message":"failed to parse line protocol:errors encountered on line(s):\nerror in line 1: table: trades; invalid column type","line":1,"errorId":"b1a2-000042"})"});
    auto buf = sender->new_buffer();
    add_row(buf);
    const auto status = sender->flush(buf, false, true);
    ASSERT_FALSE(status.ok());
    const auto& f = status.failure();
    EXPECT_EQ(f.code, ErrorCode::server_flush_error);
    EXPECT_NE(f.message.find("failed to parse line protocol"), std::string::npos) << f.message;
    EXPECT_NE(f.message.find("id: b1a2-000042"), std::string::npos) << f.message;
    EXPECT_NE(f.message.find("code: invalid"), std::string::npos) << f.message;
    EXPECT_NE(f.message.find("line: 1"), std::string::npos) << f.message;
    EXPECT_EQ(server.request_count(), 1u);
    EXPECT_FALSE(sender->must_close());
}

TEST(IlpHttpSender, RequestTimeoutIsRespected) {
    FakeHttpServer server;
    auto config = http_config(server);
    config.protocol_version = ProtocolVersion::v2;
    config.request_timeout = 200ms;
    config.request_min_throughput = 0;
    config.retry_timeout = 0ms;
    auto sender = open(config);
    ASSERT_TRUE(sender);
    ScriptedResponse hang;
    hang.hang = true;
    server.script(hang);
    auto buf = sender->new_buffer();
    add_row(buf);
    const auto start = std::chrono::steady_clock::now();
    const auto status = sender->flush(buf, false, true);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.failure().code, ErrorCode::socket_error);
    EXPECT_NE(status.failure().message.find("timed out"), std::string::npos);
    EXPECT_TRUE(status.failure().in_doubt) << "the request was sent; it may have been applied";
    EXPECT_GE(elapsed, 200ms);
    EXPECT_LT(elapsed, 10s) << "the server never answers: only the timeout ends the call";
    // The next flush opens a fresh connection and succeeds.
    ASSERT_TRUE(sender->flush(buf, false, true).ok());
    EXPECT_EQ(server.connections_accepted(), 2u);
}

TEST(IlpHttpSender, RetriesStopAtRetryTimeout) {
    FakeHttpServer server;
    auto config = http_config(server);
    config.protocol_version = ProtocolVersion::v2;
    config.retry_timeout = 300ms;
    auto sender = open(config);
    ASSERT_TRUE(sender);
    for (int i = 0; i < 1000; ++i) {
        server.script({500, "text/plain", "internal"});
    }
    auto buf = sender->new_buffer();
    add_row(buf);
    const auto status = sender->flush(buf, false, true);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.failure().code, ErrorCode::server_flush_error);
    EXPECT_GE(server.request_count(), 3u) << "backoff starts at 10 ms";
    EXPECT_LT(server.request_count(), 100u);
}

TEST(IlpHttpSender, NotFoundMeansNoIlp) {
    FakeHttpServer server;
    auto config = http_config(server);
    config.protocol_version = ProtocolVersion::v1;
    auto sender = open(config);
    ASSERT_TRUE(sender);
    server.script({404, "text/plain", "not found"});
    auto buf = sender->new_buffer();
    add_row(buf);
    const auto status = sender->flush(buf, false, true);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.failure().code, ErrorCode::http_not_supported);
}

TEST(IlpHttpSender, SettingsDecideVersionAndNameLimit) {
    {
        FakeHttpServer server;
        server.set_settings_json(
            R"({"config":{"line.proto.support.versions":[1,2],"cairo.max.file.name.length":16}})");
        auto sender = open(http_config(server));
        ASSERT_TRUE(sender);
        EXPECT_EQ(sender->protocol_version(), ProtocolVersion::v2);
        EXPECT_EQ(sender->max_name_len(), 16u);
        auto buf = sender->new_buffer();
        EXPECT_FALSE(buf.table("a_table_name_longer_than_16").ok());
    }
    {
        FakeHttpServer server;
        server.script({404, "text/plain", ""});
        auto sender = open(http_config(server));
        ASSERT_TRUE(sender);
        EXPECT_EQ(sender->protocol_version(), ProtocolVersion::v1);
    }
    {
        FakeHttpServer server;
        server.set_settings_json(R"({"config":{}})");
        auto sender = open(http_config(server));
        ASSERT_TRUE(sender);
        EXPECT_EQ(sender->protocol_version(), ProtocolVersion::v1);
    }
    {
        FakeHttpServer server;
        server.set_settings_json(R"({"config":{"line.proto.support.versions":[7]}})");
        const auto sender = IlpSender::open(http_config(server));
        ASSERT_FALSE(sender.ok());
        EXPECT_EQ(sender.failure().code, ErrorCode::protocol_version_error);
    }
}

TEST(IlpHttpSender, ConnectionIsKeptAlive) {
    FakeHttpServer server;
    auto config = http_config(server);
    auto sender = open(config);
    ASSERT_TRUE(sender);
    auto buf = sender->new_buffer();
    for (int i = 0; i < 5; ++i) {
        add_row(buf, "trades", i);
        ASSERT_TRUE(sender->flush(buf, false, true).ok());
    }
    EXPECT_EQ(server.request_count(), 6u);
    EXPECT_EQ(server.connections_accepted(), 1u);
}

TEST(IlpHttpSender, TransactionalFlushRefusesSeveralTables) {
    FakeHttpServer server;
    auto config = http_config(server);
    config.protocol_version = ProtocolVersion::v2;
    auto sender = open(config);
    ASSERT_TRUE(sender);
    auto buf = sender->new_buffer();
    add_row(buf, "a");
    add_row(buf, "a");
    ASSERT_TRUE(sender->flush(buf, true, false).ok());
    add_row(buf, "b");
    const auto status = sender->flush(buf, true, false);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.failure().code, ErrorCode::invalid_api_call);
    EXPECT_EQ(server.request_count(), 1u);
    ASSERT_TRUE(sender->flush(buf, false, true).ok()) << "non-transactional flush is fine";
}

TEST(IlpHttpSender, RefusesIncompleteOversizedAndForeignBuffers) {
    FakeHttpServer server;
    auto config = http_config(server);
    config.protocol_version = ProtocolVersion::v2;
    config.init_buf_size = 64;
    config.max_buf_size = 200;
    auto sender = open(config);
    ASSERT_TRUE(sender);
    auto buf = sender->new_buffer();
    ASSERT_TRUE(buf.table("t").ok());
    auto s = sender->flush(buf, false, true);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.failure().code, ErrorCode::invalid_api_call);
    buf.clear();
    for (int i = 0; i < 10; ++i) {
        add_row(buf, "t", i);
    }
    s = sender->flush(buf, false, true);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.failure().message.find("max_buf_size"), std::string::npos);
    LineBuffer v1(ProtocolVersion::v1);
    add_row(v1);
    s = sender->flush(v1, false, true);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.failure().code, ErrorCode::protocol_version_error);
    EXPECT_EQ(server.request_count(), 0u);
    LineBuffer empty(ProtocolVersion::v2);
    EXPECT_TRUE(sender->flush(empty, false, true).ok()) << "an empty buffer is a no-op";
    EXPECT_EQ(server.request_count(), 0u);
}

TEST(IlpHttpSender, AutoFlushByRowsAndBytes) {
    FakeHttpServer server;
    auto config = http_config(server);
    config.protocol_version = ProtocolVersion::v2;
    config.auto_flush.enabled = true;
    config.auto_flush.rows = 3;
    auto sender = open(config);
    ASSERT_TRUE(sender);
    auto buf = sender->new_buffer();
    add_row(buf, "t", 1);
    add_row(buf, "t", 2);
    EXPECT_EQ(server.request_count(), 0u);
    add_row(buf, "t", 3);
    EXPECT_EQ(server.request_count(), 1u);
    EXPECT_TRUE(buf.empty());

    auto bytes_config = http_config(server);
    bytes_config.protocol_version = ProtocolVersion::v2;
    bytes_config.auto_flush.enabled = true;
    bytes_config.auto_flush.bytes = 100;
    auto by_bytes = open(bytes_config);
    ASSERT_TRUE(by_bytes);
    auto buf2 = by_bytes->new_buffer();
    while (server.request_count() == 1u && buf2.row_count() < 100) {
        add_row(buf2, "t", 4);
    }
    EXPECT_EQ(server.request_count(), 2u);
    EXPECT_TRUE(buf2.empty());
}

TEST(IlpHttpSender, AutoFlushByInterval) {
    FakeHttpServer server;
    auto config = http_config(server);
    config.protocol_version = ProtocolVersion::v2;
    config.auto_flush.enabled = true;
    config.auto_flush.interval = 1ms;
    auto sender = open(config);
    ASSERT_TRUE(sender);
    auto buf = sender->new_buffer();
    // The interval is checked when a row completes; rows keep coming until it has passed.
    for (int i = 0; i < 1000000 && server.request_count() == 0; ++i) {
        add_row(buf, "t", i);
    }
    EXPECT_EQ(server.request_count(), 1u);
    EXPECT_TRUE(buf.empty());
}

TEST(IlpHttpSender, AutoFlushFailureSurfacesAtTheRowAndKeepsIt) {
    FakeHttpServer server;
    auto config = http_config(server);
    config.protocol_version = ProtocolVersion::v2;
    config.auto_flush.enabled = true;
    config.auto_flush.rows = 1;
    auto sender = open(config);
    ASSERT_TRUE(sender);
    server.script({400, "text/plain", "bad"});
    auto buf = sender->new_buffer();
    ASSERT_TRUE(buf.table("t").ok());
    ASSERT_TRUE(buf.column_i64("v", 1).ok());
    const auto s = buf.at_now();
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.failure().code, ErrorCode::server_flush_error);
    EXPECT_EQ(buf.row_count(), 1u);
}

TEST(IlpHttpSender, BufferOutlivingItsSenderStopsAutoFlushing) {
    FakeHttpServer server;
    auto config = http_config(server);
    config.protocol_version = ProtocolVersion::v2;
    config.auto_flush.enabled = true;
    config.auto_flush.rows = 1;
    LineBuffer buf;
    {
        auto sender = open(config);
        ASSERT_TRUE(sender);
        buf = sender->new_buffer();
    }
    add_row(buf);
    EXPECT_EQ(buf.row_count(), 1u);
    EXPECT_EQ(server.request_count(), 0u);
}

TEST(IlpHttpSender, UnreachableServerFailsCleanly) {
    SenderConfig config;
    config.host = "127.0.0.1";
    config.port = 1;  // nothing listens on port 1
    config.protocol_version = ProtocolVersion::v2;
    config.retry_timeout = 50ms;
    auto sender = open(config);
    ASSERT_TRUE(sender) << "HTTP connects lazily";
    auto buf = sender->new_buffer();
    add_row(buf);
    const auto s = sender->flush(buf, false, true);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.failure().code, ErrorCode::socket_error);
    EXPECT_FALSE(s.failure().in_doubt);
}

}  // namespace
