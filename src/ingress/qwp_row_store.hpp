#pragma once

// The QWP row-storage backend of Buffer: rows arrive one value at a time and are stored
// column-wise per table (row-indexed values + Arrow validity), exactly in the layouts the QWP
// encoder reads (qwp::ColumnSource), so a flush encodes without another copy.
//
// Buffer::Impl holds this backend next to any other (e.g. ILP lines) and dispatches with a
// plain switch: no virtual call per value. Every method returns a Status; on failure the
// caller calls rewind(), which restores the last complete row.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "questdb/ingress/buffer.hpp"
#include "qwp/encoder.hpp"
#include "qwp/symbol_dict.hpp"
#include "qwp/table_source.hpp"
#include "qwp/types.hpp"

namespace questdb::ingress {

class QwpRowStore {
  public:
    using Status = questdb::detail::Status;

    explicit QwpRowStore(const BufferOptions& options);

    Status table(std::string_view name);
    Status symbol(std::string_view name, std::string_view value);
    /// A fixed-width little-endian value of fixed_width(type) bytes.
    Status fixed(std::string_view name, qwp::TypeCode type, const void* value);
    Status boolean(std::string_view name, bool value);
    /// VARCHAR (validated UTF-8) or BINARY.
    Status bytes(std::string_view name, qwp::TypeCode type, std::span<const std::uint8_t> value);
    Status geohash(std::string_view name, std::uint64_t bits, std::uint8_t precision);
    /// `limbs` little-endian two's complement of the type's width (1, 2 or 4 limbs).
    Status decimal(std::string_view name, qwp::TypeCode type, std::span<std::uint64_t> limbs,
                   std::uint8_t scale);
    Status decimal_text(std::string_view name, std::string_view text);
    template <typename T>
    Status array(std::string_view name, std::span<const T> data, std::span<const std::size_t> shape,
                 std::span<const std::ptrdiff_t> strides);
    /// Ends the row; `type` is TIMESTAMP or TIMESTAMP_NANOS.
    Status at(qwp::TypeCode type, std::int64_t value);
    Status at_now();

    /// Restores the last complete row (drops the row in progress and anything it created).
    void rewind() noexcept;
    void clear() noexcept;

    [[nodiscard]] std::size_t len() const noexcept { return len_; }
    [[nodiscard]] std::size_t row_count() const noexcept { return total_rows_; }
    [[nodiscard]] bool in_row() const noexcept { return in_row_; }
    [[nodiscard]] bool transactional() const noexcept;

    /// The complete rows as encoder input, one source per table with rows (first-use order).
    /// Valid until the next mutation. Fails with invalid_api_call while a row is in progress.
    questdb::detail::Result<std::span<const qwp::TableSource>> table_sources();

  private:
    struct Column {
        std::string name;
        qwp::TypeCode type = qwp::TypeCode::long_;
        qwp::ValueLayout layout = qwp::ValueLayout::fixed;
        std::uint8_t width = 0;
        qwp::ByteVector data;
        std::vector<std::int64_t> offsets;  // var64 / blob: size + 1 entries
        std::vector<std::uint8_t> validity;
        std::size_t size = 0;
        bool had_null = false;
        bool scale_set = false;
        std::uint8_t scale = 0;
        std::uint8_t geohash_bits = 0;
        qwp::SymbolDictionary dict;  // SYMBOL: this column's local dictionary
    };
    struct Table {
        std::string name;
        std::size_t rows = 0;
        std::vector<Column> columns;
        std::size_t cursor = 0;
        std::size_t columns_at_row_start = 0;
        std::vector<qwp::ColumnSource> view;
    };
    enum class Op : std::uint8_t { table, symbol, column, at };
    enum class State : std::uint8_t {
        init,
        table_written,
        symbol_written,
        column_written,
        row_done
    };

    Status check_op(Op op) const;
    Status check_name(std::string_view name) const;
    // The column for this row's value: found, or created (and back-filled with NULLs).
    // Sets `skip` when the row already has a value for it.
    Status column_for(std::string_view name, qwp::TypeCode type, qwp::ValueLayout layout,
                      std::uint8_t width, Column*& out, bool& skip);
    Status after_value(Op op, std::size_t bytes);
    void recycle(Column&& c);
    void truncate(Column& c, std::size_t rows) noexcept;
    static void set_valid(Column& c, std::size_t row, bool valid);
    static void append_null(Column& c);
    static void append_nulls(Column& c, std::size_t count);
    Table& current() { return tables_[current_]; }

    BufferOptions options_;
    std::vector<Table> tables_;
    std::vector<Column> spare_columns_;
    std::vector<Table> spare_tables_;
    std::vector<qwp::TableSource> views_;
    std::size_t current_ = 0;
    bool in_row_ = false;
    bool table_created_in_row_ = false;
    State state_ = State::init;
    std::size_t len_ = 0;
    std::size_t len_at_row_start_ = 0;
    std::size_t total_rows_ = 0;
};

}  // namespace questdb::ingress
