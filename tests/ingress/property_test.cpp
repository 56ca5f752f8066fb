// Property tests: random tables (types, names, null patterns, 0..10,000 rows) encoded through
// Chunk and through Buffer, with random frame caps, Gorilla and symbol modes, then decoded
// by the strict decoder and compared with the model they were generated from.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "ingress/encode.hpp"
#include "questdb/ingress/buffer.hpp"
#include "questdb/ingress/chunk.hpp"
#include "qwp/decoder.hpp"

namespace {

using questdb::ingress::Buffer;
using questdb::ingress::Chunk;
using questdb::ingress::TimestampMicros;
using questdb::ingress::TimestampNanos;
using namespace questdb::qwp;

using Rng = std::mt19937_64;

enum class Kind {
    i8,
    i16,
    i32,
    i64,
    f32,
    f64,
    boolean,
    ts_micros,
    ts_nanos,
    date,
    uuid,
    long256,
    ipv4,
    ch,
    geohash,
    varchar,
    binary,
    symbol,
    dec64,
    dec128,
    dec256,
    arr_f64,
    arr_i64,
    kCount
};

// What the decoder must report for one column.
struct Expected {
    std::string name;
    Kind kind{};
    TypeCode type{};
    bool sentinel = false;  // nulls arrive as 0/false, not NULL
    std::vector<std::uint8_t> nulls;
    std::vector<std::int64_t> ints;
    std::vector<double> floats;
    std::vector<std::string> bytes;
    std::vector<DecodedArray> arrays;
    std::uint8_t scale = 0;
    std::uint8_t geo_bits = 0;
};

// Owned source arrays a Chunk borrows.
struct Source {
    std::vector<std::uint8_t> validity;
    std::vector<std::int64_t> i64;
    std::vector<std::int32_t> i32;
    std::vector<std::int16_t> i16;
    std::vector<std::int8_t> i8;
    std::vector<float> f32;
    std::vector<double> f64;
    std::vector<std::uint32_t> u32;
    std::vector<char16_t> c16;
    std::vector<std::uint64_t> u64;
    std::vector<std::uint8_t> bits;
    std::vector<std::array<std::uint8_t, 16>> b16;
    std::vector<std::array<std::uint8_t, 32>> b32;
    std::vector<std::int32_t> off32;
    std::vector<std::int64_t> off64;
    std::vector<std::uint8_t> data;
    std::vector<std::int32_t> dict_off32;
    std::vector<std::int64_t> dict_off64;
    std::vector<std::uint8_t> dict_bytes;
    std::vector<std::string> dict;
    std::vector<std::int64_t> codes;                // per row, into dict
    std::vector<std::vector<std::int32_t>> shapes;  // Buffer arrays (per row)
    std::vector<std::int32_t> flat_shapes;          // Chunk N-D arrays: rows x rank
};

const TypeCode kTypes[] = {TypeCode::byte,         TypeCode::short_,     TypeCode::int_,
                           TypeCode::long_,        TypeCode::float_,     TypeCode::double_,
                           TypeCode::boolean,      TypeCode::timestamp,  TypeCode::timestamp_nanos,
                           TypeCode::date,         TypeCode::uuid,       TypeCode::long256,
                           TypeCode::ipv4,         TypeCode::char_,      TypeCode::geohash,
                           TypeCode::varchar,      TypeCode::binary,     TypeCode::symbol,
                           TypeCode::decimal64,    TypeCode::decimal128, TypeCode::decimal256,
                           TypeCode::double_array, TypeCode::long_array};

std::string random_text(Rng& rng, std::size_t max_len) {
    static const char* const kPieces[] = {
        "a", "b", "z", "Q", "7", "_", " ", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80",
        "x", "y"};
    std::string s;
    const std::size_t n = rng() % (max_len + 1);
    for (std::size_t i = 0; i < n; ++i)
        s += kPieces[rng() % std::size(kPieces)];
    return s;
}

std::string random_name(Rng& rng, std::size_t index) {
    static const char* const kPieces[] = {"col", "x", "Value", "\xC3\xA9t\xC3\xA9",
                                          "_",   "9", "price", "\xE6\x97\xA5"};
    std::string s = kPieces[rng() % std::size(kPieces)];
    s += std::to_string(index);
    return s;
}

std::size_t random_rows(Rng& rng, std::size_t i) {
    if (i % 97 == 0)
        return 0;
    if (i % 199 == 0)
        return 10'000;
    const auto r = rng() % 100;
    if (r < 85)
        return rng() % 101;
    if (r < 98)
        return 100 + rng() % 900;
    return 1000 + rng() % 9001;
}

// Builds one column's expected values and chunk sources.
struct ColumnCase {
    Expected exp;
    Source src;
    bool large = false;
    int code_width = 4;
};

void fill_column(Rng& rng, ColumnCase& c, std::size_t rows, bool allow_nulls) {
    auto& e = c.exp;
    auto& s = c.src;
    e.type = kTypes[static_cast<int>(e.kind)];
    e.sentinel = uses_sentinel_nulls(e.type);
    const double null_p[] = {0.0, 0.0, 0.1, 0.5, 1.0};
    const double p = allow_nulls ? null_p[rng() % 5] : 0.0;
    s.validity.assign((rows + 7) / 8, 0);
    e.nulls.assign(rows, 0);
    bool any_null = false;
    for (std::size_t r = 0; r < rows; ++r) {
        const bool is_null = std::uniform_real_distribution<double>(0, 1)(rng) < p;
        if (!is_null)
            s.validity[r / 8] |= static_cast<std::uint8_t>(1u << (r % 8));
        if (is_null && !e.sentinel)
            e.nulls[r] = 1;
        any_null |= is_null;
    }
    if (!any_null && rng() % 2 == 0)
        s.validity.clear();  // often no bitmap at all
    auto valid = [&](std::size_t r) {
        return s.validity.empty() || ((s.validity[r / 8] >> (r % 8)) & 1);
    };
    e.ints.assign(rows, 0);
    e.floats.assign(rows, 0.0);
    e.bytes.assign(rows, std::string());
    e.arrays.assign(rows, DecodedArray{});
    c.large = rng() % 2 == 0;
    switch (e.kind) {
        case Kind::i8:
        case Kind::i16:
        case Kind::i32:
        case Kind::i64:
        case Kind::date:
        case Kind::ts_micros:
        case Kind::ts_nanos:
        case Kind::ipv4:
        case Kind::ch:
        case Kind::dec64:
            for (std::size_t r = 0; r < rows; ++r) {
                std::int64_t v = static_cast<std::int64_t>(rng());
                switch (e.kind) {
                    case Kind::i8:
                        v = static_cast<std::int8_t>(v);
                        s.i8.push_back(static_cast<std::int8_t>(v));
                        break;
                    case Kind::i16:
                        v = static_cast<std::int16_t>(v);
                        s.i16.push_back(static_cast<std::int16_t>(v));
                        break;
                    case Kind::i32:
                        v = static_cast<std::int32_t>(v);
                        s.i32.push_back(static_cast<std::int32_t>(v));
                        break;
                    case Kind::ipv4:
                        v = static_cast<std::uint32_t>(v);
                        s.u32.push_back(static_cast<std::uint32_t>(v));
                        break;
                    case Kind::ch:
                        v = static_cast<char16_t>(v);
                        s.c16.push_back(static_cast<char16_t>(v));
                        break;
                    case Kind::ts_micros:
                    case Kind::ts_nanos:
                        v = 1'600'000'000'000'000 + static_cast<std::int64_t>(r) * 1000 +
                            static_cast<std::int64_t>(rng() % 3);
                        s.i64.push_back(v);
                        break;
                    default:
                        s.i64.push_back(v);
                        break;
                }
                if (valid(r))
                    e.ints[r] = v;
            }
            if (e.kind == Kind::dec64)
                e.scale = static_cast<std::uint8_t>(rng() % 19);
            break;
        case Kind::f32:
            for (std::size_t r = 0; r < rows; ++r) {
                const float v = std::uniform_real_distribution<float>(-1e6f, 1e6f)(rng);
                s.f32.push_back(v);
                if (valid(r))
                    e.floats[r] = v;
            }
            break;
        case Kind::f64:
            for (std::size_t r = 0; r < rows; ++r) {
                const double v =
                    r % 17 == 3 ? -0.0 : std::uniform_real_distribution<double>(-1e300, 1e300)(rng);
                s.f64.push_back(v);
                if (valid(r))
                    e.floats[r] = v;
            }
            break;
        case Kind::boolean:
            s.bits.assign((rows + 7) / 8, 0);
            for (std::size_t r = 0; r < rows; ++r) {
                if (rng() % 2) {
                    s.bits[r / 8] |= static_cast<std::uint8_t>(1u << (r % 8));
                    if (valid(r))
                        e.ints[r] = 1;
                }
            }
            break;
        case Kind::uuid:
        case Kind::dec128:
            for (std::size_t r = 0; r < rows; ++r) {
                std::array<std::uint8_t, 16> v{};
                for (auto& b : v)
                    b = static_cast<std::uint8_t>(rng());
                s.b16.push_back(v);
                if (valid(r))
                    e.bytes[r].assign(reinterpret_cast<const char*>(v.data()), 16);
            }
            if (e.kind == Kind::dec128)
                e.scale = static_cast<std::uint8_t>(rng() % 39);
            break;
        case Kind::long256:
        case Kind::dec256:
            for (std::size_t r = 0; r < rows; ++r) {
                std::array<std::uint8_t, 32> v{};
                for (auto& b : v)
                    b = static_cast<std::uint8_t>(rng());
                s.b32.push_back(v);
                if (valid(r))
                    e.bytes[r].assign(reinterpret_cast<const char*>(v.data()), 32);
            }
            if (e.kind == Kind::dec256)
                e.scale = static_cast<std::uint8_t>(rng() % 77);
            break;
        case Kind::geohash:
            e.geo_bits = static_cast<std::uint8_t>(1 + rng() % 60);
            for (std::size_t r = 0; r < rows; ++r) {
                const std::uint64_t v = rng() & ((std::uint64_t{1} << e.geo_bits) - 1);
                s.u64.push_back(v);
                if (valid(r))
                    e.ints[r] = static_cast<std::int64_t>(v);
            }
            break;
        case Kind::varchar:
        case Kind::binary: {
            const std::size_t base = rng() % 3;  // a non-zero first offset tests rebasing
            s.data.assign(base, 'p');
            s.off32.push_back(static_cast<std::int32_t>(base));
            s.off64.push_back(static_cast<std::int64_t>(base));
            for (std::size_t r = 0; r < rows; ++r) {
                std::string v = random_text(rng, 12);
                if (e.kind == Kind::binary && !v.empty())
                    v[0] = static_cast<char>(rng());
                s.data.insert(s.data.end(), v.begin(), v.end());
                s.off32.push_back(static_cast<std::int32_t>(s.data.size()));
                s.off64.push_back(static_cast<std::int64_t>(s.data.size()));
                if (valid(r))
                    e.bytes[r] = v;
            }
            break;
        }
        case Kind::symbol: {
            const std::size_t dict_size = 1 + rng() % (rng() % 4 == 0 ? 120 : 10);
            c.code_width = dict_size <= 127 && rng() % 2 ? 1 : (rng() % 2 ? 2 : 4);
            s.dict_off32.push_back(0);
            s.dict_off64.push_back(0);
            for (std::size_t d = 0; d < dict_size; ++d) {
                std::string v = "s" + std::to_string(rng() % 1000) + random_text(rng, 4);
                s.dict.push_back(v);
                s.dict_bytes.insert(s.dict_bytes.end(), v.begin(), v.end());
                s.dict_off32.push_back(static_cast<std::int32_t>(s.dict_bytes.size()));
                s.dict_off64.push_back(static_cast<std::int64_t>(s.dict_bytes.size()));
            }
            for (std::size_t r = 0; r < rows; ++r) {
                const auto code = static_cast<std::int64_t>(rng() % dict_size);
                s.codes.push_back(valid(r) ? code
                                           : (rng() % 2 ? -1 : 1000));  // null codes are ignored
                s.i8.push_back(static_cast<std::int8_t>(s.codes.back()));
                s.i16.push_back(static_cast<std::int16_t>(s.codes.back()));
                s.i32.push_back(static_cast<std::int32_t>(s.codes.back()));
                if (valid(r))
                    e.bytes[r] = s.dict[static_cast<std::size_t>(code)];
            }
            break;
        }
        case Kind::arr_f64:
        case Kind::arr_i64:
            s.off64.push_back(0);
            for (std::size_t r = 0; r < rows; ++r) {
                auto& a = e.arrays[r];
                std::vector<std::int32_t> shape;
                const std::size_t dims = 1 + rng() % 3;
                std::size_t n = 1;
                for (std::size_t d = 0; d < dims; ++d) {
                    shape.push_back(static_cast<std::int32_t>(rng() % 4));
                    n *= static_cast<std::size_t>(shape.back());
                }
                s.shapes.push_back(shape);
                for (std::size_t k = 0; k < n; ++k) {
                    if (e.kind == Kind::arr_f64) {
                        const double v = std::uniform_real_distribution<double>(-100, 100)(rng);
                        s.f64.push_back(v);
                        if (valid(r))
                            a.doubles.push_back(v);
                    } else {
                        const auto v = static_cast<std::int64_t>(rng());
                        s.i64.push_back(v);
                        if (valid(r))
                            a.longs.push_back(v);
                    }
                }
                s.off64.push_back(static_cast<std::int64_t>(
                    e.kind == Kind::arr_f64 ? s.f64.size() : s.i64.size()));
                if (valid(r))
                    a.shape = shape;
            }
            break;
        case Kind::kCount:
            break;
    }
}

// Flattens decoded blocks of one table (possibly split over frames) by column name.
struct Collected {
    std::size_t rows = 0;
    std::map<std::string, DecodedColumn> columns;
};

void append(Collected& into, const DecodedTable& t) {
    for (const auto& c : t.columns) {
        auto [it, fresh] = into.columns.try_emplace(c.name);
        auto& dst = it->second;
        if (fresh) {
            dst = DecodedColumn{};
            dst.name = c.name;
            dst.type = c.type;
            dst.scale = c.scale;
            dst.geohash_bits = c.geohash_bits;
            // Rows before this column appeared (Buffer splits cannot add columns, but be safe).
            dst.nulls.assign(into.rows, 1);
            dst.ints.assign(into.rows, 0);
            dst.floats.assign(into.rows, 0);
            dst.bytes.assign(into.rows, {});
            dst.arrays.assign(into.rows, {});
        }
        auto cat = [](auto& a, const auto& b, std::size_t rows) {
            if (b.empty()) {
                a.resize(a.size() + rows);
            } else {
                a.insert(a.end(), b.begin(), b.end());
            }
        };
        cat(dst.nulls, c.nulls, t.row_count);
        cat(dst.ints, c.ints, t.row_count);
        cat(dst.floats, c.floats, t.row_count);
        cat(dst.bytes, c.bytes, t.row_count);
        cat(dst.arrays, c.arrays, t.row_count);
    }
    into.rows += t.row_count;
}

bool same_double(double a, double b) {
    return std::memcmp(&a, &b, sizeof a) == 0;
}

void compare(const Expected& e, const DecodedColumn* got, std::size_t rows,
             const std::string& ctx) {
    if (got == nullptr) {
        // A Buffer never creates a column whose every value is NULL.
        for (std::size_t r = 0; r < rows; ++r) {
            ASSERT_TRUE(e.nulls[r] || e.sentinel) << ctx << " missing column " << e.name;
        }
        return;
    }
    ASSERT_EQ(got->type, e.type) << ctx;
    ASSERT_EQ(got->nulls.size(), rows) << ctx;
    if (is_decimal(e.type)) {
        ASSERT_EQ(got->scale, e.scale) << ctx;
    }
    if (e.type == TypeCode::geohash) {
        ASSERT_EQ(got->geohash_bits, e.geo_bits) << ctx;
    }
    for (std::size_t r = 0; r < rows; ++r) {
        const std::string at = ctx + " row " + std::to_string(r);
        ASSERT_EQ(got->nulls[r] != 0, e.nulls[r] != 0) << at;
        if (e.nulls[r])
            continue;
        switch (e.type) {
            case TypeCode::float_:
            case TypeCode::double_:
                ASSERT_TRUE(same_double(got->floats[r], e.floats[r]))
                    << at << " " << got->floats[r] << " vs " << e.floats[r];
                break;
            case TypeCode::uuid:
            case TypeCode::long256:
            case TypeCode::varchar:
            case TypeCode::binary:
            case TypeCode::symbol:
            case TypeCode::decimal128:
            case TypeCode::decimal256:
                ASSERT_EQ(got->bytes[r], e.bytes[r]) << at;
                break;
            case TypeCode::double_array:
            case TypeCode::long_array:
                ASSERT_EQ(got->arrays[r].shape, e.arrays[r].shape) << at;
                ASSERT_EQ(got->arrays[r].longs, e.arrays[r].longs) << at;
                ASSERT_EQ(got->arrays[r].doubles.size(), e.arrays[r].doubles.size()) << at;
                for (std::size_t k = 0; k < e.arrays[r].doubles.size(); ++k) {
                    ASSERT_TRUE(same_double(got->arrays[r].doubles[k], e.arrays[r].doubles[k]))
                        << at;
                }
                break;
            default:
                ASSERT_EQ(got->ints[r], e.ints[r]) << at;
        }
    }
}

EncodeOptions random_options(Rng& rng) {
    EncodeOptions opt;
    const std::size_t caps[] = {16 * 1024 * 1024, 1 << 16, 8192, 4096};
    opt.max_frame_size = caps[rng() % 4];
    opt.gorilla = rng() % 2 == 0;
    // Self-contained frames repeat the dictionary up to their highest id: give them room.
    opt.symbol_mode = rng() % 4 == 0 && opt.max_frame_size >= (1 << 16) ? SymbolMode::self_contained
                                                                        : SymbolMode::delta;
    return opt;
}

struct Connection {
    MessageEncoder encoder;
    SymbolDictionary dict;
    IngressDecoderState state;
    EncodedFrames frames;
};

std::map<std::string, Collected> decode_all(Connection& conn, const std::string& ctx,
                                            std::size_t max_frame) {
    std::map<std::string, Collected> out;
    for (std::size_t f = 0; f < conn.frames.count(); ++f) {
        const auto frame = conn.frames.frame(f);
        EXPECT_LE(frame.size(), max_frame) << ctx;
        EXPECT_EQ((frame[5] & kFlagDeferCommit) != 0, f + 1 < conn.frames.count()) << ctx;
        auto msg = decode_ingress_message(frame, conn.state);
        EXPECT_TRUE(msg.ok()) << ctx << ": " << (msg.ok() ? "" : msg.failure().message);
        if (!msg.ok())
            return out;
        for (const auto& t : msg.value().tables)
            append(out[t.name], t);
    }
    return out;
}

std::vector<ColumnCase> random_columns(Rng& rng, std::size_t rows, bool allow_nulls) {
    std::vector<ColumnCase> cols(1 + rng() % 6);
    for (std::size_t i = 0; i < cols.size(); ++i) {
        cols[i].exp.kind = static_cast<Kind>(rng() % static_cast<int>(Kind::kCount));
        cols[i].exp.name = random_name(rng, i);
        fill_column(rng, cols[i], rows, allow_nulls);
    }
    return cols;
}

void add_to_chunk(Chunk& chunk, ColumnCase& c, std::size_t rows) {
    auto& s = c.src;
    const auto& n = c.exp.name;
    const questdb::ingress::Validity v = s.validity;
    switch (c.exp.kind) {
        case Kind::i8:
            chunk.column_i8(n, s.i8, v);
            break;
        case Kind::i16:
            chunk.column_i16(n, s.i16, v);
            break;
        case Kind::i32:
            chunk.column_i32(n, s.i32, v);
            break;
        case Kind::i64:
            chunk.column_i64(n, s.i64, v);
            break;
        case Kind::f32:
            chunk.column_f32(n, s.f32, v);
            break;
        case Kind::f64:
            chunk.column_f64(n, s.f64, v);
            break;
        case Kind::boolean:
            chunk.column_bool(n, s.bits, rows, v);
            break;
        case Kind::ts_micros:
            chunk.column_ts_micros(n, s.i64, v);
            break;
        case Kind::ts_nanos:
            chunk.column_ts_nanos(n, s.i64, v);
            break;
        case Kind::date:
            chunk.column_date_millis(n, s.i64, v);
            break;
        case Kind::uuid:
            chunk.column_uuid(n, s.b16, v);
            break;
        case Kind::long256:
            chunk.column_long256(n, s.b32, v);
            break;
        case Kind::ipv4:
            chunk.column_ipv4(n, s.u32, v);
            break;
        case Kind::ch:
            chunk.column_char(n, s.c16, v);
            break;
        case Kind::geohash:
            chunk.column_geohash(n, s.u64, c.exp.geo_bits, v);
            break;
        case Kind::varchar:
            c.large ? chunk.column_varchar_large(n, s.off64, s.data, v)
                    : chunk.column_varchar(n, s.off32, s.data, v);
            break;
        case Kind::binary:
            c.large ? chunk.column_binary_large(n, s.off64, s.data, v)
                    : chunk.column_binary(n, s.off32, s.data, v);
            break;
        case Kind::symbol:
            if (c.large) {
                if (c.code_width == 1)
                    chunk.symbol_dict_large_i8(n, s.i8, s.dict_off64, s.dict_bytes, v);
                else if (c.code_width == 2)
                    chunk.symbol_dict_large_i16(n, s.i16, s.dict_off64, s.dict_bytes, v);
                else
                    chunk.symbol_dict_large_i32(n, s.i32, s.dict_off64, s.dict_bytes, v);
            } else {
                if (c.code_width == 1)
                    chunk.symbol_dict_i8(n, s.i8, s.dict_off32, s.dict_bytes, v);
                else if (c.code_width == 2)
                    chunk.symbol_dict_i16(n, s.i16, s.dict_off32, s.dict_bytes, v);
                else
                    chunk.symbol_dict_i32(n, s.i32, s.dict_off32, s.dict_bytes, v);
            }
            break;
        case Kind::dec64:
            chunk.column_dec64(n, s.i64, c.exp.scale, v);
            break;
        case Kind::dec128:
            chunk.column_dec128(n, s.b16, c.exp.scale, v);
            break;
        case Kind::dec256:
            chunk.column_dec256(n, s.b32, c.exp.scale, v);
            break;
        case Kind::arr_f64:
        case Kind::arr_i64: {
            if (n.size() % 2 == 0) {
                // N-dimensional setter: one rank per column, so pad every row's shape with
                // trailing 1s up to the column's largest rank (the product stays the same).
                std::size_t rank = 1;
                for (const auto& shape : s.shapes)
                    rank = std::max(rank, shape.size());
                s.flat_shapes.clear();
                for (std::size_t r = 0; r < s.shapes.size(); ++r) {
                    auto shape = s.shapes[r];
                    shape.resize(rank, 1);
                    s.flat_shapes.insert(s.flat_shapes.end(), shape.begin(), shape.end());
                    if (!c.exp.arrays[r].shape.empty())
                        c.exp.arrays[r].shape = shape;
                }
                if (c.exp.kind == Kind::arr_f64)
                    chunk.column_arr_f64(n, rank, s.flat_shapes, s.off64, s.f64, v);
                else
                    chunk.column_arr_i64(n, rank, s.flat_shapes, s.off64, s.i64, v);
                break;
            }
            // One-dimensional setter: flatten the expected shape to [n].
            for (auto& a : c.exp.arrays) {
                if (!a.shape.empty())
                    a.shape = {static_cast<std::int32_t>(a.doubles.size() + a.longs.size())};
            }
            if (c.exp.kind == Kind::arr_f64)
                chunk.column_arr_f64(n, s.off64, s.f64, v);
            else
                chunk.column_arr_i64(n, s.off64, s.i64, v);
            break;
        }
        case Kind::kCount:
            break;
    }
}

TEST(Property, ThousandRandomChunksRoundTrip) {
    Rng rng(20261122);
    Connection conn;
    std::size_t total_rows = 0;
    for (std::size_t i = 0; i < 1000; ++i) {
        const std::size_t rows = random_rows(rng, i);
        total_rows += rows;
        auto cols = random_columns(rng, rows, true);
        const std::string table = "chunk_table_" + std::to_string(i % 37);
        Chunk chunk(table);
        for (auto& c : cols)
            add_to_chunk(chunk, c, rows);
        // Designated timestamp in a random unit (or server time).
        std::vector<std::int64_t> ts(rows);
        std::int64_t t = 1'000'000 + static_cast<std::int64_t>(rng() % 1000);
        for (auto& x : ts) {
            t += rng() % 50 == 0 ? static_cast<std::int64_t>(rng() % 1'000'000'000) : 7;
            x = t;
        }
        Expected designated;
        designated.name = "";
        designated.nulls.assign(rows, 0);
        designated.ints = ts;
        const int unit = static_cast<int>(rng() % 5);
        designated.type = unit == 0 ? TypeCode::timestamp_nanos : TypeCode::timestamp;
        switch (unit) {
            case 0:
                chunk.designated_timestamp_nanos(ts);
                break;
            case 1:
                chunk.designated_timestamp_micros(ts);
                break;
            case 2:
                chunk.designated_timestamp_millis(ts);
                for (auto& x : designated.ints)
                    x *= 1000;
                break;
            case 3:
                chunk.designated_timestamp_seconds(ts);
                for (auto& x : designated.ints)
                    x *= 1'000'000;
                break;
            default:
                chunk.at_now();
                break;
        }
        const auto opt = random_options(rng);
        conn.frames.clear();
        const std::string ctx = "case " + std::to_string(i) + " rows " + std::to_string(rows);
        auto st = questdb::ingress::encode_chunk(conn.encoder, chunk, conn.dict, opt, conn.frames);
        ASSERT_TRUE(st.ok()) << ctx << ": " << st.failure().message;
        auto decoded = decode_all(conn, ctx, opt.max_frame_size);
        if (rows == 0) {
            ASSERT_TRUE(decoded.empty()) << ctx;
            continue;
        }
        ASSERT_EQ(decoded.size(), 1u) << ctx;
        const auto& got = decoded[table];
        ASSERT_EQ(got.rows, rows) << ctx;
        ASSERT_EQ(got.columns.size(), cols.size() + (unit == 4 ? 0 : 1)) << ctx;
        for (const auto& c : cols) {
            auto it = got.columns.find(c.exp.name);
            compare(c.exp, it == got.columns.end() ? nullptr : &it->second, rows,
                    ctx + " column " + c.exp.name);
            if (HasFatalFailure())
                return;
        }
        if (unit != 4)
            compare(designated, &got.columns.at(""), rows, ctx + " designated");
        if (HasFatalFailure())
            return;
    }
    EXPECT_GT(total_rows, 100'000u);
}

void add_row_value(Buffer& b, const ColumnCase& c, std::size_t r) {
    const auto& e = c.exp;
    const auto& s = c.src;
    const auto& n = e.name;
    switch (e.kind) {
        case Kind::i8:
            b.column_i8(n, static_cast<std::int8_t>(e.ints[r]));
            break;
        case Kind::i16:
            b.column_i16(n, static_cast<std::int16_t>(e.ints[r]));
            break;
        case Kind::i32:
            b.column_i32(n, static_cast<std::int32_t>(e.ints[r]));
            break;
        case Kind::i64:
            b.column_i64(n, e.ints[r]);
            break;
        case Kind::f32:
            b.column_f32(n, static_cast<float>(e.floats[r]));
            break;
        case Kind::f64:
            b.column_f64(n, e.floats[r]);
            break;
        case Kind::boolean:
            b.column_bool(n, e.ints[r] != 0);
            break;
        case Kind::ts_micros:
            b.column_ts(n, TimestampMicros(e.ints[r]));
            break;
        case Kind::ts_nanos:
            b.column_ts(n, TimestampNanos(e.ints[r]));
            break;
        case Kind::date:
            b.column_date(n, e.ints[r]);
            break;
        case Kind::uuid: {
            std::uint64_t lo, hi;
            std::memcpy(&lo, e.bytes[r].data(), 8);
            std::memcpy(&hi, e.bytes[r].data() + 8, 8);
            b.column_uuid(n, lo, hi);
            break;
        }
        case Kind::long256: {
            std::array<std::uint64_t, 4> limbs;
            std::memcpy(limbs.data(), e.bytes[r].data(), 32);
            b.column_long256(n, limbs);
            break;
        }
        case Kind::ipv4:
            b.column_ipv4(n, static_cast<std::uint32_t>(e.ints[r]));
            break;
        case Kind::ch:
            b.column_char(n, static_cast<char16_t>(e.ints[r]));
            break;
        case Kind::geohash:
            b.column_geohash(n, static_cast<std::uint64_t>(e.ints[r]), e.geo_bits);
            break;
        case Kind::varchar:
            b.column_str(n, e.bytes[r]);
            break;
        case Kind::binary:
            b.column_binary(
                n, {reinterpret_cast<const std::uint8_t*>(e.bytes[r].data()), e.bytes[r].size()});
            break;
        case Kind::symbol:
            b.symbol(n, e.bytes[r]);
            break;
        case Kind::dec64:
            b.column_dec64(n, e.ints[r], e.scale);
            break;
        case Kind::dec128: {
            std::uint64_t lo;
            std::int64_t hi;
            std::memcpy(&lo, e.bytes[r].data(), 8);
            std::memcpy(&hi, e.bytes[r].data() + 8, 8);
            b.column_dec128(n, lo, hi, e.scale);
            break;
        }
        case Kind::dec256: {
            // The text form: an int64 unscaled value at the column's scale.
            std::int64_t unscaled;
            std::memcpy(&unscaled, e.bytes[r].data(), 8);
            std::string digits = std::to_string(unscaled < 0 ? -(unscaled + 1) : unscaled);
            if (unscaled < 0) {
                // -(x+1) avoids overflow; add the one back in decimal.
                int i = static_cast<int>(digits.size()) - 1;
                while (i >= 0 && digits[static_cast<std::size_t>(i)] == '9')
                    digits[static_cast<std::size_t>(i--)] = '0';
                if (i < 0)
                    digits.insert(digits.begin(), '1');
                else
                    ++digits[static_cast<std::size_t>(i)];
            }
            if (digits.size() <= e.scale)
                digits.insert(0, e.scale + 1 - digits.size(), '0');
            if (e.scale > 0)
                digits.insert(digits.size() - e.scale, ".");
            b.column_dec(n, (unscaled < 0 ? "-" : "") + digits);
            break;
        }
        case Kind::arr_f64:
        case Kind::arr_i64: {
            const auto& shape32 = s.shapes[r];
            std::vector<std::size_t> shape(shape32.begin(), shape32.end());
            if (e.kind == Kind::arr_f64)
                b.column_arr(n, std::span<const double>(e.arrays[r].doubles), shape);
            else
                b.column_arr(n, std::span<const std::int64_t>(e.arrays[r].longs), shape);
            break;
        }
        case Kind::kCount:
            break;
    }
}

TEST(Property, ThousandRandomBufferTablesRoundTrip) {
    Rng rng(777);
    Connection conn;
    Buffer buffer;
    std::size_t tables_done = 0;
    std::size_t total_rows = 0;
    for (std::size_t i = 0; tables_done < 1000; ++i) {
        buffer.clear();
        // One or two tables per batch, rows interleaved.
        const std::size_t table_count = 1 + rng() % 2;
        struct TableCase {
            std::string name;
            std::size_t rows;
            std::vector<ColumnCase> cols;
            Expected designated;
            bool micros;
        };
        std::vector<TableCase> tables;
        for (std::size_t k = 0; k < table_count; ++k) {
            TableCase tc;
            tc.name = "buf_" + std::to_string(i) + "_" + std::to_string(k);
            tc.rows = random_rows(rng, tables_done + k) / 2;
            tc.cols = random_columns(rng, tc.rows, true);
            // Decimal text columns carry int64-range values at a scale the text can express.
            for (auto& c : tc.cols) {
                if (c.exp.kind == Kind::dec256) {
                    for (std::size_t r = 0; r < tc.rows; ++r) {
                        if (c.exp.nulls[r])
                            continue;
                        std::int64_t v;
                        std::memcpy(&v, c.exp.bytes[r].data(), 8);
                        std::string full(32, v < 0 ? '\xFF' : '\0');
                        std::memcpy(full.data(), &v, 8);
                        c.exp.bytes[r] = full;
                    }
                }
                // Sentinel-typed nulls simply are not written; they decode as 0 / false.
                if (c.exp.sentinel) {
                    for (std::size_t r = 0; r < tc.rows; ++r) {
                        const bool valid =
                            c.src.validity.empty() || ((c.src.validity[r / 8] >> (r % 8)) & 1);
                        if (!valid) {
                            c.exp.ints[r] = 0;
                        }
                    }
                }
            }
            ColumnCase id;
            id.exp.kind = Kind::i64;
            id.exp.name = "row_id";
            fill_column(rng, id, tc.rows, false);
            tc.cols.push_back(std::move(id));
            tc.micros = rng() % 2 == 0;
            tc.designated.name = "";
            tc.designated.type = tc.micros ? TypeCode::timestamp : TypeCode::timestamp_nanos;
            tc.designated.nulls.assign(tc.rows, 0);
            tc.designated.ints.assign(tc.rows, 0);
            tables.push_back(std::move(tc));
        }
        std::vector<std::size_t> next(table_count, 0);
        std::size_t remaining = 0;
        for (const auto& tc : tables)
            remaining += tc.rows;
        while (remaining > 0) {
            std::size_t k = rng() % table_count;
            if (next[k] == tables[k].rows)
                k = 1 - k;
            auto& tc = tables[k];
            const std::size_t r = next[k]++;
            --remaining;
            buffer.table(tc.name);
            for (const auto& c : tc.cols) {  // symbols first
                if (c.exp.kind == Kind::symbol && !c.exp.nulls[r])
                    add_row_value(buffer, c, r);
            }
            for (const auto& c : tc.cols) {
                const bool valid =
                    c.src.validity.empty() || ((c.src.validity[r / 8] >> (r % 8)) & 1);
                if (c.exp.kind != Kind::symbol && valid)
                    add_row_value(buffer, c, r);
            }
            if (rng() % 5 == 0) {
                buffer.at_now();
                tc.designated.nulls[r] = 1;
            } else {
                const std::int64_t ts = 1'000'000 + static_cast<std::int64_t>(r) * 3;
                tc.designated.ints[r] = ts;
                if (tc.micros)
                    buffer.at(TimestampMicros(ts));
                else
                    buffer.at(TimestampNanos(ts));
            }
        }
        const auto opt = random_options(rng);
        conn.frames.clear();
        const std::string ctx = "batch " + std::to_string(i);
        auto st =
            questdb::ingress::encode_buffer(conn.encoder, buffer, conn.dict, opt, conn.frames);
        ASSERT_TRUE(st.ok()) << ctx << ": " << st.failure().message;
        auto decoded = decode_all(conn, ctx, opt.max_frame_size);
        for (auto& tc : tables) {
            ++tables_done;
            total_rows += tc.rows;
            auto it = decoded.find(tc.name);
            if (tc.rows == 0) {
                ASSERT_TRUE(it == decoded.end()) << ctx;
                continue;
            }
            ASSERT_TRUE(it != decoded.end()) << ctx << " " << tc.name;
            const auto& got = it->second;
            ASSERT_EQ(got.rows, tc.rows) << ctx;
            for (const auto& c : tc.cols) {
                auto col = got.columns.find(c.exp.name);
                compare(c.exp, col == got.columns.end() ? nullptr : &col->second, tc.rows,
                        ctx + " " + tc.name + " column " + c.exp.name);
                if (HasFatalFailure())
                    return;
            }
            auto des = got.columns.find("");
            compare(tc.designated, des == got.columns.end() ? nullptr : &des->second, tc.rows,
                    ctx + " designated");
            if (HasFatalFailure())
                return;
        }
    }
    EXPECT_GT(total_rows, 50'000u);
}

}  // namespace
