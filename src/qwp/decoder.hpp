#pragma once

// Strict decoder for QWP ingress messages (client -> server). The in-tree test server uses it
// to accept frames, and tests use it to round-trip the encoder. Every malformed input
// (truncation, bad varint, bad offsets, unknown type, reserved flags, trailing bytes, names
// over the cap, limits H4/H5) is a Failure with ErrorCode::protocol_error; it never crashes,
// never reads outside the frame and bounds every allocation by the bytes actually present.
//
// A delta dictionary whose delta_start runs past the connection dictionary is reported
// distinctly (DecodeErrorKind::dictionary_gap) so a server can answer DICTIONARY_GAP (0x0D).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/result.hpp"
#include "qwp/types.hpp"

namespace questdb::qwp {

/// One decoded array value: its shape (n_dims >= 1 lengths) and its elements in row-major
/// order (doubles for DOUBLE_ARRAY, longs for LONG_ARRAY).
struct DecodedArray {
    std::vector<std::int32_t> shape;
    std::vector<double> doubles;
    std::vector<std::int64_t> longs;
    bool operator==(const DecodedArray&) const = default;
};

/// One column of a table block, expanded to one entry per row. Null rows (bitmap bit set)
/// hold a default value in every vector. In sentinel mode (null_flag 0) the decoder reports
/// the values as sent: for BOOLEAN/BYTE/SHORT/CHAR a sentinel null arrives as false/0.
struct DecodedColumn {
    std::string name;  ///< empty for the designated timestamp
    TypeCode type = TypeCode::long_;
    bool has_bitmap = false;          ///< null_flag was non-zero
    std::vector<std::uint8_t> nulls;  ///< per row: 1 = NULL (from the bitmap)
    /// BOOLEAN (0/1), BYTE, SHORT, CHAR, INT, LONG, DATE, TIMESTAMP, TIMESTAMP_NANOS, IPV4
    /// (as u32), GEOHASH (the bits), DECIMAL64 (unscaled), SYMBOL (the global or column id).
    std::vector<std::int64_t> ints;
    std::vector<double> floats;  ///< FLOAT (widened), DOUBLE
    /// VARCHAR, BINARY, SYMBOL (the resolved string); UUID, LONG256, DECIMAL128, DECIMAL256 as
    /// their raw little-endian wire bytes (16 or 32).
    std::vector<std::string> bytes;
    std::vector<DecodedArray> arrays;     ///< DOUBLE_ARRAY, LONG_ARRAY
    std::uint8_t scale = 0;               ///< DECIMAL*
    std::uint8_t geohash_bits = 0;        ///< GEOHASH
    std::int8_t timestamp_encoding = -1;  ///< 0/1 when the Gorilla encoding byte was present

    /// Only with DecodeDepth::values (the per-row vectors are empty at DecodeDepth::schema).
    [[nodiscard]] bool is_null(std::size_t row) const noexcept { return nulls[row] != 0; }
};

struct DecodedTable {
    std::string name;
    std::size_t row_count = 0;
    std::vector<DecodedColumn> columns;

    /// The column named `name` (the designated timestamp is ""), or nullptr.
    [[nodiscard]] const DecodedColumn* column(std::string_view name) const noexcept;
};

struct DecodedMessage {
    std::uint8_t version = 0;
    std::uint8_t flags = 0;
    std::uint64_t delta_start = 0;  ///< of the delta dictionary section, if any
    std::uint64_t delta_count = 0;
    std::vector<DecodedTable> tables;

    [[nodiscard]] bool defer_commit() const noexcept { return (flags & kFlagDeferCommit) != 0; }
    [[nodiscard]] std::size_t total_rows() const noexcept;
};

/// Limits the decoder enforces; defaults are the server's (H4), all at most the sanity caps.
struct DecodeLimits {
    std::uint8_t version = kVersion1;  ///< the negotiated version every header must carry
    std::size_t max_payload = kMaxMessageSize;
    std::size_t max_rows_per_block = kMaxRowsPerBlock;
    std::size_t max_columns = kMaxColumnsPerTable;
    std::size_t max_name_len = kMaxNameLen;
    std::size_t max_dictionary_entries = kMaxSymbolDictEntries;
    /// Distinct table names per connection (H4).
    std::size_t max_tables_per_connection = 10'000;
};

/// How much a decode keeps. Both depths run the same parser and reject exactly the same
/// frames with the same messages; `schema` only skips materialising per-row values.
enum class DecodeDepth : std::uint8_t {
    values,  ///< every column expanded to one entry per row (nulls, ints, floats, bytes, arrays)
    schema,  ///< table names, row counts, column names/types/scale/geohash bits; per-row
             ///< vectors stay empty (a sink server that validates but stores nothing)
};

enum class DecodeErrorKind : std::uint8_t {
    none,
    malformed,       ///< PARSE_ERROR: the frame's bytes are wrong
    dictionary_gap,  ///< DICTIONARY_GAP: delta_start > connection dictionary size
};

/// Per-connection decoder state: the accumulated global symbol dictionary. A frame's delta
/// entries are applied only when the whole frame decodes.
class IngressDecoderState {
  public:
    [[nodiscard]] const std::vector<std::string>& dictionary() const noexcept { return dict_; }
    /// Distinct table names seen on this connection.
    [[nodiscard]] std::size_t table_count() const noexcept { return tables_.size(); }
    /// Starts from a known dictionary (id = index), e.g. one recovered from disk.
    void seed_dictionary(std::vector<std::string> entries) { dict_ = std::move(entries); }
    /// Forget the dictionary and the tables (a new connection).
    void reset() noexcept {
        dict_.clear();
        tables_.clear();
    }

  private:
    friend class IngressDecoder;
    std::vector<std::string> dict_;
    std::unordered_set<std::string> tables_;
    std::vector<std::int64_t> gorilla_scratch_;  // reused across frames (no per-frame allocation)
};

/// Decodes one whole ingress message (12-byte header + payload, exactly `frame`). On failure
/// `state` is unchanged and, if `kind` is given, it says whether the failure is a dictionary
/// gap or a malformed frame. With `depth == DecodeDepth::schema` every byte is still
/// validated (offsets, UTF-8, symbol ids, Gorilla stream, array shapes) but the columns'
/// per-row vectors are left empty.
detail::Result<DecodedMessage> decode_ingress_message(std::span<const std::uint8_t> frame,
                                                      IngressDecoderState& state,
                                                      const DecodeLimits& limits = {},
                                                      DecodeErrorKind* kind = nullptr,
                                                      DecodeDepth depth = DecodeDepth::values);

}  // namespace questdb::qwp
