#pragma once

// The store-and-forward frame queue: what flush() appends to and what the delivery thread
// sends from. One engine, two storages: MemoryQueue (heap blocks) and DiskQueue (segment
// files under <sf_dir>/<sender_id>/, see disk_queue.hpp). Both give every appended frame the
// next frame sequence number (FSN), never drop a frame, block the producer at the byte cap
// until acknowledgements free space, and let a cursor walk the unacknowledged frames in order.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace questdb::sf {

using Clock = std::chrono::steady_clock;
/// An absolute point in time on the steady clock.
using Deadline = Clock::time_point;

/// "No frame": the published/acked FSN of a queue that has none.
inline constexpr std::int64_t kNoFsn = -1;

/// Size of the per-frame header ([u32 crc32c][u32 length]) every stored frame carries.
inline constexpr std::uint64_t kFrameHeaderSize = 8;
/// Size of the segment header (the SF01 header on disk; reserved in memory too).
inline constexpr std::uint64_t kSegmentHeaderSize = 24;

inline constexpr std::uint64_t kDefaultMaxSegmentBytes = 4ull << 20;        // sf_max_segment_bytes
inline constexpr std::uint64_t kDefaultMemoryMaxTotalBytes = 128ull << 20;  // memory mode
inline constexpr std::uint64_t kDefaultDiskMaxTotalBytes = 10ull << 30;     // sf_dir mode
inline constexpr std::uint64_t kMinSegmentBytes = kSegmentHeaderSize + kFrameHeaderSize + 1;

/// QWP flags-byte bit 0: the frame's rows are not committed until a later frame without it.
inline constexpr std::uint8_t kQwpFlagDeferCommit = 0x01;

/// Whether `frame` is a QWP message ("QWP1" magic) with FLAG_DEFER_COMMIT set in its
/// flags byte (offset 5). Anything else (including non-QWP test payloads) is not deferred.
[[nodiscard]] bool is_deferred_commit_frame(std::span<const std::uint8_t> frame) noexcept;

/// One stored frame as the cursor returns it. `bytes` stays valid while the cursor that
/// returned it is alive and not advanced past it (the cursor pins the storage block), even
/// if the frame is acknowledged and trimmed meanwhile.
struct FrameView {
    std::int64_t fsn = kNoFsn;
    std::span<const std::uint8_t> bytes;
    [[nodiscard]] bool defer_commit() const noexcept { return is_deferred_commit_frame(bytes); }
};

/// Limits shared by both storages.
struct QueueLimits {
    /// sf_max_total_bytes: cap on stored bytes (segment headers + frame headers + payloads
    /// of every live block, acknowledged-but-not-yet-trimmed frames included).
    std::uint64_t max_total_bytes = kDefaultMemoryMaxTotalBytes;
    /// sf_max_segment_bytes: size of one storage block / segment file; a frame plus 32 bytes
    /// of headers must fit in one. Blocks are min(max_segment_bytes, max_total_bytes).
    std::uint64_t max_segment_bytes = kDefaultMaxSegmentBytes;
};

/// Options of the memory-mode queue.
struct MemoryQueueOptions {
    QueueLimits limits{};
};

/// Result of waiting for acknowledgements.
enum class AckWaitResult {
    reached,      ///< acked_fsn() reached the target
    timed_out,    ///< no acknowledgement progress for the whole no-progress timeout
    closed,       ///< the queue was closed
    interrupted,  ///< interrupt_waiters() was called
};

namespace detail_queue {
class Segment;
}

class FrameCursor;

/// The queue engine. Use MemoryQueue or DiskQueue.
///
/// Threading: append() from one producer thread at a time (the user's flush), ack() and the
/// cursors from one consumer thread (the delivery thread); the observers and waits from any
/// thread. All methods are thread-safe in that sense; none throws (errors are Status/Result).
class FrameQueue {
  public:
    FrameQueue(const FrameQueue&) = delete;
    FrameQueue& operator=(const FrameQueue&) = delete;
    virtual ~FrameQueue();

    /// Stores a copy of `frame` and returns its FSN (published_fsn() + 1).
    ///
    /// Blocks while the queue is at max_total_bytes, until acknowledgements free room or
    /// `deadline` passes; then fails with backpressure_timeout and stores nothing. Fails with
    /// limit_exceeded when the frame can never fit (larger than a segment or the cap), with
    /// store_error when the storage fails (every frame accepted before stays stored), and
    /// with invalid_api_call when the queue is closed or the frame is empty.
    [[nodiscard]] detail::Result<std::int64_t> append(std::span<const std::uint8_t> frame,
                                                      Deadline deadline);

    /// Appends several frames as one unit: either all are stored (consecutive FSNs; returns
    /// the last one) or none is. Use it for a FLAG_DEFER_COMMIT split so the queue never holds
    /// half a group. Same blocking and errors as append(); the group must fit in the cap.
    /// `waiting_since` (default: now) is when the caller began waiting for room, for the
    /// backpressure_timeout message of a caller that waited in wait_for_room() first.
    [[nodiscard]] detail::Result<std::int64_t> append_group(
        std::span<const std::span<const std::uint8_t>> frames, Deadline deadline,
        std::optional<Deadline> waiting_since = std::nullopt);

    /// Blocks until `frames` would fit (as append_group() would pack them now), the queue is
    /// closed, or `deadline` passes; returns whether they fit. Stores nothing: a producer
    /// that must not hold a lock while it waits (SfSenderCore's symbol dictionary) waits here
    /// without the lock, then appends under it with a deadline already past.
    [[nodiscard]] bool wait_for_room(std::span<const std::span<const std::uint8_t>> frames,
                                     Deadline deadline);

    /// Highest FSN stored, or kNoFsn. Non-blocking.
    [[nodiscard]] std::int64_t published_fsn() const noexcept {
        return published_.load(std::memory_order_acquire);
    }
    /// Highest FSN the server acknowledged (everything <= it is acknowledged), or kNoFsn.
    [[nodiscard]] std::int64_t acked_fsn() const noexcept {
        return acked_.load(std::memory_order_acquire);
    }

    /// Records that every frame with FSN <= `fsn` is acknowledged: frees their space (whole
    /// blocks/segment files once all their frames are acknowledged), persists the watermark
    /// in disk mode, wakes a blocked producer and ack waiters. An `fsn` at or below
    /// acked_fsn() is a no-op; one above published_fsn() is an invalid_api_call. A store_error
    /// (watermark or unlink failed) still advances acked_fsn() in memory.
    detail::Status ack(std::int64_t fsn);

    /// A cursor positioned at the first unacknowledged frame.
    [[nodiscard]] FrameCursor cursor();

    /// Blocks until published_fsn() > `after_fsn`, the queue is closed, or `deadline` passes.
    /// Returns whether a frame after `after_fsn` is available.
    bool wait_for_frames(std::int64_t after_fsn, Deadline deadline);

    /// Blocks until acked_fsn() >= `target`. `no_progress_timeout` restarts whenever acked_fsn()
    /// advances; zero means wait forever (until reached, closed or interrupted).
    AckWaitResult wait_for_ack(std::int64_t target, std::chrono::nanoseconds no_progress_timeout);

    /// Wakes every wait_for_ack() currently blocked with AckWaitResult::interrupted (e.g. the
    /// sender latched a terminal error), every wait_for_frames() and every wait_for_room().
    void interrupt_waiters();

    /// Called (on the producer's thread, outside any lock) after each successful append, so
    /// the delivery thread can be woken without polling. Set before use; not thread-safe.
    void set_publish_listener(std::function<void()> listener) { listener_ = std::move(listener); }

    /// Stops the queue: appends fail, waits return. Disk mode also syncs and releases the
    /// slot (see DiskQueue::close). Idempotent.
    virtual detail::Status close();
    [[nodiscard]] bool closed() const noexcept;

    /// Bytes counted against max_total_bytes right now.
    [[nodiscard]] std::uint64_t used_bytes() const;
    [[nodiscard]] const QueueLimits& limits() const noexcept { return limits_; }
    /// How many appends had to wait for space (observability: backpressure stalls).
    [[nodiscard]] std::uint64_t backpressure_stalls() const noexcept { return stalls_.load(); }
    /// Live storage blocks (segments), including the active one.
    [[nodiscard]] std::size_t segment_count() const;

  protected:
    using SegmentPtr = std::shared_ptr<detail_queue::Segment>;

    explicit FrameQueue(QueueLimits limits);

    /// Storage hooks. create_segment is called on the producer thread without the engine
    /// lock; retire_segments and persist_ack on whichever thread trims (never concurrently
    /// with each other for the same segments).
    virtual detail::Result<SegmentPtr> create_segment(std::uint64_t base_fsn,
                                                      std::uint64_t capacity) = 0;
    virtual detail::Status retire_segments(std::vector<SegmentPtr> retired,
                                           std::uint64_t new_head_base) = 0;
    virtual detail::Status persist_ack(std::int64_t fsn) = 0;

    /// Installs recovered state (disk mode) before the queue is shared: the live segments,
    /// the FSN the next append gets, and the acknowledged FSN.
    void adopt_recovered(std::deque<SegmentPtr> segments, std::int64_t next_fsn,
                         std::int64_t acked_fsn);
    /// Checked before every append; a failure (e.g. a latched fsync error) fails the append.
    [[nodiscard]] virtual detail::Status check_healthy() const { return {}; }

    /// Marks the queue closed and wakes everyone; returns whether it was open.
    bool mark_closed();
    /// Snapshot of the live segments (for sync/close in subclasses).
    [[nodiscard]] std::vector<SegmentPtr> segments_snapshot() const;
    /// Capacity of every segment append() creates: min(max_segment_bytes, max_total_bytes).
    [[nodiscard]] std::uint64_t segment_capacity() const noexcept { return segment_capacity_; }

  private:
    friend class FrameCursor;

    // Under mutex_: whether `need` more bytes stay within max_total_bytes.
    [[nodiscard]] bool fits_locked(std::uint64_t need) const noexcept {
        return used_bytes_ + need <= limits_.max_total_bytes;
    }
    // Under mutex_: everything stored is acknowledged, so an append may retire every segment
    // and start over in a fresh one (the active segment cannot be trimmed while in use).
    [[nodiscard]] bool can_start_over_locked() const noexcept {
        return !segments_.empty() && published_.load() <= acked_.load();
    }
    detail::Result<std::int64_t> append_frames(
        std::span<const std::span<const std::uint8_t>> frames, Deadline deadline,
        std::optional<Deadline> waiting_since = std::nullopt);
    [[nodiscard]] detail::Failure backpressure_failure(std::uint64_t need, Deadline started) const;
    /// Locates the segment holding `fsn` (nullptr if trimmed or not yet published).
    SegmentPtr find_segment(std::int64_t fsn) const;

    QueueLimits limits_;
    std::uint64_t segment_capacity_;

    mutable std::mutex mutex_;
    std::condition_variable space_cv_;
    std::condition_variable frames_cv_;
    std::condition_variable ack_cv_;
    std::deque<SegmentPtr> segments_;  // oldest first; back() is the active segment
    std::uint64_t used_bytes_ = 0;
    std::uint64_t interrupt_epoch_ = 0;
    bool closed_ = false;

    std::atomic<std::int64_t> published_{kNoFsn};
    std::atomic<std::int64_t> acked_{kNoFsn};
    std::atomic<std::uint64_t> stalls_{0};
    std::function<void()> listener_;
};

/// Walks stored frames in FSN order, starting at the first unacknowledged one. Used by the
/// consumer (delivery) thread only. Never blocks: next() returns false when it has caught up
/// with published_fsn() (then use FrameQueue::wait_for_frames). Frames acknowledged while the
/// cursor is behind them are skipped. Move-only; must not outlive its queue.
class FrameCursor {
  public:
    explicit FrameCursor(FrameQueue& queue);

    /// The next frame, or false if every published frame has been returned.
    bool next(FrameView& out);
    /// Back to the first unacknowledged frame (replay after a reconnect).
    void rewind();
    /// The FSN next() would return.
    [[nodiscard]] std::int64_t position() const noexcept { return next_fsn_; }

  private:
    FrameQueue* queue_;
    FrameQueue::SegmentPtr segment_;
    std::uint64_t offset_ = 0;
    std::int64_t next_fsn_ = 0;
};

/// Memory mode (no sf_dir): frames live in heap blocks of max_segment_bytes; unacknowledged
/// frames are lost if the process dies.
class MemoryQueue final : public FrameQueue {
  public:
    explicit MemoryQueue(MemoryQueueOptions options = {});
    ~MemoryQueue() override;

    /// Validates the options (sizes) and builds the queue.
    [[nodiscard]] static detail::Result<std::unique_ptr<MemoryQueue>> open(
        MemoryQueueOptions options = {});

  protected:
    detail::Result<SegmentPtr> create_segment(std::uint64_t base_fsn,
                                              std::uint64_t capacity) override;
    detail::Status retire_segments(std::vector<SegmentPtr> retired,
                                   std::uint64_t new_head_base) override;
    detail::Status persist_ack(std::int64_t) override { return {}; }

  private:
    // Retired blocks kept for reuse (all of segment capacity): a recycled block is already
    // mapped and faulted in, a fresh one costs a page fault per 4 KiB on the producer's copy
    // (bench/e2e_bench, S1 in 10k-row batches: ~4,500 faults per 1M rows with one spare).
    // Bounded like the disk queue's spare files: min(64 MiB, a quarter of max_total_bytes).
    std::mutex spare_mutex_;
    std::vector<std::unique_ptr<std::uint8_t[]>> spares_;
    std::size_t spare_limit_ = 1;
};

/// Validates limits: sizes large enough for one byte of payload.
[[nodiscard]] detail::Status validate_limits(const QueueLimits& limits);

}  // namespace questdb::sf
