#include "ilp/text_rules.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>

#include "ilp/fast_text.hpp"
#include "qwp/utf8.hpp"

namespace questdb::ilp {
namespace {

using detail::fail;
using detail::Status;

/// The name as it appears in an error message: control bytes spelled as \xNN so that a
/// newline in a bad name cannot break a log line; long names shortened.
std::string printable(std::string_view text) {
    static constexpr std::size_t kMaxShown = 80;
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(text.size() + 2);
    out.push_back('"');
    for (std::size_t i = 0; i < text.size() && i < kMaxShown; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7f) {
            out += "\\x";
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xF]);
        } else if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back(static_cast<char>(c));
        }
    }
    if (text.size() > kMaxShown) {
        out += "...";
    }
    out.push_back('"');
    return out;
}

std::string describe_byte(unsigned char c) {
    static constexpr char kHex[] = "0123456789abcdef";
    if (c < 0x20 || c == 0x7f) {
        return std::string("control character \\x") + kHex[c >> 4] + kHex[c & 0xF];
    }
    return std::string("'") + static_cast<char>(c) + "'";
}

// Bytes no table name may hold (anywhere); '.' has positional rules of its own.
constexpr std::array<bool, 256> make_table_forbidden() {
    std::array<bool, 256> t{};
    for (unsigned char c : std::string_view("?,'\"\\/:)(+*%~\r\n")) {
        t[c] = true;
    }
    for (unsigned c = 0; c <= 0x0f; ++c) {
        t[c] = true;  // \0 .. \x0f, which covers \t, \v, \f and \r, \n
    }
    t[0x7f] = true;
    return t;
}

// Column names additionally refuse '.' and '-'.
constexpr std::array<bool, 256> make_column_forbidden() {
    auto t = make_table_forbidden();
    t[static_cast<unsigned char>('.')] = true;
    t[static_cast<unsigned char>('-')] = true;
    return t;
}

constexpr auto kTableForbidden = make_table_forbidden();
constexpr auto kColumnForbidden = make_column_forbidden();

// U+FEFF (zero width no-break space, the UTF-8 BOM) is refused anywhere in a name.
constexpr std::string_view kBom = "\xEF\xBB\xBF";

Status check_length(std::string_view kind, std::string_view name, std::size_t max_name_len) {
    if (name.empty()) {
        return fail(ErrorCode::invalid_name, std::string(kind) + " names must not be empty");
    }
    if (name.size() > max_name_len) {
        return fail(ErrorCode::invalid_name, "Bad " + std::string(kind) + " name " +
                                                 printable(name) + ": longer than " +
                                                 std::to_string(max_name_len) + " bytes");
    }
    return {};
}

/// Checks only names holding non-ASCII bytes (rare): UTF-8 validity and no BOM.
Status check_non_ascii(std::string_view kind, std::string_view name) {
    if (!is_valid_utf8(name)) {
        return fail(ErrorCode::invalid_utf8,
                    "Bad " + std::string(kind) + " name " + printable(name) + ": not valid UTF-8");
    }
    if (const auto at = name.find(kBom); at != std::string_view::npos) {
        return fail(ErrorCode::invalid_name,
                    "Bad " + std::string(kind) + " name " + printable(name) +
                        ": contains a UTF-8 BOM (U+FEFF) at byte " + std::to_string(at));
    }
    return {};
}

Status bad_char(std::string_view kind, std::string_view name, std::size_t at) {
    return fail(ErrorCode::invalid_name, "Bad " + std::string(kind) + " name " + printable(name) +
                                             ": " + std::string(kind) + " names can't contain " +
                                             describe_byte(static_cast<unsigned char>(name[at])) +
                                             " (found at byte " + std::to_string(at) + ")");
}

}  // namespace

bool is_valid_utf8(std::string_view text) noexcept {
    return qwp::is_valid_utf8(text);  // one strict validator for every protocol
}

namespace {

// Bytes a "simple" name may hold: ASCII, not forbidden, and nothing append_escaped_unquoted
// would escape (' ' and '=' are legal in names but escaped); tables also refuse '.', whose
// rules are positional. One table lookup per byte, no Status built.
constexpr std::array<bool, 256> make_simple(const std::array<bool, 256>& forbidden, bool dots) {
    std::array<bool, 256> t{};
    for (unsigned c = 0; c < 0x80; ++c) {
        t[c] = !forbidden[c] && c != ' ' && c != '=' && !(dots && c == '.');
    }
    return t;
}

constexpr auto kSimpleTableByte = make_simple(kTableForbidden, true);
constexpr auto kSimpleColumnByte = make_simple(kColumnForbidden, false);

bool is_simple_name(std::string_view name, std::size_t max_name_len,
                    const std::array<bool, 256>& simple) noexcept {
    if (name.empty() || name.size() > max_name_len) {
        return false;
    }
    bool ok = true;
    for (const char ch : name) {
        ok &= simple[static_cast<unsigned char>(ch)];
    }
    return ok;
}

}  // namespace

bool is_simple_table_name(std::string_view name, std::size_t max_name_len) noexcept {
    return is_simple_name(name, max_name_len, kSimpleTableByte);
}

bool is_simple_column_name(std::string_view name, std::size_t max_name_len) noexcept {
    return is_simple_name(name, max_name_len, kSimpleColumnByte);
}

detail::Status validate_table_name(std::string_view name, std::size_t max_name_len) {
    if (auto status = check_length("table", name, max_name_len); !status.ok()) {
        return status;
    }
    // One pass over the bytes; UTF-8 and BOM checks only run for non-ASCII names.
    bool non_ascii = false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const auto c = static_cast<unsigned char>(name[i]);
        non_ascii |= c >= 0x80;
        if (c == '.') {
            if (i == 0 || i + 1 == name.size() || name[i - 1] == '.') {
                return fail(ErrorCode::invalid_name,
                            "Bad table name " + printable(name) + ": misplaced dot '.' at byte " +
                                std::to_string(i) + " (no leading, trailing or consecutive dots)");
            }
        } else if (kTableForbidden[c]) {
            return bad_char("table", name, i);
        }
    }
    return non_ascii ? check_non_ascii("table", name) : Status{};
}

detail::Status validate_column_name(std::string_view name, std::size_t max_name_len) {
    if (auto status = check_length("column", name, max_name_len); !status.ok()) {
        return status;
    }
    bool non_ascii = false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const auto c = static_cast<unsigned char>(name[i]);
        non_ascii |= c >= 0x80;
        if (kColumnForbidden[c]) {
            return bad_char("column", name, i);
        }
    }
    return non_ascii ? check_non_ascii("column", name) : Status{};
}

namespace {

constexpr std::array<bool, 256> make_escape_table(std::string_view specials) {
    std::array<bool, 256> t{};
    for (unsigned char c : specials) {
        t[c] = true;
    }
    return t;
}

constexpr auto kUnquotedSpecial = make_escape_table(" ,=\n\r\\");
constexpr auto kQuotedSpecial = make_escape_table("\n\r\"\\");

inline void append_escaped(GrowableBytes& out, std::string_view text,
                           const std::array<bool, 256>& special) {
    // Worst case every byte doubles; reserving that once keeps the loop free of checks.
    std::uint8_t* dst = out.prepare(text.size() * 2);
    std::uint8_t* const begin = dst;
    // Most text needs no escaping: find the first special byte, copy everything before it
    // in one go, and escape byte by byte only from there.
    std::size_t plain = 0;
    while (plain < text.size() && !special[static_cast<unsigned char>(text[plain])]) {
        ++plain;
    }
    if (plain != 0) {
        std::memcpy(dst, text.data(), plain);
        dst += plain;
    }
    text.remove_prefix(plain);
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (special[c]) {
            *dst++ = '\\';
        }
        *dst++ = c;
    }
    out.commit(static_cast<std::size_t>(dst - begin));
}

}  // namespace

void append_escaped_unquoted(GrowableBytes& out, std::string_view text) {
    append_escaped(out, text, kUnquotedSpecial);
}

void append_escaped_quoted(GrowableBytes& out, std::string_view text) {
    out.push('"');
    append_escaped(out, text, kQuotedSpecial);
    out.push('"');
}

namespace {

constexpr double kPow10[] = {1.0, 10.0, 100.0, 1000.0, 10000.0};
constexpr int kMaxFastFractionDigits = 4;
// Integers below 2^50 are exact, and so is their product with 10^k for k <= 4 in the
// rounding argument below (a far smaller error than the 0.5 that separates integers).
constexpr double kFastLimit = 1125899906842624.0;  // 2^50

// Writes digits / 10^K as "<integer>.<K fraction digits>" ("<integer>.0" for K = 0); a
// constant K turns the divisions into multiplications.
template <int K>
[[gnu::always_inline]] inline std::size_t write_scaled(std::uint64_t digits, char* out) noexcept {
    constexpr std::uint64_t kUnit = K == 0 ? 1 : K == 1 ? 10 : K == 2 ? 100 : K == 3 ? 1000 : 10000;
    auto* p = fast::write_u64(reinterpret_cast<std::uint8_t*>(out), digits / kUnit);
    *p++ = '.';
    if constexpr (K == 0) {
        *p++ = '0';
    } else {
        std::uint64_t fraction = digits % kUnit;
        for (int i = K; i-- > 0;) {
            p[i] = static_cast<std::uint8_t>('0' + fraction % 10);
            fraction /= 10;
        }
        p += K;
    }
    return static_cast<std::size_t>(p - reinterpret_cast<std::uint8_t*>(out));
}

// One step of format_short_decimal: whether `value` is n / 10^K for the nearest integer n to
// value * 10^K; if so writes it and returns the length. `too_big` reports value * 10^K
// out of the exact range (then no later K can succeed either).
template <int K>
[[gnu::always_inline]] inline std::size_t try_scale(double value, char* out,
                                                    bool& too_big) noexcept {
    const double scaled = value * kPow10[K];
    if (scaled >= kFastLimit) {
        too_big = true;
        return 0;
    }
    // Nearest integer (exact: 0.5 is representable at this magnitude); a wrong guess
    // only fails the check below. Below 2^50 the signed conversions are exact.
    // NOLINTNEXTLINE(bugprone-incorrect-roundings): exact here, see above
    const auto digits = static_cast<std::int64_t>(scaled + 0.5);
    if (static_cast<double>(digits) / kPow10[K] != value) {
        return 0;
    }
    return write_scaled<K>(static_cast<std::uint64_t>(digits), out);
}

// Positive values in [1e-4, 2^50) with at most four fraction digits (prices, sizes, i*0.25):
// finds the fewest fraction digits k for which some integer n gives back exactly `value`
// as n / 10^k. Both are exact doubles and IEEE division rounds correctly, so n / 10^k == value
// means the text "n*10^-k" reads back as `value`; trying k upward makes it the shortest such
// text, i.e. the digits to_chars would choose, spelled in the same fixed layout.
// Returns 0 when the value is not of that form (the general path then handles it).
[[gnu::always_inline]] inline std::size_t format_short_decimal(double value, char* out) noexcept {
    static_assert(kMaxFastFractionDigits == 4);
    if (!(value >= 1e-4 && value < kFastLimit)) {
        return 0;
    }
    bool too_big = false;
    std::size_t n = try_scale<0>(value, out, too_big);
    if (n == 0 && !too_big) {
        n = try_scale<1>(value, out, too_big);
    }
    if (n == 0 && !too_big) {
        n = try_scale<2>(value, out, too_big);
    }
    if (n == 0 && !too_big) {
        n = try_scale<3>(value, out, too_big);
    }
    if (n == 0 && !too_big) {
        n = try_scale<4>(value, out, too_big);
    }
    return n;
}

}  // namespace

std::size_t format_double(double value, char* out) noexcept {
    if (value > 0.0) [[likely]] {
        if (const std::size_t n = format_short_decimal(value, out); n != 0) {
            return n;
        }
    } else if (value < 0.0) {
        if (const std::size_t n = format_short_decimal(-value, out + 1); n != 0) {
            out[0] = '-';
            return n + 1;
        }
    }
    return format_double_general(value, out);
}

namespace {

// Copies `text` without its terminator (the output is a byte run, not a C string).
std::size_t put_text(char* out, std::string_view text) noexcept {
    std::copy(text.begin(), text.end(), out);
    return text.size();
}

}  // namespace

std::size_t format_double_general(double value, char* out) noexcept {
    if (std::isnan(value)) {
        return put_text(out, "NaN");
    }
    if (std::isinf(value)) {
        if (value < 0) {
            return put_text(out, "-Infinity");
        }
        return put_text(out, "Infinity");
    }
    char* p = out;
    if (std::signbit(value)) {
        *p++ = '-';
        value = -value;
    }
    if (value == 0.0) {
        return static_cast<std::size_t>(p - out) + put_text(p, "0.0");
    }
    // Shortest round-trip digits come from to_chars in scientific form "d.ddde+XX";
    // the layout below then follows the reference client's choices.
    char sci[kMaxDoubleChars];
    const auto res = std::to_chars(sci, sci + sizeof(sci), value, std::chars_format::scientific);
    const char* sci_end = res.ptr;
    char digits[20] = {};  // to_chars writes at least one digit; zeroed for the analyzer
    int ndigits = 0;
    const char* q = sci;
    for (; q < sci_end && *q != 'e'; ++q) {
        if (*q != '.') {
            digits[ndigits++] = *q;
        }
    }
    int exp10 = 0;
    std::from_chars(q + 1 + (q[1] == '+' ? 1 : 0), sci_end, exp10);
    // value = 0.digits * 10^kk, i.e. 10^(kk-1) <= value < 10^kk
    const int kk = exp10 + 1;
    const int k = kk - ndigits;  // value = digits * 10^k
    if (k >= 0 && kk <= 16) {
        std::memcpy(p, digits, static_cast<std::size_t>(ndigits));
        p += ndigits;
        for (int i = ndigits; i < kk; ++i) {
            *p++ = '0';
        }
        *p++ = '.';
        *p++ = '0';
    } else if (kk > 0 && kk <= 16) {
        std::memcpy(p, digits, static_cast<std::size_t>(kk));
        p += kk;
        *p++ = '.';
        std::memcpy(p, digits + kk, static_cast<std::size_t>(ndigits - kk));
        p += ndigits - kk;
    } else if (kk > -5 && kk <= 0) {
        *p++ = '0';
        *p++ = '.';
        for (int i = 0; i < -kk; ++i) {
            *p++ = '0';
        }
        std::memcpy(p, digits, static_cast<std::size_t>(ndigits));
        p += ndigits;
    } else {
        *p++ = digits[0];
        if (ndigits > 1) {
            *p++ = '.';
            std::memcpy(p, digits + 1, static_cast<std::size_t>(ndigits - 1));
            p += ndigits - 1;
        }
        *p++ = 'e';
        p = std::to_chars(p, out + kMaxDoubleChars, kk - 1).ptr;
    }
    return static_cast<std::size_t>(p - out);
}

}  // namespace questdb::ilp
