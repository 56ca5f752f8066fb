#pragma once

/// @file
/// Zero-copy views over one decoded RESULT_BATCH.
///
/// Lifetime: a BatchView and every view obtained from it borrow the cursor's receive buffer.
/// They stay valid until the next `Cursor::next_batch()`/`Cursor::drain()` or the Cursor's
/// destruction, whichever comes first. Views are cheap to copy and thread-compatible: read them
/// from one thread at a time.
///
/// Null rules (egress): a row is NULL when its null-bitmap bit is set, or when its value equals
/// the type's sentinel: INT -> INT32_MIN; IPv4 -> 0; LONG, DATE, TIMESTAMP(_NANOS), DECIMAL64 ->
/// INT64_MIN; FLOAT/DOUBLE -> any NaN; GEOHASH -> all ones; UUID -> both halves INT64_MIN;
/// LONG256 -> all limbs INT64_MIN. BOOLEAN, BYTE, SHORT and CHAR have no sentinel (0 is a real
/// value); they are NULL only via the bitmap. DECIMAL128/256 are NULL only via the bitmap.
///
/// Preconditions: `row < row_count()` for every row accessor (not checked in release builds).

#include <bit>
#include <cassert>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <limits>
#include <optional>
#include <span>
#include <string_view>

#include "questdb/egress/types.hpp"

namespace questdb::egress {

static_assert(std::endian::native == std::endian::little,
              "the zero-copy egress views read little-endian wire values in place");

namespace detail {

/// What the decoder knows about one column of one batch. Filled by the library; every pointer
/// borrows the batch buffer (or decoder scratch buffers with the same lifetime).
struct ColumnData {
    ColumnKind kind = ColumnKind::long_;
    std::string_view name;
    std::uint32_t row_count = 0;
    std::uint32_t value_count = 0;              ///< non-null values stored (dense)
    const std::uint8_t* null_bitmap = nullptr;  ///< LSB-first, 1 = NULL; nullptr = no bitmap
    /// Row -> value index, kNullSlot for a NULL row. Set exactly when `null_bitmap` is (the
    /// batch has NULL rows in this column); nullptr = identity, no NULL rows.
    const std::uint32_t* dense_index = nullptr;
    const std::uint8_t* values = nullptr;   ///< fixed-width LE values / array bodies / bool bits
    std::uint8_t width = 0;                 ///< bytes per fixed-width value
    std::uint8_t param = 0;                 ///< decimal scale or geohash precision bits
    const std::uint8_t* offsets = nullptr;  ///< VARCHAR/BINARY: (value_count+1) u32 LE
    const std::uint8_t* var_data = nullptr;
    const std::uint32_t* symbol_ids = nullptr;  ///< SYMBOL: one id per value
    const std::string_view* symbols = nullptr;  ///< connection dictionary entries
    std::size_t symbol_count = 0;
    const std::uint32_t* array_starts = nullptr;  ///< arrays: byte offset of each value in `values`
};

/// One decoded batch.
struct BatchData {
    std::int64_t request_id = 0;
    std::uint64_t batch_seq = 0;
    std::uint32_t row_count = 0;
    const ColumnData* columns = nullptr;
    std::size_t column_count = 0;
};

template <typename T>
inline T load_le(const std::uint8_t* p) noexcept {
    T v;
    std::memcpy(&v, p, sizeof(T));
    return v;
}

[[noreturn]] QUESTDB_API void throw_kind_mismatch(const ColumnData& column,
                                                  std::string_view wanted);
[[noreturn]] QUESTDB_API void throw_column_out_of_range(std::size_t index, std::size_t count);

/// dense_index entry of a NULL row.
inline constexpr std::uint32_t kNullSlot = std::numeric_limits<std::uint32_t>::max();

inline bool bitmap_null(const ColumnData& c, std::size_t row) noexcept {
    return c.null_bitmap != nullptr && ((c.null_bitmap[row >> 3] >> (row & 7)) & 1) != 0;
}
inline std::size_t value_index(const ColumnData& c, std::size_t row) noexcept {
    return c.dense_index == nullptr ? row : c.dense_index[row];
}

}  // namespace detail

/// Iterator over a column yielding `std::optional<value_type>` per row.
template <typename Column>
class ColumnIterator {
  public:
    /// The element type: std::optional of the column's value.
    using value_type = decltype(std::declval<const Column&>().get(0));
    /// Iterator difference type.
    using difference_type = std::ptrdiff_t;
    /// Single-pass.
    using iterator_category = std::input_iterator_tag;

    ColumnIterator() = default;
    /// An iterator at `row` of `column`.
    ColumnIterator(const Column* column, std::size_t row) noexcept : column_(column), row_(row) {}
    /// The value of the current row (nullopt when NULL).
    value_type operator*() const { return column_->get(row_); }
    /// Next row.
    ColumnIterator& operator++() noexcept {
        ++row_;
        return *this;
    }
    /// Next row (postfix).
    ColumnIterator operator++(int) noexcept {
        auto copy = *this;
        ++row_;
        return copy;
    }
    /// Same row (iterators of the same column).
    friend bool operator==(const ColumnIterator& a, const ColumnIterator& b) noexcept {
        return a.row_ == b.row_;
    }

  private:
    const Column* column_ = nullptr;
    std::size_t row_ = 0;
};

/// Common part of every typed column view.
class ColumnBase {
  public:
    /// Wraps decoded column data (made by BatchView::column()).
    explicit ColumnBase(const detail::ColumnData* data) noexcept : data_(data) {}
    /// The column name, borrowed from the batch.
    [[nodiscard]] std::string_view name() const noexcept { return data_->name; }
    /// The column's wire type.
    [[nodiscard]] ColumnKind kind() const noexcept { return data_->kind; }
    /// Rows in this batch.
    [[nodiscard]] std::size_t row_count() const noexcept { return data_->row_count; }

  protected:
    /// The decoded column (borrowed from the batch).
    const detail::ColumnData* data_;
};

/// Traits of the fixed-width views: how a value is loaded and which value is the sentinel.
namespace detail {
template <typename T>
struct NoSentinel {
    static bool is_sentinel(const T&) noexcept { return false; }
};
struct IntSentinel {
    static bool is_sentinel(std::int32_t v) noexcept {
        return v == std::numeric_limits<std::int32_t>::min();
    }
};
struct LongSentinel {
    static bool is_sentinel(std::int64_t v) noexcept {
        return v == std::numeric_limits<std::int64_t>::min();
    }
};
struct NanSentinel {
    template <typename F>
    static bool is_sentinel(F v) noexcept {
        return std::isnan(v);
    }
};
struct Ipv4Sentinel {
    static bool is_sentinel(std::uint32_t v) noexcept { return v == 0; }
};
}  // namespace detail

/// A column of fixed-width scalars (BYTE, SHORT, CHAR, INT, LONG, FLOAT, DOUBLE, IPv4, and the
/// time kinds TIMESTAMP, TIMESTAMP_NANOS and DATE as int64).
template <typename T, typename Sentinel>
class FixedColumn : public ColumnBase {
  public:
    using ColumnBase::ColumnBase;
    /// Iterator yielding get(row) for each row.
    using iterator = ColumnIterator<FixedColumn>;

    /// The stored value; for a bitmap-NULL row, a value-initialised T. Never throws.
    [[nodiscard]] T value(std::size_t row) const noexcept {
        assert(row < data_->row_count);
        // Hot path: one loop-invariant test for a column without NULL rows, so that a loop
        // over rows compiles to plain loads.
        const std::uint32_t* dense = data_->dense_index;
        if (dense == nullptr) {
            return detail::load_le<T>(data_->values + row * sizeof(T));
        }
        const std::uint32_t slot = dense[row];
        return slot == detail::kNullSlot
                   ? T{}
                   : detail::load_le<T>(data_->values + std::size_t{slot} * sizeof(T));
    }
    /// NULL by bitmap or by sentinel.
    [[nodiscard]] bool is_null(std::size_t row) const noexcept {
        if (detail::bitmap_null(*data_, row)) {
            return true;
        }
        return Sentinel::is_sentinel(
            detail::load_le<T>(data_->values + detail::value_index(*data_, row) * sizeof(T)));
    }
    /// The value, or nullopt when NULL.
    [[nodiscard]] std::optional<T> get(std::size_t row) const noexcept {
        if (detail::bitmap_null(*data_, row)) {
            return std::nullopt;
        }
        const T v =
            detail::load_le<T>(data_->values + detail::value_index(*data_, row) * sizeof(T));
        if (Sentinel::is_sentinel(v)) {
            return std::nullopt;
        }
        return v;
    }
    /// The dense non-null values as stored on the wire when the column has no bitmap; empty
    /// otherwise. Unaligned: read with memcpy.
    [[nodiscard]] iterator begin() const noexcept { return iterator(this, 0); }
    /// Past-the-end iterator.
    [[nodiscard]] iterator end() const noexcept { return iterator(this, data_->row_count); }
};

/// BYTE (no NULL sentinel).
using ByteColumn = FixedColumn<std::int8_t, detail::NoSentinel<std::int8_t>>;
/// SHORT (no NULL sentinel).
using ShortColumn = FixedColumn<std::int16_t, detail::NoSentinel<std::int16_t>>;
/// CHAR: one UTF-16 code unit (no NULL sentinel).
using CharColumn = FixedColumn<char16_t, detail::NoSentinel<char16_t>>;
/// INT (NULL = INT32_MIN).
using IntColumn = FixedColumn<std::int32_t, detail::IntSentinel>;
/// LONG (NULL = INT64_MIN).
using LongColumn = FixedColumn<std::int64_t, detail::LongSentinel>;
/// FLOAT (NULL = NaN).
using FloatColumn = FixedColumn<float, detail::NanSentinel>;
/// DOUBLE (NULL = NaN).
using DoubleColumn = FixedColumn<double, detail::NanSentinel>;
/// TIMESTAMP (µs), TIMESTAMP_NANOS (ns) and DATE (ms) values since the Unix epoch.
using TimestampColumn = FixedColumn<std::int64_t, detail::LongSentinel>;
/// IPv4 as a host-order u32 (a.b.c.d = a<<24|b<<16|c<<8|d); 0 (0.0.0.0) is NULL.
using Ipv4Column = FixedColumn<std::uint32_t, detail::Ipv4Sentinel>;

/// BOOLEAN: bit-packed; never NULL except through the bitmap.
class BoolColumn : public ColumnBase {
  public:
    using ColumnBase::ColumnBase;
    /// Iterator yielding get(row) for each row.
    using iterator = ColumnIterator<BoolColumn>;
    /// The value; false for a NULL row.
    [[nodiscard]] bool value(std::size_t row) const noexcept {
        if (detail::bitmap_null(*data_, row)) {
            return false;
        }
        const auto i = detail::value_index(*data_, row);
        return ((data_->values[i >> 3] >> (i & 7)) & 1) != 0;
    }
    /// Whether the row is NULL (bitmap only).
    [[nodiscard]] bool is_null(std::size_t row) const noexcept {
        return detail::bitmap_null(*data_, row);
    }
    /// The value, or nullopt when NULL.
    [[nodiscard]] std::optional<bool> get(std::size_t row) const noexcept {
        if (is_null(row)) {
            return std::nullopt;
        }
        return value(row);
    }
    /// Iterator at the first row.
    [[nodiscard]] iterator begin() const noexcept { return iterator(this, 0); }
    /// Past-the-end iterator.
    [[nodiscard]] iterator end() const noexcept { return iterator(this, data_->row_count); }
};

/// Wide fixed-width values (UUID, LONG256, DECIMAL64/128/256, GEOHASH) share this shape.
template <typename Derived, typename V>
class WideColumn : public ColumnBase {
  public:
    using ColumnBase::ColumnBase;
    /// Iterator yielding get(row) for each row.
    using iterator = ColumnIterator<Derived>;
    /// NULL by bitmap or sentinel.
    [[nodiscard]] bool is_null(std::size_t row) const noexcept {
        return detail::bitmap_null(*data_, row) || Derived::is_sentinel(load(row));
    }
    /// The value, or nullopt when NULL.
    [[nodiscard]] std::optional<V> get(std::size_t row) const noexcept {
        if (detail::bitmap_null(*data_, row)) {
            return std::nullopt;
        }
        V v = load(row);
        if (Derived::is_sentinel(v)) {
            return std::nullopt;
        }
        return v;
    }
    /// The value or nullopt (same as get()).
    [[nodiscard]] std::optional<V> value(std::size_t row) const noexcept { return get(row); }
    /// Iterator at the first row.
    [[nodiscard]] iterator begin() const noexcept {
        return iterator(static_cast<const Derived*>(this), 0);
    }
    /// Past-the-end iterator.
    [[nodiscard]] iterator end() const noexcept {
        return iterator(static_cast<const Derived*>(this), data_->row_count);
    }

  protected:
    /// The bytes of `row`'s value.
    [[nodiscard]] const std::uint8_t* slot(std::size_t row) const noexcept {
        return data_->values + detail::value_index(*data_, row) * data_->width;
    }
    /// The value of `row` (not NULL-checked).
    [[nodiscard]] V load(std::size_t row) const noexcept {
        return static_cast<const Derived*>(this)->load_at(slot(row));
    }
};

/// Bit pattern of INT64_MIN, the NULL limb of UUID and LONG256.
inline constexpr std::uint64_t kLongMinBits = 0x8000000000000000ULL;

/// UUID values (NULL = both halves INT64_MIN).
class UuidColumn : public WideColumn<UuidColumn, Uuid> {
  public:
    using WideColumn::WideColumn;
    /// Whether `u` is the NULL sentinel.
    static bool is_sentinel(const Uuid& u) noexcept {
        return u.lo == kLongMinBits && u.hi == kLongMinBits;
    }
    /// Reads a value from its 16 wire bytes.
    Uuid load_at(const std::uint8_t* p) const noexcept {
        return Uuid{detail::load_le<std::uint64_t>(p), detail::load_le<std::uint64_t>(p + 8)};
    }
};

/// LONG256 values (NULL = every limb INT64_MIN).
class Long256Column : public WideColumn<Long256Column, Long256> {
  public:
    using WideColumn::WideColumn;
    /// Whether `v` is the NULL sentinel.
    static bool is_sentinel(const Long256& v) noexcept {
        for (auto limb : v.limbs) {
            if (limb != kLongMinBits) {
                return false;
            }
        }
        return true;
    }
    /// Reads a value from its 32 wire bytes.
    Long256 load_at(const std::uint8_t* p) const noexcept {
        Long256 v;
        std::memcpy(v.limbs.data(), p, 32);
        return v;
    }
};

/// DECIMAL64 values (NULL = unscaled INT64_MIN).
class Decimal64Column : public WideColumn<Decimal64Column, Decimal64> {
  public:
    using WideColumn::WideColumn;
    /// The column's scale (digits after the decimal point).
    [[nodiscard]] std::uint8_t scale() const noexcept { return data_->param; }
    /// Whether `v` is the NULL sentinel.
    static bool is_sentinel(const Decimal64& v) noexcept {
        return v.unscaled == std::numeric_limits<std::int64_t>::min();
    }
    /// Reads a value from its 8 wire bytes.
    Decimal64 load_at(const std::uint8_t* p) const noexcept {
        return Decimal64{detail::load_le<std::int64_t>(p), data_->param};
    }
};

/// DECIMAL128 values (NULL only through the bitmap).
class Decimal128Column : public WideColumn<Decimal128Column, Decimal128> {
  public:
    using WideColumn::WideColumn;
    /// The column's scale (digits after the decimal point).
    [[nodiscard]] std::uint8_t scale() const noexcept { return data_->param; }
    /// Always false: DECIMAL128 has no sentinel.
    static bool is_sentinel(const Decimal128&) noexcept { return false; }
    /// Reads a value from its 16 wire bytes.
    Decimal128 load_at(const std::uint8_t* p) const noexcept {
        return Decimal128{detail::load_le<std::uint64_t>(p), detail::load_le<std::int64_t>(p + 8),
                          data_->param};
    }
};

/// DECIMAL256 values (NULL only through the bitmap).
class Decimal256Column : public WideColumn<Decimal256Column, Decimal256> {
  public:
    using WideColumn::WideColumn;
    /// The column's scale (digits after the decimal point).
    [[nodiscard]] std::uint8_t scale() const noexcept { return data_->param; }
    /// Always false: DECIMAL256 has no sentinel.
    static bool is_sentinel(const Decimal256&) noexcept { return false; }
    /// Reads a value from its 32 wire bytes.
    Decimal256 load_at(const std::uint8_t* p) const noexcept {
        Decimal256 v;
        std::memcpy(v.limbs.data(), p, 32);
        v.scale = data_->param;
        return v;
    }
};

/// GEOHASH: ceil(precision/8) bytes per value; all ones (within precision) is NULL.
class GeohashColumn : public WideColumn<GeohashColumn, Geohash> {
  public:
    using WideColumn::WideColumn;
    /// Bits of precision of every value of the column.
    [[nodiscard]] std::uint8_t precision() const noexcept { return data_->param; }
    /// Whether `g` is the NULL sentinel (all ones).
    static bool is_sentinel(const Geohash& g) noexcept {
        const std::uint64_t mask = g.precision >= 64 ? ~0ULL : ((1ULL << g.precision) - 1);
        return (g.bits & mask) == mask;
    }
    /// Reads a value from its wire bytes.
    Geohash load_at(const std::uint8_t* p) const noexcept {
        std::uint64_t bits = 0;
        std::memcpy(&bits, p, data_->width);
        return Geohash{bits, data_->param};
    }
};

/// VARCHAR (UTF-8 text) or BINARY (opaque bytes) values borrowed from the batch.
template <typename Derived, typename V>
class VarColumn : public ColumnBase {
  public:
    using ColumnBase::ColumnBase;
    /// Iterator yielding get(row) for each row.
    using iterator = ColumnIterator<Derived>;
    /// Whether the row is NULL (bitmap only).
    [[nodiscard]] bool is_null(std::size_t row) const noexcept {
        return detail::bitmap_null(*data_, row);
    }
    /// The value (borrowed from the batch), or nullopt when NULL.
    [[nodiscard]] std::optional<V> value(std::size_t row) const noexcept {
        if (is_null(row)) {
            return std::nullopt;
        }
        const auto i = detail::value_index(*data_, row);
        const auto begin = detail::load_le<std::uint32_t>(data_->offsets + i * 4);
        const auto end = detail::load_le<std::uint32_t>(data_->offsets + i * 4 + 4);
        return Derived::make(data_->var_data + begin, end - begin);
    }
    /// Same as value().
    [[nodiscard]] std::optional<V> get(std::size_t row) const noexcept { return value(row); }
    /// Iterator at the first row.
    [[nodiscard]] iterator begin() const noexcept {
        return iterator(static_cast<const Derived*>(this), 0);
    }
    /// Past-the-end iterator.
    [[nodiscard]] iterator end() const noexcept {
        return iterator(static_cast<const Derived*>(this), data_->row_count);
    }
};

/// VARCHAR values as UTF-8 std::string_view borrowed from the batch.
class VarcharColumn : public VarColumn<VarcharColumn, std::string_view> {
  public:
    using VarColumn::VarColumn;
    /// Makes a value from its bytes.
    static std::string_view make(const std::uint8_t* p, std::size_t n) noexcept {
        return {reinterpret_cast<const char*>(p), n};
    }
};

/// BINARY values as byte spans borrowed from the batch.
class BinaryColumn : public VarColumn<BinaryColumn, std::span<const std::byte>> {
  public:
    using VarColumn::VarColumn;
    /// Makes a value from its bytes.
    static std::span<const std::byte> make(const std::uint8_t* p, std::size_t n) noexcept {
        return {reinterpret_cast<const std::byte*>(p), n};
    }
};

/// SYMBOL: ids into the connection's symbol dictionary.
class SymbolColumn : public ColumnBase {
  public:
    using ColumnBase::ColumnBase;
    /// Iterator yielding get(row) for each row.
    using iterator = ColumnIterator<SymbolColumn>;
    /// Whether the row is NULL (bitmap only).
    [[nodiscard]] bool is_null(std::size_t row) const noexcept {
        return detail::bitmap_null(*data_, row);
    }
    /// The dictionary id, or nullopt when NULL.
    [[nodiscard]] std::optional<std::uint32_t> id(std::size_t row) const noexcept {
        if (is_null(row)) {
            return std::nullopt;
        }
        return data_->symbol_ids[detail::value_index(*data_, row)];
    }
    /// The symbol text, or nullopt when NULL. Ids were validated by the decoder.
    [[nodiscard]] std::optional<std::string_view> resolve(std::size_t row) const noexcept {
        if (is_null(row)) {
            return std::nullopt;
        }
        return data_->symbols[data_->symbol_ids[detail::value_index(*data_, row)]];
    }
    /// Same as resolve().
    [[nodiscard]] std::optional<std::string_view> get(std::size_t row) const noexcept {
        return resolve(row);
    }
    /// Iterator at the first row.
    [[nodiscard]] iterator begin() const noexcept { return iterator(this, 0); }
    /// Past-the-end iterator.
    [[nodiscard]] iterator end() const noexcept { return iterator(this, data_->row_count); }
};

/// One non-null array value: its shape and row-major elements (unaligned, read by index).
/// Element NULL: NaN for doubles, INT64_MIN for longs.
template <typename T>
class ArrayRef {
  public:
    /// A view of the array whose wire header starts at `header` (made by ArrayColumn).
    ArrayRef(const std::uint8_t* header, std::size_t n_dims, std::size_t element_count) noexcept
        : header_(header), n_dims_(n_dims), count_(element_count) {}
    /// Number of dimensions.
    [[nodiscard]] std::size_t n_dims() const noexcept { return n_dims_; }
    /// Length of dimension `i` (`i < n_dims()`).
    [[nodiscard]] std::int32_t dim(std::size_t i) const noexcept {
        return detail::load_le<std::int32_t>(header_ + 1 + i * 4);
    }
    /// Number of elements (product of the dimensions).
    [[nodiscard]] std::size_t size() const noexcept { return count_; }
    /// Element `i` in row-major order (`i < size()`).
    [[nodiscard]] T operator[](std::size_t i) const noexcept {
        return detail::load_le<T>(header_ + 1 + n_dims_ * 4 + i * sizeof(T));
    }
    /// Whether element `i` is a NULL element (NaN / INT64_MIN).
    [[nodiscard]] bool is_null_element(std::size_t i) const noexcept {
        const T v = (*this)[i];
        if constexpr (std::is_floating_point_v<T>) {
            return std::isnan(v);
        } else {
            return v == std::numeric_limits<T>::min();
        }
    }
    /// The element bytes (count * sizeof(T), little-endian, possibly unaligned).
    [[nodiscard]] std::span<const std::byte> bytes() const noexcept {
        return {reinterpret_cast<const std::byte*>(header_ + 1 + n_dims_ * 4), count_ * sizeof(T)};
    }

  private:
    const std::uint8_t* header_;
    std::size_t n_dims_;
    std::size_t count_;
};

/// DOUBLE_ARRAY / LONG_ARRAY: per row, NULL or an N-dimensional array (possibly empty).
template <typename T>
class ArrayColumn : public ColumnBase {
  public:
    using ColumnBase::ColumnBase;
    /// Iterator yielding get(row) for each row.
    using iterator = ColumnIterator<ArrayColumn>;
    /// Whether the row is NULL (bitmap only).
    [[nodiscard]] bool is_null(std::size_t row) const noexcept {
        return detail::bitmap_null(*data_, row);
    }
    /// The array of `row`, or nullopt when NULL. Borrowed from the batch.
    [[nodiscard]] std::optional<ArrayRef<T>> value(std::size_t row) const noexcept {
        if (is_null(row)) {
            return std::nullopt;
        }
        const std::uint8_t* h =
            data_->values + data_->array_starts[detail::value_index(*data_, row)];
        const std::size_t n_dims = h[0];
        std::size_t count = 1;
        for (std::size_t d = 0; d < n_dims; ++d) {
            count *= static_cast<std::size_t>(detail::load_le<std::int32_t>(h + 1 + d * 4));
        }
        return ArrayRef<T>(h, n_dims, count);
    }
    /// Same as value().
    [[nodiscard]] std::optional<ArrayRef<T>> get(std::size_t row) const noexcept {
        return value(row);
    }
    /// Iterator at the first row.
    [[nodiscard]] iterator begin() const noexcept { return iterator(this, 0); }
    /// Past-the-end iterator.
    [[nodiscard]] iterator end() const noexcept { return iterator(this, data_->row_count); }
};
/// DOUBLE[] arrays.
using DoubleArrayColumn = ArrayColumn<double>;
/// LONG[] arrays.
using LongArrayColumn = ArrayColumn<std::int64_t>;

/// An untyped column: name, kind, NULL test, and checked conversion to the typed view.
/// Each `as_*` throws Error(invalid_api_call) when the kind does not match.
class ColumnView : public ColumnBase {
  public:
    using ColumnBase::ColumnBase;

    /// NULL by bitmap or sentinel, whatever the kind. Never throws.
    [[nodiscard]] QUESTDB_API bool is_null(std::size_t row) const noexcept;

    /// The column as BOOLEAN.
    [[nodiscard]] BoolColumn as_bool() const {
        return BoolColumn(check(ColumnKind::boolean, "BOOLEAN"));
    }
    /// The column as BYTE.
    [[nodiscard]] ByteColumn as_byte() const { return ByteColumn(check(ColumnKind::byte, "BYTE")); }
    /// The column as SHORT.
    [[nodiscard]] ShortColumn as_short() const {
        return ShortColumn(check(ColumnKind::short_, "SHORT"));
    }
    /// The column as CHAR.
    [[nodiscard]] CharColumn as_char() const {
        return CharColumn(check(ColumnKind::char_, "CHAR"));
    }
    /// The column as INT.
    [[nodiscard]] IntColumn as_int() const { return IntColumn(check(ColumnKind::int_, "INT")); }
    /// The column as LONG.
    [[nodiscard]] LongColumn as_long() const {
        return LongColumn(check(ColumnKind::long_, "LONG"));
    }
    /// The column as FLOAT.
    [[nodiscard]] FloatColumn as_float() const {
        return FloatColumn(check(ColumnKind::float_, "FLOAT"));
    }
    /// The column as DOUBLE.
    [[nodiscard]] DoubleColumn as_double() const {
        return DoubleColumn(check(ColumnKind::double_, "DOUBLE"));
    }
    /// The column as IPv4.
    [[nodiscard]] Ipv4Column as_ipv4() const { return Ipv4Column(check(ColumnKind::ipv4, "IPV4")); }
    /// TIMESTAMP, TIMESTAMP_NANOS or DATE.
    [[nodiscard]] TimestampColumn as_timestamp() const {
        if (data_->kind != ColumnKind::timestamp && data_->kind != ColumnKind::timestamp_nanos &&
            data_->kind != ColumnKind::date) {
            detail::throw_kind_mismatch(*data_, "TIMESTAMP, TIMESTAMP_NANOS or DATE");
        }
        return TimestampColumn(data_);
    }
    /// The column as UUID.
    [[nodiscard]] UuidColumn as_uuid() const { return UuidColumn(check(ColumnKind::uuid, "UUID")); }
    /// The column as LONG256.
    [[nodiscard]] Long256Column as_long256() const {
        return Long256Column(check(ColumnKind::long256, "LONG256"));
    }
    /// The column as DECIMAL64.
    [[nodiscard]] Decimal64Column as_decimal64() const {
        return Decimal64Column(check(ColumnKind::decimal64, "DECIMAL64"));
    }
    /// The column as DECIMAL128.
    [[nodiscard]] Decimal128Column as_decimal128() const {
        return Decimal128Column(check(ColumnKind::decimal128, "DECIMAL128"));
    }
    /// The column as DECIMAL256.
    [[nodiscard]] Decimal256Column as_decimal256() const {
        return Decimal256Column(check(ColumnKind::decimal256, "DECIMAL256"));
    }
    /// The column as GEOHASH.
    [[nodiscard]] GeohashColumn as_geohash() const {
        return GeohashColumn(check(ColumnKind::geohash, "GEOHASH"));
    }
    /// The column as VARCHAR.
    [[nodiscard]] VarcharColumn as_varchar() const {
        return VarcharColumn(check(ColumnKind::varchar, "VARCHAR"));
    }
    /// The column as BINARY.
    [[nodiscard]] BinaryColumn as_binary() const {
        return BinaryColumn(check(ColumnKind::binary, "BINARY"));
    }
    /// The column as SYMBOL.
    [[nodiscard]] SymbolColumn as_symbol() const {
        return SymbolColumn(check(ColumnKind::symbol, "SYMBOL"));
    }
    /// The column as DOUBLE[].
    [[nodiscard]] DoubleArrayColumn as_double_array() const {
        return DoubleArrayColumn(check(ColumnKind::double_array, "DOUBLE_ARRAY"));
    }
    /// The column as LONG[].
    [[nodiscard]] LongArrayColumn as_long_array() const {
        return LongArrayColumn(check(ColumnKind::long_array, "LONG_ARRAY"));
    }

  private:
    [[nodiscard]] const detail::ColumnData* check(ColumnKind kind, std::string_view wanted) const {
        if (data_->kind != kind) {
            detail::throw_kind_mismatch(*data_, wanted);
        }
        return data_;
    }
};

/// One result batch: a block of rows of the query's columns.
class BatchView {
  public:
    /// Wraps a decoded batch (made by the Cursor).
    explicit BatchView(const detail::BatchData* data) noexcept : data_(data) {}
    /// Rows in this batch.
    [[nodiscard]] std::size_t row_count() const noexcept { return data_->row_count; }
    /// Columns of the result.
    [[nodiscard]] std::size_t column_count() const noexcept { return data_->column_count; }
    /// Position of this batch in its result (0 first).
    [[nodiscard]] std::uint64_t batch_seq() const noexcept { return data_->batch_seq; }
    /// The request this batch answers.
    [[nodiscard]] std::int64_t request_id() const noexcept { return data_->request_id; }
    /// Column `i`; throws Error(invalid_api_call) when i >= column_count().
    [[nodiscard]] ColumnView column(std::size_t i) const {
        if (i >= data_->column_count) {
            detail::throw_column_out_of_range(i, data_->column_count);
        }
        return ColumnView(&data_->columns[i]);
    }
    /// Name of column `i`; throws as column().
    [[nodiscard]] std::string_view column_name(std::size_t i) const { return column(i).name(); }
    /// Kind of column `i`; throws as column().
    [[nodiscard]] ColumnKind column_kind(std::size_t i) const { return column(i).kind(); }

  private:
    const detail::BatchData* data_;
};

}  // namespace questdb::egress
