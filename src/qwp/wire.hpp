#pragma once

// Little-endian primitives and LEB128 varints shared by every QWP codec (ingress and egress,
// both directions) and by the store-and-forward files. Readers never read past their span:
// every read reports truncation instead.

#include <bit>
#include <boost/endian/conversion.hpp>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

namespace questdb::qwp {

/// Largest encoded size of a u64 varint.
inline constexpr std::size_t kMaxVarintBytes = 10;

/// Appends to a caller-owned byte vector, which it never shrinks (buffers are reused).
class ByteWriter {
public:
    explicit ByteWriter(std::vector<std::uint8_t>& out) noexcept : out_(&out) {}

    void u8(std::uint8_t v) { out_->push_back(v); }

    template <typename T>
    void le(T v) {
        static_assert(std::is_arithmetic_v<T>);
        if constexpr (std::is_integral_v<T>) {
            boost::endian::native_to_little_inplace(v);
        }
        const auto at = out_->size();
        out_->resize(at + sizeof(T));
        std::memcpy(out_->data() + at, &v, sizeof(T));
    }

    void varint(std::uint64_t v) {
        std::uint8_t tmp[kMaxVarintBytes];
        std::size_t n = 0;
        while (v >= 0x80) {
            tmp[n++] = static_cast<std::uint8_t>(v | 0x80);
            v >>= 7;
        }
        tmp[n++] = static_cast<std::uint8_t>(v);
        bytes(tmp, n);
    }

    void bytes(const void* data, std::size_t size) {
        if (size == 0) {
            return;
        }
        const auto at = out_->size();
        out_->resize(at + size);
        std::memcpy(out_->data() + at, data, size);
    }
    void bytes(std::string_view s) { bytes(s.data(), s.size()); }

    /// Overwrites a little-endian value already written at `offset` (for back-patching).
    template <typename T>
    void patch_le(std::size_t offset, T v) {
        boost::endian::native_to_little_inplace(v);
        std::memcpy(out_->data() + offset, &v, sizeof(T));
    }

    [[nodiscard]] std::size_t size() const noexcept { return out_->size(); }
    [[nodiscard]] std::vector<std::uint8_t>& buffer() noexcept { return *out_; }

private:
    std::vector<std::uint8_t>* out_;
};

/// Bounds-checked reads over a byte span. Each read returns false on truncation or a malformed
/// varint and then leaves the position unspecified; callers turn false into a protocol error.
class ByteReader {
public:
    ByteReader() = default;
    explicit ByteReader(std::span<const std::uint8_t> data) noexcept : data_(data) {}

    [[nodiscard]] std::size_t position() const noexcept { return pos_; }
    [[nodiscard]] std::size_t remaining() const noexcept { return data_.size() - pos_; }
    [[nodiscard]] bool at_end() const noexcept { return pos_ == data_.size(); }
    [[nodiscard]] const std::uint8_t* current() const noexcept { return data_.data() + pos_; }

    [[nodiscard]] bool u8(std::uint8_t& v) noexcept {
        if (pos_ >= data_.size()) {
            return false;
        }
        v = data_[pos_++];
        return true;
    }

    template <typename T>
    [[nodiscard]] bool le(T& v) noexcept {
        static_assert(std::is_arithmetic_v<T>);
        if (remaining() < sizeof(T)) {
            return false;
        }
        std::memcpy(&v, data_.data() + pos_, sizeof(T));
        if constexpr (std::is_integral_v<T>) {
            boost::endian::little_to_native_inplace(v);
        }
        pos_ += sizeof(T);
        return true;
    }

    /// Strict unsigned LEB128: at most 10 bytes and no bits beyond 64.
    [[nodiscard]] bool varint(std::uint64_t& v) noexcept {
        // Symbol ids, lengths and counts are mostly below 128: one byte, one branch.
        if (pos_ < data_.size() && data_[pos_] < 0x80) [[likely]] {
            v = data_[pos_++];
            return true;
        }
        std::uint64_t result = 0;
        for (unsigned i = 0; i < kMaxVarintBytes; ++i) {
            if (pos_ >= data_.size()) {
                return false;
            }
            const std::uint8_t b = data_[pos_++];
            if (i == kMaxVarintBytes - 1 && b > 0x01) {
                return false;  // would overflow 64 bits, or continue past 10 bytes
            }
            result |= static_cast<std::uint64_t>(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                v = result;
                return true;
            }
        }
        return false;
    }

    /// Borrows `size` bytes in place.
    [[nodiscard]] bool bytes(std::size_t size, std::span<const std::uint8_t>& out) noexcept {
        if (remaining() < size) {
            return false;
        }
        out = data_.subspan(pos_, size);
        pos_ += size;
        return true;
    }
    [[nodiscard]] bool skip(std::size_t size) noexcept {
        if (remaining() < size) {
            return false;
        }
        pos_ += size;
        return true;
    }

private:
    std::span<const std::uint8_t> data_{};
    std::size_t pos_ = 0;
};

/// Encoded size of `v` as a varint.
constexpr std::size_t varint_size(std::uint64_t v) noexcept {
    // ceil(bit_width / 7) with bit_width >= 1, without a loop or a data-dependent branch
    // (the row API adds one per SYMBOL value): (9b + 64) / 64 equals it for b in 1..64.
    return (static_cast<std::size_t>(std::bit_width(v | 1)) * 9 + 64) / 64;
}

}  // namespace questdb::qwp
