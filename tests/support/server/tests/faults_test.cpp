// Each fault hook of the test server does what it says.

#include <gtest/gtest.h>

#include <thread>

#include "questdb/test_server/server.hpp"
#include "support/wait_for.hpp"
#include "ws_client.hpp"

namespace questdb::test_server {
namespace {

using namespace testing;
using questdb::test::wait_for;

class FaultTest : public ::testing::Test {
  protected:
    void SetUp() override { server.start(); }
    Server server;
};

TEST_F(FaultTest, RefuseUpgradeWithRoleHeaders) {
    server.faults().refuse_upgrades(
        421, {{"X-QuestDB-Role", "REPLICA"}, {"X-QuestDB-Zone", "eu-1"}}, "not primary", 1);
    WsClient refused(server.port());
    EXPECT_FALSE(refused.upgraded());
    EXPECT_EQ(refused.response().result_int(), 421u);
    EXPECT_EQ(std::string(refused.response()["X-QuestDB-Role"]), "REPLICA");
    EXPECT_EQ(std::string(refused.response()["X-QuestDB-Zone"]), "eu-1");
    WsClient accepted(server.port());  // the fault was for one upgrade only
    EXPECT_TRUE(accepted.upgraded());
}

TEST_F(FaultTest, RefuseUpgradeWithAnyStatus) {
    server.faults().refuse_upgrades(503, {}, {}, 2);
    EXPECT_EQ(WsClient(server.port()).response().result_int(), 503u);
    EXPECT_EQ(WsClient(server.port(), "/read/v1").response().result_int(), 503u);
    server.faults().refuse_upgrades(403, {}, {}, 1);
    EXPECT_EQ(WsClient(server.port()).response().result_int(), 403u);
}

TEST_F(FaultTest, AdvertisedMaxBatchSizeAndForcedVersion) {
    server.faults().set_advertised_max_batch_size(4096);
    server.faults().force_qwp_version(2);
    WsClient client(server.port());
    EXPECT_EQ(client.header("X-QWP-Max-Batch-Size"), "4096");
    EXPECT_EQ(client.header("X-QWP-Version"), "2");
    server.faults().set_advertised_max_batch_size(0);
    EXPECT_EQ(WsClient(server.port()).header("X-QWP-Max-Batch-Size"), "");
}

TEST_F(FaultTest, DropAfterFramesClosesAbruptlyAfterAnsweringThem) {
    server.faults().drop_after_frames(2);
    WsClient client(server.port());
    client.send(build_frame({one_row("t", 1)}));
    client.send(build_frame({one_row("t", 2)}));
    EXPECT_EQ(parse_response(client.read().value()).sequence, 0);
    EXPECT_EQ(parse_response(client.read().value()).sequence, 1);
    EXPECT_FALSE(client.read().has_value());
    EXPECT_NE(client.error(), websocket::error::closed);  // no Close handshake: abrupt
    WsClient next(server.port());  // one-shot: the next connection is not dropped
    next.send(build_frame({one_row("t", 3)}));
    next.send(build_frame({one_row("t", 4)}));
    next.send(build_frame({one_row("t", 5)}));
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(parse_response(next.read().value()).status, 0);
    EXPECT_EQ(server.row_count("t"), 5u);
}

TEST_F(FaultTest, DropMidFrameLosesThatFrame) {
    server.faults().drop_mid_frame(1);
    WsClient client(server.port());
    client.send(build_frame({one_row("t", 1)}));
    EXPECT_EQ(parse_response(client.read().value()).status, 0);
    SimpleBlock big{"t", {"v"}, {}, {}};
    for (int i = 0; i < 5000; ++i)
        big.rows.push_back({i});
    (void)client.try_send(build_frame({big}));  // may fail when the server already closed
    EXPECT_FALSE(client.read().has_value());
    EXPECT_EQ(server.row_count("t"), 1u);
}

TEST_F(FaultTest, StalledAcksAreReleased) {
    server.faults().stall_acks(true);
    WsClient client(server.port());
    client.send(build_frame({one_row("t", 1)}));
    // The frame is committed although its OK is held back.
    ASSERT_TRUE(server.wait_for_rows("t", 1));
    std::optional<std::vector<std::uint8_t>> reply;
    std::thread reader([&] { reply = client.read(); });
    EXPECT_FALSE(wait_for([&] { return reply.has_value(); }, std::chrono::milliseconds(100)));
    server.faults().stall_acks(false);
    reader.join();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(parse_response(*reply).status, 0);
}

TEST_F(FaultTest, DelayedAcksArriveAfterTheDelay) {
    server.faults().delay_acks(std::chrono::milliseconds(150));
    WsClient client(server.port());
    const auto start = std::chrono::steady_clock::now();
    client.send(build_frame({one_row("t", 1)}));
    EXPECT_EQ(parse_response(client.read().value()).status, 0);
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(150));
}

TEST_F(FaultTest, AnswerFrameWithChosenStatus) {
    server.faults().answer_frame(1, Status::write_error, "table busy");
    WsClient client(server.port());
    for (int i = 0; i < 3; ++i)
        client.send(build_frame({one_row("t", i)}));
    auto r0 = parse_response(client.read().value());
    auto r1 = parse_response(client.read().value());
    auto r2 = parse_response(client.read().value());
    EXPECT_EQ(r0.status, 0x00);
    EXPECT_EQ(r1.status, 0x09);
    EXPECT_EQ(r1.sequence, 1);
    EXPECT_EQ(r1.message, "table busy");
    EXPECT_EQ(r2.status, 0x00);
    EXPECT_EQ(server.row_count("t"), 2u);
}

TEST_F(FaultTest, InjectedDictionaryGapForgetsTheDictionary) {
    server.faults().dictionary_gap_at(1);
    WsClient client(server.port());
    client.send(build_dictionary_frame(0, {"a", "b"}, 0x01));
    EXPECT_EQ(parse_response(client.read().value()).status, 0x00);
    client.send(build_dictionary_frame(2, {"c"}, 0x01));
    EXPECT_EQ(parse_response(client.read().value()).status, 0x0D);
    // The server lost ids 0..1, so continuing at id 2 is now a real gap.
    client.send(build_dictionary_frame(2, {"c"}, 0x01));
    EXPECT_EQ(parse_response(client.read().value()).status, 0x0D);
    client.send(build_dictionary_frame(0, {"a", "b", "c"}, 0x01));
    EXPECT_EQ(parse_response(client.read().value()).status, 0x00);
}

TEST_F(FaultTest, StalledDurableAcksHoldOnlyDurableFrames) {
    Options options;
    options.durable_ack = true;
    options.durable_ack_interval = std::chrono::milliseconds(5);
    Server durable(options);
    durable.start();
    durable.faults().stall_durable_acks(true);
    WsClient client(durable.port(), "/write/v4", {{"X-QWP-Request-Durable-Ack", "true"}});
    client.send(build_frame({one_row("t", 1)}));
    EXPECT_EQ(parse_response(client.read().value()).status, 0x00);
    std::optional<std::vector<std::uint8_t>> reply;
    std::thread reader([&] { reply = client.read(); });
    EXPECT_FALSE(wait_for([&] { return reply.has_value(); }, std::chrono::milliseconds(100)));
    durable.faults().stall_durable_acks(false);
    reader.join();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(parse_response(*reply).status, 0x02);
}

TEST_F(FaultTest, SlowReadsDelayEachFrame) {
    server.faults().slow_reads(std::chrono::milliseconds(50));
    // Before the upgrade: the server's first delay starts as soon as the session does, which
    // may be before the client returns from its constructor (seen 0.6 ms short of 150 ms).
    const auto start = std::chrono::steady_clock::now();
    WsClient client(server.port());
    for (int i = 0; i < 3; ++i)
        client.send(build_frame({one_row("t", i)}));
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(parse_response(client.read().value()).status, 0);
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(150));
}

TEST_F(FaultTest, RestartKeepsOrLosesRowsOnTheSamePort) {
    const auto port = server.port();
    {
        WsClient client(server.port());
        client.send(build_frame({one_row("t", 1)}));
        EXPECT_EQ(parse_response(client.read().value()).status, 0);
        server.restart(true);
        EXPECT_FALSE(client.read().has_value());  // the old connection died with the server
    }
    EXPECT_EQ(server.port(), port);
    EXPECT_EQ(server.row_count("t"), 1u);
    WsClient after(server.port());
    after.send(build_frame({one_row("t", 2)}));
    auto r = parse_response(after.read().value());
    EXPECT_EQ(r.sequence, 0);  // a new connection starts at wire sequence 0
    EXPECT_EQ(r.tables.at("t"), 2);
    server.restart(false);
    EXPECT_EQ(server.port(), port);
    EXPECT_FALSE(server.table("t").exists());
}

TEST_F(FaultTest, StopRefusesConnections) {
    server.stop();
    EXPECT_THROW(WsClient(server.port()), boost::system::system_error);
    server.start();
    EXPECT_TRUE(WsClient(server.port()).upgraded());
}

TEST_F(FaultTest, ClearResetsEveryFault) {
    server.faults().refuse_upgrades(503);
    server.faults().clear();
    EXPECT_TRUE(WsClient(server.port()).upgraded());
}

TEST_F(FaultTest, ConcurrentClientsAllCommit) {
    constexpr int kClients = 4;
    constexpr int kFrames = 25;
    std::vector<std::thread> threads;
    for (int c = 0; c < kClients; ++c) {
        threads.emplace_back([&, c] {
            WsClient client(server.port());
            for (int i = 0; i < kFrames; ++i) {
                client.send(build_frame({one_row("t" + std::to_string(c % 2), i)}));
            }
            for (int i = 0; i < kFrames; ++i) {
                auto r = parse_response(client.read().value());
                EXPECT_EQ(r.status, 0);
                EXPECT_EQ(r.sequence, i);
            }
        });
    }
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(server.row_count("t0") + server.row_count("t1"), std::size_t{kClients * kFrames});
    EXPECT_EQ(server.table("t0").seq_txn(), 2 * kFrames);
}

}  // namespace
}  // namespace questdb::test_server
