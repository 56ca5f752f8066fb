#pragma once

// A storage block of the frame queue: a header, then frames [u32 crc][u32 len][payload]
// packed back to back. The producer writes past the published end; readers only read below
// it. The published end and frame count are released after the bytes are written, so a
// reader that acquires them sees complete frames.

#include <atomic>
#include <cstdint>
#include <span>

#include "core/result.hpp"

namespace questdb::sf::detail_queue {

class Segment {
  public:
    Segment(std::uint64_t base_fsn, std::uint64_t capacity, std::uint64_t end_offset,
            std::uint64_t frame_count) noexcept
        : base_fsn_(base_fsn), capacity_(capacity), end_(end_offset), count_(frame_count) {}
    Segment(const Segment&) = delete;
    Segment& operator=(const Segment&) = delete;
    virtual ~Segment() = default;

    /// Writes one frame (header and payload) at `offset`, which is at or past end().
    /// Producer thread only; nothing is visible to readers until publish().
    [[nodiscard]] virtual detail::Status write_frame(std::uint64_t offset,
                                                     std::span<const std::uint8_t> payload) = 0;
    /// The readable bytes (capacity() long); only [0, end()) is meaningful to readers.
    [[nodiscard]] virtual const std::uint8_t* data() const noexcept = 0;

    [[nodiscard]] std::uint64_t base_fsn() const noexcept { return base_fsn_; }
    [[nodiscard]] std::uint64_t capacity() const noexcept { return capacity_; }
    [[nodiscard]] std::uint64_t end() const noexcept {
        return end_.load(std::memory_order_acquire);
    }
    [[nodiscard]] std::uint64_t frame_count() const noexcept {
        return count_.load(std::memory_order_acquire);
    }
    /// FSN of the last published frame; only meaningful when frame_count() > 0.
    [[nodiscard]] std::int64_t last_fsn() const noexcept {
        return static_cast<std::int64_t>(base_fsn_ + frame_count()) - 1;
    }
    void publish(std::uint64_t end_offset, std::uint64_t frame_count) noexcept {
        end_.store(end_offset, std::memory_order_release);
        count_.store(frame_count, std::memory_order_release);
    }

  protected:
    /// Starts the block over as an empty block for `base_fsn`. Only for a block nobody else
    /// references (recycling).
    void reset_for_reuse(std::uint64_t base_fsn, std::uint64_t end_offset) noexcept {
        base_fsn_ = base_fsn;
        end_.store(end_offset, std::memory_order_release);
        count_.store(0, std::memory_order_release);
    }

  private:
    std::uint64_t base_fsn_;
    std::uint64_t capacity_;
    std::atomic<std::uint64_t> end_;
    std::atomic<std::uint64_t> count_;
};

}  // namespace questdb::sf::detail_queue
