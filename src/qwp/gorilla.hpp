#pragma once

// Gorilla delta-of-delta timestamp codec (ingress spec "Timestamp encoding"; egress reuses the
// decoder). Layout: first value i64 LE, second value i64 LE, then for every further value a
// prefix-coded delta-of-delta, bits LSB-first, zero-padded to a whole byte:
//   DoD == 0 -> '0'; [-64,63] -> '10'+7 bits; [-256,255] -> '110'+9; [-2048,2047] -> '1110'+12;
//   otherwise '1111'+32 bits (two's complement). Arithmetic wraps like Java's long.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace questdb::qwp::gorilla {

/// Bytes the stream for `values` takes (excluding the encoding byte), or nullopt when some
/// delta-of-delta falls outside int32 (the caller then writes the values uncompressed).
/// Requires values.size() >= 2.
std::optional<std::size_t> encoded_size(std::span<const std::int64_t> values) noexcept;

/// Writes the stream for `values` to `dst`, which must have room for encoded_size(values)
/// bytes (a value was returned). Returns the bytes written.
std::size_t encode(std::span<const std::int64_t> values, std::uint8_t* dst) noexcept;

/// Decodes `count` (>= 2) values from the front of `data` into `out`. Returns the bytes the
/// stream occupied, or nullopt when `data` is too short or count < 2. Never reads past `data`.
std::optional<std::size_t> decode(std::span<const std::uint8_t> data, std::size_t count,
                                  std::int64_t* out) noexcept;

}  // namespace questdb::qwp::gorilla
