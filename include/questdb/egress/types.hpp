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
inline constexpr std::uint32_t kCapZone =
    0x1;  ///< the server sends its zone id (ServerInfo::zone_id)
inline constexpr std::uint32_t kCapQueryFlags =
    0x2;  ///< the server accepts query flags (e.g. reset_symbol_dictionary)

/// The identity a server sends first on every egress connection.
struct ServerInfo {
    ServerRole role = ServerRole::standalone;  ///< standalone, primary or replica
    std::uint64_t epoch = 0;                   ///< a hint; may be 0
    std::uint32_t capabilities = 0;            ///< kCap* bits
    std::int64_t server_wall_ns =
        0;                   ///< the server's clock (ns since the epoch) when it sent SERVER_INFO
    std::string cluster_id;  ///< cluster identity
    std::string node_id;     ///< node identity within the cluster
    std::optional<std::string> zone_id;  ///< present iff capabilities & kCapZone

    /// Whether the server advertises kCapQueryFlags.
    [[nodiscard]] bool has_query_flags() const noexcept {
        return (capabilities & kCapQueryFlags) != 0;
    }
    friend bool operator==(const ServerInfo&,
                           const ServerInfo&) = default;  ///< member-wise equality
};

/// A successful end of a result set (RESULT_END). The counts are informational.
struct ResultEnd {
    std::uint64_t final_seq = 0;   ///< batch_seq of the last batch
    std::uint64_t total_rows = 0;  ///< 0 = not tracked by the server
    friend bool operator==(const ResultEnd&, const ResultEnd&) = default;  ///< member-wise equality
};

/// The acknowledgement of a non-SELECT statement (EXEC_DONE).
struct ExecDone {
    std::uint8_t op_type = 0;         ///< raw statement discriminator (values unlisted by the spec)
    std::uint64_t rows_affected = 0;  ///< rows inserted/updated/deleted (0 for DDL)
    friend bool operator==(const ExecDone&, const ExecDone&) = default;  ///< member-wise equality
};

/// A UUID as two 64-bit halves (the wire order: low half first).
struct Uuid {
    std::uint64_t lo = 0;                                        ///< low 64 bits
    std::uint64_t hi = 0;                                        ///< high 64 bits
    friend bool operator==(const Uuid&, const Uuid&) = default;  ///< member-wise equality
};

/// A 256-bit integer, least significant limb first.
struct Long256 {
    std::array<std::uint64_t, 4> limbs{};                              ///< little-endian limbs
    friend bool operator==(const Long256&, const Long256&) = default;  ///< member-wise equality
};

/// DECIMAL64: value = unscaled / 10^scale.
struct Decimal64 {
    std::int64_t unscaled = 0;  ///< the value times 10^scale
    std::uint8_t scale = 0;     ///< digits after the decimal point
    friend bool operator==(const Decimal64&, const Decimal64&) = default;  ///< member-wise equality
};

/// DECIMAL128 as two's complement limbs (lo then hi): value = unscaled / 10^scale.
struct Decimal128 {
    std::uint64_t lo = 0;    ///< low 64 bits of the unscaled value
    std::int64_t hi = 0;     ///< high 64 bits (sign included)
    std::uint8_t scale = 0;  ///< digits after the decimal point
    friend bool operator==(const Decimal128&,
                           const Decimal128&) = default;  ///< member-wise equality
};

/// DECIMAL256 as two's complement limbs, least significant first.
struct Decimal256 {
    std::array<std::uint64_t, 4> limbs{};  ///< the unscaled value, least significant limb first
    std::uint8_t scale = 0;                ///< digits after the decimal point
    friend bool operator==(const Decimal256&,
                           const Decimal256&) = default;  ///< member-wise equality
};

/// A geohash: `precision` bits (1..60) held in the low bits of `bits`.
struct Geohash {
    std::uint64_t bits = 0;      ///< the geohash in the low `precision` bits
    std::uint8_t precision = 0;  ///< number of bits
    friend bool operator==(const Geohash&, const Geohash&) = default;  ///< member-wise equality
};

}  // namespace questdb::egress
