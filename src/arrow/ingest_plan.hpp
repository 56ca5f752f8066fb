#pragma once

// Arrow C Data Interface record batch -> Chunk columns, one row slice at a time.
//
// make() classifies every column once (format string, overrides, designated timestamp) and
// rejects unsupported types before anything is sent. fill() then adds one slice of rows to a
// Chunk: zero-copy where the Arrow layout is the Chunk layout (most types), through per-column
// scratch buffers where a value must be widened or a bitmap re-aligned. The scratch buffers
// are reused from slice to slice, so the chunk must be flushed (or cleared) before the next
// fill(). The plan borrows the schema and array: they must outlive it.
//
// The work is split by type family: ingest_classify.cpp (format strings, overrides),
// ingest_metadata.cpp (export hints), ingest_numeric.cpp, ingest_strings.cpp,
// ingest_views.cpp, ingest_temporal.cpp, ingest_arrays.cpp; ingest_support.hpp holds what they
// share.
//
// Errors are thrown as questdb::Error (this runs on the caller's thread right below the
// public API, and the Chunk setters it drives throw too); messages name the column and its
// Arrow format string.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "questdb/arrow.hpp"

namespace questdb::ingress {
class Chunk;
}

namespace questdb::arrow::detail {

/// The QuestDB column an Arrow column becomes.
enum class Target : std::uint8_t {
    boolean,
    byte,
    short_,
    int_,
    long_,
    float_,
    double_,
    char_,
    ipv4,
    geohash,
    varchar,
    binary,
    symbol,        // plain utf8 / large_utf8 / utf8_view sent as SYMBOL
    dict_symbol,   // dictionary<int, utf8> sent as SYMBOL
    dict_varchar,  // dictionary<int, utf8> decoded to VARCHAR
    uuid,
    long256,
    timestamp_micros,
    timestamp_nanos,
    date_millis,
    decimal64,
    decimal128,
    decimal256,
    double_array,
    long_nanos,  // time of day / duration as LONG nanoseconds (QuestDB has no such type)
};

/// How the Arrow values are laid out (the part of the format string that matters).
enum class Physical : std::uint8_t {
    boolean,
    i8,
    i16,
    i32,
    i64,
    u8,
    u16,
    u32,
    u64,
    f16,
    f32,
    f64,
    utf8,
    large_utf8,
    binary,
    large_binary,
    utf8_view,    // 16-byte views into variadic data buffers (Arrow "vu")
    binary_view,  // the same for bytes ("vz")
    fixed_binary,
    ts_seconds,
    ts_millis,
    ts_micros,
    ts_nanos,
    time32_seconds,
    time32_millis,
    time64_micros,
    time64_nanos,
    duration_seconds,
    duration_millis,
    duration_micros,
    duration_nanos,
    date32_days,
    date64_millis,
    decimal32,
    decimal64,
    decimal128,
    decimal256,
    dictionary,
    list,
    large_list,
    fixed_list,
};

struct ColumnPlan {
    std::string_view name;
    std::string_view format;
    const ArrowSchema* schema = nullptr;
    const ArrowArray* array = nullptr;
    Physical physical = Physical::i64;
    Target target = Target::long_;
    std::uint8_t scale = 0;         // decimals
    std::uint8_t geohash_bits = 0;  // geohash
    std::int32_t fixed_width = 0;   // fixed-size binary / outermost fixed-size list
    std::uint8_t list_dims = 1;     // nesting depth of a list column (array dimensions)
    Physical dict_index = Physical::i32;
    bool dict_large = false;  // dictionary values are large_utf8

    // Scratch reused per slice (the chunk borrows it until flushed).
    std::vector<std::uint8_t> validity;
    std::vector<std::uint8_t> bits;
    std::vector<std::int64_t> i64;
    std::vector<std::int32_t> i32;
    std::vector<std::int16_t> i16;
    std::vector<float> f32;
    std::vector<double> f64;
    std::vector<std::uint8_t> bytes;
};

class IngestPlan {
  public:
    /// Classifies the batch. `schema` must be a struct ("+s") whose children match the
    /// array's. Throws Error(arrow_ingest) for a malformed batch, a bad or unknown
    /// override, a designated timestamp column that is missing or not a timestamp; and
    /// Error(arrow_unsupported_column_kind) for an unsupported column type.
    static IngestPlan make(const ArrowSchema& schema, const ArrowArray& array,
                           std::optional<std::string_view> timestamp_column,
                           std::span<const ColumnOverride> overrides);

    [[nodiscard]] std::size_t row_count() const noexcept { return rows_; }

    /// Adds rows [begin, begin + count) to `chunk` (which must be empty) as columns plus the
    /// designated timestamp (or at_now). Throws Error on invalid data (the Chunk's
    /// validation, NULLs in the designated timestamp, a uint64 above INT64_MAX, ...).
    void fill(ingress::Chunk& chunk, std::size_t begin, std::size_t count);

  private:
    std::size_t rows_ = 0;
    std::int64_t parent_offset_ = 0;
    std::vector<ColumnPlan> columns_;
    std::optional<ColumnPlan> designated_;
};

}  // namespace questdb::arrow::detail
