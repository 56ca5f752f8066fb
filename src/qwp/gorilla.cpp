#include "qwp/gorilla.hpp"

#include <boost/endian/conversion.hpp>
#include <cstring>
#include <limits>

namespace questdb::qwp::gorilla {
namespace {

constexpr std::size_t kRawPrefixBytes = 16;

std::int64_t load_i64(const std::uint8_t* p) noexcept {
    std::int64_t v;
    std::memcpy(&v, p, sizeof v);
    return boost::endian::little_to_native(v);
}

void store_i64(std::uint8_t* p, std::int64_t v) noexcept {
    v = boost::endian::native_to_little(v);
    std::memcpy(p, &v, sizeof v);
}

// Wrapping subtraction: timestamps near the i64 limits must not be undefined behaviour.
std::int64_t wrap_sub(std::int64_t a, std::int64_t b) noexcept {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b));
}
std::int64_t wrap_add(std::int64_t a, std::int64_t b) noexcept {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}

unsigned bits_for(std::int64_t dod) noexcept {
    if (dod == 0)
        return 1;
    if (dod >= -64 && dod <= 63)
        return 9;
    if (dod >= -256 && dod <= 255)
        return 12;
    if (dod >= -2048 && dod <= 2047)
        return 16;
    return 36;
}

class BitWriter {
  public:
    explicit BitWriter(std::uint8_t* dst) noexcept : dst_(dst) {}

    void put(std::uint64_t bits, unsigned count) noexcept {
        acc_ |= (bits & ((std::uint64_t{1} << count) - 1)) << filled_;
        filled_ += count;
        while (filled_ >= 8) {
            dst_[written_++] = static_cast<std::uint8_t>(acc_);
            acc_ >>= 8;
            filled_ -= 8;
        }
    }

    std::size_t finish() noexcept {
        if (filled_ > 0) {
            dst_[written_++] = static_cast<std::uint8_t>(acc_);
            acc_ = 0;
            filled_ = 0;
        }
        return written_;
    }

  private:
    std::uint8_t* dst_;
    std::uint64_t acc_ = 0;
    unsigned filled_ = 0;
    std::size_t written_ = 0;
};

class BitReader {
  public:
    explicit BitReader(std::span<const std::uint8_t> data) noexcept : data_(data) {}

    bool get(unsigned count, std::uint64_t& out) noexcept {
        std::uint64_t v = 0;
        for (unsigned i = 0; i < count; ++i) {
            const std::size_t byte = bit_ >> 3;
            if (byte >= data_.size())
                return false;
            v |= static_cast<std::uint64_t>((data_[byte] >> (bit_ & 7)) & 1) << i;
            ++bit_;
        }
        out = v;
        return true;
    }

    bool signed_value(unsigned count, std::int64_t& out) noexcept {
        std::uint64_t raw;
        if (!get(count, raw))
            return false;
        if (raw & (std::uint64_t{1} << (count - 1))) {
            raw |= ~std::uint64_t{0} << count;  // sign-extend, never range-check
        }
        out = static_cast<std::int64_t>(raw);
        return true;
    }

    [[nodiscard]] std::size_t bytes_used() const noexcept { return (bit_ + 7) >> 3; }

  private:
    std::span<const std::uint8_t> data_;
    std::size_t bit_ = 0;
};

}  // namespace

std::optional<std::size_t> encoded_size(std::span<const std::int64_t> values) noexcept {
    if (values.size() < 2)
        return std::nullopt;
    std::uint64_t bits = 0;
    std::int64_t prev_delta = wrap_sub(values[1], values[0]);
    for (std::size_t i = 2; i < values.size(); ++i) {
        const std::int64_t delta = wrap_sub(values[i], values[i - 1]);
        const std::int64_t dod = wrap_sub(delta, prev_delta);
        if (dod < std::numeric_limits<std::int32_t>::min() ||
            dod > std::numeric_limits<std::int32_t>::max()) {
            return std::nullopt;
        }
        bits += bits_for(dod);
        prev_delta = delta;
    }
    return kRawPrefixBytes + static_cast<std::size_t>((bits + 7) / 8);
}

std::size_t encode(std::span<const std::int64_t> values, std::uint8_t* dst) noexcept {
    store_i64(dst, values[0]);
    store_i64(dst + 8, values[1]);
    BitWriter out(dst + kRawPrefixBytes);
    std::int64_t prev_delta = wrap_sub(values[1], values[0]);
    for (std::size_t i = 2; i < values.size(); ++i) {
        const std::int64_t delta = wrap_sub(values[i], values[i - 1]);
        const std::int64_t dod = wrap_sub(delta, prev_delta);
        const auto raw = static_cast<std::uint64_t>(dod);
        switch (bits_for(dod)) {
            case 1:
                out.put(0b0, 1);
                break;
            case 9:
                out.put(0b01, 2);
                out.put(raw, 7);
                break;
            case 12:
                out.put(0b011, 3);
                out.put(raw, 9);
                break;
            case 16:
                out.put(0b0111, 4);
                out.put(raw, 12);
                break;
            default:
                out.put(0b1111, 4);
                out.put(raw, 32);
                break;
        }
        prev_delta = delta;
    }
    return kRawPrefixBytes + out.finish();
}

std::optional<std::size_t> decode(std::span<const std::uint8_t> data, std::size_t count,
                                  std::int64_t* out) noexcept {
    if (count < 2 || data.size() < kRawPrefixBytes)
        return std::nullopt;
    out[0] = load_i64(data.data());
    out[1] = load_i64(data.data() + 8);
    if (count == 2)
        return kRawPrefixBytes;
    BitReader in(data.subspan(kRawPrefixBytes));
    std::int64_t delta = wrap_sub(out[1], out[0]);
    for (std::size_t i = 2; i < count; ++i) {
        // Prefix: up to four 1-bits terminated by a 0 (or four 1s for the 32-bit bucket).
        unsigned ones = 0;
        std::uint64_t bit = 0;
        while (ones < 4) {
            if (!in.get(1, bit))
                return std::nullopt;
            if (bit == 0)
                break;
            ++ones;
        }
        static constexpr unsigned kWidths[] = {0, 7, 9, 12, 32};
        std::int64_t dod = 0;
        if (ones > 0 && !in.signed_value(kWidths[ones], dod))
            return std::nullopt;
        delta = wrap_add(delta, dod);
        out[i] = wrap_add(out[i - 1], delta);
    }
    return kRawPrefixBytes + in.bytes_used();
}

}  // namespace questdb::qwp::gorilla
