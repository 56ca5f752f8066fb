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
__attribute__((target("sse4.2"))) std::uint32_t update_sse42(std::uint32_t state,
                                                             const std::uint8_t* p, std::size_t n) {
    std::uint64_t crc = state;
    while (n >= 8) {
        std::uint64_t word;
        std::memcpy(&word, p, 8);
        crc = _mm_crc32_u64(crc, word);
        p += 8;
        n -= 8;
    }
    auto crc32 = static_cast<std::uint32_t>(crc);
    while (n > 0) {
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
        state_ = update_sse42(state_, p, size);
        return *this;
    }
#endif
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
