#pragma once

/// @file
/// Connection lifecycle events a pool reports to the listener given to
/// `QuestDb::connect_with_handlers` (see questdb/db.hpp).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "questdb/error.hpp"
#include "questdb/export.hpp"

namespace questdb::ingress {

/// The connection-state transitions a pool reports, one event each.
enum class ConnectionEventKind : std::uint8_t {
    /// The pool's first successful connection (upgrade accepted, negotiated state in place),
    /// before any frame was sent on it. Fires once per pool.
    connected,
    /// An established connection was lost (socket error, server gone). Fires before the
    /// reconnect attempts.
    disconnected,
    /// A connection succeeded again against the endpoint used last, after a failure.
    reconnected,
    /// A connection succeeded against a different endpoint than the one used last;
    /// `previous_host`/`previous_port` name that one.
    failed_over,
    /// One connect attempt to one endpoint failed (refused, timed out, TLS, role or version
    /// reject); the sender moves on to the next endpoint.
    endpoint_attempt_failed,
    /// Every configured endpoint was tried in this walk and none accepted; the sender backs
    /// off and walks again (a running sender never gives up).
    all_endpoints_unreachable,
    /// Terminal: the server refused the credentials (HTTP 401/403). The sender stops; its
    /// next `flush`/`wait` throws auth_error.
    auth_failed,
};

/// The snake_case name of `kind`, e.g. "failed_over".
[[nodiscard]] QUESTDB_API std::string_view to_string(ConnectionEventKind kind) noexcept;

/// One connection-state transition. Plain value type; fields that do not apply to `kind` are
/// empty / zero / nullopt. Never carries a password, token or key.
struct ConnectionEvent {
    /// Which transition this is.
    ConnectionEventKind kind = ConnectionEventKind::connected;
    /// The endpoint involved (empty for all_endpoints_unreachable).
    std::string host;
    /// The port of `host` (0 when no endpoint applies).
    std::uint16_t port = 0;
    /// failed_over: the endpoint used before.
    std::string previous_host;
    /// failed_over: the port of `previous_host`.
    std::uint16_t previous_port = 0;
    /// endpoint_attempt_failed, auth_failed: the pool-wide connect-attempt counter (1, 2, ...)
    /// at the time of the failure.
    std::optional<std::uint64_t> attempt;
    /// Failure events: what failed (socket_error, connect_timeout, tls_error, auth_error,
    /// role_mismatch, ...).
    std::optional<ErrorCode> cause_code;
    /// Failure events: the message, naming host:port.
    std::string cause_message;
    /// Wall-clock time of the event, milliseconds since the Unix epoch.
    std::int64_t timestamp_ms = 0;

    /// `host:port` (`[v6]:port` for an IPv6 literal), or "" when no endpoint applies.
    [[nodiscard]] std::string endpoint() const {
        if (host.empty()) {
            return {};
        }
        const bool v6 = host.find(':') != std::string::npos;
        return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
    }
};

}  // namespace questdb::ingress
