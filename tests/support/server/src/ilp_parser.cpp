// Strict ILP parsing; see ilp_parser.hpp.

#include "ilp_parser.hpp"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

namespace questdb::test_server::detail {
namespace {

constexpr std::uint8_t kBinaryArray = 14;
constexpr std::uint8_t kBinaryDouble = 16;
constexpr std::uint8_t kBinaryDecimal = 23;
constexpr std::uint8_t kArrayElemDouble = 10;
constexpr unsigned kMaxArrayDims = 32;

class LineParser {
  public:
    LineParser(std::span<const std::uint8_t> data, IlpPrecision precision, IncomingBlock& out)
        : data_(data), precision_(precision), out_(out) {}

    IlpLineResult run() {
        IlpLineResult r;
        const auto newline = std::memchr(data_.data(), '\n', data_.size());
        if (newline == nullptr) {
            return r;  // incomplete (binary payloads may contain '\n'; re-checked below)
        }
        if (data_[0] == '\n' || (data_[0] == '\r' && data_.size() > 1 && data_[1] == '\n')) {
            r.outcome = IlpParseOutcome::line;
            r.blank = true;
            r.consumed = data_[0] == '\n' ? 1 : 2;
            return r;
        }
        out_ = IncomingBlock{};
        out_.row_count = 1;
        row_.clear();
        if (!parse()) {
            if (truncated_) {
                return r;  // a binary value ran past the buffered bytes: wait for more
            }
            r.outcome = IlpParseOutcome::error;
            r.error = error_;
            r.consumed = pos_;
            return r;
        }
        out_.rows.push_back(std::move(row_));
        r.outcome = IlpParseOutcome::line;
        r.consumed = pos_;
        return r;
    }

  private:
    bool fail(std::string message) {
        error_ = std::move(message);
        return false;
    }
    [[nodiscard]] bool at_end() const { return pos_ >= data_.size(); }
    [[nodiscard]] char peek() const { return static_cast<char>(data_[pos_]); }

    /// Reads an escaped token until one of `stops` (unescaped) or end of line.
    bool token(std::string& out, std::string_view stops) {
        out.clear();
        while (!at_end()) {
            const char c = peek();
            if (c == '\n' || c == '\r' || stops.find(c) != std::string_view::npos) {
                return true;
            }
            if (c == '\\') {
                ++pos_;
                if (at_end() || peek() == '\n') {
                    return fail("dangling escape character");
                }
            }
            out.push_back(peek());
            ++pos_;
        }
        return true;
    }

    bool parse() {
        std::string name;
        if (!token(name, ", "))
            return false;
        if (auto err = check_table_name(name); !err.empty())
            return fail(err);
        out_.table = name;
        while (!at_end() && peek() == ',') {
            ++pos_;
            std::string key, value;
            if (!token(key, "=, "))
                return false;
            if (at_end() || peek() != '=')
                return fail("missing tag value for '" + key + "'");
            ++pos_;
            if (!token(value, ", "))
                return false;
            if (auto err = check_column_name(key); !err.empty())
                return fail(err);
            if (value.empty())
                return fail("empty tag value for '" + key + "'");
            add(key, ColumnType::symbol, std::move(value));
        }
        if (at_end() || peek() != ' ') {
            return fail("missing fields for table '" + out_.table + "'");
        }
        ++pos_;
        bool first = true;
        while (first || (!at_end() && peek() == ',')) {
            if (!first)
                ++pos_;
            first = false;
            std::string key;
            if (!token(key, "=, "))
                return false;
            if (auto err = check_column_name(key); !err.empty())
                return fail(err);
            if (at_end() || peek() != '=')
                return fail("missing value for field '" + key + "'");
            ++pos_;
            if (!field_value(key))
                return false;
        }
        if (!at_end() && peek() == ' ') {
            ++pos_;
            if (!designated_timestamp())
                return false;
        }
        if (!at_end() && peek() == '\r')
            ++pos_;
        if (at_end()) {
            truncated_ = true;
            return false;
        }
        if (peek() != '\n')
            return fail("unexpected character after fields");
        ++pos_;
        return true;
    }

    void add(const std::string& name, ColumnType type, Value value, bool designated = false) {
        out_.columns.push_back(IncomingColumn{name, type, designated});
        row_.push_back(std::move(value));
    }

    bool need(std::size_t n) {
        if (data_.size() - pos_ < n) {
            truncated_ = true;
            return false;
        }
        return true;
    }

    bool field_value(const std::string& key) {
        if (at_end())
            return fail("missing value for field '" + key + "'");
        if (peek() == '"') {
            ++pos_;
            std::string s;
            while (true) {
                if (at_end()) {
                    truncated_ = true;
                    return false;
                }
                char c = peek();
                ++pos_;
                if (c == '"')
                    break;
                if (c == '\\') {
                    if (at_end()) {
                        truncated_ = true;
                        return false;
                    }
                    c = peek();
                    ++pos_;
                } else if (c == '\n') {
                    return fail("unterminated string in field '" + key + "'");
                }
                s.push_back(c);
            }
            add(key, ColumnType::varchar, std::move(s));
            return true;
        }
        if (peek() == '=') {
            ++pos_;
            return binary_value(key);
        }
        std::string text;
        if (!token(text, ", "))
            return false;
        return text_value(key, text);
    }

    bool binary_value(const std::string& key) {
        if (!need(1))
            return false;
        const auto kind = data_[pos_++];
        if (kind == kBinaryDouble) {
            if (!need(8))
                return false;
            double d;
            std::memcpy(&d, data_.data() + pos_, 8);  // little-endian hosts only
            pos_ += 8;
            add(key, ColumnType::double_, d);
            return true;
        }
        if (kind == kBinaryArray) {
            if (!need(2))
                return false;
            const auto elem = data_[pos_++];
            const auto dims = data_[pos_++];
            if (elem != kArrayElemDouble)
                return fail("unsupported array element type in '" + key + "'");
            if (dims == 0 || dims > kMaxArrayDims)
                return fail("bad array dimensions in '" + key + "'");
            if (!need(4u * dims))
                return false;
            Array a;
            std::uint64_t count = 1;
            for (unsigned i = 0; i < dims; ++i) {
                std::uint32_t d;
                std::memcpy(&d, data_.data() + pos_, 4);
                pos_ += 4;
                if (d > 0x0FFFFFFF)
                    return fail("array dimension too large in '" + key + "'");
                a.shape.push_back(d);
                count *= d;
                if (count > (std::uint64_t{1} << 28))
                    return fail("array too large in '" + key + "'");
            }
            if (!need(count * 8))
                return false;
            a.doubles.resize(count);
            if (count > 0)  // a zero dimension: no values, and data() may be null
                std::memcpy(a.doubles.data(), data_.data() + pos_, count * 8);
            pos_ += count * 8;
            add(key, ColumnType::double_array, std::move(a));
            return true;
        }
        if (kind == kBinaryDecimal) {
            if (!need(2))
                return false;
            const auto scale = data_[pos_++];
            const auto len = data_[pos_++];
            if (scale > 76)
                return fail("decimal scale out of range in '" + key + "'");
            if (len == 0 || len > 32)
                return fail("decimal length out of range in '" + key + "'");
            if (!need(len))
                return false;
            const std::size_t width = len <= 8 ? 8 : (len <= 16 ? 16 : 32);
            Decimal d;
            d.scale = scale;
            const bool negative = (data_[pos_] & 0x80) != 0;
            d.unscaled_le.assign(width, negative ? 0xFF : 0x00);
            for (std::size_t i = 0; i < len; ++i) {
                d.unscaled_le[i] = data_[pos_ + len - 1 - i];  // big-endian on the wire
            }
            pos_ += len;
            add(key,
                width == 8 ? ColumnType::decimal64
                           : (width == 16 ? ColumnType::decimal128 : ColumnType::decimal256),
                std::move(d));
            return true;
        }
        return fail("unknown binary format type " + std::to_string(kind) + " in '" + key + "'");
    }

    static bool parse_i64(std::string_view s, std::int64_t& v) {
        if (s.empty())
            return false;
        const auto* begin = s.data();
        if (*begin == '+')
            return false;
        auto [p, ec] = std::from_chars(begin, s.data() + s.size(), v);
        return ec == std::errc() && p == s.data() + s.size();
    }

    bool text_value(const std::string& key, const std::string& text) {
        if (text.empty())
            return fail("empty value for field '" + key + "'");
        const char suffix = text.back();
        const std::string_view body(text.data(), text.size() - 1);
        if (text == "t" || text == "T" || text == "true" || text == "True" || text == "TRUE") {
            add(key, ColumnType::boolean, true);
            return true;
        }
        if (text == "f" || text == "F" || text == "false" || text == "False" || text == "FALSE") {
            add(key, ColumnType::boolean, false);
            return true;
        }
        if (suffix == 'i') {
            if (body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X')) {
                return long256(key, body.substr(2));
            }
            std::int64_t v;
            if (!parse_i64(body, v))
                return fail("invalid integer value for field '" + key + "'");
            add(key, ColumnType::long_, v);
            return true;
        }
        if (suffix == 't' || suffix == 'n') {
            std::int64_t v;
            if (!parse_i64(body, v))
                return fail("invalid timestamp value for field '" + key + "'");
            add(key, suffix == 't' ? ColumnType::timestamp : ColumnType::timestamp_nanos, v);
            return true;
        }
        if (suffix == 'd') {
            return text_decimal(key, body);
        }
        // A float: digits, optional sign, point and exponent, or NaN / Infinity.
        double d;
        if (text == "NaN") {
            d = std::numeric_limits<double>::quiet_NaN();
        } else if (text == "Infinity" || text == "+Infinity") {
            d = std::numeric_limits<double>::infinity();
        } else if (text == "-Infinity") {
            d = -std::numeric_limits<double>::infinity();
        } else {
            for (char c : text) {
                if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' ||
                      c == '.' || c == 'e' || c == 'E')) {
                    return fail("invalid field value for '" + key + "': " + text);
                }
            }
            auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
            if (ec != std::errc() || p != text.data() + text.size()) {
                return fail("invalid float value for field '" + key + "': " + text);
            }
        }
        add(key, ColumnType::double_, d);
        return true;
    }

    bool long256(const std::string& key, std::string_view hex) {
        if (hex.empty() || hex.size() > 64)
            return fail("invalid long256 value for '" + key + "'");
        Bytes b;
        b.data.assign(32, 0);
        for (std::size_t i = 0; i < hex.size(); ++i) {
            const char c = hex[hex.size() - 1 - i];
            int v;
            if (c >= '0' && c <= '9')
                v = c - '0';
            else if (c >= 'a' && c <= 'f')
                v = c - 'a' + 10;
            else if (c >= 'A' && c <= 'F')
                v = c - 'A' + 10;
            else
                return fail("invalid long256 value for '" + key + "'");
            b.data[i / 2] |= static_cast<std::uint8_t>(v << (4 * (i % 2)));
        }
        add(key, ColumnType::long256, std::move(b));
        return true;
    }

    bool text_decimal(const std::string& key, std::string_view body) {
        bool negative = false;
        std::size_t i = 0;
        if (i < body.size() && (body[i] == '-' || body[i] == '+')) {
            negative = body[i] == '-';
            ++i;
        }
        std::uint64_t unscaled = 0;
        int scale = 0;
        bool seen_point = false, seen_digit = false;
        for (; i < body.size(); ++i) {
            const char c = body[i];
            if (c == '.' && !seen_point) {
                seen_point = true;
                continue;
            }
            if (!std::isdigit(static_cast<unsigned char>(c))) {
                return fail("invalid decimal value for field '" + key + "'");
            }
            seen_digit = true;
            constexpr auto kMax =
                static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
            if (unscaled > (kMax - static_cast<std::uint64_t>(c - '0')) / 10) {
                return fail("decimal value out of range for field '" + key + "'");
            }
            unscaled = unscaled * 10 + static_cast<std::uint64_t>(c - '0');
            if (seen_point)
                ++scale;
        }
        if (!seen_digit || scale > 76)
            return fail("invalid decimal value for field '" + key + "'");
        const auto magnitude = static_cast<std::int64_t>(unscaled);
        const std::int64_t v = negative ? -magnitude : magnitude;
        Decimal d;
        d.scale = static_cast<std::uint8_t>(scale);
        d.unscaled_le.resize(8);
        std::memcpy(d.unscaled_le.data(), &v, 8);
        add(key, ColumnType::decimal64, std::move(d));
        return true;
    }

    bool designated_timestamp() {
        std::string text;
        if (!token(text, " ,"))
            return false;
        if (text.empty())
            return fail("empty designated timestamp");
        ColumnType type = ColumnType::timestamp;
        std::int64_t v;
        const char suffix = text.back();
        if (suffix == 'n' || suffix == 't') {
            if (!parse_i64(std::string_view(text).substr(0, text.size() - 1), v)) {
                return fail("invalid designated timestamp " + text);
            }
            if (suffix == 'n')
                type = ColumnType::timestamp_nanos;
        } else {
            if (!parse_i64(text, v))
                return fail("invalid designated timestamp " + text);
            std::int64_t scale = 1;  // to micros
            switch (precision_) {
                case IlpPrecision::nanos:
                    type = ColumnType::timestamp_nanos;
                    break;
                case IlpPrecision::micros:
                    break;
                case IlpPrecision::millis:
                    scale = 1000;
                    break;
                case IlpPrecision::seconds:
                    scale = 1000000;
                    break;
                case IlpPrecision::minutes:
                    scale = 60000000;
                    break;
                case IlpPrecision::hours:
                    scale = 3600000000LL;
                    break;
            }
            if (__builtin_mul_overflow(v, scale, &v))
                return fail("designated timestamp out of range " + text);
        }
        if (v < 0)
            return fail("designated timestamp is negative");
        // QuestDB auto-creates the designated column as TIMESTAMP (micros).
        if (type == ColumnType::timestamp_nanos) {
            v /= 1000;
        }
        add("", ColumnType::timestamp, v, true);
        return true;
    }

    std::span<const std::uint8_t> data_;
    IlpPrecision precision_;
    IncomingBlock& out_;
    std::vector<Value> row_;
    std::size_t pos_ = 0;
    bool truncated_ = false;
    std::string error_;
};

std::string check_name(std::string_view name, std::string_view what, std::string_view forbidden) {
    if (name.empty())
        return std::string(what) + " name is empty";
    if (name.size() > 127)
        return std::string(what) + " name '" + std::string(name) + "' is too long";
    for (char c : name) {
        if (static_cast<unsigned char>(c) < 0x20 || forbidden.find(c) != std::string_view::npos) {
            return std::string(what) + " name '" + std::string(name) +
                   "' contains an invalid character";
        }
    }
    return {};
}

}  // namespace

std::string check_table_name(std::string_view name) {
    auto err = check_name(name, "table", "?,'\"\\/:)(+*%~\x7f");
    if (err.empty() &&
        (name.front() == '.' || name.back() == '.' || name.find("..") != std::string_view::npos)) {
        err = "table name '" + std::string(name) + "' has a misplaced '.'";
    }
    return err;
}

std::string check_column_name(std::string_view name) {
    return check_name(name, "column", "?.,'\"\\/:)(+-*%~\x7f");
}

IlpLineResult parse_ilp_line(std::span<const std::uint8_t> data, IlpPrecision precision,
                             IncomingBlock& out) {
    return LineParser(data, precision, out).run();
}

bool parse_ilp_body(std::span<const std::uint8_t> body, IlpPrecision precision,
                    std::vector<IncomingBlock>& out, std::size_t& error_line, std::string& error) {
    std::size_t pos = 0;
    std::size_t line = 0;
    while (pos < body.size()) {
        ++line;
        IncomingBlock block;
        auto r = parse_ilp_line(body.subspan(pos), precision, block);
        if (r.outcome == IlpParseOutcome::incomplete) {
            error_line = line;
            error = "incomplete line (missing trailing newline)";
            return false;
        }
        if (r.outcome == IlpParseOutcome::error) {
            error_line = line;
            error = r.error;
            return false;
        }
        pos += r.consumed;
        if (!r.blank) {
            out.push_back(std::move(block));
        }
    }
    return true;
}

}  // namespace questdb::test_server::detail
