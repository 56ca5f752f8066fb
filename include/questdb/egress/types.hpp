#pragma once

/// @file
/// Value types shared by the query (egress) API: column kinds, server identity, terminators,
/// and the small value structs returned by the column views.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "questdb/error.hpp"

namespace questdb::egress {

/// Errors of the query API. An alias of the project-wide questdb::Error: server statuses map
/// to `server_*` codes (QUERY_ERROR), `cancelled`, `server_limit_exceeded`; wire violations to
/// `protocol_error`; transport failures to `socket_error` / `handshake_error`.
using Error = ::questdb::Error;

/// Column type codes of the QWP wire (egress result columns). The values are the wire codes.
enum class ColumnKind : std::uint8_t {
    boolean = 0x01,
    byte = 0x02,
    short_ = 0x03,
    int_ = 0x04,
    long_ = 0x05,
    float_ = 0x06,
    double_ = 0x07,
    symbol = 0x09,
    timestamp = 0x0A,
    date = 0x0B,
    uuid = 0x0C,
    long256 = 0x0D,
    geohash = 0x0E,
    varchar = 0x0F,
    timestamp_nanos = 0x10,
    double_array = 0x11,
    long_array = 0x12,
    decimal64 = 0x13,
    decimal128 = 0x14,
    decimal256 = 0x15,
    char_ = 0x16,
    binary = 0x17,
    ipv4 = 0x18,
};

/// The snake_case name of a kind ("long", "timestamp_nanos", ...). Never throws.
QUESTDB_API std::string_view to_string(ColumnKind kind) noexcept;

/// Whether `code` is an assigned wire type code (0x01..0x18 except 0x08).
constexpr bool is_valid_column_kind(std::uint8_t code) noexcept {
    return code >= 0x01 && code <= 0x18 && code != 0x08;
}

/// Role a server advertises in SERVER_INFO. Unknown values are kept as-is.
enum class ServerRole : std::uint8_t {
    standalone = 0x00,
    primary = 0x01,
    replica = 0x02,
    primary_catchup = 0x03,
};

/// SERVER_INFO capability bits.
inline constexpr std::uint32_t kCapZone = 0x1;
inline constexpr std::uint32_t kCapQueryFlags = 0x2;

/// The identity a server sends first on every egress connection.
struct ServerInfo {
    ServerRole role = ServerRole::standalone;
    std::uint64_t epoch = 0;  ///< a hint; may be 0
    std::uint32_t capabilities = 0;
    std::int64_t server_wall_ns = 0;
    std::string cluster_id;
    std::string node_id;
    std::optional<std::string> zone_id;  ///< present iff capabilities & kCapZone

    [[nodiscard]] bool has_query_flags() const noexcept {
        return (capabilities & kCapQueryFlags) != 0;
    }
    friend bool operator==(const ServerInfo&, const ServerInfo&) = default;
};

/// A successful end of a result set (RESULT_END). The counts are informational.
struct ResultEnd {
    std::uint64_t final_seq = 0;
    std::uint64_t total_rows = 0;  ///< 0 = not tracked by the server
    friend bool operator==(const ResultEnd&, const ResultEnd&) = default;
};

/// The acknowledgement of a non-SELECT statement (EXEC_DONE).
struct ExecDone {
    std::uint8_t op_type = 0;  ///< raw statement discriminator (values unlisted by the spec)
    std::uint64_t rows_affected = 0;
    friend bool operator==(const ExecDone&, const ExecDone&) = default;
};

/// A UUID as two 64-bit halves (the wire order: low half first).
struct Uuid {
    std::uint64_t lo = 0;
    std::uint64_t hi = 0;
    friend bool operator==(const Uuid&, const Uuid&) = default;
};

/// A 256-bit integer, least significant limb first.
struct Long256 {
    std::array<std::uint64_t, 4> limbs{};
    friend bool operator==(const Long256&, const Long256&) = default;
};

/// DECIMAL64: value = unscaled / 10^scale.
struct Decimal64 {
    std::int64_t unscaled = 0;
    std::uint8_t scale = 0;
    friend bool operator==(const Decimal64&, const Decimal64&) = default;
};

/// DECIMAL128 as two's complement limbs (lo then hi): value = unscaled / 10^scale.
struct Decimal128 {
    std::uint64_t lo = 0;
    std::int64_t hi = 0;
    std::uint8_t scale = 0;
    friend bool operator==(const Decimal128&, const Decimal128&) = default;
};

/// DECIMAL256 as two's complement limbs, least significant first.
struct Decimal256 {
    std::array<std::uint64_t, 4> limbs{};
    std::uint8_t scale = 0;
    friend bool operator==(const Decimal256&, const Decimal256&) = default;
};

/// A geohash: `precision` bits (1..60) held in the low bits of `bits`.
struct Geohash {
    std::uint64_t bits = 0;
    std::uint8_t precision = 0;
    friend bool operator==(const Geohash&, const Geohash&) = default;
};

}  // namespace questdb::egress
