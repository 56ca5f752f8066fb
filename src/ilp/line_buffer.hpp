#pragma once

// The ILP line writer: a reusable byte buffer of complete rows in InfluxDB Line Protocol,
// protocol versions 1 (text), 2 (binary doubles, N-d double arrays, nanosecond suffixes)
// and 3 (decimals). It is the engine behind the public Buffer in ILP mode.
//
// Rows are sequentially coupled: table, symbols, columns, then at/at_now. Every setter
// validates before it writes. When a setter fails, the partial row is discarded and the
// buffer is back at its last complete row, so the caller can simply start the next row.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "core/result.hpp"
#include "ilp/decimal.hpp"
#include "ilp/growable_bytes.hpp"
#include "questdb/ingress/protocol_version.hpp"

namespace questdb::ilp {

/// ILP protocol versions (the public enum). V2 adds binary doubles and arrays, V3 decimals.
using ProtocolVersion = questdb::ingress::ProtocolVersion;

enum class TimeUnit : std::uint8_t { micros, nanos };

inline constexpr std::size_t kDefaultMaxNameLen = 127;
inline constexpr std::size_t kMaxArrayDims = 32;
inline constexpr std::size_t kMaxArrayDimLen = 0x0FFFFFFF;
inline constexpr std::size_t kMaxArrayBytes = 512u * 1024u * 1024u;

// Binary value markers: '=' then one of these type bytes.
inline constexpr std::uint8_t kArrayType = 14;
inline constexpr std::uint8_t kDoubleType = 16;
inline constexpr std::uint8_t kDecimalType = 23;
inline constexpr std::uint8_t kArrayElemDouble = 10;

class LineBuffer;

/// Called after each completed row (at/at_now) of a buffer a sender created, so the sender
/// can auto-flush. A plain function pointer plus context: no allocation, no virtual call
/// unless a hook is installed.
struct RowHook {
    detail::Status (*on_row)(void* context, LineBuffer& buffer) = nullptr;
    void* context = nullptr;
    /// Keeps `context` alive for as long as any buffer (or copy) carries the hook.
    std::shared_ptr<void> keepalive;
};

class LineBuffer {
  public:
    explicit LineBuffer(ProtocolVersion version = ProtocolVersion::v2,
                        std::size_t max_name_len = kDefaultMaxNameLen,
                        std::size_t initial_capacity = 0);

    LineBuffer(const LineBuffer&) = default;
    LineBuffer& operator=(const LineBuffer&) = default;
    LineBuffer(LineBuffer&&) noexcept = default;
    LineBuffer& operator=(LineBuffer&&) noexcept = default;

    // ---- row setters -------------------------------------------------------------------
    detail::Status table(std::string_view name);
    detail::Status symbol(std::string_view name, std::string_view value);
    detail::Status column_bool(std::string_view name, bool value);
    detail::Status column_i64(std::string_view name, std::int64_t value);
    detail::Status column_f64(std::string_view name, double value);
    detail::Status column_str(std::string_view name, std::string_view value);
    /// A timestamp column. V1 writes microseconds ('t'), converting nanoseconds down;
    /// V2+ keeps the unit ('t' or 'n').
    detail::Status column_ts(std::string_view name, std::int64_t value, TimeUnit unit);
    /// An N-dimensional double array (V2+). `shape` has 1..32 entries. `byte_strides`
    /// is empty for a C-contiguous row-major array; otherwise one stride in bytes per
    /// dimension (negative and zero strides allowed). `data` points at element [0,...,0].
    detail::Status column_arr_f64(std::string_view name, std::span<const std::size_t> shape,
                                  std::span<const std::ptrdiff_t> byte_strides, const double* data);
    /// A decimal given as text (V3), written as the text followed by 'd'.
    detail::Status column_dec_text(std::string_view name, std::string_view value);
    /// A decimal in binary form (V3): unscaled big-endian two's complement and a scale.
    detail::Status column_dec(std::string_view name, std::uint32_t scale,
                              std::span<const std::uint8_t> unscaled_be);
    /// Ends the row with a designated timestamp (must be >= 0).
    detail::Status at(std::int64_t value, TimeUnit unit);
    /// Ends the row; the server assigns the timestamp.
    detail::Status at_now();

    /// Drops a row in progress (if any), returning to the last complete row.
    void discard_row() noexcept {
        bytes_.truncate(row_start_.size);
        state_ = row_start_.state;
    }

    // ---- whole-buffer operations -------------------------------------------------------
    detail::Status set_marker();
    detail::Status rewind_to_marker();
    void clear_marker() noexcept { marker_set_ = false; }
    /// Empties the buffer, keeping its capacity, version, name limit and row hook.
    void clear() noexcept;
    /// Fails with invalid_api_call when a row is in progress.
    [[nodiscard]] detail::Status check_can_flush() const;

    [[nodiscard]] std::size_t size() const noexcept { return bytes_.size(); }
    [[nodiscard]] bool empty() const noexcept { return bytes_.empty(); }
    [[nodiscard]] std::size_t capacity() const noexcept { return bytes_.capacity(); }
    void reserve(std::size_t additional) { bytes_.reserve(bytes_.size() + additional); }
    [[nodiscard]] std::size_t row_count() const noexcept { return state_.rows; }
    /// True while every row targets the same table (an ILP/HTTP request is then atomic).
    [[nodiscard]] bool transactional() const noexcept { return state_.transactional; }
    [[nodiscard]] std::string_view view() const noexcept { return bytes_.view(); }
    [[nodiscard]] std::span<const std::uint8_t> bytes() const noexcept {
        return {bytes_.data(), bytes_.size()};
    }
    [[nodiscard]] ProtocolVersion protocol_version() const noexcept { return version_; }
    [[nodiscard]] std::size_t max_name_len() const noexcept { return max_name_len_; }

    void set_row_hook(RowHook hook) noexcept { hook_ = std::move(hook); }
    [[nodiscard]] const RowHook& row_hook() const noexcept { return hook_; }

  private:
    enum class Phase : std::uint8_t {
        empty,
        table_written,
        symbol_written,
        column_written,
        row_done
    };
    enum class Op : std::uint8_t { table, symbol, column, at, flush };

    struct State {
        Phase phase = Phase::empty;
        bool transactional = true;
        std::size_t rows = 0;
        std::size_t first_table_len = 0;  // bytes of the escaped first table name
    };
    struct Snapshot {
        std::size_t size = 0;
        State state;
    };

    [[nodiscard]] static bool allows(Phase phase, Op op) noexcept;
    [[nodiscard]] detail::Status check_op(Op op) const;
    /// Validates the name, checks the order and writes " name=" or ",name=".
    detail::Status write_column_key(std::string_view name);
    /// Writes separator, the (validated) name escaped unless `simple`, and '='.
    void append_key(char separator, std::string_view name, bool simple);
    /// Drops the partial row and returns `failure`.
    detail::Status abandon_row(detail::Status failure);
    detail::Status finish_row();
    detail::Status require_version(ProtocolVersion minimum, const char* what,
                                   std::string_view column);

    GrowableBytes bytes_;
    State state_;
    Snapshot row_start_;  // last complete row: where a failing setter rewinds to
    Snapshot marker_;
    bool marker_set_ = false;
    ProtocolVersion version_;
    std::size_t max_name_len_;
    RowHook hook_;
};

}  // namespace questdb::ilp
