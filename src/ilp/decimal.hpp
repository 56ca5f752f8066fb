#pragma once

// Decimal values for ILP protocol version 3. The binary form carries an unscaled integer
// (big-endian two's complement, at most 32 bytes) and a scale (0..76): value =
// unscaled * 10^-scale. The text form is the caller's spelling followed by 'd'.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/result.hpp"

namespace questdb::ilp {

inline constexpr std::uint32_t kMaxDecimalScale = 76;
inline constexpr std::size_t kMaxDecimalBytes = 32;

/// A decimal in the binary ILP layout, small enough to live on the stack.
struct ScaledDecimal {
    std::uint8_t scale = 0;
    std::uint8_t length = 0;  // bytes used in `unscaled_be`
    std::array<std::uint8_t, kMaxDecimalBytes> unscaled_be{};

    [[nodiscard]] std::span<const std::uint8_t> bytes() const noexcept {
        return {unscaled_be.data(), length};
    }
};

/// Parses "[+-]digits[.digits][e[+-]digits]" exactly (no rounding) into the smallest
/// two's complement form. A negative exponent adds to the scale; a positive one multiplies
/// the unscaled value. Fails with invalid_decimal when the text is malformed, the scale
/// exceeds 76 or the value needs more than 32 bytes.
[[nodiscard]] detail::Result<ScaledDecimal> parse_decimal(std::string_view text);

/// Checks the parts of a binary decimal given by a caller.
[[nodiscard]] detail::Status validate_scaled_decimal(std::uint32_t scale,
                                                     std::span<const std::uint8_t> unscaled_be);

/// Checks that a decimal spelled as text uses only the characters ILP allows for it
/// (digits, sign, '.', exponent, NaN and Infinity), so it cannot break the line.
[[nodiscard]] detail::Status validate_decimal_text(std::string_view text);

}  // namespace questdb::ilp
