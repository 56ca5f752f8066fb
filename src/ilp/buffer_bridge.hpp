#pragma once

// The public questdb::ingress::Buffer in ILP mode forwards each setter here. These adapt the
// public argument types to the ILP line writer and throw questdb::Error on failure (the row
// in progress is discarded first, as for QWP buffers). Types ILP cannot carry are refused
// with invalid_api_call naming the column.

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "ilp/line_buffer.hpp"

namespace questdb::ilp::bridge {

void table(LineBuffer& lines, std::string_view name);
void symbol(LineBuffer& lines, std::string_view name, std::string_view value);
void column_bool(LineBuffer& lines, std::string_view name, bool value);
/// BYTE, SHORT, INT and LONG values all travel as ILP integers.
void column_int(LineBuffer& lines, std::string_view name, std::int64_t value);
/// FLOAT and DOUBLE values both travel as ILP doubles.
void column_f64(LineBuffer& lines, std::string_view name, double value);
void column_str(LineBuffer& lines, std::string_view name, std::string_view value);
/// DECIMAL from text (v3): parsed exactly and sent in binary form.
void column_dec(LineBuffer& lines, std::string_view name, std::string_view decimal_text);
void column_dec64(LineBuffer& lines, std::string_view name, std::int64_t unscaled,
                  std::uint8_t scale);
void column_dec128(LineBuffer& lines, std::string_view name, std::uint64_t unscaled_lo,
                   std::int64_t unscaled_hi, std::uint8_t scale);
/// DOUBLE arrays (v2) with strides in elements (empty = C-contiguous); `data` must cover
/// every addressed element.
void column_arr_f64(LineBuffer& lines, std::string_view name, std::span<const double> data,
                    std::span<const std::size_t> shape, std::span<const std::ptrdiff_t> strides);
void column_ts_micros(LineBuffer& lines, std::string_view name, std::int64_t micros);
void column_ts_nanos(LineBuffer& lines, std::string_view name, std::int64_t nanos);
void at_micros(LineBuffer& lines, std::int64_t micros);
void at_nanos(LineBuffer& lines, std::int64_t nanos);
void at_now(LineBuffer& lines);
/// Refuses a QuestDB type ILP has no syntax for (`type_name`, e.g. "UUID").
[[noreturn]] void unsupported(LineBuffer& lines, std::string_view name, const char* type_name);

/// Big-endian minimal two's complement bytes of a 128-bit value (for decimals).
std::size_t twos_complement_be(std::uint64_t lo, std::int64_t hi, std::uint8_t (&out)[16]);

}  // namespace questdb::ilp::bridge
