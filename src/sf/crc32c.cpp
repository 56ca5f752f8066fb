#include "sf/crc32c.hpp"

#include <boost/crc.hpp>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <nmmintrin.h>
#define QUESTDB_SF_HAVE_SSE42_PATH 1
#endif

namespace questdb::sf {
namespace {

using BoostCrc32c = boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true>;

std::uint32_t reflect32(std::uint32_t v) noexcept {
    std::uint32_t r = 0;
    for (int i = 0; i < 32; ++i) {
        r = (r << 1) | (v & 1u);
        v >>= 1;
    }
    return r;
}

// `state` is the register in reflected (hardware) form; Boost keeps it unreflected.
std::uint32_t update_portable(std::uint32_t state, const std::uint8_t* p, std::size_t n) {
    BoostCrc32c crc(reflect32(state));
    crc.process_bytes(p, n);
    return reflect32(crc.get_interim_remainder());
}

#ifdef QUESTDB_SF_HAVE_SSE42_PATH
// The crc32 instruction has a latency of three cycles but issues every cycle, so three
// independent streams over three equal lanes run about three times faster than one. The lane
// results are merged with the linear "append n zero bytes" operator, precomputed per lane
// length as four 256-entry tables (the technique of Mark Adler's crc32c.c).
constexpr std::size_t kLongLane = 8192;
constexpr std::size_t kShortLane = 256;

struct ShiftTable {
    std::uint32_t t[4][256];
    [[nodiscard]] std::uint32_t apply(std::uint32_t crc) const noexcept {
        return t[0][crc & 0xFF] ^ t[1][(crc >> 8) & 0xFF] ^ t[2][(crc >> 16) & 0xFF] ^
               t[3][crc >> 24];
    }
};

__attribute__((target("sse4.2"))) std::uint32_t append_zeros(std::uint32_t crc, std::size_t len) {
    std::uint64_t c = crc;
    for (std::size_t i = 0; i < len / 8; ++i) {
        c = _mm_crc32_u64(c, 0);
    }
    return static_cast<std::uint32_t>(c);
}

ShiftTable make_shift_table(std::size_t lane) {
    std::uint32_t basis[32];
    for (int k = 0; k < 32; ++k) {
        basis[k] = append_zeros(std::uint32_t{1} << k, lane);
    }
    ShiftTable table{};
    for (int byte = 0; byte < 4; ++byte) {
        for (int v = 0; v < 256; ++v) {
            std::uint32_t out = 0;
            for (int bit = 0; bit < 8; ++bit) {
                if ((v >> bit) & 1) {
                    out ^= basis[byte * 8 + bit];
                }
            }
            table.t[byte][v] = out;
        }
    }
    return table;
}

std::uint64_t load64(const std::uint8_t* p) noexcept {
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
}

// Runs whole 3-lane blocks of `lane` bytes each; returns the advanced pointer. With a `dst`,
// also stores every loaded word there (advancing `dst`): checksum and copy in one pass over
// the source, so a frame written to a segment is read once instead of twice.
template <bool kCopy>
__attribute__((target("sse4.2"), always_inline)) inline const std::uint8_t* run_lanes(
    std::uint64_t& crc, const std::uint8_t* p, std::uint8_t*& dst, std::size_t& n, std::size_t lane,
    const ShiftTable& shift) {
    while (n >= 3 * lane) {
        std::uint64_t c1 = 0;
        std::uint64_t c2 = 0;
        const std::uint8_t* const end = p + lane;
        do {
            const std::uint64_t w0 = load64(p);
            const std::uint64_t w1 = load64(p + lane);
            const std::uint64_t w2 = load64(p + 2 * lane);
            crc = _mm_crc32_u64(crc, w0);
            c1 = _mm_crc32_u64(c1, w1);
            c2 = _mm_crc32_u64(c2, w2);
            if constexpr (kCopy) {
                std::memcpy(dst, &w0, 8);
                std::memcpy(dst + lane, &w1, 8);
                std::memcpy(dst + 2 * lane, &w2, 8);
                dst += 8;
            }
            p += 8;
        } while (p < end);
        crc = shift.apply(static_cast<std::uint32_t>(crc)) ^ c1;
        crc = shift.apply(static_cast<std::uint32_t>(crc)) ^ c2;
        p += 2 * lane;
        if constexpr (kCopy) {
            dst += 2 * lane;
        }
        n -= 3 * lane;
    }
    return p;
}

template <bool kCopy>
__attribute__((target("sse4.2"))) std::uint32_t update_sse42(std::uint32_t state,
                                                             const std::uint8_t* p, std::size_t n,
                                                             std::uint8_t* dst) {
    static const ShiftTable long_shift = make_shift_table(kLongLane);
    static const ShiftTable short_shift = make_shift_table(kShortLane);
    std::uint64_t crc = state;
    p = run_lanes<kCopy>(crc, p, dst, n, kLongLane, long_shift);
    p = run_lanes<kCopy>(crc, p, dst, n, kShortLane, short_shift);
    while (n >= 8) {
        const std::uint64_t w = load64(p);
        crc = _mm_crc32_u64(crc, w);
        if constexpr (kCopy) {
            std::memcpy(dst, &w, 8);
            dst += 8;
        }
        p += 8;
        n -= 8;
    }
    auto crc32 = static_cast<std::uint32_t>(crc);
    while (n > 0) {
        if constexpr (kCopy) {
            *dst++ = *p;
        }
        crc32 = _mm_crc32_u8(crc32, *p++);
        --n;
    }
    return crc32;
}

bool detect_sse42() noexcept {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") != 0;
}
const bool kHaveSse42 = detect_sse42();
#else
constexpr bool kHaveSse42 = false;
#endif

}  // namespace

Crc32c& Crc32c::update(const void* data, std::size_t size) noexcept {
    const auto* p = static_cast<const std::uint8_t*>(data);
#ifdef QUESTDB_SF_HAVE_SSE42_PATH
    if (kHaveSse42) {
        state_ = update_sse42<false>(state_, p, size, nullptr);
        return *this;
    }
#endif
    state_ = update_portable(state_, p, size);
    return *this;
}

Crc32c& Crc32c::update_and_copy(void* dst, const void* src, std::size_t size) noexcept {
    const auto* p = static_cast<const std::uint8_t*>(src);
#ifdef QUESTDB_SF_HAVE_SSE42_PATH
    if (kHaveSse42) {
        state_ = update_sse42<true>(state_, p, size, static_cast<std::uint8_t*>(dst));
        return *this;
    }
#endif
    if (size > 0) {
        std::memcpy(dst, src, size);
    }
    state_ = update_portable(state_, p, size);
    return *this;
}

std::uint32_t crc32c_portable(std::span<const std::uint8_t> bytes) noexcept {
    BoostCrc32c crc;
    crc.process_bytes(bytes.data(), bytes.size());
    return crc.checksum();
}

bool crc32c_is_accelerated() noexcept {
    return kHaveSse42;
}

}  // namespace questdb::sf
