// The QuestDb pool end to end against the in-tree test server: every row whose flush
// returned is committed with identical content, through restarts, dropped connections,
// stalled acks and server rejections (issue 4's "must show").

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "questdb/db.hpp"
#include "questdb/ingress/chunk.hpp"
#include "questdb/test_server/server.hpp"
#include "support/wait_for.hpp"
#include "pool_e2e_support.hpp"

namespace {

using namespace std::chrono_literals;
using questdb::Error;
using questdb::ErrorCode;
using questdb::QuestDb;
using questdb::ingress::AckLevel;
using questdb::ingress::Chunk;
namespace ts = questdb::test_server;
using questdb::test::Batch;
using questdb::test::expect_rows;
using questdb::test::flush_rows;
using questdb::test::kBaseNanos;
using questdb::test::PoolE2E;

TEST_F(PoolE2E, ConnectOpensNothingUntilTheFirstBorrow) {
    auto db = QuestDb::connect(conf());
    EXPECT_EQ(server.ingress_connections(), 0u);
    {
        auto sender = db.borrow_column_sender();
        EXPECT_EQ(server.ingress_connections(), 1u);
    }
    EXPECT_EQ(db.stats().column_senders.idle, 1u);
    auto again = db.borrow_column_sender();
    EXPECT_EQ(server.ingress_connections(), 1u) << "the pooled connection is reused";
}

TEST_F(PoolE2E, RowsFlushedAreCommittedWithIdenticalContent) {
    auto db = QuestDb::connect(conf());
    auto sender = db.borrow_column_sender();
    for (int i = 0; i < 10; ++i) {
        flush_rows(sender, "trades", i * 100, 100);
    }
    EXPECT_EQ(sender.published_fsn(), 9);
    sender.wait(AckLevel::ok, 10s);
    EXPECT_EQ(sender.acked_fsn(), 9);
    expect_rows(server, "trades", 1000);
    const auto requests = server.requests();
    ASSERT_FALSE(requests.empty());
    EXPECT_EQ(requests[0].target, "/write/v4");
    EXPECT_EQ(requests[0].headers.at("x-qwp-max-version"), "1");
    EXPECT_EQ(requests[0].headers.at("x-qwp-client-id").rfind("questdb-cpp/", 0), 0u);
}

TEST_F(PoolE2E, AMillionRowsInOneBatchAreSplitAndCommittedTogether) {
    auto db = QuestDb::connect(conf());
    auto sender = db.borrow_column_sender();
    flush_rows(sender, "big", 0, 1'000'000);
    EXPECT_GT(*sender.published_fsn(), 0) << "over 2 MiB: split into a deferred group";
    sender.wait(AckLevel::ok, 30s);
    EXPECT_EQ(server.row_count("big"), 1'000'000u);
}

TEST_F(PoolE2E, EightThreadsEachWithItsOwnBorrow) {
    auto db = QuestDb::connect(conf("sender_pool_max=8;"));
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            try {
                auto sender = db.borrow_column_sender();
                for (int i = 0; i < 20; ++i) {
                    flush_rows(sender, "mt", t * 10'000 + i * 500, 500);
                }
                sender.wait(AckLevel::ok, 20s);
            } catch (const std::exception& e) {
                ADD_FAILURE() << e.what();
                ++failures;
            }
        });
    }
    for (auto& th : threads) th.join();
    ASSERT_EQ(failures, 0);
    EXPECT_EQ(server.row_count("mt"), 80'000u);
}

TEST_F(PoolE2E, UnreachableServerFailsTheBorrowNotConnect) {
    server.stop();
    auto db = QuestDb::connect(conf());
    try {
        auto sender = db.borrow_column_sender();
        FAIL() << "borrow succeeded with no server";
    } catch (const Error& e) {
        EXPECT_EQ(e.error_code(), ErrorCode::socket_error) << e.what();
        EXPECT_NE(std::string(e.what()).find(server.address()), std::string::npos) << e.what();
    }
}

TEST_F(PoolE2E, BorrowingAtTheCapIsPoolExhausted) {
    auto db = QuestDb::connect(conf("sender_pool_max=2;acquire_timeout_ms=0;"));
    auto a = db.borrow_column_sender();
    auto b = db.borrow_column_sender();
    try {
        auto c = db.borrow_column_sender();
        FAIL() << "third borrow succeeded";
    } catch (const Error& e) {
        EXPECT_EQ(e.error_code(), ErrorCode::pool_exhausted);
    }
}

TEST_F(PoolE2E, ABorrowUsedFromAnotherThreadIsRefused) {
    auto db = QuestDb::connect(conf());
    auto sender = db.borrow_column_sender();
    std::thread other([&] {
        try {
            sender.wait(AckLevel::ok, 1s);
            ADD_FAILURE() << "no error from a foreign thread";
        } catch (const Error& e) {
            EXPECT_EQ(e.error_code(), ErrorCode::invalid_api_call);
        }
    });
    other.join();
}

TEST_F(PoolE2E, IdleConnectionsAboveTheMinimumAreReaped) {
    auto db = QuestDb::connect(conf("pool_reap=manual;sender_pool_min=1;idle_timeout_ms=1;"));
    {
        auto a = db.borrow_column_sender();
        auto b = db.borrow_column_sender();
    }
    EXPECT_EQ(db.stats().column_senders.idle, 2u);
    ASSERT_TRUE(questdb::test::wait_for([&] { return db.reap_idle() > 0; }, 5s));
    EXPECT_EQ(db.stats().column_senders.idle, 1u) << "the warm minimum stays";
}

TEST_F(PoolE2E, ServerRestartMidStreamLosesNothing) {
    auto db = QuestDb::connect(conf("reconnect_initial_backoff_millis=10;reconnect_max_backoff_millis=50;"));
    auto sender = db.borrow_column_sender();
    for (int i = 0; i < 10; ++i) flush_rows(sender, "rs", i * 100, 100);
    server.restart(true);
    for (int i = 10; i < 20; ++i) flush_rows(sender, "rs", i * 100, 100);
    sender.wait(AckLevel::ok, 20s);
    expect_rows(server, "rs", 2000, /*allow_duplicates=*/true);
}

TEST_F(PoolE2E, ConnectionDroppedEveryFewFramesLosesNothing) {
    server.faults().drop_after_frames(3, 1000);
    auto db = QuestDb::connect(conf("reconnect_initial_backoff_millis=5;reconnect_max_backoff_millis=20;"));
    auto sender = db.borrow_column_sender();
    for (int i = 0; i < 40; ++i) flush_rows(sender, "drops", i * 50, 50);
    sender.wait(AckLevel::ok, 30s);
    expect_rows(server, "drops", 2000, true);
}

TEST_F(PoolE2E, StalledAcksTimeOutAsFailoverRetryAndResume) {
    auto db = QuestDb::connect(conf());
    auto sender = db.borrow_column_sender();
    server.faults().stall_acks(true);
    flush_rows(sender, "stall", 0, 10);
    try {
        sender.wait(AckLevel::ok, 200ms);
        FAIL() << "wait returned with acks stalled";
    } catch (const Error& e) {
        EXPECT_EQ(e.error_code(), ErrorCode::failover_retry) << e.what();
        EXPECT_TRUE(e.retryable());
    }
    server.faults().stall_acks(false);
    sender.wait(AckLevel::ok, 10s);
    expect_rows(server, "stall", 10);
}

TEST_F(PoolE2E, ATerminalRejectionReachesTheUserAndTheSenderMustClose) {
    auto db = QuestDb::connect(conf());
    auto sender = db.borrow_column_sender();
    server.faults().answer_frame(1, ts::Status::schema_mismatch, "column px is LONG");
    flush_rows(sender, "rej", 0, 10);
    flush_rows(sender, "rej", 10, 10);
    try {
        sender.wait(AckLevel::ok, 10s);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.error_code(), ErrorCode::server_schema_mismatch);
        EXPECT_NE(std::string(e.what()).find("column px is LONG"), std::string::npos) << e.what();
    }
    auto rejection = sender.poll_qwp_ws_error();
    ASSERT_TRUE(rejection);
    EXPECT_EQ(rejection->status, 0x03);
    EXPECT_EQ(rejection->fsn, 1);
    EXPECT_TRUE(rejection->terminal);
    EXPECT_TRUE(sender.must_close());
    EXPECT_THROW(flush_rows(sender, "rej", 20, 1), Error);
}

TEST_F(PoolE2E, RetriableRejectionsAndDictionaryGapsReplayTheFrame) {
    auto db = QuestDb::connect(conf("reconnect_initial_backoff_millis=5;"));
    auto sender = db.borrow_column_sender();
    server.faults().answer_frame(1, ts::Status::internal_error, "try again");
    for (int i = 0; i < 3; ++i) flush_rows(sender, "retry", i * 10, 10);
    sender.wait(AckLevel::ok, 10s);
    server.faults().dictionary_gap_at(1);
    for (int i = 3; i < 6; ++i) flush_rows(sender, "retry", i * 10, 10);
    sender.wait(AckLevel::ok, 10s);
    expect_rows(server, "retry", 60, true);
    auto rejection = sender.poll_qwp_ws_error();
    ASSERT_TRUE(rejection);
    EXPECT_EQ(rejection->status, 0x06);
    EXPECT_FALSE(rejection->terminal);
    EXPECT_FALSE(sender.must_close());
}

TEST_F(PoolE2E, AuthFailureIsTerminalAndClear) {
    ts::Options options;
    options.basic_user = "admin";
    options.basic_password = "quest";
    ts::Server secured(options);
    secured.start();
    auto db = QuestDb::connect("ws::addr=" + secured.address() +
                               ";username=admin;password=wrong-secret;initial_connect_retry=on;");
    try {
        auto sender = db.borrow_column_sender();
        FAIL() << "bad credentials accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.error_code(), ErrorCode::auth_error) << e.what();
        EXPECT_EQ(std::string(e.what()).find("wrong-secret"), std::string::npos) << e.what();
    }
    auto good = QuestDb::connect("ws::addr=" + secured.address() + ";username=admin;password=quest;");
    auto sender = good.borrow_column_sender();
    flush_rows(sender, "auth", 0, 5);
    sender.wait(AckLevel::ok, 10s);
    EXPECT_EQ(secured.row_count("auth"), 5u);
}

TEST_F(PoolE2E, FailsOverToTheNextAddress) {
    ts::Server dead;
    dead.start();
    const auto dead_address = dead.address();
    dead.stop();
    auto db = QuestDb::connect("ws::addr=" + dead_address + "," + server.address() + ";");
    auto sender = db.borrow_column_sender();
    flush_rows(sender, "fo", 0, 10);
    sender.wait(AckLevel::ok, 10s);
    EXPECT_EQ(server.row_count("fo"), 10u);
}

TEST_F(PoolE2E, DurableAckWaitsForTheDurableWatermark) {
    ts::Options options;
    options.durable_ack = true;
    ts::Server durable(options);
    durable.start();
    auto db = QuestDb::connect("ws::addr=" + durable.address() + ";request_durable_ack=on;");
    auto sender = db.borrow_column_sender();
    flush_rows(sender, "dur", 0, 10);
    sender.wait(AckLevel::durable, 10s);
    EXPECT_EQ(durable.row_count("dur"), 10u);

    // Without the server's confirmation the connect fails terminally.
    auto unconfirmed = QuestDb::connect(conf("request_durable_ack=on;"));
    EXPECT_THROW((void)unconfirmed.borrow_column_sender(), Error);
}

}  // namespace

namespace {

TEST_F(PoolE2E, RowSenderFlushesBuffersThroughTheSamePipeline) {
    auto db = QuestDb::connect(conf());
    auto sender = db.borrow_row_sender();
    auto buffer = sender->new_buffer();
    for (std::int64_t id = 0; id < 500; ++id) {
        buffer.table("rows")
            .symbol("sym", "S" + std::to_string(id % 7))
            .column_i64("id", id)
            .column_f64("px", static_cast<double>(id) * 0.25)
            .at(questdb::ingress::TimestampNanos(kBaseNanos + id));
    }
    const auto fsn = sender->flush_and_get_fsn(buffer);
    ASSERT_TRUE(fsn);
    EXPECT_TRUE(buffer.is_empty());
    EXPECT_EQ(sender->published_fsn(), fsn);
    sender->wait(AckLevel::ok, 10s);
    EXPECT_EQ(sender->acked_fsn(), fsn);
    expect_rows(server, "rows", 500);

    auto two_tables = sender->new_buffer();
    two_tables.table("a").column_i64("id", 1).at_now();
    two_tables.table("b").column_i64("id", 2).at_now();
    EXPECT_THROW(sender->transactional_flush(two_tables), Error);
    EXPECT_EQ(two_tables.row_count(), 2u) << "a refused flush keeps the rows";
}

}  // namespace

namespace {

using questdb::test::column_index;

TEST_F(PoolE2E, ReaderBorrowsQueryWhatTheSendersWrote) {
    auto db = QuestDb::connect(conf());
    {
        auto sender = db.borrow_column_sender();
        flush_rows(sender, "rt", 0, 300);
        sender.wait(AckLevel::ok, 10s);
    }
    std::set<std::int64_t> ids;
    {
        auto reader = db.borrow_reader();
        auto cursor = reader->execute("SELECT * FROM rt");
        while (auto batch = cursor.next_batch()) {
            const auto id = batch->column(column_index(*batch, "id")).as_long();
            const auto px = batch->column(column_index(*batch, "px")).as_double();
            const auto sym = batch->column(column_index(*batch, "sym")).as_symbol();
            for (std::size_t r = 0; r < batch->row_count(); ++r) {
                const auto v = id.value(r);
                EXPECT_EQ(px.value(r), static_cast<double>(v) * 0.25);
                EXPECT_EQ(*sym.resolve(r), "S" + std::to_string(v % 7));
                ids.insert(v);
            }
        }
    }
    EXPECT_EQ(ids.size(), 300u);
    EXPECT_EQ(db.stats().readers.idle, 1u) << "a drained reader is recycled";
    auto again = db.borrow_reader();
    EXPECT_EQ(server.egress_connections(), 1u);
}

}  // namespace
