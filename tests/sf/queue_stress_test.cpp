// One producer and one consumer hammering a small queue: FSNs stay dense and ordered, every
// frame arrives intact exactly once per pass, and backpressure never drops anything.

#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "queue_test_support.hpp"
#include "sf/disk_queue.hpp"
#include "sf/frame_queue.hpp"
#include "support/wait_for.hpp"

namespace questdb::sf {
namespace {

using namespace std::chrono_literals;
using test::frame_number;
using test::in_ms;
using test::numbered_frame;

// Drives `queue` with `total` frames of random sizes from a producer thread while this thread
// consumes, acknowledges in random steps and sometimes rewinds (a reconnect).
void run_producer_consumer(FrameQueue& queue, std::uint64_t total, std::size_t max_frame) {
    std::atomic<bool> producer_failed{false};
    std::thread producer([&] {
        std::mt19937_64 rng(42);
        for (std::uint64_t i = 0; i < total; ++i) {
            const std::size_t size = 8 + rng() % (max_frame - 8);
            auto r = queue.append(numbered_frame(i, size), in_ms(30000));
            if (!r.ok() || r.value() != static_cast<std::int64_t>(i)) {
                producer_failed = true;
                return;
            }
        }
    });

    // Backpressure is the point: consume nothing until the producer has filled the queue and
    // waited for room once. (Consuming at once let a fast consumer keep the queue from ever
    // filling when the producer ran slowly, as under ASan on a busy machine.)
    if (!questdb::test::wait_for([&] { return queue.backpressure_stalls() > 0; }, 30s)) {
        producer.join();  // its append times out: nothing consumes
        FAIL() << "the producer never filled the queue";
    }

    std::mt19937_64 rng(7);
    auto cursor = queue.cursor();
    std::int64_t expected = 0;
    std::int64_t received = kNoFsn;
    FrameView view;
    while (queue.acked_fsn() < static_cast<std::int64_t>(total) - 1 && !producer_failed) {
        if (!cursor.next(view)) {
            if (received > queue.acked_fsn()) {
                ASSERT_TRUE(queue.ack(received).ok());  // caught up: acknowledge the rest
            }
            queue.wait_for_frames(cursor.position() - 1, in_ms(100));
            continue;
        }
        ASSERT_EQ(view.fsn, expected) << "frames out of order";
        ASSERT_EQ(frame_number(view.bytes), static_cast<std::uint64_t>(view.fsn))
            << "frame content damaged at FSN " << view.fsn;
        received = view.fsn;
        ++expected;
        if (rng() % 4 == 0) {
            const std::int64_t acked = queue.acked_fsn();
            const std::int64_t to =
                acked + 1 + static_cast<std::int64_t>(rng() % (received - acked));
            ASSERT_TRUE(queue.ack(to).ok());
        }
        if (rng() % 500 == 0) {
            cursor.rewind();  // a reconnect: replay from the first unacknowledged frame
            expected = queue.acked_fsn() + 1;
        }
    }
    producer.join();
    EXPECT_FALSE(producer_failed.load());
    EXPECT_EQ(queue.published_fsn(), static_cast<std::int64_t>(total) - 1);
    EXPECT_EQ(queue.acked_fsn(), static_cast<std::int64_t>(total) - 1);
}

TEST(QueueStress, MemoryQueueProducerConsumerKeepsOrderUnderBackpressure) {
    auto q = MemoryQueue::open({QueueLimits{16 << 10, 4 << 10}});
    ASSERT_TRUE(q.ok());
    run_producer_consumer(*q.value(), 20000, 600);
    EXPECT_GT(q.value()->backpressure_stalls(), 0u);
}

TEST(QueueStress, DiskQueueProducerConsumerKeepsOrderUnderBackpressure) {
    test::TempDir dir;
    DiskQueueOptions options;
    options.sf_dir = dir.path();
    options.limits = QueueLimits{16 << 10, 4 << 10};
    auto q = DiskQueue::open(options);
    ASSERT_TRUE(q.ok()) << q.failure().message;
    run_producer_consumer(*q.value(), 20000, 600);
    EXPECT_GT(q.value()->backpressure_stalls(), 0u);
    ASSERT_TRUE(q.value()->close().ok());
    // Everything was acknowledged: the slot is left empty.
    for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "default")) {
        EXPECT_FALSE(entry.path().extension() == ".sfa") << entry.path();
    }
}

TEST(QueueStress, WaitForAckSeesEveryFrameAcknowledged) {
    auto q = std::move(MemoryQueue::open({QueueLimits{64 << 10, 8 << 10}})).value();
    std::thread consumer([&] {
        auto cursor = q->cursor();
        FrameView view;
        std::int64_t last = kNoFsn;
        while (last < 4999) {
            if (cursor.next(view)) {
                last = view.fsn;
                EXPECT_TRUE(q->ack(last).ok());
            } else {
                q->wait_for_frames(last, in_ms(100));
            }
        }
    });
    for (std::uint64_t i = 0; i < 5000; ++i) {
        ASSERT_TRUE(q->append(numbered_frame(i, 100), in_ms(30000)).ok());
    }
    EXPECT_EQ(q->wait_for_ack(4999, std::chrono::seconds(30)), AckWaitResult::reached);
    consumer.join();
}

}  // namespace
}  // namespace questdb::sf
