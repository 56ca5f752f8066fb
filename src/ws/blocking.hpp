#pragma once

// A caller-driven WebSocket connection for code that blocks (the query reader): every call
// runs the asynchronous Connection on a private io_context until the operation finishes or
// its deadline passes. No Boost in this header.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "core/result.hpp"
#include "ws/connection.hpp"
#include "ws/upgrade.hpp"

namespace questdb::ws {

/// One WebSocket connection driven by the calling thread.
///
/// Timeouts: a zero timeout waits without a deadline. When a deadline passes, the socket is
/// closed (the connection is then broken and must be replaced) and the call fails with
/// socket_error saying what timed out. connect() is bounded by the options' connect_timeout
/// and auth_timeout.
///
/// Thread safety: use from one thread at a time, except interrupt(), which any thread may call
/// while the object is alive. Keep-alive pings (ping_interval) are only sent while a call is
/// blocked in this object.
class BlockingConnection {
  public:
    explicit BlockingConnection(ConnectionOptions options);
    ~BlockingConnection();
    BlockingConnection(const BlockingConnection&) = delete;
    BlockingConnection& operator=(const BlockingConnection&) = delete;

    /// Connects and upgrades (see Connection::async_connect). Call at most once.
    ConnectOutcome connect(const Endpoint& endpoint);

    /// Sends one binary message.
    detail::Status write(std::span<const std::uint8_t> message, std::chrono::milliseconds timeout);

    /// Receives the next whole binary message. The span stays valid until the next read().
    /// After interrupt() it returns the failure `ErrorCode::cancelled` ("read interrupted")
    /// instead, leaving the connection intact: the message being received is not lost, the
    /// next read() picks it up (see is_interrupt()).
    detail::Result<std::span<const std::uint8_t>> read(std::chrono::milliseconds timeout);

    /// Thread-safe: makes a read() blocked on another thread return "read interrupted" at once,
    /// or, when none is blocked, the next read(). Writes and close() are not interrupted.
    /// Never blocks; never throws.
    void interrupt() noexcept;

    /// Close handshake (best effort) bounded by `timeout`; the socket is closed afterwards.
    detail::Status close(std::chrono::milliseconds timeout, std::uint16_t code = 1000);

    /// Closes the socket at once.
    void abort() noexcept;

    [[nodiscard]] bool is_open() const noexcept;
    [[nodiscard]] const Endpoint& endpoint() const noexcept;
    [[nodiscard]] const UpgradeResponse& upgrade_response() const noexcept;
    [[nodiscard]] std::optional<std::uint16_t> close_code() const noexcept;

    struct Impl;

  private:
    std::unique_ptr<Impl> impl_;
};

/// Whether `failure` is the "read interrupted" result of BlockingConnection::read().
[[nodiscard]] inline bool is_interrupt(const detail::Failure& failure) noexcept {
    return failure.code == ErrorCode::cancelled;
}

}  // namespace questdb::ws
