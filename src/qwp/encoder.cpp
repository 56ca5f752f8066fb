#include "qwp/encoder.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>

#include "core/bytes_equal.hpp"
#include "qwp/gorilla.hpp"
#include "qwp/wire.hpp"

namespace questdb::qwp {

static_assert(std::endian::native == std::endian::little,
              "the encoder copies column memory straight to the little-endian wire");

namespace {

constexpr std::uint32_t kUnreferenced = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint32_t kPending = kUnreferenced - 1;
constexpr std::size_t kMinFrameSize = 64;

/// A symbol code as a table index. Codes of valid rows are never negative (the Chunk setters
/// reject them), so going through the unsigned type of the same width keeps the value.
template <typename Code>
constexpr std::size_t code_index(Code code) noexcept {
    return static_cast<std::size_t>(static_cast<std::make_unsigned_t<Code>>(code));
}

inline std::uint8_t* put_varint(std::uint8_t* p, std::uint64_t v) noexcept {
    while (v >= 0x80) {
        *p++ = static_cast<std::uint8_t>(v | 0x80);
        v >>= 7;
    }
    *p++ = static_cast<std::uint8_t>(v);
    return p;
}

inline std::uint8_t* put_bytes(std::uint8_t* p, const void* src, std::size_t n) noexcept {
    if (n != 0)
        std::memcpy(p, src, n);
    return p + n;
}

template <typename T>
inline std::uint8_t* put_le(std::uint8_t* p, T v) noexcept {
    std::memcpy(p, &v, sizeof v);
    return p + sizeof v;
}

// A frame's offsets start at its first row (base 0 for a chunk's first frame). The loop keeps
// the source in a local pointer so that it vectorises (through `c.offsets` the compiler
// reloads the pointer after every store, since the store might alias it).
inline std::uint8_t* put_rebased_offsets(std::uint8_t* p, const std::int32_t* offsets,
                                         std::size_t n, std::uint32_t base) noexcept {
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t v = static_cast<std::uint32_t>(offsets[i]) - base;
        std::memcpy(p + 4 * i, &v, 4);
    }
    return p + 4 * n;
}

inline bool is_valid(const std::uint8_t* validity, std::size_t row) noexcept {
    return validity == nullptr || ((validity[row >> 3] >> (row & 7)) & 1) != 0;
}

// Number of set bits of `bits` in [a, b).
std::size_t count_set(const std::uint8_t* bits, std::size_t a, std::size_t b) noexcept {
    std::size_t n = 0;
    while (a < b && (a & 7) != 0) {
        n += (bits[a >> 3] >> (a & 7)) & 1;
        ++a;
    }
    while (a + 64 <= b) {
        std::uint64_t w;
        std::memcpy(&w, bits + (a >> 3), 8);
        n += static_cast<std::size_t>(std::popcount(w));
        a += 64;
    }
    while (a + 8 <= b) {
        n += static_cast<std::size_t>(std::popcount(static_cast<unsigned>(bits[a >> 3])));
        a += 8;
    }
    while (a < b) {
        n += (bits[a >> 3] >> (a & 7)) & 1;
        ++a;
    }
    return n;
}

// Bits [a, b) of `bits` as LSB-first bytes, optionally inverted and/or ANDed with `mask`
// (same indexing). Never reads a byte holding no bit of [a, b).
std::uint8_t* put_bit_range(std::uint8_t* p, const std::uint8_t* bits, std::size_t a, std::size_t b,
                            bool invert, const std::uint8_t* mask) noexcept {
    const std::size_t m = b - a;
    const std::size_t shift = a & 7;
    const std::size_t first = a >> 3;
    auto window = [&](const std::uint8_t* src, std::size_t i) {
        unsigned v = src[first + i] >> shift;
        if (shift != 0 && a + 8 * i + (8 - shift) < b)
            v |= unsigned{src[first + i + 1]} << (8 - shift);
        return static_cast<std::uint8_t>(v);
    };
    const std::size_t out_bytes = (m + 7) / 8;
    for (std::size_t i = 0; i < out_bytes; ++i) {
        std::uint8_t v = window(bits, i);
        if (invert)
            v = static_cast<std::uint8_t>(~v);
        if (mask != nullptr)
            v &= window(mask, i);
        const std::size_t left = m - 8 * i;
        if (left < 8)
            v &= static_cast<std::uint8_t>((1u << left) - 1);
        *p++ = v;
    }
    return p;
}

std::size_t wire_width(const ColumnSource& c) noexcept {
    if (c.type == TypeCode::geohash)
        return (c.geohash_bits + 7u) / 8u;
    return fixed_width(c.type);
}

std::int64_t offset_at(const void* offsets, std::uint8_t width, std::size_t i) noexcept {
    if (width == 8) {
        std::int64_t v;
        std::memcpy(&v, static_cast<const std::uint8_t*>(offsets) + i * 8, 8);
        return v;
    }
    std::int32_t v;
    std::memcpy(&v, static_cast<const std::uint8_t*>(offsets) + i * 4, 4);
    return v;
}

std::int64_t code_at(const ColumnSource& c, std::size_t row) noexcept {
    const auto* base = static_cast<const std::uint8_t*>(c.data);
    switch (c.code_width) {
        case 1:
            return static_cast<std::int8_t>(base[row]);
        case 2: {
            std::int16_t v;
            std::memcpy(&v, base + row * 2, 2);
            return v;
        }
        default: {
            std::int32_t v;
            std::memcpy(&v, base + row * 4, 4);
            return v;
        }
    }
}

std::uint8_t offset_width_of(const ColumnSource& c) noexcept {
    return c.layout == ValueLayout::var32          ? 4
           : c.layout == ValueLayout::symbol_codes ? c.offset_width
                                                   : 8;
}

std::string where(const TableSource& t, const ColumnSource& c) {
    return "table '" + std::string(t.name) + "', column '" + std::string(c.name) + "'";
}

// Symbol ids below this are written from a per-slot table of their varint bytes (up to
// three); a row's four-byte store may run kTabledVarintSlack bytes past its varint.
constexpr std::uint32_t kMaxTabledId = 1u << 21;
constexpr std::size_t kTabledVarintSlack = 3;

constexpr std::uint32_t tabled_varint(std::uint32_t id) noexcept {
    if (id < 0x80)
        return id | 1u << 24;
    if (id < 0x4000)
        return (id & 0x7F) | 0x80 | (id >> 7) << 8 | 2u << 24;
    return (id & 0x7F) | 0x80 | (((id >> 7) & 0x7F) | 0x80) << 8 | (id >> 14) << 16 | 3u << 24;
}

struct SymbolMap {
    std::vector<std::uint32_t> global;  // dict slot -> global id
    // Used when 0x80 <= max_gid < 2^21: dict slot -> the id's varint, its one to three bytes
    // in bits 0..23 (little-endian, as written) and its length in bits 24.., so a row costs
    // one load and one 4-byte store. Written as each referenced slot is resolved (a separate
    // pass over every slot cost as much as resolving them, its branch on whether a slot is
    // referenced being a coin toss); slots this encode does not reference keep stale values
    // that no row reads.
    std::vector<std::uint32_t> varint_bytes;
    std::uint32_t max_gid = 0;
    bool any = false;
    // Whether every referenced slot maps to `slot + shift`. It is the common case (a
    // dictionary interned in slot order, or a later chunk reusing the same dictionary), and it
    // turns the per-row table lookup into an add that vectorises.
    bool affine = false;
    std::int64_t shift = 0;
    // The id each slot had in the previous encode through this column position, kept across
    // calls. A chunk that reuses its dictionary (the usual case) confirms each guess with one
    // compare of the entry's bytes instead of a hash probe into a table too large for the
    // cache; a stale guess (another dictionary, a rolled-back entry) fails the compare.
    std::vector<std::uint32_t> guess;
};

// Marks the slot of every row's code as referenced, stopping once every slot is: a small
// dictionary is usually used up within a few rows, and the producer already checked each
// code (ColumnSource::codes_checked), so the remaining rows need no reading.
template <typename Code>
void mark_checked_codes(const void* data, std::size_t rows, std::uint32_t* global,
                        std::size_t dict_size) {
    const auto* codes = static_cast<const Code*>(data);
    std::size_t unmarked = dict_size;
    for (std::size_t row = 0; row < rows && unmarked != 0; ++row) {
        // No branch on the slot: with a large dictionary, whether a row's code is new is a
        // coin toss the branch predictor keeps losing.
        std::uint32_t& slot = global[code_index(codes[row])];
        unmarked -= static_cast<std::size_t>(slot != kPending);
        slot = kPending;
    }
}

void mark_checked_codes(const ColumnSource& c, std::size_t rows, std::uint32_t* global) {
    switch (c.code_width) {
        case 1:
            return mark_checked_codes<std::int8_t>(c.data, rows, global, c.dict_size);
        case 2:
            return mark_checked_codes<std::int16_t>(c.data, rows, global, c.dict_size);
        default:
            return mark_checked_codes<std::int32_t>(c.data, rows, global, c.dict_size);
    }
}

// Bit k set when slot k of the n <= 64 slots from `global` is kPending. Whether a slot is
// referenced is a coin toss for a chunk that uses part of a large dictionary, so a branch per
// slot mispredicts about half the time; this builds the mask without one, and only the walk
// over its set bits branches.
std::uint64_t pending_mask(const std::uint32_t* global, std::size_t n) noexcept {
    std::uint64_t pending = 0;
    for (std::size_t k = 0; k < n; ++k)
        pending |= static_cast<std::uint64_t>(global[k] == kPending) << k;
    return pending;
}

// Sets `map.affine` and `map.shift` from the slots interned so far. Only one-byte ids use
// the shift (write_symbol_ids), so a map with larger ids is not scanned.
void find_affine_shift(SymbolMap& map) {
    map.affine = false;
    if (!map.any || map.max_gid >= 0x80)
        return;
    bool first = true;
    for (std::size_t slot = 0; slot < map.global.size(); ++slot) {
        const std::uint32_t g = map.global[slot];
        if (g == kUnreferenced)
            continue;
        const std::int64_t shift = std::int64_t{g} - static_cast<std::int64_t>(slot);
        if (first) {
            map.shift = shift;
            first = false;
        } else if (shift != map.shift) {
            return;
        }
    }
    map.affine = !first;
}

}  // namespace

struct MessageEncoder::Impl {
    std::vector<SymbolMap> maps;
    std::vector<std::size_t> column_base;
    std::vector<std::int64_t> ts;

    // Per-call state.
    EncodedFrames* out = nullptr;
    const EncodeOptions* opt = nullptr;
    SymbolDictionary* dict = nullptr;
    std::size_t first_frame = 0;
    std::size_t frame_start = 0;
    std::size_t frame_tables = 0;
    std::uint8_t base_flags = 0;

    detail::Status resolve_symbols(std::span<const TableSource> tables, std::uint32_t& max_ref,
                                   bool& any_ref) {
        column_base.clear();
        std::size_t total = 0;
        for (const auto& t : tables) {
            column_base.push_back(total);
            total += t.columns.size();
        }
        if (maps.size() < total)
            maps.resize(total);
        for (std::size_t ti = 0; ti < tables.size(); ++ti) {
            const auto& t = tables[ti];
            for (std::size_t ci = 0; ci < t.columns.size(); ++ci) {
                const auto& c = t.columns[ci];
                if (c.layout != ValueLayout::symbol_codes)
                    continue;
                auto& map = maps[column_base[ti] + ci];
                map.global.assign(c.dict_size, kUnreferenced);
                map.any = false;
                map.max_gid = 0;
                std::size_t row = 0;
                if (c.dict_all_used) {
                    std::fill(map.global.begin(), map.global.end(), kPending);
                    row = t.row_count;  // codes come from the dictionary itself: no scan
                } else if (c.codes_checked && c.validity == nullptr) {
                    mark_checked_codes(c, t.row_count, map.global.data());
                    row = t.row_count;
                } else if (c.validity == nullptr && c.code_width == 4) {
                    // The common layout (every Buffer column, Arrow int32 codes without
                    // nulls): a plain loop; it stops at a bad code, which the general loop
                    // below then reports.
                    const auto* codes = static_cast<const std::int32_t*>(c.data);
                    std::uint32_t* global = map.global.data();
                    for (; row < t.row_count; ++row) {
                        const std::int32_t code = codes[row];
                        if (code < 0 || static_cast<std::uint64_t>(code) >= c.dict_size)
                            break;
                        global[code] = kPending;
                    }
                }
                for (; row < t.row_count; ++row) {
                    if (!is_valid(c.validity, row))
                        continue;
                    const std::int64_t code = code_at(c, row);
                    if (code < 0 || static_cast<std::uint64_t>(code) >= c.dict_size) {
                        return detail::fail(ErrorCode::invalid_api_call,
                                            "symbol code " + std::to_string(code) + " at row " +
                                                std::to_string(row) +
                                                " is outside the dictionary (" + where(t, c) + ")");
                    }
                    map.global[static_cast<std::size_t>(code)] = kPending;
                }
                if (map.guess.size() < c.dict_size) {
                    map.guess.resize(c.dict_size, kUnreferenced);
                    map.varint_bytes.resize(c.dict_size);
                }
                for (std::size_t base = 0; base < c.dict_size; base += 64) {
                    std::uint64_t pending = pending_mask(
                        map.global.data() + base, std::min<std::size_t>(64, c.dict_size - base));
                    for (; pending != 0; pending &= pending - 1) {
                        const std::size_t slot =
                            base + static_cast<std::size_t>(std::countr_zero(pending));
                        if (auto st = resolve_slot(map, c, slot); !st.ok())
                            return st;
                    }
                }
                find_affine_shift(map);
                if (map.any) {
                    max_ref = any_ref ? std::max(max_ref, map.max_gid) : map.max_gid;
                    any_ref = true;
                }
            }
        }
        return {};
    }

    // Maps a referenced dictionary slot to its global id (interning it if new).
    [[gnu::always_inline]] detail::Status resolve_slot(SymbolMap& map, const ColumnSource& c,
                                                       std::size_t slot) {
        const auto begin = offset_at(c.offsets, c.offset_width, slot);
        const auto end = offset_at(c.offsets, c.offset_width, slot + 1);
        const std::string_view value(reinterpret_cast<const char*>(c.dict_bytes) + begin,
                                     static_cast<std::size_t>(end - begin));
        auto id = id_of(map, slot, value);
        if (!id.ok())
            return std::move(id).failure();
        const std::uint32_t g = id.value();
        map.global[slot] = g;
        map.varint_bytes[slot] = tabled_varint(g);  // unused unless g < 2^21
        map.max_gid = std::max(map.max_gid, g);
        map.any = true;
        return {};
    }

    // The global id of dictionary slot `slot` holding `value`: the previous encode's id when
    // the dictionary still holds `value` under it (ids are unique per value), else interned.
    // `map.guess` holds at least slot + 1 entries (resolve_symbols sizes it).
    detail::Result<std::uint32_t> id_of(SymbolMap& map, std::size_t slot, std::string_view value) {
        const std::uint32_t guess = map.guess[slot];
        if (guess < dict->size()) {
            const std::string_view known = dict->entry(guess);
            // Inline: entries are short, and a memcmp call cost more than the compare.
            if (known.size() == value.size() &&
                questdb::detail::bytes_equal(known.data(), value.data(), value.size()))
                return guess;
        }
        auto id = dict->intern(value);
        if (id.ok())
            map.guess[slot] = id.value();
        return id;
    }

    const SymbolMap* map_for(std::size_t ti, std::size_t ci) const {
        return &maps[column_base[ti] + ci];
    }

    // ---- sizes ----------------------------------------------------------------------------

    std::size_t delta_bytes(std::uint32_t begin, std::uint32_t end) const {
        std::size_t n = varint_size(begin) + varint_size(end - begin);
        for (std::uint32_t id = begin; id < end; ++id) {
            const auto e = dict->entry(id);
            n += varint_size(e.size()) + e.size();
        }
        return n;
    }

    static std::size_t header_bound(const TableSource& t, std::size_t m) {
        std::size_t n = varint_size(t.name.size()) + t.name.size() + varint_size(m) +
                        varint_size(t.columns.size());
        for (const auto& c : t.columns)
            n += varint_size(c.name.size()) + c.name.size() + 1;
        return n;
    }

    std::size_t column_bound(const ColumnSource& c, std::size_t a, std::size_t b,
                             const SymbolMap* map) const {
        const std::size_t m = b - a;
        std::size_t n = 1 + (c.validity != nullptr ? (m + 7) / 8 : 0);
        const std::uint8_t ow = offset_width_of(c);
        switch (c.layout) {
            case ValueLayout::fixed:
            case ValueLayout::scalar:
                n += m * wire_width(c) + 1 + kMaxVarintBytes;  // + encoding/scale/precision
                break;
            case ValueLayout::bits:
                n += (m + 7) / 8;
                break;
            case ValueLayout::var32:
            case ValueLayout::var64:
                n += 4 * (m + 1) + static_cast<std::size_t>(offset_at(c.offsets, ow, b) -
                                                            offset_at(c.offsets, ow, a));
                break;
            case ValueLayout::symbol_codes:
                n += m * varint_size(map->max_gid) + kTabledVarintSlack;
                break;
            case ValueLayout::list64:
                n += m * (1 + 4 * std::size_t{c.rank}) +
                     8 * static_cast<std::size_t>(offset_at(c.offsets, 8, b) -
                                                  offset_at(c.offsets, 8, a));
                break;
            case ValueLayout::blob:
                n += static_cast<std::size_t>(offset_at(c.offsets, 8, b) -
                                              offset_at(c.offsets, 8, a));
                break;
        }
        return n;
    }

    std::size_t block_bound(std::size_t ti, const TableSource& t, std::size_t a,
                            std::size_t b) const {
        std::size_t n = header_bound(t, b - a);
        for (std::size_t ci = 0; ci < t.columns.size(); ++ci) {
            n += column_bound(t.columns[ci], a, b, map_for(ti, ci));
        }
        return n;
    }

    // ---- frames ---------------------------------------------------------------------------

    std::uint8_t* grow(std::size_t n) {
        const std::size_t at = out->bytes.size();
        out->bytes.resize(at + n);
        return out->bytes.data() + at;
    }
    void trim_to(const std::uint8_t* end) {
        out->bytes.resize(static_cast<std::size_t>(end - out->bytes.data()));
    }

    void begin_frame(std::uint8_t flags, std::uint32_t delta_begin, std::uint32_t delta_end) {
        frame_start = out->bytes.size();
        frame_tables = 0;
        std::uint8_t* p = grow(kHeaderSize + delta_bytes(delta_begin, delta_end));
        p = put_le<std::uint32_t>(p, kMagic);
        *p++ = kVersion1;
        *p++ = flags;
        p = put_le<std::uint16_t>(p, 0);
        p = put_le<std::uint32_t>(p, 0);
        p = put_varint(p, delta_begin);
        p = put_varint(p, delta_end - delta_begin);
        for (std::uint32_t id = delta_begin; id < delta_end; ++id) {
            const auto e = dict->entry(id);
            p = put_varint(p, e.size());
            p = put_bytes(p, e.data(), e.size());
        }
        trim_to(p);
    }

    void end_frame() {
        std::uint8_t* h = out->bytes.data() + frame_start;
        const auto tables16 = static_cast<std::uint16_t>(frame_tables);
        std::memcpy(h + 6, &tables16, 2);
        const auto payload =
            static_cast<std::uint32_t>(out->bytes.size() - frame_start - kHeaderSize);
        std::memcpy(h + 8, &payload, 4);
        out->frames.push_back({frame_start, out->bytes.size() - frame_start});
    }

    [[nodiscard]] std::size_t frame_size() const { return out->bytes.size() - frame_start; }

    // ---- column writers -------------------------------------------------------------------

    std::uint8_t* write_timestamps(std::uint8_t* p, const ColumnSource& c, std::size_t a,
                                   std::size_t b, std::size_t nulls) {
        std::span<const std::int64_t> values;
        if (c.layout == ValueLayout::fixed && nulls == 0 && c.multiplier == 1) {
            values = {static_cast<const std::int64_t*>(c.data) + a, b - a};
        } else {
            ts.clear();
            for (std::size_t row = a; row < b; ++row) {
                if (!is_valid(c.validity, row))
                    continue;
                std::int64_t v = c.layout == ValueLayout::scalar
                                     ? c.scalar
                                     : static_cast<const std::int64_t*>(c.data)[row];
                ts.push_back(v * c.multiplier);
            }
            values = ts;
        }
        if (opt->gorilla) {
            if (values.size() >= 3) {
                if (gorilla::encoded_size(values)) {
                    *p++ = kTimestampGorilla;
                    return p + gorilla::encode(values, p);
                }
            }
            *p++ = kTimestampUncompressed;
        }
        return put_bytes(p, values.data(), values.size() * 8);
    }

    std::uint8_t* write_fixed(std::uint8_t* p, const ColumnSource& c, std::size_t a, std::size_t b,
                              std::size_t nulls, bool bitmap) {
        if (is_decimal(c.type))
            *p++ = c.scale;
        if (c.type == TypeCode::geohash)
            p = put_varint(p, c.geohash_bits);
        const std::size_t sw = c.source_width;
        const std::size_t ww = wire_width(c);
        const auto* src = static_cast<const std::uint8_t*>(c.data);
        if (nulls == 0 && sw == ww)
            return put_bytes(p, src + a * sw, (b - a) * sw);
        for (std::size_t row = a; row < b; ++row) {
            if (is_valid(c.validity, row)) {
                std::memcpy(p, src + row * sw, ww);  // little-endian: the low bytes come first
                p += ww;
            } else if (!bitmap) {
                std::memset(p, 0, ww);  // sentinel types: NULL is written as 0
                p += ww;
            }
        }
        return p;
    }

    std::uint8_t* write_strings(std::uint8_t* p, const ColumnSource& c, std::size_t a,
                                std::size_t b, std::size_t nulls) {
        const std::uint8_t ow = offset_width_of(c);
        const auto* bytes = static_cast<const std::uint8_t*>(c.data);
        if (nulls == 0) {
            const std::int64_t base = offset_at(c.offsets, ow, a);
            if (ow == 4) {
                p = put_rebased_offsets(p, static_cast<const std::int32_t*>(c.offsets) + a,
                                        b - a + 1, static_cast<std::uint32_t>(base));
            } else {
                for (std::size_t i = a; i <= b; ++i) {
                    p = put_le<std::uint32_t>(
                        p, static_cast<std::uint32_t>(offset_at(c.offsets, ow, i) - base));
                }
            }
            return put_bytes(p, bytes + base,
                             static_cast<std::size_t>(offset_at(c.offsets, ow, b) - base));
        }
        std::uint32_t running = 0;
        p = put_le<std::uint32_t>(p, 0);
        for (std::size_t row = a; row < b; ++row) {
            if (!is_valid(c.validity, row))
                continue;
            running += static_cast<std::uint32_t>(offset_at(c.offsets, ow, row + 1) -
                                                  offset_at(c.offsets, ow, row));
            p = put_le<std::uint32_t>(p, running);
        }
        for (std::size_t row = a; row < b; ++row) {
            if (!is_valid(c.validity, row))
                continue;
            const auto begin = offset_at(c.offsets, ow, row);
            p = put_bytes(p, bytes + begin,
                          static_cast<std::size_t>(offset_at(c.offsets, ow, row + 1) - begin));
        }
        return p;
    }

    template <typename Code>
    std::uint8_t* write_symbol_ids(std::uint8_t* p, const ColumnSource& c, const SymbolMap& map,
                                   std::size_t a, std::size_t b, bool any_null) {
        const auto* codes = static_cast<const Code*>(c.data);
        const std::uint32_t* global = map.global.data();
        if (!any_null && map.max_gid < 0x80 && map.affine) {
            // Every row's code is a referenced slot, so code + shift is its id, below 0x80.
            const auto shift = static_cast<std::int32_t>(map.shift);
            for (std::size_t row = a; row < b; ++row) {
                *p++ = static_cast<std::uint8_t>(std::int32_t{codes[row]} + shift);
            }
            return p;
        }
        if (!any_null && map.max_gid < 0x80) {
            for (std::size_t row = a; row < b; ++row) {
                *p++ = static_cast<std::uint8_t>(global[code_index(codes[row])]);
            }
            return p;
        }
        if (!any_null && map.max_gid < kMaxTabledId) {
            // The varint from the precomputed table, without a loop: four bytes are stored and
            // the pointer moves by the varint's length. The extra bytes land in this column's
            // reservation (column_bound adds kTabledVarintSlack) and the next row overwrites them.
            const std::uint32_t* table = map.varint_bytes.data();
            for (std::size_t row = a; row < b; ++row) {
                const std::uint32_t v = table[code_index(codes[row])];
                std::memcpy(p, &v, 4);
                p += v >> 24;
            }
            return p;
        }
        for (std::size_t row = a; row < b; ++row) {
            if (any_null && !is_valid(c.validity, row))
                continue;
            p = put_varint(p, global[code_index(codes[row])]);
        }
        return p;
    }

    std::uint8_t* write_column(std::uint8_t* p, const ColumnSource& c, const SymbolMap* map,
                               std::size_t a, std::size_t b) {
        const std::size_t m = b - a;
        const std::size_t nulls = c.validity != nullptr ? m - count_set(c.validity, a, b) : 0;
        const bool bitmap = nulls > 0 && !uses_sentinel_nulls(c.type);
        *p++ = bitmap ? 1 : 0;
        if (bitmap)
            p = put_bit_range(p, c.validity, a, b, true, nullptr);
        switch (c.layout) {
            case ValueLayout::scalar:
                return write_timestamps(p, c, a, b, nulls);
            case ValueLayout::fixed:
                if (is_gorilla_type(c.type))
                    return write_timestamps(p, c, a, b, nulls);
                return write_fixed(p, c, a, b, nulls, bitmap);
            case ValueLayout::bits:
                return put_bit_range(p, static_cast<const std::uint8_t*>(c.data), a, b, false,
                                     nulls > 0 ? c.validity : nullptr);
            case ValueLayout::var32:
            case ValueLayout::var64:
                return write_strings(p, c, a, b, nulls);
            case ValueLayout::symbol_codes:
                switch (c.code_width) {
                    case 1:
                        return write_symbol_ids<std::int8_t>(p, c, *map, a, b, nulls > 0);
                    case 2:
                        return write_symbol_ids<std::int16_t>(p, c, *map, a, b, nulls > 0);
                    default:
                        return write_symbol_ids<std::int32_t>(p, c, *map, a, b, nulls > 0);
                }
            case ValueLayout::list64: {
                const auto* elems = static_cast<const std::uint8_t*>(c.data);
                for (std::size_t row = a; row < b; ++row) {
                    if (!is_valid(c.validity, row))
                        continue;
                    const auto begin = offset_at(c.offsets, 8, row);
                    const auto len = offset_at(c.offsets, 8, row + 1) - begin;
                    if (c.dims == nullptr) {
                        *p++ = 1;
                        p = put_le<std::int32_t>(p, static_cast<std::int32_t>(len));
                    } else {
                        *p++ = c.rank;
                        p = put_bytes(p, c.dims + row * c.rank, std::size_t{c.rank} * 4);
                    }
                    p = put_bytes(p, elems + begin * 8, static_cast<std::size_t>(len) * 8);
                }
                return p;
            }
            case ValueLayout::blob: {
                const auto* blob = static_cast<const std::uint8_t*>(c.data);
                if (nulls == 0) {
                    const auto begin = offset_at(c.offsets, 8, a);
                    return put_bytes(p, blob + begin,
                                     static_cast<std::size_t>(offset_at(c.offsets, 8, b) - begin));
                }
                for (std::size_t row = a; row < b; ++row) {
                    if (!is_valid(c.validity, row))
                        continue;
                    const auto begin = offset_at(c.offsets, 8, row);
                    p = put_bytes(
                        p, blob + begin,
                        static_cast<std::size_t>(offset_at(c.offsets, 8, row + 1) - begin));
                }
                return p;
            }
        }
        return p;
    }

    void write_block(std::size_t ti, const TableSource& t, std::size_t a, std::size_t b) {
        std::uint8_t* const start = grow(block_bound(ti, t, a, b));
        std::uint8_t* p = start;
        p = put_varint(p, t.name.size());
        p = put_bytes(p, t.name.data(), t.name.size());
        p = put_varint(p, b - a);
        p = put_varint(p, t.columns.size());
        for (const auto& c : t.columns) {
            p = put_varint(p, c.name.size());
            p = put_bytes(p, c.name.data(), c.name.size());
            *p++ = static_cast<std::uint8_t>(c.type);
        }
        for (std::size_t ci = 0; ci < t.columns.size(); ++ci) {
            p = write_column(p, t.columns[ci], map_for(ti, ci), a, b);
        }
        trim_to(p);
        ++frame_tables;
    }

    // Largest k <= limit with block_bound(pos, pos + k) <= avail (0 if none).
    std::size_t rows_that_fit(std::size_t ti, const TableSource& t, std::size_t pos,
                              std::size_t limit, std::size_t avail) const {
        if (block_bound(ti, t, pos, pos + limit) <= avail)
            return limit;
        std::size_t lo = 0;
        std::size_t hi = limit;  // bound(lo) may or may not fit; bound(hi) does not
        if (block_bound(ti, t, pos, pos + 1) > avail)
            return 0;
        lo = 1;
        while (hi - lo > 1) {
            const std::size_t mid = lo + (hi - lo) / 2;
            if (block_bound(ti, t, pos, pos + mid) <= avail) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    detail::Status dictionary_frames(std::uint32_t& begin, std::uint32_t end, std::size_t budget) {
        // Ship leading entries in table-less frames until the rest leaves half a frame for rows.
        while (begin < end && delta_bytes(begin, end) > budget / 2) {
            std::uint32_t stop = begin;
            std::size_t used = 2 * kMaxVarintBytes;
            while (stop < end) {
                const auto e = dict->entry(stop);
                const std::size_t need = varint_size(e.size()) + e.size();
                if (used + need > budget)
                    break;
                used += need;
                ++stop;
            }
            if (stop == begin) {
                return detail::fail(ErrorCode::limit_exceeded,
                                    "symbol '" + std::string(dict->entry(begin).substr(0, 64)) +
                                        "' does not fit in a frame of " +
                                        std::to_string(opt->max_frame_size) + " bytes");
            }
            begin_frame(kFlagDeltaSymbolDict | kFlagDeferCommit, begin, stop);
            end_frame();
            begin = stop;
        }
        return {};
    }

    detail::Status run(std::span<const TableSource> tables) {
        if (opt->max_frame_size < kMinFrameSize) {
            return detail::fail(ErrorCode::limit_exceeded, "max frame size " +
                                                               std::to_string(opt->max_frame_size) +
                                                               " is below the minimum of 64 bytes");
        }
        const std::size_t budget = opt->max_frame_size - kHeaderSize;
        bool has_rows = false;
        for (const auto& t : tables) {
            if (t.row_count == 0)
                continue;
            has_rows = true;
            if (t.columns.empty()) {
                return detail::fail(ErrorCode::invalid_api_call,
                                    "table '" + std::string(t.name) + "' has rows but no columns");
            }
        }
        if (!has_rows)
            return {};
        std::uint32_t max_ref = 0;
        bool any_ref = false;
        if (auto st = resolve_symbols(tables, max_ref, any_ref); !st)
            return st;

        std::uint32_t delta_begin = 0;
        std::uint32_t delta_end = 0;
        const bool self_contained = opt->symbol_mode == SymbolMode::self_contained;
        if (self_contained) {
            delta_end = any_ref ? max_ref + 1 : 0;
            if (delta_bytes(0, delta_end) > budget / 2) {
                return detail::fail(ErrorCode::limit_exceeded,
                                    "the symbol dictionary (" + std::to_string(delta_end) +
                                        " entries) does not fit a self-contained frame of " +
                                        std::to_string(opt->max_frame_size) + " bytes");
            }
        } else {
            delta_begin = std::min<std::uint32_t>(dict->sent_watermark(),
                                                  static_cast<std::uint32_t>(dict->size()));
            delta_end = static_cast<std::uint32_t>(dict->size());
            if (auto st = dictionary_frames(delta_begin, delta_end, budget); !st)
                return st;
        }

        base_flags = kFlagDeltaSymbolDict | (opt->gorilla ? kFlagGorilla : 0);
        begin_frame(base_flags, delta_begin, delta_end);
        auto next_frame = [&] {
            end_frame();
            if (self_contained) {
                begin_frame(base_flags, 0, delta_end);
            } else {
                begin_frame(base_flags, delta_end, delta_end);
            }
        };
        const std::size_t block_rows = std::max<std::size_t>(1, opt->max_rows_per_block);
        for (std::size_t ti = 0; ti < tables.size(); ++ti) {
            const auto& t = tables[ti];
            std::size_t pos = 0;
            while (pos < t.row_count) {
                if (frame_tables == kMaxTablesPerMessage) {
                    next_frame();
                    continue;
                }
                const std::size_t avail = opt->max_frame_size - frame_size();
                const std::size_t limit = std::min(block_rows, t.row_count - pos);
                const std::size_t k = rows_that_fit(ti, t, pos, limit, avail);
                if (k == 0) {
                    if (frame_tables > 0) {
                        next_frame();
                        continue;
                    }
                    return detail::fail(ErrorCode::limit_exceeded,
                                        "row " + std::to_string(pos) + " of table '" +
                                            std::string(t.name) + "' needs " +
                                            std::to_string(block_bound(ti, t, pos, pos + 1)) +
                                            " bytes, more than a frame of " +
                                            std::to_string(opt->max_frame_size) + " bytes allows");
                }
                write_block(ti, t, pos, pos + k);
                pos += k;
            }
        }
        end_frame();
        // Every frame of the batch but the last defers its commit.
        for (std::size_t i = first_frame; i + 1 < out->frames.size(); ++i) {
            out->bytes[out->frames[i].offset + 5] |= kFlagDeferCommit;
        }
        if (!self_contained)
            dict->set_sent_watermark(static_cast<std::uint32_t>(dict->size()));
        return {};
    }
};

MessageEncoder::MessageEncoder() : impl_(std::make_unique<Impl>()) {}
MessageEncoder::~MessageEncoder() = default;

detail::Status MessageEncoder::encode(std::span<const TableSource> tables, SymbolDictionary& dict,
                                      const EncodeOptions& options, EncodedFrames& out) {
    const std::size_t bytes_before = out.bytes.size();
    const std::size_t frames_before = out.frames.size();
    const std::size_t dict_before = dict.size();
    const std::uint32_t watermark_before = dict.sent_watermark();
    impl_->out = &out;
    impl_->opt = &options;
    impl_->dict = &dict;
    impl_->first_frame = frames_before;
    auto status = impl_->run(tables);
    if (!status) {
        out.bytes.resize(bytes_before);
        out.frames.resize(frames_before);
        dict.set_sent_watermark(watermark_before);
        dict.rollback(dict_before);
    }
    return status;
}

detail::Status encode_dictionary_catchup(const SymbolDictionary& dict, std::uint32_t end_id,
                                         std::size_t max_frame_size, EncodedFrames& out) {
    const std::size_t bytes_before = out.bytes.size();
    const std::size_t frames_before = out.frames.size();
    if (max_frame_size < kMinFrameSize) {
        return detail::fail(ErrorCode::limit_exceeded, "max frame size below 64 bytes");
    }
    end_id = std::min<std::uint32_t>(end_id, static_cast<std::uint32_t>(dict.size()));
    const std::size_t budget = max_frame_size - kHeaderSize - 2 * kMaxVarintBytes;
    std::uint32_t begin = 0;
    while (begin < end_id) {
        std::uint32_t stop = begin;
        std::size_t used = 0;
        while (stop < end_id) {
            const auto e = dict.entry(stop);
            const std::size_t need = varint_size(e.size()) + e.size();
            if (used + need > budget)
                break;
            used += need;
            ++stop;
        }
        if (stop == begin) {
            out.bytes.resize(bytes_before);
            out.frames.resize(frames_before);
            return detail::fail(ErrorCode::limit_exceeded, "symbol id " + std::to_string(begin) +
                                                               " does not fit in a frame of " +
                                                               std::to_string(max_frame_size) +
                                                               " bytes");
        }
        const std::size_t start = out.bytes.size();
        std::vector<std::uint8_t> tmp;
        ByteWriter f(tmp);
        f.le<std::uint32_t>(kMagic);
        f.u8(kVersion1);
        f.u8(kFlagDeltaSymbolDict | kFlagDeferCommit);
        f.le<std::uint16_t>(0);
        f.le<std::uint32_t>(0);
        f.varint(begin);
        f.varint(stop - begin);
        for (std::uint32_t id = begin; id < stop; ++id) {
            const auto e = dict.entry(id);
            f.varint(e.size());
            f.bytes(e);
        }
        f.patch_le<std::uint32_t>(8, static_cast<std::uint32_t>(tmp.size() - kHeaderSize));
        out.bytes.insert(out.bytes.end(), tmp.begin(), tmp.end());
        out.frames.push_back({start, tmp.size()});
        begin = stop;
    }
    return {};
}

void append_commit_frame(EncodedFrames& out) {
    const std::size_t start = out.bytes.size();
    const std::uint8_t frame[] = {0x51, 0x57, 0x50, 0x31, kVersion1, kFlagDeltaSymbolDict, 0, 0, 2,
                                  0,    0,    0,    0,    0};
    out.bytes.insert(out.bytes.end(), std::begin(frame), std::end(frame));
    out.frames.push_back({start, sizeof frame});
}

}  // namespace questdb::qwp
