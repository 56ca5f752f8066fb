#pragma once

// The I/O seam of the query reader: one egress connection (send a client frame, receive one
// server frame) and a connector that opens one to endpoint i. The production implementation
// wraps ws::BlockingConnection (ws_transport.hpp); tests script them in memory.

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "egress/status.hpp"

namespace questdb::egress {

class EgressTransport {
  public:
    virtual ~EgressTransport() = default;
    /// Sends one client frame (a whole binary WebSocket message).
    virtual detail::Status send(std::span<const std::uint8_t> frame) = 0;
    /// Receives the next whole server message; zero timeout = no deadline. The span stays valid
    /// until the next receive(). A timeout breaks the connection. After interrupt() it fails
    /// with is_receive_interrupt() instead, and the connection stays usable.
    virtual detail::Result<std::span<const std::uint8_t>> receive(
        std::chrono::milliseconds timeout) = 0;
    /// The one member callable from any thread (while the transport is alive): makes a
    /// receive() blocked on another thread, or else the next one, return the interrupt
    /// failure without losing data. Never blocks. Transports that never block may ignore it.
    virtual void interrupt() noexcept {}
    /// Closes at once (the connection is not reused).
    virtual void abort() noexcept = 0;
    /// Whether the upgrade negotiated zstd (X-QWP-Content-Encoding).
    [[nodiscard]] virtual bool zstd_negotiated() const noexcept = 0;
    /// The negotiated QWP version (X-QWP-Version).
    [[nodiscard]] virtual std::uint8_t version() const noexcept { return 1; }
};

/// Whether a receive() failure is the wake-up of interrupt() (not an error).
[[nodiscard]] inline bool is_receive_interrupt(const detail::Failure& failure) noexcept {
    return failure.code == ErrorCode::cancelled;
}

struct ConnectResult {
    enum class Verdict { connected, transient, role_reject, terminal };
    Verdict verdict = Verdict::transient;
    std::unique_ptr<EgressTransport> transport;
    detail::Failure failure{};
};

class EgressConnector {
  public:
    virtual ~EgressConnector() = default;
    [[nodiscard]] virtual std::size_t endpoint_count() const noexcept = 0;
    [[nodiscard]] virtual std::string endpoint_name(std::size_t index) const = 0;
    /// TCP/TLS + WebSocket upgrade to /read/v1 of endpoint `index` (blocking, bounded by the
    /// connect and auth timeouts).
    virtual ConnectResult connect(std::size_t index) = 0;
};

}  // namespace questdb::egress
