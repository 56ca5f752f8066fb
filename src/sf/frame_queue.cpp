#include "sf/frame_queue.hpp"

#include <algorithm>
#include <boost/container/small_vector.hpp>
#include <boost/endian/conversion.hpp>
#include <cstring>
#include <string>

#include "sf/segment.hpp"

namespace questdb::sf {

using detail::fail;
using detail::Failure;
using detail::Result;
using detail::Status;
using detail_queue::Segment;

namespace {

constexpr std::uint8_t kQwpMagic[4] = {'Q', 'W', 'P', '1'};
constexpr std::size_t kQwpHeaderSize = 12;
constexpr std::size_t kQwpFlagsOffset = 5;

std::uint32_t load_le32(const std::uint8_t* p) noexcept {
    std::uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return boost::endian::little_to_native(v);
}

// How appending `frames` after `active` would lay out: bytes added to the cap accounting and
// how many new segments it opens. Append follows exactly this layout.
struct PackingPlan {
    std::uint64_t need = 0;
    std::size_t new_segments = 0;
};

PackingPlan plan_packing(std::span<const std::span<const std::uint8_t>> frames,
                         const Segment* active, std::uint64_t segment_capacity) {
    PackingPlan plan;
    std::uint64_t pos = active != nullptr ? active->end() : 0;
    std::uint64_t cap = active != nullptr ? active->capacity() : 0;
    bool have = active != nullptr;
    for (const auto& frame : frames) {
        const std::uint64_t len = kFrameHeaderSize + frame.size();
        if (!have || pos + len > cap) {
            ++plan.new_segments;
            plan.need += kSegmentHeaderSize;
            pos = kSegmentHeaderSize;
            cap = segment_capacity;
            have = true;
        }
        pos += len;
        plan.need += len;
    }
    return plan;
}

// Heap block for memory mode. The CRC field is left zero: memory never outlives the process,
// so there is no torn write to detect.
class MemorySegment final : public Segment {
  public:
    MemorySegment(std::uint64_t base_fsn, std::uint64_t capacity,
                  std::unique_ptr<std::uint8_t[]> block)
        : Segment(base_fsn, capacity, kSegmentHeaderSize, 0), block_(std::move(block)) {
        std::memset(block_.get(), 0, kSegmentHeaderSize);
    }

    Status write_frame(std::uint64_t offset, std::span<const std::uint8_t> payload) override {
        std::uint8_t* at = block_.get() + offset;
        const auto len =
            boost::endian::native_to_little(static_cast<std::uint32_t>(payload.size()));
        std::memset(at, 0, 4);
        std::memcpy(at + 4, &len, 4);
        std::memcpy(at + kFrameHeaderSize, payload.data(), payload.size());
        return {};
    }
    const std::uint8_t* data() const noexcept override { return block_.get(); }
    std::unique_ptr<std::uint8_t[]> take_block() noexcept { return std::move(block_); }

  private:
    std::unique_ptr<std::uint8_t[]> block_;
};

}  // namespace

bool is_deferred_commit_frame(std::span<const std::uint8_t> frame) noexcept {
    return frame.size() >= kQwpHeaderSize && std::memcmp(frame.data(), kQwpMagic, 4) == 0 &&
           (frame[kQwpFlagsOffset] & kQwpFlagDeferCommit) != 0;
}

Status validate_limits(const QueueLimits& limits) {
    if (limits.max_segment_bytes < kMinSegmentBytes) {
        return fail(ErrorCode::config_error, "sf_max_segment_bytes must be at least " +
                                                 std::to_string(kMinSegmentBytes) + " bytes, got " +
                                                 std::to_string(limits.max_segment_bytes));
    }
    if (limits.max_total_bytes < kMinSegmentBytes) {
        return fail(ErrorCode::config_error, "sf_max_total_bytes must be at least " +
                                                 std::to_string(kMinSegmentBytes) + " bytes, got " +
                                                 std::to_string(limits.max_total_bytes));
    }
    if (limits.max_segment_bytes > (std::uint64_t{1} << 31)) {
        return fail(ErrorCode::config_error, "sf_max_segment_bytes must be at most 2 GiB, got " +
                                                 std::to_string(limits.max_segment_bytes));
    }
    return {};
}

// ---- FrameQueue --------------------------------------------------------------------------

FrameQueue::FrameQueue(QueueLimits limits)
    : limits_(limits),
      segment_capacity_(std::min(limits.max_segment_bytes, limits.max_total_bytes)) {}

FrameQueue::~FrameQueue() = default;

Result<std::int64_t> FrameQueue::append(std::span<const std::uint8_t> frame, Deadline deadline) {
    const std::span<const std::uint8_t> one[1] = {frame};
    return append_frames(one, deadline);
}

Result<std::int64_t> FrameQueue::append_group(std::span<const std::span<const std::uint8_t>> frames,
                                              Deadline deadline,
                                              std::optional<Deadline> waiting_since) {
    return append_frames(frames, deadline, waiting_since);
}

bool FrameQueue::wait_for_room(std::span<const std::span<const std::uint8_t>> frames,
                               Deadline deadline) {
    std::unique_lock lock(mutex_);
    const auto epoch = interrupt_epoch_;
    for (;;) {
        if (closed_ || interrupt_epoch_ != epoch) {
            return false;  // closed, or the sender failed terminally: the caller re-checks
        }
        const SegmentPtr active = segments_.empty() ? nullptr : segments_.back();
        const PackingPlan plan = plan_packing(frames, active.get(), segment_capacity_);
        // All acknowledged: append starts over in a fresh block, so the room is there.
        if (fits_locked(plan.need) || can_start_over_locked()) {
            return true;
        }
        if (space_cv_.wait_until(lock, deadline) == std::cv_status::timeout) {
            return false;
        }
    }
}

Failure FrameQueue::backpressure_failure(std::uint64_t need, Deadline started) const {
    const auto waited =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
    return fail(ErrorCode::backpressure_timeout,
                "store-and-forward queue is full: " + std::to_string(used_bytes_) + " of " +
                    std::to_string(limits_.max_total_bytes) +
                    " bytes (sf_max_total_bytes) hold frames not yet acknowledged (acked FSN " +
                    std::to_string(acked_.load()) + ", published FSN " +
                    std::to_string(published_.load()) + "); waited " + std::to_string(waited) +
                    " ms (sf_append_deadline_millis) for acknowledgements to free " +
                    std::to_string(need) + " bytes. Nothing was dropped; the flush can be retried");
}

Result<std::int64_t> FrameQueue::append_frames(
    std::span<const std::span<const std::uint8_t>> frames, Deadline deadline,
    std::optional<Deadline> waiting_since) {
    if (frames.empty()) {
        return fail(ErrorCode::invalid_api_call, "store-and-forward: nothing to append");
    }
    if (auto st = check_healthy(); !st) {
        return std::move(st).failure();
    }
    for (const auto& frame : frames) {
        if (frame.empty()) {
            return fail(ErrorCode::invalid_api_call,
                        "store-and-forward: an empty frame cannot be stored");
        }
        if (kSegmentHeaderSize + kFrameHeaderSize + frame.size() > segment_capacity_) {
            return fail(ErrorCode::limit_exceeded,
                        "store-and-forward: a frame of " + std::to_string(frame.size()) +
                            " bytes does not fit in one segment of " +
                            std::to_string(segment_capacity_) +
                            " bytes; raise sf_max_segment_bytes (and sf_max_total_bytes) above "
                            "the largest flushed frame");
        }
    }
    const PackingPlan fresh = plan_packing(frames, nullptr, segment_capacity_);
    if (fresh.need > limits_.max_total_bytes) {
        return fail(ErrorCode::limit_exceeded,
                    "store-and-forward: " + std::to_string(fresh.need) +
                        " bytes of frames can never fit in sf_max_total_bytes=" +
                        std::to_string(limits_.max_total_bytes));
    }

    std::vector<SegmentPtr> retired;
    SegmentPtr active;
    PackingPlan plan;
    {
        std::unique_lock lock(mutex_);
        const Deadline started = waiting_since.value_or(Clock::now());
        bool stalled = false;
        bool timed_out = false;
        for (;;) {
            if (closed_) {
                return fail(ErrorCode::invalid_api_call, "store-and-forward: the queue is closed");
            }
            active = segments_.empty() ? nullptr : segments_.back();
            plan = plan_packing(frames, active.get(), segment_capacity_);
            if (fits_locked(plan.need)) {
                break;
            }
            if (can_start_over_locked()) {
                // Everything stored is acknowledged but the active block cannot be trimmed
                // while it is being appended to: start over in a fresh block.
                for (auto& seg : segments_) {
                    used_bytes_ -= seg->end();
                    retired.push_back(std::move(seg));
                }
                segments_.clear();
                continue;
            }
            // Checked after one last look at the room, so a deadline that passes as the room
            // appears still appends (the same looks as before the wait, start-over included).
            if (timed_out) {
                return backpressure_failure(plan.need, started);
            }
            if (!stalled) {
                stalled = true;
                stalls_.fetch_add(1);
            }
            timed_out = space_cv_.wait_until(lock, deadline) == std::cv_status::timeout;
        }
        used_bytes_ += plan.need;  // reserved: trims only ever subtract published segments
    }

    struct Touched {
        SegmentPtr segment;
        std::uint64_t end;
        std::uint64_t count;
    };
    // Inline storage: an append touches one or two segments, and a heap vector here was the
    // one allocation of every flush() (bench/flush_latency_bench, allocs/row with 1-row batches).
    boost::container::small_vector<Touched, 4> touched;
    std::size_t created = 0;
    auto fsn = static_cast<std::uint64_t>(published_.load() + 1);
    SegmentPtr current = active;
    std::uint64_t pos = current ? current->end() : 0;
    std::uint64_t count = current ? current->frame_count() : 0;

    auto roll_back = [&](Failure failure) -> Failure {
        std::uint64_t head;
        {
            std::lock_guard lock(mutex_);
            used_bytes_ -= plan.need - created * kSegmentHeaderSize;
            head = segments_.empty() ? static_cast<std::uint64_t>(published_.load() + 1)
                                     : segments_.front()->base_fsn();
        }
        if (!retired.empty()) {
            // Fully acknowledged blocks taken out for a fresh start still go away.
            (void)retire_segments(std::move(retired), head);
        }
        return failure;
    };
    for (const auto& frame : frames) {
        const std::uint64_t len = kFrameHeaderSize + frame.size();
        if (!current || pos + len > current->capacity()) {
            if (current && count != current->frame_count()) {
                touched.push_back({current, pos, count});
            }
            auto made = create_segment(fsn, segment_capacity_);
            if (!made) {
                return roll_back(std::move(made).failure());
            }
            current = std::move(made).value();
            {
                std::lock_guard lock(mutex_);
                segments_.push_back(current);
            }
            ++created;
            pos = kSegmentHeaderSize;
            count = 0;
        }
        if (auto st = current->write_frame(pos, frame); !st) {
            return roll_back(std::move(st).failure());
        }
        pos += len;
        ++count;
        ++fsn;
    }
    touched.push_back({current, pos, count});

    const auto last = static_cast<std::int64_t>(fsn) - 1;
    std::uint64_t new_head = 0;
    {
        std::lock_guard lock(mutex_);
        for (auto& t : touched) {
            t.segment->publish(t.end, t.count);
        }
        published_.store(last, std::memory_order_release);
        new_head = segments_.front()->base_fsn();
    }
    frames_cv_.notify_all();
    Status retire_status;
    if (!retired.empty()) {
        retire_status = retire_segments(std::move(retired), new_head);
    }
    if (listener_) {
        listener_();
    }
    // A failed unlink of acknowledged data must not fail a flush whose frame is stored.
    (void)retire_status;
    return last;
}

Status FrameQueue::ack(std::int64_t fsn) {
    std::vector<SegmentPtr> retired;
    std::uint64_t new_head = 0;
    {
        std::lock_guard lock(mutex_);
        if (fsn <= acked_.load()) {
            return {};
        }
        if (fsn > published_.load()) {
            return fail(ErrorCode::invalid_api_call,
                        "store-and-forward: acknowledgement for FSN " + std::to_string(fsn) +
                            " beyond the last published FSN " + std::to_string(published_.load()));
        }
        acked_.store(fsn, std::memory_order_release);
        while (segments_.size() > 1 && segments_.front()->frame_count() > 0 &&
               segments_.front()->last_fsn() <= fsn) {
            used_bytes_ -= segments_.front()->end();
            retired.push_back(std::move(segments_.front()));
            segments_.pop_front();
        }
        if (!segments_.empty()) {
            new_head = segments_.front()->base_fsn();
        }
    }
    space_cv_.notify_all();
    ack_cv_.notify_all();
    Status persisted = persist_ack(fsn);
    Status trimmed;
    if (!retired.empty()) {
        trimmed = retire_segments(std::move(retired), new_head);
    }
    return !persisted.ok() ? persisted : trimmed;
}

FrameCursor FrameQueue::cursor() {
    return FrameCursor(*this);
}

bool FrameQueue::wait_for_frames(std::int64_t after_fsn, Deadline deadline) {
    std::unique_lock lock(mutex_);
    const std::uint64_t epoch = interrupt_epoch_;
    frames_cv_.wait_until(lock, deadline, [&] {
        return published_.load() > after_fsn || closed_ || interrupt_epoch_ != epoch;
    });
    return published_.load() > after_fsn;
}

AckWaitResult FrameQueue::wait_for_ack(std::int64_t target,
                                       std::chrono::nanoseconds no_progress_timeout) {
    std::unique_lock lock(mutex_);
    const std::uint64_t epoch = interrupt_epoch_;
    std::int64_t last_seen = acked_.load();
    Deadline deadline = Clock::now() + no_progress_timeout;
    for (;;) {
        const std::int64_t acked = acked_.load();
        if (acked >= target) {
            return AckWaitResult::reached;
        }
        if (closed_) {
            return AckWaitResult::closed;
        }
        if (interrupt_epoch_ != epoch) {
            return AckWaitResult::interrupted;
        }
        if (acked > last_seen) {
            last_seen = acked;
            deadline = Clock::now() + no_progress_timeout;
        }
        if (no_progress_timeout.count() <= 0) {
            ack_cv_.wait(lock);
        } else if (ack_cv_.wait_until(lock, deadline) == std::cv_status::timeout &&
                   acked_.load() == last_seen && acked_.load() < target) {
            return AckWaitResult::timed_out;
        }
    }
}

void FrameQueue::interrupt_waiters() {
    {
        std::lock_guard lock(mutex_);
        ++interrupt_epoch_;
    }
    ack_cv_.notify_all();
    frames_cv_.notify_all();
    space_cv_.notify_all();
}

bool FrameQueue::mark_closed() {
    bool was_open;
    {
        std::lock_guard lock(mutex_);
        was_open = !closed_;
        closed_ = true;
    }
    space_cv_.notify_all();
    frames_cv_.notify_all();
    ack_cv_.notify_all();
    return was_open;
}

Status FrameQueue::close() {
    mark_closed();
    return {};
}

bool FrameQueue::closed() const noexcept {
    std::lock_guard lock(mutex_);
    return closed_;
}

std::uint64_t FrameQueue::used_bytes() const {
    std::lock_guard lock(mutex_);
    return used_bytes_;
}

std::size_t FrameQueue::segment_count() const {
    std::lock_guard lock(mutex_);
    return segments_.size();
}

void FrameQueue::adopt_recovered(std::deque<SegmentPtr> segments, std::int64_t next_fsn,
                                 std::int64_t acked_fsn) {
    std::lock_guard lock(mutex_);
    segments_ = std::move(segments);
    used_bytes_ = 0;
    for (const auto& seg : segments_) {
        used_bytes_ += seg->end();
    }
    published_.store(next_fsn - 1);
    acked_.store(std::min(acked_fsn, next_fsn - 1));
}

std::vector<FrameQueue::SegmentPtr> FrameQueue::segments_snapshot() const {
    std::lock_guard lock(mutex_);
    return {segments_.begin(), segments_.end()};
}

FrameQueue::SegmentPtr FrameQueue::find_segment(std::int64_t fsn) const {
    std::lock_guard lock(mutex_);
    for (const auto& seg : segments_) {
        const auto base = static_cast<std::int64_t>(seg->base_fsn());
        if (fsn >= base && fsn < base + static_cast<std::int64_t>(seg->frame_count())) {
            return seg;
        }
    }
    return nullptr;
}

// ---- FrameCursor -------------------------------------------------------------------------

FrameCursor::FrameCursor(FrameQueue& queue) : queue_(&queue) {
    rewind();
}

void FrameCursor::rewind() {
    segment_.reset();
    next_fsn_ = queue_->acked_fsn() + 1;
}

bool FrameCursor::next(FrameView& out) {
    for (int attempt = 0; attempt < 3; ++attempt) {
        const std::int64_t acked = queue_->acked_fsn();
        if (next_fsn_ <= acked) {
            next_fsn_ = acked + 1;
            segment_.reset();
        }
        if (next_fsn_ > queue_->published_fsn()) {
            return false;
        }
        if (segment_ &&
            next_fsn_ < static_cast<std::int64_t>(segment_->base_fsn() + segment_->frame_count())) {
            break;
        }
        segment_ = queue_->find_segment(next_fsn_);
        if (!segment_) {
            continue;  // trimmed between the checks: acked_fsn moved past it
        }
        offset_ = kSegmentHeaderSize;
        const std::uint8_t* data = segment_->data();
        for (auto fsn = static_cast<std::int64_t>(segment_->base_fsn()); fsn < next_fsn_; ++fsn) {
            offset_ += kFrameHeaderSize + load_le32(data + offset_ + 4);
        }
        break;
    }
    if (!segment_) {
        return false;
    }
    const std::uint8_t* at = segment_->data() + offset_;
    const std::uint32_t len = load_le32(at + 4);
    out.fsn = next_fsn_;
    out.bytes = {at + kFrameHeaderSize, len};
    offset_ += kFrameHeaderSize + len;
    ++next_fsn_;
    return true;
}

// ---- MemoryQueue -------------------------------------------------------------------------

namespace {

constexpr std::uint64_t kMemorySpareBytes = 64ull << 20;
constexpr std::size_t kMaxMemorySpares = 16;

std::size_t memory_spare_limit(const QueueLimits& limits) {
    const std::uint64_t block = std::min(limits.max_segment_bytes, limits.max_total_bytes);
    const std::uint64_t bytes = std::min(kMemorySpareBytes, limits.max_total_bytes / 4);
    const std::uint64_t count = block == 0 ? 1 : bytes / block;
    return static_cast<std::size_t>(std::clamp<std::uint64_t>(count, 1, kMaxMemorySpares));
}

}  // namespace

MemoryQueue::MemoryQueue(MemoryQueueOptions options)
    : FrameQueue(options.limits), spare_limit_(memory_spare_limit(options.limits)) {
    spares_.reserve(spare_limit_);  // retire_segments never allocates
}

MemoryQueue::~MemoryQueue() {
    mark_closed();
}

Result<std::unique_ptr<MemoryQueue>> MemoryQueue::open(MemoryQueueOptions options) {
    if (auto st = validate_limits(options.limits); !st) {
        return std::move(st).failure();
    }
    return std::make_unique<MemoryQueue>(options);
}

Result<FrameQueue::SegmentPtr> MemoryQueue::create_segment(std::uint64_t base_fsn,
                                                           std::uint64_t capacity) {
    std::unique_ptr<std::uint8_t[]> block;
    {
        std::lock_guard lock(spare_mutex_);
        if (!spares_.empty() && capacity == segment_capacity()) {
            block = std::move(spares_.back());
            spares_.pop_back();
        }
    }
    if (!block) {
        block.reset(new (std::nothrow) std::uint8_t[capacity]);
        if (!block) {
            return fail(ErrorCode::store_error, "store-and-forward: cannot allocate a " +
                                                    std::to_string(capacity) +
                                                    "-byte memory block");
        }
    }
    return SegmentPtr(std::make_shared<MemorySegment>(base_fsn, capacity, std::move(block)));
}

Status MemoryQueue::retire_segments(std::vector<SegmentPtr> retired, std::uint64_t) {
    for (auto& seg : retired) {
        // Recycle only a block nobody else (a cursor) still reads.
        if (seg.use_count() == 1) {
            auto* mem = static_cast<MemorySegment*>(seg.get());
            if (mem->capacity() != segment_capacity()) {
                continue;
            }
            std::lock_guard lock(spare_mutex_);
            if (spares_.size() < spare_limit_) {
                spares_.push_back(mem->take_block());
            }
        }
    }
    return {};
}

}  // namespace questdb::sf
