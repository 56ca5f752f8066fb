// QuestDb::flush_arrow_batch is synchronous and goes over a direct connection, not through a
// store-and-forward queue: committed when it returns, one commit group per batch, server
// errors with their message and nothing left behind, timeouts that close the connection
// (in doubt once the committing frame was written), connections reused across calls and
// used from several threads at once.

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "arrow_test_batch.hpp"
#include "questdb/db.hpp"
#include "questdb/test_server/server.hpp"
#include "support/wait_for.hpp"

namespace questdb::arrow::test {
namespace {

namespace ts = questdb::test_server;
using namespace std::chrono_literals;

// `rows` rows: x = first + r (DOUBLE), sym = "s<r % 3>" (SYMBOL), ts in microseconds.
std::unique_ptr<TestBatch> numbered_batch(int rows, int first = 0) {
    std::vector<std::optional<double>> xs;
    std::vector<std::optional<std::int32_t>> codes;
    std::vector<std::optional<std::int64_t>> stamps;
    for (int r = 0; r < rows; ++r) {
        xs.emplace_back(first + r);
        codes.emplace_back(r % 3);
        stamps.emplace_back(1'700'000'000'000'000LL + first + r);
    }
    std::vector<TestColumn> columns;
    columns.push_back(fixed<double>("x", "g", xs));
    columns.push_back(dictionary<std::int32_t>("sym", "i", {"s0", "s1", "s2"}, codes));
    columns.push_back(fixed<std::int64_t>("ts", "tsu:", stamps));
    return std::make_unique<TestBatch>(std::move(columns), rows);
}

struct Direct : ::testing::Test {
    void SetUp() override { server.start(); }
    QuestDb connect(const std::string& extra = "") {
        return QuestDb::connect("ws::addr=" + server.address() + ";" + extra);
    }
    IngestOptions options(std::size_t max_rows = 0, std::uint32_t timeout_ms = 0) {
        IngestOptions o;
        o.max_rows = max_rows;
        o.ack_timeout_ms = timeout_ms;
        return o;
    }
    ts::Server server;
};

TEST_F(Direct, CommittedWhenTheCallReturns) {
    auto db = connect();
    auto batch = numbered_batch(10);
    db.flush_arrow_batch("t", batch->schema(), batch->array(), "ts");
    // No wait: the call returned after the server's OK, so the rows are there.
    const auto table = server.table("t");
    ASSERT_EQ(table.row_count(), 10u);
    EXPECT_EQ(table.rows()[9].at("x"), ts::Value{9.0});
    EXPECT_EQ(table.rows()[4].at("sym"), ts::Value{std::string("s1")});
    const auto stats = db.stats();
    EXPECT_EQ(stats.column_senders.idle + stats.column_senders.in_use, 0u)
        << "no store-and-forward sender is involved";
    EXPECT_EQ(stats.direct_senders.idle, 1u);
    EXPECT_EQ(stats.direct_senders.in_use, 0u);
}

TEST_F(Direct, SlicesCommitAsOneGroup) {
    auto db = connect();
    auto batch = numbered_batch(10);
    db.flush_arrow_batch("t", batch->schema(), batch->array(), "ts", {}, ingress::AckLevel::ok,
                         options(4));
    EXPECT_EQ(server.ingress_frames(), 3u);  // 4 + 4 + 2 rows
    const auto table = server.table("t");
    EXPECT_EQ(table.row_count(), 10u);
    EXPECT_EQ(table.seq_txn(), 1) << "the deferred slices must commit with the last one";
}

TEST_F(Direct, TheConnectionIsReusedAcrossCalls) {
    auto db = connect();
    for (int call = 0; call < 3; ++call) {
        auto batch = numbered_batch(5, call * 5);
        db.flush_arrow_batch("t", batch->schema(), batch->array(), "ts");
    }
    EXPECT_EQ(server.table("t").row_count(), 15u);
    EXPECT_EQ(server.ingress_connections(), 1u);
    EXPECT_EQ(db.stats().direct_senders.idle, 1u);
}

TEST_F(Direct, ServerErrorSurfacesWithItsMessageAndNothingIsQueued) {
    auto db = connect();
    // Frame 2 is the committing (last) slice of the first batch.
    server.faults().answer_frame(2, ts::Status::write_error, "disk says no");
    auto batch = numbered_batch(10);
    try {
        db.flush_arrow_batch("t", batch->schema(), batch->array(), "ts", {}, ingress::AckLevel::ok,
                             options(4));
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::server_write_error) << e.what();
        EXPECT_NE(std::string(e.what()).find("disk says no"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("WRITE_ERROR"), std::string::npos) << e.what();
        EXPECT_FALSE(e.in_doubt()) << "a rejected group is not committed";
    }
    EXPECT_EQ(db.stats().direct_senders.idle, 0u) << "a failed connection is not recycled";
    // The next call succeeds on a new connection; nothing of the rejected batch follows it.
    auto other = numbered_batch(2, 100);
    db.flush_arrow_batch("u", other->schema(), other->array(), "ts");
    EXPECT_EQ(server.table("u").row_count(), 2u);
    EXPECT_FALSE(server.table("t").exists()) << "the rejected batch must not commit later";
    EXPECT_EQ(server.ingress_connections(), 2u);
    EXPECT_EQ(server.ingress_frames(), 4u) << "3 frames of the batch, 1 of the next call";
}

TEST_F(Direct, RejectedDeferredSliceNeverGetsItsCommitSent) {
    auto db = connect();
    server.faults().answer_frame(0, ts::Status::parse_error, "bad slice");
    auto batch = numbered_batch(10);
    try {
        db.flush_arrow_batch("t", batch->schema(), batch->array(), "ts", {}, ingress::AckLevel::ok,
                             options(4));
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::server_parse_error) << e.what();
        EXPECT_NE(std::string(e.what()).find("bad slice"), std::string::npos) << e.what();
        EXPECT_FALSE(e.in_doubt());
    }
    EXPECT_LE(server.ingress_frames(), 2u) << "the committing slice must not be sent";
    EXPECT_FALSE(server.table("t").exists());
}

TEST_F(Direct, NoAnswerTimesOutInDoubtAndNothingIsSentLater) {
    auto db = connect();
    server.faults().stall_acks(true);
    auto batch = numbered_batch(10);
    try {
        db.flush_arrow_batch("t", batch->schema(), batch->array(), "ts", {}, ingress::AckLevel::ok,
                             options(0, 200));
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::failover_retry) << e.what();
        EXPECT_TRUE(e.in_doubt()) << "the committing frame was written: " << e.what();
        EXPECT_NE(std::string(e.what()).find("in doubt"), std::string::npos) << e.what();
    }
    EXPECT_EQ(db.stats().direct_senders.idle, 0u) << "the timed-out connection is closed";
    server.faults().stall_acks(false);
    // A later call opens a fresh connection; the timed-out batch is not re-sent behind the
    // caller's back (no frame beyond the one written before the timeout and the new call's).
    auto other = numbered_batch(1, 50);
    db.flush_arrow_batch("u", other->schema(), other->array(), "ts");
    EXPECT_EQ(server.ingress_connections(), 2u);
    EXPECT_EQ(server.ingress_frames(), 2u);
    EXPECT_EQ(server.table("t").row_count(), 10u) << "committed once (the server did commit it)";
}

TEST_F(Direct, TimeoutBeforeTheCommittingSliceIsNotInDoubt) {
    auto db = connect();
    server.faults().stall_acks(true);
    auto batch = numbered_batch(10);
    try {
        // The deferred slices' answers are awaited before the committing slice is written.
        db.flush_arrow_batch("t", batch->schema(), batch->array(), "ts", {}, ingress::AckLevel::ok,
                             options(4, 200));
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::failover_retry) << e.what();
        EXPECT_FALSE(e.in_doubt()) << e.what();
    }
    server.faults().stall_acks(false);
    auto other = numbered_batch(1, 50);
    db.flush_arrow_batch("u", other->schema(), other->array(), "ts");
    EXPECT_FALSE(server.table("t").exists()) << "the open group rolls back on disconnect";
}

TEST_F(Direct, AConnectionLostMidBatchIsADisconnectedEvent) {
    std::mutex mutex;
    std::vector<ingress::ConnectionEvent> events;
    ConnectHandlers handlers;
    handlers.connection_listener = [&](const ingress::ConnectionEvent& e) {
        std::lock_guard lock(mutex);
        events.push_back(e);
    };
    auto db =
        QuestDb::connect_with_handlers("ws::addr=" + server.address() + ";", std::move(handlers));
    server.faults().drop_mid_frame(0);  // the first frame of the first connection
    auto batch = numbered_batch(10);
    EXPECT_THROW(db.flush_arrow_batch("t", batch->schema(), batch->array(), "ts"), Error);
    db.flush_arrow_batch("t", batch->schema(), batch->array(), "ts");  // a fresh connection
    const auto kinds = [&] {
        std::lock_guard lock(mutex);
        std::vector<ingress::ConnectionEventKind> out;
        for (const auto& e : events)
            out.push_back(e.kind);
        return out;
    };
    using K = ingress::ConnectionEventKind;
    ASSERT_TRUE(questdb::test::wait_for([&] { return kinds().size() >= 3; }))
        << "got " << kinds().size() << " events";
    EXPECT_EQ(kinds(), (std::vector<K>{K::connected, K::disconnected, K::reconnected}));
    std::lock_guard lock(mutex);
    EXPECT_EQ(events[1].port, server.port());
}

TEST_F(Direct, UnreachableServerFailsTheCallNotInDoubt) {
    const std::string address = server.address();
    server.stop();
    auto db = QuestDb::connect("ws::addr=" + address + ";");
    auto batch = numbered_batch(3);
    try {
        db.flush_arrow_batch("t", batch->schema(), batch->array(), "ts");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_FALSE(e.in_doubt()) << e.what();
        EXPECT_NE(std::string(e.what()).find(address), std::string::npos) << e.what();
    }
}

TEST_F(Direct, DurableWithoutOptInIsRejectedBeforeSending) {
    auto db = connect();
    auto batch = numbered_batch(3);
    try {
        db.flush_arrow_batch("t", batch->schema(), batch->array(), "ts", {},
                             ingress::AckLevel::durable);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::invalid_api_call) << e.what();
    }
    EXPECT_EQ(server.ingress_connections(), 0u);
}

TEST_F(Direct, ConcurrentCallsFromTwoThreads) {
    auto db = connect();
    constexpr int kCalls = 20;
    std::atomic<int> failures{0};
    auto worker = [&](const std::string& table) {
        for (int call = 0; call < kCalls; ++call) {
            auto batch = numbered_batch(5, call * 5);
            try {
                db.flush_arrow_batch(table, batch->schema(), batch->array(), "ts");
            } catch (const Error&) {
                ++failures;
            }
        }
    };
    std::thread a(worker, "a");
    std::thread b(worker, "b");
    a.join();
    b.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(server.table("a").row_count(), 5u * kCalls);
    EXPECT_EQ(server.table("b").row_count(), 5u * kCalls);
    EXPECT_LE(server.ingress_connections(), 2u);
    EXPECT_EQ(db.stats().direct_senders.in_use, 0u);
}

}  // namespace
}  // namespace questdb::arrow::test
