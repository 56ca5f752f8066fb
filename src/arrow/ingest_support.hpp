#pragma once

// Shared pieces of the Arrow ingest plan (src/arrow/ingest_*.cpp): error helpers that name
// the column, Arrow buffer and bitmap access honouring offsets, and the per-family entry
// points the plan dispatches to. Internal to src/arrow.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "arrow/ingest_plan.hpp"
#include "questdb/error.hpp"
#include "questdb/ingress/chunk.hpp"

namespace questdb::arrow::detail {

using ingress::Chunk;
using ingress::Validity;

/// "column 'x' (Arrow format 'l')", for every message about a column.
inline std::string where(const ColumnPlan& c) {
    return "column '" + std::string(c.name) + "' (Arrow format '" + std::string(c.format) + "')";
}

[[noreturn]] inline void fail_ingest(const std::string& message) {
    throw Error(ErrorCode::arrow_ingest, message);
}

[[noreturn]] inline void fail_unsupported(const ColumnPlan& c, const std::string& why) {
    throw Error(ErrorCode::arrow_unsupported_column_kind,
                "unsupported Arrow type in " + where(c) + ": " + why);
}

inline bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

/// Whether the layout holds UTF-8 strings (utf8, large_utf8, utf8_view): the ones the
/// symbol / not_symbol overrides apply to.
inline bool is_text(Physical p) {
    return p == Physical::utf8 || p == Physical::large_utf8 || p == Physical::utf8_view;
}

/// A whole decimal number, or nullopt.
std::optional<std::int32_t> parse_int(std::string_view s);

inline bool bit_at(const std::uint8_t* bits, std::size_t i) {
    return ((bits[i >> 3] >> (i & 7)) & 1) != 0;
}

/// LSB-first bits [first, first + count) as a span starting at bit 0: borrowed when byte
/// aligned, re-packed into `scratch` otherwise.
std::span<const std::uint8_t> aligned_bits(const std::uint8_t* bits, std::size_t first,
                                           std::size_t count, std::vector<std::uint8_t>& scratch);

/// The validity bitmap of `a`, or null when it has no NULLs.
inline const std::uint8_t* validity_buffer(const ArrowArray& a) {
    if (a.null_count == 0 || a.n_buffers < 1 || a.buffers == nullptr) {
        return nullptr;
    }
    return static_cast<const std::uint8_t*>(a.buffers[0]);
}

/// Buffer `index` of `a` (a null buffer of an empty array reads as one zero).
template <typename T>
const T* buffer(const ColumnPlan& c, const ArrowArray& a, std::int64_t index) {
    if (a.n_buffers <= index || a.buffers == nullptr) {
        fail_ingest("missing buffer " + std::to_string(index) + " in " + where(c));
    }
    static const std::int64_t empty[4] = {0, 0, 0, 0};
    const void* p = a.buffers[index];
    return static_cast<const T*>(p != nullptr ? p : empty);
}

template <typename To, typename From>
std::span<const To> widen(const From* src, std::size_t n, std::vector<To>& out) {
    out.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        out[i] = static_cast<To>(src[i]);
    }
    return out;
}

/// The rows of one fill() call inside a column's buffers.
struct Slice {
    std::size_t first;  // element index inside the column's buffers (offsets applied)
    std::size_t count;
};

inline Validity validity_of(ColumnPlan& c, const Slice& s) {
    const auto* bits = validity_buffer(*c.array);
    if (bits == nullptr) {
        return {};
    }
    return aligned_bits(bits, s.first, s.count, c.validity);
}

template <typename T>
std::span<const T> values_of(const ColumnPlan& c, const Slice& s) {
    return {buffer<T>(c, *c.array, 1) + s.first, s.count};
}

/// Whether row i of the slice holds a value (not NULL).
inline bool present(Validity v, std::size_t i) {
    return v.empty() || bit_at(v.data(), i);
}

// ---- classification (ingest_classify.cpp, ingest_metadata.cpp) ------------------------------

/// The default mapping of a column's format string; throws for unsupported types.
void classify(ColumnPlan& c);
/// Applies one user override; throws arrow_ingest when it does not fit the Arrow type.
void apply_override(ColumnPlan& c, const ColumnOverride& o);
/// Applies the `questdb.column_type` field metadata written by the export.
void apply_metadata(ColumnPlan& c);

// ---- one family of column types each ---------------------------------------------------------

/// BYTE, SHORT, INT, LONG, CHAR, IPV4, GEOHASH from Arrow integers (ingest_numeric.cpp).
void add_integer(Chunk& chunk, ColumnPlan& c, const Slice& s, Validity v);
/// FLOAT, DOUBLE from float16/32/64 (ingest_numeric.cpp).
void add_float(Chunk& chunk, ColumnPlan& c, const Slice& s, Validity v);
/// DECIMAL64/128/256 (ingest_numeric.cpp).
void add_decimal(Chunk& chunk, ColumnPlan& c, const Slice& s, Validity v);
/// VARCHAR, BINARY, SYMBOL from utf8/binary (ingest_strings.cpp).
void add_strings(Chunk& chunk, ColumnPlan& c, const Slice& s, Validity v);
/// VARCHAR, BINARY, SYMBOL from utf8_view/binary_view, copied into the column's scratch
/// (ingest_views.cpp).
void add_string_views(Chunk& chunk, ColumnPlan& c, const Slice& s, Validity v);
/// SYMBOL or VARCHAR from dictionary-encoded strings (ingest_strings.cpp).
void add_dictionary(Chunk& chunk, ColumnPlan& c, const Slice& s, Validity v);
/// TIMESTAMP, TIMESTAMP_NS, DATE; time and duration as LONG nanoseconds
/// (ingest_temporal.cpp).
void add_temporal(Chunk& chunk, ColumnPlan& c, const Slice& s, Validity v);
/// The designated timestamp (ingest_temporal.cpp).
void add_designated(Chunk& chunk, ColumnPlan& c, const Slice& s);
/// DOUBLE[] of one or more dimensions from (nested) lists of float64 (ingest_arrays.cpp).
void add_list(Chunk& chunk, ColumnPlan& c, const Slice& s, Validity v);

}  // namespace questdb::arrow::detail
