#pragma once

// The columnar input of the encoder: a borrowed, Arrow-like description of one table's rows.
// A Chunk maps onto it directly (it borrows the caller's spans); a Buffer's row store keeps its
// owned columns in the same layouts. All values are row-indexed (a null row still has a slot);
// validity is Arrow-shaped: LSB-first, bit set = value present, nullptr = no nulls.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "qwp/types.hpp"

namespace questdb::qwp {

enum class ValueLayout : std::uint8_t {
    fixed,         ///< `data`: row_count values of `source_width` bytes (little-endian)
    bits,          ///< `data`: LSB-first packed booleans
    var32,         ///< `offsets`: int32[row_count + 1], `data`: bytes (VARCHAR/BINARY)
    var64,         ///< `offsets`: int64[row_count + 1], `data`: bytes
    symbol_codes,  ///< `data`: codes of `code_width` bytes; `offsets` (`offset_width` bytes,
                   ///< dict_size + 1 entries) and `dict_bytes` describe the dictionary
    list64,        ///< arrays: `offsets` int64[row_count + 1] element offsets into `data`
                   ///< (8-byte elements, row-major); 1-D when `dims` is null, else row i's
                   ///< shape is dims[i * rank .. (i + 1) * rank)
    blob,          ///< arrays stored wire-ready: `offsets` int64[row_count + 1] into `data`
                   ///< holding n_dims, dims and elements per row (an empty slot = null row)
    scalar,        ///< `scalar` repeated for every row
};

struct ColumnSource {
    std::string_view name;  ///< empty for the designated timestamp
    TypeCode type = TypeCode::long_;
    ValueLayout layout = ValueLayout::fixed;
    const std::uint8_t* validity = nullptr;
    const void* data = nullptr;
    const void* offsets = nullptr;
    const std::uint8_t* dict_bytes = nullptr;
    std::size_t dict_size = 0;
    std::uint8_t code_width = 0;
    /// symbol_codes: every dictionary entry is the code of at least one valid row, so the
    /// encoder ships them all without scanning the codes for the ones in use (a Buffer's
    /// column dictionaries keep this; Arrow dictionaries may hold unused entries).
    bool dict_all_used = false;
    /// symbol_codes: the producer has checked every valid row's code against `dict_size` (a
    /// Chunk's setters do), so the encoder may stop scanning the codes once every entry is
    /// found in use instead of reading the rest only to check them again.
    bool codes_checked = false;
    std::uint8_t offset_width = 4;
    std::uint8_t source_width = 8;
    std::uint8_t scale = 0;         ///< DECIMAL*
    std::uint8_t geohash_bits = 0;  ///< GEOHASH
    std::int64_t multiplier = 1;    ///< applied to fixed i64 timestamps (millis/seconds -> micros)
    std::int64_t scalar = 0;
    const std::int32_t* dims = nullptr;  ///< list64: per-row shapes (null = 1-D)
    std::uint8_t rank = 1;               ///< list64: dimensions per row when `dims` is set
};

struct TableSource {
    std::string_view name;
    std::size_t row_count = 0;
    std::span<const ColumnSource> columns;
};

}  // namespace questdb::qwp
