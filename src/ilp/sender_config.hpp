#pragma once

// Everything an ILP sender needs from a connect string, as a plain value. Filled from
// questdb::conf::Config by from_config() (conf_adapter.cpp) or directly by tests.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "ilp/line_buffer.hpp"

namespace questdb::ilp {

using Millis = std::chrono::milliseconds;

enum class TransportKind : std::uint8_t { http, tcp };

/// ECDSA P-256 key for the ILP/TCP challenge: all base64url without padding.
struct EcdsaKey {
    std::string key_id;  // `username`
    std::string d;       // `token`: private scalar (secret)
    std::string x;       // `token_x`
    std::string y;       // `token_y`
};

/// TLS choices of an ILP sender; mirrors the connect-string keys.
struct TlsChoice {
    bool enabled = false;
    bool verify = true;      // tls_verify=on
    std::string roots_path;  // tls_roots (PEM), empty = system store
};

struct AutoFlushConfig {
    bool enabled = true;
    std::uint64_t rows = 0;   // 0 = trigger off
    std::uint64_t bytes = 0;  // 0 = trigger off
    Millis interval{0};       // 0 = trigger off
};

struct SenderConfig {
    TransportKind transport = TransportKind::http;
    std::string host = "localhost";
    std::uint16_t port = 9000;
    TlsChoice tls;

    // Credentials (HTTP: basic or bearer; TCP: ECDSA). Secrets: never print.
    std::optional<std::string> username;
    std::optional<std::string> password;
    std::optional<std::string> token;
    std::optional<EcdsaKey> ecdsa;

    /// nullopt = auto: HTTP asks GET /settings, TCP uses v1.
    std::optional<ProtocolVersion> protocol_version;
    std::size_t max_name_len = kDefaultMaxNameLen;
    std::size_t init_buf_size = 64 * 1024;
    std::size_t max_buf_size = 100 * 1024 * 1024;
    AutoFlushConfig auto_flush;

    // HTTP
    Millis request_timeout{10000};
    std::uint64_t request_min_throughput = 102400;
    Millis retry_timeout{10000};
    Millis retry_max_backoff{1000};

    // TCP: bound of connect + TLS handshake + auth challenge.
    Millis auth_timeout{15000};
    std::optional<std::string> bind_interface;

    /// Defaults for auto-flush rows per transport: 75,000 over HTTP, 600 over TCP.
    static constexpr std::uint64_t kDefaultHttpAutoFlushRows = 75000;
    static constexpr std::uint64_t kDefaultTcpAutoFlushRows = 600;
    static constexpr Millis kDefaultAutoFlushInterval{1000};
};

}  // namespace questdb::ilp
