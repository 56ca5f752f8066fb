#pragma once

// The benchmark data shapes of issue 10, shared by every bench binary so figures line up:
//
// - S1 (narrow): designated timestamp stepping 1 us, `id` LONG, `price` DOUBLE = i * 0.25,
//   `sym` SYMBOL with 8 distinct values, `note` VARCHAR of 16 bytes.
// - S2 (wide): S1 plus `d1..d5` DOUBLE and `s1..s5` SYMBOL with 100,000 distinct values each.
// - trades (the Rust client's bench): `sym` SYMBOL (1,000 values SYM0000..), `qty` LONG,
//   `px` DOUBLE, designated timestamp in ns.
//
// Data is generated once (deterministic xorshift) as Arrow-style columns, so the column
// sender takes spans of it and the row API reads the same values row by row.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "questdb/ingress/buffer.hpp"
#include "questdb/ingress/chunk.hpp"
#include "questdb/ingress/timestamp.hpp"

namespace qdb_bench {

enum class ShapeKind { s1, s2, trades };

inline const char* shape_name(ShapeKind k) {
    switch (k) {
        case ShapeKind::s1:
            return "S1";
        case ShapeKind::s2:
            return "S2";
        case ShapeKind::trades:
            return "trades";
    }
    return "?";
}

// A symbol column's Arrow dictionary layout plus the same values as strings for the row API.
struct SymbolDictionary {
    std::vector<std::int32_t> offsets{0};
    std::vector<std::uint8_t> bytes;
    std::vector<std::string> values;

    void add(std::string value) {
        bytes.insert(bytes.end(), value.begin(), value.end());
        offsets.push_back(static_cast<std::int32_t>(bytes.size()));
        values.push_back(std::move(value));
    }
};

struct SymbolColumn {
    std::string name;
    SymbolDictionary dict;
    std::vector<std::int32_t> codes;
};

struct DoubleColumn {
    std::string name;
    std::vector<double> values;
};

constexpr std::size_t kNoteBytes = 16;

// One shape's rows, column by column. Fields a shape lacks stay empty.
struct ShapeData {
    ShapeKind kind = ShapeKind::s1;
    std::string table;
    std::size_t rows = 0;
    std::vector<std::int64_t> ts;     // micros for S1/S2, nanos for trades
    std::vector<std::int64_t> longs;  // `id` (S1/S2) or `qty` (trades)
    std::string long_name;
    std::vector<SymbolColumn> symbols;       // `sym` first, then s1..s5 for S2
    std::vector<DoubleColumn> doubles;       // `price`/`px` first, then d1..d5 for S2
    std::vector<std::uint8_t> note_bytes;    // S1/S2: 16 bytes per row, back to back
    std::vector<std::int32_t> note_offsets;  // 0, 16, 32, ... (rows + 1 entries)

    [[nodiscard]] bool has_note() const { return !note_bytes.empty(); }
    [[nodiscard]] std::string_view note(std::size_t r) const {
        return {reinterpret_cast<const char*>(note_bytes.data()) + r * kNoteBytes, kNoteBytes};
    }
    [[nodiscard]] std::string_view symbol(std::size_t column, std::size_t r) const {
        const auto& s = symbols[column];
        return s.dict.values[static_cast<std::size_t>(s.codes[r])];
    }
};

struct XorShift {
    std::uint64_t x = 88172645463325252ULL;
    std::uint64_t next() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x;
    }
};

inline ShapeData make_shape(ShapeKind kind, std::size_t rows) {
    ShapeData d;
    d.kind = kind;
    d.rows = rows;
    XorShift rng;
    const bool trades = kind == ShapeKind::trades;
    d.table = trades ? "trades" : (kind == ShapeKind::s1 ? "s1" : "s2");
    d.long_name = trades ? "qty" : "id";

    SymbolColumn sym{"sym", {}, {}};
    const int distinct = trades ? 1000 : 8;
    char text[32];
    for (int i = 0; i < distinct; ++i) {
        std::snprintf(text, sizeof text, trades ? "SYM%04d" : "sym-%d", i);
        sym.dict.add(text);
    }
    d.symbols.push_back(std::move(sym));
    d.doubles.push_back({trades ? "px" : "price", {}});
    if (kind == ShapeKind::s2) {
        for (int c = 1; c <= 5; ++c) {
            SymbolColumn s{"s" + std::to_string(c), {}, {}};
            for (int i = 0; i < 100'000; ++i) {
                std::snprintf(text, sizeof text, "s%d-v%06d", c, i);
                s.dict.add(text);
            }
            d.symbols.push_back(std::move(s));
            d.doubles.push_back({"d" + std::to_string(c), {}});
        }
    }
    for (auto& s : d.symbols)
        s.codes.reserve(rows);
    for (auto& c : d.doubles)
        c.values.reserve(rows);
    d.ts.reserve(rows);
    d.longs.reserve(rows);
    if (!trades) {
        d.note_bytes.reserve(rows * kNoteBytes);
        d.note_offsets.reserve(rows + 1);
        d.note_offsets.push_back(0);
    }
    const std::int64_t base_us = 1'700'000'000'000'000;
    for (std::size_t r = 0; r < rows; ++r) {
        const auto i = static_cast<std::int64_t>(r);
        d.ts.push_back(trades ? base_us * 1000 + i * 1000 : base_us + i);
        d.longs.push_back(trades ? static_cast<std::int64_t>(rng.next() % 5000) : i);
        for (auto& s : d.symbols) {
            s.codes.push_back(static_cast<std::int32_t>(rng.next() % s.dict.values.size()));
        }
        d.doubles[0].values.push_back(trades ? 100.0 +
                                                   static_cast<double>(rng.next() % 100000) / 1000.0
                                             : static_cast<double>(i) * 0.25);
        for (std::size_t c = 1; c < d.doubles.size(); ++c) {
            d.doubles[c].values.push_back(static_cast<double>(rng.next() % 1'000'000) / 100.0);
        }
        if (!trades) {
            std::snprintf(text, sizeof text, "note-%011llu",
                          static_cast<unsigned long long>(rng.next() % 100'000'000'000ULL));
            d.note_bytes.insert(d.note_bytes.end(), text, text + kNoteBytes);
            d.note_offsets.push_back(static_cast<std::int32_t>(d.note_bytes.size()));
        }
    }
    return d;
}

// Shapes are built once per process (S2's dictionaries take a moment).
inline const ShapeData& shape(ShapeKind kind, std::size_t rows) {
    static std::vector<std::unique_ptr<ShapeData>> cache;
    for (const auto& d : cache) {
        if (d->kind == kind && d->rows == rows)
            return *d;
    }
    cache.push_back(std::make_unique<ShapeData>(make_shape(kind, rows)));
    return *cache.back();
}

// Binds rows [begin, begin + count) of `d` to `chunk` (no copy: the chunk borrows the spans).
inline void fill_chunk(questdb::ingress::Chunk& chunk, const ShapeData& d, std::size_t begin,
                       std::size_t count) {
    for (const auto& s : d.symbols) {
        chunk.symbol_dict_i32(s.name, std::span(s.codes).subspan(begin, count), s.dict.offsets,
                              s.dict.bytes);
    }
    chunk.column_i64(d.long_name, std::span(d.longs).subspan(begin, count));
    for (const auto& c : d.doubles) {
        chunk.column_f64(c.name, std::span(c.values).subspan(begin, count));
    }
    if (d.has_note()) {
        // Every note is 16 bytes, so the first count + 1 offsets fit any window of the bytes.
        chunk.column_varchar(
            "note", std::span(d.note_offsets).first(count + 1),
            std::span(d.note_bytes).subspan(begin * kNoteBytes, count * kNoteBytes));
    }
    const auto ts = std::span(d.ts).subspan(begin, count);
    if (d.kind == ShapeKind::trades) {
        chunk.designated_timestamp_nanos(ts);
    } else {
        chunk.designated_timestamp_micros(ts);
    }
}

// Appends rows [begin, begin + count) through the row API (QWP or ILP buffer alike):
// symbols first, as ILP requires.
inline void fill_buffer(questdb::ingress::Buffer& buffer, const ShapeData& d, std::size_t begin,
                        std::size_t count) {
    using questdb::ingress::TimestampMicros;
    using questdb::ingress::TimestampNanos;
    const std::size_t end = begin + count;
    const std::size_t symbol_columns = d.symbols.size();
    const std::size_t double_columns = d.doubles.size();
    for (std::size_t r = begin; r < end; ++r) {
        buffer.table(d.table);
        for (std::size_t s = 0; s < symbol_columns; ++s) {
            buffer.symbol(d.symbols[s].name, d.symbol(s, r));
        }
        buffer.column_i64(d.long_name, d.longs[r]);
        for (std::size_t c = 0; c < double_columns; ++c) {
            buffer.column_f64(d.doubles[c].name, d.doubles[c].values[r]);
        }
        if (d.has_note()) {
            buffer.column_str("note", d.note(r));
        }
        if (d.kind == ShapeKind::trades) {
            buffer.at(TimestampNanos(d.ts[r]));
        } else {
            buffer.at(TimestampMicros(d.ts[r]));
        }
    }
}

// Input bytes a row carries in its Arrow-style columns (what a memcpy of the inputs copies).
inline std::size_t input_bytes_per_row(const ShapeData& d) {
    return 8 /*ts*/ + 8 /*long*/ + 4 * d.symbols.size() + 8 * d.doubles.size() +
           (d.has_note() ? kNoteBytes + 4 : 0);
}

}  // namespace qdb_bench
