#pragma once

/// @file
/// questdb::ingress::Chunk: one table's rows in column-major form, borrowing the caller's
/// arrays (zero-copy) until the chunk is flushed or cleared.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "questdb/export.hpp"

namespace questdb::ingress {

/// An Arrow-shaped validity bitmap: bit i (LSB-first within each byte) set means row i has a
/// value, clear means NULL. It must hold at least ceil(row_count / 8) bytes; bits past the
/// row count are ignored. An empty span means "no nulls".
using Validity = std::span<const std::uint8_t>;

struct ChunkAccess;

/// Column-major rows for one table.
///
/// Every setter borrows the spans it is given: the caller must keep that memory alive and
/// unchanged until the chunk is flushed (the flush has returned) or cleared. Nothing is copied
/// until the flush encodes it.
///
/// Every setter validates its input and throws questdb::Error on a problem, leaving the chunk
/// exactly as it was before the call (it stays usable):
/// - invalid_name: a bad or over-long (127 bytes) column name;
/// - invalid_api_call: duplicate column, row count differing from earlier columns, a validity
///   bitmap too short, offsets negative / decreasing / past the bytes, symbol codes outside
///   the dictionary, a second designated timestamp;
/// - invalid_utf8: VARCHAR or symbol dictionary bytes that are not UTF-8 (per value);
/// - invalid_decimal, invalid_timestamp, array_error, limit_exceeded as documented per setter.
///
/// NULL handling follows QuestDB: BOOLEAN, BYTE, SHORT and CHAR have no NULL, so their null
/// rows are sent as false / 0. Every other type sends a real NULL.
///
/// Not thread-safe (use one chunk per thread); movable, not copyable.
class QUESTDB_API Chunk {
  public:
    /// A chunk for `table`. Throws invalid_name if the name breaks QuestDB's table-name rules
    /// (empty, over 127 bytes, a forbidden character, a leading/trailing dot or "..").
    explicit Chunk(std::string_view table);
    ~Chunk();
    /// Moves the columns and their borrows; the moved-from chunk may only be destroyed or assigned
    /// to.
    Chunk(Chunk&&) noexcept;
    /// Move assignment (drops this chunk's columns first).
    Chunk& operator=(Chunk&&) noexcept;
    Chunk(const Chunk&) = delete;
    Chunk& operator=(const Chunk&) = delete;

    /// BYTE (nulls are sent as 0).
    Chunk& column_i8(std::string_view name, std::span<const std::int8_t> values,
                     Validity validity = {});
    /// SHORT (nulls are sent as 0).
    Chunk& column_i16(std::string_view name, std::span<const std::int16_t> values,
                      Validity validity = {});
    /// INT.
    Chunk& column_i32(std::string_view name, std::span<const std::int32_t> values,
                      Validity validity = {});
    /// LONG.
    Chunk& column_i64(std::string_view name, std::span<const std::int64_t> values,
                      Validity validity = {});
    /// FLOAT.
    Chunk& column_f32(std::string_view name, std::span<const float> values, Validity validity = {});
    /// DOUBLE.
    Chunk& column_f64(std::string_view name, std::span<const double> values,
                      Validity validity = {});
    /// BOOLEAN from LSB-first packed bits (at least ceil(row_count / 8) bytes); nulls are
    /// sent as false.
    Chunk& column_bool(std::string_view name, std::span<const std::uint8_t> packed_bits,
                       std::size_t row_count, Validity validity = {});
    /// TIMESTAMP (microseconds since the epoch).
    Chunk& column_ts_micros(std::string_view name, std::span<const std::int64_t> values,
                            Validity validity = {});
    /// TIMESTAMP_NANOS (nanoseconds since the epoch).
    Chunk& column_ts_nanos(std::string_view name, std::span<const std::int64_t> values,
                           Validity validity = {});
    /// DATE (milliseconds since the epoch).
    Chunk& column_date_millis(std::string_view name, std::span<const std::int64_t> values,
                              Validity validity = {});
    /// UUID: per row the low 64 bits little-endian, then the high 64 bits little-endian.
    Chunk& column_uuid(std::string_view name, std::span<const std::array<std::uint8_t, 16>> values,
                       Validity validity = {});
    /// LONG256: per row four little-endian 64-bit limbs, least significant first.
    Chunk& column_long256(std::string_view name,
                          std::span<const std::array<std::uint8_t, 32>> values,
                          Validity validity = {});
    /// IPv4 addresses as host-order u32 (0 is a valid address here, NULL is the bitmap).
    Chunk& column_ipv4(std::string_view name, std::span<const std::uint32_t> values,
                       Validity validity = {});
    /// CHAR: one UTF-16 code unit per row (nulls are sent as 0).
    Chunk& column_char(std::string_view name, std::span<const char16_t> values,
                       Validity validity = {});
    /// GEOHASH of `precision_bits` (1..60, else invalid_api_call) bits per value.
    Chunk& column_geohash(std::string_view name, std::span<const std::uint64_t> values,
                          std::uint8_t precision_bits, Validity validity = {});
    /// VARCHAR from Arrow Utf8 layout: offsets has row_count + 1 entries into `bytes`.
    Chunk& column_varchar(std::string_view name, std::span<const std::int32_t> offsets,
                          std::span<const std::uint8_t> bytes, Validity validity = {});
    /// VARCHAR from Arrow LargeUtf8 layout (64-bit offsets; a value span must fit u32).
    Chunk& column_varchar_large(std::string_view name, std::span<const std::int64_t> offsets,
                                std::span<const std::uint8_t> bytes, Validity validity = {});
    /// BINARY from Arrow Binary layout (opaque bytes).
    Chunk& column_binary(std::string_view name, std::span<const std::int32_t> offsets,
                         std::span<const std::uint8_t> bytes, Validity validity = {});
    /// BINARY from Arrow LargeBinary layout.
    Chunk& column_binary_large(std::string_view name, std::span<const std::int64_t> offsets,
                               std::span<const std::uint8_t> bytes, Validity validity = {});

    /// SYMBOL from dictionary codes (Arrow dictionary layout): codes[i] indexes the
    /// dictionary given by dict_offsets (entries + 1 offsets into dict_bytes). Codes of null
    /// rows are ignored. Only referenced entries reach the wire.
    Chunk& symbol_dict_i8(std::string_view name, std::span<const std::int8_t> codes,
                          std::span<const std::int32_t> dict_offsets,
                          std::span<const std::uint8_t> dict_bytes, Validity validity = {});
    /// symbol_dict_i8 with 16-bit codes.
    Chunk& symbol_dict_i16(std::string_view name, std::span<const std::int16_t> codes,
                           std::span<const std::int32_t> dict_offsets,
                           std::span<const std::uint8_t> dict_bytes, Validity validity = {});
    /// symbol_dict_i8 with 32-bit codes.
    Chunk& symbol_dict_i32(std::string_view name, std::span<const std::int32_t> codes,
                           std::span<const std::int32_t> dict_offsets,
                           std::span<const std::uint8_t> dict_bytes, Validity validity = {});
    /// symbol_dict_i8 with a 64-bit offset dictionary (Arrow LargeUtf8 values).
    Chunk& symbol_dict_large_i8(std::string_view name, std::span<const std::int8_t> codes,
                                std::span<const std::int64_t> dict_offsets,
                                std::span<const std::uint8_t> dict_bytes, Validity validity = {});
    /// symbol_dict_large_i8 with 16-bit codes.
    Chunk& symbol_dict_large_i16(std::string_view name, std::span<const std::int16_t> codes,
                                 std::span<const std::int64_t> dict_offsets,
                                 std::span<const std::uint8_t> dict_bytes, Validity validity = {});
    /// symbol_dict_large_i8 with 32-bit codes.
    Chunk& symbol_dict_large_i32(std::string_view name, std::span<const std::int32_t> codes,
                                 std::span<const std::int64_t> dict_offsets,
                                 std::span<const std::uint8_t> dict_bytes, Validity validity = {});

    /// DECIMAL64: unscaled values; value = unscaled / 10^scale. Scale 0..76, else
    /// invalid_decimal.
    Chunk& column_dec64(std::string_view name, std::span<const std::int64_t> unscaled,
                        std::uint8_t scale, Validity validity = {});
    /// DECIMAL128: unscaled 128-bit two's complement, little-endian (low limb first).
    Chunk& column_dec128(std::string_view name,
                         std::span<const std::array<std::uint8_t, 16>> unscaled, std::uint8_t scale,
                         Validity validity = {});
    /// DECIMAL256: unscaled 256-bit two's complement, little-endian (low limb first).
    Chunk& column_dec256(std::string_view name,
                         std::span<const std::array<std::uint8_t, 32>> unscaled, std::uint8_t scale,
                         Validity validity = {});

    /// DOUBLE[] one-dimensional arrays (Arrow List layout): row i holds
    /// values[offsets[i] .. offsets[i+1]). A null row is NULL, an empty range an empty array.
    /// Bad offsets: array_error.
    Chunk& column_arr_f64(std::string_view name, std::span<const std::int64_t> offsets,
                          std::span<const double> values, Validity validity = {});
    /// LONG[] one-dimensional arrays, as column_arr_f64.
    Chunk& column_arr_i64(std::string_view name, std::span<const std::int64_t> offsets,
                          std::span<const std::int64_t> values, Validity validity = {});
    /// DOUBLE[] N-dimensional arrays of `rank` (1..32) dimensions, in the layout of Arrow's
    /// variable-shape tensor: row i's shape is shapes[i * rank .. (i + 1) * rank) (outermost
    /// first, each >= 0) and its elements, row-major, are values[offsets[i] .. offsets[i+1]),
    /// whose count must equal the product of the shape (at most 2^26 elements). A null row is
    /// NULL (its shape and range are ignored); a shape containing 0 is an empty array, not
    /// NULL. Problems (rank, shapes size != row_count * rank, negative dimension, element count
    /// mismatch, bad offsets): array_error.
    Chunk& column_arr_f64(std::string_view name, std::size_t rank,
                          std::span<const std::int32_t> shapes,
                          std::span<const std::int64_t> offsets, std::span<const double> values,
                          Validity validity = {});
    /// LONG[] N-dimensional arrays, as the N-dimensional column_arr_f64.
    Chunk& column_arr_i64(std::string_view name, std::size_t rank,
                          std::span<const std::int32_t> shapes,
                          std::span<const std::int64_t> offsets,
                          std::span<const std::int64_t> values, Validity validity = {});

    /// The designated timestamp (TIMESTAMP_NANOS), one non-null value per row. Negative
    /// values: invalid_timestamp. A second designated timestamp: invalid_api_call.
    Chunk& designated_timestamp_nanos(std::span<const std::int64_t> nanos);
    /// The designated timestamp (TIMESTAMP) in microseconds.
    Chunk& designated_timestamp_micros(std::span<const std::int64_t> micros);
    /// The designated timestamp from milliseconds (sent as TIMESTAMP microseconds; overflow is
    /// invalid_timestamp).
    Chunk& designated_timestamp_millis(std::span<const std::int64_t> millis);
    /// The designated timestamp from seconds (sent as TIMESTAMP microseconds).
    Chunk& designated_timestamp_seconds(std::span<const std::int64_t> seconds);
    /// Let the server stamp every row on arrival instead of a designated timestamp column.
    Chunk& at_now();

    /// The table name.
    [[nodiscard]] std::string_view table() const noexcept;
    /// Rows locked by the first column or designated timestamp; 0 before that.
    [[nodiscard]] std::size_t row_count() const noexcept;
    /// True when no column and no designated timestamp was set.
    [[nodiscard]] bool is_empty() const noexcept;
    /// Drops every column (ending every borrow) and keeps the table name and capacity.
    void clear() noexcept;

    /// Implementation detail (opaque).
    struct Impl;

  private:
    friend struct ChunkAccess;
    std::unique_ptr<Impl> impl_;
};

}  // namespace questdb::ingress
