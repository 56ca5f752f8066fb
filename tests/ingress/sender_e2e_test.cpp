// Ingress conformance through the public API against the in-tree QuestDB test server: the
// advertised batch size caps every frame, a split group cut midway is resent whole, and a
// running sender never gives up because time has passed. Checklist items on each test.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include "pool/pool_e2e_support.hpp"
#include "questdb/db.hpp"
#include "questdb/error.hpp"
#include "support/wait_for.hpp"

namespace {

using namespace std::chrono_literals;
using questdb::Error;
using questdb::ErrorCode;
using questdb::QuestDb;
using questdb::ingress::AckLevel;
using questdb::test::expect_rows;
using questdb::test::flush_rows;

struct SenderE2E : questdb::test::PoolE2E {};

constexpr const char* kFastRetry =
    "reconnect_initial_backoff_millis=5;reconnect_max_backoff_millis=20;";

// H3: the server advertises X-QWP-Max-Batch-Size 4096 -> no ingress frame exceeds 4096 bytes,
// and the split batch commits every row once.
TEST_F(SenderE2E, TheAdvertisedBatchSizeCapsEveryFrame) {
    server.faults().set_advertised_max_batch_size(4096);
    auto db = QuestDb::connect(conf());
    auto sender = db.borrow_column_sender();
    flush_rows(sender, "capped", 0, 2000);
    sender.wait(AckLevel::ok, 10s);
    expect_rows(server, "capped", 2000);
    const auto payloads = server.ingress_payloads();
    ASSERT_GT(payloads.size(), 3u) << "2000 rows fit 4096 bytes only when split";
    for (std::size_t i = 0; i < payloads.size(); ++i) {
        EXPECT_LE(payloads[i].size(), 4096u) << "frame " << i;
    }
}

// G19, G25: the connection drops after the server answered the first 2 frames of a deferred
// group. Their OKs were no commit, the server rolled their rows back, so the sender must
// resend the whole group: every row arrives, none twice.
TEST_F(SenderE2E, ASplitGroupCutMidwayIsResentWhole) {
    server.faults().set_advertised_max_batch_size(4096);
    server.faults().drop_after_frames(2);
    auto db = QuestDb::connect(conf(kFastRetry));
    auto sender = db.borrow_column_sender();
    flush_rows(sender, "group", 0, 2000);
    ASSERT_GT(*sender.published_fsn(), 2) << "the batch must split into more than 2 frames";
    sender.wait(AckLevel::ok, 10s);
    expect_rows(server, "group", 2000);  // no duplicates allowed
    EXPECT_EQ(server.ingress_connections(), 2u);
}

// G10, G25: a running sender keeps retrying past reconnect_max_duration_millis (that key
// bounds only the initial connect); a wait that sees no progress is retryable, not terminal.
TEST_F(SenderE2E, ARunningSenderNeverGivesUpBecauseTimePassed) {
    auto db = QuestDb::connect(conf(std::string("reconnect_max_duration_millis=50;") + kFastRetry));
    auto sender = db.borrow_column_sender();
    flush_rows(sender, "patient", 0, 10);
    sender.wait(AckLevel::ok, 10s);
    server.stop();
    flush_rows(sender, "patient", 10, 10);
    try {
        sender.wait(AckLevel::ok, 300ms);  // six times reconnect_max_duration_millis
        FAIL() << "acknowledged with the server down";
    } catch (const Error& e) {
        EXPECT_EQ(e.error_code(), ErrorCode::failover_retry) << e.what();
        EXPECT_TRUE(e.retryable());
    }
    EXPECT_FALSE(sender.must_close());
    server.start();
    sender.wait(AckLevel::ok, 10s);
    expect_rows(server, "patient", 20);
}

// G22: closing the pool drains an unacknowledged sender for up to
// close_flush_timeout_millis (5000 by default): it waits while acks are held back and
// returns as soon as they come, well before the timeout.
TEST_F(SenderE2E, CloseWaitsForOutstandingAcknowledgements) {
    server.faults().stall_acks(true);
    auto db = QuestDb::connect(conf());
    {
        auto sender = db.borrow_column_sender();
        flush_rows(sender, "closing", 0, 10);
    }
    std::atomic<bool> closed{false};
    std::thread closer([&] {
        db.close();
        closed = true;
    });
    EXPECT_FALSE(questdb::test::wait_for([&] { return closed.load(); }, 300ms))
        << "close returned with the frame unacknowledged";
    server.faults().stall_acks(false);
    EXPECT_TRUE(questdb::test::wait_for([&] { return closed.load(); }, 4s))
        << "close kept waiting after the acknowledgement";
    closer.join();
    expect_rows(server, "closing", 10);
}

// G22: close_flush_timeout_millis=0 skips the drain.
TEST_F(SenderE2E, ZeroCloseFlushTimeoutSkipsTheDrain) {
    server.faults().stall_acks(true);
    auto db = QuestDb::connect(conf("close_flush_timeout_millis=0;"));
    {
        auto sender = db.borrow_column_sender();
        flush_rows(sender, "skipped", 0, 10);
    }
    std::atomic<bool> closed{false};
    std::thread closer([&] {
        db.close();
        closed = true;
    });
    EXPECT_TRUE(questdb::test::wait_for([&] { return closed.load(); }, 4s))
        << "close waited although close_flush_timeout_millis=0";
    closer.join();
    server.faults().stall_acks(false);
}

}  // namespace
