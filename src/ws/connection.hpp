#pragma once

// An asynchronous WebSocket client connection (ws or wss) that knows nothing of QWP:
// resolve, TCP connect, TLS handshake, HTTP upgrade, then whole binary messages in and out,
// full duplex. Built on Boost.Beast, but this header only forward-declares the executor type
// so that including it stays cheap; callers that create executors include Asio themselves.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "ws/upgrade.hpp"

namespace boost::asio {
class any_io_executor;
}  // namespace boost::asio

namespace questdb::ws {

class TlsContext;

/// The largest inbound message accepted by default (the Rust client's batch wire cap).
/// The protocol needs at least 16 MiB + 14 bytes.
inline constexpr std::size_t kDefaultMaxMessageSize = std::size_t{64} * 1024 * 1024;

/// Everything one connection needs besides the endpoint. Plain value type.
struct ConnectionOptions {
    /// The upgrade target, e.g. "/write/v4" (ingress) or "/read/v1" (egress).
    std::string path = "/write/v4";
    /// Extra request headers (X-QWP-Max-Version, X-QWP-Client-Id, X-QWP-Request-Durable-Ack,
    /// X-QWP-Accept-Encoding, X-QWP-Max-Batch-Rows ...), sent in this order.
    std::vector<Header> headers;
    /// Sent as `Authorization`; never logged.
    Credentials credentials;
    /// Non-null for wss: the shared TLS client context (see tls.hpp).
    std::shared_ptr<TlsContext> tls;
    /// `connect_timeout`: bound on resolve + TCP connect. Zero: only the OS bounds it.
    std::chrono::milliseconds connect_timeout{0};
    /// `auth_timeout_ms`: bound on the TLS handshake and, separately, on the upgrade
    /// round trip. Zero: unbounded.
    std::chrono::milliseconds auth_timeout{15000};
    /// Largest inbound message (payload bytes after reassembly); larger ones fail the read
    /// with limit_exceeded and close the connection with 1009.
    std::size_t max_message_size = kDefaultMaxMessageSize;
    /// Period of client PINGs once connected (`durable_ack_keepalive_interval_millis`).
    /// Zero: no pings.
    std::chrono::milliseconds ping_interval{0};
    /// Called on a 101 to accept or refuse the negotiated parameters. Optional.
    UpgradeValidator validate_upgrade;
};

/// One WebSocket connection, driven asynchronously on a caller-provided executor.
///
/// Threading: every member function, including the destructor, must be called on
/// `executor` (pass a strand when the io_context has several threads) - from a completion
/// handler, from a function posted to it, or while the io_context is not running. Handlers
/// are always invoked through `executor`, never inside the initiating call.
///
/// Concurrency: after a successful connect, one async_read and one async_write may be
/// outstanding at the same time (full duplex), plus the keep-alive ping and a close.
/// Starting a second read (or write) while one is outstanding is a programming error
/// reported as invalid_api_call.
///
/// Lifetime: destroying the Connection aborts the socket; handlers of operations still
/// outstanding are then never called (so they may safely capture the owner).
class Connection {
  public:
    using ConnectHandler = std::function<void(const ConnectOutcome&)>;
    using WriteHandler = std::function<void(detail::Status)>;
    /// `message` is valid during the call and until the next async_read is started.
    using ReadHandler = std::function<void(detail::Status, std::span<const std::uint8_t> message)>;
    using CloseHandler = std::function<void(detail::Status)>;

    Connection(const boost::asio::any_io_executor& executor, ConnectionOptions options);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    /// Resolves, connects (bounded by connect_timeout), runs the TLS handshake and the
    /// upgrade (each bounded by auth_timeout), classifies the response and runs
    /// `validate_upgrade`. Call once per Connection.
    void async_connect(Endpoint endpoint, ConnectHandler handler);

    /// Sends `message` as one binary, masked, unfragmented WebSocket message. `message`
    /// must stay valid until the handler runs. Failure codes: socket_error (also once the
    /// connection has failed or closed), invalid_api_call (before connect, or a second
    /// outstanding write).
    void async_write(std::span<const std::uint8_t> message, WriteHandler handler);

    /// Receives the next whole data message (continuation frames reassembled, pings
    /// answered, pongs dropped). A close frame from the server fails the read with
    /// socket_error naming its code (see close_code()). Other failure codes: socket_error,
    /// limit_exceeded (message too big), protocol_error (text message, bad framing),
    /// invalid_api_call (before connect, or a second outstanding read).
    void async_read(ReadHandler handler);

    /// Sends a close frame with `code` and waits (bounded by auth_timeout) for the server's
    /// close frame; the socket is closed afterwards either way.
    void async_close(std::uint16_t code, CloseHandler handler);

    /// Closes the socket at once; outstanding operations complete with socket_error.
    void abort() noexcept;

    /// True between a successful connect and a failure/close/abort.
    [[nodiscard]] bool is_open() const noexcept;
    /// The endpoint given to async_connect.
    [[nodiscard]] const Endpoint& endpoint() const noexcept;
    /// The 101 response (status 0 before the upgrade completes).
    [[nodiscard]] const UpgradeResponse& upgrade_response() const noexcept;
    /// The code of the close frame the server sent, once one arrived (e.g. 1000, 1009).
    [[nodiscard]] std::optional<std::uint16_t> close_code() const noexcept;
    /// Count of keep-alive pings sent (tests and diagnostics).
    [[nodiscard]] std::uint64_t pings_sent() const noexcept;

    struct Impl;

  private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace questdb::ws
