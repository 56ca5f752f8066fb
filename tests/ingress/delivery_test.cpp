// The ingress delivery loop against scripted WebSocket servers: the endpoint walk, replay
// order after a reconnect, deferred and durable acknowledgement, and the frame cap. Each
// scripted node answers the upgrade byte for byte, so the cases the QuestDB test server
// cannot produce (no X-QWP-Version, a Close 1000, an OK for a sequence never sent) are
// covered too. Checklist items are named on each test.

#include "ingress/delivery.hpp"

#include <gtest/gtest.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "ingress/server_response.hpp"
#include "ingress/sf_sender_core.hpp"
#include "questdb/conf.hpp"
#include "sf/frame_queue.hpp"
#include "support/wait_for.hpp"
#include "ws/ws_test_server.hpp"

namespace {

using namespace std::chrono_literals;
using boost::asio::ip::tcp;
using questdb::ErrorCode;
using questdb::ingress::DeliveryLoop;
using questdb::ingress::DeliveryOptions;
using questdb::ingress::ServerResponse;
using questdb::ingress::TableTxn;
using questdb::test::wait_for;
namespace t = questdb::test::ws;
namespace sf = questdb::sf;

using Frame = std::vector<std::uint8_t>;
constexpr const char* kVersion1 = "X-QWP-Version: 1\r\n";

/// A QWP ingress frame whose 1-byte payload `marker` identifies it in the server's log.
Frame qwp_frame(char marker, std::uint8_t flags = 0, std::size_t padding = 0) {
    const auto payload = static_cast<std::uint32_t>(1 + padding);
    Frame f{'Q', 'W', 'P', '1', 1, flags, 1, 0};
    for (int i = 0; i < 4; ++i) {
        f.push_back(static_cast<std::uint8_t>(payload >> (8 * i)));
    }
    f.push_back(static_cast<std::uint8_t>(marker));
    f.resize(f.size() + padding, 0);
    return f;
}

/// One scripted endpoint: `script(socket, n)` runs for its n-th accepted connection.
struct Node {
    using Script = std::function<void(tcp::socket&, int connection)>;
    explicit Node(Script s)
        : server([this, s = std::move(s)](tcp::socket& socket) { s(socket, connections++); }) {}
    [[nodiscard]] questdb::ws::Endpoint endpoint() const { return {"127.0.0.1", server.port()}; }
    std::atomic<int> connections{0};
    t::ScriptServer server;
};

/// Answers the upgrade with 101 and `extra` header lines.
void accept_upgrade(tcp::socket& s, const std::string& extra = kVersion1) {
    const auto request = t::read_request(s);
    t::write_all(s, t::switching_protocols(request, extra));
}

/// Refuses the upgrade with `status` and `extra` header lines.
void refuse_upgrade(tcp::socket& s, unsigned status, const std::string& extra = "") {
    (void)t::read_request(s);
    t::write_all(s, t::http_response(status, "Refused", extra));
    t::wait_for_eof(s);
}

/// The next data message from the client (pings and pongs skipped).
std::string next_message(tcp::socket& s, std::string& pending) {
    for (;;) {
        auto frame = t::read_client_frame(s, pending);
        if (frame.opcode == 0x1 || frame.opcode == 0x2) {
            return frame.payload;
        }
        if (frame.opcode == 0x8) {
            throw std::runtime_error("client closed");
        }
    }
}

/// The marker byte of a frame made by qwp_frame(), or '?' for anything else.
char marker_of(const std::string& message) {
    return message.size() > 12 ? message[12] : '?';
}

void reply(tcp::socket& s, const ServerResponse& response) {
    std::vector<std::uint8_t> bytes;
    questdb::ingress::encode_server_response(response, bytes);
    t::write_all(s, t::server_frame(0x2, std::string(bytes.begin(), bytes.end())));
}

ServerResponse ok(std::int64_t sequence, std::vector<TableTxn> tables = {}) {
    ServerResponse r;
    r.status = 0x00;
    r.sequence = sequence;
    r.tables = std::move(tables);
    return r;
}

ServerResponse durable_ack(std::vector<TableTxn> tables) {
    ServerResponse r;
    r.status = 0x02;
    r.tables = std::move(tables);
    return r;
}

/// Ends the connection cleanly from the server side (FIN, after every frame was read).
void hang_up(tcp::socket& s) {
    boost::system::error_code ignored;
    s.shutdown(tcp::socket::shutdown_send, ignored);
    t::wait_for_eof(s);
}

/// A thread-safe log of what the scripts saw.
struct Log {
    void add(std::string entry) {
        std::lock_guard lock(mutex);
        entries.push_back(std::move(entry));
    }
    std::vector<std::string> snapshot() const {
        std::lock_guard lock(mutex);
        return entries;
    }
    mutable std::mutex mutex;
    std::vector<std::string> entries;
};

struct Harness {
    explicit Harness(std::vector<questdb::ws::Endpoint> endpoints,
                     questdb::ingress::CatchUpSource catch_up = {})
        : queue(std::move(sf::MemoryQueue::open()).value()) {
        options.endpoints = std::move(endpoints);
        options.connection.connect_timeout = 5s;
        options.connection.auth_timeout = 5s;
        options.backoff_initial = 5ms;
        options.backoff_max = 20ms;
        source = std::move(catch_up);
    }
    void append(const Frame& frame) {
        const std::span<const std::uint8_t> one[] = {frame};
        ASSERT_TRUE(queue->append_group(one, std::chrono::steady_clock::now() + 1s).ok());
    }
    DeliveryLoop& start() {
        loop = std::make_unique<DeliveryLoop>(options, *queue, source);
        loop->start();
        return *loop;
    }
    questdb::detail::Status first_walk() {
        return loop->await_connection(std::chrono::steady_clock::now() + 10s, /*retry=*/false);
    }
    DeliveryOptions options;
    questdb::ingress::CatchUpSource source;
    std::unique_ptr<sf::MemoryQueue> queue;
    std::unique_ptr<DeliveryLoop> loop;  // declared last: stopped before the queue goes
};

// G16, G17: after a reconnect the catch-up frames go first, then every unacknowledged frame
// from the watermark in the original order; the acknowledged frame is never replayed.
TEST(Delivery, ReplayAfterReconnectSendsTheCatchUpThenUnackedFramesInOrder) {
    Log log;
    Node node([&](tcp::socket& s, int n) {
        accept_upgrade(s);
        std::string pending;
        if (n == 0) {
            for (int i = 0; i < 5; ++i)
                log.add("0:" + std::string(1, marker_of(next_message(s, pending))));
            reply(s, ok(2));  // cumulative: both catch-up frames and frame 'a'
            hang_up(s);
            return;
        }
        for (int i = 0; i < 4; ++i)
            log.add("1:" + std::string(1, marker_of(next_message(s, pending))));
        reply(s, ok(3));
        t::wait_for_eof(s);
    });
    Harness h({node.endpoint()}, [](std::size_t, std::vector<std::vector<std::uint8_t>>& out) {
        out.push_back(qwp_frame('x', 0x09));
        out.push_back(qwp_frame('y', 0x09));
    });
    h.append(qwp_frame('a'));
    h.append(qwp_frame('b'));
    h.append(qwp_frame('c'));
    auto& loop = h.start();
    ASSERT_TRUE(wait_for([&] { return loop.ok_fsn() == 2; }, 10s)) << "ok_fsn " << loop.ok_fsn();
    const std::vector<std::string> expected{"0:x", "0:y", "0:a", "0:b", "0:c",
                                            "1:x", "1:y", "1:b", "1:c"};
    EXPECT_EQ(log.snapshot(), expected);
    EXPECT_EQ(h.queue->acked_fsn(), 2);
    EXPECT_EQ(loop.connections(), 2u);
    EXPECT_FALSE(loop.terminal());
}

// G14, H4: at most 128 frames in flight. With 130 frames queued, the server takes 128 and
// then pings: the only thing the client may send next is the Pong, because the 129th frame
// must wait for an answer. (A client without the cap would have written frames 129 and 130
// right behind the 128th, ahead of any Pong.) One OK releases exactly one more frame.
TEST(Delivery, TheHundredAndTwentyNinthFrameWaitsForAnAnswer) {
    constexpr int kFrames = 130;
    std::atomic<int> violations{0};
    std::atomic<int> after_first_ok{-1};
    Node node([&](tcp::socket& s, int) {
        accept_upgrade(s);
        std::string pending;
        for (int i = 0; i < 128; ++i) {
            (void)next_message(s, pending);
        }
        t::write_all(s, t::server_frame(0x9, "cap?"));
        const auto next = t::read_client_frame(s, pending);
        if (next.opcode != 0xA || next.payload != "cap?") {
            ++violations;
        }
        reply(s, ok(0));
        after_first_ok = static_cast<unsigned char>(marker_of(next_message(s, pending)));
        reply(s, ok(128));
        (void)next_message(s, pending);
        reply(s, ok(kFrames - 1));
        t::wait_for_eof(s);
    });
    Harness h({node.endpoint()});
    ASSERT_EQ(h.options.max_in_flight, 128u) << "the protocol's limit is the default";
    for (int i = 0; i < kFrames; ++i) {
        h.append(qwp_frame(static_cast<char>(i)));
    }
    auto& loop = h.start();
    ASSERT_TRUE(wait_for([&] { return loop.ok_fsn() == kFrames - 1; }, 10s))
        << "ok_fsn " << loop.ok_fsn();
    EXPECT_EQ(violations.load(), 0) << "a data frame beyond the cap went ahead of the Pong";
    EXPECT_EQ(after_first_ok.load(), 128) << "one OK releases the 129th frame, in order";
    EXPECT_FALSE(loop.terminal());
}

// G19, Z12: an OK for a deferred frame is not a commit: nothing is trimmed, and after a
// disconnect the whole group is sent again.
TEST(Delivery, OksOnDeferredFramesTrimNothingAndTheWholeGroupIsResent) {
    Log log;
    std::atomic<std::int64_t> acked_when_replayed{-100};
    // Published through an atomic: the script thread learns of it only through a socket,
    // which gives ThreadSanitizer no happens-before edge.
    std::atomic<sf::MemoryQueue*> queue{nullptr};
    Node node([&](tcp::socket& s, int n) {
        accept_upgrade(s);
        std::string pending;
        for (int i = 0; i < 3; ++i) {
            log.add(std::to_string(n) + ":" + marker_of(next_message(s, pending)));
        }
        if (n == 0) {
            reply(s, ok(0));
            reply(s, ok(1));
            hang_up(s);
            return;
        }
        acked_when_replayed = queue.load()->acked_fsn();
        reply(s, ok(2));
        t::wait_for_eof(s);
    });
    Harness h({node.endpoint()});
    queue = h.queue.get();
    const Frame a = qwp_frame('a', 0x01), b = qwp_frame('b', 0x01), c = qwp_frame('c');
    const std::span<const std::uint8_t> group[] = {a, b, c};
    ASSERT_TRUE(h.queue->append_group(group, std::chrono::steady_clock::now() + 1s).ok());
    auto& loop = h.start();
    ASSERT_TRUE(wait_for([&] { return loop.ok_fsn() == 2; }, 10s)) << "ok_fsn " << loop.ok_fsn();
    const std::vector<std::string> expected{"0:a", "0:b", "0:c", "1:a", "1:b", "1:c"};
    EXPECT_EQ(log.snapshot(), expected);
    EXPECT_EQ(acked_when_replayed.load(), -1) << "a deferred OK trimmed the queue";
    EXPECT_EQ(h.queue->acked_fsn(), 2);
}

// G13: a Close with NORMAL_CLOSURE (1000) is reconnect-eligible, not an end of the sender.
TEST(Delivery, ANormalClosureReconnectsAndReplays) {
    Node node([&](tcp::socket& s, int n) {
        accept_upgrade(s);
        std::string pending;
        (void)next_message(s, pending);
        if (n == 0) {
            t::write_all(s, t::server_frame(0x8, std::string("\x03\xE8", 2)));
            t::wait_for_eof(s);
            return;
        }
        reply(s, ok(0));
        t::wait_for_eof(s);
    });
    Harness h({node.endpoint()});
    h.append(qwp_frame('a'));
    auto& loop = h.start();
    ASSERT_TRUE(wait_for([&] { return loop.ok_fsn() == 0; }, 10s));
    EXPECT_EQ(node.connections.load(), 2);
    EXPECT_FALSE(loop.terminal());
}

#if defined(__linux__)
std::set<pid_t> batch_policy_threads() {
    std::set<pid_t> tids;
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
        const auto tid = static_cast<pid_t>(std::stol(task.path().filename().string()));
        if (sched_getscheduler(tid) == SCHED_BATCH)
            tids.insert(tid);
    }
    return tids;
}

// The delivery thread is background work (SCHED_BATCH): the flush() that wakes it must not
// be preempted by it on its own CPU (bench/flush_latency_bench: p99 of a 1,000-row flush
// 96-110 us under the default policy, 33-35 us with this one).
TEST(Delivery, TheDeliveryThreadNeverPreemptsTheThreadThatWakesIt) {
    // By thread id, not by count: an earlier test's delivery thread may still be exiting.
    const std::set<pid_t> before = batch_policy_threads();
    Node node([&](tcp::socket& s, int) {
        accept_upgrade(s);
        t::wait_for_eof(s);
    });
    Harness h({node.endpoint()});
    auto& loop = h.start();
    const auto a_new_one = [&] {
        return std::ranges::any_of(batch_policy_threads(),
                                   [&](pid_t tid) { return !before.contains(tid); });
    };
    ASSERT_TRUE(wait_for(a_new_one, 10s)) << "no new SCHED_BATCH thread after the loop started";
    EXPECT_FALSE(loop.terminal());
    EXPECT_EQ(sched_getscheduler(0), SCHED_OTHER) << "the caller's own policy changed";
}
#endif

// G14: an OK whose sequence names no outstanding frame is a protocol violation: terminal,
// and the loop does not reconnect.
TEST(Delivery, AnOkForASequenceNeverSentIsATerminalProtocolError) {
    Node node([&](tcp::socket& s, int) {
        accept_upgrade(s);
        std::string pending;
        (void)next_message(s, pending);
        reply(s, ok(5));
        t::wait_for_eof(s);
    });
    Harness h({node.endpoint()});
    h.append(qwp_frame('a'));
    auto& loop = h.start();
    ASSERT_TRUE(wait_for([&] { return loop.terminal().has_value(); }, 10s));
    EXPECT_EQ(loop.terminal()->code, ErrorCode::protocol_error);
    EXPECT_NE(loop.terminal()->message.find("sequence 5"), std::string::npos)
        << loop.terminal()->message;
    EXPECT_EQ(loop.ok_fsn(), -1);
    EXPECT_EQ(h.queue->acked_fsn(), -1) << "nothing is trimmed on a protocol violation";
    EXPECT_EQ(node.connections.load(), 1);
}

// G20: with durable acks requested, OKs advance ok_fsn but only the durable ack trims.
TEST(Delivery, DurableModeTrimsOnlyWhenTheDurableWatermarkCoversTheFrame) {
    std::atomic<bool> release{false};
    Node node([&](tcp::socket& s, int) {
        accept_upgrade(s, std::string(kVersion1) + "X-QWP-Durable-Ack: enabled\r\n");
        std::string pending;
        (void)next_message(s, pending);
        reply(s, ok(0, {{"t", 5}}));
        if (!wait_for([&] { return release.load(); }, 10s)) {
            return;
        }
        reply(s, durable_ack({{"t", 4}}));  // behind the frame's seqTxn: not yet durable
        reply(s, durable_ack({{"t", 5}}));
        t::wait_for_eof(s);
    });
    Harness h({node.endpoint()});
    h.options.request_durable_ack = true;
    h.append(qwp_frame('a'));
    auto& loop = h.start();
    ASSERT_TRUE(wait_for([&] { return loop.ok_fsn() == 0; }, 10s));
    EXPECT_EQ(loop.durable_fsn(), -1);
    EXPECT_EQ(h.queue->acked_fsn(), -1) << "an OK trimmed a frame that is not durable yet";
    release = true;
    ASSERT_TRUE(wait_for([&] { return loop.durable_fsn() == 0; }, 10s));
    EXPECT_EQ(h.queue->acked_fsn(), 0);
}

// G11, G20: durable acks requested but the 101 lacks `X-QWP-Durable-Ack: enabled` ->
// terminal mismatch; the walk stops, so the next endpoint is never contacted.
TEST(Delivery, DurableAckNotConfirmedIsTerminalAndStopsTheWalk) {
    Node unconfirmed([](tcp::socket& s, int) {
        accept_upgrade(s);
        t::wait_for_eof(s);
    });
    Node healthy([](tcp::socket& s, int) {
        accept_upgrade(s, std::string(kVersion1) + "X-QWP-Durable-Ack: enabled\r\n");
        t::wait_for_eof(s);
    });
    Harness h({unconfirmed.endpoint(), healthy.endpoint()});
    h.options.request_durable_ack = true;
    h.start();
    const auto status = h.first_walk();
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.failure().code, ErrorCode::server_rejection) << status.failure().message;
    EXPECT_NE(status.failure().message.find("X-QWP-Durable-Ack"), std::string::npos);
    ASSERT_TRUE(h.loop->terminal());
    EXPECT_EQ(healthy.connections.load(), 0);
}

// G11, A8, A10, Z7, Z19, H3: an unresolvable host, a missing or unsupported X-QWP-Version,
// 503, 404, 426 and a 421 role reject each fail only their endpoint; the walk goes on and binds the
// healthy node, whose X-QWP-Max-Batch-Size becomes the frame cap.
TEST(Delivery, TransientUpgradeFailuresMoveTheWalkToTheNextEndpoint) {
    Node no_version([](tcp::socket& s, int) {
        accept_upgrade(s, "");
        t::wait_for_eof(s);
    });
    Node version_2([](tcp::socket& s, int) {
        accept_upgrade(s, "X-QWP-Version: 2\r\n");
        t::wait_for_eof(s);
    });
    Node unavailable([](tcp::socket& s, int) { refuse_upgrade(s, 503); });
    Node not_found([](tcp::socket& s, int) { refuse_upgrade(s, 404); });
    Node upgrade_required([](tcp::socket& s, int) { refuse_upgrade(s, 426); });
    Node replica(
        [](tcp::socket& s, int) { refuse_upgrade(s, 421, "X-QuestDB-Role: REPLICA\r\n"); });
    Node healthy([](tcp::socket& s, int) {
        accept_upgrade(s, std::string(kVersion1) + "X-QWP-Max-Batch-Size: 4096\r\n");
        std::string pending;
        (void)next_message(s, pending);
        reply(s, ok(0));
        t::wait_for_eof(s);
    });
    std::vector<Node*> failing{&no_version, &version_2,        &unavailable,
                               &not_found,  &upgrade_required, &replica};
    // Not a valid host name: the resolver fails locally, without asking DNS.
    std::vector<questdb::ws::Endpoint> endpoints{{"bad host name", 9000}};
    for (auto* node : failing)
        endpoints.push_back(node->endpoint());
    endpoints.push_back(healthy.endpoint());
    Harness h(endpoints);
    h.append(qwp_frame('a'));
    auto& loop = h.start();
    const auto status = h.first_walk();
    ASSERT_TRUE(status.ok()) << status.failure().message;
    ASSERT_TRUE(wait_for([&] { return loop.ok_fsn() == 0; }, 10s));
    for (auto* node : failing)
        EXPECT_EQ(node->connections.load(), 1);
    EXPECT_EQ(healthy.connections.load(), 1);
    EXPECT_EQ(loop.max_frame_bytes(), 4096u);
    EXPECT_FALSE(loop.terminal());
}

// G11, A10, G25: 401 is terminal at once; a later healthy endpoint is never contacted.
TEST(Delivery, AuthRejectionStopsTheWalk) {
    for (unsigned status : {401u, 403u}) {
        Node denied([status](tcp::socket& s, int) { refuse_upgrade(s, status); });
        Node healthy([](tcp::socket& s, int) {
            accept_upgrade(s);
            t::wait_for_eof(s);
        });
        Harness h({denied.endpoint(), healthy.endpoint()});
        h.start();
        const auto result = h.first_walk();
        ASSERT_FALSE(result.ok()) << status;
        EXPECT_EQ(result.failure().code, ErrorCode::auth_error) << result.failure().message;
        EXPECT_TRUE(h.loop->terminal()) << status;
        EXPECT_EQ(healthy.connections.load(), 0) << status;
    }
}

// G11, Z9: every endpoint rejecting the role at first connect is a role mismatch, distinct
// from "unreachable"; the running loop itself keeps retrying (G10: never gives up).
TEST(Delivery, EveryEndpointRejectingTheRoleIsARoleMismatch) {
    auto replica = [](tcp::socket& s, int) {
        refuse_upgrade(s, 421, "X-QuestDB-Role: REPLICA\r\nX-QuestDB-Zone: eu-1\r\n");
    };
    Node first(replica), second(replica);
    Harness h({first.endpoint(), second.endpoint()});
    h.start();
    const auto status = h.first_walk();
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.failure().code, ErrorCode::role_mismatch) << status.failure().message;
    EXPECT_EQ(status.failure().message.find("unreachable"), std::string::npos)
        << status.failure().message;
    EXPECT_NE(status.failure().message.find("REPLICA"), std::string::npos)
        << status.failure().message;
    EXPECT_FALSE(h.loop->terminal()) << "a role reject is not terminal for the running loop";
    EXPECT_TRUE(wait_for([&] { return first.connections.load() >= 2; }, 10s))
        << "the loop stopped retrying";
}

// H3: without X-QWP-Max-Batch-Size the cap falls back to about 1.9 MiB.
TEST(Delivery, WithoutAnAdvertisedBatchSizeTheCapIsTheFallback) {
    Node node([](tcp::socket& s, int) {
        accept_upgrade(s);
        t::wait_for_eof(s);
    });
    Harness h({node.endpoint()});
    h.start();
    ASSERT_TRUE(h.first_walk().ok());
    EXPECT_EQ(h.loop->max_frame_bytes(), 1'992'294u);
}

// G25, H2: a stored frame over the server's cap is never sent (the server would close with
// 1009, and every replay would fail the same way); the sender latches batch_too_large.
TEST(Delivery, AFrameOverTheNegotiatedCapIsTerminalAndNeverSent) {
    std::promise<std::string> received;
    Node node([&](tcp::socket& s, int) {
        accept_upgrade(s, std::string(kVersion1) + "X-QWP-Max-Batch-Size: 64\r\n");
        std::string bytes;
        t::wait_for_eof(s, &bytes);
        received.set_value(bytes);
    });
    Harness h({node.endpoint()});
    h.append(qwp_frame('a', 0, 100));
    auto& loop = h.start();
    ASSERT_TRUE(wait_for([&] { return loop.terminal().has_value(); }, 10s));
    EXPECT_EQ(loop.terminal()->code, ErrorCode::batch_too_large);
    EXPECT_NE(loop.terminal()->message.find("64"), std::string::npos) << loop.terminal()->message;
    EXPECT_EQ(received.get_future().get(), "") << "the oversized frame reached the server";
    EXPECT_EQ(node.connections.load(), 1);
}

// G13, G25: NOT_WRITABLE (0x0C) is retriable on the next endpoint, never terminal; the
// rejection is reported, not swallowed.
TEST(Delivery, NotWritableRotatesToTheNextEndpointAndIsNotTerminal) {
    Node read_only([](tcp::socket& s, int) {
        accept_upgrade(s);
        std::string pending;
        (void)next_message(s, pending);
        ServerResponse refusal;
        refusal.status = 0x0C;
        refusal.sequence = 0;
        refusal.message = "node is read-only";
        reply(s, refusal);
        t::wait_for_eof(s);
    });
    Node writable([](tcp::socket& s, int) {
        accept_upgrade(s);
        std::string pending;
        (void)next_message(s, pending);
        reply(s, ok(0));
        t::wait_for_eof(s);
    });
    Harness h({read_only.endpoint(), writable.endpoint()});
    h.append(qwp_frame('a'));
    auto& loop = h.start();
    ASSERT_TRUE(wait_for([&] { return loop.ok_fsn() == 0; }, 10s));
    EXPECT_FALSE(loop.terminal());
    EXPECT_EQ(read_only.connections.load(), 1);
    EXPECT_EQ(writable.connections.load(), 1);
    const auto event = loop.poll_error();
    ASSERT_TRUE(event);
    EXPECT_EQ(event->status, 0x0C);
    EXPECT_FALSE(event->terminal);
    EXPECT_EQ(event->fsn, 0);
    EXPECT_EQ(event->message, "node is read-only");
}

// wait_for() is woken only when the acknowledged FSN reaches its target, so its no-progress
// timeout must still count from the last advance: OKs 300 ms apart keep a 600 ms wait alive
// although the whole drain takes longer than 600 ms.
TEST(Delivery, WaitForNoProgressTimeoutRestartsOnEveryAdvance) {
    Node node([&](tcp::socket& s, int) {
        accept_upgrade(s);
        std::string pending;
        for (int i = 0; i < 3; ++i) {
            (void)next_message(s, pending);
        }
        for (int i = 0; i < 3; ++i) {
            std::this_thread::sleep_for(300ms);  // pacing under test, not synchronisation
            reply(s, ok(i));
        }
        t::wait_for_eof(s);
    });
    Harness h({node.endpoint()});
    for (char m : {'a', 'b', 'c'}) {
        h.append(qwp_frame(m));
    }
    auto& loop = h.start();
    const auto started = std::chrono::steady_clock::now();
    const auto status = loop.wait_for(questdb::ingress::AckLevel::ok, 2, 600ms);
    EXPECT_TRUE(status.ok()) << status.failure().message;
    EXPECT_EQ(loop.ok_fsn(), 2);
    EXPECT_GE(std::chrono::steady_clock::now() - started, 900ms) << "three paced OKs";
}

// ...and it still fires when the acknowledgements stop short of the target: 400 ms after
// the last advance, with failover_retry, the frames still queued.
TEST(Delivery, WaitForFailsAfterNoProgressSinceTheLastAdvance) {
    Node node([&](tcp::socket& s, int) {
        accept_upgrade(s);
        std::string pending;
        for (int i = 0; i < 3; ++i) {
            (void)next_message(s, pending);
        }
        reply(s, ok(0));
        t::wait_for_eof(s);
    });
    Harness h({node.endpoint()});
    for (char m : {'a', 'b', 'c'}) {
        h.append(qwp_frame(m));
    }
    auto& loop = h.start();
    ASSERT_TRUE(wait_for([&] { return loop.ok_fsn() == 0; }, 10s));
    const auto started = std::chrono::steady_clock::now();
    const auto status = loop.wait_for(questdb::ingress::AckLevel::ok, 2, 400ms);
    const auto waited = std::chrono::steady_clock::now() - started;
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.failure().code, ErrorCode::failover_retry) << status.failure().message;
    EXPECT_GE(waited, 400ms);
    EXPECT_EQ(loop.ok_fsn(), 0);
    EXPECT_EQ(h.queue->published_fsn(), 2) << "nothing is dropped";
    EXPECT_FALSE(loop.terminal());
}

// A1, A7, G20, H6: what a ws:: string puts on the ingress upgrade. Durable acks add the
// request header and the keep-alive PINGs (durable_ack_keepalive_interval_millis).
TEST(DeliveryConfig, ConnectStringBecomesTheIngressUpgrade) {
    using questdb::ingress::SenderCoreOptions;
    const auto header = [](const questdb::ws::ConnectionOptions& c, std::string_view name) {
        for (const auto& h : c.headers) {
            if (h.name == name)
                return std::optional<std::string>(h.value);
        }
        return std::optional<std::string>();
    };
    auto plain = SenderCoreOptions::from_config(
        questdb::conf::Config::parse("ws::addr=a:9000,b:9001;token=tok;"), "default-ingest-0");
    ASSERT_TRUE(plain.ok()) << plain.failure().message;
    const auto& p = plain.value().delivery;
    ASSERT_EQ(p.endpoints.size(), 2u);
    EXPECT_EQ(p.endpoints[1].port, 9001);
    EXPECT_EQ(p.connection.path, "/write/v4");
    EXPECT_EQ(header(p.connection, "X-QWP-Max-Version"), "1");
    EXPECT_EQ(header(p.connection, "X-QWP-Client-Id").value_or("").rfind("questdb-cpp/", 0), 0u);
    EXPECT_FALSE(header(p.connection, "X-QWP-Request-Durable-Ack"));
    EXPECT_EQ(p.connection.ping_interval, 0ms) << "no keep-alive without durable acks";
    EXPECT_EQ(p.connection.credentials.kind, questdb::ws::Credentials::Kind::bearer);
    EXPECT_EQ(p.backoff_initial, 100ms);
    EXPECT_EQ(p.backoff_max, 5000ms);
    EXPECT_EQ(p.max_in_flight, 128u);
    EXPECT_EQ(p.max_frame_rejections, 4u);

    auto durable = SenderCoreOptions::from_config(
        questdb::conf::Config::parse("ws::addr=a;request_durable_ack=on;client_id=app/2;"
                                     "durable_ack_keepalive_interval_millis=150;"),
        "default-ingest-0");
    ASSERT_TRUE(durable.ok()) << durable.failure().message;
    const auto& d = durable.value().delivery;
    EXPECT_TRUE(d.request_durable_ack);
    EXPECT_EQ(header(d.connection, "X-QWP-Request-Durable-Ack"), "true");
    EXPECT_EQ(header(d.connection, "X-QWP-Client-Id"), "app/2");
    EXPECT_EQ(d.connection.ping_interval, 150ms);
}

}  // namespace
