// Numbers: Arrow integers (widened where QuestDB has no exact type), floats (float16 widened
// to FLOAT), decimals.

#include <array>
#include <cstring>
#include <limits>

#include "arrow/ingest_support.hpp"

namespace questdb::arrow::detail {
namespace {

// IEEE 754 binary16 -> binary32 (exact: every half value is a float value).
float half_to_float(std::uint16_t h) {
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
    std::uint32_t exponent = (h >> 10) & 0x1Fu;
    std::uint32_t mantissa = h & 0x3FFu;
    std::uint32_t bits = 0;
    if (exponent == 0x1Fu) {  // inf / NaN
        bits = sign | 0x7F800000u | (mantissa << 13);
    } else if (exponent != 0) {  // normal
        bits = sign | ((exponent + 112u) << 23) | (mantissa << 13);
    } else if (mantissa != 0) {  // subnormal: normalise
        exponent = 113;
        while ((mantissa & 0x400u) == 0) {
            mantissa <<= 1;
            --exponent;
        }
        bits = sign | (exponent << 23) | ((mantissa & 0x3FFu) << 13);
    } else {
        bits = sign;  // +-0
    }
    float out = 0;
    std::memcpy(&out, &bits, sizeof out);
    return out;
}

}  // namespace

void add_integer(Chunk& chunk, ColumnPlan& c, const Slice& s, Validity v) {
    const auto& a = *c.array;
    switch (c.target) {
        case Target::byte:
            chunk.column_i8(c.name, values_of<std::int8_t>(c, s), v);
            return;
        case Target::short_:
            chunk.column_i16(c.name, values_of<std::int16_t>(c, s), v);
            return;
        case Target::char_:
            chunk.column_char(
                c.name,
                {reinterpret_cast<const char16_t*>(buffer<std::uint16_t>(c, a, 1)) + s.first,
                 s.count},
                v);
            return;
        case Target::ipv4:
            chunk.column_ipv4(c.name, values_of<std::uint32_t>(c, s), v);
            return;
        default:
            break;
    }
    if (c.target == Target::int_) {
        switch (c.physical) {
            case Physical::i8:
                chunk.column_i32(c.name,
                                 widen(buffer<std::int8_t>(c, a, 1) + s.first, s.count, c.i32), v);
                return;
            case Physical::i16:
                chunk.column_i32(c.name,
                                 widen(buffer<std::int16_t>(c, a, 1) + s.first, s.count, c.i32), v);
                return;
            case Physical::u8:
                chunk.column_i32(c.name,
                                 widen(buffer<std::uint8_t>(c, a, 1) + s.first, s.count, c.i32), v);
                return;
            case Physical::u16:
                chunk.column_i32(
                    c.name, widen(buffer<std::uint16_t>(c, a, 1) + s.first, s.count, c.i32), v);
                return;
            default:
                chunk.column_i32(c.name, values_of<std::int32_t>(c, s), v);
                return;
        }
    }
    std::span<const std::int64_t> longs;
    switch (c.physical) {
        case Physical::i8:
            longs = widen(buffer<std::int8_t>(c, a, 1) + s.first, s.count, c.i64);
            break;
        case Physical::i16:
            longs = widen(buffer<std::int16_t>(c, a, 1) + s.first, s.count, c.i64);
            break;
        case Physical::i32:
            longs = widen(buffer<std::int32_t>(c, a, 1) + s.first, s.count, c.i64);
            break;
        case Physical::u32:
            longs = widen(buffer<std::uint32_t>(c, a, 1) + s.first, s.count, c.i64);
            break;
        case Physical::u64: {
            const auto* src = buffer<std::uint64_t>(c, a, 1) + s.first;
            for (std::size_t i = 0; i < s.count; ++i) {
                if (src[i] > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) &&
                    (v.empty() || bit_at(v.data(), i))) {
                    fail_ingest("uint64 value " + std::to_string(src[i]) +
                                " does not fit a LONG in " + where(c));
                }
            }
            longs = widen(src, s.count, c.i64);
            break;
        }
        default:
            longs = values_of<std::int64_t>(c, s);
            break;
    }
    if (c.target == Target::geohash) {
        chunk.column_geohash(c.name,
                             {reinterpret_cast<const std::uint64_t*>(longs.data()), longs.size()},
                             c.geohash_bits, v);
    } else {
        chunk.column_i64(c.name, longs, v);
    }
}

void add_float(Chunk& chunk, ColumnPlan& c, const Slice& s, Validity v) {
    switch (c.physical) {
        case Physical::f16: {
            const auto* halves = buffer<std::uint16_t>(c, *c.array, 1) + s.first;
            c.f32.resize(s.count);
            for (std::size_t i = 0; i < s.count; ++i) {
                c.f32[i] = half_to_float(halves[i]);
            }
            chunk.column_f32(c.name, c.f32, v);
            return;
        }
        case Physical::f32:
            chunk.column_f32(c.name, values_of<float>(c, s), v);
            return;
        default:
            chunk.column_f64(c.name, values_of<double>(c, s), v);
            return;
    }
}

void add_decimal(Chunk& chunk, ColumnPlan& c, const Slice& s, Validity v) {
    const auto& a = *c.array;
    switch (c.physical) {
        case Physical::decimal32:
            chunk.column_dec64(
                c.name, widen(buffer<std::int32_t>(c, a, 1) + s.first, s.count, c.i64), c.scale, v);
            return;
        case Physical::decimal64:
            chunk.column_dec64(c.name, values_of<std::int64_t>(c, s), c.scale, v);
            return;
        case Physical::decimal128:
            chunk.column_dec128(c.name, values_of<std::array<std::uint8_t, 16>>(c, s), c.scale, v);
            return;
        default:
            chunk.column_dec256(c.name, values_of<std::array<std::uint8_t, 32>>(c, s), c.scale, v);
            return;
    }
}

}  // namespace questdb::arrow::detail
