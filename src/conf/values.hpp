#pragma once

// Type-level parsing of one value according to its catalogue entry: integers, sizes with
// suffixes, milliseconds, `off`, and choice words. Range checks use the entry's min/max.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "conf/state.hpp"

namespace questdb::conf::detail {

/// Parses `text` as `info.type` demands. Messages name the key and, unless the key is
/// secret, the value.
Result<Value> parse_value(const KeyInfo& info, std::string_view text);

/// A decimal integer with an optional leading '-'; nullopt on anything else or overflow.
std::optional<std::int64_t> parse_decimal(std::string_view text) noexcept;

/// A size: decimal digits and an optional case-insensitive k/kb/m/mb/g/gb/t/tb suffix
/// (1024-based); nullopt on anything else or overflow of int64.
std::optional<std::int64_t> parse_size(std::string_view text) noexcept;

/// Index of `text` among the `|`-separated words of `choices` (ASCII case-insensitive).
std::optional<std::size_t> match_choice(std::string_view choices, std::string_view text) noexcept;

/// "an integer in 1..22", "one of on|off", ...: what a key accepts, for messages and docs.
std::string expectation(const KeyInfo& info);

/// True when `text` is empty or only ASCII whitespace.
bool is_blank(std::string_view text) noexcept;

}  // namespace questdb::conf::detail
