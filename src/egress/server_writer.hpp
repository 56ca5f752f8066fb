#pragma once

// Server side of QWP egress, for the in-tree test server and for tests: encodes every S->C
// message (SERVER_INFO, RESULT_BATCH from columnar data with optional Gorilla/delta-dictionary/
// zstd, RESULT_END, QUERY_ERROR, EXEC_DONE, CACHE_RESET) and decodes every C->S message
// (QUERY_REQUEST with binds, CANCEL, CREDIT). Not part of the public API.
//
// Typical use per connection:
//   ResultEncoder enc;                           // owns the connection's symbol dictionary
//   encode_server_info(info, frame);             // first frame after the upgrade
//   auto msg = decode_client_message(bytes, caps_have_query_flags);
//   enc.encode_batch(id, seq, columns, first_row, n_rows, opts, frame);   // seq 0 has the schema
//   encode_result_end(id, last_seq, total_rows, frame);

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "egress/status.hpp"
#include "questdb/egress/types.hpp"

namespace questdb::egress::server {

/// One result column held row by row: a NULL flag per row plus either a fixed-width LE slot
/// per row or a byte string per row (VARCHAR, BINARY, SYMBOL, and encoded array bodies).
class ResultColumn {
  public:
    /// `param` is the decimal scale or the geohash precision (1..60); ignored otherwise.
    ResultColumn(std::string name, ColumnKind kind, std::uint8_t param = 0);

    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    [[nodiscard]] ColumnKind kind() const noexcept { return kind_; }
    [[nodiscard]] std::uint8_t param() const noexcept { return param_; }
    [[nodiscard]] std::size_t row_count() const noexcept { return nulls_.size(); }
    [[nodiscard]] bool is_null(std::size_t row) const noexcept { return nulls_[row] != 0; }
    /// Bytes per fixed-width slot (0 for variable-width kinds; 1 bit-packed later for BOOLEAN).
    [[nodiscard]] std::size_t width() const noexcept { return width_; }
    [[nodiscard]] const std::uint8_t* slot(std::size_t row) const noexcept {
        return fixed_.data() + row * width_;
    }
    [[nodiscard]] const std::string& var(std::size_t row) const noexcept { return var_[row]; }

    void append_null();
    void append_bool(bool v);
    void append_i8(std::int8_t v);
    void append_i16(std::int16_t v);
    void append_char(char16_t v);
    void append_i32(std::int32_t v);
    /// LONG, TIMESTAMP, TIMESTAMP_NANOS, DATE, DECIMAL64 (unscaled).
    void append_i64(std::int64_t v);
    void append_f32(float v);
    void append_f64(double v);
    void append_ipv4(std::uint32_t v);
    void append_uuid(Uuid v);
    void append_long256(const Long256& v);
    void append_decimal128(std::uint64_t lo, std::int64_t hi);
    void append_decimal256(const std::array<std::uint64_t, 4>& limbs);
    void append_geohash(std::uint64_t bits);
    /// VARCHAR, BINARY or SYMBOL text.
    void append_bytes(std::string_view v);
    void append_double_array(std::span<const std::int32_t> shape, std::span<const double> values);
    void append_long_array(std::span<const std::int32_t> shape,
                           std::span<const std::int64_t> values);
    /// Any fixed-width kind: exactly width() little-endian bytes.
    void append_raw(const void* data, std::size_t size);

  private:
    void push_fixed(const void* data, std::size_t size);
    template <typename T>
    void push_array(std::span<const std::int32_t> shape, std::span<const T> values);

    std::string name_;
    ColumnKind kind_;
    std::uint8_t param_;
    std::size_t width_;
    std::vector<std::uint8_t> nulls_;
    std::vector<std::uint8_t> fixed_;
    std::vector<std::string> var_;
};

struct BatchEncodeOptions {
    bool gorilla = true;            ///< FLAG_GORILLA: time columns get an encoding byte
    bool delta_symbol_dict = true;  ///< FLAG_DELTA_SYMBOL_DICT: delta section present
    bool zstd = false;              ///< compress the body when it shrinks (FLAG_ZSTD)
    int zstd_level = 3;
};

/// Encodes RESULT_BATCH frames for one connection; owns its symbol dictionary (string -> id).
class ResultEncoder {
  public:
    /// Rows [first_row, first_row + row_count) of `columns` (all of equal row_count) as one frame
    /// in `out` (replaced). batch_seq 0 carries the schema. Fails with invalid_api_call on
    /// inconsistent columns.
    detail::Status encode_batch(std::int64_t request_id, std::uint64_t batch_seq,
                                std::span<const ResultColumn> columns, std::size_t first_row,
                                std::size_t row_count, const BatchEncodeOptions& options,
                                std::vector<std::uint8_t>& out);
    /// Forget the dictionary (send CACHE_RESET with RESET_MASK_DICT alongside, or on reconnect).
    void reset_dictionary() noexcept;
    [[nodiscard]] std::size_t dictionary_size() const noexcept { return symbols_.size(); }
    /// For tests: the next delta section starts at this id (default: dictionary_size()).
    void override_next_delta_start(std::optional<std::uint64_t> start) noexcept {
        delta_start_override_ = start;
    }

  private:
    void encode_column(const ResultColumn& column, std::size_t first, std::size_t count,
                       bool gorilla);
    std::unordered_map<std::string, std::uint32_t> symbols_;
    std::vector<std::string> new_symbols_;
    std::vector<std::uint8_t> body_;
    std::vector<std::uint8_t> packed_;
    std::vector<std::int64_t> times_;
    std::optional<std::uint64_t> delta_start_override_;
};

void encode_server_info(const ServerInfo& info, std::vector<std::uint8_t>& out,
                        std::uint8_t version = 1);
void encode_result_end(std::int64_t request_id, std::uint64_t final_seq, std::uint64_t total_rows,
                       std::vector<std::uint8_t>& out, std::uint8_t version = 1);
void encode_query_error(std::int64_t request_id, std::uint8_t status, std::string_view message,
                        std::vector<std::uint8_t>& out, std::uint8_t version = 1);
void encode_exec_done(std::int64_t request_id, std::uint8_t op_type, std::uint64_t rows_affected,
                      std::vector<std::uint8_t>& out, std::uint8_t version = 1);
void encode_cache_reset(std::uint8_t reset_mask, std::vector<std::uint8_t>& out,
                        std::uint8_t version = 1);

/// A decoded bind parameter. Integers (BOOLEAN..LONG, CHAR, IPv4, times, DECIMAL64) are in
/// `i64` (sign-extended; IPv4/CHAR zero-extended); FLOAT/DOUBLE in `f64`; VARCHAR/BINARY in
/// `bytes`; UUID/LONG256/DECIMAL128/256 limbs in `wide`; geohash bits in `i64`.
struct BindValue {
    ColumnKind kind = ColumnKind::long_;
    bool is_null = false;
    std::int64_t i64 = 0;
    double f64 = 0;
    std::string bytes;
    std::array<std::uint64_t, 4> wide{};
    std::uint8_t scale = 0;
    std::uint8_t precision = 0;
};

struct QueryRequestMsg {
    std::int64_t request_id = 0;
    std::string sql;
    std::uint64_t initial_credit = 0;
    std::vector<BindValue> binds;
    std::optional<std::uint64_t> query_flags;
};
struct CancelMsg {
    std::int64_t request_id = 0;
};
struct CreditMsg {
    std::int64_t request_id = 0;
    std::uint64_t additional_bytes = 0;
};
using ClientMessage = std::variant<QueryRequestMsg, CancelMsg, CreditMsg>;

/// Decodes a client frame (no QWP header: byte 0 is msg_kind). A query_flags trailer is
/// accepted only when `query_flags_advertised`. Errors are protocol_error.
detail::Result<ClientMessage> decode_client_message(std::span<const std::uint8_t> frame,
                                                    bool query_flags_advertised);

}  // namespace questdb::egress::server
