// Frame-queue semantics, run against both storages: memory and disk behave the same.

#include <gtest/gtest.h>

#include <thread>

#include "queue_test_support.hpp"
#include "sf/disk_queue.hpp"
#include "sf/frame_queue.hpp"
#include "support/wait_for.hpp"

namespace questdb::sf {
namespace {

using test::frame_number;
using test::in_ms;
using test::numbered_frame;

enum class Storage { memory, disk };

class QueueSemantics : public ::testing::TestWithParam<Storage> {
  protected:
    std::unique_ptr<FrameQueue> make_queue(std::uint64_t total = 1 << 20,
                                           std::uint64_t segment = 64 << 10) {
        const QueueLimits limits{total, segment};
        if (GetParam() == Storage::memory) {
            auto q = MemoryQueue::open({limits});
            EXPECT_TRUE(q.ok());
            return std::move(q).value();
        }
        DiskQueueOptions options;
        options.sf_dir = dir_.path() / "sf";
        options.sender_id = "slot-" + std::to_string(++slots_);
        options.limits = limits;
        auto q = DiskQueue::open(options);
        EXPECT_TRUE(q.ok()) << q.failure().message;
        return std::move(q).value();
    }

  private:
    test::TempDir dir_;
    int slots_ = 0;
};

TEST_P(QueueSemantics, AppendAssignsConsecutiveFsnsFromZero) {
    auto q = make_queue();
    EXPECT_EQ(q->published_fsn(), kNoFsn);
    EXPECT_EQ(q->acked_fsn(), kNoFsn);
    for (std::uint64_t i = 0; i < 10; ++i) {
        auto fsn = q->append(numbered_frame(i), in_ms(1000));
        ASSERT_TRUE(fsn.ok()) << fsn.failure().message;
        EXPECT_EQ(fsn.value(), static_cast<std::int64_t>(i));
    }
    EXPECT_EQ(q->published_fsn(), 9);
}

TEST_P(QueueSemantics, CursorReturnsFramesInOrderAcrossSegments) {
    auto q = make_queue(1 << 20, 1024);  // ~10 frames per block
    for (std::uint64_t i = 0; i < 100; ++i) {
        ASSERT_TRUE(q->append(numbered_frame(i, 90), in_ms(1000)).ok());
    }
    EXPECT_GT(q->segment_count(), 5u);
    std::vector<std::int64_t> fsns;
    auto frames = test::drain_cursor(*q, &fsns);
    ASSERT_EQ(frames.size(), 100u);
    for (std::uint64_t i = 0; i < 100; ++i) {
        EXPECT_EQ(frame_number(frames[i]), i);
        EXPECT_EQ(fsns[i], static_cast<std::int64_t>(i));
        EXPECT_EQ(frames[i].size(), 90u);
    }
}

TEST_P(QueueSemantics, AckTrimsWholeSegmentsAndCursorStartsAfterTheWatermark) {
    auto q = make_queue(1 << 20, 1024);
    for (std::uint64_t i = 0; i < 100; ++i) {
        ASSERT_TRUE(q->append(numbered_frame(i, 90), in_ms(1000)).ok());
    }
    const auto used_before = q->used_bytes();
    const auto segments_before = q->segment_count();
    ASSERT_TRUE(q->ack(54).ok());
    EXPECT_EQ(q->acked_fsn(), 54);
    EXPECT_LT(q->segment_count(), segments_before);
    EXPECT_LT(q->used_bytes(), used_before);
    std::vector<std::int64_t> fsns;
    auto frames = test::drain_cursor(*q, &fsns);
    ASSERT_EQ(frames.size(), 45u);
    EXPECT_EQ(fsns.front(), 55);
    EXPECT_EQ(frame_number(frames.front()), 55u);
    EXPECT_EQ(frame_number(frames.back()), 99u);
}

TEST_P(QueueSemantics, AckIsIdempotentAndRejectsUnpublishedFsns) {
    auto q = make_queue();
    ASSERT_TRUE(q->append(numbered_frame(0), in_ms(1000)).ok());
    ASSERT_TRUE(q->ack(0).ok());
    EXPECT_TRUE(q->ack(0).ok());
    EXPECT_TRUE(q->ack(-1).ok());
    auto st = q->ack(5);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.failure().code, ErrorCode::invalid_api_call);
    EXPECT_EQ(q->acked_fsn(), 0);
}

TEST_P(QueueSemantics, CursorSkipsFramesAckedWhileBehindAndRewindReplays) {
    auto q = make_queue(1 << 20, 1024);
    for (std::uint64_t i = 0; i < 30; ++i) {
        ASSERT_TRUE(q->append(numbered_frame(i, 90), in_ms(1000)).ok());
    }
    auto cursor = q->cursor();
    FrameView view;
    for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(cursor.next(view));
    }
    EXPECT_EQ(view.fsn, 4);
    ASSERT_TRUE(q->ack(19).ok());
    ASSERT_TRUE(cursor.next(view));
    EXPECT_EQ(view.fsn, 20);
    EXPECT_EQ(frame_number(view.bytes), 20u);
    ASSERT_TRUE(cursor.next(view));
    cursor.rewind();
    EXPECT_EQ(cursor.position(), 20);
    ASSERT_TRUE(cursor.next(view));
    EXPECT_EQ(view.fsn, 20);
}

TEST_P(QueueSemantics, CursorSeesFramesAppendedAfterItCaughtUp) {
    auto q = make_queue();
    auto cursor = q->cursor();
    FrameView view;
    EXPECT_FALSE(cursor.next(view));
    ASSERT_TRUE(q->append(numbered_frame(7), in_ms(1000)).ok());
    ASSERT_TRUE(cursor.next(view));
    EXPECT_EQ(frame_number(view.bytes), 7u);
    EXPECT_FALSE(cursor.next(view));
}

TEST_P(QueueSemantics, FrameLargerThanASegmentIsRejectedUpFront) {
    auto q = make_queue(1 << 20, 1024);
    auto r = q->append(std::vector<std::uint8_t>(1024, 1), in_ms(1000));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.failure().code, ErrorCode::limit_exceeded);
    EXPECT_NE(r.failure().message.find("sf_max_segment_bytes"), std::string::npos);
    auto empty = q->append({}, in_ms(1000));
    ASSERT_FALSE(empty.ok());
    EXPECT_EQ(empty.failure().code, ErrorCode::invalid_api_call);
    EXPECT_EQ(q->published_fsn(), kNoFsn);
}

TEST_P(QueueSemantics, BackpressureBlocksThenTimesOutThenSucceedsAfterAck) {
    // Cap 1 KiB: 24-byte header + 9 frames of 8 + 100 bytes = 996 bytes.
    auto q = make_queue(1024, 1024);
    for (std::uint64_t i = 0; i < 9; ++i) {
        ASSERT_TRUE(q->append(numbered_frame(i, 100), in_ms(1000)).ok());
    }
    const auto start = Clock::now();
    auto r = q->append(numbered_frame(9, 100), in_ms(100));
    ASSERT_FALSE(r.ok());
    EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(100));
    EXPECT_EQ(r.failure().code, ErrorCode::backpressure_timeout);
    EXPECT_NE(r.failure().message.find("sf_max_total_bytes"), std::string::npos);
    EXPECT_NE(r.failure().message.find("Nothing was dropped"), std::string::npos);
    EXPECT_EQ(q->published_fsn(), 8);
    EXPECT_EQ(q->backpressure_stalls(), 1u);
    EXPECT_EQ(test::drain_cursor(*q).size(), 9u);

    // Acknowledging everything lets the next append start a fresh block.
    ASSERT_TRUE(q->ack(8).ok());
    auto ok = q->append(numbered_frame(9, 100), in_ms(1000));
    ASSERT_TRUE(ok.ok()) << ok.failure().message;
    EXPECT_EQ(ok.value(), 9);
    auto rest = test::drain_cursor(*q);
    ASSERT_EQ(rest.size(), 1u);
    EXPECT_EQ(frame_number(rest[0]), 9u);
}

TEST_P(QueueSemantics, BlockedAppendResumesWhenAnotherThreadAcks) {
    auto q = make_queue(2048, 1024);
    std::uint64_t n = 0;
    while (q->append(numbered_frame(n, 100), in_ms(0)).ok()) {
        ++n;
    }
    ASSERT_GT(n, 10u);
    std::atomic<bool> appended{false};
    std::thread producer([&] {
        auto r = q->append(numbered_frame(n, 100), in_ms(10000));
        appended = r.ok();
    });
    EXPECT_TRUE(questdb::test::wait_for([&] { return q->backpressure_stalls() >= 2; }));
    EXPECT_FALSE(appended.load());
    ASSERT_TRUE(q->ack(static_cast<std::int64_t>(n / 2)).ok());
    producer.join();
    EXPECT_TRUE(appended.load());
    EXPECT_EQ(q->published_fsn(), static_cast<std::int64_t>(n));
}

TEST_P(QueueSemantics, WaitForRoomAnswersWithoutStoringAndWakesOnAckOrInterrupt) {
    auto q = make_queue(1024, 1024);  // 9 frames of 8 + 100 bytes fill it (see above)
    const auto next = numbered_frame(9, 100);
    const std::span<const std::uint8_t> one[1] = {next};
    EXPECT_TRUE(q->wait_for_room(one, in_ms(0)));  // empty: room at once
    for (std::uint64_t i = 0; i < 9; ++i) {
        ASSERT_TRUE(q->append(numbered_frame(i, 100), in_ms(1000)).ok());
    }
    const auto start = Clock::now();
    EXPECT_FALSE(q->wait_for_room(one, in_ms(50)));
    EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(50));
    EXPECT_EQ(q->published_fsn(), 8) << "waiting stores nothing";

    std::atomic<int> woke{-1};
    std::thread waiter([&] { woke = q->wait_for_room(one, in_ms(10000)) ? 1 : 0; });
    ASSERT_TRUE(q->ack(8).ok());  // all acknowledged: the next append starts a fresh block
    waiter.join();
    EXPECT_EQ(woke.load(), 1);

    ASSERT_TRUE(q->append(numbered_frame(9, 100), in_ms(1000)).ok());
    for (std::uint64_t i = 10; q->append(numbered_frame(i, 100), in_ms(0)).ok(); ++i) {
    }
    woke = -1;
    std::thread interrupted([&] { woke = q->wait_for_room(one, in_ms(10000)) ? 1 : 0; });
    // No sleep: interrupts are counted, so one that lands before the wait starts is missed
    // only by a wait that began after it; repeat until the waiter has returned.
    EXPECT_TRUE(questdb::test::wait_for(
        [&] {
            q->interrupt_waiters();
            return woke.load() == 0;
        },
        std::chrono::seconds(5)));
    interrupted.join();
}

TEST_P(QueueSemantics, FrameThatCanNeverFitTheCapFailsImmediately) {
    auto q = make_queue(200, 4096);
    auto r = q->append(std::vector<std::uint8_t>(190, 1), in_ms(10000));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.failure().code, ErrorCode::limit_exceeded);
}

TEST_P(QueueSemantics, AppendGroupStoresAllOrNothing) {
    auto q = make_queue(1024, 512);
    std::vector<std::vector<std::uint8_t>> frames;
    for (std::uint64_t i = 0; i < 6; ++i) {
        frames.push_back(numbered_frame(i, 100));
    }
    std::vector<std::span<const std::uint8_t>> spans(frames.begin(), frames.end());
    auto r = q->append_group(spans, in_ms(1000));
    ASSERT_TRUE(r.ok()) << r.failure().message;
    EXPECT_EQ(r.value(), 5);
    // The second group of 6 would exceed the cap: nothing of it is stored.
    auto full = q->append_group(spans, in_ms(50));
    ASSERT_FALSE(full.ok());
    EXPECT_EQ(full.failure().code, ErrorCode::backpressure_timeout);
    EXPECT_EQ(q->published_fsn(), 5);
    auto frames_read = test::drain_cursor(*q);
    ASSERT_EQ(frames_read.size(), 6u);
    for (std::uint64_t i = 0; i < 6; ++i) {
        EXPECT_EQ(frame_number(frames_read[i]), i);
    }
}

TEST_P(QueueSemantics, WaitForAckReachesTimesOutAndIsInterruptible) {
    auto q = make_queue();
    for (std::uint64_t i = 0; i < 3; ++i) {
        ASSERT_TRUE(q->append(numbered_frame(i), in_ms(1000)).ok());
    }
    EXPECT_EQ(q->wait_for_ack(2, std::chrono::milliseconds(30)), AckWaitResult::timed_out);
    std::thread acker([&] {
        EXPECT_TRUE(q->ack(0).ok());
        EXPECT_TRUE(q->ack(2).ok());
    });
    EXPECT_EQ(q->wait_for_ack(2, std::chrono::seconds(10)), AckWaitResult::reached);
    acker.join();
    ASSERT_TRUE(q->append(numbered_frame(3), in_ms(1000)).ok());
    std::atomic<bool> done{false};
    std::thread interrupter([&] {
        while (!done.load()) {  // keeps interrupting until the wait below has seen one
            q->interrupt_waiters();
            std::this_thread::yield();
        }
    });
    EXPECT_EQ(q->wait_for_ack(3, std::chrono::nanoseconds(0)), AckWaitResult::interrupted);
    done = true;
    interrupter.join();
}

TEST_P(QueueSemantics, CloseFailsAppendsAndReleasesWaiters) {
    auto q = make_queue();
    ASSERT_TRUE(q->append(numbered_frame(0), in_ms(1000)).ok());
    std::thread closer([&] { EXPECT_TRUE(q->close().ok()); });  // before or during the wait
    EXPECT_EQ(q->wait_for_ack(0, std::chrono::nanoseconds(0)), AckWaitResult::closed);
    closer.join();
    auto r = q->append(numbered_frame(1), in_ms(1000));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.failure().code, ErrorCode::invalid_api_call);
    EXPECT_FALSE(q->wait_for_frames(0, in_ms(1000)));
}

TEST_P(QueueSemantics, WaitForFramesWakesOnAppendAndPublishListenerFires) {
    auto q = make_queue();
    std::atomic<int> notified{0};
    q->set_publish_listener([&] { ++notified; });
    std::thread producer([&] { EXPECT_TRUE(q->append(numbered_frame(0), in_ms(1000)).ok()); });
    EXPECT_TRUE(q->wait_for_frames(kNoFsn, in_ms(10000)));
    producer.join();
    EXPECT_EQ(notified.load(), 1);
    EXPECT_FALSE(q->wait_for_frames(0, in_ms(10)));
}

TEST(FrameFlags, DeferCommitIsReadFromTheQwpFlagsByte) {
    std::vector<std::uint8_t> frame = {'Q', 'W', 'P', '1', 1, 0x09, 0, 0, 0, 0, 0, 0};
    EXPECT_TRUE(is_deferred_commit_frame(frame));
    frame[5] = 0x08;
    EXPECT_FALSE(is_deferred_commit_frame(frame));
    std::vector<std::uint8_t> not_qwp = {'X', 'W', 'P', '1', 1, 0x01, 0, 0, 0, 0, 0, 0};
    EXPECT_FALSE(is_deferred_commit_frame(not_qwp));
    EXPECT_FALSE(is_deferred_commit_frame(std::vector<std::uint8_t>{'Q', 'W', 'P', '1', 1, 1}));
}

TEST(QueueLimits, TooSmallSizesAreConfigErrors) {
    auto r = MemoryQueue::open({QueueLimits{1 << 20, 16}});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.failure().code, ErrorCode::config_error);
    EXPECT_NE(r.failure().message.find("sf_max_segment_bytes"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Storages, QueueSemantics,
                         ::testing::Values(Storage::memory, Storage::disk), [](const auto& info) {
                             return info.param == Storage::memory ? "memory" : "disk";
                         });

}  // namespace
}  // namespace questdb::sf
