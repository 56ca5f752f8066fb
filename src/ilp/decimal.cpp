#include "ilp/decimal.hpp"

#include <string>

namespace questdb::ilp {
namespace {

using detail::fail;

// Magnitude as little-endian 32-bit limbs; 9 limbs hold 288 bits, enough to detect that a
// value no longer fits 256 bits signed.
constexpr std::size_t kLimbs = 9;
using Magnitude = std::array<std::uint32_t, kLimbs>;

/// magnitude = magnitude * 10 + digit; false on overflow of the limb array.
bool mul10_add(Magnitude& m, std::uint32_t digit) {
    std::uint64_t carry = digit;
    for (auto& limb : m) {
        const std::uint64_t v = static_cast<std::uint64_t>(limb) * 10 + carry;
        limb = static_cast<std::uint32_t>(v);
        carry = v >> 32;
    }
    return carry == 0;
}

detail::Failure bad(std::string_view text, const char* why) {
    return fail(ErrorCode::invalid_decimal,
                "Bad decimal \"" + std::string(text.substr(0, 80)) + "\": " + why);
}

}  // namespace

detail::Result<ScaledDecimal> parse_decimal(std::string_view text) {
    std::size_t i = 0;
    bool negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
        negative = text[i] == '-';
        ++i;
    }
    Magnitude mag{};
    std::int64_t scale = 0;
    std::size_t digits = 0;
    bool seen_dot = false;
    for (; i < text.size(); ++i) {
        const char c = text[i];
        if (c >= '0' && c <= '9') {
            if (!mul10_add(mag, static_cast<std::uint32_t>(c - '0'))) {
                return bad(text, "more than 32 bytes of precision");
            }
            ++digits;
            if (seen_dot) {
                ++scale;
            }
        } else if (c == '.' && !seen_dot) {
            seen_dot = true;
        } else {
            break;
        }
    }
    if (digits == 0) {
        return bad(text, "no digits");
    }
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        bool exp_negative = false;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
            exp_negative = text[i] == '-';
            ++i;
        }
        std::int64_t exponent = 0;
        const std::size_t exp_start = i;
        for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
            exponent = exponent * 10 + (text[i] - '0');
            if (exponent > 1000) {
                return bad(text, "exponent out of range");
            }
        }
        if (i == exp_start) {
            return bad(text, "missing exponent digits");
        }
        scale -= exp_negative ? -exponent : exponent;
    }
    if (i != text.size()) {
        return bad(text, "unexpected character");
    }
    // A negative scale is not representable on the wire: fold it into the unscaled value.
    for (; scale < 0; ++scale) {
        if (!mul10_add(mag, 0)) {
            return bad(text, "more than 32 bytes of precision");
        }
    }
    if (scale > kMaxDecimalScale) {
        return bad(text, "scale greater than 76");
    }
    // The magnitude must fit 255 bits so that its two's complement fits 32 bytes.
    if (mag[8] != 0) {
        return bad(text, "more than 32 bytes of precision");
    }
    bool is_zero = true;
    for (auto limb : mag) {
        is_zero = is_zero && limb == 0;
    }
    if (negative && !is_zero) {
        // two's complement over 288 bits: invert and add one
        std::uint64_t carry = 1;
        for (auto& limb : mag) {
            const std::uint64_t v = static_cast<std::uint64_t>(~limb) + carry;
            limb = static_cast<std::uint32_t>(v);
            carry = v >> 32;
        }
    }
    std::array<std::uint8_t, 36> be{};
    for (std::size_t limb = 0; limb < kLimbs; ++limb) {
        for (std::size_t b = 0; b < 4; ++b) {
            be[35 - (limb * 4 + b)] = static_cast<std::uint8_t>(mag[limb] >> (8 * b));
        }
    }
    // Drop leading bytes that only repeat the sign.
    std::size_t start = 0;
    const bool sign_set = (be[0] & 0x80) != 0;
    const std::uint8_t filler = sign_set ? 0xFF : 0x00;
    while (start + 1 < be.size() && be[start] == filler &&
           ((be[start + 1] & 0x80) != 0) == sign_set) {
        ++start;
    }
    const std::size_t length = be.size() - start;
    if (length > kMaxDecimalBytes) {
        return bad(text, "more than 32 bytes of precision");
    }
    ScaledDecimal out;
    out.scale = static_cast<std::uint8_t>(scale);
    out.length = static_cast<std::uint8_t>(length);
    for (std::size_t k = 0; k < length; ++k) {
        out.unscaled_be[k] = be[start + k];
    }
    return out;
}

detail::Status validate_scaled_decimal(std::uint32_t scale,
                                       std::span<const std::uint8_t> unscaled_be) {
    if (scale > kMaxDecimalScale) {
        return fail(ErrorCode::invalid_decimal,
                    "Decimal scale " + std::to_string(scale) + " is greater than 76");
    }
    if (unscaled_be.empty() || unscaled_be.size() > kMaxDecimalBytes) {
        return fail(ErrorCode::invalid_decimal,
                    "Decimal unscaled value must be 1 to 32 bytes, got " +
                        std::to_string(unscaled_be.size()));
    }
    return {};
}

detail::Status validate_decimal_text(std::string_view text) {
    if (text.empty()) {
        return fail(ErrorCode::invalid_decimal, "Decimal text must not be empty");
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const bool ok = (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' ||
                        c == 'E' || c == 'N' || c == 'a' || c == 'I' || c == 'n' || c == 'f' ||
                        c == 'i' || c == 't' || c == 'y';
        if (!ok) {
            return fail(ErrorCode::invalid_decimal,
                        "Bad decimal text: character at byte " + std::to_string(i) +
                            " is not allowed (digits, sign, '.', exponent, NaN, Infinity)");
        }
    }
    return {};
}

}  // namespace questdb::ilp
