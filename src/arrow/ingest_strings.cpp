// Strings and bytes: utf8 / binary (plain and large; views in ingest_views.cpp) as VARCHAR, BINARY
// or SYMBOL, and dictionary-encoded strings as SYMBOL (or VARCHAR with the not_symbol override).

#include <type_traits>

#include "arrow/ingest_support.hpp"

namespace questdb::arrow::detail {
namespace {

template <typename Offset>
std::span<const Offset> offsets_of(const ColumnPlan& c, const ArrowArray& a, const Slice& s) {
    return {buffer<Offset>(c, a, 1) + s.first, s.count + 1};
}

template <typename Offset>
std::span<const std::uint8_t> bytes_of(const ColumnPlan& c, const ArrowArray& a,
                                       std::span<const Offset> offsets) {
    return {buffer<std::uint8_t>(c, a, 2), static_cast<std::size_t>(offsets.back())};
}

}  // namespace

void add_strings(Chunk& chunk, ColumnPlan& c, const Slice& s, Validity v) {
    if (c.physical == Physical::utf8_view || c.physical == Physical::binary_view) {
        add_string_views(chunk, c, s, v);
        return;
    }
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

namespace {

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

}  // namespace

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

}  // namespace questdb::arrow::detail
