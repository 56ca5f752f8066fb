#include "qwp/decoder.hpp"

#include <bit>
#include <cstring>
#include <limits>
#include <string_view>
#include <unordered_set>

#include "qwp/gorilla.hpp"
#include "qwp/utf8.hpp"
#include "qwp/wire.hpp"

namespace questdb::qwp {

const DecodedColumn* DecodedTable::column(std::string_view wanted) const noexcept {
    for (const auto& c : columns) {
        if (c.name == wanted)
            return &c;
    }
    return nullptr;
}

std::size_t DecodedMessage::total_rows() const noexcept {
    std::size_t n = 0;
    for (const auto& t : tables)
        n += t.row_count;
    return n;
}

namespace {

constexpr std::uint32_t kMaxVarcharOffset = 0x7FFFFFFF;

std::string describe(const std::string& table, const std::string& column) {
    std::string where = "table '" + table + "'";
    if (!column.empty() || table.empty())
        where += ", column '" + column + "'";
    return where;
}

}  // namespace

/// The decoding pass. Holds the reader, the pending dictionary delta and error context.
class IngressDecoder {
  public:
    IngressDecoder(std::span<const std::uint8_t> frame, IngressDecoderState& state,
                   const DecodeLimits& limits, DecodeDepth depth)
        : frame_(frame), state_(state), limits_(limits), keep_(depth == DecodeDepth::values) {}

    detail::Result<DecodedMessage> run(DecodeErrorKind& kind) {
        DecodedMessage msg;
        if (!header(msg) || !delta_section(msg) || !tables(msg)) {
            kind = gap_ ? DecodeErrorKind::dictionary_gap : DecodeErrorKind::malformed;
            return detail::fail(ErrorCode::protocol_error, std::move(error_));
        }
        if (!r_.at_end()) {
            kind = DecodeErrorKind::malformed;
            return detail::fail(
                ErrorCode::protocol_error,
                std::to_string(r_.remaining()) + " trailing bytes after the last table block");
        }
        // H4: a connection may write to a bounded number of distinct tables.
        std::size_t new_tables = 0;
        for (const auto& t : msg.tables)
            new_tables += state_.tables_.count(t.name) == 0 ? 1 : 0;
        if (new_tables > 0 &&
            state_.tables_.size() + new_tables > limits_.max_tables_per_connection) {
            kind = DecodeErrorKind::malformed;
            return detail::fail(ErrorCode::protocol_error,
                                "more than " + std::to_string(limits_.max_tables_per_connection) +
                                    " tables on one connection");
        }
        for (const auto& t : msg.tables)
            state_.tables_.insert(t.name);
        // Commit the delta only now: a rejected frame leaves the connection state untouched.
        auto& dict = state_.dict_;
        for (std::size_t i = 0; i < pending_.size(); ++i) {
            const std::size_t id = delta_start_ + i;
            if (id >= dict.size())
                dict.emplace_back(pending_[i]);
        }
        kind = DecodeErrorKind::none;
        return msg;
    }

  private:
    bool bad(std::string message) {
        error_ = std::move(message);
        return false;
    }
    bool truncated(const char* what) {
        return bad(std::string("truncated or malformed ") + what + " at offset " +
                   std::to_string(kHeaderSize + r_.position()) + " (" + where() + ")");
    }
    std::string where() const {
        if (table_.empty() && column_.empty())
            return "message";
        return describe(table_, column_);
    }

    bool header(DecodedMessage& msg) {
        if (frame_.size() < kHeaderSize) {
            return bad("message of " + std::to_string(frame_.size()) +
                       " bytes is shorter than the 12-byte header");
        }
        ByteReader h(frame_.first(kHeaderSize));
        std::uint32_t magic = 0;
        std::uint16_t table_count = 0;
        std::uint32_t payload_len = 0;
        (void)h.le(magic);
        (void)h.u8(msg.version);
        (void)h.u8(msg.flags);
        (void)h.le(table_count);
        (void)h.le(payload_len);
        if (magic != kMagic)
            return bad("bad magic (expected \"QWP1\")");
        if (msg.version != limits_.version) {
            return bad("message version " + std::to_string(msg.version) +
                       " differs from the negotiated version " + std::to_string(limits_.version));
        }
        if ((msg.flags & ~kKnownFlags) != 0) {
            return bad("reserved flag bits set in flags 0x" + to_hex(msg.flags));
        }
        if (payload_len > limits_.max_payload) {
            return bad("payload_length " + std::to_string(payload_len) + " exceeds the limit " +
                       std::to_string(limits_.max_payload));
        }
        if (payload_len != frame_.size() - kHeaderSize) {
            return bad("payload_length " + std::to_string(payload_len) + " but the frame carries " +
                       std::to_string(frame_.size() - kHeaderSize) + " payload bytes");
        }
        table_count_ = table_count;
        gorilla_ = (msg.flags & kFlagGorilla) != 0;
        global_symbols_ = (msg.flags & kFlagDeltaSymbolDict) != 0;
        r_ = ByteReader(frame_.subspan(kHeaderSize));
        return true;
    }

    static std::string to_hex(std::uint8_t v) {
        static constexpr char d[] = "0123456789abcdef";
        return {d[v >> 4], d[v & 15]};
    }

    bool delta_section(DecodedMessage& msg) {
        if (!global_symbols_)
            return true;
        std::uint64_t start = 0;
        std::uint64_t count = 0;
        if (!r_.varint(start))
            return truncated("delta_start");
        if (!r_.varint(count))
            return truncated("delta_count");
        const auto& dict = state_.dict_;
        if (start > dict.size()) {
            gap_ = true;
            return bad("dictionary gap: delta_start " + std::to_string(start) +
                       " but the connection dictionary holds " + std::to_string(dict.size()) +
                       " entries");
        }
        if (count > r_.remaining())
            return truncated("delta dictionary (entry count)");
        if (start + count > limits_.max_dictionary_entries) {
            return bad("symbol dictionary would exceed " +
                       std::to_string(limits_.max_dictionary_entries) + " entries");
        }
        msg.delta_start = start;
        msg.delta_count = count;
        delta_start_ = start;
        pending_.reserve(count);
        for (std::uint64_t i = 0; i < count; ++i) {
            std::string_view entry;
            if (!string_field(entry, std::numeric_limits<std::size_t>::max(), "symbol entry")) {
                return false;
            }
            const std::uint64_t id = start + i;
            if (id < dict.size() && dict[id] != entry) {
                return bad("delta dictionary redefines symbol id " + std::to_string(id));
            }
            pending_.push_back(entry);
        }
        return true;
    }

    // varint length + UTF-8 bytes.
    bool string_field(std::string_view& out, std::size_t max_len, const char* what) {
        std::uint64_t len = 0;
        if (!r_.varint(len))
            return truncated(what);
        if (len > max_len) {
            return bad(std::string(what) + " of " + std::to_string(len) + " bytes exceeds " +
                       std::to_string(max_len) + " bytes (" + where() + ")");
        }
        std::span<const std::uint8_t> raw;
        if (len > r_.remaining() || !r_.bytes(static_cast<std::size_t>(len), raw)) {
            return truncated(what);
        }
        if (!is_valid_utf8(raw.data(), raw.size())) {
            return bad(std::string(what) + " is not valid UTF-8 (" + where() + ")");
        }
        out = std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size());
        return true;
    }

    bool tables(DecodedMessage& msg) {
        msg.tables.reserve(std::min<std::size_t>(table_count_, r_.remaining()));
        for (std::size_t t = 0; t < table_count_; ++t) {
            DecodedTable table;
            table_.clear();
            column_.clear();
            if (!table_block(table))
                return false;
            msg.tables.push_back(std::move(table));
        }
        return true;
    }

    bool table_block(DecodedTable& table) {
        std::string_view name;
        if (!string_field(name, limits_.max_name_len, "table name"))
            return false;
        if (name.empty())
            return bad("empty table name");
        table.name.assign(name);
        table_ = table.name;
        std::uint64_t rows = 0;
        std::uint64_t cols = 0;
        if (!r_.varint(rows))
            return truncated("row_count");
        if (rows > limits_.max_rows_per_block) {
            return bad("row_count " + std::to_string(rows) + " exceeds " +
                       std::to_string(limits_.max_rows_per_block) + " (" + where() + ")");
        }
        if (!r_.varint(cols))
            return truncated("column_count");
        if (cols > limits_.max_columns) {
            return bad("column_count " + std::to_string(cols) + " exceeds " +
                       std::to_string(limits_.max_columns) + " (" + where() + ")");
        }
        if (cols == 0 && rows > 0)
            return bad("table block with rows but no columns (" + where() + ")");
        if (cols * 2 > r_.remaining())
            return truncated("schema");
        table.row_count = static_cast<std::size_t>(rows);
        table.columns.resize(static_cast<std::size_t>(cols));
        std::unordered_set<std::string_view> seen;
        bool designated = false;
        for (auto& c : table.columns) {
            std::string_view cname;
            if (!string_field(cname, limits_.max_name_len, "column name"))
                return false;
            std::uint8_t code = 0;
            if (!r_.u8(code))
                return truncated("column type");
            c.name.assign(cname);
            column_ = c.name;
            if (!is_known_type_code(code)) {
                return bad("unknown column type code 0x" + to_hex(code) + " (" + where() + ")");
            }
            c.type = static_cast<TypeCode>(code);
            if (c.name.empty()) {
                if (!is_gorilla_type(c.type)) {
                    return bad("empty column name on a non-timestamp column (" + where() + ")");
                }
                if (designated)
                    return bad("two designated timestamp columns (" + where() + ")");
                designated = true;
            } else if (!seen.insert(cname).second) {
                return bad("duplicate column name (" + where() + ")");
            }
        }
        for (auto& c : table.columns) {
            column_ = c.name;
            if (!column_data(c, table.row_count))
                return false;
        }
        column_.clear();
        return true;
    }

    // Null flag + bitmap; returns the number of non-null rows in `values`.
    bool null_section(DecodedColumn& c, std::size_t rows, std::size_t& values) {
        std::uint8_t flag = 0;
        if (!r_.u8(flag))
            return truncated("null flag");
        values = rows;
        if (flag == 0) {
            if (keep_)
                c.nulls.assign(rows, 0);
            return true;
        }
        c.has_bitmap = true;
        std::span<const std::uint8_t> bitmap;
        if (!r_.bytes((rows + 7) / 8, bitmap))
            return truncated("null bitmap");
        if (!keep_) {
            values = rows - count_nulls(bitmap, rows);
            return true;
        }
        c.nulls.resize(rows);
        std::size_t null_count = 0;
        for (std::size_t i = 0; i < rows; ++i) {
            const std::uint8_t bit = (bitmap[i >> 3] >> (i & 7)) & 1;
            c.nulls[i] = bit;
            null_count += bit;
        }
        values = rows - null_count;
        return true;
    }

    // Set bits among the first `rows` bits of the bitmap (bits past `rows` are padding).
    static std::size_t count_nulls(std::span<const std::uint8_t> bitmap, std::size_t rows) {
        std::size_t count = 0;
        const std::size_t whole = rows / 8;
        for (std::size_t i = 0; i < whole; ++i)
            count += static_cast<std::size_t>(std::popcount(bitmap[i]));
        if (const std::size_t tail = rows % 8; tail != 0) {
            const auto mask = static_cast<std::uint8_t>((1U << tail) - 1);
            count += static_cast<std::size_t>(
                std::popcount(static_cast<std::uint8_t>(bitmap[whole] & mask)));
        }
        return count;
    }

    bool need(std::size_t bytes, const char* what) {
        if (bytes > r_.remaining())
            return truncated(what);
        return true;
    }

    // Calls fn(row) for every non-null row, in order. At DecodeDepth::schema there is no row
    // mapping (nothing is stored), so fn is called once per value with the value's index.
    template <typename Fn>
    bool for_values(const DecodedColumn& c, std::size_t values, Fn&& fn) {
        if (!keep_) {
            for (std::size_t v = 0; v < values; ++v) {
                if (!fn(v))
                    return false;
            }
            return true;
        }
        for (std::size_t row = 0; row < c.nulls.size(); ++row) {
            if (c.nulls[row] == 0 && !fn(row))
                return false;
        }
        return true;
    }

    bool column_data(DecodedColumn& c, std::size_t rows) {
        std::size_t values = 0;
        if (!null_section(c, rows, values))
            return false;
        switch (c.type) {
            case TypeCode::boolean:
                return booleans(c, rows, values);
            case TypeCode::byte:
            case TypeCode::short_:
            case TypeCode::char_:
            case TypeCode::int_:
            case TypeCode::long_:
            case TypeCode::date:
            case TypeCode::ipv4:
                return integers(c, rows, values);
            case TypeCode::float_:
            case TypeCode::double_:
                return floats(c, rows, values);
            case TypeCode::timestamp:
            case TypeCode::timestamp_nanos:
                return timestamps(c, rows, values);
            case TypeCode::uuid:
            case TypeCode::long256:
                return wide(c, rows, values);
            case TypeCode::decimal64:
            case TypeCode::decimal128:
            case TypeCode::decimal256:
                return decimals(c, rows, values);
            case TypeCode::geohash:
                return geohashes(c, rows, values);
            case TypeCode::varchar:
            case TypeCode::binary:
                return strings(c, rows, values);
            case TypeCode::symbol:
                return symbols(c, rows, values);
            case TypeCode::double_array:
            case TypeCode::long_array:
                return arrays(c, rows, values);
        }
        return bad("unsupported type (" + where() + ")");
    }

    bool booleans(DecodedColumn& c, std::size_t rows, std::size_t values) {
        std::span<const std::uint8_t> packed;
        if (!r_.bytes((values + 7) / 8, packed))
            return truncated("BOOLEAN values");
        if (!keep_)
            return true;
        c.ints.assign(rows, 0);
        std::size_t v = 0;
        return for_values(c, values, [&](std::size_t row) {
            c.ints[row] = (packed[v >> 3] >> (v & 7)) & 1;
            ++v;
            return true;
        });
    }

    std::int64_t read_signed(const std::uint8_t* p, std::size_t width) {
        switch (width) {
            case 1:
                return static_cast<std::int8_t>(p[0]);
            case 2: {
                std::int16_t v;
                std::memcpy(&v, p, 2);
                return boost::endian::little_to_native(v);
            }
            case 4: {
                std::int32_t v;
                std::memcpy(&v, p, 4);
                return boost::endian::little_to_native(v);
            }
            default: {
                std::int64_t v;
                std::memcpy(&v, p, 8);
                return boost::endian::little_to_native(v);
            }
        }
    }

    bool integers(DecodedColumn& c, std::size_t rows, std::size_t values) {
        const std::size_t width = fixed_width(c.type);
        std::span<const std::uint8_t> raw;
        if (!r_.bytes(values * width, raw))
            return truncated("values");
        if (!keep_)
            return true;
        c.ints.assign(rows, 0);
        std::size_t v = 0;
        const bool unsigned_type = c.type == TypeCode::ipv4 || c.type == TypeCode::char_;
        return for_values(c, values, [&](std::size_t row) {
            std::int64_t value = read_signed(raw.data() + v * width, width);
            if (unsigned_type)
                value &= (width == 4 ? 0xFFFFFFFFLL : 0xFFFFLL);
            c.ints[row] = value;
            ++v;
            return true;
        });
    }

    bool floats(DecodedColumn& c, std::size_t rows, std::size_t values) {
        const std::size_t width = fixed_width(c.type);
        std::span<const std::uint8_t> raw;
        if (!r_.bytes(values * width, raw))
            return truncated("values");
        if (!keep_)
            return true;
        c.floats.assign(rows, 0.0);
        std::size_t v = 0;
        return for_values(c, values, [&](std::size_t row) {
            if (width == 4) {
                std::uint32_t bits;
                std::memcpy(&bits, raw.data() + v * 4, 4);
                c.floats[row] = std::bit_cast<float>(boost::endian::little_to_native(bits));
            } else {
                std::uint64_t bits;
                std::memcpy(&bits, raw.data() + v * 8, 8);
                c.floats[row] = std::bit_cast<double>(boost::endian::little_to_native(bits));
            }
            ++v;
            return true;
        });
    }

    bool timestamps(DecodedColumn& c, std::size_t rows, std::size_t values) {
        std::uint8_t encoding = kTimestampUncompressed;
        if (gorilla_) {
            if (!r_.u8(encoding))
                return truncated("timestamp encoding");
            if (encoding != kTimestampUncompressed && encoding != kTimestampGorilla) {
                return bad("unknown timestamp encoding " + std::to_string(encoding) + " (" +
                           where() + ")");
            }
            c.timestamp_encoding = static_cast<std::int8_t>(encoding);
        }
        if (encoding == kTimestampUncompressed)
            return integers(c, rows, values);
        if (values < 2) {
            return bad("Gorilla timestamps need at least 2 values, got " + std::to_string(values) +
                       " (" + where() + ")");
        }
        // 16 raw bytes plus at least one bit per further value must be present.
        if (!need(16 + (values - 2 + 7) / 8, "Gorilla timestamps"))
            return false;
        // The stream is decoded at both depths: that is how its bytes are validated.
        auto& dense = state_.gorilla_scratch_;
        dense.resize(values);
        const auto used = gorilla::decode(
            std::span<const std::uint8_t>(r_.current(), r_.remaining()), values, dense.data());
        if (!used)
            return truncated("Gorilla bit stream");
        (void)r_.skip(*used);
        if (!keep_)
            return true;
        c.ints.assign(rows, 0);
        std::size_t v = 0;
        return for_values(c, values, [&](std::size_t row) {
            c.ints[row] = dense[v++];
            return true;
        });
    }

    bool wide(DecodedColumn& c, std::size_t rows, std::size_t values) {
        const std::size_t width = fixed_width(c.type);
        std::span<const std::uint8_t> raw;
        if (!r_.bytes(values * width, raw))
            return truncated("values");
        if (!keep_)
            return true;
        c.bytes.assign(rows, std::string());
        std::size_t v = 0;
        return for_values(c, values, [&](std::size_t row) {
            c.bytes[row].assign(reinterpret_cast<const char*>(raw.data() + v * width), width);
            ++v;
            return true;
        });
    }

    bool decimals(DecodedColumn& c, std::size_t rows, std::size_t values) {
        if (!r_.u8(c.scale))
            return truncated("decimal scale");
        if (c.scale > kMaxDecimalScale) {
            return bad("decimal scale " + std::to_string(c.scale) + " exceeds " +
                       std::to_string(kMaxDecimalScale) + " (" + where() + ")");
        }
        if (c.type == TypeCode::decimal64)
            return integers(c, rows, values);
        return wide(c, rows, values);
    }

    bool geohashes(DecodedColumn& c, std::size_t rows, std::size_t values) {
        std::uint64_t precision = 0;
        if (!r_.varint(precision))
            return truncated("geohash precision");
        if (precision < 1 || precision > kMaxGeohashBits) {
            return bad("geohash precision " + std::to_string(precision) + " outside 1..60 (" +
                       where() + ")");
        }
        c.geohash_bits = static_cast<std::uint8_t>(precision);
        const std::size_t width = (precision + 7) / 8;
        std::span<const std::uint8_t> raw;
        if (!r_.bytes(values * width, raw))
            return truncated("geohash values");
        if (!keep_)
            return true;
        c.ints.assign(rows, 0);
        std::size_t v = 0;
        return for_values(c, values, [&](std::size_t row) {
            std::uint64_t bits = 0;
            for (std::size_t b = 0; b < width; ++b) {
                bits |= static_cast<std::uint64_t>(raw[v * width + b]) << (8 * b);
            }
            c.ints[row] = static_cast<std::int64_t>(bits);
            ++v;
            return true;
        });
    }

    bool strings(DecodedColumn& c, std::size_t rows, std::size_t values) {
        std::span<const std::uint8_t> raw_offsets;
        if (!r_.bytes((values + 1) * 4, raw_offsets))
            return truncated("offsets");
        auto offset_at = [&](std::size_t i) {
            std::uint32_t o;
            std::memcpy(&o, raw_offsets.data() + i * 4, 4);
            return boost::endian::little_to_native(o);
        };
        if (offset_at(0) != 0)
            return bad("first offset is not 0 (" + where() + ")");
        std::uint32_t prev = 0;
        for (std::size_t i = 1; i <= values; ++i) {
            const std::uint32_t o = offset_at(i);
            if (o < prev)
                return bad("offsets decrease at index " + std::to_string(i) + " (" + where() + ")");
            prev = o;
        }
        if (prev > kMaxVarcharOffset)
            return bad("offset exceeds 2^31-1 (" + where() + ")");
        std::span<const std::uint8_t> data;
        if (!r_.bytes(prev, data))
            return bad("offsets run past the frame (" + where() + ")");
        if (c.type == TypeCode::varchar) {
            const Utf8Kind kind = utf8_kind(data.data(), data.size());
            if (kind == Utf8Kind::invalid)
                return bad("VARCHAR data is not valid UTF-8 (" + where() + ")");
            // The data as a whole is valid UTF-8, so every value is valid exactly when no
            // value starts on a continuation byte (10xxxxxx): then each one is whole characters.
            // ASCII data has none.
            for (std::size_t i = 1; kind == Utf8Kind::multibyte && i < values; ++i) {
                const std::uint32_t o = offset_at(i);
                if (o < data.size() && (data[o] & 0xC0) == 0x80)
                    return bad("VARCHAR value splits a UTF-8 character (" + where() + ")");
            }
        }
        if (!keep_)
            return true;
        c.bytes.assign(rows, std::string());
        std::size_t v = 0;
        return for_values(c, values, [&](std::size_t row) {
            const std::uint32_t begin = offset_at(v);
            const std::uint32_t end = offset_at(v + 1);
            c.bytes[row].assign(reinterpret_cast<const char*>(data.data()) + begin, end - begin);
            ++v;
            return true;
        });
    }

    bool is_valid_utf8(const std::uint8_t* p, std::size_t n) { return qwp::is_valid_utf8(p, n); }

    bool symbols(DecodedColumn& c, std::size_t rows, std::size_t values) {
        std::vector<std::string_view> local;
        if (!global_symbols_) {
            // Per-column dictionary mode (no FLAG_DELTA_SYMBOL_DICT, e.g. UDP).
            std::uint64_t size = 0;
            if (!r_.varint(size))
                return truncated("column dictionary size");
            if (size > r_.remaining() || size > limits_.max_dictionary_entries) {
                return truncated("column dictionary");
            }
            local.reserve(size);
            for (std::uint64_t i = 0; i < size; ++i) {
                std::string_view s;
                if (!string_field(s, std::numeric_limits<std::size_t>::max(), "symbol entry")) {
                    return false;
                }
                local.push_back(s);
            }
        }
        if (!need(values, "symbol ids"))
            return false;
        if (!keep_ && global_symbols_) {
            return check_symbol_ids(values);
        }
        if (keep_) {
            c.ints.assign(rows, 0);
            c.bytes.assign(rows, std::string());
        }
        const auto& dict = state_.dict_;
        return for_values(c, values, [&](std::size_t row) {
            std::uint64_t id = 0;
            if (!r_.varint(id))
                return truncated("symbol id");
            std::string_view value;
            if (!global_symbols_) {
                if (id >= local.size()) {
                    return bad("symbol index " + std::to_string(id) +
                               " outside the column "
                               "dictionary of " +
                               std::to_string(local.size()) + " (" + where() + ")");
                }
                value = local[id];
            } else if (id < dict.size()) {
                value = dict[id];
            } else if (id >= delta_start_ && id - delta_start_ < pending_.size()) {
                value = pending_[id - delta_start_];
            } else {
                return unknown_symbol_id(id);
            }
            if (keep_) {
                c.ints[row] = static_cast<std::int64_t>(id);
                c.bytes[row].assign(value);
            }
            return true;
        });
    }

    // Validation-only decode of global-dictionary ids (a sink keeps no values): one tight
    // loop, since this runs for every row of every symbol column a server receives.
    bool check_symbol_ids(std::size_t values) {
        const std::uint64_t known = state_.dict_.size();
        for (std::size_t v = 0; v < values; ++v) {
            std::uint64_t id = 0;
            if (!r_.varint(id))
                return truncated("symbol id");
            if (id >= known && !(id >= delta_start_ && id - delta_start_ < pending_.size()))
                [[unlikely]] {
                return unknown_symbol_id(id);
            }
        }
        return true;
    }

    [[gnu::noinline]] bool unknown_symbol_id(std::uint64_t id) {
        return bad("symbol id " + std::to_string(id) + " is not in the dictionary (" + where() +
                   ")");
    }

    bool arrays(DecodedColumn& c, std::size_t rows, std::size_t values) {
        if (!need(values * 5, "array values"))
            return false;
        if (keep_)
            c.arrays.assign(rows, DecodedArray{});
        const bool doubles = c.type == TypeCode::double_array;
        return for_values(c, values, [&](std::size_t row) {
            std::uint8_t dims = 0;
            if (!r_.u8(dims))
                return truncated("array n_dims");
            if (dims == 0)
                return bad("array with n_dims 0 (" + where() + ")");
            if (dims > kMaxArrayDims)
                return bad("array with more than 32 dimensions (" + where() + ")");
            // At DecodeDepth::schema only the shape is needed (to size the elements).
            auto& a = keep_ ? c.arrays[row] : shape_scratch_;
            a.shape.resize(dims);
            bool zero = false;
            for (auto& d : a.shape) {
                if (!r_.le(d))
                    return truncated("array dimension");
                if (d < 0)
                    return bad("negative array dimension (" + where() + ")");
                zero |= d == 0;
            }
            // The element count must fit the bytes left; saturate instead of overflowing.
            const std::uint64_t cap = r_.remaining() / 8;
            std::uint64_t elements = zero ? 0 : 1;
            for (const auto d : a.shape) {
                if (elements == 0)
                    break;
                if (elements > cap / static_cast<std::uint64_t>(d)) {
                    return bad("array larger than the frame (" + where() + ")");
                }
                elements *= static_cast<std::uint64_t>(d);
            }
            std::span<const std::uint8_t> raw;
            if (elements * 8 > r_.remaining() || !r_.bytes(elements * 8, raw)) {
                return truncated("array elements");
            }
            if (!keep_)
                return true;
            if (doubles) {
                a.doubles.resize(elements);
            } else {
                a.longs.resize(elements);
            }
            for (std::size_t e = 0; e < elements; ++e) {
                std::uint64_t bits;
                std::memcpy(&bits, raw.data() + e * 8, 8);
                bits = boost::endian::little_to_native(bits);
                if (doubles) {
                    a.doubles[e] = std::bit_cast<double>(bits);
                } else {
                    a.longs[e] = static_cast<std::int64_t>(bits);
                }
            }
            return true;
        });
    }

    std::span<const std::uint8_t> frame_;
    IngressDecoderState& state_;
    const DecodeLimits& limits_;
    const bool keep_;  // DecodeDepth::values: materialise per-row values
    DecodedArray shape_scratch_;
    ByteReader r_;
    std::size_t table_count_ = 0;
    bool gorilla_ = false;
    bool global_symbols_ = false;
    bool gap_ = false;
    std::uint64_t delta_start_ = 0;
    std::vector<std::string_view> pending_;
    std::string table_;
    std::string column_;
    std::string error_;
};

detail::Result<DecodedMessage> decode_ingress_message(std::span<const std::uint8_t> frame,
                                                      IngressDecoderState& state,
                                                      const DecodeLimits& limits,
                                                      DecodeErrorKind* kind, DecodeDepth depth) {
    DecodeErrorKind local = DecodeErrorKind::none;
    IngressDecoder decoder(frame, state, limits, depth);
    auto result = decoder.run(local);
    if (kind != nullptr)
        *kind = local;
    return result;
}

}  // namespace questdb::qwp
