#include "arrow/ingest_plan.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "questdb/error.hpp"
#include "questdb/ingress/chunk.hpp"

namespace questdb::arrow::detail {
namespace {

using ingress::Chunk;
using ingress::Validity;

std::string where(const ColumnPlan& c) {
    return "column '" + std::string(c.name) + "' (Arrow format '" + std::string(c.format) + "')";
}

[[noreturn]] void fail_ingest(const std::string& message) {
    throw Error(ErrorCode::arrow_ingest, message);
}

[[noreturn]] void fail_unsupported(const ColumnPlan& c, const std::string& why) {
    throw Error(ErrorCode::arrow_unsupported_column_kind,
                "unsupported Arrow type in " + where(c) + ": " + why);
}

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

std::optional<std::int32_t> parse_int(std::string_view s) {
    std::int32_t v = 0;
    const auto* end = s.data() + s.size();
    auto [p, ec] = std::from_chars(s.data(), end, v);
    if (ec != std::errc{} || p != end) {
        return std::nullopt;
    }
    return v;
}

// "d:precision,scale[,bitwidth]"
void parse_decimal(ColumnPlan& c) {
    const auto body = c.format.substr(2);
    const auto comma1 = body.find(',');
    if (comma1 == std::string_view::npos) {
        fail_unsupported(c, "malformed decimal format");
    }
    const auto rest = body.substr(comma1 + 1);
    const auto comma2 = rest.find(',');
    const auto scale = parse_int(rest.substr(0, comma2));
    std::int32_t bits = 128;
    if (comma2 != std::string_view::npos) {
        const auto parsed = parse_int(rest.substr(comma2 + 1));
        if (!parsed) {
            fail_unsupported(c, "malformed decimal bit width");
        }
        bits = *parsed;
    }
    if (!scale || *scale < 0 || *scale > 76) {
        fail_unsupported(c, "decimal scale must be 0..76");
    }
    c.scale = static_cast<std::uint8_t>(*scale);
    switch (bits) {
        case 32:
            c.physical = Physical::decimal32;
            c.target = Target::decimal64;
            break;
        case 64:
            c.physical = Physical::decimal64;
            c.target = Target::decimal64;
            break;
        case 128:
            c.physical = Physical::decimal128;
            c.target = Target::decimal128;
            break;
        case 256:
            c.physical = Physical::decimal256;
            c.target = Target::decimal256;
            break;
        default:
            fail_unsupported(c, "decimal bit width " + std::to_string(bits));
    }
}

std::optional<Physical> dictionary_index(std::string_view f) {
    if (f == "c")
        return Physical::i8;
    if (f == "s")
        return Physical::i16;
    if (f == "i")
        return Physical::i32;
    if (f == "l")
        return Physical::i64;
    if (f == "C")
        return Physical::u8;
    if (f == "S")
        return Physical::u16;
    if (f == "I")
        return Physical::u32;
    if (f == "L")
        return Physical::u64;
    return std::nullopt;
}

// The default mapping of one format string (overrides are applied afterwards).
void classify(ColumnPlan& c) {
    const auto f = c.format;
    if (c.schema->dictionary != nullptr) {
        const auto index = dictionary_index(f);
        const std::string_view value_format =
            c.schema->dictionary->format ? c.schema->dictionary->format : "";
        if (!index || (value_format != "u" && value_format != "U")) {
            fail_unsupported(c,
                             "only dictionaries of utf8/large_utf8 with integer indices "
                             "are supported (values '" +
                                 std::string(value_format) + "')");
        }
        c.physical = Physical::dictionary;
        c.dict_index = *index;
        c.dict_large = value_format == "U";
        c.target = Target::dict_symbol;
        return;
    }
    struct Simple {
        std::string_view format;
        Physical physical;
        Target target;
    };
    static constexpr std::array<Simple, 23> simple{{
        {"b", Physical::boolean, Target::boolean},
        {"c", Physical::i8, Target::int_},
        {"s", Physical::i16, Target::int_},
        {"i", Physical::i32, Target::long_},
        {"l", Physical::i64, Target::long_},
        {"C", Physical::u8, Target::int_},
        {"S", Physical::u16, Target::int_},
        {"I", Physical::u32, Target::long_},
        {"L", Physical::u64, Target::long_},
        {"f", Physical::f32, Target::float_},
        {"g", Physical::f64, Target::double_},
        {"u", Physical::utf8, Target::varchar},
        {"U", Physical::large_utf8, Target::varchar},
        {"z", Physical::binary, Target::binary},
        {"Z", Physical::large_binary, Target::binary},
        {"tdD", Physical::date32_days, Target::date_millis},
        {"tdm", Physical::date64_millis, Target::date_millis},
        {"w:16", Physical::fixed_binary, Target::uuid},
        {"w:32", Physical::fixed_binary, Target::long256},
        {"+l", Physical::list, Target::double_array},
        {"+L", Physical::large_list, Target::double_array},
        {"tss", Physical::ts_seconds, Target::timestamp_micros},
        {"tsm", Physical::ts_millis, Target::date_millis},
    }};
    for (const auto& s : simple) {
        // Timestamps carry ":<timezone>" after the unit.
        const bool match =
            starts_with(f, "ts") ? starts_with(f, std::string(s.format) + ":") : f == s.format;
        if (match) {
            c.physical = s.physical;
            c.target = s.target;
            break;
        }
    }
    if (starts_with(f, "tsu:")) {
        c.physical = Physical::ts_micros;
        c.target = Target::timestamp_micros;
    } else if (starts_with(f, "tsn:")) {
        c.physical = Physical::ts_nanos;
        c.target = Target::timestamp_nanos;
    } else if (starts_with(f, "d:")) {
        parse_decimal(c);
        return;
    } else if (starts_with(f, "+w:")) {
        const auto n = parse_int(f.substr(3));
        if (!n || *n < 0) {
            fail_unsupported(c, "malformed fixed-size list");
        }
        c.physical = Physical::fixed_list;
        c.target = Target::double_array;
        c.fixed_width = *n;
    } else if (starts_with(f, "w:") && f != "w:16" && f != "w:32") {
        fail_unsupported(c, "fixed-size binary must be 16 bytes (UUID) or 32 bytes (LONG256)");
    }
    bool known = false;
    for (const auto& s : simple) {
        known = known || (starts_with(f, "ts") ? starts_with(f, std::string(s.format) + ":")
                                               : f == s.format);
    }
    known = known || starts_with(f, "tsu:") || starts_with(f, "tsn:") || starts_with(f, "+w:");
    if (!known) {
        fail_unsupported(c, "no QuestDB column type for it");
    }
    if (f == "w:16" || f == "w:32") {
        c.fixed_width = f == "w:16" ? 16 : 32;
    }
    if (c.target == Target::double_array) {
        if (c.schema->n_children != 1 || c.schema->children == nullptr ||
            c.schema->children[0] == nullptr || c.schema->children[0]->format == nullptr) {
            fail_ingest("malformed list schema in " + where(c));
        }
        const std::string_view leaf = c.schema->children[0]->format;
        if (leaf != "g") {
            fail_unsupported(c, "list elements must be float64 ('g'), not '" + std::string(leaf) +
                                    "' (nested lists are not supported)");
        }
    }
}

void apply_override(ColumnPlan& c, const ColumnOverride& o) {
    auto reject = [&] { fail_ingest("override does not apply to " + where(c)); };
    switch (o.kind) {
        case OverrideKind::symbol:
            if (c.physical == Physical::utf8 || c.physical == Physical::large_utf8) {
                c.target = Target::symbol;
            } else if (c.physical != Physical::dictionary) {
                reject();
            }
            break;
        case OverrideKind::not_symbol:
            if (c.physical == Physical::dictionary) {
                c.target = Target::dict_varchar;
            } else if (c.physical != Physical::utf8 && c.physical != Physical::large_utf8) {
                reject();
            }
            break;
        case OverrideKind::ipv4:
            if (c.physical != Physical::u32)
                reject();
            c.target = Target::ipv4;
            break;
        case OverrideKind::char_:
            if (c.physical != Physical::u16)
                reject();
            c.target = Target::char_;
            break;
        case OverrideKind::byte:
            if (c.physical != Physical::i8)
                reject();
            c.target = Target::byte;
            break;
        case OverrideKind::short_:
            if (c.physical != Physical::i16)
                reject();
            c.target = Target::short_;
            break;
        case OverrideKind::int_:
            if (c.physical != Physical::i32)
                reject();
            c.target = Target::int_;
            break;
        case OverrideKind::geohash:
            if (c.physical != Physical::i8 && c.physical != Physical::i16 &&
                c.physical != Physical::i32 && c.physical != Physical::i64) {
                reject();
            }
            if (o.geohash_bits < 1 || o.geohash_bits > 60) {
                fail_ingest("geohash override needs 1..60 bits in " + where(c));
            }
            c.target = Target::geohash;
            c.geohash_bits = o.geohash_bits;
            break;
    }
}

bool bit_at(const std::uint8_t* bits, std::size_t i) {
    return ((bits[i >> 3] >> (i & 7)) & 1) != 0;
}

// LSB-first bits [first, first + count) as a span starting at bit 0: borrowed when byte
// aligned, re-packed into `scratch` otherwise.
std::span<const std::uint8_t> aligned_bits(const std::uint8_t* bits, std::size_t first,
                                           std::size_t count, std::vector<std::uint8_t>& scratch) {
    const std::size_t bytes = (count + 7) / 8;
    if (first % 8 == 0) {
        return {bits + first / 8, bytes};
    }
    scratch.assign(bytes, 0);
    for (std::size_t i = 0; i < count; ++i) {
        if (bit_at(bits, first + i)) {
            scratch[i >> 3] = static_cast<std::uint8_t>(scratch[i >> 3] | (1u << (i & 7)));
        }
    }
    return scratch;
}

const std::uint8_t* validity_buffer(const ArrowArray& a) {
    if (a.null_count == 0 || a.n_buffers < 1 || a.buffers == nullptr) {
        return nullptr;
    }
    return static_cast<const std::uint8_t*>(a.buffers[0]);
}

template <typename T>
const T* buffer(const ColumnPlan& c, const ArrowArray& a, std::int64_t index) {
    if (a.n_buffers <= index || a.buffers == nullptr) {
        fail_ingest("missing buffer " + std::to_string(index) + " in " + where(c));
    }
    static const std::int64_t empty[1] = {0};
    const void* p = a.buffers[index];
    return static_cast<const T*>(p != nullptr ? p : empty);
}

template <typename To, typename From>
std::span<const To> widen(const From* src, std::size_t n, std::vector<To>& out) {
    out.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        out[i] = static_cast<To>(src[i]);
    }
    return out;
}

struct Slice {
    std::size_t first;  // element index inside the column's buffers (offsets applied)
    std::size_t count;
};

Validity validity_of(ColumnPlan& c, const Slice& s) {
    const auto* bits = validity_buffer(*c.array);
    if (bits == nullptr) {
        return {};
    }
    return aligned_bits(bits, s.first, s.count, c.validity);
}

template <typename T>
std::span<const T> values_of(const ColumnPlan& c, const Slice& s) {
    return {buffer<T>(c, *c.array, 1) + s.first, s.count};
}

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

template <typename Offset>
std::span<const Offset> offsets_of(const ColumnPlan& c, const ArrowArray& a, const Slice& s) {
    return {buffer<Offset>(c, a, 1) + s.first, s.count + 1};
}

template <typename Offset>
std::span<const std::uint8_t> bytes_of(const ColumnPlan& c, const ArrowArray& a,
                                       std::span<const Offset> offsets) {
    return {buffer<std::uint8_t>(c, a, 2), static_cast<std::size_t>(offsets.back())};
}

void add_strings(Chunk& chunk, ColumnPlan& c, const Slice& s, Validity v) {
    const auto& a = *c.array;
    const bool large = c.physical == Physical::large_utf8 || c.physical == Physical::large_binary;
    if (!large) {
        const auto offsets = offsets_of<std::int32_t>(c, a, s);
        const auto bytes = bytes_of(c, a, offsets);
        if (c.target == Target::binary) {
            chunk.column_binary(c.name, offsets, bytes, v);
        } else if (c.target == Target::symbol) {
            // Every row is its own dictionary entry: the encoder interns entries by text.
            c.i32.resize(s.count);
            for (std::size_t i = 0; i < s.count; ++i)
                c.i32[i] = static_cast<std::int32_t>(i);
            chunk.symbol_dict_i32(c.name, c.i32, offsets, bytes, v);
        } else {
            chunk.column_varchar(c.name, offsets, bytes, v);
        }
        return;
    }
    const auto offsets = offsets_of<std::int64_t>(c, a, s);
    const auto bytes = bytes_of(c, a, offsets);
    if (c.target == Target::binary) {
        chunk.column_binary_large(c.name, offsets, bytes, v);
    } else if (c.target == Target::symbol) {
        c.i32.resize(s.count);
        for (std::size_t i = 0; i < s.count; ++i)
            c.i32[i] = static_cast<std::int32_t>(i);
        chunk.symbol_dict_large_i32(c.name, c.i32, offsets, bytes, v);
    } else {
        chunk.column_varchar_large(c.name, offsets, bytes, v);
    }
}

// Dictionary codes as i8/i16/i32 (unsigned and 64-bit indices are narrowed into c.i32).
template <typename Dict>
void add_dictionary_symbols(Chunk& chunk, ColumnPlan& c, const Slice& s, Validity v,
                            std::span<const Dict> dict_offsets,
                            std::span<const std::uint8_t> dict_bytes) {
    const auto& a = *c.array;
    auto narrow = [&](auto* src) {
        c.i32.resize(s.count);
        for (std::size_t i = 0; i < s.count; ++i) {
            const auto code = src[i];
            if (static_cast<std::uint64_t>(code) > 0x7FFFFFFFu &&
                (v.empty() || bit_at(v.data(), i))) {
                fail_ingest("dictionary index out of range in " + where(c));
            }
            c.i32[i] = static_cast<std::int32_t>(code);
        }
        return std::span<const std::int32_t>(c.i32);
    };
    const bool large = std::is_same_v<Dict, std::int64_t>;
    auto add32 = [&](std::span<const std::int32_t> codes) {
        if constexpr (large)
            chunk.symbol_dict_large_i32(c.name, codes, dict_offsets, dict_bytes, v);
        else
            chunk.symbol_dict_i32(c.name, codes, dict_offsets, dict_bytes, v);
    };
    switch (c.dict_index) {
        case Physical::i8: {
            const std::span<const std::int8_t> codes{buffer<std::int8_t>(c, a, 1) + s.first,
                                                     s.count};
            if constexpr (large)
                chunk.symbol_dict_large_i8(c.name, codes, dict_offsets, dict_bytes, v);
            else
                chunk.symbol_dict_i8(c.name, codes, dict_offsets, dict_bytes, v);
            return;
        }
        case Physical::i16: {
            const std::span<const std::int16_t> codes{buffer<std::int16_t>(c, a, 1) + s.first,
                                                      s.count};
            if constexpr (large)
                chunk.symbol_dict_large_i16(c.name, codes, dict_offsets, dict_bytes, v);
            else
                chunk.symbol_dict_i16(c.name, codes, dict_offsets, dict_bytes, v);
            return;
        }
        case Physical::i32:
            add32({buffer<std::int32_t>(c, a, 1) + s.first, s.count});
            return;
        case Physical::i64:
            add32(narrow(buffer<std::int64_t>(c, a, 1) + s.first));
            return;
        case Physical::u8:
            add32(widen(buffer<std::uint8_t>(c, a, 1) + s.first, s.count, c.i32));
            return;
        case Physical::u16:
            add32(widen(buffer<std::uint16_t>(c, a, 1) + s.first, s.count, c.i32));
            return;
        case Physical::u32:
            add32(narrow(buffer<std::uint32_t>(c, a, 1) + s.first));
            return;
        default:
            add32(narrow(buffer<std::uint64_t>(c, a, 1) + s.first));
            return;
    }
}

std::int64_t code_at(const ColumnPlan& c, std::size_t i) {
    const auto& a = *c.array;
    switch (c.dict_index) {
        case Physical::i8:
            return buffer<std::int8_t>(c, a, 1)[i];
        case Physical::i16:
            return buffer<std::int16_t>(c, a, 1)[i];
        case Physical::i32:
            return buffer<std::int32_t>(c, a, 1)[i];
        case Physical::u8:
            return buffer<std::uint8_t>(c, a, 1)[i];
        case Physical::u16:
            return buffer<std::uint16_t>(c, a, 1)[i];
        case Physical::u32:
            return buffer<std::uint32_t>(c, a, 1)[i];
        case Physical::u64:
            return static_cast<std::int64_t>(buffer<std::uint64_t>(c, a, 1)[i]);
        default:
            return buffer<std::int64_t>(c, a, 1)[i];
    }
}

// A dictionary column decoded into large VARCHAR layout in scratch (not_symbol override).
template <typename Dict>
void add_dictionary_varchar(Chunk& chunk, ColumnPlan& c, const Slice& s, Validity v,
                            std::span<const Dict> dict_offsets,
                            std::span<const std::uint8_t> dict_bytes) {
    const std::size_t entries = dict_offsets.size() - 1;
    c.bytes.clear();
    c.i64.assign(1, 0);
    for (std::size_t i = 0; i < s.count; ++i) {
        if (v.empty() || bit_at(v.data(), i)) {
            const auto code = code_at(c, s.first + i);
            if (code < 0 || static_cast<std::uint64_t>(code) >= entries) {
                fail_ingest("dictionary index " + std::to_string(code) + " out of range in " +
                            where(c));
            }
            const auto b = static_cast<std::size_t>(dict_offsets[static_cast<std::size_t>(code)]);
            const auto e =
                static_cast<std::size_t>(dict_offsets[static_cast<std::size_t>(code) + 1]);
            c.bytes.insert(c.bytes.end(), dict_bytes.begin() + static_cast<std::ptrdiff_t>(b),
                           dict_bytes.begin() + static_cast<std::ptrdiff_t>(e));
        }
        c.i64.push_back(static_cast<std::int64_t>(c.bytes.size()));
    }
    chunk.column_varchar_large(c.name, c.i64, c.bytes, v);
}

void add_dictionary(Chunk& chunk, ColumnPlan& c, const Slice& s, Validity v) {
    const ArrowArray* dict = c.array->dictionary;
    if (dict == nullptr) {
        fail_ingest("dictionary array missing in " + where(c));
    }
    const Slice ds{static_cast<std::size_t>(dict->offset), static_cast<std::size_t>(dict->length)};
    if (c.dict_large) {
        const auto offsets = offsets_of<std::int64_t>(c, *dict, ds);
        const auto bytes = bytes_of(c, *dict, offsets);
        if (c.target == Target::dict_varchar)
            add_dictionary_varchar(chunk, c, s, v, offsets, bytes);
        else
            add_dictionary_symbols(chunk, c, s, v, offsets, bytes);
    } else {
        const auto offsets = offsets_of<std::int32_t>(c, *dict, ds);
        const auto bytes = bytes_of(c, *dict, offsets);
        if (c.target == Target::dict_varchar)
            add_dictionary_varchar(chunk, c, s, v, offsets, bytes);
        else
            add_dictionary_symbols(chunk, c, s, v, offsets, bytes);
    }
}

std::span<const std::int64_t> scaled(const ColumnPlan& c, const std::int64_t* src, std::size_t n,
                                     std::int64_t factor, Validity v,
                                     std::vector<std::int64_t>& out) {
    out.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        std::int64_t r = 0;
        if (__builtin_mul_overflow(src[i], factor, &r)) {
            if (!v.empty() && !bit_at(v.data(), i)) {
                r = 0;
            } else {
                fail_ingest("timestamp " + std::to_string(src[i]) + " overflows in " + where(c));
            }
        }
        out[i] = r;
    }
    return out;
}

void add_temporal(Chunk& chunk, ColumnPlan& c, const Slice& s, Validity v) {
    const auto& a = *c.array;
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
        default: {  // date32: days
            const auto* days = buffer<std::int32_t>(c, a, 1) + s.first;
            c.i64.resize(s.count);
            for (std::size_t i = 0; i < s.count; ++i)
                c.i64[i] = std::int64_t{days[i]} * 86'400'000;
            chunk.column_date_millis(c.name, c.i64, v);
            return;
        }
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

void add_list(Chunk& chunk, ColumnPlan& c, const Slice& s, Validity v) {
    const auto& a = *c.array;
    if (a.n_children != 1 || a.children == nullptr || a.children[0] == nullptr) {
        fail_ingest("list array without its child in " + where(c));
    }
    const ArrowArray& child = *a.children[0];
    c.i64.resize(s.count + 1);
    for (std::size_t i = 0; i <= s.count; ++i) {
        const std::size_t at = s.first + i;
        switch (c.physical) {
            case Physical::list:
                c.i64[i] = buffer<std::int32_t>(c, a, 1)[at];
                break;
            case Physical::large_list:
                c.i64[i] = buffer<std::int64_t>(c, a, 1)[at];
                break;
            default:
                c.i64[i] = static_cast<std::int64_t>(at) * c.fixed_width;
                break;
        }
    }
    const auto* values = static_cast<const double*>(
        child.n_buffers >= 2 && child.buffers != nullptr && child.buffers[1] != nullptr
            ? child.buffers[1]
            : nullptr);
    static const double none[1] = {0.0};
    const auto count = static_cast<std::size_t>(child.length);
    std::span<const double> elements{values != nullptr ? values + child.offset : none,
                                     values != nullptr ? count : 0};
    if (const auto* child_bits = validity_buffer(child); child_bits != nullptr) {
        // QuestDB arrays have no element validity: a NULL element is NaN.
        c.f64.assign(elements.begin(), elements.end());
        for (std::size_t i = 0; i < c.f64.size(); ++i) {
            if (!bit_at(child_bits, static_cast<std::size_t>(child.offset) + i)) {
                c.f64[i] = std::nan("");
            }
        }
        elements = c.f64;
    }
    chunk.column_arr_f64(c.name, c.i64, elements, v);
}

void add_column(Chunk& chunk, ColumnPlan& c, const Slice& s) {
    const Validity v = validity_of(c, s);
    switch (c.target) {
        case Target::boolean: {
            const auto bits =
                aligned_bits(buffer<std::uint8_t>(c, *c.array, 1), s.first, s.count, c.bits);
            chunk.column_bool(c.name, bits, s.count, v);
            return;
        }
        case Target::byte:
        case Target::short_:
        case Target::int_:
        case Target::long_:
        case Target::char_:
        case Target::ipv4:
        case Target::geohash:
            add_integer(chunk, c, s, v);
            return;
        case Target::float_:
            chunk.column_f32(c.name, values_of<float>(c, s), v);
            return;
        case Target::double_:
            chunk.column_f64(c.name, values_of<double>(c, s), v);
            return;
        case Target::varchar:
        case Target::binary:
        case Target::symbol:
            add_strings(chunk, c, s, v);
            return;
        case Target::dict_symbol:
        case Target::dict_varchar:
            add_dictionary(chunk, c, s, v);
            return;
        case Target::uuid:
            chunk.column_uuid(c.name, values_of<std::array<std::uint8_t, 16>>(c, s), v);
            return;
        case Target::long256:
            chunk.column_long256(c.name, values_of<std::array<std::uint8_t, 32>>(c, s), v);
            return;
        case Target::timestamp_micros:
        case Target::timestamp_nanos:
        case Target::date_millis:
            add_temporal(chunk, c, s, v);
            return;
        case Target::decimal64:
        case Target::decimal128:
        case Target::decimal256:
            add_decimal(chunk, c, s, v);
            return;
        case Target::double_array:
            add_list(chunk, c, s, v);
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

// Arrow metadata: int32 pair count, then per pair int32 length + key bytes, int32 length +
// value bytes. Returns the value of `key`, or nullopt (also for malformed metadata).
std::optional<std::string_view> metadata_value(const char* metadata, std::string_view key) {
    if (metadata == nullptr) {
        return std::nullopt;
    }
    auto read_i32 = [&](const char*& p) {
        std::int32_t v = 0;
        std::memcpy(&v, p, 4);
        p += 4;
        return v;
    };
    const char* p = metadata;
    const auto pairs = read_i32(p);
    for (std::int32_t i = 0; i < pairs && i < 1024; ++i) {
        const auto key_len = read_i32(p);
        if (key_len < 0)
            return std::nullopt;
        const std::string_view k(p, static_cast<std::size_t>(key_len));
        p += key_len;
        const auto value_len = read_i32(p);
        if (value_len < 0)
            return std::nullopt;
        const std::string_view v(p, static_cast<std::size_t>(value_len));
        p += value_len;
        if (k == key)
            return v;
    }
    return std::nullopt;
}

// The `questdb.column_type` hint the library writes on export (so a batch read from QuestDB
// goes back in as the same types). Hints that do not fit the Arrow type are ignored.
void apply_metadata(ColumnPlan& c) {
    const auto type = metadata_value(c.schema->metadata, "questdb.column_type");
    if (!type) {
        return;
    }
    ColumnOverride o{c.name};
    if (*type == "byte" && c.physical == Physical::i8)
        o.kind = OverrideKind::byte;
    else if (*type == "short" && c.physical == Physical::i16)
        o.kind = OverrideKind::short_;
    else if (*type == "int" && c.physical == Physical::i32)
        o.kind = OverrideKind::int_;
    else if (*type == "char" && c.physical == Physical::u16)
        o.kind = OverrideKind::char_;
    else if (*type == "ipv4" && c.physical == Physical::u32)
        o.kind = OverrideKind::ipv4;
    else if (*type == "symbol" &&
             (c.physical == Physical::utf8 || c.physical == Physical::large_utf8))
        o.kind = OverrideKind::symbol;
    else if (*type == "geohash" && c.physical == Physical::i64) {
        const auto bits = metadata_value(c.schema->metadata, "questdb.geohash_bits");
        const auto parsed = bits ? parse_int(*bits) : std::nullopt;
        if (!parsed || *parsed < 1 || *parsed > 60)
            return;
        o.kind = OverrideKind::geohash;
        o.geohash_bits = static_cast<std::uint8_t>(*parsed);
    } else {
        return;
    }
    apply_override(c, o);
}

}  // namespace

IngestPlan IngestPlan::make(const ArrowSchema& schema, const ArrowArray& array,
                            std::optional<std::string_view> timestamp_column,
                            std::span<const ColumnOverride> overrides) {
    if (schema.release == nullptr || array.release == nullptr) {
        fail_ingest("Arrow schema or array was already released");
    }
    if (schema.format == nullptr || std::string_view(schema.format) != "+s") {
        fail_ingest("an Arrow record batch must be a struct ('+s'), not '" +
                    std::string(schema.format ? schema.format : "") + "'");
    }
    if (schema.n_children != array.n_children || array.length < 0 || array.offset < 0 ||
        (schema.n_children > 0 && (schema.children == nullptr || array.children == nullptr))) {
        fail_ingest("Arrow schema and array do not match (children or length)");
    }
    IngestPlan plan;
    plan.rows_ = static_cast<std::size_t>(array.length);
    plan.parent_offset_ = array.offset;
    bool found_ts = !timestamp_column.has_value();
    for (std::int64_t i = 0; i < schema.n_children; ++i) {
        ColumnPlan c;
        c.schema = schema.children[i];
        c.array = array.children[i];
        if (c.schema == nullptr || c.array == nullptr || c.schema->format == nullptr) {
            fail_ingest("Arrow child " + std::to_string(i) + " is missing");
        }
        c.name = c.schema->name != nullptr ? c.schema->name : "";
        c.format = c.schema->format;
        if (c.array->length < array.offset + array.length || c.array->offset < 0) {
            fail_ingest("Arrow " + where(c) + " is shorter than the batch");
        }
        if (timestamp_column && c.name == *timestamp_column) {
            found_ts = true;
            const auto f = c.format;
            if (!starts_with(f, "tss:") && !starts_with(f, "tsm:") && !starts_with(f, "tsu:") &&
                !starts_with(f, "tsn:") && f != "tdm") {
                fail_ingest("designated timestamp " + where(c) +
                            " must be an Arrow timestamp (tss/tsm/tsu/tsn) or date64");
            }
            classify(c);
            plan.designated_ = std::move(c);
            continue;
        }
        classify(c);
        apply_metadata(c);
        plan.columns_.push_back(std::move(c));
    }
    if (!found_ts) {
        fail_ingest("designated timestamp column '" + std::string(*timestamp_column) +
                    "' is not in the Arrow batch");
    }
    for (std::size_t i = 0; i < overrides.size(); ++i) {
        const auto& o = overrides[i];
        for (std::size_t j = 0; j < i; ++j) {
            if (overrides[j].column == o.column) {
                fail_ingest("two overrides for column '" + std::string(o.column) + "'");
            }
        }
        ColumnPlan* target = nullptr;
        for (auto& c : plan.columns_) {
            if (c.name == o.column)
                target = &c;
        }
        if (target == nullptr) {
            fail_ingest("override names column '" + std::string(o.column) +
                        "', which is not in the Arrow batch (or is the designated timestamp)");
        }
        apply_override(*target, o);
    }
    return plan;
}

void IngestPlan::fill(ingress::Chunk& chunk, std::size_t begin, std::size_t count) {
    const auto first = static_cast<std::size_t>(parent_offset_) + begin;
    for (auto& c : columns_) {
        add_column(chunk, c, Slice{first + static_cast<std::size_t>(c.array->offset), count});
    }
    if (designated_) {
        add_designated(chunk, *designated_,
                       Slice{first + static_cast<std::size_t>(designated_->array->offset), count});
    } else {
        chunk.at_now();
    }
}

}  // namespace questdb::arrow::detail
