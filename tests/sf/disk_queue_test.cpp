// Disk-mode behaviour beyond the shared queue semantics: restart and replay, the slot lock,
// trimming files, the symbol dictionary, recovery of damaged slots, injected write failures,
// periodic sync and orphan discovery.

#include "sf/disk_queue.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "queue_test_support.hpp"
#include "sf/record_file.hpp"
#include "sf/segment_file.hpp"
#include "support/wait_for.hpp"

namespace questdb::sf {
namespace {

using test::frame_number;
using test::in_ms;
using test::numbered_frame;

class DiskQueueTest : public ::testing::Test {
  protected:
    DiskQueueOptions options(std::string sender_id = "default") const {
        DiskQueueOptions o;
        o.sf_dir = dir_.path() / "sf";
        o.sender_id = std::move(sender_id);
        o.limits = QueueLimits{1 << 20, 4096};
        return o;
    }
    std::unique_ptr<DiskQueue> open(const DiskQueueOptions& o) {
        auto q = DiskQueue::open(o);
        EXPECT_TRUE(q.ok()) << q.failure().message;
        return q.ok() ? std::move(q).value() : nullptr;
    }
    std::unique_ptr<DiskQueue> open() { return open(options()); }
    std::filesystem::path slot(const std::string& id = "default") const {
        return dir_.path() / "sf" / id;
    }
    std::vector<std::filesystem::path> segment_files(const std::string& id = "default") const {
        std::vector<std::filesystem::path> out;
        for (const auto& e : std::filesystem::directory_iterator(slot(id))) {
            if (is_segment_file_name(e.path().filename().string())) {
                out.push_back(e.path());
            }
        }
        std::sort(out.begin(), out.end());
        return out;
    }
    static void append_range(FrameQueue& q, std::uint64_t from, std::uint64_t to,
                             std::size_t size = 100) {
        for (std::uint64_t i = from; i < to; ++i) {
            auto r = q.append(numbered_frame(i, size), in_ms(1000));
            ASSERT_TRUE(r.ok()) << r.failure().message;
            ASSERT_EQ(r.value(), static_cast<std::int64_t>(i));
        }
    }
    static std::vector<std::uint64_t> numbers(FrameQueue& q) {
        std::vector<std::uint64_t> out;
        for (const auto& f : test::drain_cursor(q)) {
            out.push_back(frame_number(f));
        }
        return out;
    }
    static std::vector<std::uint64_t> iota(std::uint64_t from, std::uint64_t to) {
        std::vector<std::uint64_t> out;
        for (auto i = from; i < to; ++i) {
            out.push_back(i);
        }
        return out;
    }

    test::TempDir dir_;
};

TEST_F(DiskQueueTest, RestartReplaysUnackedFramesAndContinuesFsns) {
    {
        auto q = open();
        append_range(*q, 0, 100);
        ASSERT_TRUE(q->ack(41).ok());
        ASSERT_TRUE(q->close().ok());
    }
    auto q = open();
    const auto& report = q->recovery_report();
    EXPECT_EQ(report.acked_fsn, 41);
    EXPECT_EQ(report.published_fsn, 99);
    EXPECT_EQ(report.unacked_frames, 58u);
    EXPECT_EQ(report.torn_tail_bytes, 0u);
    EXPECT_EQ(q->acked_fsn(), 41);
    EXPECT_EQ(q->published_fsn(), 99);
    EXPECT_EQ(numbers(*q), iota(42, 100));
    auto next = q->append(numbered_frame(100, 100), in_ms(1000));
    ASSERT_TRUE(next.ok());
    EXPECT_EQ(next.value(), 100);
}

TEST_F(DiskQueueTest, AckingDeletesWholeSegmentFiles) {
    auto q = open();
    append_range(*q, 0, 1200);  // ~37 frames per 4 KiB segment
    const auto before = segment_files().size();
    ASSERT_GT(before, kMaxSpareSegments + 8);
    ASSERT_TRUE(q->ack(1150).ok());
    const auto after = segment_files().size();
    EXPECT_LT(after, before);
    // Live segments plus at most kMaxSpareSegments wiped spares kept for reuse.
    EXPECT_LE(after, q->segment_count() + kMaxSpareSegments);
    EXPECT_GE(after, q->segment_count());
    EXPECT_EQ(numbers(*q), iota(1151, 1200));
}

// Recycled segments are not wiped whole (durability memory): the old frames stay behind a
// zeroed first header, and every write zeroes the header slot after its frame first. Frames
// of one size put the old frames exactly where the next new frame would start, so a crash
// right after an append must stop the scan at the new frames, first in the mapping of a
// recycled spare, then (after recovery) through the pwritev path of the recovered segment.
TEST_F(DiskQueueTest, ACrashNeverResurrectsTheOldFramesOfARecycledSegment) {
    constexpr std::size_t kSize = 100;     // 108 bytes stored: 37 frames per 4 KiB segment
    constexpr std::uint64_t kFirst = 740;  // 20 full segments, then acknowledged
    constexpr std::uint64_t kLast = kFirst + 37 + 5;  // the active segment, 6 into a spare
    // Appends [from, to) in a child that then dies without closing (like SIGKILL: nothing
    // but what append() put in the page cache survives); `ack_first` acknowledges [0, from).
    const auto crash_after = [&](std::uint64_t from, std::uint64_t to, bool ack_first) {
        const pid_t child = ::fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            auto q = DiskQueue::open(options());
            if (!q.ok()) {
                ::_exit(2);
            }
            if (ack_first) {
                for (std::uint64_t i = 0; i < from; ++i) {
                    if (!q.value()->append(numbered_frame(i, kSize), in_ms(1000)).ok()) {
                        ::_exit(3);
                    }
                }
                if (!q.value()->ack(static_cast<std::int64_t>(from) - 1).ok()) {
                    ::_exit(4);
                }
            }
            for (std::uint64_t i = from; i < to; ++i) {
                if (!q.value()->append(numbered_frame(i, kSize), in_ms(1000)).ok()) {
                    ::_exit(5);
                }
            }
            ::_exit(0);
        }
        int status = 0;
        ASSERT_EQ(::waitpid(child, &status, 0), child);
        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0);
    };
    crash_after(kFirst, kLast, true);
    {
        auto q = open();
        ASSERT_NE(q, nullptr);
        EXPECT_EQ(q->published_fsn(), static_cast<std::int64_t>(kLast) - 1);
        EXPECT_EQ(q->recovery_report().torn_tail_bytes, 0u);
        EXPECT_EQ(numbers(*q), iota(static_cast<std::uint64_t>(q->acked_fsn() + 1), kLast));
        ASSERT_TRUE(q->close().ok());
    }
    // The next sender appends to the recovered segment, whose old frames follow the new
    // ones; the one after its last frame must not be mistaken for a new frame either.
    crash_after(kLast, kLast + 2, false);
    auto q = open();
    ASSERT_NE(q, nullptr);
    EXPECT_EQ(q->published_fsn(), static_cast<std::int64_t>(kLast) + 1);
    EXPECT_EQ(q->recovery_report().torn_tail_bytes, 0u);
    EXPECT_EQ(numbers(*q), iota(static_cast<std::uint64_t>(q->acked_fsn() + 1), kLast + 2));
}

TEST_F(DiskQueueTest, DrainedCloseLeavesAnEmptySlotAndTheNextOpenStartsFresh) {
    {
        auto q = open();
        append_range(*q, 0, 10);
        ASSERT_TRUE(q->ack(9).ok());
        ASSERT_TRUE(q->close().ok());
    }
    EXPECT_TRUE(segment_files().empty());
    EXPECT_FALSE(std::filesystem::exists(slot() / kManifestFileName));
    auto q = open();
    EXPECT_EQ(q->published_fsn(), kNoFsn);
    EXPECT_TRUE(numbers(*q).empty());
}

TEST_F(DiskQueueTest, SecondOpenerOfTheSlotFailsUntilTheFirstCloses) {
    auto first = open();
    auto second = DiskQueue::open(options());
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.failure().code, ErrorCode::store_slot_in_use);
    EXPECT_NE(second.failure().message.find("already in use"), std::string::npos);
    EXPECT_NE(second.failure().message.find("pid=" + std::to_string(::getpid())),
              std::string::npos);
    EXPECT_TRUE(DiskQueue::open(options("other")).ok());  // other slots are independent
    ASSERT_TRUE(first->close().ok());
    EXPECT_TRUE(DiskQueue::open(options()).ok());
}

TEST_F(DiskQueueTest, AnotherProcessHoldingTheSlotLocksUsOutUntilItIsKilled) {
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        auto q = DiskQueue::open(options());
        const char ok = q.ok() ? '1' : '0';
        (void)::write(ready[1], &ok, 1);
        ::pause();
        ::_exit(0);
    }
    char ok = 0;
    ASSERT_EQ(::read(ready[0], &ok, 1), 1);
    ASSERT_EQ(ok, '1');
    auto blocked = DiskQueue::open(options());
    ASSERT_FALSE(blocked.ok());
    EXPECT_EQ(blocked.failure().code, ErrorCode::store_slot_in_use);
    EXPECT_NE(blocked.failure().message.find("pid=" + std::to_string(child)), std::string::npos);
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    ::close(ready[0]);
    ::close(ready[1]);
    EXPECT_TRUE(DiskQueue::open(options()).ok());  // the kernel released the lock
}

TEST_F(DiskQueueTest, SlotPathRules) {
    auto bad_id = DiskQueue::open(options("a/b"));
    ASSERT_FALSE(bad_id.ok());
    EXPECT_EQ(bad_id.failure().code, ErrorCode::config_error);
    EXPECT_FALSE(DiskQueue::open(options("")).ok());
    EXPECT_FALSE(DiskQueue::open(options("..")).ok());

    auto deep = options();
    deep.sf_dir = dir_.path() / "missing-parent" / "sf";
    auto no_parent = DiskQueue::open(deep);
    ASSERT_FALSE(no_parent.ok());
    EXPECT_EQ(no_parent.failure().code, ErrorCode::store_error);
    EXPECT_NE(no_parent.failure().message.find("parent"), std::string::npos);

    auto tilde = options();
    tilde.sf_dir = dir_.path() / "~";
    auto q = DiskQueue::open(tilde);
    ASSERT_TRUE(q.ok());
    EXPECT_TRUE(std::filesystem::is_directory(dir_.path() / "~" / "default"));
}

TEST_F(DiskQueueTest, PoolSlotNamesFollowTheRustAndCppScheme) {
    EXPECT_EQ(pool_slot_name("ingest-svc", 0), "ingest-svc-ingest-0");
    EXPECT_EQ(pool_slot_name("default", 12), "default-ingest-12");
    EXPECT_TRUE(is_valid_sender_id(pool_slot_name("a_b-C9", 3)));
    EXPECT_FALSE(is_valid_sender_id("has space"));
    EXPECT_FALSE(is_valid_sender_id("dot.ted"));
}

TEST_F(DiskQueueTest, SymbolDictionaryIsPersistedWithTheFrames) {
    {
        auto q = open();
        EXPECT_EQ(q->persisted_symbol_count(), 0u);
        const std::string_view first[] = {"AAPL", "MSFT"};
        const std::string_view second[] = {"GOOG"};
        ASSERT_TRUE(q->persist_symbols(first).ok());
        append_range(*q, 0, 1);
        ASSERT_TRUE(q->persist_symbols(second).ok());
        append_range(*q, 1, 2);
        EXPECT_EQ(q->persisted_symbol_count(), 3u);
    }
    auto q = open();
    EXPECT_EQ(q->recovered_symbols(), (std::vector<std::string>{"AAPL", "MSFT", "GOOG"}));
    EXPECT_EQ(q->persisted_symbol_count(), 3u);
    EXPECT_EQ(q->recovery_report().symbols, 3u);
    const std::string_view more[] = {"TSLA"};
    ASSERT_TRUE(q->persist_symbols(more).ok());
    ASSERT_TRUE(q->ack(1).ok());
    ASSERT_TRUE(q->close().ok());
    // Drained: the dictionary goes with the frames; a fresh slot starts from id 0.
    auto fresh = open();
    EXPECT_TRUE(fresh->recovered_symbols().empty());
}

TEST_F(DiskQueueTest, TornTailIsTruncatedAndReported) {
    {
        auto q = open();
        append_range(*q, 0, 20);
    }
    // Corrupt a payload byte of frame 15 (in the last segment).
    const auto files = segment_files();
    ASSERT_FALSE(files.empty());
    auto last = files.back();
    std::vector<std::int64_t> fsns;
    {
        std::fstream f(last, std::ios::in | std::ios::out | std::ios::binary);
        std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(f)), {});
        std::uint64_t corrupt_at = 0;
        ASSERT_TRUE(scan_segment_bytes(bytes, [&](std::uint64_t fsn, std::uint64_t off,
                                                  std::span<const std::uint8_t>) {
                        if (fsn == 15)
                            corrupt_at = off + 20;
                    }).ok());
        ASSERT_NE(corrupt_at, 0u);
        f.seekp(static_cast<std::streamoff>(corrupt_at));
        f.put(static_cast<char>(bytes[corrupt_at] ^ 0x5A));
    }
    auto q = open();
    EXPECT_EQ(q->published_fsn(), 14);
    EXPECT_GT(q->recovery_report().torn_tail_bytes, 0u);
    ASSERT_FALSE(q->recovery_report().notes.empty());
    EXPECT_NE(q->recovery_report().notes[0].find("torn"), std::string::npos);
    EXPECT_EQ(numbers(*q), iota(0, 15));
    append_range(*q, 15, 30);
    ASSERT_TRUE(q->close().ok());
    auto again = open();
    EXPECT_EQ(again->recovery_report().torn_tail_bytes, 0u);
    EXPECT_EQ(numbers(*again), iota(0, 30));
}

TEST_F(DiskQueueTest, AMissingMiddleSegmentIsAGapAndTheSlotIsLeftAlone) {
    {
        auto q = open();
        append_range(*q, 0, 150);
    }
    const auto files = segment_files();
    ASSERT_GE(files.size(), 3u);
    std::filesystem::remove(files[1]);
    auto q = DiskQueue::open(options());
    ASSERT_FALSE(q.ok());
    EXPECT_EQ(q.failure().code, ErrorCode::store_resend_required) << "unreplayable, not I/O";
    EXPECT_NE(q.failure().message.find("gap"), std::string::npos);
    EXPECT_EQ(segment_files().size(), files.size() - 1);
}

TEST_F(DiskQueueTest, AnEmptyFrameMakesTheSlotUnreplayable) {
    {
        auto q = open();
        append_range(*q, 0, 3);
    }
    // Rewrite frame 0 as a CRC-valid empty frame: no client writes one.
    const auto files = segment_files();
    ASSERT_EQ(files.size(), 1u);
    std::uint8_t fh[8];
    encode_frame_header({}, fh);
    {
        std::fstream f(files[0], std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(static_cast<std::streamoff>(kSegmentHeaderSize));
        f.write(reinterpret_cast<const char*>(fh), sizeof fh);
    }
    auto q = DiskQueue::open(options());
    ASSERT_FALSE(q.ok());
    EXPECT_EQ(q.failure().code, ErrorCode::store_resend_required) << q.failure().message;
    EXPECT_EQ(segment_files().size(), 1u) << "the slot is left as found";
}

// Recovery re-reserves the blocks of every kept segment: a (sparse) file far beyond any segment
// size a client writes must not be trusted, or opening the slot could fill the disk.
TEST_F(DiskQueueTest, ASegmentFileLargerThanAnyClientWritesIsUnreplayableAndUntouched) {
    {
        auto q = open();
        append_range(*q, 0, 3);
    }
    const auto files = segment_files();
    ASSERT_EQ(files.size(), 1u);
    const std::uint64_t huge = kMaxSegmentFileBytes + 4096;
    std::filesystem::resize_file(files[0], huge);  // sparse: no blocks allocated
    auto q = DiskQueue::open(options());
    ASSERT_FALSE(q.ok());
    EXPECT_EQ(q.failure().code, ErrorCode::store_resend_required) << q.failure().message;
    EXPECT_EQ(std::filesystem::file_size(files[0]), huge) << "left as found";
}

TEST_F(DiskQueueTest, SetAsideMovesTheWholeSlotMarksItFailedAndDeletesNothing) {
    {
        auto q = open();
        append_range(*q, 0, 60);
    }
    const auto before = segment_files();
    auto moved = set_slot_aside(dir_.path() / "sf", "default", "test reason: gap");
    ASSERT_TRUE(moved.ok()) << moved.failure().message;
    EXPECT_EQ(moved.value(), dir_.path() / "sf" / "default.unreplayable-0");
    EXPECT_FALSE(std::filesystem::exists(slot()));
    std::size_t kept = 0;
    for (const auto& e : std::filesystem::directory_iterator(moved.value())) {
        kept += is_segment_file_name(e.path().filename().string()) ? 1 : 0;
    }
    EXPECT_EQ(kept, before.size()) << "every segment file is kept";
    auto reason = read_small_file(moved.value() / kFailedFileName, 4096);
    ASSERT_TRUE(reason.ok());
    EXPECT_EQ(reason.value(), "test reason: gap");
    auto orphans = find_orphan_slots(dir_.path() / "sf");
    ASSERT_TRUE(orphans.ok());
    EXPECT_TRUE(orphans.value().empty()) << "a set-aside slot is never adopted";
    // The next set-aside of the same name takes the next free number.
    {
        auto q = open();
        append_range(*q, 0, 5);
    }
    auto second = set_slot_aside(dir_.path() / "sf", "default", "again");
    ASSERT_TRUE(second.ok()) << second.failure().message;
    EXPECT_EQ(second.value(), dir_.path() / "sf" / "default.unreplayable-1");
    EXPECT_TRUE(std::filesystem::exists(moved.value() / kFailedFileName)) << "first one intact";
}

TEST_F(DiskQueueTest, SetAsideFailsLoudlyWhenEveryNameIsTakenOrTheSlotIsHeld) {
    {
        auto q = open();
        append_range(*q, 0, 5);
    }
    for (int n = 0; n < kMaxSetAsideNames; ++n) {
        std::filesystem::create_directory(dir_.path() / "sf" /
                                          ("default.unreplayable-" + std::to_string(n)));
    }
    auto moved = set_slot_aside(dir_.path() / "sf", "default", "why");
    ASSERT_FALSE(moved.ok());
    EXPECT_EQ(moved.failure().code, ErrorCode::store_error);
    EXPECT_NE(moved.failure().message.find("cannot be set aside"), std::string::npos);
    EXPECT_EQ(segment_files().size(), 1u) << "the slot stays where it was";
    for (int n = 0; n < kMaxSetAsideNames; ++n) {
        EXPECT_TRUE(std::filesystem::is_empty(dir_.path() / "sf" /
                                              ("default.unreplayable-" + std::to_string(n))))
            << "nothing replaced";
    }
    auto held = open();
    auto refused = set_slot_aside(dir_.path() / "sf", "default", "why");
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.failure().code, ErrorCode::store_slot_in_use);
}

TEST_F(DiskQueueTest, SegmentWithABadHeaderIsQuarantined) {
    {
        auto q = open();
        append_range(*q, 0, 10);
    }
    std::ofstream(slot() / segment_file_name(999), std::ios::binary) << "garbage-not-a-segment";
    auto q = open();
    EXPECT_EQ(numbers(*q), iota(0, 10));
    EXPECT_TRUE(std::filesystem::exists(slot() / (segment_file_name(999) + ".corrupt")));
    ASSERT_FALSE(q->recovery_report().notes.empty());
}

// A segment whose header cannot be read held frames nobody can name any more. When they were
// not acknowledged, recovery must not carry on with the rest as if the slot were whole: the
// slot is unreplayable (the pool then sets it aside), and every file stays as it was found.
TEST_F(DiskQueueTest, AnUnreadableOldestSegmentWithUnackedFramesMakesTheSlotUnreplayable) {
    {
        auto q = open();
        append_range(*q, 0, 100);  // about 37 frames per 4 KiB segment: three segments
    }
    const auto files = segment_files();
    ASSERT_GE(files.size(), 3u);
    {
        std::fstream f(files.front(), std::ios::in | std::ios::out | std::ios::binary);
        f << std::string(kSegmentHeaderSize, 'X');
    }
    auto q = DiskQueue::open(options());
    ASSERT_FALSE(q.ok()) << "frames 0..36 would be lost without a word";
    EXPECT_EQ(q.failure().code, ErrorCode::store_resend_required);
    EXPECT_NE(q.failure().message.find("unreadable header"), std::string::npos)
        << q.failure().message;
    EXPECT_NE(q.failure().message.find("frames 0.."), std::string::npos) << q.failure().message;
    EXPECT_EQ(segment_files(), files) << "a refused slot keeps its files as found";
}

TEST_F(DiskQueueTest, AnUnreadableNewestSegmentMakesTheSlotUnreplayable) {
    {
        auto q = open();
        append_range(*q, 0, 100);
        ASSERT_TRUE(q->ack(10).ok());
    }
    const auto files = segment_files();
    ASSERT_GE(files.size(), 3u);
    {
        std::fstream f(files.back(), std::ios::in | std::ios::out | std::ios::binary);
        f << std::string(kSegmentHeaderSize, 'X');
    }
    auto q = DiskQueue::open(options());
    ASSERT_FALSE(q.ok()) << "the newest frames would be lost without a word";
    EXPECT_EQ(q.failure().code, ErrorCode::store_resend_required);
    EXPECT_NE(q.failure().message.find("being appended to"), std::string::npos)
        << q.failure().message;
}

TEST_F(DiskQueueTest, ABlankSegmentFileWasNeverWrittenAndLosesNothing) {
    {
        auto q = open();
        append_range(*q, 0, 10);
    }
    // A crash between recording a new active segment and writing its header leaves a file of
    // zeros that the manifest names as the one being appended to. Nothing was in it.
    std::ofstream(slot() / segment_file_name(999), std::ios::binary) << std::string(4096, '\0');
    ASSERT_TRUE(ManifestFile::create(slot(), 0, 10, false, nullptr).ok());
    auto q = open();
    ASSERT_TRUE(q);
    EXPECT_EQ(numbers(*q), iota(0, 10));
}

// Found by fuzz_sf_recovery: a header whose base FSN is near INT64_MAX made the recovered
// FSN arithmetic overflow. Such a segment is corrupt, not data.
TEST_F(DiskQueueTest, SegmentWithAnImplausibleBaseFsnIsQuarantined) {
    {
        auto q = open();
        append_range(*q, 0, 10);
    }
    for (const std::uint64_t base : {kMaxPlausibleFsn, std::uint64_t{INT64_MAX}}) {
        const auto path = slot() / segment_file_name(base);
        auto seg = SegmentFile::create(path, base, 4096, 1, nullptr);
        ASSERT_TRUE(seg.ok()) << seg.failure().message;
        ASSERT_TRUE(seg.value()->write_frame(kSegmentHeaderSize, numbered_frame(1, 16)).ok());
        seg.value().reset();
        auto q = open();
        EXPECT_EQ(numbers(*q), iota(0, 10));
        EXPECT_TRUE(std::filesystem::exists(path.string() + ".corrupt")) << base;
        const auto& notes = q->recovery_report().notes;
        EXPECT_TRUE(std::any_of(notes.begin(), notes.end(), [](const std::string& n) {
            return n.find("implausible base FSN") != std::string::npos;
        }));
    }
}

TEST_F(DiskQueueTest, ACorruptWatermarkOnlyCausesReplay) {
    {
        auto q = open();
        append_range(*q, 0, 10);
        ASSERT_TRUE(q->ack(5).ok());
    }
    std::filesystem::resize_file(slot() / kAckWatermarkFileName, 100);
    auto q = open();
    EXPECT_EQ(q->acked_fsn(), -1);
    EXPECT_EQ(numbers(*q), iota(0, 10));
}

std::vector<std::uint8_t> qwp_frame(std::uint64_t n, bool defer) {
    auto f = numbered_frame(n, 40);
    // Not a valid QWP body, but the recovery only reads the magic and the flags byte; keep
    // the number readable at offset 16.
    std::vector<std::uint8_t> out(16 + f.size(), 0);
    const std::uint8_t head[6] = {'Q', 'W', 'P',
                                  '1', 1,   static_cast<std::uint8_t>(defer ? 0x09 : 0x08)};
    std::memcpy(out.data(), head, sizeof head);
    std::memcpy(out.data() + 16, f.data(), f.size());
    return out;
}

std::uint64_t qwp_frame_number(std::span<const std::uint8_t> bytes) {
    return frame_number(bytes.subspan(16));
}

TEST_F(DiskQueueTest, AnUncommittedDeferredGroupAtTheTailIsDroppedOnRecovery) {
    {
        auto q = open();
        ASSERT_TRUE(q->append(qwp_frame(0, false), in_ms(1000)).ok());
        ASSERT_TRUE(q->append(qwp_frame(1, true), in_ms(1000)).ok());
        ASSERT_TRUE(q->append(qwp_frame(2, false), in_ms(1000)).ok());  // commits 1..2
        ASSERT_TRUE(q->append(qwp_frame(3, true), in_ms(1000)).ok());
        ASSERT_TRUE(q->append(qwp_frame(4, true), in_ms(1000)).ok());  // 3..4: no commit
    }
    auto q = open();
    EXPECT_EQ(q->recovery_report().aborted_group_frames, 2u);
    EXPECT_EQ(q->published_fsn(), 2);
    std::vector<std::uint64_t> got;
    for (const auto& f : test::drain_cursor(*q)) {
        got.push_back(qwp_frame_number(f));
    }
    EXPECT_EQ(got, (std::vector<std::uint64_t>{0, 1, 2}));
    auto next = q->append(qwp_frame(5, false), in_ms(1000));
    ASSERT_TRUE(next.ok());
    EXPECT_EQ(next.value(), 3);
}

TEST_F(DiskQueueTest, AnAbortedGroupSpanningSegmentsIsDroppedWhole) {
    {
        auto q = open();
        ASSERT_TRUE(q->append(qwp_frame(0, false), in_ms(1000)).ok());
        for (std::uint64_t i = 1; i <= 150; ++i) {  // several 4 KiB segments of deferred frames
            ASSERT_TRUE(q->append(qwp_frame(i, true), in_ms(1000)).ok());
        }
        ASSERT_GT(q->segment_count(), 2u);
    }
    auto q = open();
    EXPECT_EQ(q->recovery_report().aborted_group_frames, 150u);
    EXPECT_EQ(q->published_fsn(), 0);
    EXPECT_EQ(segment_files().size(), 1u);
    auto next = q->append(qwp_frame(1, false), in_ms(1000));
    ASSERT_TRUE(next.ok());
    EXPECT_EQ(next.value(), 1);
}

TEST_F(DiskQueueTest, ACommittedDeferredGroupIsKept) {
    {
        auto q = open();
        ASSERT_TRUE(q->append(qwp_frame(0, true), in_ms(1000)).ok());
        ASSERT_TRUE(q->append(qwp_frame(1, true), in_ms(1000)).ok());
        ASSERT_TRUE(q->append(qwp_frame(2, false), in_ms(1000)).ok());
    }
    auto q = open();
    EXPECT_EQ(q->recovery_report().aborted_group_frames, 0u);
    EXPECT_EQ(q->published_fsn(), 2);
}

TEST_F(DiskQueueTest, AFailedWriteKeepsEveryAcceptedFrameAndTheFsnIsNotConsumed) {
    auto faults = std::make_shared<FaultInjector>();
    auto o = options();
    o.faults = faults;
    {
        auto q = open(o);
        append_range(*q, 0, 10);
        faults->fail_nth_write(1, EIO);
        auto failed = q->append(numbered_frame(10, 100), in_ms(1000));
        ASSERT_FALSE(failed.ok());
        EXPECT_EQ(failed.failure().code, ErrorCode::store_error);
        EXPECT_EQ(q->published_fsn(), 9);
        append_range(*q, 10, 20);  // the next append gets FSN 10 and succeeds
    }
    auto q = open(o);
    EXPECT_EQ(numbers(*q), iota(0, 20));
}

TEST_F(DiskQueueTest, AFullDiskFailsAppendsClearlyUntilSpaceReturns) {
    auto faults = std::make_shared<FaultInjector>();
    auto o = options();
    o.faults = faults;
    {
        auto q = open(o);
        append_range(*q, 0, 50);
        faults->fail_nth_write(1, ENOSPC, /*sticky=*/true);
        for (int i = 0; i < 60; ++i) {  // crosses segment boundaries: creation fails too
            auto r = q->append(numbered_frame(50, 100), in_ms(1000));
            ASSERT_FALSE(r.ok());
            EXPECT_EQ(r.failure().code, ErrorCode::store_error);
            EXPECT_NE(r.failure().message.find("disk is full"), std::string::npos)
                << r.failure().message;
        }
        EXPECT_EQ(q->published_fsn(), 49);
        EXPECT_EQ(numbers(*q), iota(0, 50));
        faults->clear();
        append_range(*q, 50, 150);  // rotates into new segments again
    }
    auto q = open(o);
    EXPECT_EQ(numbers(*q), iota(0, 150));
    for (const auto& e : std::filesystem::directory_iterator(slot())) {
        EXPECT_EQ(e.path().filename().string().find(".corrupt"), std::string::npos);
    }
}

TEST_F(DiskQueueTest, AFailedFreshStartAtTheCapNeitherLosesNorResurrectsFrames) {
    auto faults = std::make_shared<FaultInjector>();
    auto o = options();
    o.limits = QueueLimits{4096, 4096};  // one segment: a full one must start over
    o.faults = faults;
    {
        auto q = open(o);
        std::uint64_t n = 0;
        while (q->append(numbered_frame(n, 100), in_ms(0)).ok()) {
            ++n;
        }
        ASSERT_TRUE(q->ack(q->published_fsn()).ok());
        faults->fail_nth_write(1, ENOSPC, /*sticky=*/true);
        auto r = q->append(numbered_frame(n, 100), in_ms(100));
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.failure().code, ErrorCode::store_error);
        faults->clear();
        ASSERT_TRUE(q->close().ok());  // drained
    }
    auto q = open(o);
    EXPECT_TRUE(numbers(*q).empty()) << "acknowledged frames came back";
    EXPECT_EQ(q->published_fsn(), kNoFsn);
}

TEST_F(DiskQueueTest, EveryInjectedWriteFailureDuringTrafficLosesNothing) {
    // Fail the Nth write-like operation for many N (frames, segment creation, manifest,
    // watermark): each failure surfaces as a store_error and no accepted frame is lost.
    for (std::int64_t n = 1; n <= 40; n += 3) {
        auto faults = std::make_shared<FaultInjector>();
        auto o = options("fail-" + std::to_string(n));
        o.faults = faults;
        std::vector<std::uint64_t> accepted;
        {
            auto q = open(o);
            faults->fail_nth_write(n, EIO);
            for (std::uint64_t i = 0; i < 120; ++i) {
                if (q->append(numbered_frame(i, 100), in_ms(1000)).ok()) {
                    accepted.push_back(i);
                }
                if (i % 30 == 29) {
                    (void)q->ack(q->published_fsn() - 5);
                }
            }
            // A failed append consumes no FSN: the k-th accepted frame has FSN k, and the
            // acknowledged ones are not replayed.
            const auto acked = static_cast<std::size_t>(q->acked_fsn() + 1);
            accepted.erase(accepted.begin(), accepted.begin() + static_cast<std::ptrdiff_t>(acked));
        }
        auto q = open(o);
        EXPECT_EQ(numbers(*q), accepted) << "failing write " << n;
    }
}

TEST_F(DiskQueueTest, PeriodicDurabilitySyncsInTheBackgroundAndLatchesFailures) {
    auto faults = std::make_shared<FaultInjector>();
    auto o = options();
    o.durability = Durability::periodic;
    o.sync_interval = std::chrono::milliseconds(5);
    o.faults = faults;
    auto q = open(o);
    append_range(*q, 0, 10);
    EXPECT_TRUE(questdb::test::wait_for([&] { return q->syncs_completed() >= 2; }));
    faults->fail_nth_write(1, EIO, /*sticky=*/true);
    EXPECT_TRUE(questdb::test::wait_for([&] {
        auto r = q->append(numbered_frame(10, 100), in_ms(1000));
        return !r.ok() && r.failure().message.find("periodic sync failed") != std::string::npos;
    }));
    faults->clear();
    EXPECT_LE(q->published_fsn(), 10);
}

TEST_F(DiskQueueTest, OrphanScanFindsUnlockedSlotsWithData) {
    {
        auto a = open(options("a"));  // data left behind
        append_range(*a, 0, 5);
        auto b = open(options("b"));  // drained: empty
        append_range(*b, 0, 5);
        ASSERT_TRUE(b->ack(4).ok());
        auto d = open(options("d"));  // data, but a drainer gave up on it
        append_range(*d, 0, 5);
    }
    ASSERT_TRUE(mark_slot_failed(slot("d"), "auth failed").ok());
    auto c = open(options("c"));  // data, still owned
    append_range(*c, 0, 5);
    auto e = open(options("e"));  // data, will be excluded by name
    append_range(*e, 0, 5);
    ASSERT_TRUE(e->close().ok());

    const std::string exclude[] = {"e"};
    auto orphans = find_orphan_slots(dir_.path() / "sf", exclude);
    ASSERT_TRUE(orphans.ok());
    ASSERT_EQ(orphans.value().size(), 1u);
    EXPECT_EQ(orphans.value()[0].sender_id, "a");
    EXPECT_EQ(orphans.value()[0].slot_dir, slot("a"));

    // A drainer opens the orphan by name and sees its frames.
    auto drainer = open(options("a"));
    EXPECT_EQ(numbers(*drainer), iota(0, 5));
    EXPECT_TRUE(find_orphan_slots(dir_.path() / "sf", exclude).value().empty());
    EXPECT_TRUE(find_orphan_slots(dir_.path() / "nope").value().empty());
}

// A reader that sees `.failed` finds the whole reason in it; a marker whose writer crashed
// before the rename (only the staged file exists) does not mark the slot failed.
TEST_F(DiskQueueTest, AFailedMarkerAppearsWholeOrNotAtAll) {
    {
        auto a = open(options("a"));
        append_range(*a, 0, 5);
    }
    {
        std::ofstream torn(slot("a") / ".failed.tmp");
        torn << "auth fa";
    }
    auto orphans = find_orphan_slots(dir_.path() / "sf");
    ASSERT_TRUE(orphans.ok());
    ASSERT_EQ(orphans.value().size(), 1u) << "a staged marker is not a marker";

    const std::string reason(10000, 'r');
    ASSERT_TRUE(mark_slot_failed(slot("a"), reason).ok());
    auto marker = read_small_file(slot("a") / ".failed", 1 << 20);
    ASSERT_TRUE(marker.ok());
    EXPECT_EQ(marker.value(), reason);
    EXPECT_FALSE(std::filesystem::exists(slot("a") / ".failed.tmp"));
    EXPECT_TRUE(find_orphan_slots(dir_.path() / "sf").value().empty());
}

}  // namespace
}  // namespace questdb::sf
