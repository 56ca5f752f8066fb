#include "questdb/ingress/chunk.hpp"

#include <algorithm>
#include <limits>
#include <string>

#include "ingress/chunk_impl.hpp"
#include "ingress/names.hpp"
#include "questdb/ingress/array_view.hpp"
#include "qwp/types.hpp"
#include "qwp/utf8.hpp"

namespace questdb::ingress {
namespace {

using questdb::detail::fail;
using questdb::detail::Status;
using qwp::ColumnSource;
using qwp::TypeCode;
using qwp::ValueLayout;

/// Rows one chunk may hold; the encoder splits them into frames and blocks.
constexpr std::size_t kMaxChunkRows = std::size_t{16} * 1024 * 1024;

std::string in_column(const Chunk::Impl& c, std::string_view name) {
    return " (table '" + c.table + "', column '" + std::string(name) + "')";
}

// First index in [begin, end) where `bad(i)` holds, or `end`. Validation runs over every
// value a user hands over, so the common all-good case must not branch per value: each block
// ORs the predicate (which the compiler vectorises) and only a block with a hit is searched.
template <typename Bad>
std::size_t first_bad(std::size_t begin, std::size_t end, Bad bad) {
    constexpr std::size_t kBlock = 256;
    for (std::size_t at = begin; at < end; at += kBlock) {
        const std::size_t stop = std::min(end, at + kBlock);
        unsigned any = 0;
        for (std::size_t i = at; i < stop; ++i) {
            any |= static_cast<unsigned>(bad(i));
        }
        if (any != 0) {
            for (std::size_t i = at; i < stop; ++i) {
                if (bad(i))
                    return i;
            }
        }
    }
    return end;
}

// Whether `v` lies outside [0, limit]: one unsigned compare, since a negative value converts
// to at least 2^63.
template <typename T>
bool outside(T v, std::uint64_t limit) {
    return static_cast<std::uint64_t>(static_cast<std::int64_t>(v)) > limit;
}

Status check_column(const Chunk::Impl& c, std::string_view name, std::size_t rows,
                    Validity validity) {
    if (auto st = names::validate_column_name(name); !st) {
        auto f = std::move(st).failure();
        f.message += " (table '" + c.table + "')";
        return f;
    }
    for (const auto& existing : c.names) {
        if (existing == name) {
            return fail(ErrorCode::invalid_api_call, "duplicate column" + in_column(c, name));
        }
    }
    if (c.columns.size() + 1 >= qwp::kMaxColumnsPerTable) {
        return fail(ErrorCode::limit_exceeded, "more than 2047 columns" + in_column(c, name));
    }
    if (rows > kMaxChunkRows) {
        return fail(ErrorCode::limit_exceeded,
                    std::to_string(rows) + " rows exceed the chunk limit of " +
                        std::to_string(kMaxChunkRows) + in_column(c, name));
    }
    if (c.rows_locked && rows != c.rows) {
        return fail(ErrorCode::invalid_api_call, "column has " + std::to_string(rows) +
                                                     " rows but the chunk has " +
                                                     std::to_string(c.rows) + in_column(c, name));
    }
    if (!validity.empty() && validity.size() < (rows + 7) / 8) {
        return fail(ErrorCode::invalid_api_call,
                    "validity bitmap of " + std::to_string(validity.size()) +
                        " bytes is too short for " + std::to_string(rows) + " rows" +
                        in_column(c, name));
    }
    return {};
}

template <typename Offset>
Status check_offsets(const Chunk::Impl& c, std::string_view name, std::span<const Offset> offsets,
                     std::size_t bytes, const char* what,
                     ErrorCode code = ErrorCode::invalid_api_call) {
    if (offsets.empty()) {
        return fail(code,
                    std::string(what) + " offsets need row_count + 1 entries" + in_column(c, name));
    }
    if (offsets[0] < 0)
        return fail(code, std::string(what) + " offsets must not be negative" + in_column(c, name));
    const std::size_t decrease =
        first_bad(1, offsets.size(), [&](std::size_t i) { return offsets[i] < offsets[i - 1]; });
    if (decrease != offsets.size()) {
        return fail(code, std::string(what) + " offsets decrease at index " +
                              std::to_string(decrease) + in_column(c, name));
    }
    if (static_cast<std::uint64_t>(offsets.back()) > bytes) {
        return fail(code, std::string(what) + " offsets run past the data (" +
                              std::to_string(offsets.back()) + " > " + std::to_string(bytes) + ")" +
                              in_column(c, name));
    }
    if (static_cast<std::uint64_t>(offsets.back() - offsets.front()) > 0x7FFFFFFFu) {
        return fail(ErrorCode::limit_exceeded,
                    std::string(what) + " data exceeds 2 GiB" + in_column(c, name));
    }
    return {};
}

// Every value between consecutive offsets must be UTF-8 on its own.
template <typename Offset>
Status check_utf8_values(const Chunk::Impl& c, std::string_view name,
                         std::span<const Offset> offsets, std::span<const std::uint8_t> bytes) {
    const auto first = static_cast<std::size_t>(offsets.front());
    const auto last = static_cast<std::size_t>(offsets.back());
    const qwp::Utf8Kind kind = qwp::utf8_kind(bytes.data() + first, last - first);
    if (kind == qwp::Utf8Kind::invalid) {
        return fail(ErrorCode::invalid_utf8, "string data is not valid UTF-8" + in_column(c, name));
    }
    if (kind == qwp::Utf8Kind::ascii) {
        return {};  // no continuation bytes, so no offset can split a character
    }
    for (std::size_t i = 1; i + 1 < offsets.size(); ++i) {
        const auto at = static_cast<std::size_t>(offsets[i]);
        if (at < last && (bytes[at] & 0xC0) == 0x80) {
            return fail(
                ErrorCode::invalid_utf8,
                "offset " + std::to_string(at) + " splits a UTF-8 character" + in_column(c, name));
        }
    }
    return {};
}

bool valid_row(Validity v, std::size_t row) {
    return v.empty() || ((v[row >> 3] >> (row & 7)) & 1) != 0;
}

// First non-null row whose code falls outside [0, dict_size), or codes.size(). Null rows may
// hold any code; an empty dictionary admits no code at all. The compares stay in the code's
// own width so that they vectorise.
template <typename Code>
std::size_t first_bad_code(std::span<const Code> codes, std::size_t dict_size, Validity validity) {
    const auto top = static_cast<std::size_t>(std::numeric_limits<Code>::max());
    const auto max_code =
        dict_size == 0 ? Code{-1} : static_cast<Code>(std::min(dict_size - 1, top));
    // `|` and `&`, not `||` and `&&`: a branch per value would stop the vectorising.
    const auto outside_dict = [&](std::size_t row) {
        return static_cast<unsigned>(codes[row] < 0) | static_cast<unsigned>(codes[row] > max_code);
    };
    if (validity.empty())
        return first_bad(0, codes.size(), outside_dict);
    return first_bad(0, codes.size(), [&](std::size_t row) {
        return outside_dict(row) & static_cast<unsigned>(valid_row(validity, row));
    });
}

// First timestamp outside [0, limit], or values.size(). With no scaling the limit is the
// type's maximum, and the sign bit alone decides, which vectorises without 64-bit compares.
std::size_t first_bad_timestamp(std::span<const std::int64_t> values, std::uint64_t limit) {
    if (limit == static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return first_bad(0, values.size(), [&](std::size_t i) {
            return static_cast<unsigned>(static_cast<std::uint64_t>(values[i]) >> 63);
        });
    }
    return first_bad(0, values.size(), [&](std::size_t i) { return outside(values[i], limit); });
}

}  // namespace

// ---- plumbing -------------------------------------------------------------------------------

namespace {

void push(Chunk::Impl& c, std::string_view name, ColumnSource source, std::size_t rows,
          Validity validity) {
    source.validity = validity.empty() ? nullptr : validity.data();
    c.names.emplace_back(name);
    c.columns.push_back(source);
    c.rows = rows;
    c.rows_locked = true;
}

template <typename T>
Chunk& fixed(Chunk& self, Chunk::Impl& c, std::string_view name, std::span<const T> values,
             Validity validity, TypeCode type) {
    questdb::detail::throw_if_error(check_column(c, name, values.size(), validity));
    ColumnSource s;
    s.type = type;
    s.layout = ValueLayout::fixed;
    s.data = values.data();
    s.source_width = static_cast<std::uint8_t>(sizeof(T));
    push(c, name, s, values.size(), validity);
    return self;
}

template <typename Offset>
Chunk& strings(Chunk& self, Chunk::Impl& c, std::string_view name, std::span<const Offset> offsets,
               std::span<const std::uint8_t> bytes, Validity validity, TypeCode type) {
    using questdb::detail::throw_if_error;
    throw_if_error(check_offsets(c, name, offsets, bytes.size(),
                                 type == TypeCode::varchar ? "VARCHAR" : "BINARY"));
    const std::size_t rows = offsets.size() - 1;
    throw_if_error(check_column(c, name, rows, validity));
    if (type == TypeCode::varchar)
        throw_if_error(check_utf8_values(c, name, offsets, bytes));
    ColumnSource s;
    s.type = type;
    s.layout = sizeof(Offset) == 4 ? ValueLayout::var32 : ValueLayout::var64;
    s.data = bytes.data();
    s.offsets = offsets.data();
    s.offset_width = sizeof(Offset);
    push(c, name, s, rows, validity);
    return self;
}

template <typename Code, typename Offset>
Chunk& symbols(Chunk& self, Chunk::Impl& c, std::string_view name, std::span<const Code> codes,
               std::span<const Offset> dict_offsets, std::span<const std::uint8_t> dict_bytes,
               Validity validity) {
    using questdb::detail::throw_if_error;
    throw_if_error(check_column(c, name, codes.size(), validity));
    throw_if_error(check_offsets(c, name, dict_offsets, dict_bytes.size(), "symbol dictionary"));
    throw_if_error(check_utf8_values(c, name, dict_offsets, dict_bytes));
    const std::size_t dict_size = dict_offsets.size() - 1;
    if (const std::size_t row = first_bad_code(codes, dict_size, validity); row != codes.size()) {
        throw_if_error(fail(ErrorCode::invalid_api_call,
                            "symbol code " + std::to_string(codes[row]) + " at row " +
                                std::to_string(row) + " is outside the dictionary of " +
                                std::to_string(dict_size) + in_column(c, name)));
    }
    ColumnSource s;
    s.type = TypeCode::symbol;
    s.layout = ValueLayout::symbol_codes;
    s.data = codes.data();
    s.code_width = sizeof(Code);
    s.offsets = dict_offsets.data();
    s.offset_width = sizeof(Offset);
    s.dict_bytes = dict_bytes.data();
    s.dict_size = dict_size;
    s.codes_checked = true;
    push(c, name, s, codes.size(), validity);
    return self;
}

template <typename T>
Chunk& list(Chunk& self, Chunk::Impl& c, std::string_view name,
            std::span<const std::int64_t> offsets, std::span<const T> values, Validity validity,
            TypeCode type) {
    using questdb::detail::throw_if_error;
    throw_if_error(check_offsets(c, name, offsets, values.size(), "array", ErrorCode::array_error));
    const std::size_t rows = offsets.size() - 1;
    throw_if_error(check_column(c, name, rows, validity));
    for (std::size_t row = 0; row < rows; ++row) {
        if (valid_row(validity, row) &&
            static_cast<std::uint64_t>(offsets[row + 1] - offsets[row]) > kMaxArrayElements) {
            throw_if_error(fail(ErrorCode::array_error, "array at row " + std::to_string(row) +
                                                            " exceeds 2^26 elements" +
                                                            in_column(c, name)));
        }
    }
    ColumnSource s;
    s.type = type;
    s.layout = ValueLayout::list64;
    s.data = values.data();
    s.offsets = offsets.data();
    s.offset_width = 8;
    push(c, name, s, rows, validity);
    return self;
}

// Per-row shapes of N-dimensional arrays: rank in range, one shape per row, and every
// non-null row's shape product equal to its element range.
Status check_shapes(const Chunk::Impl& c, std::string_view name, std::size_t rank,
                    std::span<const std::int32_t> shapes, std::span<const std::int64_t> offsets,
                    Validity validity) {
    if (rank < 1 || rank > qwp::kMaxArrayDims) {
        return fail(ErrorCode::array_error, "arrays need 1..32 dimensions, got " +
                                                std::to_string(rank) + in_column(c, name));
    }
    const std::size_t rows = offsets.size() - 1;
    if (shapes.size() != rows * rank) {
        return fail(ErrorCode::array_error, "shapes hold " + std::to_string(shapes.size()) +
                                                " dimensions but " + std::to_string(rows) +
                                                " rows of rank " + std::to_string(rank) + " need " +
                                                std::to_string(rows * rank) + in_column(c, name));
    }
    for (std::size_t row = 0; row < rows; ++row) {
        if (!valid_row(validity, row))
            continue;
        std::uint64_t elements = 1;
        for (std::size_t k = 0; k < rank; ++k) {
            const std::int32_t d = shapes[row * rank + k];
            if (d < 0) {
                return fail(ErrorCode::array_error, "negative dimension " + std::to_string(d) +
                                                        " at row " + std::to_string(row) +
                                                        in_column(c, name));
            }
            // Saturate past the limit so a long shape cannot overflow.
            elements = std::min<std::uint64_t>(elements * static_cast<std::uint64_t>(d),
                                               kMaxArrayElements + 1);
        }
        if (elements > kMaxArrayElements) {
            return fail(ErrorCode::array_error, "array at row " + std::to_string(row) +
                                                    " exceeds 2^26 elements" + in_column(c, name));
        }
        const auto range = static_cast<std::uint64_t>(offsets[row + 1] - offsets[row]);
        if (range != elements) {
            return fail(ErrorCode::array_error, "array at row " + std::to_string(row) +
                                                    " has shape of " + std::to_string(elements) +
                                                    " elements but " + std::to_string(range) +
                                                    " values" + in_column(c, name));
        }
    }
    return {};
}

template <typename T>
Chunk& tensor(Chunk& self, Chunk::Impl& c, std::string_view name, std::size_t rank,
              std::span<const std::int32_t> shapes, std::span<const std::int64_t> offsets,
              std::span<const T> values, Validity validity, TypeCode type) {
    using questdb::detail::throw_if_error;
    throw_if_error(check_offsets(c, name, offsets, values.size(), "array", ErrorCode::array_error));
    const std::size_t rows = offsets.size() - 1;
    throw_if_error(check_column(c, name, rows, validity));
    throw_if_error(check_shapes(c, name, rank, shapes, offsets, validity));
    ColumnSource s;
    s.type = type;
    s.layout = ValueLayout::list64;
    s.data = values.data();
    s.offsets = offsets.data();
    s.offset_width = 8;
    s.dims = shapes.data();
    s.rank = static_cast<std::uint8_t>(rank);
    push(c, name, s, rows, validity);
    return self;
}

Chunk& decimal(Chunk& self, Chunk::Impl& c, std::string_view name, const void* data,
               std::size_t rows, std::uint8_t width, std::uint8_t scale, Validity validity,
               TypeCode type) {
    using questdb::detail::throw_if_error;
    if (scale > qwp::kMaxDecimalScale) {
        throw_if_error(fail(ErrorCode::invalid_decimal, "decimal scale " + std::to_string(scale) +
                                                            " exceeds 76" + in_column(c, name)));
    }
    throw_if_error(check_column(c, name, rows, validity));
    ColumnSource s;
    s.type = type;
    s.layout = ValueLayout::fixed;
    s.data = data;
    s.source_width = width;
    s.scale = scale;
    push(c, name, s, rows, validity);
    return self;
}

Chunk& designated(Chunk& self, Chunk::Impl& c, std::span<const std::int64_t> values, TypeCode type,
                  std::int64_t multiplier) {
    using questdb::detail::throw_if_error;
    if (c.has_designated || c.server_now) {
        throw_if_error(fail(ErrorCode::invalid_api_call,
                            "designated timestamp already set (table '" + c.table + "')"));
    }
    if (values.size() > kMaxChunkRows || (c.rows_locked && values.size() != c.rows)) {
        throw_if_error(fail(ErrorCode::invalid_api_call,
                            "designated timestamp has " + std::to_string(values.size()) +
                                " rows but the chunk has " + std::to_string(c.rows) + " (table '" +
                                c.table + "')"));
    }
    const auto limit =
        static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max() / multiplier);
    const std::size_t row = first_bad_timestamp(values, limit);
    if (row != values.size()) {
        throw_if_error(fail(ErrorCode::invalid_timestamp,
                            "designated timestamp " + std::to_string(values[row]) + " at row " +
                                std::to_string(row) +
                                (values[row] < 0 ? " is negative" : " overflows microseconds") +
                                " (table '" + c.table + "')"));
    }
    ColumnSource s;
    s.type = type;
    s.layout = ValueLayout::fixed;
    s.data = values.data();
    s.multiplier = multiplier;
    c.designated = s;
    c.has_designated = true;
    c.rows = values.size();
    c.rows_locked = true;
    return self;
}

}  // namespace

Chunk::Chunk(std::string_view table) : impl_(std::make_unique<Impl>()) {
    questdb::detail::throw_if_error(names::validate_table_name(table));
    impl_->table.assign(table);
}
Chunk::~Chunk() = default;
Chunk::Chunk(Chunk&&) noexcept = default;
Chunk& Chunk::operator=(Chunk&&) noexcept = default;

Chunk& Chunk::column_i8(std::string_view name, std::span<const std::int8_t> v, Validity validity) {
    return fixed(*this, *impl_, name, v, validity, TypeCode::byte);
}
Chunk& Chunk::column_i16(std::string_view name, std::span<const std::int16_t> v,
                         Validity validity) {
    return fixed(*this, *impl_, name, v, validity, TypeCode::short_);
}
Chunk& Chunk::column_i32(std::string_view name, std::span<const std::int32_t> v,
                         Validity validity) {
    return fixed(*this, *impl_, name, v, validity, TypeCode::int_);
}
Chunk& Chunk::column_i64(std::string_view name, std::span<const std::int64_t> v,
                         Validity validity) {
    return fixed(*this, *impl_, name, v, validity, TypeCode::long_);
}
Chunk& Chunk::column_f32(std::string_view name, std::span<const float> v, Validity validity) {
    return fixed(*this, *impl_, name, v, validity, TypeCode::float_);
}
Chunk& Chunk::column_f64(std::string_view name, std::span<const double> v, Validity validity) {
    return fixed(*this, *impl_, name, v, validity, TypeCode::double_);
}
Chunk& Chunk::column_ts_micros(std::string_view name, std::span<const std::int64_t> v,
                               Validity validity) {
    return fixed(*this, *impl_, name, v, validity, TypeCode::timestamp);
}
Chunk& Chunk::column_ts_nanos(std::string_view name, std::span<const std::int64_t> v,
                              Validity validity) {
    return fixed(*this, *impl_, name, v, validity, TypeCode::timestamp_nanos);
}
Chunk& Chunk::column_date_millis(std::string_view name, std::span<const std::int64_t> v,
                                 Validity validity) {
    return fixed(*this, *impl_, name, v, validity, TypeCode::date);
}
Chunk& Chunk::column_ipv4(std::string_view name, std::span<const std::uint32_t> v,
                          Validity validity) {
    return fixed(*this, *impl_, name, v, validity, TypeCode::ipv4);
}
Chunk& Chunk::column_char(std::string_view name, std::span<const char16_t> v, Validity validity) {
    return fixed(*this, *impl_, name, v, validity, TypeCode::char_);
}
Chunk& Chunk::column_uuid(std::string_view name, std::span<const std::array<std::uint8_t, 16>> v,
                          Validity validity) {
    return fixed(*this, *impl_, name, v, validity, TypeCode::uuid);
}
Chunk& Chunk::column_long256(std::string_view name, std::span<const std::array<std::uint8_t, 32>> v,
                             Validity validity) {
    return fixed(*this, *impl_, name, v, validity, TypeCode::long256);
}

Chunk& Chunk::column_bool(std::string_view name, std::span<const std::uint8_t> bits,
                          std::size_t row_count, Validity validity) {
    auto& c = *impl_;
    if (bits.size() < (row_count + 7) / 8) {
        questdb::detail::throw_if_error(
            fail(ErrorCode::invalid_api_call,
                 "boolean bits of " + std::to_string(bits.size()) + " bytes are too short for " +
                     std::to_string(row_count) + " rows" + in_column(c, name)));
    }
    questdb::detail::throw_if_error(check_column(c, name, row_count, validity));
    ColumnSource s;
    s.type = TypeCode::boolean;
    s.layout = ValueLayout::bits;
    s.data = bits.data();
    push(c, name, s, row_count, validity);
    return *this;
}

Chunk& Chunk::column_geohash(std::string_view name, std::span<const std::uint64_t> values,
                             std::uint8_t precision_bits, Validity validity) {
    auto& c = *impl_;
    if (precision_bits < 1 || precision_bits > qwp::kMaxGeohashBits) {
        questdb::detail::throw_if_error(fail(ErrorCode::invalid_api_call,
                                             "geohash precision " + std::to_string(precision_bits) +
                                                 " is outside 1..60" + in_column(c, name)));
    }
    questdb::detail::throw_if_error(check_column(c, name, values.size(), validity));
    ColumnSource s;
    s.type = TypeCode::geohash;
    s.layout = ValueLayout::fixed;
    s.data = values.data();
    s.source_width = 8;
    s.geohash_bits = precision_bits;
    push(c, name, s, values.size(), validity);
    return *this;
}

Chunk& Chunk::column_varchar(std::string_view name, std::span<const std::int32_t> offsets,
                             std::span<const std::uint8_t> bytes, Validity validity) {
    return strings(*this, *impl_, name, offsets, bytes, validity, TypeCode::varchar);
}
Chunk& Chunk::column_varchar_large(std::string_view name, std::span<const std::int64_t> offsets,
                                   std::span<const std::uint8_t> bytes, Validity validity) {
    return strings(*this, *impl_, name, offsets, bytes, validity, TypeCode::varchar);
}
Chunk& Chunk::column_binary(std::string_view name, std::span<const std::int32_t> offsets,
                            std::span<const std::uint8_t> bytes, Validity validity) {
    return strings(*this, *impl_, name, offsets, bytes, validity, TypeCode::binary);
}
Chunk& Chunk::column_binary_large(std::string_view name, std::span<const std::int64_t> offsets,
                                  std::span<const std::uint8_t> bytes, Validity validity) {
    return strings(*this, *impl_, name, offsets, bytes, validity, TypeCode::binary);
}

Chunk& Chunk::symbol_dict_i8(std::string_view name, std::span<const std::int8_t> codes,
                             std::span<const std::int32_t> offsets,
                             std::span<const std::uint8_t> bytes, Validity validity) {
    return symbols(*this, *impl_, name, codes, offsets, bytes, validity);
}
Chunk& Chunk::symbol_dict_i16(std::string_view name, std::span<const std::int16_t> codes,
                              std::span<const std::int32_t> offsets,
                              std::span<const std::uint8_t> bytes, Validity validity) {
    return symbols(*this, *impl_, name, codes, offsets, bytes, validity);
}
Chunk& Chunk::symbol_dict_i32(std::string_view name, std::span<const std::int32_t> codes,
                              std::span<const std::int32_t> offsets,
                              std::span<const std::uint8_t> bytes, Validity validity) {
    return symbols(*this, *impl_, name, codes, offsets, bytes, validity);
}
Chunk& Chunk::symbol_dict_large_i8(std::string_view name, std::span<const std::int8_t> codes,
                                   std::span<const std::int64_t> offsets,
                                   std::span<const std::uint8_t> bytes, Validity validity) {
    return symbols(*this, *impl_, name, codes, offsets, bytes, validity);
}
Chunk& Chunk::symbol_dict_large_i16(std::string_view name, std::span<const std::int16_t> codes,
                                    std::span<const std::int64_t> offsets,
                                    std::span<const std::uint8_t> bytes, Validity validity) {
    return symbols(*this, *impl_, name, codes, offsets, bytes, validity);
}
Chunk& Chunk::symbol_dict_large_i32(std::string_view name, std::span<const std::int32_t> codes,
                                    std::span<const std::int64_t> offsets,
                                    std::span<const std::uint8_t> bytes, Validity validity) {
    return symbols(*this, *impl_, name, codes, offsets, bytes, validity);
}

Chunk& Chunk::column_dec64(std::string_view name, std::span<const std::int64_t> unscaled,
                           std::uint8_t scale, Validity validity) {
    return decimal(*this, *impl_, name, unscaled.data(), unscaled.size(), 8, scale, validity,
                   TypeCode::decimal64);
}
Chunk& Chunk::column_dec128(std::string_view name,
                            std::span<const std::array<std::uint8_t, 16>> unscaled,
                            std::uint8_t scale, Validity validity) {
    return decimal(*this, *impl_, name, unscaled.data(), unscaled.size(), 16, scale, validity,
                   TypeCode::decimal128);
}
Chunk& Chunk::column_dec256(std::string_view name,
                            std::span<const std::array<std::uint8_t, 32>> unscaled,
                            std::uint8_t scale, Validity validity) {
    return decimal(*this, *impl_, name, unscaled.data(), unscaled.size(), 32, scale, validity,
                   TypeCode::decimal256);
}

Chunk& Chunk::column_arr_f64(std::string_view name, std::span<const std::int64_t> offsets,
                             std::span<const double> values, Validity validity) {
    return list(*this, *impl_, name, offsets, values, validity, TypeCode::double_array);
}
Chunk& Chunk::column_arr_f64(std::string_view name, std::size_t rank,
                             std::span<const std::int32_t> shapes,
                             std::span<const std::int64_t> offsets, std::span<const double> values,
                             Validity validity) {
    return tensor(*this, *impl_, name, rank, shapes, offsets, values, validity,
                  TypeCode::double_array);
}
Chunk& Chunk::column_arr_i64(std::string_view name, std::size_t rank,
                             std::span<const std::int32_t> shapes,
                             std::span<const std::int64_t> offsets,
                             std::span<const std::int64_t> values, Validity validity) {
    return tensor(*this, *impl_, name, rank, shapes, offsets, values, validity,
                  TypeCode::long_array);
}
Chunk& Chunk::column_arr_i64(std::string_view name, std::span<const std::int64_t> offsets,
                             std::span<const std::int64_t> values, Validity validity) {
    return list(*this, *impl_, name, offsets, values, validity, TypeCode::long_array);
}

Chunk& Chunk::designated_timestamp_nanos(std::span<const std::int64_t> nanos) {
    return designated(*this, *impl_, nanos, TypeCode::timestamp_nanos, 1);
}
Chunk& Chunk::designated_timestamp_micros(std::span<const std::int64_t> micros) {
    return designated(*this, *impl_, micros, TypeCode::timestamp, 1);
}
Chunk& Chunk::designated_timestamp_millis(std::span<const std::int64_t> millis) {
    return designated(*this, *impl_, millis, TypeCode::timestamp, 1000);
}
Chunk& Chunk::designated_timestamp_seconds(std::span<const std::int64_t> seconds) {
    return designated(*this, *impl_, seconds, TypeCode::timestamp, 1'000'000);
}
Chunk& Chunk::at_now() {
    if (impl_->has_designated) {
        questdb::detail::throw_if_error(
            fail(ErrorCode::invalid_api_call,
                 "designated timestamp already set (table '" + impl_->table + "')"));
    }
    impl_->server_now = true;
    return *this;
}

std::string_view Chunk::table() const noexcept {
    return impl_->table;
}
std::size_t Chunk::row_count() const noexcept {
    return impl_->rows_locked ? impl_->rows : 0;
}
bool Chunk::is_empty() const noexcept {
    return !impl_->rows_locked;
}

void Chunk::clear() noexcept {
    auto& c = *impl_;
    c.rows_locked = false;
    c.rows = 0;
    c.names.clear();
    c.columns.clear();
    c.has_designated = false;
    c.server_now = false;
    c.view.clear();
}

void ChunkAccess::add_double_array_blob(Chunk& chunk, std::string_view name,
                                        std::span<const std::int64_t> offsets,
                                        std::span<const std::uint8_t> blob, Validity validity) {
    using questdb::detail::throw_if_error;
    auto& c = *chunk.impl_;
    throw_if_error(check_offsets(c, name, offsets, blob.size(), "array", ErrorCode::array_error));
    const std::size_t rows = offsets.size() - 1;
    throw_if_error(check_column(c, name, rows, validity));
    ColumnSource s;
    s.type = TypeCode::double_array;
    s.layout = ValueLayout::blob;
    s.data = blob.data();
    s.offsets = offsets.data();
    s.offset_width = 8;
    push(c, name, s, rows, validity);
}

questdb::detail::Result<qwp::TableSource> ChunkAccess::table_source(const Chunk& chunk) {
    auto& c = *chunk.impl_;
    if (c.rows_locked && c.rows > 0 && !c.has_designated && !c.server_now) {
        return fail(ErrorCode::invalid_api_call,
                    "chunk for table '" + c.table +
                        "' has no designated timestamp: call designated_timestamp_*() or at_now()");
    }
    c.view.assign(c.columns.begin(), c.columns.end());
    for (std::size_t i = 0; i < c.view.size(); ++i)
        c.view[i].name = c.names[i];
    if (c.has_designated)
        c.view.push_back(c.designated);
    return qwp::TableSource{c.table, c.rows_locked ? c.rows : 0, c.view};
}

}  // namespace questdb::ingress
