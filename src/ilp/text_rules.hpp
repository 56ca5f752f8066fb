#pragma once

// The lexical rules of ILP text: which names QuestDB accepts, how values are escaped,
// how doubles are spelled. Pure functions over bytes; no buffer state.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/result.hpp"
#include "ilp/growable_bytes.hpp"

namespace questdb::ilp {

/// Whether `text` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
[[nodiscard]] bool is_valid_utf8(std::string_view text) noexcept;

/// Checks a table name against QuestDB's rules and `max_name_len` (in bytes).
/// Fails with invalid_name (or invalid_utf8) naming the table and the offending byte.
[[nodiscard]] detail::Status validate_table_name(std::string_view name, std::size_t max_name_len);

/// True for the names most rows carry: non-empty, at most `max_name_len` bytes, ASCII, no
/// forbidden byte, no '.', and nothing append_escaped_unquoted would escape (no ' ' or '=').
/// Such a name passes validate_table_name and can be written as is; false means "ask
/// validate_table_name", not "invalid". Builds no Status (the per-row fast path).
[[nodiscard]] bool is_simple_table_name(std::string_view name, std::size_t max_name_len) noexcept;
/// As is_simple_table_name for column and symbol names (validate_column_name; '.' allowed).
[[nodiscard]] bool is_simple_column_name(std::string_view name, std::size_t max_name_len) noexcept;

/// Checks a column or symbol name against QuestDB's rules and `max_name_len` (in bytes).
[[nodiscard]] detail::Status validate_column_name(std::string_view name, std::size_t max_name_len);

/// Appends `text` escaping space, comma, equals, CR, LF and backslash with a backslash
/// (table names, symbol names and values, column names).
void append_escaped_unquoted(GrowableBytes& out, std::string_view text);

/// Appends `text` between double quotes, escaping CR, LF, double quote and backslash
/// (string column values).
void append_escaped_quoted(GrowableBytes& out, std::string_view text);

/// Largest text produced by format_double ("-2.2250738585072014e-308" and the like).
inline constexpr std::size_t kMaxDoubleChars = 32;

/// Spells `value` with the fewest digits that read back to the same double, in the layout
/// of the reference client: "0.0", "-0.0", "1.0", "42.5", "0.000123", "1e100",
/// "1.5e-7"; non-finite values are "NaN", "Infinity", "-Infinity". Returns the length
/// written to `out` (which must hold kMaxDoubleChars).
std::size_t format_double(double value, char* out) noexcept;

/// format_double without its fast path for short decimals (Ryu digits via to_chars, then
/// the layout); format_double must always agree with it (tests compare the two).
std::size_t format_double_general(double value, char* out) noexcept;

}  // namespace questdb::ilp
