#pragma once

// CRC32C (Castagnoli, reflected, init and xor-out 0xFFFFFFFF): the checksum of every
// store-and-forward file (segment frames, manifest records, symbol-dictionary chunks).

#include <cstddef>
#include <cstdint>
#include <span>

namespace questdb::sf {

/// Incremental CRC32C. `Crc32c{}.update(a).update(b).value()` equals the CRC32C of `a || b`.
///
/// Uses the SSE4.2 `crc32` instruction when the CPU has it and Boost.CRC otherwise: the
/// table-driven Boost code runs at ~0.3 GB/s, which would make checksumming, not the disk,
/// the limit of store-and-forward throughput (measured in bench/sf_bench.cpp).
/// Not thread-safe per instance; instances are cheap values.
class Crc32c {
  public:
    Crc32c& update(const void* data, std::size_t size) noexcept;
    Crc32c& update(std::span<const std::uint8_t> bytes) noexcept {
        return update(bytes.data(), bytes.size());
    }
    /// update(src, size) that also copies the bytes to `dst` (which must not overlap `src`), in
    /// one pass over the source: cheaper than a checksum followed by a memcpy.
    Crc32c& update_and_copy(void* dst, const void* src, std::size_t size) noexcept;
    /// The finished checksum of everything passed to update() so far.
    [[nodiscard]] std::uint32_t value() const noexcept { return ~state_; }

  private:
    std::uint32_t state_ = 0xFFFFFFFFu;  // pre-inverted register
};

/// CRC32C of one buffer.
[[nodiscard]] inline std::uint32_t crc32c(std::span<const std::uint8_t> bytes) noexcept {
    return Crc32c{}.update(bytes).value();
}

/// The portable (Boost.CRC) implementation, exposed so tests and the benchmark can compare it
/// with the accelerated one.
[[nodiscard]] std::uint32_t crc32c_portable(std::span<const std::uint8_t> bytes) noexcept;

/// Whether Crc32c uses the CPU's CRC32C instruction on this machine.
[[nodiscard]] bool crc32c_is_accelerated() noexcept;

}  // namespace questdb::sf
