// QuestDb::connect_with_handlers end to end (checklist G24): the connection listener sees
// connected / disconnected / reconnected / failed_over / endpoint_attempt_failed /
// all_endpoints_unreachable / auth_failed, the error handler sees server rejections (and
// poll_qwp_ws_error() still does), callbacks run on the pool's dispatcher thread, a slow
// callback drops the oldest events without holding up flush(), and a throwing one does not
// stop later events.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "pool_e2e_support.hpp"
#include "questdb/db.hpp"
#include "questdb/ingress/connection_event.hpp"
#include "questdb/test_server/server.hpp"
#include "support/wait_for.hpp"

namespace {

using namespace std::chrono_literals;
using questdb::ConnectHandlers;
using questdb::Error;
using questdb::ErrorCode;
using questdb::QuestDb;
using questdb::ingress::AckLevel;
using questdb::ingress::ConnectionEvent;
using questdb::ingress::Rejection;
using Kind = questdb::ingress::ConnectionEventKind;
namespace ts = questdb::test_server;
using questdb::test::flush_rows;
using questdb::test::PoolE2E;
using questdb::test::wait_for;

/// Collects what the callbacks receive, and on which threads.
struct Recorder {
    std::mutex mutex;
    std::vector<ConnectionEvent> events;
    std::vector<Rejection> rejections;
    std::vector<std::thread::id> threads;

    ConnectHandlers handlers() {
        ConnectHandlers h;
        h.connection_listener = [this](const ConnectionEvent& e) {
            std::lock_guard lock(mutex);
            events.push_back(e);
            threads.push_back(std::this_thread::get_id());
        };
        h.error_handler = [this](const Rejection& r) {
            std::lock_guard lock(mutex);
            rejections.push_back(r);
            threads.push_back(std::this_thread::get_id());
        };
        return h;
    }
    std::vector<ConnectionEvent> snapshot() {
        std::lock_guard lock(mutex);
        return events;
    }
    std::vector<Kind> kinds() {
        std::vector<Kind> out;
        for (const auto& e : snapshot())
            out.push_back(e.kind);
        return out;
    }
    std::size_t count(Kind kind) {
        const auto k = kinds();
        return static_cast<std::size_t>(std::count(k.begin(), k.end(), kind));
    }
    /// The first event of `kind`, waiting up to 10 s for it.
    std::optional<ConnectionEvent> await(Kind kind) {
        std::optional<ConnectionEvent> found;
        wait_for([&] {
            for (const auto& e : snapshot()) {
                if (e.kind == kind) {
                    found = e;
                    return true;
                }
            }
            return false;
        });
        return found;
    }
};

std::string kinds_text(const std::vector<Kind>& kinds) {
    std::string out;
    for (auto k : kinds)
        out += std::string(questdb::ingress::to_string(k)) + " ";
    return out;
}

/// An address where nothing listens (a server's port, after it stopped).
std::string dead_address() {
    ts::Server dead;
    dead.start();
    auto address = dead.address();
    dead.stop();
    return address;
}

constexpr const char* kFastRetry =
    "reconnect_initial_backoff_millis=5;reconnect_max_backoff_millis=20;";

TEST_F(PoolE2E, ConnectedFiresOnceOnTheFirstBorrowOnTheDispatcherThread) {
    Recorder rec;
    auto db = QuestDb::connect_with_handlers(conf(), rec.handlers());
    EXPECT_TRUE(rec.snapshot().empty()) << "connect opens nothing, so nothing happened yet";
    {
        auto first = db.borrow_column_sender();
        auto second = db.borrow_column_sender();  // pool growth: same endpoint, no failure
        const auto connected = rec.await(Kind::connected);
        ASSERT_TRUE(connected) << kinds_text(rec.kinds());
        EXPECT_EQ(connected->endpoint(), server.address());
        EXPECT_FALSE(connected->cause_code);
        EXPECT_GT(connected->timestamp_ms, 0);
    }
    db.close();  // delivers what is queued, joins the dispatcher
    EXPECT_EQ(rec.kinds(), std::vector<Kind>{Kind::connected});
    std::lock_guard lock(rec.mutex);
    for (auto id : rec.threads) {
        EXPECT_NE(id, std::this_thread::get_id()) << "callbacks run on the dispatcher thread";
    }
    EXPECT_EQ(db.stats().connection_events_delivered, 1u);
    EXPECT_EQ(db.stats().connection_events_dropped, 0u);
}

TEST_F(PoolE2E, AServerRestartFiresDisconnectedThenReconnected) {
    Recorder rec;
    auto db = QuestDb::connect_with_handlers(conf(kFastRetry), rec.handlers());
    auto sender = db.borrow_column_sender();
    flush_rows(sender, "restart", 0, 10);
    sender.wait(AckLevel::ok, 10s);
    ASSERT_TRUE(rec.await(Kind::connected));
    server.restart(true);
    flush_rows(sender, "restart", 10, 10);
    sender.wait(AckLevel::ok, 20s);
    const auto reconnected = rec.await(Kind::reconnected);
    ASSERT_TRUE(reconnected) << kinds_text(rec.kinds());
    EXPECT_EQ(reconnected->endpoint(), server.address());
    const auto kinds = rec.kinds();
    const auto disconnected = std::find(kinds.begin(), kinds.end(), Kind::disconnected);
    const auto again = std::find(kinds.begin(), kinds.end(), Kind::reconnected);
    ASSERT_NE(disconnected, kinds.end()) << kinds_text(kinds);
    EXPECT_LT(disconnected, again) << kinds_text(kinds);
    EXPECT_EQ(kinds.front(), Kind::connected) << kinds_text(kinds);
}

TEST_F(PoolE2E, LosingTheFirstAddressFiresFailedOverToTheSecond) {
    ts::Server second;
    second.start();
    Recorder rec;
    auto db = QuestDb::connect_with_handlers(
        "ws::addr=" + server.address() + "," + second.address() + ";" + kFastRetry, rec.handlers());
    auto sender = db.borrow_column_sender();
    ASSERT_TRUE(rec.await(Kind::connected));
    server.stop();
    flush_rows(sender, "fo", 0, 10);
    sender.wait(AckLevel::ok, 20s);
    const auto failed_over = rec.await(Kind::failed_over);
    ASSERT_TRUE(failed_over) << kinds_text(rec.kinds());
    EXPECT_EQ(failed_over->endpoint(), second.address());
    EXPECT_EQ(failed_over->previous_host + ":" + std::to_string(failed_over->previous_port),
              server.address());
    const auto kinds = rec.kinds();
    EXPECT_LT(std::find(kinds.begin(), kinds.end(), Kind::disconnected),
              std::find(kinds.begin(), kinds.end(), Kind::failed_over))
        << kinds_text(kinds);
    EXPECT_EQ(rec.count(Kind::reconnected), 0u) << "failed_over and reconnected exclude each other";
}

TEST_F(PoolE2E, ADeadFirstAddressFiresEndpointAttemptFailedThenConnected) {
    const auto dead = dead_address();
    Recorder rec;
    auto db = QuestDb::connect_with_handlers("ws::addr=" + dead + "," + server.address() + ";",
                                             rec.handlers());
    auto sender = db.borrow_column_sender();
    const auto connected = rec.await(Kind::connected);
    ASSERT_TRUE(connected);
    EXPECT_EQ(connected->endpoint(), server.address());
    const auto failed = rec.await(Kind::endpoint_attempt_failed);
    ASSERT_TRUE(failed);
    EXPECT_EQ(failed->endpoint(), dead);
    EXPECT_EQ(failed->attempt, 1u);
    ASSERT_TRUE(failed->cause_code);
    EXPECT_EQ(*failed->cause_code, ErrorCode::socket_error) << failed->cause_message;
    EXPECT_NE(failed->cause_message.find(dead), std::string::npos) << failed->cause_message;
    EXPECT_EQ(rec.kinds().front(), Kind::endpoint_attempt_failed);
}

TEST_F(PoolE2E, NoServerFiresAllEndpointsUnreachable) {
    server.stop();
    Recorder rec;
    auto db = QuestDb::connect_with_handlers(conf(), rec.handlers());
    EXPECT_THROW(auto sender = db.borrow_column_sender(), Error);
    const auto unreachable = rec.await(Kind::all_endpoints_unreachable);
    ASSERT_TRUE(unreachable) << kinds_text(rec.kinds());
    EXPECT_TRUE(unreachable->host.empty());
    ASSERT_TRUE(unreachable->cause_code);
    EXPECT_EQ(*unreachable->cause_code, ErrorCode::socket_error);
    EXPECT_GE(rec.count(Kind::endpoint_attempt_failed), 1u);
}

// G24's own test: with initial_connect_retry=async the borrow returns before the upgrade, so
// a 401 would otherwise only surface at the next producer call.
TEST_F(PoolE2E, AnAsyncAuthFailureFiresAuthFailedBeforeTheNextAppend) {
    ts::Options options;
    options.basic_user = "admin";
    options.basic_password = "quest";
    ts::Server secured(options);
    secured.start();
    Recorder rec;
    auto db = QuestDb::connect_with_handlers(
        "ws::addr=" + secured.address() +
            ";username=admin;password=wrong-secret;initial_connect_retry=async;",
        rec.handlers());
    auto sender = db.borrow_column_sender();
    const auto auth = rec.await(Kind::auth_failed);
    ASSERT_TRUE(auth) << kinds_text(rec.kinds());
    EXPECT_EQ(auth->endpoint(), secured.address());
    ASSERT_TRUE(auth->cause_code);
    EXPECT_EQ(*auth->cause_code, ErrorCode::auth_error);
    EXPECT_EQ(auth->cause_message.find("wrong-secret"), std::string::npos) << auth->cause_message;
    EXPECT_TRUE(auth->attempt);
    EXPECT_TRUE(sender.must_close()) << "auth failure is terminal";
    try {
        flush_rows(sender, "auth", 0, 1);
        FAIL() << "append after a terminal auth failure";
    } catch (const Error& e) {
        EXPECT_EQ(e.error_code(), ErrorCode::auth_error) << e.what();
    }
    EXPECT_EQ(rec.count(Kind::endpoint_attempt_failed), 0u) << "401 is not walked past";
}

TEST_F(PoolE2E, TheErrorHandlerReceivesAServerRejectionAndPollStillSeesIt) {
    Recorder rec;
    auto db = QuestDb::connect_with_handlers(conf(), rec.handlers());
    auto sender = db.borrow_column_sender();
    server.faults().answer_frame(1, ts::Status::schema_mismatch, "column px is LONG");
    flush_rows(sender, "rej", 0, 10);
    flush_rows(sender, "rej", 10, 10);
    EXPECT_THROW(sender.wait(AckLevel::ok, 10s), Error);
    ASSERT_TRUE(wait_for([&] {
        std::lock_guard lock(rec.mutex);
        return !rec.rejections.empty();
    }));
    Rejection handled;
    {
        std::lock_guard lock(rec.mutex);
        handled = rec.rejections.front();
        EXPECT_NE(rec.threads.back(), std::this_thread::get_id());
    }
    EXPECT_EQ(handled.status, 0x03);
    EXPECT_EQ(handled.code, ErrorCode::server_schema_mismatch);
    EXPECT_EQ(handled.message, "column px is LONG");
    EXPECT_EQ(handled.fsn, 1);
    EXPECT_TRUE(handled.terminal);
    EXPECT_EQ(handled.endpoint, server.address());
    const auto polled = sender.poll_qwp_ws_error();
    ASSERT_TRUE(polled) << "the handler does not consume the sender's own inbox";
    EXPECT_EQ(polled->message, handled.message);
    EXPECT_EQ(polled->fsn, handled.fsn);
    // The dispatcher counts a delivery once the callback has returned, which can be after
    // the test saw the callback's effect.
    EXPECT_TRUE(wait_for([&] { return db.stats().rejection_events_delivered == 1u; }))
        << db.stats().rejection_events_delivered;
}

/// A gate a callback can block on until the test opens it.
struct Latch {
    std::mutex mutex;
    std::condition_variable cv;
    bool open = false;
    bool entered = false;
    void block() {
        std::unique_lock lock(mutex);
        entered = true;
        cv.notify_all();
        cv.wait(lock, [this] { return open; });
    }
    void release() {
        {
            std::lock_guard lock(mutex);
            open = true;
        }
        cv.notify_all();
    }
    bool has_entered() {
        std::lock_guard lock(mutex);
        return entered;
    }
};

TEST_F(PoolE2E, ASlowListenerDropsTheOldestEventsAndFlushIsUnaffected) {
    server.stop();  // every connect attempt fails: a steady stream of events
    Latch latch;
    std::atomic<bool> blocked_once{false};
    std::atomic<std::uint64_t> held_attempt{0};
    Recorder rec;
    auto handlers = rec.handlers();
    handlers.connection_event_inbox_capacity = 2;
    // Blocks in the first endpoint_attempt_failed it is given (earlier ones may already have
    // been dropped: the inbox holds two).
    handlers.connection_listener = [&, record =
                                           handlers.connection_listener](const ConnectionEvent& e) {
        record(e);
        if (e.attempt && !blocked_once.exchange(true)) {
            held_attempt = *e.attempt;
            latch.block();
        }
    };
    auto db = QuestDb::connect_with_handlers(
        conf(std::string(kFastRetry) + "initial_connect_retry=async;"), handlers);
    auto sender = db.borrow_column_sender();
    ASSERT_TRUE(wait_for([&] { return latch.has_entered(); }));
    const auto dropped_before = db.stats().connection_events_dropped;
    ASSERT_TRUE(wait_for([&] {
        return db.stats().connection_events_dropped >= dropped_before + 4;
    })) << "dropped "
        << db.stats().connection_events_dropped;
    // The listener is still blocked: flushing only appends to the queue.
    for (int i = 0; i < 5; ++i)
        flush_rows(sender, "slow", i * 10, 10);
    EXPECT_EQ(sender.published_fsn(), 4u);
    const auto seen_while_blocked = rec.snapshot().size();
    latch.release();
    ASSERT_TRUE(wait_for([&] { return rec.snapshot().size() >= seen_while_blocked + 2; }));
    // The oldest were dropped: the next attempt delivered skips the ones right after the held
    // one (at least four events, two of them attempts, were discarded).
    const auto events = rec.snapshot();
    for (std::size_t i = seen_while_blocked; i < events.size(); ++i) {
        if (events[i].attempt) {
            EXPECT_GE(*events[i].attempt, held_attempt.load() + 2) << kinds_text(rec.kinds());
            break;
        }
    }
    server.restart(true);
    sender.wait(AckLevel::ok, 20s);
    EXPECT_EQ(server.row_count("slow"), 50u);
}

TEST_F(PoolE2E, AThrowingCallbackDoesNotStopLaterEvents) {
    const auto dead = dead_address();
    Recorder rec;
    auto handlers = rec.handlers();
    handlers.connection_listener = [record =
                                        handlers.connection_listener](const ConnectionEvent& e) {
        record(e);
        throw std::runtime_error("listener bug");
    };
    auto db =
        QuestDb::connect_with_handlers("ws::addr=" + dead + "," + server.address() + ";", handlers);
    auto sender = db.borrow_column_sender();
    ASSERT_TRUE(rec.await(Kind::connected)) << "delivered after the first callback threw";
    EXPECT_GE(rec.count(Kind::endpoint_attempt_failed), 1u);
    ASSERT_TRUE(wait_for([&] { return db.stats().handler_exceptions >= 2; }));
    flush_rows(sender, "throw", 0, 10);
    sender.wait(AckLevel::ok, 10s);
    EXPECT_EQ(server.row_count("throw"), 10u);
}

TEST_F(PoolE2E, WithoutHandlersNothingIsCounted) {
    auto db = QuestDb::connect(conf());
    auto sender = db.borrow_column_sender();
    flush_rows(sender, "plain", 0, 10);
    sender.wait(AckLevel::ok, 10s);
    const auto stats = db.stats();
    EXPECT_EQ(stats.connection_events_delivered, 0u);
    EXPECT_EQ(stats.rejection_events_delivered, 0u);
    EXPECT_EQ(stats.connection_events_dropped, 0u);
}

}  // namespace
