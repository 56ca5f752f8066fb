#pragma once

// Copying and ASCII-testing short byte ranges without a libc call, for the row APIs' names
// and values (QWP and ILP): fixed-size moves that may overlap, never outside the range (the
// same technique as bytes_equal.hpp). At these sizes a call costs more than the work.

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace questdb::detail {

inline constexpr std::size_t kSmallBytes = 32;

/// Copies n bytes, without a library call up to 16 (the short runs rows are made of: names,
/// symbols, short text); reads and writes only [src, src + n) and [dst, dst + n).
[[gnu::always_inline]] inline void copy_short(std::uint8_t* dst, const char* src,
                                              std::size_t n) noexcept {
    if (n >= 8) {
        if (n > 16) [[unlikely]] {
            std::memcpy(dst, src, n);
            return;
        }
        std::uint64_t a;
        std::uint64_t b;
        std::memcpy(&a, src, 8);
        std::memcpy(&b, src + n - 8, 8);
        std::memcpy(dst, &a, 8);
        std::memcpy(dst + n - 8, &b, 8);
    } else if (n >= 4) {
        std::uint32_t a;
        std::uint32_t b;
        std::memcpy(&a, src, 4);
        std::memcpy(&b, src + n - 4, 4);
        std::memcpy(dst, &a, 4);
        std::memcpy(dst + n - 4, &b, 4);
    } else {
        for (std::size_t i = 0; i < n; ++i) {
            dst[i] = static_cast<std::uint8_t>(src[i]);
        }
    }
}

/// Whether the `n` <= kSmallBytes bytes at `p` are all below 0x80 (ASCII, hence valid UTF-8).
[[nodiscard, gnu::always_inline]] inline bool is_small_ascii(const void* p,
                                                             std::size_t n) noexcept {
    const auto* s = static_cast<const unsigned char*>(p);
    std::uint64_t any = 0;
    if (n >= 8) {
        for (std::size_t i = 0; i + 8 < n; i += 8) {
            std::uint64_t w;
            std::memcpy(&w, s + i, 8);
            any |= w;
        }
        std::uint64_t w;
        std::memcpy(&w, s + n - 8, 8);
        any |= w;
    } else if (n >= 4) {
        std::uint32_t head;
        std::uint32_t tail;
        std::memcpy(&head, s, 4);
        std::memcpy(&tail, s + n - 4, 4);
        any = head | tail;
    } else if (n != 0) {
        any = s[0] | s[n >> 1] | s[n - 1];
    }
    return (any & 0x8080808080808080ULL) == 0;
}

}  // namespace questdb::detail
