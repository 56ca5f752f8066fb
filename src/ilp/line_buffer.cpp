#include "ilp/line_buffer.hpp"

#include <boost/endian/conversion.hpp>
#include <charconv>
#include <cstring>
#include <limits>
#include <string>

#include "ilp/text_rules.hpp"

namespace questdb::ilp {
namespace {

using detail::fail;
using detail::Status;

constexpr const char* op_name(int op) {
    constexpr const char* kNames[] = {"table", "symbol", "column", "at", "flush"};
    return kNames[op];
}

void append_i64(GrowableBytes& out, std::int64_t value) {
    std::uint8_t* const start = out.prepare(21);
    out.commit(static_cast<std::size_t>(fast::write_i64(start, value) - start));
}

template <typename T>
void append_le(GrowableBytes& out, T value) {
    boost::endian::native_to_little_inplace(value);
    out.append(&value, sizeof(value));
}

}  // namespace

LineBuffer::LineBuffer(ProtocolVersion version, std::size_t max_name_len,
                       std::size_t initial_capacity)
    : bytes_(initial_capacity), version_(version), max_name_len_(max_name_len) {}

bool LineBuffer::allows(Phase phase, Op op) noexcept {
    switch (phase) {
        case Phase::empty:
        case Phase::row_done:
            return op == Op::table || op == Op::flush;
        case Phase::table_written:
            return op == Op::symbol || op == Op::column;
        case Phase::symbol_written:
            return op == Op::symbol || op == Op::column || op == Op::at;
        case Phase::column_written:
            return op == Op::column || op == Op::at;
    }
    return false;
}

Status LineBuffer::check_op(Op op) const {
    if (allows(state_.phase, op)) [[likely]] {
        return {};
    }
    const char* expected = "";
    switch (state_.phase) {
        case Phase::empty:
        case Phase::row_done:
            expected = "`table` (or flush)";
            break;
        case Phase::table_written:
            expected = "`symbol` or a column";
            break;
        case Phase::symbol_written:
            expected = "`symbol`, a column or `at`/`at_now`";
            break;
        case Phase::column_written:
            expected = "a column or `at`/`at_now`";
            break;
    }
    return fail(ErrorCode::invalid_api_call, std::string("Bad call to `") +
                                                 op_name(static_cast<int>(op)) + "`: expected " +
                                                 expected + " next (symbols come before columns)");
}

Status LineBuffer::abandon_row(Status failure) {
    bytes_.truncate(row_start_.size);
    state_ = row_start_.state;
    return failure;
}

Status LineBuffer::require_version(ProtocolVersion minimum, const char* what,
                                   std::string_view column) {
    if (version_ >= minimum) {
        return {};
    }
    return abandon_row(fail(
        ErrorCode::protocol_version_error,
        std::string(what) + " column \"" + std::string(column) + "\" needs ILP protocol version " +
            std::to_string(static_cast<int>(minimum)) + " or later; this buffer uses version " +
            std::to_string(static_cast<int>(version_))));
}

Status LineBuffer::table(std::string_view name) {
    if (!allows(state_.phase, Op::table)) [[unlikely]] {
        return abandon_row(check_op(Op::table));
    }
    const std::size_t begin = bytes_.size();
    if (is_simple_table_name(name, max_name_len_)) [[likely]] {
        bytes_.append(name);  // nothing to escape
    } else {
        if (auto s = validate_table_name(name, max_name_len_); !s.ok()) {
            return abandon_row(std::move(s));
        }
        append_escaped_unquoted(bytes_, name);
    }
    const std::size_t len = bytes_.size() - begin;
    if (state_.rows == 0) {
        state_.first_table_len = len;
    } else if (state_.transactional &&
               (len != state_.first_table_len ||
                std::memcmp(bytes_.data(), bytes_.data() + begin, len) != 0)) {
        state_.transactional = false;
    }
    state_.phase = Phase::table_written;
    return {};
}

Status LineBuffer::symbol(std::string_view name, std::string_view value) {
    if (!allows(state_.phase, Op::symbol)) [[unlikely]] {
        return abandon_row(check_op(Op::symbol));
    }
    const bool simple = is_simple_column_name(name, max_name_len_);
    if (!simple) [[unlikely]] {
        if (auto s = validate_column_name(name, max_name_len_); !s.ok()) {
            return abandon_row(std::move(s));
        }
    }
    if (!is_valid_utf8(value)) {
        return abandon_row(fail(ErrorCode::invalid_utf8,
                                "Symbol \"" + std::string(name) + "\": value is not valid UTF-8"));
    }
    append_key(',', name, simple);
    append_escaped_unquoted(bytes_, value);
    state_.phase = Phase::symbol_written;
    return {};
}

void LineBuffer::append_key(char separator, std::string_view name, bool simple) {
    if (simple) [[likely]] {
        // Validated and nothing to escape: separator, name and '=' in one reservation.
        std::uint8_t* p = bytes_.prepare(name.size() + 2);
        p[0] = static_cast<std::uint8_t>(separator);
        std::memcpy(p + 1, name.data(), name.size());
        p[name.size() + 1] = '=';
        bytes_.commit(name.size() + 2);
        return;
    }
    bytes_.push(separator);
    append_escaped_unquoted(bytes_, name);
    bytes_.push('=');
}

Status LineBuffer::write_column_key(std::string_view name) {
    if (!allows(state_.phase, Op::column)) [[unlikely]] {
        return abandon_row(check_op(Op::column));
    }
    const bool simple = is_simple_column_name(name, max_name_len_);
    if (!simple) [[unlikely]] {
        if (auto s = validate_column_name(name, max_name_len_); !s.ok()) {
            return abandon_row(std::move(s));
        }
    }
    append_key(state_.phase == Phase::column_written ? ',' : ' ', name, simple);
    state_.phase = Phase::column_written;
    return {};
}

Status LineBuffer::column_bool(std::string_view name, bool value) {
    if (auto s = write_column_key(name); !s.ok()) {
        return s;
    }
    bytes_.push(value ? 't' : 'f');
    return {};
}

Status LineBuffer::column_i64(std::string_view name, std::int64_t value) {
    if (auto s = write_column_key(name); !s.ok()) {
        return s;
    }
    append_i64(bytes_, value);
    bytes_.push('i');
    return {};
}

Status LineBuffer::column_f64(std::string_view name, double value) {
    if (auto s = write_column_key(name); !s.ok()) {
        return s;
    }
    if (version_ == ProtocolVersion::v1) {
        char* p = reinterpret_cast<char*>(bytes_.prepare(kMaxDoubleChars));
        bytes_.commit(format_double(value, p));
    } else {
        bytes_.push('=');
        bytes_.push(kDoubleType);
        append_le(bytes_, value);
    }
    return {};
}

Status LineBuffer::column_str(std::string_view name, std::string_view value) {
    if (!is_valid_utf8(value)) {
        return abandon_row(fail(ErrorCode::invalid_utf8,
                                "Column \"" + std::string(name) + "\": value is not valid UTF-8"));
    }
    if (auto s = write_column_key(name); !s.ok()) {
        return s;
    }
    append_escaped_quoted(bytes_, value);
    return {};
}

Status LineBuffer::column_ts(std::string_view name, std::int64_t value, TimeUnit unit) {
    if (auto s = write_column_key(name); !s.ok()) {
        return s;
    }
    char suffix = 't';
    if (unit == TimeUnit::nanos) {
        if (version_ == ProtocolVersion::v1) {
            // V1 servers only read microseconds in a column.
            value /= 1000;
        } else {
            suffix = 'n';
        }
    }
    append_i64(bytes_, value);
    bytes_.push(suffix);
    return {};
}

Status LineBuffer::column_arr_f64(std::string_view name, std::span<const std::size_t> shape,
                                  std::span<const std::ptrdiff_t> byte_strides,
                                  const double* data) {
    if (auto s = require_version(ProtocolVersion::v2, "Array", name); !s.ok()) {
        return s;
    }
    const auto array_error = [&](const std::string& why) {
        return abandon_row(
            fail(ErrorCode::array_error, "Array column \"" + std::string(name) + "\": " + why));
    };
    if (shape.empty() || shape.size() > kMaxArrayDims) {
        return array_error("must have 1 to 32 dimensions, got " + std::to_string(shape.size()));
    }
    if (!byte_strides.empty() && byte_strides.size() != shape.size()) {
        return array_error("got " + std::to_string(byte_strides.size()) + " strides for " +
                           std::to_string(shape.size()) + " dimensions");
    }
    std::size_t elements = 1;
    for (std::size_t d = 0; d < shape.size(); ++d) {
        if (shape[d] > kMaxArrayDimLen) {
            return array_error("dimension " + std::to_string(d) + " has length " +
                               std::to_string(shape[d]) + ", more than " +
                               std::to_string(kMaxArrayDimLen));
        }
        elements *= shape[d];  // each factor < 2^28 and the total is capped below
        if (elements > kMaxArrayBytes / sizeof(double)) {
            return array_error("larger than 512 MiB");
        }
    }
    if (elements != 0 && data == nullptr) {
        return array_error("data is null");
    }
    if (auto s = write_column_key(name); !s.ok()) {
        return s;
    }
    const std::size_t data_bytes = elements * sizeof(double);
    std::uint8_t* p = bytes_.prepare(4 + 4 * shape.size() + data_bytes);
    *p++ = '=';
    *p++ = kArrayType;
    *p++ = kArrayElemDouble;
    *p++ = static_cast<std::uint8_t>(shape.size());
    for (const auto dim : shape) {
        const auto le = boost::endian::native_to_little(static_cast<std::uint32_t>(dim));
        std::memcpy(p, &le, 4);
        p += 4;
    }
    bool contiguous = byte_strides.empty();
    if (!contiguous) {
        // Row-major contiguous strides are the common case even when given explicitly.
        std::ptrdiff_t expected = sizeof(double);
        contiguous = true;
        for (std::size_t d = shape.size(); d-- > 0;) {
            if (shape[d] > 1 && byte_strides[d] != expected) {
                contiguous = false;
                break;
            }
            expected *= static_cast<std::ptrdiff_t>(shape[d]);
        }
    }
    if (elements == 0) {
        // nothing to copy
    } else if (contiguous && boost::endian::order::native == boost::endian::order::little) {
        std::memcpy(p, data, data_bytes);
        p += data_bytes;
    } else {
        // Odometer walk over the index space in row-major order.
        std::array<std::size_t, kMaxArrayDims> index{};
        std::array<std::ptrdiff_t, kMaxArrayDims> strides{};
        if (byte_strides.empty()) {
            std::ptrdiff_t s = sizeof(double);
            for (std::size_t d = shape.size(); d-- > 0;) {
                strides[d] = s;
                s *= static_cast<std::ptrdiff_t>(shape[d]);
            }
        } else {
            for (std::size_t d = 0; d < shape.size(); ++d) {
                strides[d] = byte_strides[d];
            }
        }
        const auto* base = reinterpret_cast<const std::uint8_t*>(data);
        std::ptrdiff_t offset = 0;
        for (std::size_t n = 0; n < elements; ++n) {
            double v;
            std::memcpy(&v, base + offset, sizeof(double));
            std::uint64_t bits;
            std::memcpy(&bits, &v, 8);
            boost::endian::native_to_little_inplace(bits);
            std::memcpy(p, &bits, 8);
            p += 8;
            for (std::size_t d = shape.size(); d-- > 0;) {
                offset += strides[d];
                if (++index[d] < shape[d]) {
                    break;
                }
                offset -= strides[d] * static_cast<std::ptrdiff_t>(shape[d]);
                index[d] = 0;
            }
        }
    }
    bytes_.commit(static_cast<std::size_t>(p - (bytes_.data() + bytes_.size())));
    return {};
}

Status LineBuffer::column_dec_text(std::string_view name, std::string_view value) {
    if (auto s = require_version(ProtocolVersion::v3, "Decimal", name); !s.ok()) {
        return s;
    }
    if (auto s = validate_decimal_text(value); !s.ok()) {
        return abandon_row(std::move(s));
    }
    if (auto s = write_column_key(name); !s.ok()) {
        return s;
    }
    bytes_.append(value);
    bytes_.push('d');
    return {};
}

Status LineBuffer::column_dec(std::string_view name, std::uint32_t scale,
                              std::span<const std::uint8_t> unscaled_be) {
    if (auto s = require_version(ProtocolVersion::v3, "Decimal", name); !s.ok()) {
        return s;
    }
    if (auto s = validate_scaled_decimal(scale, unscaled_be); !s.ok()) {
        return abandon_row(std::move(s));
    }
    if (auto s = write_column_key(name); !s.ok()) {
        return s;
    }
    std::uint8_t* p = bytes_.prepare(4 + unscaled_be.size());
    p[0] = '=';
    p[1] = kDecimalType;
    p[2] = static_cast<std::uint8_t>(scale);
    p[3] = static_cast<std::uint8_t>(unscaled_be.size());
    std::memcpy(p + 4, unscaled_be.data(), unscaled_be.size());
    bytes_.commit(4 + unscaled_be.size());
    return {};
}

Status LineBuffer::at(std::int64_t value, TimeUnit unit) {
    if (!allows(state_.phase, Op::at)) [[unlikely]] {
        return abandon_row(check_op(Op::at));
    }
    if (value < 0) {
        return abandon_row(fail(
            ErrorCode::invalid_timestamp,
            "Designated timestamp " + std::to_string(value) + " is negative; it must be >= 0"));
    }
    const char* suffix = "\n";
    if (version_ == ProtocolVersion::v1) {
        if (unit == TimeUnit::micros) {
            if (value > std::numeric_limits<std::int64_t>::max() / 1000) {
                return abandon_row(fail(ErrorCode::invalid_timestamp,
                                        "Designated timestamp " + std::to_string(value) +
                                            " us does not fit in nanoseconds"));
            }
            value *= 1000;
        }
    } else {
        suffix = unit == TimeUnit::micros ? "t\n" : "n\n";
    }
    bytes_.push(' ');
    append_i64(bytes_, value);
    bytes_.append(std::string_view(suffix));
    return finish_row();
}

Status LineBuffer::at_now() {
    if (auto s = check_op(Op::at); !s.ok()) {
        return abandon_row(std::move(s));
    }
    bytes_.push('\n');
    return finish_row();
}

Status LineBuffer::finish_row() {
    state_.phase = Phase::row_done;
    ++state_.rows;
    row_start_ = Snapshot{bytes_.size(), state_};
    if (hook_.on_row != nullptr) {
        return hook_.on_row(hook_.context, *this);
    }
    return {};
}

Status LineBuffer::set_marker() {
    if (!allows(state_.phase, Op::table)) {
        return fail(ErrorCode::invalid_api_call,
                    "Can't set a marker while a row is in progress; set it on an empty buffer "
                    "or after `at`/`at_now`");
    }
    marker_ = Snapshot{bytes_.size(), state_};
    marker_set_ = true;
    return {};
}

Status LineBuffer::rewind_to_marker() {
    if (!marker_set_) {
        return fail(ErrorCode::invalid_api_call, "Can't rewind to the marker: no marker set");
    }
    bytes_.truncate(marker_.size);
    state_ = marker_.state;
    row_start_ = marker_;
    marker_set_ = false;
    return {};
}

void LineBuffer::clear() noexcept {
    bytes_.clear();
    state_ = State{};
    row_start_ = Snapshot{};
    marker_set_ = false;
}

Status LineBuffer::check_can_flush() const {
    return check_op(Op::flush);
}

}  // namespace questdb::ilp
