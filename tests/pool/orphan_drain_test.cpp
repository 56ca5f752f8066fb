// Orphan adoption through the pool (store-and-forward/concepts.md, "Orphan adoption"): slots
// left with unacknowledged frames by an earlier process are delivered by background drainers
// of the next pool, removed when done, and marked `.failed` (data kept) when they cannot be.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "pool_e2e_support.hpp"
#include "questdb/db.hpp"
#include "support/wait_for.hpp"

namespace {

using namespace std::chrono_literals;
using questdb::QuestDb;
using questdb::ingress::AckLevel;
using questdb::test::expect_rows;
using questdb::test::flush_rows;
namespace ts = questdb::test_server;
namespace fs = std::filesystem;

bool has_segments(const fs::path& slot) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(slot, ec)) {
        if (entry.path().extension() == ".sfa") {
            return true;
        }
    }
    return false;
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

struct OrphanDrain : ::testing::Test {
    ts::Server server;
    fs::path dir;

    void SetUp() override {
        server.start();
        dir = fs::temp_directory_path() /
              ("questdb-orphans-" + std::to_string(::getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir);
    }
    void TearDown() override { fs::remove_all(dir); }

    std::string conf(const std::string& extra) const {
        return "ws::addr=" + server.address() + ";sf_dir=" + dir.string() +
               ";reconnect_initial_backoff_millis=10;reconnect_max_backoff_millis=50;" + extra;
    }

    /// Leaves `senders` slots of pool `sender_id`, each holding `rows` unacknowledged rows of
    /// table `<table><i>`, as a process that could never reach the server would.
    void leave_unsent_slots(const std::string& sender_id, std::size_t senders,
                            const std::string& table, std::size_t rows) {
        server.stop();
        {
            auto db = QuestDb::connect(conf("sender_id=" + sender_id +
                                            ";initial_connect_retry=async;"
                                            "close_flush_timeout_millis=0;sender_pool_max=" +
                                            std::to_string(senders) + ";"));
            std::vector<questdb::ingress::SfColumnSender> borrowed;
            for (std::size_t i = 0; i < senders; ++i) {
                borrowed.push_back(db.borrow_column_sender());
                flush_rows(borrowed.back(), table + std::to_string(i), 0, rows);
            }
        }
        server.start();
    }
};

TEST_F(OrphanDrain, APoolDeliversItsOwnSlotsLeftByALargerPool) {
    leave_unsent_slots("app", 3, "own", 40);
    ASSERT_TRUE(has_segments(dir / "app-ingest-2"));
    auto db = QuestDb::connect(conf("sender_id=app;sender_pool_max=1;"));
    auto sender = db.borrow_column_sender();  // slot 0 replays itself; 1 and 2 are drained
    sender.wait(AckLevel::ok, 10s);
    for (const char* table : {"own1", "own2"}) {
        ASSERT_TRUE(questdb::test::wait_for([&] { return server.row_count(table) >= 40; }, 10s))
            << table;
    }
    for (const char* table : {"own0", "own1", "own2"}) {
        expect_rows(server, table, 40);
    }
    ASSERT_TRUE(questdb::test::wait_for(
        [&] { return !fs::exists(dir / "app-ingest-1") && !fs::exists(dir / "app-ingest-2"); },
        10s))
        << "a drained slot is removed";
    EXPECT_TRUE(fs::exists(dir / "app-ingest-0")) << "the live sender's slot stays";
}

TEST_F(OrphanDrain, ForeignSlotsAreDrainedOnlyWithDrainOrphansOn) {
    leave_unsent_slots("other", 1, "foreign", 25);
    {
        auto db = QuestDb::connect(conf("sender_id=app;"));
        auto sender = db.borrow_column_sender();
        flush_rows(sender, "mine", 0, 10);
        sender.wait(AckLevel::ok, 10s);
    }
    EXPECT_EQ(server.row_count("foreign0"), 0u) << "drain_orphans is off by default";
    EXPECT_TRUE(has_segments(dir / "other-ingest-0"));

    auto db = QuestDb::connect(conf("sender_id=app;drain_orphans=on;max_background_drainers=1;"));
    auto sender = db.borrow_column_sender();
    ASSERT_TRUE(questdb::test::wait_for([&] { return !fs::exists(dir / "other-ingest-0"); }, 10s));
    expect_rows(server, "foreign0", 25);
}

TEST_F(OrphanDrain, TheSenderTakesItsSlotBackFromADrainer) {
    leave_unsent_slots("app", 2, "back", 30);
    server.faults().stall_acks(true);  // keeps the drain of slot 1 busy
    auto db = QuestDb::connect(conf("sender_id=app;sender_pool_max=2;"));
    auto first = db.borrow_column_sender();
    ASSERT_TRUE(questdb::test::wait_for([&] { return server.ingress_connections() >= 2; }, 10s))
        << "the drain of slot 1 did not connect";
    auto second = db.borrow_column_sender();  // slot 1: reclaimed from its drainer
    server.faults().stall_acks(false);
    first.wait(AckLevel::ok, 10s);
    second.wait(AckLevel::ok, 10s);
    expect_rows(server, "back0", 30);
    expect_rows(server, "back1", 30, /*allow_duplicates=*/true);
    EXPECT_TRUE(fs::exists(dir / "app-ingest-1")) << "the live sender owns slot 1 again";
}

TEST_F(OrphanDrain, ASlotThatCannotBeDeliveredIsMarkedFailedAndKeepsItsData) {
    leave_unsent_slots("app", 2, "bad", 10);
    // Every connection's first frame is rejected as terminal; only the drain sends frames.
    server.faults().answer_frame(1, ts::Status::schema_mismatch, "column id is STRING", 1000);
    auto db = QuestDb::connect(conf("sender_id=app;sender_pool_max=1;"));
    try {
        auto sender = db.borrow_column_sender();  // slot 0's own replay is rejected too
        sender.wait(AckLevel::ok, 5s);
    } catch (const questdb::Error&) {
        // expected: slot 0 replays its frames on the borrowing sender and is rejected
    }
    const auto marker = dir / "app-ingest-1" / ".failed";
    ASSERT_TRUE(questdb::test::wait_for([&] { return fs::exists(marker); }, 10s));
    EXPECT_NE(read_file(marker).find("column id is STRING"), std::string::npos)
        << read_file(marker);
    EXPECT_TRUE(has_segments(dir / "app-ingest-1")) << "a failed slot keeps its frames";
    EXPECT_EQ(server.row_count("bad1"), 0u);
}

// The drains start with the pool's first borrow even when that borrow fails on the server's
// side: here the server is down, so the borrow's initial connect fails at once (retry off). Once
// the server is back, slot 1 is delivered by its drainer; slot 0 stays for the next borrow.
TEST_F(OrphanDrain, ABorrowThatCannotConnectStillStartsTheDrains) {
    leave_unsent_slots("app", 2, "later", 10);
    server.stop();
    auto db =
        QuestDb::connect(conf("sender_id=app;sender_pool_max=1;initial_connect_retry=off;"
                              "close_flush_timeout_millis=120000;"));
    const auto borrowed_at = std::chrono::steady_clock::now();
    EXPECT_THROW((void)db.borrow_column_sender(), questdb::Error);
    // The failed borrow's sender does not wait for acks of its recovered frames: no connection
    // can bring them, and they stay on disk anyway.
    EXPECT_LT(std::chrono::steady_clock::now() - borrowed_at, 60s)
        << "a borrow that cannot connect waited close_flush_timeout_millis";
    server.start();
    ASSERT_TRUE(questdb::test::wait_for([&] { return !fs::exists(dir / "app-ingest-1"); }, 10s))
        << "slot 1 was not drained";
    expect_rows(server, "later1", 10);
    EXPECT_EQ(server.row_count("later0"), 0u) << "slot 0 belongs to the pool's borrows";
    EXPECT_TRUE(has_segments(dir / "app-ingest-0"));
    auto sender = db.borrow_column_sender();
    sender.wait(AckLevel::ok, 10s);
    expect_rows(server, "later0", 10);
}

/// Collects what a pool's handlers receive, for tests that wait on it.
struct HandlerLog {
    std::mutex mutex;
    std::vector<questdb::ingress::ConnectionEvent> events;
    std::vector<questdb::ingress::Rejection> rejections;

    questdb::ConnectHandlers handlers() {
        questdb::ConnectHandlers h;
        h.connection_listener = [this](const questdb::ingress::ConnectionEvent& e) {
            std::lock_guard lock(mutex);
            events.push_back(e);
        };
        h.error_handler = [this](const questdb::ingress::Rejection& r) {
            std::lock_guard lock(mutex);
            rejections.push_back(r);
        };
        return h;
    }
    std::size_t count(questdb::ingress::ConnectionEventKind kind) {
        std::lock_guard lock(mutex);
        return static_cast<std::size_t>(std::count_if(
            events.begin(), events.end(), [&](const auto& e) { return e.kind == kind; }));
    }
};

// A drainer is a sender of the pool like any other: its connection losses reach the
// listener, and what the server rejects from its slot reaches the error handler.
TEST_F(OrphanDrain, DrainersReportToThePoolsHandlers) {
    leave_unsent_slots("app", 2, "heard", 20);
    server.faults().stall_acks(true);  // keeps the drain of slot 1 connected and busy
    HandlerLog log;
    auto db =
        QuestDb::connect_with_handlers(conf("sender_id=app;sender_pool_max=1;"), log.handlers());
    auto sender = db.borrow_column_sender();
    ASSERT_TRUE(questdb::test::wait_for([&] { return server.ingress_connections() >= 2; }, 10s))
        << "the drain of slot 1 did not connect";
    server.restart();         // drops both connections: the borrowed sender's and the drainer's
    server.faults().clear();  // only now: released acks could let the drain finish first
    ASSERT_TRUE(questdb::test::wait_for(
        [&] { return log.count(questdb::ingress::ConnectionEventKind::disconnected) >= 2; }, 10s))
        << "one disconnected event per lost connection, the drainer's included; got "
        << log.count(questdb::ingress::ConnectionEventKind::disconnected);
    sender.wait(AckLevel::ok, 10s);
    ASSERT_TRUE(questdb::test::wait_for([&] { return !fs::exists(dir / "app-ingest-1"); }, 10s));
    expect_rows(server, "heard1", 20, /*allow_duplicates=*/true);
}

// reconnect_max_duration_millis bounds a drain that is connected and never acknowledged:
// the slot is marked `.failed` with that reason and keeps its frames.
TEST_F(OrphanDrain, ADrainConnectedWithoutAcksPastItsBudgetIsMarkedFailed) {
    leave_unsent_slots("app", 2, "mute", 10);
    server.faults().stall_acks(true);
    auto db = QuestDb::connect(
        conf("sender_id=app;sender_pool_max=1;reconnect_max_duration_millis=200;"));
    auto sender = db.borrow_column_sender();
    const auto marker = dir / "app-ingest-1" / ".failed";
    ASSERT_TRUE(questdb::test::wait_for([&] { return fs::exists(marker); }, 10s));
    EXPECT_NE(read_file(marker).find("no acknowledgement"), std::string::npos) << read_file(marker);
    EXPECT_TRUE(has_segments(dir / "app-ingest-1"));
    server.faults().clear();
}

// An outage is not the slot's fault: a drain that cannot connect for longer than
// reconnect_max_duration_millis keeps retrying, marks nothing, and delivers once the
// server is back.
TEST_F(OrphanDrain, ADrainRetriesThroughAnOutageLongerThanItsBudget) {
    leave_unsent_slots("app", 2, "outage", 10);
    server.stop();
    constexpr auto kBudget = 100ms;
    HandlerLog log;
    auto db = QuestDb::connect_with_handlers(
        conf("sender_id=app;sender_pool_max=1;initial_connect_retry=off;"
             "reconnect_max_duration_millis=" +
             std::to_string(kBudget.count()) + ";"),
        log.handlers());
    const auto started = std::chrono::steady_clock::now();
    EXPECT_THROW((void)db.borrow_column_sender(), questdb::Error);
    // Condition: the drain has been failing to connect for well past its budget.
    ASSERT_TRUE(questdb::test::wait_for(
        [&] {
            return std::chrono::steady_clock::now() - started > 5 * kBudget &&
                   log.count(questdb::ingress::ConnectionEventKind::endpoint_attempt_failed) >= 5;
        },
        10s));
    EXPECT_FALSE(fs::exists(dir / "app-ingest-1" / ".failed"))
        << read_file(dir / "app-ingest-1" / ".failed");
    server.start();
    ASSERT_TRUE(questdb::test::wait_for([&] { return !fs::exists(dir / "app-ingest-1"); }, 10s))
        << "the drain did not deliver after the outage";
    expect_rows(server, "outage1", 10);
}

TEST_F(OrphanDrain, RejectionsOfADrainReachTheErrorHandler) {
    leave_unsent_slots("other", 1, "refused", 10);
    server.faults().answer_frame(1, ts::Status::schema_mismatch, "column id is STRING", 1000);
    HandlerLog log;
    auto db =
        QuestDb::connect_with_handlers(conf("sender_id=app;drain_orphans=on;"), log.handlers());
    auto sender = db.borrow_column_sender();  // sends nothing: only the drain has frames
    ASSERT_TRUE(questdb::test::wait_for([&] {
        std::lock_guard lock(log.mutex);
        return !log.rejections.empty();
    }));
    std::lock_guard lock(log.mutex);
    EXPECT_EQ(log.rejections[0].status_name, "SCHEMA_MISMATCH");
    EXPECT_NE(log.rejections[0].message.find("column id is STRING"), std::string::npos)
        << log.rejections[0].message;
    EXPECT_FALSE(sender.poll_qwp_ws_error().has_value()) << "the borrowed sender was not rejected";
}

}  // namespace
