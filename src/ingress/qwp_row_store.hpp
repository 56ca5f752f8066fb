#pragma once

// The QWP row-storage backend of Buffer: rows arrive one value at a time and are stored
// column-wise per table (row-indexed values + Arrow validity), exactly in the layouts the QWP
// encoder reads (qwp::ColumnSource), so a flush encodes without another copy.
//
// Buffer::Impl holds this backend next to any other (e.g. ILP lines) and dispatches with a
// plain switch: no virtual call per value. Every setter returns false on failure (cheaper than
// building a Status on the hot path); the caller then takes the error with take_error() and
// calls rewind(), which restores the last complete row.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/bytes_equal.hpp"
#include "core/result.hpp"
#include "core/small_bytes.hpp"
#include "questdb/ingress/buffer.hpp"
#include "qwp/encoder.hpp"
#include "qwp/symbol_dict.hpp"
#include "qwp/table_source.hpp"
#include "qwp/types.hpp"
#include "qwp/wire.hpp"

namespace questdb::ingress {

class QwpRowStore {
  public:
    using Status = questdb::detail::Status;

    explicit QwpRowStore(const BufferOptions& options);
    // Holds pointers into its own tables (the current table, the next expected column):
    // neither copied nor moved (Buffer::Impl lives behind a unique_ptr).
    QwpRowStore(const QwpRowStore&) = delete;
    QwpRowStore& operator=(const QwpRowStore&) = delete;

    // Steady-state fast paths (try_*): each stores the value only when the row repeats the
    // previous row of the same table (same table; the setter names the column the previous
    // row wrote at this position, with the same type; no NULL in the column so far; storage
    // with room; the buffer under max_buf_size) and returns false for anything else without
    // touching any state. The caller then calls the out-of-line setter, which handles and
    // reports every case (first-seen names, another order, type changes, calls out of
    // order, errors). They call no function, so a caller that tail-calls its slow path
    // needs no stack frame. `next_ != end_` only inside a row (table() sets it, the end of
    // a row and rewind() clear it), so a column setter needs no state check there; and no
    // column in [next_, end_) has a value in this row yet (the cursor only moves forward,
    // see aim()), so neither needs a check that the column is still unwritten.

    /// table() when `name` is the current table (the previous row's).
    [[nodiscard, gnu::always_inline]] bool try_table(std::string_view name) noexcept {
        Table* t = table_;
        if (t != nullptr && !in_row_ && same_name(t->name, name)) [[likely]] {
            start_row(*t);
            return true;
        }
        return false;
    }
    [[nodiscard]] bool table(std::string_view name);

    /// symbol() for the expected SYMBOL column and a value already in its dictionary.
    /// `kShort`: the caller checked that `value` has at most 8 bytes (Buffer::symbol keeps
    /// the two cases in separate functions, so the short one needs few registers).
    template <bool kShort>
    [[nodiscard, gnu::always_inline]] bool try_symbol(std::string_view name,
                                                      std::string_view value) noexcept {
        Column* c = next_;
        if (c != end_ && c->type == qwp::TypeCode::symbol && state_ != State::column_written &&
            expected(*c, name, 4)) [[likely]] {
            const std::uint32_t id = kShort ? c->dict.find_short(value) : c->dict.find_long(value);
            if (id != qwp::SymbolDictionary::kMissing) [[likely]] {
                const std::size_t bytes = qwp::varint_size(id);
                if (len_ + bytes <= options_.max_buf_size) [[likely]] {
                    const auto code = static_cast<std::int32_t>(id);
                    std::memcpy(c->data.bump(4), &code, 4);
                    wrote(c, bytes);
                    state_ = State::symbol_written;
                    return true;
                }
            }
        }
        return false;
    }
    [[nodiscard]] bool symbol(std::string_view name, std::string_view value);

    /// A fixed-width little-endian value of fixed_width(type) bytes.
    [[nodiscard]] bool fixed(std::string_view name, qwp::TypeCode type, const void* value);
    /// fixed() for `type`, whose width is sizeof(T) (the caller guarantees it).
    template <typename T>
    [[nodiscard, gnu::always_inline]] bool try_fixed(std::string_view name, qwp::TypeCode type,
                                                     const T& value) noexcept {
        static_assert(std::is_trivially_copyable_v<T>);
        Column* c = next_;
        if (c != end_ && c->type == type && expected(*c, name, sizeof(T)) &&
            len_ + sizeof(T) <= options_.max_buf_size) [[likely]] {
            std::memcpy(c->data.bump(sizeof(T)), &value, sizeof(T));
            wrote(c, sizeof(T));
            state_ = State::column_written;
            return true;
        }
        return false;
    }
    /// bytes() for VARCHAR in the steady state (see try_fixed), for a value of at most
    /// kSmallBytes that is ASCII: checked inline, so it needs none of the general path's
    /// UTF-8 validation, and copied inline.
    [[nodiscard, gnu::always_inline]] bool try_varchar(std::string_view name,
                                                       std::string_view value) noexcept {
        Column* c = next_;
        const std::size_t n = value.size();
        if (c != end_ && c->type == qwp::TypeCode::varchar && n <= questdb::detail::kSmallBytes &&
            expected(*c, name, n) && c->offsets.size() < c->offsets.capacity() &&
            len_ + n + 4 <= options_.max_buf_size &&
            questdb::detail::is_small_ascii(value.data(), n)) [[likely]] {
            questdb::detail::copy_short(c->data.bump(n), value.data(), n);
            c->offsets.push_back(static_cast<std::int64_t>(c->data.size()));
            wrote(c, n + 4);  // the wire's 4-byte offset
            state_ = State::column_written;
            return true;
        }
        return false;
    }
    [[nodiscard]] bool boolean(std::string_view name, bool value);
    /// VARCHAR (validated UTF-8) or BINARY.
    [[nodiscard]] bool bytes(std::string_view name, qwp::TypeCode type,
                             std::span<const std::uint8_t> value);
    [[nodiscard]] bool geohash(std::string_view name, std::uint64_t bits, std::uint8_t precision);
    /// `limbs` little-endian two's complement of the type's width (1, 2 or 4 limbs).
    [[nodiscard]] bool decimal(std::string_view name, qwp::TypeCode type,
                               std::span<std::uint64_t> limbs, std::uint8_t scale);
    [[nodiscard]] bool decimal_text(std::string_view name, std::string_view text);
    template <typename T>
    [[nodiscard]] bool array(std::string_view name, std::span<const T> data,
                             std::span<const std::size_t> shape,
                             std::span<const std::ptrdiff_t> strides);
    /// Ends the row; `type` is TIMESTAMP or TIMESTAMP_NANOS.
    [[nodiscard]] bool at(qwp::TypeCode type, std::int64_t value);
    /// at() in the steady state: the designated timestamp is the last column and follows the
    /// columns the previous row wrote, all written in order (no gap, see in_order_), so every
    /// other column has a value; the row has a value (at() is allowed) because the
    /// timestamp is not the first column.
    [[nodiscard, gnu::always_inline]] bool try_at(qwp::TypeCode type, std::int64_t value) noexcept {
        Column* c = next_;
        if (end_ - c == 1 && in_order_ && c != table_->columns.data() && c->type == type &&
            value >= 0 && c->name.empty() && c->all_valid && c->data.has_room(8) &&
            len_ + 8 <= options_.max_buf_size) [[likely]] {
            std::memcpy(c->data.bump(8), &value, 8);
            ++c->size;
            len_ += 8;
            end_row(*table_);
            return true;
        }
        return false;
    }

    /// The failure of the last setter that returned false.
    questdb::detail::Failure take_error() noexcept { return std::move(error_); }
    [[nodiscard]] bool at_now();

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
    /// Append-only bytes with an inline fast path (capacity kept across clear()). The write
    /// position and the end of the allocation are kept as pointers so that the steady-state
    /// room check is one subtraction.
    class Bytes {
      public:
        Bytes() = default;
        Bytes(Bytes&& other) noexcept
            : buf_(std::move(other.buf_)), cur_(other.cur_), lim_(other.lim_) {
            other.cur_ = other.lim_ = nullptr;
        }
        Bytes& operator=(Bytes&& other) noexcept {
            buf_ = std::move(other.buf_);
            cur_ = other.cur_;
            lim_ = other.lim_;
            other.cur_ = other.lim_ = nullptr;
            return *this;
        }
        Bytes(const Bytes&) = delete;
        Bytes& operator=(const Bytes&) = delete;
        ~Bytes() = default;

        [[nodiscard]] std::size_t size() const noexcept {
            return static_cast<std::size_t>(cur_ - buf_.data());
        }
        [[nodiscard]] std::uint8_t* data() noexcept { return buf_.data(); }
        [[nodiscard]] const std::uint8_t* data() const noexcept { return buf_.data(); }
        std::uint8_t& operator[](std::size_t i) noexcept { return buf_[i]; }
        /// True when `n` more bytes fit without reallocating.
        [[nodiscard]] bool has_room(std::size_t n) const noexcept {
            return static_cast<std::size_t>(lim_ - cur_) >= n;
        }
        /// Grows by `n` bytes that has_room(n) said fit.
        std::uint8_t* bump(std::size_t n) noexcept {
            std::uint8_t* at = cur_;
            cur_ += n;
            return at;
        }
        /// Grows by `n` uninitialised bytes and returns where they start.
        std::uint8_t* grow(std::size_t n) {
            if (!has_room(n))
                reserve_more(n);
            return bump(n);
        }
        void resize(std::size_t n) {
            const std::size_t used = size();
            if (n > used) {
                grow(n - used);
            } else {
                cur_ = buf_.data() + n;
            }
        }
        void resize(std::size_t n, std::uint8_t fill) {
            const std::size_t old = size();
            resize(n);
            if (n > old)
                std::memset(buf_.data() + old, fill, n - old);
        }
        void clear() noexcept { cur_ = buf_.data(); }

      private:
        void reserve_more(std::size_t n) {
            const std::size_t used = size();
            buf_.resize(std::max(buf_.size() * 2, std::max<std::size_t>(used + n, 64)));
            cur_ = buf_.data() + used;
            lim_ = buf_.data() + buf_.size();
        }
        qwp::ByteVector buf_;
        std::uint8_t* cur_ = nullptr;  // buf_.data() + bytes in use
        std::uint8_t* lim_ = nullptr;  // buf_.data() + buf_.size()
    };

    struct Column {
        std::string name;
        qwp::TypeCode type = qwp::TypeCode::long_;
        qwp::ValueLayout layout = qwp::ValueLayout::fixed;
        std::uint8_t width = 0;
        Bytes data;
        std::vector<std::int64_t> offsets;  // var64 / blob: size + 1 entries
        std::vector<std::uint8_t> validity;
        std::size_t size = 0;
        bool all_valid = true;  // validity is kept only once a NULL appears
        bool scale_set = false;
        std::uint8_t scale = 0;
        std::uint8_t geohash_bits = 0;
        qwp::SymbolDictionary dict;  // SYMBOL: this column's local dictionary
        // SYMBOL: the row count of the table when the newest entry of `dict` was added, or
        // kNoRow. Every entry is the value of some complete row (the encoder relies on it,
        // ColumnSource::dict_all_used); rewind() uses this to drop the entry a dropped row
        // added (a row adds at most one per column: its first value wins).
        std::size_t interned_row = kNoRow;
    };
    static constexpr std::size_t kNoRow = static_cast<std::size_t>(-1);
    struct Table {
        std::string name;
        std::size_t rows = 0;
        std::vector<Column> columns;
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

    [[nodiscard]] bool op_allowed(Op op) const noexcept {
        // Bit per Op, indexed by State (see check_op_slow for the messages).
        static constexpr std::uint8_t kAllowed[] = {0b0001, 0b0110, 0b1110, 0b1100, 0b0001};
        return (kAllowed[static_cast<int>(state_)] >> static_cast<int>(op)) & 1;
    }
    bool bad_op(Op op);
    bool failed(questdb::detail::Failure failure) {
        error_ = std::move(failure);
        return false;
    }
    bool check_name(std::string_view name);
    // The column for this row's value: found, or created (and back-filled with NULLs).
    // Sets `skip` when the row already has a value for it.
    bool column_for(std::string_view name, qwp::TypeCode type, qwp::ValueLayout layout,
                    std::uint8_t width, Column*& out, bool& skip);
    bool after_value(Op op, std::size_t bytes) {
        len_ += bytes;
        state_ = op == Op::symbol ? State::symbol_written : State::column_written;
        return len_ <= options_.max_buf_size || buffer_full();
    }
    bool buffer_full();
    static void materialize_validity(Column& c, std::size_t rows);
    void recycle(Column&& c);
    void truncate(Column& c, std::size_t rows) noexcept;
    static void set_valid_slow(Column& c, std::size_t row, bool valid);
    static void set_valid(Column& c, std::size_t row, bool valid) {
        if (c.all_valid && valid)
            return;  // no NULL yet: no bitmap to maintain
        set_valid_slow(c, row, valid);
    }
    [[gnu::always_inline]] static bool same_name(const std::string& a,
                                                 std::string_view b) noexcept {
        return a.size() == b.size() && questdb::detail::bytes_equal(a.data(), b.data(), b.size());
    }
    // The fast paths' shared test: `c` (the expected column, so unwritten in this row) is
    // named `name`, has no NULL so far and room for `width` more bytes.
    [[nodiscard, gnu::always_inline]] static bool expected(const Column& c, std::string_view name,
                                                           std::size_t width) noexcept {
        return c.all_valid && c.data.has_room(width) && same_name(c.name, name);
    }
    // Bookkeeping after the fast path stored a value in `c` (the expected column).
    [[gnu::always_inline]] void wrote(Column* c, std::size_t bytes) noexcept {
        ++c->size;
        next_ = c + 1;
        len_ += bytes;
    }
    // The row starts: cursor at the first column.
    [[gnu::always_inline]] void start_row(Table& t) noexcept {
        len_at_row_start_ = len_;
        table_created_in_row_ = false;
        t.columns_at_row_start = t.columns.size();
        next_ = t.columns.data();
        end_ = next_ + t.columns.size();
        in_order_ = true;
        in_row_ = true;
        state_ = State::table_written;
    }
    // The row is complete (its values are stored).
    [[gnu::always_inline]] void end_row(Table& t) noexcept {
        ++t.rows;
        ++total_rows_;
        in_row_ = false;
        table_created_in_row_ = false;
        state_ = State::row_done;
        len_at_row_start_ = len_;
        next_ = end_ = nullptr;
    }
    // Moves the cursor to just after column `index` of the current table, never backwards:
    // every column from next_ on then stays unwritten in this row (a column before the
    // cursor may have a value already). The columns vector may have grown, so both
    // pointers are re-derived from `next_index` (the cursor's index before the call).
    void aim(std::size_t index, std::size_t next_index) noexcept {
        next_ = table_->columns.data() + std::max(index + 1, next_index);
        end_ = table_->columns.data() + table_->columns.size();
    }
    // The common case: the row writes its columns in the same order as the previous row.
    bool next_column(std::string_view name, qwp::TypeCode type, Column*& out) noexcept {
        Column* c = next_;
        if (c != end_ && c->type == type && same_name(c->name, name)) {
            next_ = c + 1;
            out = c;
            return true;
        }
        return false;
    }
    static void append_null(Column& c);
    static void append_nulls(Column& c, std::size_t count);
    Table& current() { return *table_; }

    BufferOptions options_;
    std::vector<Table> tables_;
    std::vector<Column> spare_columns_;
    std::vector<Table> spare_tables_;
    std::vector<qwp::TableSource> views_;
    std::size_t current_ = 0;
    Table* table_ = nullptr;  // &tables_[current_], or nullptr when there are no tables
    // The row in progress' cursor into table_->columns: the column the previous row wrote
    // next, and one past the last column. Both nullptr outside a row.
    Column* next_ = nullptr;
    Column* end_ = nullptr;
    // True while the row in progress wrote exactly the columns before next_, in order (no
    // column skipped, none written out of order or twice): then the row has a value for
    // every column before next_ and none from next_ on, so at()/at_now() need not look for
    // columns to fill with NULL.
    bool in_order_ = true;
    bool in_row_ = false;
    bool table_created_in_row_ = false;
    State state_ = State::init;
    std::size_t len_ = 0;
    std::size_t len_at_row_start_ = 0;
    std::size_t total_rows_ = 0;
    questdb::detail::Failure error_;
};

}  // namespace questdb::ingress
