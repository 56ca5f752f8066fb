// Cursor::cancel() from another thread (F1): it must wake a reader blocked in next_batch() on a
// stalled query, which then sends CANCEL, drains to the server's terminator and leaves the
// connection usable; and it must race normal completion safely. Multithreaded: runs under TSan
// (label concurrency).

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

#include "questdb/egress/reader.hpp"
#include "questdb/test_server/server.hpp"
#include "support/wait_for.hpp"

namespace questdb::egress {
namespace {

namespace ts = questdb::test_server;
using namespace std::chrono_literals;

constexpr const char* kSql = "select id from stream";

std::string ws_conf(const ts::Server& server) {
    // One row per batch, so that a query of N rows is N RESULT_BATCH frames.
    return "ws::addr=127.0.0.1:" + std::to_string(server.port()) + ";max_batch_rows=1;";
}

void register_rows(ts::Server& server, std::int64_t rows) {
    ts::QueryResponse response;
    response.result.columns = {{"id", ts::ColumnType::long_}};
    for (std::int64_t r = 0; r < rows; ++r) {
        response.result.rows.push_back({ts::Value(r)});
    }
    server.register_query(kSql, response);
}

std::size_t count_kind(const ts::Server& server, std::uint8_t kind) {
    std::size_t n = 0;
    for (const auto& frame : server.egress_client_frames()) {
        n += !frame.empty() && frame[0] == kind ? 1 : 0;
    }
    return n;
}

std::int64_t drain_rows(Cursor& cursor) {
    std::int64_t rows = 0;
    while (auto batch = cursor.next_batch()) {
        rows += static_cast<std::int64_t>(batch->row_count());
    }
    return rows;
}

/// What the reading thread saw.
struct ReadOutcome {
    std::atomic<bool> done{false};
    std::int64_t rows = 0;
    std::optional<ErrorCode> error;
};

TEST(EgressCancelThread, CancelWakesReaderBlockedOnStalledQuery) {
    ts::Server server;
    server.start();
    register_rows(server, 50);
    server.faults().stall_egress_results(1);  // batch 0 arrives, then nothing
    auto reader = Reader::connect(ws_conf(server));
    // A credit-bounded query: the blocked next_batch() first grants batch 0 back (a CREDIT the
    // server records), which tells this test that the reading thread reached receive().
    auto cursor = reader.prepare(kSql).initial_credit(1 << 20).execute();
    ASSERT_TRUE(cursor.next_batch().has_value());

    ReadOutcome outcome;
    std::thread reading([&] {
        try {
            outcome.rows = drain_rows(cursor);
        } catch (const Error& e) {
            outcome.error = e.error_code();
        }
        outcome.done.store(true);
    });
    ASSERT_TRUE(questdb::test::wait_for([&] { return count_kind(server, 0x15) >= 1; }, 10s));
    EXPECT_FALSE(outcome.done.load());  // stalled: nothing can end the read but cancel()

    cursor.cancel();
    const bool returned = questdb::test::wait_for([&] { return outcome.done.load(); }, 10s);
    if (!returned) {
        server.stop();  // unblock the thread (socket error) so the test can fail, not hang
    }
    reading.join();
    ASSERT_TRUE(returned) << "cancel() did not wake the blocked next_batch()";
    EXPECT_FALSE(outcome.error.has_value());
    EXPECT_EQ(outcome.rows, 0);
    ASSERT_TRUE(cursor.terminal().has_value());
    EXPECT_EQ(cursor.terminal()->kind, Terminal::Kind::cancelled);
    ASSERT_EQ(count_kind(server, 0x14), 1u);
    const auto frames = server.egress_client_frames();
    for (const auto& frame : frames) {
        if (frame[0] == 0x14) {
            ASSERT_EQ(frame.size(), 9u);  // B9: 14 <request_id i64>
            std::int64_t id = 0;
            for (int i = 7; i >= 0; --i) {
                id = (id << 8) | frame[1 + static_cast<std::size_t>(i)];
            }
            EXPECT_EQ(id, cursor.request_id());
        }
    }

    // F1: the connection is reused for the next query.
    server.faults().stall_egress_results(std::nullopt);
    auto next = reader.execute(kSql);
    EXPECT_EQ(drain_rows(next), 50);
    EXPECT_EQ(next.terminal()->kind, Terminal::Kind::result_end);
    EXPECT_EQ(server.egress_connections(), 1u);
}

TEST(EgressCancelThread, CancelBeforeTheReadingThreadBlocksIsNotLost) {
    ts::Server server;
    server.start();
    register_rows(server, 20);
    server.faults().stall_egress_results(0);  // not even batch 0
    auto reader = Reader::connect(ws_conf(server));
    auto cursor = reader.execute(kSql);
    cursor.cancel();  // latched (and the wake-up pending) before anyone reads
    ReadOutcome outcome;
    std::thread reading([&] {
        try {
            outcome.rows = drain_rows(cursor);
        } catch (const Error& e) {
            outcome.error = e.error_code();
        }
        outcome.done.store(true);
    });
    const bool returned = questdb::test::wait_for([&] { return outcome.done.load(); }, 10s);
    if (!returned) {
        server.stop();
    }
    reading.join();
    ASSERT_TRUE(returned);
    EXPECT_FALSE(outcome.error.has_value());
    EXPECT_EQ(cursor.terminal()->kind, Terminal::Kind::cancelled);
    server.faults().stall_egress_results(std::nullopt);
    auto next = reader.execute(kSql);
    EXPECT_EQ(drain_rows(next), 20);
}

TEST(EgressCancelThread, CancelRacingCompletionEndsCleanly) {
    ts::Server server;
    server.start();
    constexpr std::int64_t kRows = 4;
    register_rows(server, kRows);
    auto reader = Reader::connect(ws_conf(server));
    int cancelled = 0;
    int completed = 0;
    for (int round = 0; round < 60; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        auto cursor = reader.execute(kSql);
        ReadOutcome outcome;
        std::atomic<bool> started{false};
        std::thread reading([&] {
            started.store(true);
            try {
                outcome.rows = drain_rows(cursor);
            } catch (const Error& e) {
                outcome.error = e.error_code();
            }
            outcome.done.store(true);
        });
        // Cancel at varying points: before the first read, mid-stream, after the end.
        while (!started.load()) {
            std::this_thread::yield();
        }
        for (int spin = 0; spin < (round % 6) * 40; ++spin) {
            std::this_thread::yield();
        }
        cursor.cancel();
        if (round % 10 == 9) {
            cursor.cancel();  // a second cancel is harmless
        }
        const bool returned = questdb::test::wait_for([&] { return outcome.done.load(); }, 10s);
        if (!returned) {
            server.stop();
        }
        reading.join();
        ASSERT_TRUE(returned);
        ASSERT_FALSE(outcome.error.has_value()) << static_cast<int>(*outcome.error);
        ASSERT_TRUE(cursor.terminal().has_value());
        const auto kind = cursor.terminal()->kind;
        if (kind == Terminal::Kind::result_end) {
            ++completed;
            // The query won the race (RESULT_END before the server saw CANCEL); batches that
            // arrived after cancel() were still dropped, so the caller saw a prefix.
            EXPECT_LE(outcome.rows, kRows);
        } else {
            ++cancelled;
            EXPECT_EQ(kind, Terminal::Kind::cancelled);
            EXPECT_LE(outcome.rows, kRows);
        }
        cursor.cancel();  // F4: after the terminator, cancel does nothing
    }
    EXPECT_EQ(cancelled + completed, 60);
    // Every round reused the one connection.
    EXPECT_EQ(server.egress_connections(), 1u);
    EXPECT_LE(count_kind(server, 0x14), 66u);
    auto last = reader.execute(kSql);
    EXPECT_EQ(drain_rows(last), kRows);
}

}  // namespace
}  // namespace questdb::egress
