#pragma once

// Copying and ASCII-testing byte ranges of at most 32 bytes without a libc call, for the row
// API's short text values: fixed-size moves that may overlap, never outside the range (the
// same technique as bytes_equal.hpp). At these sizes a call costs more than the work.

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace questdb::detail {

inline constexpr std::size_t kSmallBytes = 32;

/// Copies `n` <= kSmallBytes bytes (the ranges must not overlap).
[[gnu::always_inline]] inline void copy_small(void* dst, const void* src, std::size_t n) noexcept {
    auto* d = static_cast<unsigned char*>(dst);
    const auto* s = static_cast<const unsigned char*>(src);
    if (n >= 16) {
        unsigned char head[16];
        unsigned char tail[16];
        std::memcpy(head, s, 16);
        std::memcpy(tail, s + n - 16, 16);
        std::memcpy(d, head, 16);
        std::memcpy(d + n - 16, tail, 16);
    } else if (n >= 8) {
        std::uint64_t head;
        std::uint64_t tail;
        std::memcpy(&head, s, 8);
        std::memcpy(&tail, s + n - 8, 8);
        std::memcpy(d, &head, 8);
        std::memcpy(d + n - 8, &tail, 8);
    } else if (n >= 4) {
        std::uint32_t head;
        std::uint32_t tail;
        std::memcpy(&head, s, 4);
        std::memcpy(&tail, s + n - 4, 4);
        std::memcpy(d, &head, 4);
        std::memcpy(d + n - 4, &tail, 4);
    } else if (n != 0) {
        // 1..3 bytes: first, middle and last cover every byte.
        const unsigned char first = s[0];
        const unsigned char middle = s[n >> 1];
        const unsigned char last = s[n - 1];
        d[0] = first;
        d[n >> 1] = middle;
        d[n - 1] = last;
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
