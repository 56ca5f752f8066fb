// Arrow format string -> (physical layout, QuestDB column type), and user overrides.
// The mapping follows the Rust client's arrow ingest: what it rejects is rejected here too,
// with a message naming the column and its format.

#include <array>

#include "arrow/ingest_support.hpp"
#include "qwp/types.hpp"

namespace questdb::arrow::detail {
namespace {

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
    constexpr std::array<std::pair<std::string_view, Physical>, 8> indices{{
        {"c", Physical::i8},
        {"s", Physical::i16},
        {"i", Physical::i32},
        {"l", Physical::i64},
        {"C", Physical::u8},
        {"S", Physical::u16},
        {"I", Physical::u32},
        {"L", Physical::u64},
    }};
    for (const auto& [format, physical] : indices) {
        if (f == format) {
            return physical;
        }
    }
    return std::nullopt;
}

void classify_dictionary(ColumnPlan& c) {
    const auto index = dictionary_index(c.format);
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
}

struct Simple {
    std::string_view format;
    Physical physical;
    Target target;
};

// Formats matched exactly.
constexpr std::array<Simple, 32> kExact{{
    {"b", Physical::boolean, Target::boolean},
    {"c", Physical::i8, Target::int_},
    {"s", Physical::i16, Target::int_},
    {"i", Physical::i32, Target::long_},
    {"l", Physical::i64, Target::long_},
    {"C", Physical::u8, Target::int_},
    {"S", Physical::u16, Target::int_},
    {"I", Physical::u32, Target::long_},
    {"L", Physical::u64, Target::long_},
    {"e", Physical::f16, Target::float_},
    {"f", Physical::f32, Target::float_},
    {"g", Physical::f64, Target::double_},
    {"u", Physical::utf8, Target::varchar},
    {"U", Physical::large_utf8, Target::varchar},
    {"z", Physical::binary, Target::binary},
    {"Z", Physical::large_binary, Target::binary},
    {"vu", Physical::utf8_view, Target::varchar},
    {"vz", Physical::binary_view, Target::binary},
    {"tdD", Physical::date32_days, Target::date_millis},
    {"tdm", Physical::date64_millis, Target::date_millis},
    {"tts", Physical::time32_seconds, Target::long_nanos},
    {"ttm", Physical::time32_millis, Target::long_nanos},
    {"ttu", Physical::time64_micros, Target::long_nanos},
    {"ttn", Physical::time64_nanos, Target::long_nanos},
    {"tDs", Physical::duration_seconds, Target::long_nanos},
    {"tDm", Physical::duration_millis, Target::long_nanos},
    {"tDu", Physical::duration_micros, Target::long_nanos},
    {"tDn", Physical::duration_nanos, Target::long_nanos},
    {"w:16", Physical::fixed_binary, Target::uuid},
    {"w:32", Physical::fixed_binary, Target::long256},
    {"+l", Physical::list, Target::double_array},
    {"+L", Physical::large_list, Target::double_array},
}};

// Timestamps: "ts<unit>:<timezone>" (the time zone is ignored).
constexpr std::array<Simple, 4> kTimestamps{{
    {"tss:", Physical::ts_seconds, Target::timestamp_micros},
    {"tsm:", Physical::ts_millis, Target::date_millis},
    {"tsu:", Physical::ts_micros, Target::timestamp_micros},
    {"tsn:", Physical::ts_nanos, Target::timestamp_nanos},
}};

bool is_list_format(std::string_view f) {
    return f == "+l" || f == "+L" || starts_with(f, "+w:");
}

// Nested lists become one N-D array; only a float64 leaf maps to a QuestDB array type.
void classify_list(ColumnPlan& c) {
    const ArrowSchema* level = c.schema;
    unsigned dims = 0;
    while (level->format != nullptr && is_list_format(level->format)) {
        if (level->n_children != 1 || level->children == nullptr || level->children[0] == nullptr ||
            level->children[0]->format == nullptr) {
            fail_ingest("malformed list schema in " + where(c));
        }
        ++dims;
        level = level->children[0];
    }
    if (dims > qwp::kMaxArrayDims) {
        fail_unsupported(c, "lists nested " + std::to_string(dims) + " deep; QuestDB arrays have " +
                                "at most " + std::to_string(qwp::kMaxArrayDims) + " dimensions");
    }
    const std::string_view leaf = level->format;
    if (leaf != "g") {
        fail_unsupported(c, "list elements must be float64 ('g'), not '" + std::string(leaf) +
                                "': QuestDB arrays from Arrow are DOUBLE[] only");
    }
    c.target = Target::double_array;
    c.list_dims = static_cast<std::uint8_t>(dims);
}

}  // namespace

void classify(ColumnPlan& c) {
    const auto f = c.format;
    if (c.schema->dictionary != nullptr) {
        classify_dictionary(c);
        return;
    }
    if (starts_with(f, "d:")) {
        parse_decimal(c);
        return;
    }
    bool known = false;
    for (const auto& s : kExact) {
        if (f == s.format) {
            c.physical = s.physical;
            c.target = s.target;
            known = true;
        }
    }
    for (const auto& s : kTimestamps) {
        if (starts_with(f, s.format)) {
            c.physical = s.physical;
            c.target = s.target;
            known = true;
        }
    }
    if (starts_with(f, "+w:")) {
        const auto n = parse_int(f.substr(3));
        if (!n || *n < 0) {
            fail_unsupported(c, "malformed fixed-size list");
        }
        c.physical = Physical::fixed_list;
        c.fixed_width = *n;
        known = true;
    } else if (starts_with(f, "w:") && c.physical != Physical::fixed_binary) {
        fail_unsupported(c, "fixed-size binary must be 16 bytes (UUID) or 32 bytes (LONG256)");
    }
    if (!known) {
        fail_unsupported(c, "no QuestDB column type for it");
    }
    if (c.physical == Physical::fixed_binary) {
        c.fixed_width = f == "w:16" ? 16 : 32;
    }
    if (is_list_format(f)) {
        classify_list(c);
    }
}

void apply_override(ColumnPlan& c, const ColumnOverride& o) {
    auto reject = [&] { fail_ingest("override does not apply to " + where(c)); };
    auto require = [&](Physical p) {
        if (c.physical != p)
            reject();
    };
    switch (o.kind) {
        case OverrideKind::symbol:
            if (is_text(c.physical)) {
                c.target = Target::symbol;
            } else if (c.physical != Physical::dictionary) {
                reject();
            }
            break;
        case OverrideKind::not_symbol:
            if (c.physical == Physical::dictionary) {
                c.target = Target::dict_varchar;
            } else if (!is_text(c.physical)) {
                reject();
            }
            break;
        case OverrideKind::ipv4:
            require(Physical::u32);
            c.target = Target::ipv4;
            break;
        case OverrideKind::char_:
            require(Physical::u16);
            c.target = Target::char_;
            break;
        case OverrideKind::byte:
            require(Physical::i8);
            c.target = Target::byte;
            break;
        case OverrideKind::short_:
            require(Physical::i16);
            c.target = Target::short_;
            break;
        case OverrideKind::int_:
            require(Physical::i32);
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

}  // namespace questdb::arrow::detail
