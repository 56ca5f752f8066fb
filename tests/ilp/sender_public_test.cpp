// The public API: Sender::from_conf/from_env with ILP connect strings, Buffers in ILP mode,
// flush variants, auto-flush and must_close, against in-test servers.

#include <gtest/gtest.h>

#include <cstdlib>

#include "fake_servers.hpp"
#include "questdb/ingress/sender.hpp"
#include "support/wait_for.hpp"

namespace {

using namespace std::chrono_literals;
using questdb::Error;
using questdb::ErrorCode;
using questdb::ingress::Buffer;
using questdb::ingress::ProtocolVersion;
using questdb::ingress::Sender;
using questdb::ingress::TimestampMicros;
using questdb::ingress::TimestampNanos;
using questdb::test::wait_for;
using questdb::test::ilp::FakeHttpServer;
using questdb::test::ilp::FakeTcpServer;
using questdb::test::ilp::ScriptedResponse;

std::string http_conf(const FakeHttpServer& server, std::string_view extra = "") {
    return "http::addr=127.0.0.1:" + std::to_string(server.port()) + ";" + std::string(extra);
}

ErrorCode code_of(const std::function<void()>& call) {
    try {
        call();
    } catch (const Error& e) {
        return e.error_code();
    }
    ADD_FAILURE() << "expected a questdb::Error";
    return ErrorCode::query_error;
}

TEST(IlpPublicSender, HttpFromConfFlushesRowsAndClears) {
    FakeHttpServer server;
    auto sender = Sender::from_conf(http_conf(server, "username=admin;password=quest;"));
    EXPECT_EQ(sender.protocol_version(), ProtocolVersion::v3);
    auto buffer = sender.new_buffer();
    EXPECT_EQ(buffer.ilp_protocol_version(), ProtocolVersion::v3);
    buffer.table("trades")
        .symbol("sym", "ETH-USD")
        .column_f64("price", 2615.5)
        .column_i32("qty", 3)
        .column_str("note", "a \"b\"")
        .column_ts("ts", TimestampMicros(5))
        .at(TimestampNanos(1700000000000000000));
    const std::string sent(buffer.ilp_text());
    EXPECT_EQ(buffer.row_count(), 1u);
    sender.flush(buffer);
    EXPECT_TRUE(buffer.is_empty());
    const auto requests = server.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[1].body, sent);
    EXPECT_NE(sent.find("trades,sym=ETH-USD price=="), std::string::npos);
    EXPECT_NE(sent.find(",qty=3i,note=\"a \\\"b\\\"\",ts=5t 1700000000000000000n\n"),
              std::string::npos);
    EXPECT_EQ(requests[1].authorization, "Basic YWRtaW46cXVlc3Q=");
}

TEST(IlpPublicSender, FlushVariants) {
    FakeHttpServer server;
    auto sender = Sender::from_conf(http_conf(server, "protocol_version=1;"));
    auto buffer = sender.new_buffer();
    buffer.table("a").column_i64("v", 1).at_now();
    sender.flush_and_keep(buffer);
    EXPECT_EQ(buffer.row_count(), 1u);
    sender.flush_and_keep_transactional(buffer);
    buffer.table("b").column_i64("v", 2).at_now();
    EXPECT_FALSE(buffer.transactional());
    EXPECT_EQ(code_of([&] { sender.transactional_flush(buffer); }), ErrorCode::invalid_api_call);
    EXPECT_EQ(buffer.row_count(), 2u);
    sender.flush(buffer);
    EXPECT_EQ(server.request_count(), 3u);
    const auto bodies = server.requests();
    EXPECT_EQ(bodies[0].body, "a v=1i\n");
    EXPECT_EQ(bodies[2].body, "a v=1i\nb v=2i\n");

    EXPECT_EQ(code_of([&] { (void)sender.flush_and_get_fsn(buffer); }),
              ErrorCode::invalid_api_call);
    EXPECT_EQ(code_of([&] { (void)sender.published_fsn(); }), ErrorCode::invalid_api_call);
    sender.wait(questdb::ingress::AckLevel::ok, 1s);  // ILP: nothing pending

    Buffer qwp;  // a QWP buffer cannot go through an ILP sender
    qwp.table("a").column_i64("v", 1).at_now();
    EXPECT_EQ(code_of([&] { sender.flush(qwp); }), ErrorCode::invalid_api_call);

    Buffer other = Buffer::ilp(ProtocolVersion::v2);
    other.table("a").column_i64("v", 1).at_now();
    EXPECT_EQ(code_of([&] { sender.flush(other); }), ErrorCode::protocol_version_error);
}

TEST(IlpPublicSender, BufferRefusesWhatIlpCannotCarryAndKeepsEarlierRows) {
    Buffer buffer = Buffer::ilp(ProtocolVersion::v1);
    buffer.table("t").column_i64("v", 1).at_now();
    buffer.table("t");
    EXPECT_EQ(code_of([&] { buffer.column_uuid("u", 1, 2); }), ErrorCode::invalid_api_call);
    EXPECT_EQ(code_of([&] { buffer.table("t").column_arr("a", std::vector<double>{1.0}); }),
              ErrorCode::protocol_version_error);
    EXPECT_EQ(code_of([&] { buffer.table("t").column_dec("d", "1.5"); }),
              ErrorCode::protocol_version_error);
    EXPECT_EQ(code_of([&] { buffer.table("bad?name"); }), ErrorCode::invalid_name);
    EXPECT_EQ(buffer.ilp_text(), "t v=1i\n");

    Buffer v3 = Buffer::ilp(ProtocolVersion::v3);
    v3.table("t")
        .column_arr("a", std::vector<std::vector<double>>{{1, 2}, {3, 4}})
        .column_dec64("d", -12345, 2)
        .column_f32("f", 0.5f)
        .at_now();
    EXPECT_EQ(v3.row_count(), 1u);
    std::string want = "t a==";
    want += std::string("\x0e\x0a\x02", 3);
    EXPECT_EQ(v3.ilp_text().substr(0, want.size()), want);
}

TEST(IlpPublicSender, AutoFlushThroughThePublicBuffer) {
    FakeHttpServer server;
    auto sender = Sender::from_conf(http_conf(server, "protocol_version=2;auto_flush_rows=2;"));
    auto buffer = sender.new_buffer();
    buffer.table("t").column_i64("v", 1).at_now();
    EXPECT_EQ(server.request_count(), 0u);
    buffer.table("t").column_i64("v", 2).at_now();
    EXPECT_EQ(server.request_count(), 1u);
    EXPECT_TRUE(buffer.is_empty());

    auto manual = Sender::from_conf(http_conf(server, "protocol_version=2;auto_flush=off;"));
    auto held = manual.new_buffer();
    for (int i = 0; i < 10; ++i) {
        held.table("t").column_i64("v", i).at_now();
    }
    EXPECT_EQ(server.request_count(), 1u);
    EXPECT_EQ(held.row_count(), 10u);
}

TEST(IlpPublicSender, ServerErrorsAndRetriesThroughThePublicApi) {
    FakeHttpServer server;
    auto sender = Sender::from_conf(http_conf(server, "protocol_version=2;retry_timeout=2000;"));
    auto buffer = sender.new_buffer();
    buffer.table("t").column_i64("v", 1).at_now();
    server.script({503, "text/plain", "busy"});
    sender.flush(buffer);
    EXPECT_EQ(server.request_count(), 2u);

    server.script(
        {400, "application/json",
         R"({"code":"invalid","message":"cast error for line protocol integer","line":1,"errorId":"X-1"})"});
    buffer.table("t").column_i64("v", 1).at_now();
    try {
        sender.flush(buffer);
        ADD_FAILURE() << "expected a server error";
    } catch (const Error& e) {
        EXPECT_EQ(e.error_code(), ErrorCode::server_flush_error);
        EXPECT_NE(std::string(e.what()).find("cast error for line protocol integer"),
                  std::string::npos);
        EXPECT_NE(std::string(e.what()).find("id: X-1"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("line: 1"), std::string::npos);
        EXPECT_FALSE(e.retryable());
    }
    EXPECT_EQ(server.request_count(), 3u) << "400 is not retried";
    EXPECT_EQ(buffer.row_count(), 1u);
    EXPECT_FALSE(sender.must_close());
}

TEST(IlpPublicSender, FromEnvAndConfigErrors) {
    FakeHttpServer server;
    ::setenv("QDB_CLIENT_CONF", http_conf(server, "protocol_version=1;").c_str(), 1);
    auto sender = Sender::from_env();
    EXPECT_EQ(sender.protocol_version(), ProtocolVersion::v1);
    ::unsetenv("QDB_CLIENT_CONF");
    EXPECT_EQ(code_of([] { (void)Sender::from_env(); }), ErrorCode::config_error);
    EXPECT_EQ(code_of([] { (void)Sender::from_conf("ws::addr=localhost:9000;"); }),
              ErrorCode::config_error);
    try {
        (void)Sender::from_conf("http::addr=localhost:9000;password=hunter2;");
        ADD_FAILURE() << "a password without a username is a config error";
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos);
    }
}

TEST(IlpPublicSender, TcpSenderMustCloseAfterFailure) {
    std::string conf;
    {
        auto server = std::make_unique<FakeTcpServer>();
        conf = "tcp::addr=127.0.0.1:" + std::to_string(server->port()) + ";";
        auto sender = Sender::from_conf(conf);
        EXPECT_EQ(sender.protocol_version(), ProtocolVersion::v1);
        auto buffer = sender.new_buffer();
        buffer.table("t").column_i64("v", 1).at_now();
        sender.flush(buffer);
        EXPECT_TRUE(wait_for([&] { return server->received() == "t v=1i\n"; }, 5s));
        EXPECT_EQ(code_of([&] {
                      buffer.table("t").column_i64("v", 1).at_now();
                      sender.transactional_flush(buffer);
                  }),
                  ErrorCode::invalid_api_call);
        buffer.clear();
        server.reset();  // the server goes away
        bool failed = false;
        EXPECT_TRUE(wait_for(
            [&] {
                buffer.table("t").column_i64("v", 2).at_now();
                try {
                    sender.flush(buffer);
                } catch (const Error& e) {
                    failed = true;
                    EXPECT_EQ(e.error_code(), ErrorCode::socket_error);
                    EXPECT_TRUE(e.in_doubt());
                }
                return failed;
            },
            10s));
        EXPECT_TRUE(sender.must_close());
    }
    EXPECT_EQ(code_of([&] { (void)Sender::from_conf(conf); }), ErrorCode::socket_error)
        << "nothing listens any more";
}

TEST(IlpPublicSender, MovedFromAndClosedSenders) {
    FakeHttpServer server;
    auto sender = Sender::from_conf(http_conf(server, "protocol_version=2;"));
    Sender moved = std::move(sender);
    EXPECT_TRUE(sender.must_close());  // NOLINT(bugprone-use-after-move): documented state
    auto buffer = moved.new_buffer();
    buffer.table("t").column_i64("v", 1).at_now();
    moved.close();
    EXPECT_TRUE(moved.must_close());
    EXPECT_EQ(code_of([&] { moved.flush(buffer); }), ErrorCode::socket_error);
}

}  // namespace
