// The field metadata the export writes (`questdb.column_type`, `questdb.geohash_bits`), read
// back on ingest so a batch read from QuestDB goes back in as the same column types.

#include <cstring>

#include "arrow/ingest_support.hpp"

namespace questdb::arrow::detail {
namespace {

// Arrow metadata: int32 pair count, then per pair int32 length + key bytes, int32 length +
// value bytes. Returns the value of `key`, or nullopt (also for malformed metadata).
std::optional<std::string_view> metadata_value(const char* metadata, std::string_view key) {
    if (metadata == nullptr) {
        return std::nullopt;
    }
    auto read_i32 = [](const char*& p) {
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

}  // namespace

// Hints that do not fit the Arrow type are ignored.
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
    else if (*type == "symbol" && is_text(c.physical))
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

}  // namespace questdb::arrow::detail
