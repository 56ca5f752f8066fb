// Disk-backed store-and-forward through the pool: a flush that returned survives the client
// process (including SIGKILL at a random moment) and is delivered by the next sender bound
// to the same slot.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "disk_batches.hpp"
#include "questdb/db.hpp"
#include "questdb/ingress/chunk.hpp"
#include "questdb/test_server/server.hpp"
#include "support/wait_for.hpp"

namespace {

using namespace std::chrono_literals;
using questdb::Error;
using questdb::ErrorCode;
using questdb::QuestDb;
using questdb::ingress::AckLevel;
using questdb::ingress::Chunk;
namespace ts = questdb::test_server;
namespace fs = std::filesystem;

using questdb::test::flush_batch;
using questdb::test::FlushReport;
using questdb::test::kRowsPerBatch;

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

/// A pool_disk_flusher process (see disk_flusher.cpp) and the read end of its report pipe.
/// The destructor kills and reaps it if it still runs.
class Flusher {
  public:
    enum class Next { report, ended, timed_out };

    Flusher(const std::string& conf, std::int64_t first_batch) {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) {
            throw std::runtime_error("pipe2 failed");
        }
        read_end_ = fds[0];
        posix_spawn_file_actions_t actions;
        ::posix_spawn_file_actions_init(&actions);
        // dup2 leaves the copy without FD_CLOEXEC: only the report end reaches the child.
        ::posix_spawn_file_actions_adddup2(&actions, fds[1], questdb::test::kFlushReportFd);
        const std::string first = std::to_string(first_batch);
        char* argv[] = {const_cast<char*>(QUESTDB_POOL_DISK_FLUSHER),
                        const_cast<char*>(conf.c_str()), const_cast<char*>(first.c_str()), nullptr};
        const int rc =
            ::posix_spawn(&pid_, QUESTDB_POOL_DISK_FLUSHER, &actions, nullptr, argv, environ);
        ::posix_spawn_file_actions_destroy(&actions);
        ::close(fds[1]);
        if (rc != 0) {
            ::close(read_end_);
            throw std::runtime_error("cannot start " QUESTDB_POOL_DISK_FLUSHER);
        }
    }
    Flusher(const Flusher&) = delete;
    Flusher& operator=(const Flusher&) = delete;
    ~Flusher() {
        kill();
        (void)reap();
        ::close(read_end_);
    }

    /// The next report, the end of the reports (the process is gone), or nothing within
    /// `timeout` (the process hangs).
    Next next(FlushReport& report, std::chrono::milliseconds timeout) {
        auto* bytes = reinterpret_cast<char*>(&report);
        std::size_t got = 0;
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (got < sizeof report) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            pollfd pfd{read_end_, POLLIN, 0};
            const int ready =
                ::poll(&pfd, 1, static_cast<int>(std::max<std::int64_t>(left.count(), 0)));
            if (ready == 0) {
                return Next::timed_out;
            }
            if (ready < 0) {
                if (errno == EINTR) {
                    continue;
                }
                return Next::ended;
            }
            const auto n = ::read(read_end_, bytes + got, sizeof report - got);
            if (n <= 0) {
                if (n < 0 && errno == EINTR) {
                    continue;
                }
                return Next::ended;
            }
            got += static_cast<std::size_t>(n);
        }
        return Next::report;
    }

    void kill() noexcept {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
        }
    }

    /// Waits for the process to end; its wait status (-1 once reaped).
    int reap() noexcept {
        if (pid_ <= 0) {
            return -1;
        }
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        pid_ = -1;
        return status;
    }

  private:
    pid_t pid_ = -1;
    int read_end_ = -1;
};

/// Longest wait for one report of a flusher before the test calls it hung.
constexpr auto kReportTimeout = 60s;

/// Reads up to `before_kill` reports, SIGKILLs the flusher, reads what it wrote before it
/// died, and reaps it; `take` sees every report. Fails the test if the flusher hung or ended
/// on its own.
template <typename Take>
void kill_after_reports(Flusher& child, int before_kill, Take&& take) {
    FlushReport report{};
    auto next = Flusher::Next::report;
    for (int i = 0;
         i < before_kill && (next = child.next(report, kReportTimeout)) == Flusher::Next::report;
         ++i) {
        take(report);
    }
    ASSERT_NE(next, Flusher::Next::timed_out) << "the flusher hung before its kill";
    child.kill();
    while ((next = child.next(report, kReportTimeout)) == Flusher::Next::report) {
        take(report);
    }
    ASSERT_EQ(next, Flusher::Next::ended) << "the killed flusher kept its pipe open";
    const int status = child.reap();
    ASSERT_TRUE(WIFSIGNALED(status)) << "the flusher failed on its own, status " << status;
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
        auto db =
            QuestDb::connect(conf("initial_connect_retry=async;close_flush_timeout_millis=0;"));
        auto sender = db.borrow_column_sender();
        for (int b = 0; b < 10; ++b)
            flush_batch(sender, b);
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

/// Cuts the last `bytes` bytes off a slot's .symbol-dict, as a host crash can.
void tear_symbol_dict(const fs::path& slot, std::uintmax_t bytes) {
    const auto path = slot / ".symbol-dict";
    ASSERT_TRUE(fs::exists(path));
    fs::resize_file(path, fs::file_size(path) - bytes);
}

TEST_F(PoolDisk, ATornSymbolDictionaryIsRebuiltFromTheStoredFrames) {
    server.stop();
    {
        auto db =
            QuestDb::connect(conf("initial_connect_retry=async;close_flush_timeout_millis=0;"));
        auto sender = db.borrow_column_sender();
        for (int b = 0; b < 4; ++b)
            flush_batch(sender, b);  // batch 0 carries S0..S4
    }
    const auto slot = dir / "default-ingest-0";
    const auto intact = fs::file_size(slot / ".symbol-dict");
    tear_symbol_dict(slot, 3);
    server.start();
    auto db = QuestDb::connect(conf());
    auto sender = db.borrow_column_sender();
    sender.wait(AckLevel::ok, 10s);
    EXPECT_EQ(committed_ids(server).size(), 200u) << "every row, with the right symbols";
    EXPECT_EQ(fs::file_size(slot / ".symbol-dict"), intact) << "the dictionary is persisted again";
}

/// Leaves slot default-ingest-0 with three unacknowledged batches whose symbols nothing on
/// disk backs any more (the batch that introduced them was acknowledged and trimmed, and
/// .symbol-dict lost its tail): the slot cannot be replayed.
void make_unreplayable_slot(PoolDisk& t) {
    {
        auto db = QuestDb::connect(t.conf("close_flush_timeout_millis=0;"));
        auto sender = db.borrow_column_sender();
        flush_batch(sender, 0);  // introduces S0..S4 and is acknowledged (then trimmed)
        sender.wait(AckLevel::ok, 10s);
        t.server.stop();
        for (int b = 1; b < 4; ++b)
            flush_batch(sender, b);  // only ids, no delta
    }
    tear_symbol_dict(t.dir / "default-ingest-0", 3);
    t.server.start();
}

std::size_t segment_count(const fs::path& slot) {
    std::size_t n = 0;
    for (const auto& entry : fs::directory_iterator(slot)) {
        n += entry.path().extension() == ".sfa" ? 1 : 0;
    }
    return n;
}

// The reference clients' rule: an unreplayable slot is set aside whole (renamed
// <slot>.unreplayable-<n>, marked .failed, nothing deleted), the loss is reported, and the
// sender starts on a fresh slot so ingestion continues.
TEST_F(PoolDisk, AnUnreplayableSlotIsSetAsideAndTheSenderContinuesOnAFreshSlot) {
    make_unreplayable_slot(*this);
    const auto aside = dir / "default-ingest-0.unreplayable-0";
    auto db = QuestDb::connect(conf());
    auto sender = db.borrow_column_sender();
    ASSERT_TRUE(fs::is_directory(aside));
    EXPECT_GT(segment_count(aside), 0u) << "the frames are kept for an operator";
    ASSERT_TRUE(fs::exists(aside / ".failed"));
    EXPECT_EQ(db.stats().slots_set_aside, 1u);
    auto notice = sender.poll_qwp_ws_error();
    ASSERT_TRUE(notice.has_value()) << "the loss is reported";
    EXPECT_EQ(notice->status_name, "DATA_LOSS");
    EXPECT_EQ(notice->code, ErrorCode::store_resend_required);
    EXPECT_FALSE(notice->terminal);
    EXPECT_NE(notice->message.find(aside.string()), std::string::npos) << notice->message;
    EXPECT_FALSE(sender.poll_qwp_ws_error().has_value()) << "reported once";

    // Ingestion continues on a fresh slot with the original name.
    flush_batch(sender, 10);
    sender.wait(AckLevel::ok, 10s);
    const auto ids = committed_ids(server);
    EXPECT_EQ(ids.size(), 100u) << "batch 0 and the new batch; nothing from the set-aside slot";
    EXPECT_TRUE(ids.count(10 * 50)) << "the new batch";
    EXPECT_TRUE(fs::is_directory(dir / "default-ingest-0"));
}

TEST_F(PoolDisk, TheErrorHandlerHearsOfASlotSetAside) {
    make_unreplayable_slot(*this);
    std::mutex mutex;
    std::vector<questdb::ingress::Rejection> seen;
    questdb::ConnectHandlers handlers;
    handlers.error_handler = [&](const questdb::ingress::Rejection& r) {
        std::lock_guard lock(mutex);
        seen.push_back(r);
    };
    auto db = QuestDb::connect_with_handlers(conf(), std::move(handlers));
    auto sender = db.borrow_column_sender();
    ASSERT_TRUE(questdb::test::wait_for([&] {
        std::lock_guard lock(mutex);
        return !seen.empty();
    }));
    std::lock_guard lock(mutex);
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].status_name, "DATA_LOSS");
    EXPECT_EQ(seen[0].code, ErrorCode::store_resend_required);
    EXPECT_NE(seen[0].message.find("default-ingest-0.unreplayable-0"), std::string::npos)
        << seen[0].message;
    EXPECT_TRUE(sender.poll_qwp_ws_error().has_value()) << "the handler does not consume it";
}

TEST_F(PoolDisk, AMissingSegmentGapIsSetAsideLikeAnyUnreplayableSlot) {
    server.stop();
    {
        auto db =
            QuestDb::connect(conf("initial_connect_retry=async;close_flush_timeout_millis=0;"
                                  "sf_max_segment_bytes=4096;"));
        auto sender = db.borrow_column_sender();
        for (int b = 0; b < 12; ++b)
            flush_batch(sender, b);
    }
    std::vector<fs::path> segments;
    for (const auto& entry : fs::directory_iterator(dir / "default-ingest-0")) {
        if (entry.path().extension() == ".sfa")
            segments.push_back(entry.path());
    }
    std::sort(segments.begin(), segments.end());
    ASSERT_GE(segments.size(), 3u);
    fs::remove(segments[1]);
    server.start();
    auto db = QuestDb::connect(conf("sf_max_segment_bytes=4096;"));
    auto sender = db.borrow_column_sender();
    const auto aside = dir / "default-ingest-0.unreplayable-0";
    ASSERT_TRUE(fs::is_directory(aside));
    EXPECT_EQ(segment_count(aside), segments.size() - 1) << "what survived is kept";
    auto notice = sender.poll_qwp_ws_error();
    ASSERT_TRUE(notice.has_value());
    EXPECT_NE(notice->message.find("gap"), std::string::npos) << notice->message;
    flush_batch(sender, 20);
    sender.wait(AckLevel::ok, 10s);
    EXPECT_EQ(committed_ids(server).size(), 50u) << "only the new batch: a gap is never replayed";
}

TEST_F(PoolDisk, WhenNoSetAsideNameIsFreeTheBorrowFailsAndTheFramesStay) {
    make_unreplayable_slot(*this);
    for (int n = 0; n < 64; ++n) {
        fs::create_directories(dir / ("default-ingest-0.unreplayable-" + std::to_string(n)));
    }
    auto db = QuestDb::connect(conf());
    try {
        auto sender = db.borrow_column_sender();
        FAIL() << "a slot that could not be set aside was replaced";
    } catch (const Error& e) {
        EXPECT_EQ(e.error_code(), ErrorCode::store_error) << e.what();
        EXPECT_NE(std::string(e.what()).find("default-ingest-0"), std::string::npos) << e.what();
    }
    EXPECT_EQ(server.row_count("disk"), 50u) << "only the acknowledged batch";
    EXPECT_GT(segment_count(dir / "default-ingest-0"), 0u) << "the frames stay on disk";
    EXPECT_EQ(db.stats().slots_set_aside, 0u);
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
        Flusher child(conf("initial_connect_retry=async;close_flush_timeout_millis=0;"),
                      next_batch);
        // Let it get going, then kill it at a random moment.
        const int before_kill = std::uniform_int_distribution<int>(1, 40)(rng);
        ASSERT_NO_FATAL_FAILURE(kill_after_reports(child, before_kill, [&](const FlushReport& r) {
            reported.insert(r.batch);
            next_batch = std::max(next_batch, r.batch + 1);
        }));
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
            const auto id =
                batch * static_cast<std::int64_t>(kRowsPerBatch) + static_cast<std::int64_t>(i);
            ASSERT_TRUE(ids.count(id)) << "lost row " << id << " of reported batch " << batch;
        }
    }
    EXPECT_EQ(server.row_count("disk"), ids.size()) << "no duplicates: nothing was in flight";
}

/// What children killed while the server was up told the parent.
struct KillLog {
    std::set<std::int64_t> reported;  ///< batches whose flush() returned
    std::map<std::uint64_t, std::int64_t> batch_of_fsn;
    std::uint64_t max_observed_ack = 0;    ///< highest acked FSN any child saw (+1)
    int rounds_with_frames_in_flight = 0;  ///< last report showed unacknowledged frames
};

/// Runs `rounds` children against the running server, each flushing batches into the same
/// slot and reporting every returned flush, SIGKILLed after a random number of reports. The
/// server answers fast, with 1 ms or 4 ms delayed acks, or not at all (acks stalled), by turn,
/// so that kills land with frames committed but not acknowledged.
void run_kill_rounds_with_server_up(PoolDisk& t, int rounds, KillLog& log) {
    std::mt19937 rng(20261207);
    std::int64_t next_batch = 0;
    for (int round = 0; round < rounds; ++round) {
        t.server.faults().clear();
        switch (round % 4) {
            case 1:
                t.server.faults().delay_acks(1ms);
                break;
            case 2:
                t.server.faults().delay_acks(4ms);
                break;
            case 3:
                t.server.faults().stall_acks(true);
                break;
            default:
                break;
        }
        Flusher child(t.conf("initial_connect_retry=async;close_flush_timeout_millis=0;"),
                      next_batch);
        FlushReport last{-1, 0, 0};
        const int before_kill = std::uniform_int_distribution<int>(1, 40)(rng);
        ASSERT_NO_FATAL_FAILURE(kill_after_reports(child, before_kill, [&](const FlushReport& r) {
            log.reported.insert(r.batch);
            log.batch_of_fsn[r.fsn] = r.batch;
            log.max_observed_ack = std::max(log.max_observed_ack, r.acked_plus_one);
            next_batch = std::max(next_batch, r.batch + 1);
            last = r;
        }));
        if (last.batch >= 0 && last.fsn + 1 > last.acked_plus_one) {
            ++log.rounds_with_frames_in_flight;
        }
        next_batch += 1;  // the batch in flight at the kill may or may not be stored
    }
    t.server.faults().clear();
}

/// Rows per id committed to table "disk".
std::map<std::int64_t, int> committed_id_counts(const ts::Server& server) {
    std::map<std::int64_t, int> counts;
    const auto table = server.table("disk");
    for (const auto& row : table.rows()) {
        const auto id = row.i64("id");
        EXPECT_EQ(row.str("sym"), "S" + std::to_string(id % 5)) << "id " << id;
        ++counts[id];
    }
    return counts;
}

void expect_every_reported_batch_once_or_more(const KillLog& log,
                                              const std::map<std::int64_t, int>& counts) {
    for (const auto batch : log.reported) {
        for (std::size_t i = 0; i < kRowsPerBatch; ++i) {
            const auto id =
                batch * static_cast<std::int64_t>(kRowsPerBatch) + static_cast<std::int64_t>(i);
            ASSERT_TRUE(counts.count(id)) << "lost row " << id << " of reported batch " << batch;
        }
    }
}

/// Runs the kill rounds, drains the slot with a fresh pool and checks that every reported batch
/// arrived; returns the committed rows per id.
std::map<std::int64_t, int> kill_then_drain(PoolDisk& t, KillLog& log) {
    run_kill_rounds_with_server_up(t, 20, log);
    EXPECT_GE(log.reported.size(), 20u);
    EXPECT_GE(log.rounds_with_frames_in_flight, 5)
        << "the kills must land with frames unacknowledged";
    auto db = QuestDb::connect(t.conf());
    auto sender = db.borrow_column_sender();
    sender.wait(AckLevel::ok, 30s);
    auto counts = committed_id_counts(t.server);
    expect_every_reported_batch_once_or_more(log, counts);
    return counts;
}

// With the server up, a kill can land after the server committed a frame and before the
// child learned of it: the next sender replays it, so the row appears twice. That is the
// at-least-once contract, and it must be the only way to get a duplicate: a frame whose
// acknowledgement any child observed (acked_fsn()) is never delivered again.
TEST_F(PoolDisk, SigkillWithFramesInFlightLosesNothingAndDuplicatesOnlyUnacknowledgedFrames) {
    KillLog log;
    const auto counts = kill_then_drain(*this, log);
    std::set<std::int64_t> duplicated;
    for (const auto& [id, n] : counts) {
        if (n > 1)
            duplicated.insert(id / static_cast<std::int64_t>(kRowsPerBatch));
    }
    for (const auto& [fsn, batch] : log.batch_of_fsn) {
        if (fsn + 1 <= log.max_observed_ack) {
            EXPECT_FALSE(duplicated.count(batch))
                << "batch " << batch << " (FSN " << fsn << ") was seen acknowledged, then replayed";
        }
    }
    std::cout << "[          ] " << log.reported.size() << " batches reported, "
              << log.rounds_with_frames_in_flight << " kills with frames in flight, "
              << duplicated.size() << " batches delivered more than once\n";
}

// The same kills on a table with dedup keys (designated timestamp + id): the replays upsert,
// so every row is there exactly once.
TEST_F(PoolDisk, SigkillWithFramesInFlightOnADedupTableLeavesNoDuplicates) {
    server.set_dedup_keys("disk", {"id"});
    KillLog log;
    const auto counts = kill_then_drain(*this, log);
    for (const auto& [id, n] : counts) {
        ASSERT_EQ(n, 1) << "id " << id << " stored " << n << " times on a dedup table";
    }
    EXPECT_EQ(server.row_count("disk"), counts.size());
}

}  // namespace
