#pragma once

// Strict UTF-8 validation (RFC 3629): no overlong forms, no surrogates, nothing past U+10FFFF.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace questdb::qwp {

/// What utf8_kind() found in a byte range.
enum class Utf8Kind : std::uint8_t {
    ascii,      ///< every byte < 0x80 (so valid, and no byte is a continuation byte)
    multibyte,  ///< valid, with at least one multi-byte character
    invalid,    ///< not well-formed UTF-8
};

/// Classifies `bytes`. ASCII runs are skipped 64 bytes per step (SSE2 where available, else
/// eight bytes per step), so mostly-ASCII text costs about one load per 16 bytes. Callers that
/// split the range into values use `ascii` to skip their per-value boundary checks: no value
/// can start inside a character when there are no multi-byte characters.
Utf8Kind utf8_kind(const std::uint8_t* bytes, std::size_t size) noexcept;

/// Whether `bytes` is well-formed UTF-8.
inline bool is_valid_utf8(const std::uint8_t* bytes, std::size_t size) noexcept {
    return utf8_kind(bytes, size) != Utf8Kind::invalid;
}

inline bool is_valid_utf8(std::string_view s) noexcept {
    return is_valid_utf8(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

}  // namespace questdb::qwp
