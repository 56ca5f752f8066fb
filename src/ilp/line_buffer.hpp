#pragma once

// The ILP line writer: a reusable byte buffer of complete rows in InfluxDB Line Protocol,
// protocol versions 1 (text), 2 (binary doubles, N-d double arrays, nanosecond suffixes)
// and 3 (decimals). It is the engine behind the public Buffer in ILP mode.
//
// Rows are sequentially coupled: table, symbols, columns, then at/at_now. Every setter
// validates before it writes. When a setter fails, the partial row is discarded and the
// buffer is back at its last complete row, so the caller can simply start the next row.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string_view>

#include "core/result.hpp"
#include "ilp/decimal.hpp"
#include "ilp/fast_text.hpp"
#include "ilp/growable_bytes.hpp"
#include "ilp/text_rules.hpp"
#include "questdb/ingress/protocol_version.hpp"

namespace questdb::ilp {

/// ILP protocol versions (the public enum). V2 adds binary doubles and arrays, V3 decimals.
using ProtocolVersion = questdb::ingress::ProtocolVersion;

enum class TimeUnit : std::uint8_t { micros, nanos };

inline constexpr std::size_t kDefaultMaxNameLen = 127;
inline constexpr std::size_t kMaxArrayDims = 32;
inline constexpr std::size_t kMaxArrayDimLen = 0x0FFFFFFF;
inline constexpr std::size_t kMaxArrayBytes = std::size_t{512} * 1024 * 1024;

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

    // ---- per-row fast paths ---------------------------------------------------------------
    // The plain case of the hottest setters, inline and without a Status: the call order is
    // right, the name needs no escaping, the value is ASCII with nothing to escape (and the
    // timestamp in range, no row hook). Each either writes exactly what the full setter
    // would write and returns true, or writes nothing and returns false; the caller then
    // calls the full setter, which handles (or reports) everything else.

    [[nodiscard, gnu::always_inline]] bool try_table(std::string_view name) {
        if ((state_.phase != Phase::empty && state_.phase != Phase::row_done) ||
            !simple_name(name, fast::kSimpleTableByte)) [[unlikely]] {
            return false;
        }
        const std::size_t len = name.size();
        std::uint8_t* p = bytes_.prepare(len);
        fast::copy_short(p, name.data(), len);
        if (state_.rows == 0) {
            state_.first_table_len = len;
        } else if (state_.transactional && (len != state_.first_table_len ||
                                            !fast::equal_short(bytes_.data(), name.data(), len))) {
            state_.transactional = false;
        }
        bytes_.commit(len);
        state_.phase = Phase::table_written;
        return true;
    }

    [[nodiscard, gnu::always_inline]] bool try_symbol(std::string_view name,
                                                      std::string_view value) {
        if ((state_.phase != Phase::table_written && state_.phase != Phase::symbol_written) ||
            !simple_name(name, fast::kSimpleColumnByte) || !fast::plain_symbol_value(value))
            [[unlikely]] {
            return false;
        }
        std::uint8_t* const start = bytes_.prepare(name.size() + value.size() + 2);
        std::uint8_t* p = start;
        *p++ = ',';
        fast::copy_short(p, name.data(), name.size());
        p += name.size();
        *p++ = '=';
        fast::copy_short(p, value.data(), value.size());
        p += value.size();
        bytes_.commit(static_cast<std::size_t>(p - start));
        state_.phase = Phase::symbol_written;
        return true;
    }

    [[nodiscard, gnu::always_inline]] bool try_column_i64(std::string_view name,
                                                          std::int64_t value) {
        std::uint8_t* const start = try_key(name, 22);
        if (start == nullptr) [[unlikely]] {
            return false;
        }
        std::uint8_t* p = fast::write_i64(start + name.size() + 2, value);
        *p++ = 'i';
        bytes_.commit(static_cast<std::size_t>(p - start));
        return true;
    }

    [[nodiscard, gnu::always_inline]] bool try_column_f64(std::string_view name, double value) {
        if constexpr (std::endian::native != std::endian::little) {
            if (version_ != ProtocolVersion::v1) {
                return false;
            }
        }
        std::uint8_t* const start = try_key(name, kMaxDoubleChars);
        if (start == nullptr) [[unlikely]] {
            return false;
        }
        std::uint8_t* p = start + name.size() + 2;
        if (version_ == ProtocolVersion::v1) {
            p += format_double(value, reinterpret_cast<char*>(p));
        } else {
            *p++ = '=';
            *p++ = kDoubleType;
            std::memcpy(p, &value, sizeof(value));  // little-endian host (checked above)
            p += sizeof(value);
        }
        bytes_.commit(static_cast<std::size_t>(p - start));
        return true;
    }

    [[nodiscard, gnu::always_inline]] bool try_column_str(std::string_view name,
                                                          std::string_view value) {
        if (!fast::plain_string_value(value)) [[unlikely]] {
            return false;
        }
        std::uint8_t* const start = try_key(name, value.size() + 2);
        if (start == nullptr) [[unlikely]] {
            return false;
        }
        std::uint8_t* p = start + name.size() + 2;
        *p++ = '"';
        fast::copy_short(p, value.data(), value.size());
        p += value.size();
        *p++ = '"';
        bytes_.commit(static_cast<std::size_t>(p - start));
        return true;
    }

    [[nodiscard, gnu::always_inline]] bool try_at(std::int64_t value, TimeUnit unit) {
        if ((state_.phase != Phase::symbol_written && state_.phase != Phase::column_written) ||
            value < 0 || hook_.on_row != nullptr) [[unlikely]] {
            return false;
        }
        char suffix = 0;
        if (version_ == ProtocolVersion::v1) {
            if (unit == TimeUnit::micros) {
                if (value > std::numeric_limits<std::int64_t>::max() / 1000) [[unlikely]] {
                    return false;
                }
                value *= 1000;
            }
        } else {
            suffix = unit == TimeUnit::micros ? 't' : 'n';
        }
        std::uint8_t* const start = bytes_.prepare(23);
        std::uint8_t* p = start;
        *p++ = ' ';
        p = fast::write_u64(p, static_cast<std::uint64_t>(value));
        if (suffix != 0) {
            *p++ = static_cast<std::uint8_t>(suffix);
        }
        *p++ = '\n';
        bytes_.commit(static_cast<std::size_t>(p - start));
        state_.phase = Phase::row_done;
        ++state_.rows;
        row_start_ = Snapshot{bytes_.size(), state_};
        return true;
    }

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
    [[nodiscard, gnu::always_inline]] bool simple_name(std::string_view name,
                                                       const fast::ByteClass& cls) const noexcept {
        return !name.empty() && name.size() <= max_name_len_ && fast::all_of(name, cls);
    }
    /// Fast-path column key: when a column may come next and `name` is simple, reserves
    /// room for the key plus `value_room` bytes, writes " name=" or ",name=", sets the
    /// phase and returns the start of the reservation (the value goes at start + name + 2;
    /// the caller commits). Otherwise nullptr, nothing written.
    [[nodiscard, gnu::always_inline]] std::uint8_t* try_key(std::string_view name,
                                                            std::size_t value_room) {
        if ((state_.phase != Phase::table_written && state_.phase != Phase::symbol_written &&
             state_.phase != Phase::column_written) ||
            !simple_name(name, fast::kSimpleColumnByte)) [[unlikely]] {
            return nullptr;
        }
        std::uint8_t* const start = bytes_.prepare(name.size() + 2 + value_room);
        start[0] = state_.phase == Phase::column_written ? ',' : ' ';
        fast::copy_short(start + 1, name.data(), name.size());
        start[name.size() + 1] = '=';
        state_.phase = Phase::column_written;
        return start;
    }
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
