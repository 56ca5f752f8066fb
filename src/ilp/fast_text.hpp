#pragma once

// Inline pieces of the ILP line writer's per-row fast path (LineBuffer::try_*): byte class
// tables, integer digits written straight into the output, and short copies. Each answers
// "is this the plain case?" without building a Status, so the fast path can decline and
// leave everything unusual (escaping, UTF-8, errors) to the full setters.

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "core/small_bytes.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace questdb::ilp::fast {

using ByteClass = std::array<std::uint8_t, 256>;

/// 1 for printable ASCII (and space if `allow_space`) except the bytes in `refused`.
constexpr ByteClass make_class(std::string_view refused, bool allow_space) {
    ByteClass t{};
    for (unsigned c = 0x20; c < 0x7f; ++c) {
        t[c] = 1;
    }
    t[' '] = allow_space ? 1 : 0;
    for (const char ch : refused) {
        t[static_cast<unsigned char>(ch)] = 0;
    }
    return t;
}

/// 1 for every ASCII byte (controls included) except the bytes in `refused`.
constexpr ByteClass make_ascii_class(std::string_view refused) {
    ByteClass t{};
    for (unsigned c = 0; c < 0x80; ++c) {
        t[c] = 1;
    }
    for (const char ch : refused) {
        t[static_cast<unsigned char>(ch)] = 0;
    }
    return t;
}

// Name bytes that need neither validation detail nor escaping: printable ASCII without the
// bytes QuestDB forbids in names ("?,'\"\\/:)(+*%~" plus controls and DEL), without ' ' and
// '=' (legal but escaped) and, for tables, without '.' (positional rules); column names
// also refuse '.' and '-'. A subset of is_simple_*_name's bytes (which also let 0x10..0x1f
// through): declining more only sends a name to the full setter.
inline constexpr ByteClass kSimpleTableByte = make_class("?,'\"\\/:)(+*%~=.", false);
inline constexpr ByteClass kSimpleColumnByte = make_class("?,'\"\\/:)(+*%~=.-", false);
// Symbol values written as is: ASCII (so valid UTF-8) and nothing append_escaped_unquoted
// escapes (" ,=\n\r\\"); controls other than CR/LF are allowed (they are not escaped).
inline constexpr ByteClass kPlainSymbolByte = make_ascii_class(" ,=\n\r\\");
// String values written between quotes as is: ASCII and none of "\n\r\"\\".
inline constexpr ByteClass kPlainStringByte = make_ascii_class("\n\r\"\\");

/// Whether every byte of `text` is in `cls`. Exits at the first miss: the branch is cheap
/// for names (a few bytes) and keeps GCC from "vectorising" the lookups into a far longer
/// gather sequence.
[[gnu::always_inline]] inline bool all_of(std::string_view text, const ByteClass& cls) noexcept {
    for (const char ch : text) {
        if (cls[static_cast<unsigned char>(ch)] == 0) {
            return false;
        }
    }
    return true;
}

/// Nonzero when some byte of `w` has its high bit set or equals one of `Specials`
/// (the classic exact "has a zero byte" test on w ^ broadcast(special)).
template <unsigned char... Specials>
[[gnu::always_inline]] inline std::uint64_t flagged_bytes(std::uint64_t w) noexcept {
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
    constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
    std::uint64_t r = w & kHighs;
    ((r |= ((w ^ (kOnes * Specials)) - kOnes) & ~(w ^ (kOnes * Specials)) & kHighs), ...);
    return r;
}

/// all_of for a class "ASCII except Specials" (`cls` must be exactly that class): SSE2
/// compares from 4 bytes up where available, else eight bytes per step from 8 bytes up;
/// the table below that.
template <unsigned char... Specials>
[[gnu::always_inline]] inline bool all_plain(std::string_view text, const ByteClass& cls) noexcept {
    const std::size_t n = text.size();
    const char* p = text.data();
#if defined(__SSE2__)
    if (n >= 4) {
        // 16 bytes per compare: the high bits (pmovmskb) plus one equality per special.
        const auto flagged = [](__m128i v) {
            __m128i hit = _mm_setzero_si128();
            ((hit =
                  _mm_or_si128(hit, _mm_cmpeq_epi8(v, _mm_set1_epi8(static_cast<char>(Specials))))),
             ...);
            return _mm_movemask_epi8(_mm_or_si128(v, hit));
        };
        if (n < 8) {  // two overlapping 4-byte halves
            std::uint32_t a;
            std::uint32_t b;
            std::memcpy(&a, p, 4);
            std::memcpy(&b, p + n - 4, 4);
            return flagged(_mm_unpacklo_epi32(_mm_cvtsi32_si128(static_cast<int>(a)),
                                              _mm_cvtsi32_si128(static_cast<int>(b)))) == 0;
        }
        if (n <= 16) {  // two overlapping 8-byte halves
            const __m128i a = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p));
            const __m128i b = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p + n - 8));
            return flagged(_mm_unpacklo_epi64(a, b)) == 0;
        }
        int mask = 0;
        std::size_t i = 0;
        for (; i + 16 <= n; i += 16) {
            mask |= flagged(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)));
        }
        if (i != n) {  // the last 16 bytes, overlapping the ones already checked
            mask |= flagged(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + n - 16)));
        }
        return mask == 0;
    }
#endif
    if (n < 8) {
        return all_of(text, cls);
    }
    std::uint64_t flags = 0;
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t w;
        std::memcpy(&w, p + i, 8);
        flags |= flagged_bytes<Specials...>(w);
    }
    if (i != n) {
        std::uint64_t w;  // the last eight bytes, overlapping the ones already checked
        std::memcpy(&w, p + n - 8, 8);
        flags |= flagged_bytes<Specials...>(w);
    }
    return flags == 0;
}

using questdb::detail::copy_short;

/// Whether the n bytes at a and b are equal; no library call for n <= 16.
[[gnu::always_inline]] inline bool equal_short(const std::uint8_t* a, const char* b,
                                               std::size_t n) noexcept {
    if (n >= 8) {
        if (n > 16) [[unlikely]] {
            return std::memcmp(a, b, n) == 0;
        }
        std::uint64_t a0, a1, b0, b1;
        std::memcpy(&a0, a, 8);
        std::memcpy(&a1, a + n - 8, 8);
        std::memcpy(&b0, b, 8);
        std::memcpy(&b1, b + n - 8, 8);
        return ((a0 ^ b0) | (a1 ^ b1)) == 0;
    }
    if (n >= 4) {
        std::uint32_t a0, a1, b0, b1;
        std::memcpy(&a0, a, 4);
        std::memcpy(&a1, a + n - 4, 4);
        std::memcpy(&b0, b, 4);
        std::memcpy(&b1, b + n - 4, 4);
        return ((a0 ^ b0) | (a1 ^ b1)) == 0;
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (a[i] != static_cast<std::uint8_t>(b[i])) {
            return false;
        }
    }
    return true;
}

inline constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

inline constexpr std::uint64_t kPow10U64[20] = {1ULL,
                                                10ULL,
                                                100ULL,
                                                1000ULL,
                                                10000ULL,
                                                100000ULL,
                                                1000000ULL,
                                                10000000ULL,
                                                100000000ULL,
                                                1000000000ULL,
                                                10000000000ULL,
                                                100000000000ULL,
                                                1000000000000ULL,
                                                10000000000000ULL,
                                                100000000000000ULL,
                                                1000000000000000ULL,
                                                10000000000000000ULL,
                                                100000000000000000ULL,
                                                1000000000000000000ULL,
                                                10000000000000000000ULL};

/// Number of decimal digits of v (1 for 0).
[[gnu::always_inline]] inline unsigned digit_count(std::uint64_t v) noexcept {
    // floor(log10(2^bits)) estimate, then one correction against the power table.
    const unsigned bits = static_cast<unsigned>(std::bit_width(v | 1));
    const unsigned guess = (bits * 1233) >> 12;  // floor(bits * log10(2)): count or count - 1
    // (v | 1): zero has one digit; no other comparison changes (10^k - 1 is odd).
    return guess + 1 - ((v | 1) < kPow10U64[guess] ? 1 : 0);
}

/// The 8 ASCII digits of v (< 10^8), zero-padded, as a word whose lowest byte is the
/// leading digit (little-endian hosts only: stored as is it reads left to right). Lane
/// arithmetic: two 4-digit halves in 32-bit lanes, then /100 and %100 into 16-bit lanes,
/// then /10 and %10 into bytes; (x * 10486) >> 20 == x / 100 for x < 10^4 and
/// (x * 103) >> 10 == x / 10 for x < 100, and no lane's product reaches the next lane.
[[gnu::always_inline]] inline std::uint64_t eight_digits_le(std::uint32_t v) noexcept {
    const std::uint64_t x = (v / 10000) | (static_cast<std::uint64_t>(v % 10000) << 32);
    const std::uint64_t hundreds = ((x * 10486) >> 20) & 0x0000007F0000007FULL;
    const std::uint64_t pairs = hundreds | ((x - hundreds * 100) << 16);
    const std::uint64_t tens = ((pairs * 103) >> 10) & 0x000F000F000F000FULL;
    const std::uint64_t digits = tens | ((pairs - tens * 10) << 8);
    return digits + 0x3030303030303030ULL;
}

/// Writes exactly 8 digits of v (< 10^8), zero-padded, at dst.
[[gnu::always_inline]] inline void write_8_digits(std::uint8_t* dst, std::uint32_t v) noexcept {
    if constexpr (std::endian::native == std::endian::little) {
        const std::uint64_t word = eight_digits_le(v);
        std::memcpy(dst, &word, 8);
    } else {
        const std::uint32_t hi = v / 10000;
        const std::uint32_t lo = v % 10000;
        std::memcpy(dst + 0, kDigitPairs + std::size_t{hi / 100} * 2, 2);
        std::memcpy(dst + 2, kDigitPairs + std::size_t{hi % 100} * 2, 2);
        std::memcpy(dst + 4, kDigitPairs + std::size_t{lo / 100} * 2, 2);
        std::memcpy(dst + 6, kDigitPairs + std::size_t{lo % 100} * 2, 2);
    }
}

/// Writes v (< 10^8) without leading zeros at dst and returns the end. May write up to 8
/// bytes from dst whatever the length (the caller's reservation covers that).
[[gnu::always_inline]] inline std::uint8_t* write_small(std::uint8_t* dst,
                                                        std::uint32_t v) noexcept {
    const unsigned n = digit_count(v);
    if constexpr (std::endian::native == std::endian::little) {
        // Drop the 8 - n leading zero digits, which sit in the low bytes.
        const std::uint64_t word = eight_digits_le(v) >> (8 * (8 - n));
        std::memcpy(dst, &word, 8);
    } else {
        std::uint8_t* p = dst + n;
        while (v >= 100) {
            p -= 2;
            std::memcpy(p, kDigitPairs + std::size_t{v % 100} * 2, 2);
            v /= 100;
        }
        if (v >= 10) {
            p -= 2;
            std::memcpy(p, kDigitPairs + std::size_t{v} * 2, 2);
        } else {
            *--p = static_cast<std::uint8_t>('0' + v);
        }
    }
    return dst + n;
}

/// Writes v in decimal at dst and returns the end. Needs 20 bytes at dst (it may write
/// scratch bytes past the end, up to dst + 20).
[[gnu::always_inline]] inline std::uint8_t* write_u64(std::uint8_t* dst, std::uint64_t v) noexcept {
    constexpr std::uint64_t k1e8 = 100000000;
    if (v < k1e8) {
        return write_small(dst, static_cast<std::uint32_t>(v));
    }
    const auto low = static_cast<std::uint32_t>(v % k1e8);
    v /= k1e8;
    std::uint8_t* p;
    if (v < k1e8) {
        p = write_small(dst, static_cast<std::uint32_t>(v));
    } else {
        // Up to 20 digits: a head of at most 4, then two blocks of 8.
        p = write_small(dst, static_cast<std::uint32_t>(v / k1e8));
        write_8_digits(p, static_cast<std::uint32_t>(v % k1e8));
        p += 8;
    }
    write_8_digits(p, low);
    return p + 8;
}

/// Writes a signed value in decimal and returns the end; needs 21 bytes at dst.
[[gnu::always_inline]] inline std::uint8_t* write_i64(std::uint8_t* dst,
                                                      std::int64_t value) noexcept {
    // Two's complement negation through unsigned keeps INT64_MIN well defined.
    std::uint64_t v = static_cast<std::uint64_t>(value);
    if (value < 0) {
        *dst++ = '-';
        v = 0 - v;
    }
    return write_u64(dst, v);
}

/// Symbol values written as is (kPlainSymbolByte).
[[gnu::always_inline]] inline bool plain_symbol_value(std::string_view text) noexcept {
    return all_plain<' ', ',', '=', '\n', '\r', '\\'>(text, kPlainSymbolByte);
}
/// String values written between quotes as is (kPlainStringByte).
[[gnu::always_inline]] inline bool plain_string_value(std::string_view text) noexcept {
    return all_plain<'\n', '\r', '"', '\\'>(text, kPlainStringByte);
}

}  // namespace questdb::ilp::fast
