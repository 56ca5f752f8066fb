// Disk-backed store-and-forward through the pool: a flush that returned survives the client
// process (including SIGKILL at a random moment) and is delivered by the next sender bound
// to the same slot.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "questdb/db.hpp"
#include "questdb/ingress/chunk.hpp"
#include "questdb/test_server/server.hpp"

namespace {

using namespace std::chrono_literals;
using questdb::Error;
using questdb::ErrorCode;
using questdb::QuestDb;
using questdb::ingress::AckLevel;
using questdb::ingress::Chunk;
namespace ts = questdb::test_server;
namespace fs = std::filesystem;

constexpr std::size_t kRowsPerBatch = 50;

/// Batch b holds ids b*50 .. b*50+49, symbol "S<id % 5>".
void flush_batch(questdb::ingress::SfColumnSender& sender, std::int64_t batch) {
    std::vector<std::int64_t> ids, stamps;
    std::vector<std::int32_t> codes;
    for (std::size_t i = 0; i < kRowsPerBatch; ++i) {
        const auto id = batch * static_cast<std::int64_t>(kRowsPerBatch) + static_cast<std::int64_t>(i);
        ids.push_back(id);
        stamps.push_back(1'700'000'000'000'000'000 + id);
        codes.push_back(static_cast<std::int32_t>(id % 5));
    }
    const std::vector<std::int32_t> offsets{0, 2, 4, 6, 8, 10};
    const std::string dict = "S0S1S2S3S4";
    Chunk chunk("disk");
    chunk.symbol_dict_i32("sym", codes, offsets,
                          std::span(reinterpret_cast<const std::uint8_t*>(dict.data()), dict.size()))
        .column_i64("id", ids)
        .designated_timestamp_nanos(stamps);
    sender.flush(chunk);
}

std::set<std::int64_t> committed_ids(const ts::Server& server) {
    std::set<std::int64_t> ids;
    const auto table = server.table("disk");  // a snapshot; rows() borrows it
    for (const auto& row : table.rows()) {
        const auto id = row.i64("id");
        EXPECT_EQ(row.str("sym"), "S" + std::to_string(id % 5)) << "id " << id;
        ids.insert(id);
    }
    return ids;
}

struct PoolDisk : ::testing::Test {
    ts::Server server;
    fs::path dir;
    void SetUp() override {
        server.start();
        dir = fs::temp_directory_path() /
              ("questdb-pool-disk-" + std::to_string(::getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir);
    }
    void TearDown() override { fs::remove_all(dir); }
    std::string conf(const std::string& extra = "") const {
        return "ws::addr=" + server.address() + ";sf_dir=" + dir.string() +
               ";reconnect_initial_backoff_millis=10;reconnect_max_backoff_millis=50;" + extra;
    }
};

TEST_F(PoolDisk, UnacknowledgedFramesAreReplayedByTheNextSenderOnTheSlot) {
    server.stop();
    {
        auto db = QuestDb::connect(conf("initial_connect_retry=async;close_flush_timeout_millis=0;"));
        auto sender = db.borrow_column_sender();
        for (int b = 0; b < 10; ++b) flush_batch(sender, b);
        EXPECT_EQ(sender.published_fsn(), 9u);
        EXPECT_FALSE(sender.acked_fsn()) << "the server is down";
    }
    ASSERT_TRUE(fs::exists(dir / "default-ingest-0")) << "the pool's slot name";
    server.start();
    auto db = QuestDb::connect(conf());
    auto sender = db.borrow_column_sender();
    sender.wait(AckLevel::ok, 10s);
    const auto ids = committed_ids(server);
    EXPECT_EQ(ids.size(), 500u);
    EXPECT_EQ(server.row_count("disk"), 500u) << "delivered once";
}

TEST_F(PoolDisk, ASlotHasOneOwner) {
    auto first = QuestDb::connect(conf());
    auto sender = first.borrow_column_sender();
    auto second = QuestDb::connect(conf());
    try {
        auto other = second.borrow_column_sender();
        FAIL() << "two senders on one slot";
    } catch (const Error& e) {
        EXPECT_EQ(e.error_code(), ErrorCode::store_slot_in_use) << e.what();
    }
}

TEST_F(PoolDisk, EachPooledSenderOwnsASlot) {
    auto db = QuestDb::connect(conf("sender_pool_max=2;"));
    auto first = db.borrow_column_sender();
    auto second = db.borrow_column_sender();
    EXPECT_TRUE(fs::exists(dir / "default-ingest-0"));
    EXPECT_TRUE(fs::exists(dir / "default-ingest-1"));
}

// A child process flushes batches into sf_dir while the server is down and reports each
// batch whose flush() returned; it is SIGKILLed at a random moment. A new process (here, the
// parent) on the same sf_dir must deliver every reported batch.
TEST_F(PoolDisk, EveryReturnedFlushSurvivesSigkill) {
    server.stop();
    std::mt19937 rng(20261122);
    std::set<std::int64_t> reported;
    std::int64_t next_batch = 0;
    for (int round = 0; round < 20; ++round) {
        int fds[2];
        ASSERT_EQ(::pipe(fds), 0);
        const std::int64_t first = next_batch;
        const pid_t child = ::fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            ::close(fds[0]);
            try {
                auto db = QuestDb::connect(conf("initial_connect_retry=async;close_flush_timeout_millis=0;"));
                auto sender = db.borrow_column_sender();
                for (std::int64_t b = first;; ++b) {
                    flush_batch(sender, b);
                    if (::write(fds[1], &b, sizeof b) != sizeof b) ::_exit(3);
                }
            } catch (...) {
                ::_exit(2);
            }
        }
        ::close(fds[1]);
        // Let it get going, then kill it at a random moment.
        std::int64_t b = 0;
        const int before_kill = std::uniform_int_distribution<int>(1, 40)(rng);
        for (int i = 0; i < before_kill && ::read(fds[0], &b, sizeof b) == sizeof b; ++i) {
            reported.insert(b);
            next_batch = std::max(next_batch, b + 1);
        }
        ::kill(child, SIGKILL);
        while (::read(fds[0], &b, sizeof b) == sizeof b) {
            reported.insert(b);
            next_batch = std::max(next_batch, b + 1);
        }
        ::close(fds[0]);
        int status = 0;
        ::waitpid(child, &status, 0);
        ASSERT_TRUE(WIFSIGNALED(status)) << "the child failed on its own, status " << status;
        next_batch += 1;  // the batch in flight at the kill may or may not be stored
    }
    ASSERT_GE(reported.size(), 20u);
    server.start();
    auto db = QuestDb::connect(conf());
    auto sender = db.borrow_column_sender();
    sender.wait(AckLevel::ok, 30s);
    const auto ids = committed_ids(server);
    for (const auto batch : reported) {
        for (std::size_t i = 0; i < kRowsPerBatch; ++i) {
            const auto id = batch * static_cast<std::int64_t>(kRowsPerBatch) + static_cast<std::int64_t>(i);
            ASSERT_TRUE(ids.count(id)) << "lost row " << id << " of reported batch " << batch;
        }
    }
    EXPECT_EQ(server.row_count("disk"), ids.size()) << "no duplicates: nothing was in flight";
}

}  // namespace
