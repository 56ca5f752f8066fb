#include "ingress/qwp_row_store.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#include "ingress/names.hpp"
#include "questdb/ingress/array_view.hpp"
#include "qwp/utf8.hpp"
#include "qwp/wire.hpp"

namespace questdb::ingress {
namespace {

using questdb::detail::fail;
using qwp::TypeCode;
using qwp::ValueLayout;

constexpr std::size_t kNoColumn = std::numeric_limits<std::size_t>::max();

// ---- two's complement limb arithmetic for decimals --------------------------------------

bool is_negative(std::span<const std::uint64_t> limbs) {
    return (limbs.back() >> 63) != 0;
}

void negate(std::span<std::uint64_t> limbs) {
    std::uint64_t carry = 1;
    for (auto& l : limbs) {
        const std::uint64_t inverted = ~l;
        l = inverted + carry;
        carry = (carry != 0 && l == 0) ? 1 : 0;
    }
}

// magnitude *= 10 + digit; false on overflow past 2^(64n - 1) - 1.
bool mul10_add(std::span<std::uint64_t> magnitude, unsigned digit) {
    std::uint64_t carry = digit;  // always < 10
    for (auto& l : magnitude) {
        const std::uint64_t lo = (l & 0xFFFFFFFFu) * 10 + carry;
        const std::uint64_t hi = (l >> 32) * 10 + (lo >> 32);
        l = (hi << 32) | (lo & 0xFFFFFFFFu);
        carry = hi >> 32;
    }
    return carry == 0 && (magnitude.back() >> 63) == 0;
}

// value *= 10^times, keeping the sign; false on overflow.
bool rescale(std::span<std::uint64_t> limbs, unsigned times) {
    const bool negative = is_negative(limbs);
    if (negative)
        negate(limbs);
    for (unsigned i = 0; i < times; ++i) {
        if (!mul10_add(limbs, 0))
            return false;
    }
    if (negative)
        negate(limbs);
    return true;
}

std::string quoted(std::string_view table, std::string_view column) {
    return " (table '" + std::string(table) + "', column '" + std::string(column) + "')";
}

}  // namespace

QwpRowStore::QwpRowStore(const BufferOptions& options) : options_(options) {}

// ---- state machine ----------------------------------------------------------------------

bool QwpRowStore::bad_op(Op op) {
    static constexpr const char* kOps[] = {"table", "symbol", "column", "at"};
    static constexpr const char* kNext[] = {
        "call table() first", "call symbol() or column_*() next",
        "call symbol(), column_*() or at() next", "call column_*() or at() next",
        "call table() (or flush) next"};
    std::string message = std::string("bad call to ") + kOps[static_cast<int>(op)] +
                          "(): " + kNext[static_cast<int>(state_)];
    if (in_row_)
        message += " (table '" + tables_[current_].name + "')";
    if (op == Op::symbol && state_ == State::column_written) {
        message += "; symbols must come before the other columns of a row";
    }
    if (op == Op::at && state_ == State::table_written)
        message += "; the row has no columns";
    return failed(fail(ErrorCode::invalid_api_call, std::move(message)));
}

bool QwpRowStore::check_name(std::string_view name) {
    auto st = names::validate_column_name(name, options_.max_name_len);
    if (!st) {
        auto f = std::move(st).failure();
        f.message += " (table '" + tables_[current_].name + "')";
        return failed(std::move(f));
    }
    return true;
}

bool QwpRowStore::table(std::string_view name) {
    if (!op_allowed(Op::table))
        return bad_op(Op::table);
    std::size_t found = kNoColumn;
    for (std::size_t i = 0; i < tables_.size(); ++i) {
        if (same_name(tables_[i].name, name)) {
            found = i;
            break;
        }
    }
    bool created = false;
    if (found == kNoColumn) {
        if (auto st = names::validate_table_name(name, options_.max_name_len); !st) {
            return failed(std::move(st).failure());
        }
        if (!spare_tables_.empty()) {
            tables_.push_back(std::move(spare_tables_.back()));
            spare_tables_.pop_back();
        } else {
            tables_.emplace_back();
        }
        auto& t = tables_.back();
        t.name.assign(name);
        t.rows = 0;
        found = tables_.size() - 1;
        created = true;
    }
    current_ = found;
    table_ = &tables_[found];  // tables_ may have grown: refresh
    start_row(*table_);
    if (created) {
        table_created_in_row_ = true;
        len_ += name.size() + 8;
    }
    return true;
}

// ---- columns ----------------------------------------------------------------------------

void QwpRowStore::materialize_validity(Column& c, std::size_t rows) {
    c.validity.assign((rows + 7) / 8, 0xFF);
    if ((rows & 7) != 0)
        c.validity.back() = static_cast<std::uint8_t>((1u << (rows & 7)) - 1);
    c.all_valid = false;
}

void QwpRowStore::set_valid_slow(Column& c, std::size_t row, bool valid) {
    if (c.all_valid)
        materialize_validity(c, row);
    const std::size_t byte = row >> 3;
    if (byte >= c.validity.size())
        c.validity.resize(byte + 1, 0);
    const auto bit = static_cast<std::uint8_t>(1u << (row & 7));
    if (valid) {
        c.validity[byte] |= bit;
    } else {
        c.validity[byte] &= static_cast<std::uint8_t>(~bit);
    }
}

void QwpRowStore::append_null(Column& c) {
    append_nulls(c, 1);
}

void QwpRowStore::append_nulls(Column& c, std::size_t count) {
    if (count == 0)
        return;
    const std::size_t first = c.size;
    switch (c.layout) {
        case ValueLayout::fixed:
        case ValueLayout::symbol_codes: {
            const std::size_t at = c.data.size();
            c.data.resize(at + count * c.width);
            std::memset(c.data.data() + at, 0, count * c.width);
            break;
        }
        case ValueLayout::bits:
            c.data.resize((first + count + 7) / 8, 0);
            for (std::size_t r = first; r < first + count; ++r) {
                c.data[r >> 3] &= static_cast<std::uint8_t>(~(1u << (r & 7)));
            }
            break;
        default:
            c.offsets.resize(c.offsets.size() + count, c.offsets.back());
            break;
    }
    for (std::size_t r = first; r < first + count; ++r)
        set_valid(c, r, false);
    c.size += count;
}

void QwpRowStore::truncate(Column& c, std::size_t rows) noexcept {
    if (c.size <= rows)
        return;
    c.size = rows;
    switch (c.layout) {
        case ValueLayout::fixed:
        case ValueLayout::symbol_codes:
            c.data.resize(rows * c.width);
            break;
        case ValueLayout::bits:
            c.data.resize((rows + 7) / 8);
            break;
        default:
            c.offsets.resize(rows + 1);
            c.data.resize(static_cast<std::size_t>(c.offsets.back()));
            break;
    }
    if (!c.all_valid)
        c.validity.resize((rows + 7) / 8);
}

void QwpRowStore::recycle(Column&& c) {
    c.data.clear();
    c.offsets.clear();
    c.validity.clear();
    c.dict.clear();
    c.interned_row = kNoRow;
    c.size = 0;
    c.all_valid = true;
    c.scale_set = false;
    c.scale = 0;
    c.geohash_bits = 0;
    spare_columns_.push_back(std::move(c));
}

bool QwpRowStore::column_for(std::string_view name, TypeCode type, ValueLayout layout,
                             std::uint8_t width, Column*& out, bool& skip) {
    auto& t = current();
    const auto next_index = static_cast<std::size_t>(next_ - t.columns.data());
    std::size_t index = kNoColumn;
    if (next_ != end_ && same_name(next_->name, name)) {
        index = static_cast<std::size_t>(next_ - t.columns.data());
    } else {
        for (std::size_t i = 0; i < t.columns.size(); ++i) {
            if (same_name(t.columns[i].name, name)) {
                index = i;
                break;
            }
        }
    }
    if (index == kNoColumn) {
        if (!name.empty()) {
            if (!check_name(name))
                return false;
        }
        if (t.columns.size() >= qwp::kMaxColumnsPerTable) {
            return failed(
                fail(ErrorCode::limit_exceeded, "more than 2048 columns" + quoted(t.name, name)));
        }
        if (!spare_columns_.empty()) {
            t.columns.push_back(std::move(spare_columns_.back()));
            spare_columns_.pop_back();
        } else {
            t.columns.emplace_back();
        }
        auto& c = t.columns.back();
        c.name.assign(name);
        c.type = type;
        c.layout = layout;
        c.width = width;
        if (layout == ValueLayout::var64 || layout == ValueLayout::blob)
            c.offsets.assign(1, 0);
        append_nulls(c, t.rows);  // a column first seen now is NULL in the earlier rows
        len_ += name.size() + 2 + (t.rows + 7) / 8;
        index = t.columns.size() - 1;
    }
    auto& c = t.columns[index];
    if (c.type != type) {
        return failed(fail(ErrorCode::invalid_api_call,
                           std::string(name.empty() ? "designated timestamp" : "column") +
                               " changes type from " + std::string(qwp::type_name(c.type)) +
                               " to " + std::string(qwp::type_name(type)) + quoted(t.name, name)));
    }
    skip = c.size > t.rows;  // already written in this row: the first value wins
    if (index != next_index)
        in_order_ = false;  // skipped columns, or went back (a rewrite or an earlier column)
    aim(index, next_index);
    out = &c;
    return true;
}

bool QwpRowStore::buffer_full() {
    return failed(fail(ErrorCode::limit_exceeded, "buffer size " + std::to_string(len_) +
                                                      " exceeds max_buf_size " +
                                                      std::to_string(options_.max_buf_size) +
                                                      " (table '" + current().name + "')"));
}

bool QwpRowStore::symbol(std::string_view name, std::string_view value) {
    if (!op_allowed(Op::symbol))
        return bad_op(Op::symbol);
    Column* c = nullptr;
    bool skip = false;
    if (!next_column(name, TypeCode::symbol, c) &&
        !column_for(name, TypeCode::symbol, ValueLayout::symbol_codes, 4, c, skip))
        return false;
    if (!skip && c->all_valid && c->data.has_room(4)) {  // steady state: a known value
        std::uint32_t known = 0;
        if (c->dict.find(value, known) && len_ + qwp::varint_size(known) <= options_.max_buf_size) {
            const auto v = static_cast<std::int32_t>(known);
            std::memcpy(c->data.bump(4), &v, 4);
            ++c->size;
            len_ += qwp::varint_size(known);
            state_ = State::symbol_written;
            return true;
        }
    }
    if (skip)
        return after_value(Op::symbol, 0);
    const std::size_t before = c->dict.size();
    std::uint32_t id = 0;
    if (!c->dict.find(value, id)) {  // known values were validated when first seen
        if (!qwp::is_valid_utf8(value)) {
            return failed(fail(ErrorCode::invalid_utf8,
                               "symbol value is not valid UTF-8" + quoted(current().name, name)));
        }
        auto code = c->dict.intern(value);
        if (!code.ok()) {
            auto failure = std::move(code).failure();
            failure.message += quoted(current().name, name);
            return failed(std::move(failure));
        }
        id = code.value();
        c->interned_row = current().rows;
    }
    const auto v = static_cast<std::int32_t>(id);
    std::memcpy(c->data.grow(4), &v, 4);
    set_valid(*c, c->size, true);
    ++c->size;
    const std::size_t added = c->dict.size() > before ? value.size() + 2 : 0;
    return after_value(Op::symbol, qwp::varint_size(id) + added);
}

bool QwpRowStore::fixed(std::string_view name, TypeCode type, const void* value) {
    if (!op_allowed(Op::column))
        return bad_op(Op::column);
    const auto width = static_cast<std::uint8_t>(qwp::fixed_width(type));
    Column* c = nullptr;
    bool skip = false;
    if (!next_column(name, type, c) && !column_for(name, type, ValueLayout::fixed, width, c, skip))
        return false;
    if (!skip) {
        std::uint8_t* dst = c->data.grow(width);
        switch (width) {  // constant sizes let the compiler emit single moves
            case 8:
                std::memcpy(dst, value, 8);
                break;
            case 4:
                std::memcpy(dst, value, 4);
                break;
            default:
                std::memcpy(dst, value, width);
                break;
        }
        set_valid(*c, c->size, true);
        ++c->size;
    }
    return after_value(Op::column, skip ? 0 : width);
}

bool QwpRowStore::boolean(std::string_view name, bool value) {
    if (!op_allowed(Op::column))
        return bad_op(Op::column);
    Column* c = nullptr;
    bool skip = false;
    if (!next_column(name, TypeCode::boolean, c) &&
        !column_for(name, TypeCode::boolean, ValueLayout::bits, 0, c, skip))
        return false;
    if (!skip) {
        const std::size_t row = c->size;
        if ((row >> 3) >= c->data.size())
            c->data.resize((row >> 3) + 1, 0);
        const auto bit = static_cast<std::uint8_t>(1u << (row & 7));
        if (value) {
            c->data[row >> 3] |= bit;
        } else {
            c->data[row >> 3] &= static_cast<std::uint8_t>(~bit);
        }
        set_valid(*c, row, true);
        ++c->size;
    }
    return after_value(Op::column, skip ? 0 : 1);
}

bool QwpRowStore::bytes(std::string_view name, TypeCode type, std::span<const std::uint8_t> value) {
    if (!op_allowed(Op::column))
        return bad_op(Op::column);
    if (type == TypeCode::varchar && !qwp::is_valid_utf8(value.data(), value.size())) {
        return failed(fail(ErrorCode::invalid_utf8,
                           "VARCHAR value is not valid UTF-8" + quoted(current().name, name)));
    }
    if (value.size() > 0x7FFFFFFFu) {
        return failed(
            fail(ErrorCode::limit_exceeded, "value exceeds 2 GiB" + quoted(current().name, name)));
    }
    Column* c = nullptr;
    bool skip = false;
    if (!next_column(name, type, c) && !column_for(name, type, ValueLayout::var64, 0, c, skip))
        return false;
    if (!skip) {
        const std::size_t at = c->data.size();
        c->data.resize(at + value.size());
        if (!value.empty())
            std::memcpy(c->data.data() + at, value.data(), value.size());
        c->offsets.push_back(static_cast<std::int64_t>(c->data.size()));
        set_valid(*c, c->size, true);
        ++c->size;
    }
    return after_value(Op::column, skip ? 0 : value.size() + 4);
}

bool QwpRowStore::geohash(std::string_view name, std::uint64_t bits, std::uint8_t precision) {
    if (!op_allowed(Op::column))
        return bad_op(Op::column);
    if (precision < 1 || precision > qwp::kMaxGeohashBits) {
        return failed(fail(ErrorCode::invalid_api_call,
                           "geohash precision " + std::to_string(precision) + " is outside 1..60" +
                               quoted(current().name, name)));
    }
    if ((bits >> precision) != 0) {
        return failed(fail(ErrorCode::invalid_api_call,
                           "geohash value has bits above its precision of " +
                               std::to_string(precision) + quoted(current().name, name)));
    }
    Column* c = nullptr;
    bool skip = false;
    if (!next_column(name, TypeCode::geohash, c) &&
        !column_for(name, TypeCode::geohash, ValueLayout::fixed, 8, c, skip))
        return false;
    if (c->geohash_bits == 0)
        c->geohash_bits = precision;
    if (c->geohash_bits != precision) {
        return failed(fail(ErrorCode::invalid_api_call,
                           "geohash precision changes from " + std::to_string(c->geohash_bits) +
                               " to " + std::to_string(precision) + quoted(current().name, name)));
    }
    if (!skip) {
        const std::size_t at = c->data.size();
        c->data.resize(at + 8);
        std::memcpy(c->data.data() + at, &bits, 8);
        set_valid(*c, c->size, true);
        ++c->size;
    }
    return after_value(Op::column, skip ? 0 : (precision + 7u) / 8u);
}

bool QwpRowStore::decimal(std::string_view name, TypeCode type, std::span<std::uint64_t> limbs,
                          std::uint8_t scale) {
    if (!op_allowed(Op::column))
        return bad_op(Op::column);
    if (scale > qwp::kMaxDecimalScale) {
        return failed(fail(ErrorCode::invalid_decimal, "decimal scale " + std::to_string(scale) +
                                                           " exceeds 76" +
                                                           quoted(current().name, name)));
    }
    const auto width = static_cast<std::uint8_t>(qwp::fixed_width(type));
    Column* c = nullptr;
    bool skip = false;
    if (!next_column(name, type, c) && !column_for(name, type, ValueLayout::fixed, width, c, skip))
        return false;
    if (!c->scale_set) {
        c->scale = scale;
        c->scale_set = true;
    }
    if (scale > c->scale) {
        return failed(fail(ErrorCode::invalid_decimal, "decimal scale " + std::to_string(scale) +
                                                           " exceeds the column's scale " +
                                                           std::to_string(c->scale) +
                                                           quoted(current().name, name)));
    }
    if (scale < c->scale && !rescale(limbs, c->scale - scale)) {
        return failed(fail(ErrorCode::invalid_decimal, "decimal value overflows " +
                                                           std::string(qwp::type_name(type)) +
                                                           " at scale " + std::to_string(c->scale) +
                                                           quoted(current().name, name)));
    }
    if (!skip) {
        const std::size_t at = c->data.size();
        c->data.resize(at + width);
        std::memcpy(c->data.data() + at, limbs.data(), width);
        set_valid(*c, c->size, true);
        ++c->size;
    }
    return after_value(Op::column, skip ? 0 : width);
}

bool QwpRowStore::decimal_text(std::string_view name, std::string_view text) {
    if (!op_allowed(Op::column))
        return bad_op(Op::column);
    std::uint64_t limbs[4] = {0, 0, 0, 0};
    std::size_t i = 0;
    bool negative = false;
    if (i < text.size() && (text[i] == '-' || text[i] == '+'))
        negative = text[i++] == '-';
    unsigned digits = 0;
    unsigned scale = 0;
    bool dot = false;
    for (; i < text.size(); ++i) {
        const char ch = text[i];
        if (ch == '.' && !dot) {
            dot = true;
            continue;
        }
        if (ch < '0' || ch > '9' || ++digits > 77 ||
            !mul10_add(limbs, static_cast<unsigned>(ch - '0'))) {
            return failed(
                fail(ErrorCode::invalid_decimal, "'" + std::string(text.substr(0, 100)) +
                                                     "' is not a decimal of at most 76 fractional "
                                                     "and 77 total digits" +
                                                     quoted(current().name, name)));
        }
        if (dot)
            ++scale;
    }
    if (digits == 0 || scale > qwp::kMaxDecimalScale) {
        return failed(fail(ErrorCode::invalid_decimal, "'" + std::string(text.substr(0, 100)) +
                                                           "' is not a decimal" +
                                                           quoted(current().name, name)));
    }
    if (negative)
        negate(limbs);
    return decimal(name, TypeCode::decimal256, limbs, static_cast<std::uint8_t>(scale));
}

template <typename T>
bool QwpRowStore::array(std::string_view name, std::span<const T> data,
                        std::span<const std::size_t> shape,
                        std::span<const std::ptrdiff_t> strides) {
    if (!op_allowed(Op::column))
        return bad_op(Op::column);
    const TypeCode type = std::is_same_v<T, double> ? TypeCode::double_array : TypeCode::long_array;
    const std::string where = quoted(current().name, name);
    if (shape.empty() || shape.size() > qwp::kMaxArrayDims) {
        return failed(fail(ErrorCode::array_error, "arrays need 1..32 dimensions, got " +
                                                       std::to_string(shape.size()) + where));
    }
    if (!strides.empty() && strides.size() != shape.size()) {
        return failed(fail(ErrorCode::array_error, "strides and shape differ in length" + where));
    }
    std::size_t elements = 1;
    for (const std::size_t d : shape) {
        if (d > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
            return failed(fail(ErrorCode::array_error,
                               "array dimension " + std::to_string(d) + " exceeds 2^31-1" + where));
        }
        if (d != 0 && elements > options_.max_buf_size / 8 / d + 1) {
            return failed(fail(ErrorCode::array_error, "array too large" + where));
        }
        elements *= d;
    }
    if (elements > kMaxArrayElements) {
        return failed(fail(ErrorCode::array_error, "array of " + std::to_string(elements) +
                                                       " elements exceeds 2^26" + where));
    }
    if (strides.empty()) {
        if (elements != data.size()) {
            return failed(fail(ErrorCode::array_error, "array shape holds " +
                                                           std::to_string(elements) +
                                                           " elements but the data has " +
                                                           std::to_string(data.size()) + where));
        }
    } else if (elements != 0) {
        std::ptrdiff_t lo = 0;
        std::ptrdiff_t hi = 0;
        for (std::size_t k = 0; k < shape.size(); ++k) {
            const auto span = static_cast<std::ptrdiff_t>(shape[k] - 1) * strides[k];
            (span < 0 ? lo : hi) += span;
        }
        if (lo < 0 || hi >= static_cast<std::ptrdiff_t>(data.size())) {
            return failed(
                fail(ErrorCode::array_error, "array strides reach outside the data" + where));
        }
    }
    Column* c = nullptr;
    bool skip = false;
    if (!next_column(name, type, c) && !column_for(name, type, ValueLayout::blob, 0, c, skip))
        return false;
    const std::size_t bytes = 1 + 4 * shape.size() + 8 * elements;
    if (!skip) {
        std::size_t at = c->data.size();
        c->data.resize(at + bytes);
        std::uint8_t* p = c->data.data() + at;
        *p++ = static_cast<std::uint8_t>(shape.size());
        for (const std::size_t d : shape) {
            const auto d32 = static_cast<std::int32_t>(d);
            std::memcpy(p, &d32, 4);
            p += 4;
        }
        if (strides.empty()) {
            if (elements != 0)
                std::memcpy(p, data.data(), elements * 8);
        } else if (elements != 0) {
            std::size_t idx[qwp::kMaxArrayDims] = {};
            for (std::size_t e = 0; e < elements; ++e) {
                std::ptrdiff_t off = 0;
                for (std::size_t k = 0; k < shape.size(); ++k)
                    off += static_cast<std::ptrdiff_t>(idx[k]) * strides[k];
                std::memcpy(p, &data[static_cast<std::size_t>(off)], 8);
                p += 8;
                for (std::size_t k = shape.size(); k-- > 0;) {
                    if (++idx[k] < shape[k])
                        break;
                    idx[k] = 0;
                }
            }
        }
        c->offsets.push_back(static_cast<std::int64_t>(c->data.size()));
        set_valid(*c, c->size, true);
        ++c->size;
    }
    return after_value(Op::column, skip ? 0 : bytes);
}

template bool QwpRowStore::array<double>(std::string_view, std::span<const double>,
                                         std::span<const std::size_t>,
                                         std::span<const std::ptrdiff_t>);
template bool QwpRowStore::array<std::int64_t>(std::string_view, std::span<const std::int64_t>,
                                               std::span<const std::size_t>,
                                               std::span<const std::ptrdiff_t>);

// ---- rows -------------------------------------------------------------------------------

bool QwpRowStore::at(TypeCode type, std::int64_t value) {
    if (!op_allowed(Op::at))
        return bad_op(Op::at);
    if (value < 0) {
        return failed(fail(ErrorCode::invalid_timestamp,
                           "designated timestamp " + std::to_string(value) +
                               " is negative (table '" + current().name + "')"));
    }
    Column* c = nullptr;
    bool skip = false;
    if (!next_column("", type, c) && !column_for("", type, ValueLayout::fixed, 8, c, skip))
        return false;
    std::memcpy(c->data.grow(8), &value, 8);
    set_valid(*c, c->size, true);
    ++c->size;
    len_ += 8;
    return at_now();
}

bool QwpRowStore::at_now() {
    if (!op_allowed(Op::at))
        return bad_op(Op::at);
    auto& t = current();
    if (!in_order_ || next_ != end_) {  // some column may have no value in this row: NULL
        for (auto& c : t.columns) {
            if (c.size == t.rows)
                append_null(c);
        }
    }
    if (len_ > options_.max_buf_size) {  // the caller rewinds: the row stays in progress
        return failed(fail(ErrorCode::limit_exceeded, "buffer size " + std::to_string(len_) +
                                                          " exceeds max_buf_size " +
                                                          std::to_string(options_.max_buf_size) +
                                                          " (table '" + t.name + "')"));
    }
    end_row(t);
    return true;
}

void QwpRowStore::rewind() noexcept {
    if (in_row_ && current_ < tables_.size()) {
        auto& t = tables_[current_];
        while (t.columns.size() > t.columns_at_row_start) {
            recycle(std::move(t.columns.back()));
            t.columns.pop_back();
        }
        for (auto& c : t.columns) {
            truncate(c, t.rows);
            if (c.interned_row == t.rows) {  // the dropped row added this entry: unused now
                c.dict.pop_back();
                c.interned_row = kNoRow;
            }
        }
        if (table_created_in_row_) {
            for (auto& c : t.columns)
                recycle(std::move(c));
            t.columns.clear();
            spare_tables_.push_back(std::move(t));
            tables_.pop_back();
            current_ = 0;
            table_ = tables_.empty() ? nullptr : &tables_[0];
        }
    }
    next_ = end_ = nullptr;
    in_order_ = true;
    in_row_ = false;
    table_created_in_row_ = false;
    len_ = len_at_row_start_;
    state_ = total_rows_ > 0 ? State::row_done : State::init;
}

void QwpRowStore::clear() noexcept {
    for (auto& t : tables_) {
        for (auto& c : t.columns)
            recycle(std::move(c));
        t.columns.clear();
        t.rows = 0;
        spare_tables_.push_back(std::move(t));
    }
    tables_.clear();
    current_ = 0;
    table_ = nullptr;
    next_ = end_ = nullptr;
    in_order_ = true;
    in_row_ = false;
    table_created_in_row_ = false;
    state_ = State::init;
    len_ = 0;
    len_at_row_start_ = 0;
    total_rows_ = 0;
}

bool QwpRowStore::transactional() const noexcept {
    std::size_t with_rows = 0;
    for (const auto& t : tables_)
        with_rows += t.rows > 0 ? 1 : 0;
    return with_rows <= 1;
}

questdb::detail::Result<std::span<const qwp::TableSource>> QwpRowStore::table_sources() {
    if (in_row_) {
        return fail(ErrorCode::invalid_api_call,
                    "a row for table '" + tables_[current_].name +
                        "' is in progress: end it with at() or at_now() before flushing");
    }
    views_.clear();
    for (auto& t : tables_) {
        if (t.rows == 0)
            continue;
        t.view.clear();
        for (const auto& c : t.columns) {
            qwp::ColumnSource s;
            s.name = c.name;
            s.type = c.type;
            s.layout = c.layout;
            s.validity = c.all_valid ? nullptr : c.validity.data();
            s.data = c.data.data();
            s.source_width = c.width;
            s.scale = c.scale;
            s.geohash_bits = c.geohash_bits;
            if (c.layout == ValueLayout::var64 || c.layout == ValueLayout::blob) {
                s.offsets = c.offsets.data();
                s.offset_width = 8;
            } else if (c.layout == ValueLayout::symbol_codes) {
                s.code_width = 4;
                s.offsets = c.dict.offsets();
                s.offset_width = 8;
                s.dict_bytes = reinterpret_cast<const std::uint8_t*>(c.dict.bytes());
                s.dict_size = c.dict.size();
                s.dict_all_used = true;  // see Column::interned_row
            }
            t.view.push_back(s);
        }
        views_.push_back(qwp::TableSource{t.name, t.rows, t.view});
    }
    return std::span<const qwp::TableSource>(views_);
}

}  // namespace questdb::ingress
