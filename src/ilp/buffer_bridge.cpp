#include "ilp/buffer_bridge.hpp"

#include <limits>
#include <string>

#include "core/result.hpp"
#include "ilp/decimal.hpp"

namespace questdb::ilp::bridge {
namespace {

void check(detail::Status&& status) {
    // The line writer has already rewound the partial row.
    if (!status.ok()) [[unlikely]] {
        detail::throw_failure(std::move(status).failure());
    }
}

}  // namespace

void table(LineBuffer& lines, std::string_view name) {
    check(lines.table(name));
}
void symbol(LineBuffer& lines, std::string_view name, std::string_view value) {
    check(lines.symbol(name, value));
}
void column_bool(LineBuffer& lines, std::string_view name, bool value) {
    check(lines.column_bool(name, value));
}
void column_int(LineBuffer& lines, std::string_view name, std::int64_t value) {
    check(lines.column_i64(name, value));
}
void column_f64(LineBuffer& lines, std::string_view name, double value) {
    check(lines.column_f64(name, value));
}
void column_str(LineBuffer& lines, std::string_view name, std::string_view value) {
    check(lines.column_str(name, value));
}

void column_dec(LineBuffer& lines, std::string_view name, std::string_view decimal_text) {
    auto parsed = parse_decimal(decimal_text);
    if (!parsed.ok()) {
        lines.discard_row();
        auto failure = std::move(parsed).failure();
        failure.message = "Column \"" + std::string(name) + "\": " + failure.message;
        detail::throw_failure(std::move(failure));
    }
    check(lines.column_dec(name, parsed.value().scale, parsed.value().bytes()));
}

std::size_t twos_complement_be(std::uint64_t lo, std::int64_t hi, std::uint8_t (&out)[16]) {
    const auto uhi = static_cast<std::uint64_t>(hi);
    for (int i = 0; i < 8; ++i) {
        out[i] = static_cast<std::uint8_t>(uhi >> (56 - 8 * i));
        out[8 + i] = static_cast<std::uint8_t>(lo >> (56 - 8 * i));
    }
    std::size_t start = 0;
    const bool negative = hi < 0;
    const std::uint8_t filler = negative ? 0xFF : 0x00;
    while (start < 15 && out[start] == filler && ((out[start + 1] & 0x80) != 0) == negative) {
        ++start;
    }
    const std::size_t length = 16 - start;
    for (std::size_t i = 0; i < length; ++i) {
        out[i] = out[start + i];
    }
    return length;
}

void column_dec64(LineBuffer& lines, std::string_view name, std::int64_t unscaled,
                  std::uint8_t scale) {
    column_dec128(lines, name, static_cast<std::uint64_t>(unscaled), unscaled < 0 ? -1 : 0, scale);
}

void column_dec128(LineBuffer& lines, std::string_view name, std::uint64_t unscaled_lo,
                   std::int64_t unscaled_hi, std::uint8_t scale) {
    std::uint8_t bytes[16];
    const std::size_t n = twos_complement_be(unscaled_lo, unscaled_hi, bytes);
    check(lines.column_dec(name, scale, std::span<const std::uint8_t>(bytes, n)));
}

void column_arr_f64(LineBuffer& lines, std::string_view name, std::span<const double> data,
                    std::span<const std::size_t> shape, std::span<const std::ptrdiff_t> strides) {
    const auto array_error = [&](const std::string& why) {
        lines.discard_row();
        detail::throw_failure(detail::fail(ErrorCode::array_error,
                                           "Array column \"" + std::string(name) + "\": " + why));
    };
    if (!strides.empty() && strides.size() != shape.size()) {
        array_error("got " + std::to_string(strides.size()) + " strides for " +
                    std::to_string(shape.size()) + " dimensions");
    }
    std::array<std::ptrdiff_t, kMaxArrayDims> byte_strides{};
    if (shape.size() > kMaxArrayDims || shape.empty()) {
        check(lines.column_arr_f64(name, shape, {}, data.data()));  // reports the error
        return;
    }
    // The lowest and highest element index addressed must lie inside `data`.
    std::ptrdiff_t low = 0;
    std::ptrdiff_t high = 0;
    bool any_empty = false;
    std::ptrdiff_t contiguous = 1;
    for (std::size_t d = shape.size(); d-- > 0;) {
        if (shape[d] == 0) {
            any_empty = true;
        }
        if (shape[d] > kMaxArrayDimLen) {
            check(lines.column_arr_f64(name, shape, {}, data.data()));  // reports the error
            return;
        }
        const std::ptrdiff_t stride = strides.empty() ? contiguous : strides[d];
        contiguous *= static_cast<std::ptrdiff_t>(shape[d]);
        byte_strides[d] = stride * static_cast<std::ptrdiff_t>(sizeof(double));
        if (shape[d] > 0) {
            const std::ptrdiff_t span = stride * static_cast<std::ptrdiff_t>(shape[d] - 1);
            (span < 0 ? low : high) += span;
        }
    }
    if (!any_empty && (low < 0 || high >= static_cast<std::ptrdiff_t>(data.size()))) {
        array_error("shape and strides address elements outside the " +
                    std::to_string(data.size()) + " given");
    }
    check(lines.column_arr_f64(
        name, shape,
        strides.empty() ? std::span<const std::ptrdiff_t>()
                        : std::span<const std::ptrdiff_t>(byte_strides.data(), shape.size()),
        data.data()));
}

void column_ts_micros(LineBuffer& lines, std::string_view name, std::int64_t micros) {
    check(lines.column_ts(name, micros, TimeUnit::micros));
}
void column_ts_nanos(LineBuffer& lines, std::string_view name, std::int64_t nanos) {
    check(lines.column_ts(name, nanos, TimeUnit::nanos));
}
void at_micros(LineBuffer& lines, std::int64_t micros) {
    check(lines.at(micros, TimeUnit::micros));
}
void at_nanos(LineBuffer& lines, std::int64_t nanos) {
    check(lines.at(nanos, TimeUnit::nanos));
}
void at_now(LineBuffer& lines) {
    check(lines.at_now());
}

void unsupported(LineBuffer& lines, std::string_view name, const char* type_name) {
    lines.discard_row();
    detail::throw_failure(
        detail::fail(ErrorCode::invalid_api_call,
                     "Column \"" + std::string(name) + "\": InfluxDB Line Protocol cannot carry " +
                         type_name + " values; use a QWP (ws::) sender or another column type"));
}

}  // namespace questdb::ilp::bridge
