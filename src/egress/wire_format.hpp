#pragma once

// Constants of the QWP egress wire (qwp-egress-websocket.md): frame header, message kinds,
// flags, status codes and decoder sanity caps. Egress framing is asymmetric: server frames
// carry the 12-byte header, client frames start directly at msg_kind.

#include <cstddef>
#include <cstdint>

#include "questdb/egress/types.hpp"

namespace questdb::egress::wire {

inline constexpr std::uint32_t kMagic = 0x31505751;  // "QWP1" read as a little-endian u32
inline constexpr std::uint8_t kVersion = 1;
inline constexpr std::size_t kHeaderSize = 12;

enum class MsgKind : std::uint8_t {
    query_request = 0x10,
    result_batch = 0x11,
    result_end = 0x12,
    query_error = 0x13,
    cancel = 0x14,
    credit = 0x15,
    exec_done = 0x16,
    cache_reset = 0x17,
    server_info = 0x18,
};

inline constexpr std::uint8_t kFlagGorilla = 0x04;
inline constexpr std::uint8_t kFlagDeltaSymbolDict = 0x08;
inline constexpr std::uint8_t kFlagZstd = 0x10;

inline constexpr std::uint8_t kResetMaskDict = 0x01;
inline constexpr std::uint64_t kQueryFlagResetDict = 0x01;

// QUERY_ERROR statuses.
inline constexpr std::uint8_t kStatusSchemaMismatch = 0x03;
inline constexpr std::uint8_t kStatusParseError = 0x05;
inline constexpr std::uint8_t kStatusInternalError = 0x06;
inline constexpr std::uint8_t kStatusSecurityError = 0x08;
inline constexpr std::uint8_t kStatusCancelled = 0x0A;
inline constexpr std::uint8_t kStatusLimitExceeded = 0x0B;

// Time-column encoding byte under FLAG_GORILLA.
inline constexpr std::uint8_t kEncodingRaw = 0x00;
inline constexpr std::uint8_t kEncodingGorilla = 0x01;

// Protocol limits (C->S, validated locally) and decoder sanity caps (hostile server, H5).
inline constexpr std::size_t kMaxSqlBytes = 1u << 20;
inline constexpr std::size_t kMaxBinds = 1024;
inline constexpr std::size_t kDefaultMaxRequestBytes = (2u << 20) - 14 - 64 * 1024;  // ~1.94 MiB
inline constexpr std::size_t kMaxBatchWireBytes = 16u << 20;
inline constexpr std::uint64_t kMaxRowsPerBatch = 1u << 20;
inline constexpr std::uint64_t kMaxColumns = 2048;
inline constexpr std::uint64_t kMaxNameBytes = 127;
inline constexpr std::uint64_t kMaxVarOffset = 0x7FFFFFFF;
inline constexpr unsigned kMaxGeohashBits = 60;
inline constexpr unsigned kMaxArrayDims = 32;
inline constexpr std::uint8_t kMaxDecimalScale = 76;
inline constexpr std::size_t kDefaultMaxDecompressedBytes = 64u << 20;

/// Bytes per value of a fixed-width column kind on the wire; 0 for the kinds that are not
/// (boolean is bit-packed, geohash depends on its precision, the rest are variable-length).
constexpr std::uint8_t fixed_width(ColumnKind kind) noexcept {
    switch (kind) {
        case ColumnKind::byte:
            return 1;
        case ColumnKind::short_:
        case ColumnKind::char_:
            return 2;
        case ColumnKind::int_:
        case ColumnKind::float_:
        case ColumnKind::ipv4:
            return 4;
        case ColumnKind::long_:
        case ColumnKind::double_:
        case ColumnKind::timestamp:
        case ColumnKind::timestamp_nanos:
        case ColumnKind::date:
        case ColumnKind::decimal64:
            return 8;
        case ColumnKind::uuid:
        case ColumnKind::decimal128:
            return 16;
        case ColumnKind::long256:
        case ColumnKind::decimal256:
            return 32;
        default:
            return 0;
    }
}

}  // namespace questdb::egress::wire
