#pragma once

// The query reader engine above the transport seam: the endpoint walk with role/zone filters
// and host demotion (A16, A17, G1, G3), and one query execution with credit grants, cancel,
// bounded drain and execution-time failover (E, F, G4-G8). No sockets here: tests drive it
// with an in-memory EgressConnector.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "egress/binds.hpp"
#include "egress/failover.hpp"
#include "egress/protocol.hpp"
#include "egress/transport.hpp"
#include "questdb/egress/reader.hpp"

namespace questdb::egress {

struct ReaderSettings {
    TargetRole target = TargetRole::any;
    std::optional<std::string> zone;
    FailoverSettings failover;
    std::chrono::milliseconds server_info_timeout{5000};
    std::chrono::milliseconds read_timeout{0};
    std::chrono::milliseconds close_timeout{5000};
    std::uint64_t initial_credit = 0;
    std::size_t max_decompressed_bytes = wire::kDefaultMaxDecompressedBytes;
    std::size_t max_request_bytes = wire::kDefaultMaxRequestBytes;
};

/// Injectable time, for deterministic tests of backoff.
struct ReaderHooks {
    std::function<std::chrono::steady_clock::time_point()> now = [] {
        return std::chrono::steady_clock::now();
    };
    std::function<void(std::chrono::milliseconds)> sleep;  ///< default: this_thread::sleep_for
    std::uint64_t seed = 0x9E3779B97F4A7C15ULL;
};

/// A bound connection: transport + protocol state machine.
struct BoundConnection {
    std::unique_ptr<EgressTransport> transport;
    std::unique_ptr<QueryProtocol> protocol;
    std::size_t endpoint = 0;
};

class ReaderCore {
  public:
    ReaderCore(std::unique_ptr<EgressConnector> connector, ReaderSettings settings,
               ReaderHooks hooks = {});

    /// Walks the endpoints (healthy first, then demoted ones, each in configured order) and
    /// binds the first whose SERVER_INFO passes the filters. Terminal failures (auth) stop the
    /// walk; `terminal` tells the caller not to retry.
    detail::Status bind(bool* terminal = nullptr);
    /// Drops the current connection; `demote` marks its endpoint unhealthy.
    void drop(bool demote) noexcept;
    /// Thread-safe (the only member that is): wakes a receive() blocked on the bound
    /// connection, or the next one (see EgressTransport::interrupt). No-op when unbound.
    void interrupt() noexcept;
    [[nodiscard]] bool connected() const noexcept { return bound_.transport != nullptr; }
    [[nodiscard]] BoundConnection& bound() noexcept { return bound_; }
    [[nodiscard]] std::string endpoint_name() const;
    [[nodiscard]] const ReaderSettings& settings() const noexcept { return settings_; }
    [[nodiscard]] const ReaderHooks& hooks() const noexcept { return hooks_; }
    std::int64_t next_request_id() noexcept { return next_request_id_++; }
    [[nodiscard]] std::uint64_t next_seed() noexcept { return hooks_.seed + seed_counter_++; }

    /// Whether a cursor currently owns the connection (one query in flight, B3).
    std::atomic<bool> cursor_open{false};

  private:
    void bind_to(BoundConnection connection) noexcept;

    std::unique_ptr<EgressConnector> connector_;
    ReaderSettings settings_;
    ReaderHooks hooks_;
    BoundConnection bound_;
    /// Guards replacing bound_.transport against interrupt() from another thread; the owning
    /// thread reads bound_ without it (only it writes).
    mutable std::mutex transport_mutex_;
    std::vector<std::uint32_t> failures_;
    std::int64_t next_request_id_ = 1;
    std::uint64_t seed_counter_ = 0;
};

/// What execute() needs to (re)send a query.
struct QueryParams {
    std::string sql;
    BindList binds;
    std::uint64_t initial_credit = 0;
    bool reset_dictionary = false;
    ReplayPolicy replay = ReplayPolicy::always;
    std::function<void(const FailoverResetEvent&)> on_reset;
    std::function<void(const FailoverProgressEvent&)> on_progress;
};

/// One execute(): the implementation behind Cursor.
class QueryExecution {
  public:
    QueryExecution(std::shared_ptr<ReaderCore> core, QueryParams params);
    ~QueryExecution();

    /// Sends the request (binding a connection first when needed), with failover.
    detail::Status start();
    /// The next batch, nullptr at the terminator.
    detail::Result<const detail::BatchData*> next();
    /// Cancels and drains to the terminator within the close timeout; on failure the
    /// connection is dropped. Called by the Cursor destructor and by cancel().
    void abandon() noexcept;
    /// Thread-safe: latches the cancel and wakes the reading thread so that it sends CANCEL
    /// now, even while blocked in receive().
    void request_cancel() noexcept {
        cancel_latched_.store(true);
        core_->interrupt();
    }
    detail::Status add_credit(std::uint64_t bytes);

    [[nodiscard]] const std::optional<Terminal>& terminal() const noexcept { return terminal_; }
    [[nodiscard]] std::int64_t request_id() const noexcept { return request_id_; }
    [[nodiscard]] std::uint64_t credit_granted_total() const noexcept;
    [[nodiscard]] const CursorStats& stats() const noexcept { return stats_; }

  private:
    detail::Status send_request();
    detail::Status send_frame(const std::vector<std::uint8_t>& frame);
    detail::Status recover(detail::Failure failure);
    detail::Status flush_pending_control();
    void progress(FailoverProgressEvent::Phase phase, std::chrono::milliseconds delay,
                  const detail::Failure& cause);
    void finish() noexcept;

    std::shared_ptr<ReaderCore> core_;
    QueryParams params_;
    FailoverBudget budget_;
    std::optional<Terminal> terminal_;
    std::int64_t request_id_ = -1;
    std::uint32_t held_wire_bytes_ = 0;  ///< size of the batch the caller holds
    std::uint64_t delivered_this_attempt_ = 0;
    std::atomic<bool> cancel_latched_{false};
    bool finished_ = false;
    CursorStats stats_;
    std::vector<std::uint8_t> out_;
};

}  // namespace questdb::egress
