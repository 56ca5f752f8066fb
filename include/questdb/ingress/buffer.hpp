#pragma once

/// @file
/// questdb::ingress::Buffer: rows built one value at a time (row-major API), stored
/// column-wise in owned, reused memory and encoded as QWP on flush.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "questdb/error.hpp"
#include "questdb/export.hpp"
#include "questdb/ingress/array_view.hpp"
#include "questdb/ingress/protocol_version.hpp"
#include "questdb/ingress/timestamp.hpp"

namespace questdb::ingress {

/// Buffer limits.
struct BufferOptions {
    /// Longest table or column name in UTF-8 bytes (QuestDB's default is 127).
    std::size_t max_name_len = 127;
    /// Largest buffer (approximate encoded bytes, see Buffer::len()); a setter that would
    /// exceed it fails with limit_exceeded.
    std::size_t max_buf_size = std::size_t{100} * 1024 * 1024;
};

struct BufferAccess;

/// Rows for one or more tables, written row by row:
///
///     buffer.table("trades").symbol("sym", "ETH-USD").column_f64("price", 2615.54)
///           .at(TimestampNanos::now());
///
/// Call order per row: table(), then symbol()s, then column_*()s, then at()/at_now(). A row
/// exists only after at()/at_now(). A column a row omits is NULL in that row; a column first
/// seen in a later row is NULL in the earlier rows. Writing the same column twice in one row
/// keeps the first value.
///
/// Errors (questdb::Error): invalid_api_call (calls out of order, a column changing type
/// within the buffer, at() with no column), invalid_name (name rules or max_name_len),
/// invalid_utf8, invalid_timestamp (negative designated timestamp), invalid_decimal,
/// array_error, limit_exceeded (max_buf_size). Any error inside a row discards that row
/// only: the buffer rewinds to its last complete row, which stays valid and flushable.
///
/// NULL follows QuestDB: BOOLEAN, BYTE, SHORT and CHAR have no NULL, so a row omitting them
/// stores false / 0.
///
/// Not thread-safe; movable, not copyable. Storage is kept across clear() so a steady flow of
/// rows allocates nothing once warmed up.
class QUESTDB_API Buffer {
  public:
    /// An empty QWP buffer with default options.
    Buffer();
    /// An empty QWP buffer with the given limits.
    explicit Buffer(const BufferOptions& options);
    /// Frees the buffer's memory.
    ~Buffer();
    /// Moves the rows; the moved-from buffer may only be destroyed or assigned to.
    Buffer(Buffer&&) noexcept;
    /// Move assignment.
    Buffer& operator=(Buffer&&) noexcept;
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;

    /// An empty buffer in ILP mode: rows are written as InfluxDB Line Protocol of `version`
    /// for the http/https/tcp/tcps senders (`Sender::new_buffer()` returns one wired for
    /// auto-flush). Same setters and errors, except: BYTE/SHORT/INT travel as ILP integers,
    /// FLOAT as double; CHAR, UUID, LONG256, IPv4, DATE, BINARY, GEOHASH and LONG arrays
    /// are refused (invalid_api_call); arrays need v2+ and decimals v3
    /// (protocol_version_error); max_buf_size is checked at flush.
    [[nodiscard]] static Buffer ilp(ProtocolVersion version, const BufferOptions& options = {});
    /// The ILP version of an ILP-mode buffer; nullopt for a QWP buffer.
    [[nodiscard]] std::optional<ProtocolVersion> ilp_protocol_version() const noexcept;
    /// The ILP text of the complete rows (what a flush sends); empty for a QWP buffer. The
    /// view is valid until the buffer is next modified.
    [[nodiscard]] std::string_view ilp_text() const noexcept;

    /// Starts a row for `name` (QuestDB table-name rules, at most max_name_len bytes).
    Buffer& table(std::string_view name);
    /// SYMBOL value (before any other column of the row).
    Buffer& symbol(std::string_view name, std::string_view value);

    /// BOOLEAN column value of the current row.
    Buffer& column_bool(std::string_view name, bool value);
    /// BYTE column value of the current row.
    Buffer& column_i8(std::string_view name, std::int8_t value);
    /// SHORT column value of the current row.
    Buffer& column_i16(std::string_view name, std::int16_t value);
    /// INT column value of the current row.
    Buffer& column_i32(std::string_view name, std::int32_t value);
    /// LONG column value of the current row.
    Buffer& column_i64(std::string_view name, std::int64_t value);
    /// FLOAT column value of the current row.
    Buffer& column_f32(std::string_view name, float value);
    /// DOUBLE column value of the current row.
    Buffer& column_f64(std::string_view name, double value);
    /// VARCHAR (must be UTF-8).
    Buffer& column_str(std::string_view name, std::string_view value);
    /// CHAR: one UTF-16 code unit.
    Buffer& column_char(std::string_view name, char16_t value);
    /// UUID from its low and high 64 bits.
    Buffer& column_uuid(std::string_view name, std::uint64_t lo, std::uint64_t hi);
    /// LONG256 from four 64-bit limbs, least significant first.
    Buffer& column_long256(std::string_view name, const std::array<std::uint64_t, 4>& limbs);
    /// IPv4 address as a host-order u32.
    Buffer& column_ipv4(std::string_view name, std::uint32_t address);
    /// DATE in milliseconds since the epoch.
    Buffer& column_date(std::string_view name, std::int64_t millis);
    /// BINARY (opaque bytes, copied).
    Buffer& column_binary(std::string_view name, std::span<const std::uint8_t> bytes);
    /// GEOHASH: the low `precision_bits` (1..60, else invalid_api_call) bits of `bits`.
    Buffer& column_geohash(std::string_view name, std::uint64_t bits, std::uint8_t precision_bits);
    /// DECIMAL256 from text such as "-123.4500" (digits, one optional '.', optional sign).
    /// The column's scale is the first value's; a later value with a smaller scale is
    /// rescaled exactly, a larger one is invalid_decimal.
    Buffer& column_dec(std::string_view name, std::string_view decimal_text);
    /// DECIMAL64: unscaled / 10^scale, scale 0..76.
    Buffer& column_dec64(std::string_view name, std::int64_t unscaled, std::uint8_t scale);
    /// DECIMAL128: the unscaled 128-bit two's complement value as (lo, hi) halves.
    Buffer& column_dec128(std::string_view name, std::uint64_t unscaled_lo,
                          std::int64_t unscaled_hi, std::uint8_t scale);
    /// DOUBLE[] (DOUBLE_ARRAY) from an N-dimensional array: `shape` (1..32 dimensions),
    /// optional `strides` in elements (empty = C-contiguous); the elements are copied.
    /// Inconsistent shape/strides/data: array_error. An array with a 0 dimension is empty
    /// (not NULL).
    Buffer& column_arr(std::string_view name, std::span<const double> data,
                       std::span<const std::size_t> shape,
                       std::span<const std::ptrdiff_t> strides = {});
    /// LONG[] (LONG_ARRAY), as the double overload.
    Buffer& column_arr(std::string_view name, std::span<const std::int64_t> data,
                       std::span<const std::size_t> shape,
                       std::span<const std::ptrdiff_t> strides = {});
    /// DOUBLE[] from a borrowed N-dimensional view (see NdArrayView); as the overload taking
    /// data, shape and strides.
    Buffer& column_arr(std::string_view name, NdArrayView<double> array) {
        return column_arr(name, array.data(), array.shape(), array.strides());
    }
    /// LONG[] from a borrowed N-dimensional view.
    Buffer& column_arr(std::string_view name, NdArrayView<std::int64_t> array) {
        return column_arr(name, array.data(), array.shape(), array.strides());
    }
    /// An array from nested std::vector, std::span and std::array levels (any mix, 1..32
    /// levels) around double or std::int64_t, e.g. `std::vector<std::span<const double>>` or
    /// `std::array<std::array<double, 3>, 2>`. Every level must be rectangular (array_error
    /// otherwise, and the row is discarded). The elements are copied into storage the buffer
    /// reuses, so a steady flow of rows allocates nothing once warm.
    template <typename Nested>
    requires(array_detail::is_nested_array_v<Nested>) Buffer& column_arr(std::string_view name,
                                                                         const Nested& nested);
    /// One-dimensional DOUBLE[] from contiguous values (a std::span or anything converting).
    Buffer& column_arr(std::string_view name, std::span<const double> values) {
        const std::size_t shape[] = {values.size()};
        return column_arr(name, values, std::span<const std::size_t>(shape));
    }
    /// One-dimensional LONG[] from contiguous values.
    Buffer& column_arr(std::string_view name, std::span<const std::int64_t> values) {
        const std::size_t shape[] = {values.size()};
        return column_arr(name, values, std::span<const std::size_t>(shape));
    }
    /// One-dimensional array from a std::vector (copied).
    Buffer& column_arr(std::string_view name, const std::vector<double>& values) {
        const std::size_t shape[] = {values.size()};
        return column_arr(name, std::span<const double>(values), shape);
    }
    /// One-dimensional array from a std::vector (copied).
    Buffer& column_arr(std::string_view name, const std::vector<std::int64_t>& values) {
        const std::size_t shape[] = {values.size()};
        return column_arr(name, std::span<const std::int64_t>(values), shape);
    }
    /// TIMESTAMP column (not the designated timestamp).
    Buffer& column_ts(std::string_view name, TimestampMicros value);
    /// TIMESTAMP_NANOS column.
    Buffer& column_ts(std::string_view name, TimestampNanos value);

    /// The `_opt` variants do nothing when the value is empty (the column stays NULL).
    Buffer& symbol_opt(std::string_view name, std::optional<std::string_view> v) {
        return v ? symbol(name, *v) : *this;
    }
    /// As column_bool(), or nothing (the value stays NULL) when the optional is empty.
    Buffer& column_bool_opt(std::string_view name, std::optional<bool> v) {
        return v ? column_bool(name, *v) : *this;
    }
    /// As column_i8(), or nothing (the value stays NULL) when the optional is empty.
    Buffer& column_i8_opt(std::string_view name, std::optional<std::int8_t> v) {
        return v ? column_i8(name, *v) : *this;
    }
    /// As column_i16(), or nothing (the value stays NULL) when the optional is empty.
    Buffer& column_i16_opt(std::string_view name, std::optional<std::int16_t> v) {
        return v ? column_i16(name, *v) : *this;
    }
    /// As column_i32(), or nothing (the value stays NULL) when the optional is empty.
    Buffer& column_i32_opt(std::string_view name, std::optional<std::int32_t> v) {
        return v ? column_i32(name, *v) : *this;
    }
    /// As column_i64(), or nothing (the value stays NULL) when the optional is empty.
    Buffer& column_i64_opt(std::string_view name, std::optional<std::int64_t> v) {
        return v ? column_i64(name, *v) : *this;
    }
    /// As column_f32(), or nothing (the value stays NULL) when the optional is empty.
    Buffer& column_f32_opt(std::string_view name, std::optional<float> v) {
        return v ? column_f32(name, *v) : *this;
    }
    /// As column_f64(), or nothing (the value stays NULL) when the optional is empty.
    Buffer& column_f64_opt(std::string_view name, std::optional<double> v) {
        return v ? column_f64(name, *v) : *this;
    }
    /// As column_str(), or nothing (the value stays NULL) when the optional is empty.
    Buffer& column_str_opt(std::string_view name, std::optional<std::string_view> v) {
        return v ? column_str(name, *v) : *this;
    }
    /// As column_char(), or nothing (the value stays NULL) when the optional is empty.
    Buffer& column_char_opt(std::string_view name, std::optional<char16_t> v) {
        return v ? column_char(name, *v) : *this;
    }
    /// As column_uuid(), or nothing (the value stays NULL) when the optional is empty.
    Buffer& column_uuid_opt(std::string_view name,
                            std::optional<std::pair<std::uint64_t, std::uint64_t>> lo_hi) {
        return lo_hi ? column_uuid(name, lo_hi->first, lo_hi->second) : *this;
    }
    /// As column_long256(), or nothing (the value stays NULL) when the optional is empty.
    Buffer& column_long256_opt(std::string_view name,
                               const std::optional<std::array<std::uint64_t, 4>>& v) {
        return v ? column_long256(name, *v) : *this;
    }
    /// As column_ipv4(), or nothing (the value stays NULL) when the optional is empty.
    Buffer& column_ipv4_opt(std::string_view name, std::optional<std::uint32_t> v) {
        return v ? column_ipv4(name, *v) : *this;
    }
    /// As column_date(), or nothing (the value stays NULL) when the optional is empty.
    Buffer& column_date_opt(std::string_view name, std::optional<std::int64_t> millis) {
        return millis ? column_date(name, *millis) : *this;
    }
    /// As column_binary(), or nothing (the value stays NULL) when the optional is empty.
    Buffer& column_binary_opt(std::string_view name,
                              std::optional<std::span<const std::uint8_t>> v) {
        return v ? column_binary(name, *v) : *this;
    }
    /// As column_geohash(), or nothing (the value stays NULL) when the optional is empty.
    Buffer& column_geohash_opt(std::string_view name, std::optional<std::uint64_t> bits,
                               std::uint8_t precision_bits) {
        return bits ? column_geohash(name, *bits, precision_bits) : *this;
    }
    /// As column_dec(), or nothing (the value stays NULL) when the optional is empty.
    Buffer& column_dec_opt(std::string_view name, std::optional<std::string_view> v) {
        return v ? column_dec(name, *v) : *this;
    }
    /// As column_dec64(), or nothing (the value stays NULL) when the optional is empty.
    Buffer& column_dec64_opt(std::string_view name, std::optional<std::int64_t> unscaled,
                             std::uint8_t scale) {
        return unscaled ? column_dec64(name, *unscaled, scale) : *this;
    }
    /// As column_dec128(), or nothing (the value stays NULL) when the optional is empty.
    Buffer& column_dec128_opt(std::string_view name,
                              std::optional<std::pair<std::uint64_t, std::int64_t>> lo_hi,
                              std::uint8_t scale) {
        return lo_hi ? column_dec128(name, lo_hi->first, lo_hi->second, scale) : *this;
    }
    /// As column_arr(), or nothing (the value stays NULL) when `v` is empty.
    template <typename T>
    Buffer& column_arr_opt(std::string_view name, const std::optional<std::vector<T>>& v) {
        return v ? column_arr(name, *v) : *this;
    }
    /// As column_ts(), or nothing (the value stays NULL) when the optional is empty.
    Buffer& column_ts_opt(std::string_view name, std::optional<TimestampMicros> v) {
        return v ? column_ts(name, *v) : *this;
    }
    /// As column_ts(), or nothing (the value stays NULL) when the optional is empty.
    Buffer& column_ts_opt(std::string_view name, std::optional<TimestampNanos> v) {
        return v ? column_ts(name, *v) : *this;
    }

    /// Ends the row with a designated timestamp (>= 0, else invalid_timestamp); a table's
    /// designated timestamp keeps one unit for the whole buffer (invalid_api_call otherwise).
    void at(TimestampMicros timestamp);
    /// As at(TimestampMicros), in nanoseconds (TIMESTAMP_NS).
    void at(TimestampNanos timestamp);
    /// Ends the row and lets the server stamp it on arrival.
    void at_now();

    /// Approximate encoded size in bytes (what max_buf_size is checked against).
    [[nodiscard]] std::size_t len() const noexcept;
    /// Complete rows in the buffer.
    [[nodiscard]] std::size_t row_count() const noexcept;
    /// True when there are no complete rows and no row in progress.
    [[nodiscard]] bool is_empty() const noexcept;
    /// True when every row targets one table.
    [[nodiscard]] bool transactional() const noexcept;
    /// The configured max_name_len.
    [[nodiscard]] std::size_t max_name_len() const noexcept;
    /// Drops every row (and a row in progress); keeps capacity.
    void clear() noexcept;

    /// Implementation detail (opaque).
    struct Impl;

  private:
    /// Fills `out` (room for product(shape) elements) from `nested`; false when the nesting
    /// is not rectangular.
    using NestedFill = bool (*)(const void* nested, const std::size_t* shape, void* out);
    /// The non-template half of the nested column_arr: checks the shape, flattens through
    /// `fill` into reused scratch storage and stores the array (array_error discards the row).
    Buffer& column_arr_nested(std::string_view name, bool doubles,
                              std::span<const std::size_t> shape, NestedFill fill,
                              const void* nested);

    friend struct BufferAccess;
    std::unique_ptr<Impl> impl_;
};

template <typename Nested>
requires(array_detail::is_nested_array_v<Nested>) Buffer& Buffer::column_arr(std::string_view name,
                                                                             const Nested& nested) {
    using Leaf = typename array_detail::Nesting<Nested>::leaf;
    constexpr std::size_t depth = array_detail::Nesting<Nested>::depth;
    static_assert(depth <= kMaxArrayDims, "arrays have at most 32 dimensions");
    std::array<std::size_t, depth> shape{};
    array_detail::shape_of(nested, shape.data());
    return column_arr_nested(
        name, std::is_same_v<Leaf, double>, shape,
        [](const void* source, const std::size_t* dims, void* out) {
            auto* p = static_cast<Leaf*>(out);
            return array_detail::flatten<Leaf>(*static_cast<const Nested*>(source), dims, p);
        },
        &nested);
}

}  // namespace questdb::ingress
