#pragma once

// QWP ingress wire constants: message header, flags, column type codes and protocol limits
// (qwp-ingress-websocket.md). Shared by the encoder, the strict decoder and the test server.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace questdb::qwp {

/// "QWP1" read as a little-endian u32.
inline constexpr std::uint32_t kMagic = 0x31505751;
inline constexpr std::uint8_t kVersion1 = 1;
inline constexpr std::size_t kHeaderSize = 12;

/// Header flag bits. Bits 1 and 4-7 are reserved and must be zero.
inline constexpr std::uint8_t kFlagDeferCommit = 0x01;
inline constexpr std::uint8_t kFlagGorilla = 0x04;
inline constexpr std::uint8_t kFlagDeltaSymbolDict = 0x08;
inline constexpr std::uint8_t kKnownFlags = kFlagDeferCommit | kFlagGorilla | kFlagDeltaSymbolDict;

/// Per-column timestamp encoding byte, present only under kFlagGorilla.
inline constexpr std::uint8_t kTimestampUncompressed = 0x00;
inline constexpr std::uint8_t kTimestampGorilla = 0x01;

/// Protocol limits (spec "Protocol limits").
inline constexpr std::size_t kMaxMessageSize = std::size_t{16} * 1024 * 1024;
inline constexpr std::size_t kMaxNameLen = 127;
inline constexpr std::size_t kMaxRowsPerBlock = 1'000'000;
inline constexpr std::size_t kMaxColumnsPerTable = 2048;
inline constexpr std::size_t kMaxTablesPerMessage = 65'535;
inline constexpr std::size_t kMaxSymbolDictEntries = 2'000'000;
inline constexpr unsigned kMaxGeohashBits = 60;
inline constexpr unsigned kMaxDecimalScale = 76;
inline constexpr unsigned kMaxArrayDims = 32;

/// Column type codes. 0x08 (the old STRING) is unassigned.
enum class TypeCode : std::uint8_t {
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

constexpr bool is_known_type_code(std::uint8_t code) noexcept {
    return code >= 0x01 && code <= 0x18 && code != 0x08;
}

/// Bytes per value on the wire for fixed-width types; 0 for BOOLEAN (bit-packed), GEOHASH
/// (width depends on precision) and the variable-width types.
constexpr std::size_t fixed_width(TypeCode type) noexcept {
    switch (type) {
        case TypeCode::byte:
            return 1;
        case TypeCode::short_:
        case TypeCode::char_:
            return 2;
        case TypeCode::int_:
        case TypeCode::float_:
        case TypeCode::ipv4:
            return 4;
        case TypeCode::long_:
        case TypeCode::double_:
        case TypeCode::timestamp:
        case TypeCode::timestamp_nanos:
        case TypeCode::date:
        case TypeCode::decimal64:
            return 8;
        case TypeCode::uuid:
        case TypeCode::decimal128:
            return 16;
        case TypeCode::long256:
        case TypeCode::decimal256:
            return 32;
        default:
            return 0;
    }
}

/// Only TIMESTAMP and TIMESTAMP_NANOS carry the Gorilla encoding byte on ingress; DATE never.
constexpr bool is_gorilla_type(TypeCode type) noexcept {
    return type == TypeCode::timestamp || type == TypeCode::timestamp_nanos;
}

constexpr bool is_decimal(TypeCode type) noexcept {
    return type == TypeCode::decimal64 || type == TypeCode::decimal128 ||
           type == TypeCode::decimal256;
}

constexpr bool is_array(TypeCode type) noexcept {
    return type == TypeCode::double_array || type == TypeCode::long_array;
}

/// Types whose nulls the encoder writes as in-place sentinels (null_flag 0): the reference
/// strategy, since QuestDB stores no NULL for them. Every other type uses the null bitmap.
constexpr bool uses_sentinel_nulls(TypeCode type) noexcept {
    return type == TypeCode::boolean || type == TypeCode::byte || type == TypeCode::short_ ||
           type == TypeCode::char_;
}

/// Upper-case QuestDB name of a type, for messages.
std::string_view type_name(TypeCode type) noexcept;

}  // namespace questdb::qwp
