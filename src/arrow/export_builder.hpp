#pragma once

// Query result batches -> Arrow C Data Interface structs.
//
// A BatchBuilder copies the rows of one or more BatchViews (same result, so same columns)
// into owned Arrow buffers, then hands them out as an ArrowArray whose release callback frees
// exactly what that struct owns (its buffers, its children and its dictionary, each child
// through its own release, so a consumer may move a child out first). Schemas are built from
// the column descriptions alone, so one can be produced any number of times.

#include <cstdint>
#include <string>
#include <vector>

#include "questdb/arrow.hpp"
#include "questdb/egress/batch.hpp"

namespace questdb::arrow::detail {

class ColumnBuilder {
  public:
    ColumnBuilder(std::string name, egress::ColumnKind kind, std::uint8_t param);

    /// Appends every row of `view` (a column of the same name and kind). Throws
    /// Error(arrow_export) when an array's dimension count differs from earlier rows, or a
    /// variable-length column outgrows 32-bit Arrow offsets.
    void append(const egress::ColumnView& view, std::size_t rows);
    /// Moves the rows appended so far into `out` and starts empty again (the symbol
    /// dictionary is kept so keys stay stable across batches).
    void finish_array(ArrowArray* out);
    void make_schema(ArrowSchema* out) const;

    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    [[nodiscard]] egress::ColumnKind kind() const noexcept { return kind_; }

  private:
    void push_validity(bool valid);
    void append_array_row(const egress::ColumnView& view, std::size_t row);
    template <typename T>
    void push_value(const T& v);

    std::string name_;
    egress::ColumnKind kind_;
    std::uint8_t param_;
    std::int64_t length_ = 0;
    std::int64_t nulls_ = 0;
    std::vector<std::uint8_t> validity_;
    std::vector<std::uint8_t> data_;
    std::vector<std::int32_t> offsets_;
    // SYMBOL: result-local dictionary (connection id -> key).
    std::vector<std::int32_t> key_of_id_;
    std::vector<std::int32_t> dict_offsets_{0};
    std::vector<std::uint8_t> dict_bytes_;
    // Arrays: nested list offsets per level and the dimension count (0 = not known yet).
    std::size_t ndim_ = 0;
    std::vector<std::vector<std::int32_t>> levels_;
};

class BatchBuilder {
  public:
    /// Appends a batch; the first one fixes the columns. Throws Error(arrow_export) when a
    /// later batch has other columns.
    void append(const egress::BatchView& batch);
    [[nodiscard]] bool has_columns() const noexcept { return initialised_; }
    [[nodiscard]] std::int64_t rows() const noexcept { return rows_; }
    /// A struct array of the rows appended since the last call.
    void finish_array(ArrowArray* out);
    /// A struct schema ("+s") of the columns (no children before the first batch).
    void make_schema(ArrowSchema* out) const;

  private:
    bool initialised_ = false;
    std::int64_t rows_ = 0;
    std::vector<ColumnBuilder> columns_;
};

}  // namespace questdb::arrow::detail
