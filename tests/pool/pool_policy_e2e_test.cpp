// The on_*_error policies and initial_connect_retry modes end to end against the in-tree test
// server (connect-string.md, "Error handling" and "Reconnect"; issue 4).

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <optional>
#include <string>
#include <thread>

#include "pool_e2e_support.hpp"
#include "questdb/db.hpp"
#include "questdb/error.hpp"
#include "support/wait_for.hpp"

namespace {

using namespace std::chrono_literals;
using questdb::Error;
using questdb::ErrorCode;
using questdb::QuestDb;
using questdb::ingress::AckLevel;
using questdb::ingress::Chunk;
using questdb::test::expect_rows;
using questdb::test::flush_rows;
using questdb::test::PoolE2E;
namespace ts = questdb::test_server;

constexpr const char* kFastRetry =
    "reconnect_initial_backoff_millis=5;reconnect_max_backoff_millis=50;";

ErrorCode wait_error(questdb::ingress::SfColumnSender& sender) {
    try {
        sender.wait(AckLevel::ok, 10s);
    } catch (const Error& e) {
        return e.error_code();
    }
    ADD_FAILURE() << "wait succeeded";
    return ErrorCode{};
}

TEST_F(PoolE2E, OnSchemaErrorRetriableReplaysInsteadOfHalting) {
    auto db = QuestDb::connect(conf(std::string("on_schema_error=retriable;") + kFastRetry));
    auto sender = db.borrow_column_sender();
    server.faults().answer_frame(0, ts::Status::schema_mismatch, "column px is LONG");
    flush_rows(sender, "schema_retry", 0, 10);
    sender.wait(AckLevel::ok, 10s);
    expect_rows(server, "schema_retry", 10);
    auto rejection = sender.poll_qwp_ws_error();
    ASSERT_TRUE(rejection);
    EXPECT_EQ(rejection->status, 0x03);
    EXPECT_FALSE(rejection->terminal);
    EXPECT_FALSE(sender.must_close());
}

TEST_F(PoolE2E, OnServerErrorTerminalHaltsADefaultRetriableCategoryAndKeepsTheFrames) {
    auto db = QuestDb::connect(conf("on_server_error=terminal;"));
    auto sender = db.borrow_column_sender();
    server.faults().answer_frame(0, ts::Status::internal_error, "disk full");
    flush_rows(sender, "halt", 0, 10);
    EXPECT_EQ(wait_error(sender), ErrorCode::server_internal_error);
    EXPECT_TRUE(sender.must_close());
    ASSERT_TRUE(sender.published_fsn());
    EXPECT_FALSE(sender.acked_fsn() && *sender.acked_fsn() >= *sender.published_fsn())
        << "a halted sender keeps its frames unacknowledged, never drops them";
    EXPECT_EQ(server.row_count("halt"), 0u);
}

TEST_F(PoolE2E, ACategoryKeyOverridesTheGlobalPolicy) {
    auto db = QuestDb::connect(
        conf(std::string("on_server_error=terminal;on_write_error=retriable;") + kFastRetry));
    auto sender = db.borrow_column_sender();
    server.faults().answer_frame(0, ts::Status::write_error, "table suspended");
    flush_rows(sender, "override", 0, 10);
    sender.wait(AckLevel::ok, 10s);
    expect_rows(server, "override", 10);
    EXPECT_FALSE(sender.must_close());
}

TEST_F(PoolE2E, RetriableReplaysOnTheSameEndpointAndRetriableOtherRotates) {
    ts::Server other;
    other.start();
    const auto two = "ws::addr=" + server.address() + "," + other.address() + ";" + kFastRetry;
    {
        auto db = QuestDb::connect(two);
        auto sender = db.borrow_column_sender();
        server.faults().answer_frame(0, ts::Status::internal_error, "try again");
        flush_rows(sender, "same", 0, 10);
        sender.wait(AckLevel::ok, 10s);
        expect_rows(server, "same", 10);
        EXPECT_EQ(other.row_count("same"), 0u);
    }
    auto db = QuestDb::connect(two + "on_internal_error=retriable_other;");
    auto sender = db.borrow_column_sender();
    server.faults().answer_frame(0, ts::Status::internal_error, "try elsewhere");
    flush_rows(sender, "rotated", 0, 10);
    sender.wait(AckLevel::ok, 10s);
    expect_rows(other, "rotated", 10);
    EXPECT_EQ(server.row_count("rotated"), 0u);
}

TEST_F(PoolE2E, AFrameRejectedOverAndOverBecomesAPoisonTerminal) {
    auto db = QuestDb::connect(conf(std::string("max_frame_rejections=3;"
                                                "poison_min_escalation_window_millis=0;") +
                                    kFastRetry));
    auto sender = db.borrow_column_sender();
    server.faults().answer_frame(0, ts::Status::internal_error, "always fails", 1000);
    flush_rows(sender, "poison", 0, 10);
    try {
        sender.wait(AckLevel::ok, 10s);
        std::string events;
        while (auto r = sender.poll_qwp_ws_error()) {
            events += std::to_string(r->fsn.value_or(-1)) + "/" + std::to_string(r->status) + " ";
        }
        FAIL() << "a frame rejected forever was acknowledged; events: " << events
               << " rows=" << server.row_count("poison");
    } catch (const Error& e) {
        EXPECT_EQ(e.error_code(), ErrorCode::server_internal_error) << e.what();
        EXPECT_NE(std::string(e.what()).find("poison"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(sender.must_close());
}

// Flushes fresh batches of `rows` into `chunk` until a flush is refused (at most `attempts`),
// counting the accepted rows in `flushed`. `on_refusal` checks the error and how long that
// flush blocked. Returns the refused batch, which the chunk still borrows, or nullopt.
template <typename OnRefusal>
std::optional<questdb::test::Batch> flush_until_refused(questdb::ingress::SfColumnSender& sender,
                                                        Chunk& chunk, std::size_t rows,
                                                        int attempts, std::int64_t& flushed,
                                                        OnRefusal&& on_refusal) {
    for (int attempt = 0; attempt < attempts; ++attempt) {
        questdb::test::Batch batch(flushed, rows);
        batch.fill(chunk);
        const auto started = std::chrono::steady_clock::now();
        try {
            sender.flush(chunk);
            flushed += static_cast<std::int64_t>(rows);
        } catch (const Error& e) {
            on_refusal(e, std::chrono::steady_clock::now() - started);
            return batch;  // moving keeps the arrays the chunk borrows
        }
    }
    return std::nullopt;
}

TEST_F(PoolE2E, AFullQueueBlocksFlushThenRaisesBackpressureAndLosesNothing) {
    auto db =
        QuestDb::connect(conf("sf_max_segment_bytes=64k;sf_max_total_bytes=128k;"
                              "sf_append_deadline_millis=200;"));
    auto sender = db.borrow_column_sender();
    server.faults().stall_acks(true);  // nothing is acknowledged, so nothing is trimmed
    constexpr std::size_t kRows = 1000;
    std::int64_t flushed = 0;
    Chunk chunk("full");
    const auto rejected = flush_until_refused(
        sender, chunk, kRows, 200, flushed,
        [&](const Error& e, std::chrono::steady_clock::duration blocked) {
            EXPECT_EQ(e.error_code(), ErrorCode::backpressure_timeout) << e.what();
            EXPECT_TRUE(e.retryable()) << e.what();
            EXPECT_NE(std::string(e.what()).find("sf_max_total_bytes"), std::string::npos);
            EXPECT_GE(blocked, 200ms)
                << "flush blocks for sf_append_deadline_millis before it gives up";
            EXPECT_EQ(chunk.row_count(), kRows) << "a failed flush leaves the chunk as it was";
        });
    ASSERT_TRUE(rejected) << "the queue never filled";
    ASSERT_GT(flushed, 0);
    server.faults().stall_acks(false);
    sender.flush(chunk);  // the same chunk, once acknowledgements free space
    flushed += static_cast<std::int64_t>(kRows);
    sender.wait(AckLevel::ok, 10s);
    expect_rows(server, "full", flushed);
}

// The delivery thread takes the sender's symbol dictionary to build a reconnect's catch-up
// frames. A producer retrying flush() at a full queue must not hold the dictionary while it
// waits for room, or the reconnect that would free the room never gets it (a soak run's
// memory-mode senders stalled for 140 s that way).
TEST_F(PoolE2E, AProducerRetryingAtAFullQueueDoesNotStarveTheReconnect) {
    auto db = QuestDb::connect(conf(std::string("sf_max_segment_bytes=16k;sf_max_total_bytes=32k;"
                                                "sf_append_deadline_millis=200;") +
                                    kFastRetry));
    auto sender = db.borrow_column_sender();
    server.faults().stall_acks(true);
    constexpr std::size_t kRows = 100;
    std::int64_t flushed = 0;
    Chunk chunk("starve");
    const auto rejected =
        flush_until_refused(sender, chunk, kRows, 1000, flushed, [](const Error& e, auto) {
            ASSERT_EQ(e.error_code(), ErrorCode::backpressure_timeout) << e.what();
        });
    ASSERT_FALSE(HasFatalFailure());
    ASSERT_TRUE(rejected) << "the queue never filled";
    server.faults().stall_acks(false);
    server.restart(false);  // the link drops; nothing was committed that the replay repeats
    // Retry at once, as a producer at the cap does, until the queue takes the chunk.
    const auto give_up = std::chrono::steady_clock::now() + 5s;
    int retries = 0;
    bool taken = false;
    while (!taken && std::chrono::steady_clock::now() < give_up) {
        try {
            sender.flush(chunk);
            taken = true;
        } catch (const Error& e) {
            ASSERT_EQ(e.error_code(), ErrorCode::backpressure_timeout) << e.what();
            ++retries;
        }
    }
    ASSERT_TRUE(taken) << "still full after " << retries
                       << " retries: the reconnect never got the dictionary";
    flushed += static_cast<std::int64_t>(kRows);
    sender.wait(AckLevel::ok, 10s);
    expect_rows(server, "starve", flushed);
}

/// A TCP listener on a fixed loopback port that accepts and at once closes connections,
/// so a client's connection attempts fail in a countable way.
class RefusingListener {
  public:
    explicit RefusingListener(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
        const int on = 1;
        ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bound_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                 ::listen(fd_, 16) == 0;
        thread_ = std::thread([this] {
            for (;;) {
                const int client = ::accept(fd_, nullptr, nullptr);
                if (client < 0) {
                    return;  // shut down
                }
                ::close(client);
                accepted_.fetch_add(1);
            }
        });
    }
    ~RefusingListener() { close(); }
    RefusingListener(const RefusingListener&) = delete;
    RefusingListener& operator=(const RefusingListener&) = delete;

    bool bound() const { return bound_; }
    unsigned accepted() const { return accepted_.load(); }
    void close() {
        if (thread_.joinable()) {
            ::shutdown(fd_, SHUT_RDWR);
            thread_.join();
            ::close(fd_);
        }
    }

  private:
    int fd_;
    bool bound_ = false;
    std::atomic<unsigned> accepted_{0};
    std::thread thread_;
};

TEST_F(PoolE2E, InitialConnectRetryOnKeepsTheBorrowWaitingUntilTheServerAnswers) {
    const auto port = server.port();
    server.stop();
    RefusingListener refusing(port);
    ASSERT_TRUE(refusing.bound());
    auto db = QuestDb::connect(conf(std::string("initial_connect_retry=on;"
                                                "reconnect_max_duration_millis=30000;") +
                                    kFastRetry));
    std::atomic<bool> delivered{false};
    std::string failure;
    std::thread borrower([&] {
        try {
            auto sender = db.borrow_column_sender();
            flush_rows(sender, "late", 0, 10);
            sender.wait(AckLevel::ok, 10s);
            delivered = true;
        } catch (const Error& e) {
            failure = e.what();
        }
    });
    ASSERT_TRUE(questdb::test::wait_for([&] { return refusing.accepted() >= 3; }, 10s))
        << "the borrow did not retry its first connection";
    refusing.close();
    server.start();
    borrower.join();
    EXPECT_TRUE(delivered) << failure;
    expect_rows(server, "late", 10);
}

TEST_F(PoolE2E, InitialConnectRetryOnGivesUpAfterTheMaxDuration) {
    server.stop();
    auto db = QuestDb::connect(conf(std::string("initial_connect_retry=on;"
                                                "reconnect_max_duration_millis=200;") +
                                    kFastRetry));
    try {
        auto sender = db.borrow_column_sender();
        FAIL() << "borrow succeeded with no server";
    } catch (const Error& e) {
        EXPECT_EQ(e.error_code(), ErrorCode::socket_error) << e.what();
        EXPECT_TRUE(e.retryable()) << e.what();
    }
}

TEST_F(PoolE2E, InitialConnectRetryAsyncBorrowsAtOnceAndDeliversLater) {
    server.stop();
    auto db = QuestDb::connect(conf(std::string("initial_connect_retry=async;") + kFastRetry));
    auto sender = db.borrow_column_sender();
    flush_rows(sender, "async", 0, 10);
    EXPECT_EQ(server.row_count("async"), 0u);
    server.start();
    sender.wait(AckLevel::ok, 10s);
    expect_rows(server, "async", 10);
}

}  // namespace
