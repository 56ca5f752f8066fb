#pragma once

// Strict UTF-8 validation (RFC 3629): no overlong forms, no surrogates, nothing past U+10FFFF.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace questdb::qwp {

/// Whether `bytes` is well-formed UTF-8. ASCII runs are checked eight bytes at a time.
bool is_valid_utf8(const std::uint8_t* bytes, std::size_t size) noexcept;

inline bool is_valid_utf8(std::string_view s) noexcept {
    return is_valid_utf8(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

}  // namespace questdb::qwp
