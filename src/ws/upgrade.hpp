#pragma once

// The HTTP side of a WebSocket connection: endpoint names, request headers and
// credentials, and the classification of the upgrade response into the outcome the
// failover rules act on (connected / transient / role reject / terminal). Pure logic, no
// I/O and no Boost in this header.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace questdb::ws {

/// One `addr` entry.
struct Endpoint {
    std::string host;  ///< name or IP literal, without brackets
    std::uint16_t port = 9000;

    /// "host:port" ("[v6]:port" for IPv6 literals); used in every message naming it.
    [[nodiscard]] std::string to_string() const;
    friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

/// One HTTP header of the upgrade request or response.
struct Header {
    std::string name;
    std::string value;
};

/// Credentials sent as `Authorization` on the upgrade. Never printed anywhere.
struct Credentials {
    enum class Kind { none, basic, bearer };
    Kind kind = Kind::none;
    std::string username;  ///< basic
    std::string password;  ///< basic
    std::string token;     ///< bearer

    static Credentials basic(std::string username, std::string password);
    static Credentials bearer(std::string token);
};

/// The `Authorization` value: "Basic base64(user:password)" or "Bearer <token>"; empty for
/// Kind::none.
std::string authorization_value(const Credentials& credentials);

/// The upgrade response as received (status, headers in arrival order, a bounded prefix of
/// the body of a rejection).
struct UpgradeResponse {
    unsigned status = 0;
    std::string reason;
    std::vector<Header> headers;
    std::string body;  ///< at most kMaxKeptBody bytes of a non-101 body

    static constexpr std::size_t kMaxKeptBody = 512;

    /// The first header named `name` (case-insensitive), if any.
    [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const;
};

/// How one connection attempt to one endpoint ended, in the terms of the failover rules
/// (qwp-client-behavior.md, "Ingest endpoint walk" and "Query client initial connect").
enum class Verdict {
    connected,    ///< upgraded; the connection is usable
    transient,    ///< DNS/TCP/TLS failure, timeout, unexpected status: try the next endpoint
    role_reject,  ///< 421 + X-QuestDB-Role (or a caller's role filter): try the next endpoint
    terminal,     ///< 401/403 or a caller-declared terminal mismatch: stop the walk
};

/// The result of one connect attempt.
struct ConnectOutcome {
    Verdict verdict = Verdict::connected;
    /// Why it failed (code + message naming host:port); meaningless when connected.
    /// Codes: could_not_resolve_addr, socket_error, connect_timeout, tls_error,
    /// handshake_error, auth_error, role_mismatch, or whatever a validator chose.
    detail::Failure failure{};
    /// The HTTP status of the upgrade response, 0 when none was received.
    unsigned http_status = 0;
    /// For role rejects: the `X-QuestDB-Role` value and optional `X-QuestDB-Zone`.
    std::string role;
    std::string zone;

    [[nodiscard]] bool ok() const noexcept { return verdict == Verdict::connected; }
    [[nodiscard]] bool terminal() const noexcept { return verdict == Verdict::terminal; }
    /// A role reject by a node being promoted (PRIMARY_CATCHUP): worth retrying later.
    [[nodiscard]] bool role_reject_is_transient() const noexcept;
    /// OK, or the failure.
    [[nodiscard]] detail::Status status() const;

    static ConnectOutcome success() { return {}; }
    static ConnectOutcome make(Verdict verdict, ErrorCode code, std::string message);
};

/// Classifies a response that was not a valid 101 for `endpoint`:
/// 401/403 -> terminal auth_error; 421 with X-QuestDB-Role -> role_reject (role_mismatch);
/// anything else -> transient handshake_error naming host:port, path and status.
ConnectOutcome classify_rejected_upgrade(const UpgradeResponse& response, const Endpoint& endpoint,
                                         std::string_view path);

/// Caller hook run on a successful 101 (protocol version, durable-ack confirmation ...):
/// return ConnectOutcome::success() to keep the connection, anything else to close it.
using UpgradeValidator = std::function<ConnectOutcome(const UpgradeResponse&)>;

}  // namespace questdb::ws
