#pragma once

// The delivery loop's two time-based decisions, kept free of timers and clocks so that tests
// can drive them with chosen time points instead of waiting: how long to back off before the
// next endpoint walk, and when a frame the server keeps rejecting has become poison.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>

namespace questdb::ingress {

/// Exponential reconnect backoff (client-behaviour spec: initial step, doubling, capped) with
/// 50-100 % jitter, so that many senders that lost the same server do not return in step.
class ReconnectBackoff {
  public:
    ReconnectBackoff(std::chrono::milliseconds initial, std::chrono::milliseconds max) noexcept
        : initial_(initial), max_(std::max(initial, max)) {}

    /// The step of the next wait before jitter: initial, then doubled, never above max.
    [[nodiscard]] std::chrono::milliseconds advance() noexcept {
        step_ = step_.count() == 0 ? initial_ : std::min(step_ * 2, max_);
        return step_;
    }

    /// The next wait: a uniformly drawn point in [step / 2, step] of advance()'s step.
    template <typename Rng>
    [[nodiscard]] std::chrono::milliseconds next_delay(Rng& rng) {
        const auto step = advance();
        std::uniform_int_distribution<std::int64_t> jitter(step.count() / 2, step.count());
        return std::chrono::milliseconds(jitter(rng));
    }

    /// A connection came up: the next failure starts again from the initial step.
    void reset() noexcept { step_ = std::chrono::milliseconds(0); }

  private:
    std::chrono::milliseconds initial_;
    std::chrono::milliseconds max_;
    std::chrono::milliseconds step_{0};
};

/// Poison-frame detection: the same head frame rejected `max_rejections` times in a row,
/// without ack progress in between, over at least `window` of time. Both conditions must
/// hold, so a burst of fast rejections during a short server hiccup is not poison, and a
/// frame rejected once an hour is not either.
class PoisonDetector {
  public:
    using Clock = std::chrono::steady_clock;

    PoisonDetector(unsigned max_rejections, std::chrono::milliseconds window) noexcept
        : max_rejections_(max_rejections), window_(window) {}

    /// Records a rejection of the frame `fsn` at `now`; true once that frame is poison.
    [[nodiscard]] bool on_rejection(std::int64_t fsn, Clock::time_point now) noexcept {
        if (fsn != fsn_) {
            fsn_ = fsn;
            count_ = 0;
            first_ = now;
        }
        ++count_;
        return count_ >= max_rejections_ && now - first_ >= window_;
    }

    /// The server acknowledged something: the streak of rejections is broken. Reconnects do
    /// not call this on purpose; a frame rejected on every connection is what it must catch.
    void on_ack_progress() noexcept {
        fsn_ = -2;
        count_ = 0;
    }

    /// Rejections of the current frame in the running streak.
    [[nodiscard]] unsigned streak() const noexcept { return count_; }

  private:
    unsigned max_rejections_;
    std::chrono::milliseconds window_;
    std::int64_t fsn_ = -2;
    unsigned count_ = 0;
    Clock::time_point first_{};
};

}  // namespace questdb::ingress
