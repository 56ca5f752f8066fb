#pragma once

// Equality of two equally long byte ranges without a libc call, for the row API's hot paths
// (column names, table names, symbol values: almost always shorter than 32 bytes, where a
// memcmp call costs more than the comparison). Compares whole words: lengths 8 and up go 8
// bytes at a time with a final word that overlaps the previous one, 4..7 as two overlapping
// 4-byte loads, 1..3 as first, middle and last byte. Every byte is compared; no read goes
// outside [p, p + n).

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace questdb::detail {

[[nodiscard, gnu::always_inline]] inline bool bytes_equal(const char* a, const char* b,
                                                          std::size_t n) noexcept {
    if (n >= 8) {
        std::size_t i = 0;
        for (; i + 8 < n; i += 8) {
            std::uint64_t x;
            std::uint64_t y;
            std::memcpy(&x, a + i, 8);
            std::memcpy(&y, b + i, 8);
            if (x != y)
                return false;
        }
        std::uint64_t x;
        std::uint64_t y;
        std::memcpy(&x, a + n - 8, 8);
        std::memcpy(&y, b + n - 8, 8);
        return x == y;
    }
    if (n >= 4) {
        std::uint32_t x0;
        std::uint32_t y0;
        std::uint32_t x1;
        std::uint32_t y1;
        std::memcpy(&x0, a, 4);
        std::memcpy(&y0, b, 4);
        std::memcpy(&x1, a + n - 4, 4);
        std::memcpy(&y1, b + n - 4, 4);
        return ((x0 ^ y0) | (x1 ^ y1)) == 0;
    }
    if (n == 0)
        return true;
    // 1..3 bytes: first, middle and last cover every byte.
    return a[0] == b[0] && a[n >> 1] == b[n >> 1] && a[n - 1] == b[n - 1];
}

}  // namespace questdb::detail
