#pragma once

// Failover decisions of the query client (qwp-client-behavior.md "Query execution-time
// failover", checklist A16, A17, G4-G8): which errors trigger a reconnect, the per-execute
// budget (attempts incl. the original, max duration) with full-jitter exponential backoff,
// the role/zone filter applied to SERVER_INFO, and the replay policy for non-SELECT SQL.

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "questdb/egress/reader.hpp"
#include "questdb/egress/types.hpp"

namespace questdb::egress {

/// `target=`.
enum class TargetRole : std::uint8_t { any, primary, replica };

/// Whether a server of `role` may serve a `target` query (A16). Unknown roles only for `any`.
bool role_matches(TargetRole target, ServerRole role) noexcept;

/// Case-insensitive zone comparison (A17).
bool zone_matches(std::string_view wanted, const std::optional<std::string>& zone) noexcept;

/// Whether `sql` starts (after blanks, comments and parentheses) with a read-only keyword.
bool is_read_only_sql(std::string_view sql) noexcept;

/// Whether an error of `code` may trigger failover (G4): transport, handshake and protocol
/// failures yes; server statuses, cancel, local validation and auth never.
bool is_failover_trigger(ErrorCode code) noexcept;

struct FailoverSettings {
    bool enabled = true;
    std::uint32_t max_attempts = 8;  ///< counting the original attempt
    std::chrono::milliseconds backoff_initial{50};
    std::chrono::milliseconds backoff_max{1000};
    std::chrono::milliseconds max_duration{30000};  ///< zero = no duration cap
    ReplayPolicy replay = ReplayPolicy::always;
};

/// The budget of one execute(); attempt 1 is the original request.
class FailoverBudget {
  public:
    using Clock = std::chrono::steady_clock;
    FailoverBudget(const FailoverSettings& settings, Clock::time_point start, std::uint64_t seed);

    /// Before attempt `attempts() + 1`: the delay to wait, or nullopt when the budget (attempts
    /// or duration, measured at `now`) is spent. Full jitter: uniform in
    /// [0, min(initial * 2^(k-1), max)), trimmed to the remaining duration.
    std::optional<std::chrono::milliseconds> next_delay(Clock::time_point now);
    /// Records that another attempt starts.
    void start_attempt() noexcept { ++attempts_; }
    [[nodiscard]] std::uint32_t attempts() const noexcept { return attempts_; }

  private:
    FailoverSettings settings_;
    Clock::time_point start_;
    std::mt19937_64 rng_;
    std::uint32_t attempts_ = 1;
};

}  // namespace questdb::egress
