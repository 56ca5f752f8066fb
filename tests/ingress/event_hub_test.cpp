// The pool's event hub without sockets: success classification, drop-oldest with exact
// counts, close delivering what is queued, offers after close counted as dropped, throwing
// callbacks counted, and a hub destroyed from its own callback.

#include "ingress/event_hub.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "support/wait_for.hpp"

namespace {

using namespace std::chrono_literals;
using questdb::ingress::ConnectionEvent;
using questdb::ingress::EventHub;
using questdb::ingress::RejectionEvent;
using Kind = questdb::ingress::ConnectionEventKind;
using questdb::test::wait_for;

const questdb::ws::Endpoint kA{"10.0.0.1", 9000};
const questdb::ws::Endpoint kB{"10.0.0.2", 9001};
const questdb::detail::Failure kRefused{questdb::ErrorCode::socket_error, "refused", false};

questdb::ws::ConnectOutcome outcome(questdb::ws::Verdict verdict,
                                    questdb::detail::Failure failure) {
    questdb::ws::ConnectOutcome out;
    out.verdict = verdict;
    out.failure = std::move(failure);
    return out;
}

struct Seen {
    std::mutex mutex;
    std::vector<ConnectionEvent> events;
    void add(const ConnectionEvent& e) {
        std::lock_guard lock(mutex);
        events.push_back(e);
    }
    std::vector<ConnectionEvent> get() {
        std::lock_guard lock(mutex);
        return events;
    }
};

TEST(EventHub, ClassifiesConnectedReconnectedAndFailedOver) {
    Seen seen;
    EventHub hub([&](const ConnectionEvent& e) { seen.add(e); }, 64, {}, 16);
    hub.connect_succeeded(kA);  // connected
    hub.connect_succeeded(kA);  // pool growth: nothing
    hub.disconnected(kA);
    hub.connect_succeeded(kA);  // reconnected
    hub.connect_succeeded(kB);  // failed_over from A
    hub.close();
    const auto events = seen.get();
    ASSERT_EQ(events.size(), 4u);
    EXPECT_EQ(events[0].kind, Kind::connected);
    EXPECT_EQ(events[1].kind, Kind::disconnected);
    EXPECT_EQ(events[2].kind, Kind::reconnected);
    EXPECT_EQ(events[3].kind, Kind::failed_over);
    EXPECT_EQ(events[3].endpoint(), "10.0.0.2:9001");
    EXPECT_EQ(events[3].previous_host, "10.0.0.1");
    EXPECT_EQ(events[3].previous_port, 9000);
    EXPECT_EQ(hub.counters().connection_events_delivered, 4u);
}

TEST(EventHub, AFullInboxDropsTheOldestAndCountsEachDrop) {
    std::mutex mutex;
    std::condition_variable cv;
    bool entered = false;
    bool open = false;
    Seen seen;
    EventHub hub(
        [&](const ConnectionEvent& e) {
            seen.add(e);
            std::unique_lock lock(mutex);
            if (!entered) {
                entered = true;
                cv.notify_all();
                cv.wait(lock, [&] { return open; });
            }
        },
        3, {}, 16);
    hub.attempt_failed(kA, kRefused);  // attempt 1: the dispatcher takes it and blocks
    {
        std::unique_lock lock(mutex);
        ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return entered; }));
    }
    for (int i = 0; i < 10; ++i) {
        hub.attempt_failed(kA, kRefused);  // attempts 2..11 into an inbox of 3
    }
    EXPECT_EQ(hub.counters().connection_events_dropped, 7u);
    {
        std::lock_guard lock(mutex);
        open = true;
    }
    cv.notify_all();
    ASSERT_TRUE(wait_for([&] { return hub.counters().connection_events_delivered == 4; }));
    const auto events = seen.get();
    ASSERT_EQ(events.size(), 4u);
    EXPECT_EQ(events[0].attempt, 1u);
    EXPECT_EQ(events[1].attempt, 9u) << "the newest three are kept";
    EXPECT_EQ(events[2].attempt, 10u);
    EXPECT_EQ(events[3].attempt, 11u);
    EXPECT_EQ(events[1].cause_code, questdb::ErrorCode::socket_error);
    EXPECT_EQ(events[1].cause_message, "refused");
}

TEST(EventHub, CloseDeliversWhatIsQueuedAndLaterOffersAreDropped) {
    Seen seen;
    std::vector<questdb::ingress::Rejection> rejections;
    EventHub hub([&](const ConnectionEvent& e) { seen.add(e); }, 64,
                 [&](const questdb::ingress::Rejection& r) { rejections.push_back(r); }, 16);
    for (int i = 0; i < 20; ++i) {
        hub.attempt_failed(kA, kRefused);
    }
    hub.rejected(RejectionEvent{0x05, "PARSE_ERROR", "bad frame", 7, true, "10.0.0.1:9000"});
    hub.close();
    EXPECT_EQ(seen.get().size(), 20u);
    ASSERT_EQ(rejections.size(), 1u);  // safe: the dispatcher was joined
    EXPECT_EQ(rejections[0].code, questdb::ErrorCode::server_parse_error);
    EXPECT_EQ(rejections[0].fsn, 7);
    hub.all_endpoints_unreachable(kRefused);
    hub.rejected(RejectionEvent{});
    const auto counters = hub.counters();
    EXPECT_EQ(counters.connection_events_dropped, 1u);
    EXPECT_EQ(counters.rejections_dropped, 1u);
    EXPECT_EQ(counters.rejections_delivered, 1u);
}

TEST(EventHub, AThrowingCallbackIsCountedAndTheNextEventStillArrives) {
    Seen seen;
    EventHub hub(
        [&](const ConnectionEvent& e) {
            seen.add(e);
            throw std::runtime_error("bug");
        },
        64, [](const questdb::ingress::Rejection&) { throw 42; }, 16);
    hub.attempt_failed(kA, kRefused);
    hub.rejected(RejectionEvent{});
    hub.attempt_failed(kA, kRefused);
    hub.close();
    EXPECT_EQ(seen.get().size(), 2u);
    EXPECT_EQ(hub.counters().callback_exceptions, 3u);
}

TEST(EventHub, ABlockingWalkReportsEachAttempt) {
    Seen seen;
    EventHub hub([&](const ConnectionEvent& e) { seen.add(e); }, 64, {}, 16);
    questdb::ws::WalkReport failed_then_connected;
    failed_then_connected.attempts.push_back(
        {0, kA, outcome(questdb::ws::Verdict::transient, kRefused)});
    failed_then_connected.attempts.push_back({1, kB, questdb::ws::ConnectOutcome{}});
    failed_then_connected.connected = 1;
    hub.walked(failed_then_connected);
    questdb::ws::WalkReport all_failed;
    all_failed.attempts.push_back({0, kA, outcome(questdb::ws::Verdict::transient, kRefused)});
    hub.walked(all_failed);
    questdb::ws::WalkReport refused_credentials;
    refused_credentials.attempts.push_back(
        {0, kA,
         outcome(questdb::ws::Verdict::terminal,
                 questdb::detail::Failure{questdb::ErrorCode::auth_error, "401", false})});
    hub.walked(refused_credentials);
    hub.close();
    std::vector<Kind> kinds;
    for (const auto& e : seen.get())
        kinds.push_back(e.kind);
    EXPECT_EQ(kinds, (std::vector<Kind>{Kind::endpoint_attempt_failed, Kind::connected,
                                        Kind::endpoint_attempt_failed,
                                        Kind::all_endpoints_unreachable, Kind::auth_failed}));
}

TEST(EventHub, ConcurrentClosesJoinOnceAndACallbackMayCloseItsOwnHub) {
    std::atomic<bool> closed_inside{false};
    std::unique_ptr<EventHub> hub;
    hub = std::make_unique<EventHub>(
        [&](const ConnectionEvent&) {
            hub->close();  // returns at once on the dispatcher thread
            closed_inside = true;
        },
        64, nullptr, 16);
    hub->connect_succeeded(kA);
    ASSERT_TRUE(wait_for([&] { return closed_inside.load(); }));
    std::thread a([&] { hub->close(); });
    std::thread b([&] { hub->close(); });
    a.join();
    b.join();
    hub->disconnected(kA);
    EXPECT_EQ(hub->counters().connection_events_dropped, 1u) << "closed: refused";
}

TEST(EventHub, DestroyedFromItsOwnCallbackDoesNotDeadlock) {
    // The callback drops the last reference (as a callback dropping the last pool handle
    // would), once the emitting thread has let go of its own.
    std::shared_ptr<EventHub> last_reference;
    std::atomic<bool> emitter_released{false};
    std::atomic<bool> done{false};
    auto hub = std::make_shared<EventHub>(
        [&](const ConnectionEvent&) {
            ASSERT_TRUE(wait_for([&] { return emitter_released.load(); }));
            last_reference.reset();  // ~EventHub on the dispatcher thread
            done = true;
        },
        64, nullptr, 16);
    last_reference = hub;
    hub->connect_succeeded(kA);
    hub.reset();
    emitter_released = true;
    EXPECT_TRUE(wait_for([&] { return done.load(); }));
}

}  // namespace
