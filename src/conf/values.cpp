#include "conf/values.hpp"

#include <limits>

namespace questdb::conf::detail {
namespace {

char lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return true;
}

std::optional<std::uint64_t> parse_digits(std::string_view text) noexcept {
    if (text.empty()) {
        return std::nullopt;
    }
    std::uint64_t out = 0;
    for (char c : text) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (out > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) {
            return std::nullopt;
        }
        out = out * 10 + digit;
    }
    return out;
}

bool is_numeric(ValueType type) noexcept {
    switch (type) {
        case ValueType::integer:
        case ValueType::milliseconds:
        case ValueType::bytes:
        case ValueType::integer_or_off:
        case ValueType::milliseconds_or_off:
        case ValueType::bytes_or_off:
            return true;
        default:
            return false;
    }
}

bool accepts_off(ValueType type) noexcept {
    return type == ValueType::integer_or_off || type == ValueType::milliseconds_or_off ||
           type == ValueType::bytes_or_off;
}

bool is_size(ValueType type) noexcept {
    return type == ValueType::bytes || type == ValueType::bytes_or_off;
}

std::string range_text(const KeyInfo& info) {
    if (info.max == std::numeric_limits<std::int64_t>::max()) {
        return ">= " + std::to_string(info.min);
    }
    return "in " + std::to_string(info.min) + ".." + std::to_string(info.max);
}

Failure invalid(const KeyInfo& info, std::string_view text) {
    std::string message = "invalid value for '" + std::string(info.name) + "'";
    if (info.secret) {
        message += " (value hidden)";
    } else {
        message += ": " + quote_value(text);
    }
    message += "; expected " + expectation(info);
    return config_error(std::move(message));
}

}  // namespace

bool is_blank(std::string_view text) noexcept {
    for (char c : text) {
        if (c != ' ' && c != '\t') {
            return false;
        }
    }
    return true;
}

std::optional<std::int64_t> parse_decimal(std::string_view text) noexcept {
    const bool negative = !text.empty() && text.front() == '-';
    const auto magnitude = parse_digits(negative ? text.substr(1) : text);
    if (!magnitude) {
        return std::nullopt;
    }
    constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (negative) {
        if (*magnitude > kMax + 1) {
            return std::nullopt;
        }
        return *magnitude == kMax + 1 ? std::numeric_limits<std::int64_t>::min()
                                      : -static_cast<std::int64_t>(*magnitude);
    }
    if (*magnitude > kMax) {
        return std::nullopt;
    }
    return static_cast<std::int64_t>(*magnitude);
}

std::optional<std::int64_t> parse_size(std::string_view text) noexcept {
    std::size_t end = text.size();
    if (end > 0 && lower(text[end - 1]) == 'b') {
        --end;  // "kb": the 'b' is only valid after a unit letter, checked below.
    }
    unsigned shift = 0;
    if (end > 0) {
        switch (lower(text[end - 1])) {
            case 'k':
                shift = 10;
                break;
            case 'm':
                shift = 20;
                break;
            case 'g':
                shift = 30;
                break;
            case 't':
                shift = 40;
                break;
            default:
                break;
        }
    }
    if (shift == 0 && end != text.size()) {
        return std::nullopt;  // A bare 'b' suffix is not in the reference's list.
    }
    if (shift != 0) {
        --end;
    }
    const auto digits = parse_digits(text.substr(0, end));
    constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (!digits || *digits > (kMax >> shift)) {
        return std::nullopt;
    }
    return static_cast<std::int64_t>(*digits << shift);
}

std::optional<std::size_t> match_choice(std::string_view choices, std::string_view text) noexcept {
    std::size_t index = 0;
    while (true) {
        const std::size_t bar = choices.find('|');
        if (iequals(choices.substr(0, bar), text)) {
            return index;
        }
        if (bar == std::string_view::npos) {
            return std::nullopt;
        }
        choices.remove_prefix(bar + 1);
        ++index;
    }
}

std::string expectation(const KeyInfo& info) {
    const std::string off = accepts_off(info.type) ? "'off' or " : "";
    switch (info.type) {
        case ValueType::text:
        case ValueType::path: {
            std::string out = info.min > 0 ? "a non-blank " : "any ";
            out += info.type == ValueType::path ? "path" : "value";
            if (info.max > 0) {
                out += " of at most " + std::to_string(info.max) + " bytes";
            }
            return out;
        }
        case ValueType::choice:
            return "one of " + std::string(info.choices);
        case ValueType::integer:
        case ValueType::integer_or_off:
            return off + "an integer " + range_text(info);
        case ValueType::milliseconds:
        case ValueType::milliseconds_or_off:
            return off + "milliseconds " + range_text(info);
        case ValueType::bytes:
        case ValueType::bytes_or_off:
            return off + "a size (bytes, or with a k/m/g/t suffix) " + range_text(info);
        case ValueType::address_list:
            return "host[:port] entries separated by ','";
    }
    return "a valid value";
}

Result<Value> parse_value(const KeyInfo& info, std::string_view text) {
    Value value{text};
    if (info.type == ValueType::choice) {
        const auto index = match_choice(info.choices, text);
        if (!index) {
            return invalid(info, text);
        }
        value.number = static_cast<std::int64_t>(*index);
        return value;
    }
    if (is_numeric(info.type)) {
        if (accepts_off(info.type) && iequals(text, "off")) {
            value.off = true;
            return value;
        }
        const auto number = is_size(info.type) ? parse_size(text) : parse_decimal(text);
        if (!number || *number < info.min || *number > info.max) {
            return invalid(info, text);
        }
        value.number = *number;
        return value;
    }
    if (info.type == ValueType::text || info.type == ValueType::path) {
        // For text, min > 0 means "non-blank" and max > 0 is a length limit in bytes.
        if (info.min > 0 && is_blank(text)) {
            std::string message = "'" + std::string(info.name) + "' must not be ";
            message += text.empty() ? "empty" : "blank";
            return config_error(std::move(message));
        }
        if (info.max > 0 && text.size() > static_cast<std::uint64_t>(info.max)) {
            return config_error("'" + std::string(info.name) + "' is longer than " +
                                std::to_string(info.max) + " bytes");
        }
    }
    return value;
}

}  // namespace questdb::conf::detail
