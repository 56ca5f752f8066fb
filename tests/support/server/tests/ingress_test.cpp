// QWP ingress endpoint of the test server, driven over real WebSockets with Beast.

#include <gtest/gtest.h>

#include <cstring>

#include "questdb/test_server/server.hpp"
#include "support/fixtures.hpp"
#include "support/wait_for.hpp"
#include "ws_client.hpp"

namespace questdb::test_server {
namespace {

using namespace testing;
using questdb::test::load_hex_fixture;
using questdb::test::wait_for;

constexpr std::int64_t kBase = 1700000000000000000;

class IngressTest : public ::testing::Test {
  protected:
    void SetUp() override { server.start(); }
    Server server;
};

TEST_F(IngressTest, UpgradeNegotiatesVersionAndAdvertisesBatchSize) {
    WsClient client(server.port(), "/write/v4", {{"X-QWP-Max-Version", "7"}});
    ASSERT_TRUE(client.upgraded()) << client.error().message();
    EXPECT_EQ(client.header("X-QWP-Version"), "1");
    EXPECT_EQ(client.header("X-QWP-Max-Batch-Size"), std::to_string(2 * 1024 * 1024 - 14));
    EXPECT_EQ(client.header("X-QWP-Durable-Ack"), "");
    WsClient alias(server.port(), "/api/v4/write", {});
    ASSERT_TRUE(alias.upgraded());
    EXPECT_EQ(alias.header("X-QWP-Version"), "1");  // absent header means 1
    // The counter moves right after the server wrote the 101, so wait for it.
    EXPECT_TRUE(wait_for([&] { return server.ingress_connections() == 2; }));
}

TEST_F(IngressTest, UnknownPathIs404AndBadVersionHeaderIs400) {
    WsClient wrong(server.port(), "/write/v3");
    EXPECT_FALSE(wrong.upgraded());
    EXPECT_EQ(wrong.response().result_int(), 404u);
    WsClient bad(server.port(), "/write/v4", {{"X-QWP-Max-Version", "zero"}});
    EXPECT_FALSE(bad.upgraded());
    EXPECT_EQ(bad.response().result_int(), 400u);
}

TEST_F(IngressTest, FixturesDecodeToTheDocumentedRows) {
    WsClient client(server.port());
    ASSERT_TRUE(client.upgraded());
    client.send(load_hex_fixture("qwp/trades-10rows-replay.hex"));
    auto first = parse_response(client.read().value());
    EXPECT_EQ(first.status, 0x00) << first.message;
    EXPECT_EQ(first.sequence, 0);
    EXPECT_EQ(first.tables.at("trades"), 1);
    // The replay frame re-sends dictionary ids 0..9, which the connection already holds.
    client.send(load_hex_fixture("qwp/trades-1row-after-10-symbols.hex"));
    auto second = parse_response(client.read().value());
    EXPECT_EQ(second.status, 0x00) << second.message;
    EXPECT_EQ(second.sequence, 1);
    EXPECT_EQ(second.tables.at("trades"), 2);

    const Table t = server.table("trades");
    ASSERT_TRUE(t.exists());
    ASSERT_EQ(t.row_count(), 11u);
    EXPECT_EQ(t.column("sym")->type, ColumnType::symbol);
    EXPECT_EQ(t.column("qty")->type, ColumnType::long_);
    EXPECT_EQ(t.column("px")->type, ColumnType::double_);
    EXPECT_EQ(t.column("timestamp")->type, ColumnType::timestamp_nanos);
    EXPECT_TRUE(t.column("timestamp")->designated_timestamp);
    for (int i = 0; i < 10; ++i) {
        const Row& r = t.rows()[static_cast<std::size_t>(i)];
        EXPECT_EQ(r.str("sym"), "SYM_00" + std::to_string(i));
        EXPECT_EQ(r.i64("qty"), i);
        EXPECT_DOUBLE_EQ(r.f64("px"), 100.0 + i);
        EXPECT_EQ(r.timestamp(), kBase + i);
    }
    const Row& last = t.rows()[10];
    EXPECT_EQ(last.str("sym"), "SYM_009");
    EXPECT_EQ(last.i64("qty"), 99);
    EXPECT_DOUBLE_EQ(last.f64("px"), 999.5);
    EXPECT_EQ(last.timestamp(), kBase + 1000);
}

TEST_F(IngressTest, ReplayFixtureDecodesOnAFreshConnection) {
    WsClient client(server.port());
    client.send(load_hex_fixture("qwp/trades-1row-after-10-symbols.hex"));
    EXPECT_EQ(parse_response(client.read().value()).status, 0x00);
    EXPECT_EQ(server.table("trades").rows().at(0).str("sym"), "SYM_009");
}

TEST_F(IngressTest, MalformedFramesGetParseErrorAndServerStaysHealthy) {
    WsClient client(server.port());
    auto good = build_frame({one_row("t", 1)});
    auto bad_magic = good;
    bad_magic[0] = 'X';
    auto truncated = good;
    truncated.pop_back();
    auto wrong_version = build_frame({one_row("t", 1)}, 0, 2);
    auto reserved_flag = build_frame({one_row("t", 1)}, 0x02);
    std::vector<std::vector<std::uint8_t>> bad{
        bad_magic, truncated, wrong_version, reserved_flag, {0x00}};
    std::int64_t seq = 0;
    for (const auto& frame : bad) {
        client.send(frame);
        auto r = parse_response(client.read().value());
        EXPECT_EQ(r.status, 0x05) << "frame " << seq;
        EXPECT_EQ(r.sequence, seq++);
        EXPECT_FALSE(r.message.empty());
    }
    client.send(good);
    auto ok = parse_response(client.read().value());
    EXPECT_EQ(ok.status, 0x00);
    EXPECT_EQ(ok.sequence, seq);
    EXPECT_EQ(server.row_count("t"), 1u);
    WsClient other(server.port());
    other.send(good);
    EXPECT_EQ(parse_response(other.read().value()).status, 0x00);
}

TEST_F(IngressTest, SchemaMismatchIsReported) {
    WsClient client(server.port());
    client.send(build_frame({one_row("t", 1)}));
    EXPECT_EQ(parse_response(client.read().value()).status, 0x00);
    // Same column name, now as a VARCHAR-less DOUBLE: build by patching the type byte.
    auto frame = build_frame({one_row("t", 2)});
    // header 12 + name len 1 + "t" + rows 1 + cols 2 + col name len 1 + "v" -> type at 18
    ASSERT_EQ(frame[18], 0x05);
    frame[18] = 0x07;
    client.send(frame);
    auto r = parse_response(client.read().value());
    EXPECT_EQ(r.status, 0x03);
    EXPECT_NE(r.message.find("'v'"), std::string::npos) << r.message;
    EXPECT_EQ(server.row_count("t"), 1u);
}

TEST_F(IngressTest, OkCarriesPerTableSeqTxnForMultiTableFrames) {
    WsClient client(server.port());
    client.send(build_frame({one_row("a", 1), one_row("b", 2)}));
    auto r1 = parse_response(client.read().value());
    client.send(build_frame({one_row("b", 3)}));
    auto r2 = parse_response(client.read().value());
    EXPECT_EQ(r1.tables, (std::map<std::string, std::int64_t>{{"a", 1}, {"b", 1}}));
    EXPECT_EQ(r2.tables, (std::map<std::string, std::int64_t>{{"b", 2}}));
}

TEST_F(IngressTest, DeferredGroupCommitsOnlyWithTheClosingFrame) {
    WsClient client(server.port());
    client.send(build_frame({one_row("g", 1)}, 0x01));
    auto r1 = parse_response(client.read().value());
    EXPECT_EQ(r1.status, 0x00);
    EXPECT_TRUE(r1.tables.empty());
    client.send(build_frame({one_row("g", 2)}, 0x01));
    EXPECT_TRUE(parse_response(client.read().value()).tables.empty());
    EXPECT_EQ(server.row_count("g"), 0u);
    client.send(build_frame({}, 0x00));  // an empty frame with the flag clear forces the commit
    auto r3 = parse_response(client.read().value());
    EXPECT_EQ(r3.tables.at("g"), 1);
    EXPECT_EQ(server.row_count("g"), 2u);
}

TEST_F(IngressTest, DeferredRowsRollBackOnDisconnect) {
    {
        WsClient client(server.port());
        client.send(build_frame({one_row("g", 1)}, 0x01));
        EXPECT_EQ(parse_response(client.read().value()).status, 0x00);
        client.close();
    }
    WsClient again(server.port());
    again.send(build_frame({}, 0x00));
    EXPECT_TRUE(parse_response(again.read().value()).tables.empty());
    EXPECT_EQ(server.row_count("g"), 0u);
}

TEST_F(IngressTest, DictionaryGapIsDistinctFromParseError) {
    WsClient client(server.port());
    client.send(build_dictionary_frame(5, {"x"}));
    auto r = parse_response(client.read().value());
    EXPECT_EQ(r.status, 0x0D);
    client.send(build_dictionary_frame(0, {"x"}, 0x01));
    EXPECT_EQ(parse_response(client.read().value()).status, 0x00);
}

TEST(IngressOptions, OversizedFrameIsClosedWith1009) {
    Options options;
    options.recv_buffer_size = 1024;
    Server server(options);
    server.start();
    WsClient client(server.port());
    EXPECT_EQ(client.header("X-QWP-Max-Batch-Size"), "1010");
    SimpleBlock big{"big", {"v"}, {}, {}};
    for (int i = 0; i < 200; ++i)
        big.rows.push_back({i});
    client.send(build_frame({big}));
    EXPECT_FALSE(client.read().has_value());
    EXPECT_EQ(client.close_reason().code, websocket::close_code::too_big);
    EXPECT_EQ(server.row_count("big"), 0u);
}

TEST(IngressOptions, DurableAckFramesFollowOks) {
    Options options;
    options.durable_ack = true;
    options.durable_ack_interval = std::chrono::milliseconds(5);
    Server server(options);
    server.start();
    WsClient client(server.port(), "/write/v4",
                    {{"X-QWP-Max-Version", "1"}, {"X-QWP-Request-Durable-Ack", "TRUE"}});
    ASSERT_EQ(client.header("X-QWP-Durable-Ack"), "enabled");
    client.send(build_frame({one_row("d", 1)}));
    auto ok = parse_response(client.read().value());
    EXPECT_EQ(ok.status, 0x00);
    auto durable = parse_response(client.read().value());
    EXPECT_EQ(durable.status, 0x02);
    EXPECT_EQ(durable.tables.at("d"), 1);

    WsClient not_asked(server.port());
    EXPECT_EQ(not_asked.header("X-QWP-Durable-Ack"), "");
}

TEST(IngressOptions, DurableAckNotOfferedWithoutServerSupport) {
    Server server;
    server.start();
    WsClient client(server.port(), "/write/v4", {{"X-QWP-Request-Durable-Ack", "true"}});
    ASSERT_TRUE(client.upgraded());
    EXPECT_EQ(client.header("X-QWP-Durable-Ack"), "");
}

TEST(IngressOptions, SinkModeAcknowledgesButStoresNoRows) {
    Options options;
    options.sink = true;
    Server server(options);
    server.start();
    WsClient client(server.port());
    client.send(load_hex_fixture("qwp/trades-10rows-replay.hex"));
    auto r = parse_response(client.read().value());
    EXPECT_EQ(r.status, 0x00);
    EXPECT_EQ(r.tables.at("trades"), 1);
    EXPECT_EQ(server.row_count("trades"), 10u);
    EXPECT_TRUE(server.table("trades").rows().empty());
}

// Sink mode decodes without keeping values, yet refuses exactly what a storing server refuses,
// with the same status and message.
TEST(IngressOptions, SinkModeRejectsExactlyWhatStoringModeRejects) {
    auto shortened = [](std::vector<std::uint8_t> frame) {
        frame.pop_back();  // a payload cut short, with a consistent payload_length
        const auto len = static_cast<std::uint32_t>(frame.size() - 12);
        std::memcpy(frame.data() + 8, &len, 4);
        return frame;
    };
    const auto fixture = load_hex_fixture("qwp/trades-10rows-replay.hex");
    auto mistyped = build_frame({one_row("t", 2)});
    mistyped[18] = 0x07;  // column "v" as DOUBLE after it was created as LONG
    auto bad_utf8 = fixture;
    bad_utf8[15] = 0xFF;  // first byte of the first delta dictionary entry ("SYM_000")
    const std::vector<std::vector<std::uint8_t>> frames{
        build_dictionary_frame(5, {"x"}),  // dictionary gap: the connection holds no symbols
        shortened(fixture),
        build_frame({one_row("t", 1)}),
        mistyped,
        bad_utf8,
        fixture,
    };
    std::vector<IngressResponse> answers[2];
    for (const bool sink : {false, true}) {
        Options options;
        options.sink = sink;
        Server server(options);
        server.start();
        WsClient client(server.port());
        ASSERT_TRUE(client.upgraded());
        for (const auto& frame : frames) {
            client.send(frame);
            answers[sink].push_back(parse_response(client.read().value()));
        }
        EXPECT_EQ(server.row_count("t"), 1u);
        EXPECT_EQ(server.row_count("trades"), 10u);
    }
    ASSERT_EQ(answers[0].size(), frames.size());
    EXPECT_EQ(answers[0][0].status, 0x0D);
    EXPECT_EQ(answers[0][1].status, 0x05);
    EXPECT_EQ(answers[0][2].status, 0x00);
    EXPECT_EQ(answers[0][3].status, 0x03);
    EXPECT_EQ(answers[0][4].status, 0x05);
    EXPECT_EQ(answers[0][5].status, 0x00);
    for (std::size_t i = 0; i < frames.size(); ++i) {
        EXPECT_EQ(answers[1][i].status, answers[0][i].status) << "frame " << i;
        EXPECT_EQ(answers[1][i].message, answers[0][i].message) << "frame " << i;
    }
}

TEST(IngressAuth, BasicAndBearerAreCheckedAtTheUpgrade) {
    Options options;
    options.basic_user = "admin";
    options.basic_password = "quest";
    options.token = "tok3n";
    Server server(options);
    server.start();
    WsClient none(server.port());
    EXPECT_EQ(none.response().result_int(), 401u);
    WsClient wrong(server.port(), "/write/v4", {{"Authorization", "Basic YWRtaW46d3Jvbmc="}});
    EXPECT_EQ(wrong.response().result_int(), 401u);
    WsClient basic(server.port(), "/write/v4", {{"Authorization", "Basic YWRtaW46cXVlc3Q="}});
    EXPECT_TRUE(basic.upgraded());
    WsClient bearer(server.port(), "/write/v4", {{"Authorization", "Bearer tok3n"}});
    EXPECT_TRUE(bearer.upgraded());
    EXPECT_TRUE(wait_for([&] { return server.ingress_connections() == 2; }));
}

}  // namespace
}  // namespace questdb::test_server
