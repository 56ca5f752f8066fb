#include "qwp/utf8.hpp"

#include <bit>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace questdb::qwp {

namespace {

constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;

std::uint64_t load64(const std::uint8_t* p) noexcept {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
}

// Index of the first byte >= 0x80 at or after `i`, or `n`. Text columns are mostly ASCII, so
// this loop is the validator's cost: one OR-reduced test per 64 bytes, then the exact byte.
std::size_t skip_ascii(const std::uint8_t* s, std::size_t i, std::size_t n) noexcept {
#if defined(__SSE2__)
    const auto load = [s](std::size_t at) {
        return _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + at));
    };
    while (i + 64 <= n) {
        const __m128i any = _mm_or_si128(_mm_or_si128(load(i), load(i + 16)),
                                         _mm_or_si128(load(i + 32), load(i + 48)));
        if (_mm_movemask_epi8(any) != 0) {
            break;
        }
        i += 64;
    }
    while (i + 16 <= n) {
        const int mask = _mm_movemask_epi8(load(i));
        if (mask != 0) {
            return i + static_cast<std::size_t>(std::countr_zero(static_cast<unsigned>(mask)));
        }
        i += 16;
    }
#endif
    while (i + 8 <= n) {
        const std::uint64_t high = load64(s + i) & kHighBits;
        if (high != 0) {
            // Bytes are little-endian in the word on every target we build for; memcpy keeps
            // the first byte lowest, so the lowest set high bit is the first such byte.
            if constexpr (std::endian::native == std::endian::little) {
                return i + static_cast<std::size_t>(std::countr_zero(high) / 8);
            } else {
                return i + static_cast<std::size_t>(std::countl_zero(high) / 8);
            }
        }
        i += 8;
    }
    while (i < n && s[i] < 0x80) {
        ++i;
    }
    return i;
}

// Length of the well-formed multi-byte character at s[i] (s[i] >= 0x80), or 0.
std::size_t multibyte_length(const std::uint8_t* s, std::size_t i, std::size_t n) noexcept {
    const std::uint8_t c = s[i];
    std::size_t len;
    std::uint8_t lo = 0x80;  // bounds of the second byte
    std::uint8_t hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;  // overlong
        if (c == 0xED)
            hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;  // overlong
        if (c == 0xF4)
            hi = 0x8F;  // > U+10FFFF
    } else {
        return 0;  // a continuation byte, an overlong lead (C0, C1) or F5..FF
    }
    if (n - i < len || s[i + 1] < lo || s[i + 1] > hi)
        return 0;
    for (std::size_t k = 2; k < len; ++k) {
        if ((s[i + k] & 0xC0) != 0x80)
            return 0;
    }
    return len;
}

}  // namespace

Utf8Kind utf8_kind(const std::uint8_t* s, std::size_t n) noexcept {
    Utf8Kind kind = Utf8Kind::ascii;
    std::size_t i = 0;
    for (;;) {
        i = skip_ascii(s, i, n);
        if (i == n) {
            return kind;
        }
        const std::size_t len = multibyte_length(s, i, n);
        if (len == 0) {
            return Utf8Kind::invalid;
        }
        kind = Utf8Kind::multibyte;
        i += len;
    }
}

}  // namespace questdb::qwp
