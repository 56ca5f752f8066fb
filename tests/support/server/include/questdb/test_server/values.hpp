#pragma once

/// @file
/// Column types and cell values of the rows the test server has committed. Plain C++ (no
/// Boost, OpenSSL or zstd) so user tests can include it freely.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace questdb::test_server {

/// QuestDB column types. The numeric values are the QWP wire type codes.
enum class ColumnType : std::uint8_t {
    boolean = 0x01,
    byte = 0x02,
    short_ = 0x03,
    int_ = 0x04,
    long_ = 0x05,
    float_ = 0x06,
    double_ = 0x07,
    symbol = 0x09,
    timestamp = 0x0A,  ///< microseconds since the epoch
    date = 0x0B,       ///< milliseconds since the epoch
    uuid = 0x0C,
    long256 = 0x0D,
    geohash = 0x0E,
    varchar = 0x0F,
    timestamp_nanos = 0x10,
    double_array = 0x11,
    long_array = 0x12,
    decimal64 = 0x13,
    decimal128 = 0x14,
    decimal256 = 0x15,
    char_ = 0x16,
    binary = 0x17,
    ipv4 = 0x18,
};

/// Upper-case QuestDB name of a type ("LONG", "TIMESTAMP_NS"...). Never throws.
std::string_view to_string(ColumnType type) noexcept;

/// Raw bytes: UUID (16 bytes: low i64 LE then high i64 LE), LONG256 (32 bytes, least
/// significant word first), BINARY (opaque).
struct Bytes {
    std::vector<std::uint8_t> data;
    bool operator==(const Bytes&) const = default;
};

/// A decimal: `unscaled / 10^scale`, the unscaled value as two's complement little-endian
/// bytes (8, 16 or 32 of them for DECIMAL64/128/256; ILP decimals keep the width they arrived
/// with).
struct Decimal {
    std::vector<std::uint8_t> unscaled_le;
    std::uint8_t scale = 0;
    /// The unscaled value when it fits an int64 (sign-extended), else nullopt.
    [[nodiscard]] std::optional<std::int64_t> unscaled_i64() const;
    /// Decimal text such as "-12.345" (exact for values that fit an int64; otherwise hex).
    [[nodiscard]] std::string to_string() const;
    bool operator==(const Decimal&) const = default;
};

/// An N-dimensional array in row-major order; exactly one of `doubles`/`longs` is used.
struct Array {
    std::vector<std::uint32_t> shape;
    std::vector<double> doubles;
    std::vector<std::int64_t> longs;
    bool operator==(const Array&) const = default;
};

/// One cell. NULL is std::monostate. Integer-like types (BYTE, SHORT, INT, LONG, CHAR,
/// IPV4, DATE, TIMESTAMP, TIMESTAMP_NS, GEOHASH bits) are int64; FLOAT and DOUBLE are
/// double; SYMBOL and VARCHAR are strings.
using Value =
    std::variant<std::monostate, bool, std::int64_t, double, std::string, Bytes, Decimal, Array>;

/// One column of a table. The designated timestamp is named "timestamp" when the client
/// sent it without a name (QWP empty name, ILP trailing timestamp), as QuestDB does.
struct Column {
    std::string name;
    ColumnType type = ColumnType::long_;
    bool designated_timestamp = false;
    /// GEOHASH precision in bits (1..60) as first written; 0 for other types.
    std::uint8_t geohash_bits = 0;
    bool operator==(const Column&) const = default;
};

/// One committed row: a value per column of the table (NULL where the row predates the
/// column). Copyable; immutable.
class Row {
  public:
    Row(std::shared_ptr<const std::vector<Column>> columns, std::vector<Value> values)
        : columns_(std::move(columns)), values_(std::move(values)) {}

    /// The cell of column `name`. Throws std::out_of_range naming the column if it is unknown.
    [[nodiscard]] const Value& at(std::string_view name) const;
    /// The cell at `index` (column order). Throws std::out_of_range.
    [[nodiscard]] const Value& at(std::size_t index) const { return values_.at(index); }
    [[nodiscard]] bool is_null(std::string_view name) const;
    /// Typed reads: throw std::out_of_range for an unknown column and std::bad_variant_access
    /// when the cell holds another type (or NULL).
    [[nodiscard]] std::int64_t i64(std::string_view name) const;
    [[nodiscard]] double f64(std::string_view name) const;
    [[nodiscard]] bool boolean(std::string_view name) const;
    [[nodiscard]] const std::string& str(std::string_view name) const;
    /// The designated timestamp cell (int64 in the column's unit). Throws std::out_of_range
    /// if the table has none.
    [[nodiscard]] std::int64_t timestamp() const;
    [[nodiscard]] const std::vector<Value>& values() const noexcept { return values_; }
    [[nodiscard]] const std::vector<Column>& columns() const noexcept { return *columns_; }

  private:
    std::shared_ptr<const std::vector<Column>> columns_;
    std::vector<Value> values_;
};

/// A consistent snapshot of one table's committed rows, taken under the server's lock.
/// Later commits do not change it. A table that does not exist is an empty snapshot with
/// `exists() == false`.
class Table {
  public:
    Table() = default;
    Table(std::string name, std::shared_ptr<const std::vector<Column>> columns,
          std::vector<Row> rows, std::int64_t seq_txn);

    [[nodiscard]] bool exists() const noexcept { return exists_; }
    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    [[nodiscard]] const std::vector<Column>& columns() const noexcept { return *columns_; }
    [[nodiscard]] const std::vector<Row>& rows() const noexcept { return rows_; }
    [[nodiscard]] std::size_t row_count() const noexcept { return rows_.size(); }
    /// Sequencer transaction of the last commit (1 after the first commit; 0 if none).
    [[nodiscard]] std::int64_t seq_txn() const noexcept { return seq_txn_; }
    /// The column named `name`, or nullptr.
    [[nodiscard]] const Column* column(std::string_view name) const noexcept;

  private:
    std::string name_;
    std::shared_ptr<const std::vector<Column>> columns_ =
        std::make_shared<const std::vector<Column>>();
    std::vector<Row> rows_;
    std::int64_t seq_txn_ = 0;
    bool exists_ = false;
};

}  // namespace questdb::test_server
