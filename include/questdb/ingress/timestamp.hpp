#pragma once

/// @file
/// Typed Unix-epoch timestamps for the ingest API: the unit is part of the type, so a
/// microsecond value can never be mistaken for nanoseconds.

#include <chrono>
#include <cstdint>

namespace questdb::ingress {

/// Microseconds since the Unix epoch (QWP type TIMESTAMP). Trivially copyable; thread-safe.
class TimestampMicros {
  public:
    /// Wraps a count of microseconds since the Unix epoch (not validated here).
    constexpr explicit TimestampMicros(std::int64_t micros) noexcept : value_(micros) {}

    /// The current system time. Never throws.
    static TimestampMicros now() noexcept { return from_chrono(std::chrono::system_clock::now()); }

    /// Converts a system_clock time point (truncating toward zero below a microsecond).
    template <typename Duration>
    static constexpr TimestampMicros from_chrono(
        std::chrono::time_point<std::chrono::system_clock, Duration> tp) noexcept {
        return TimestampMicros(
            std::chrono::duration_cast<std::chrono::microseconds>(tp.time_since_epoch()).count());
    }

    /// The microseconds since the epoch.
    [[nodiscard]] constexpr std::int64_t as_i64() const noexcept { return value_; }
    /// Equal when the counts are equal.
    constexpr bool operator==(const TimestampMicros&) const noexcept = default;

  private:
    std::int64_t value_;
};

/// Nanoseconds since the Unix epoch (QWP type TIMESTAMP_NANOS). Trivially copyable;
/// thread-safe.
class TimestampNanos {
  public:
    /// Wraps a count of nanoseconds since the Unix epoch (not validated here).
    constexpr explicit TimestampNanos(std::int64_t nanos) noexcept : value_(nanos) {}

    /// The current system time. Never throws.
    static TimestampNanos now() noexcept { return from_chrono(std::chrono::system_clock::now()); }

    /// Converts a system_clock time point.
    template <typename Duration>
    static constexpr TimestampNanos from_chrono(
        std::chrono::time_point<std::chrono::system_clock, Duration> tp) noexcept {
        return TimestampNanos(
            std::chrono::duration_cast<std::chrono::nanoseconds>(tp.time_since_epoch()).count());
    }

    /// The nanoseconds since the epoch.
    [[nodiscard]] constexpr std::int64_t as_i64() const noexcept { return value_; }
    /// Equal when the counts are equal.
    constexpr bool operator==(const TimestampNanos&) const noexcept = default;

  private:
    std::int64_t value_;
};

}  // namespace questdb::ingress
