// Time: timestamps of every unit (TIMESTAMP, TIMESTAMP_NS, DATE), dates, the designated
// timestamp, and time-of-day / duration, which QuestDB has no type for: they become LONG
// nanoseconds (as the Rust client sends them), so the stored number does not depend on the
// Arrow unit.

#include "arrow/ingest_support.hpp"

namespace questdb::arrow::detail {
namespace {

// src[i] * factor; an overflow of a present value is an error, of a NULL slot irrelevant.
template <typename T>
std::span<const std::int64_t> scaled(const ColumnPlan& c, const T* src, std::size_t n,
                                     std::int64_t factor, Validity v,
                                     std::vector<std::int64_t>& out) {
    out.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        std::int64_t r = 0;
        if (__builtin_mul_overflow(static_cast<std::int64_t>(src[i]), factor, &r)) {
            if (present(v, i)) {
                fail_ingest("value " + std::to_string(src[i]) + " overflows 64-bit in " + where(c) +
                            " at row " + std::to_string(i));
            }
            r = 0;
        }
        out[i] = r;
    }
    return out;
}

void add_as_nanos(Chunk& chunk, ColumnPlan& c, const Slice& s, Validity v) {
    const auto& a = *c.array;
    // Each unit scales its stored width to nanoseconds; overflow is an error naming the column.
    const auto put = [&]<typename T>(T, std::int64_t to_nanos) {
        chunk.column_i64(c.name,
                         scaled(c, buffer<T>(c, a, 1) + s.first, s.count, to_nanos, v, c.i64), v);
    };
    switch (c.physical) {
        case Physical::time32_seconds:
            return put(std::int32_t{}, 1'000'000'000);
        case Physical::time32_millis:
            return put(std::int32_t{}, 1'000'000);
        case Physical::duration_seconds:
            return put(std::int64_t{}, 1'000'000'000);
        case Physical::duration_millis:
            return put(std::int64_t{}, 1'000'000);
        case Physical::time64_micros:
        case Physical::duration_micros:
            return put(std::int64_t{}, 1'000);
        default:  // time64 / duration in nanoseconds
            chunk.column_i64(c.name, values_of<std::int64_t>(c, s), v);
            return;
    }
}

}  // namespace

void add_temporal(Chunk& chunk, ColumnPlan& c, const Slice& s, Validity v) {
    const auto& a = *c.array;
    if (c.target == Target::long_nanos) {
        add_as_nanos(chunk, c, s, v);
        return;
    }
    switch (c.physical) {
        case Physical::ts_seconds:
            chunk.column_ts_micros(
                c.name,
                scaled(c, buffer<std::int64_t>(c, a, 1) + s.first, s.count, 1'000'000, v, c.i64),
                v);
            return;
        case Physical::ts_millis:
        case Physical::date64_millis:
            chunk.column_date_millis(c.name, values_of<std::int64_t>(c, s), v);
            return;
        case Physical::ts_micros:
            chunk.column_ts_micros(c.name, values_of<std::int64_t>(c, s), v);
            return;
        case Physical::ts_nanos:
            chunk.column_ts_nanos(c.name, values_of<std::int64_t>(c, s), v);
            return;
        default:  // date32: days
            chunk.column_date_millis(
                c.name,
                scaled(c, buffer<std::int32_t>(c, a, 1) + s.first, s.count, 86'400'000, v, c.i64),
                v);
            return;
    }
}

void add_designated(Chunk& chunk, ColumnPlan& c, const Slice& s) {
    if (const auto* bits = validity_buffer(*c.array); bits != nullptr) {
        for (std::size_t i = 0; i < s.count; ++i) {
            if (!bit_at(bits, s.first + i)) {
                fail_ingest("designated timestamp " + where(c) + " is NULL at row " +
                            std::to_string(i));
            }
        }
    }
    const auto values = values_of<std::int64_t>(c, s);
    switch (c.physical) {
        case Physical::ts_seconds:
            chunk.designated_timestamp_seconds(values);
            return;
        case Physical::ts_millis:
        case Physical::date64_millis:
            chunk.designated_timestamp_millis(values);
            return;
        case Physical::ts_micros:
            chunk.designated_timestamp_micros(values);
            return;
        default:
            chunk.designated_timestamp_nanos(values);
            return;
    }
}

}  // namespace questdb::arrow::detail
