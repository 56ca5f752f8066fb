#include "ingress/names.hpp"

#include <string>

#include "qwp/utf8.hpp"

namespace questdb::ingress::names {
namespace {

using questdb::detail::fail;
using questdb::detail::Status;

bool forbidden_in_both(unsigned char c) {
    switch (c) {
        case '?':
        case ',':
        case '\'':
        case '"':
        case '\\':
        case '/':
        case ':':
        case ')':
        case '(':
        case '+':
        case '*':
        case '%':
        case '~':
        case '\r':
        case '\n':
        case 0x7F:
            return true;
        default:
            // NUL and the controls 0x01-0x0F (0x0D/0x0A above) are forbidden; 0x10-0x1F are not.
            return c <= 0x0F;
    }
}

bool has_bom(std::string_view name) {
    return name.find("\xEF\xBB\xBF") != std::string_view::npos;
}

Status common(std::string_view name, std::size_t max_len, const char* kind) {
    if (name.empty())
        return fail(ErrorCode::invalid_name, std::string(kind) + " name '' is empty");
    if (name.size() > max_len) {
        return fail(ErrorCode::invalid_name,
                    std::string(kind) + " name '" + std::string(name.substr(0, 32)) + "...' is " +
                        std::to_string(name.size()) + " bytes, more than the limit of " +
                        std::to_string(max_len));
    }
    if (!qwp::is_valid_utf8(name)) {
        return fail(ErrorCode::invalid_utf8, std::string(kind) + " name is not valid UTF-8");
    }
    if (has_bom(name)) {
        return fail(ErrorCode::invalid_name, std::string(kind) + " name '" + std::string(name) +
                                                 "' contains the zero-width no-break space U+FEFF");
    }
    return {};
}

Status bad_char(std::string_view name, char c, const char* kind) {
    std::string shown = (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
                            ? "\\x" + std::to_string(static_cast<int>(c))
                            : std::string(1, c);
    return fail(ErrorCode::invalid_name, std::string(kind) + " name '" + std::string(name) +
                                             "' contains the forbidden character '" + shown + "'");
}

}  // namespace

Status validate_table_name(std::string_view name, std::size_t max_len) {
    if (auto st = common(name, max_len, "table"); !st)
        return st;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        if (c == '.') {
            if (i == 0 || i + 1 == name.size() || name[i - 1] == '.') {
                return fail(ErrorCode::invalid_name,
                            "table name '" + std::string(name) +
                                "' must not start or end with '.' or contain '..'");
            }
            continue;
        }
        if (forbidden_in_both(static_cast<unsigned char>(c)))
            return bad_char(name, c, "table");
    }
    return {};
}

Status validate_column_name(std::string_view name, std::size_t max_len) {
    if (auto st = common(name, max_len, "column"); !st)
        return st;
    for (const char c : name) {
        if (c == '.' || c == '-' || forbidden_in_both(static_cast<unsigned char>(c))) {
            return bad_char(name, c, "column");
        }
    }
    return {};
}

}  // namespace questdb::ingress::names
