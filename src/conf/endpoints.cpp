#include "conf/endpoints.hpp"

#include <string>

#include "conf/values.hpp"

namespace questdb::conf {

std::string Endpoint::to_string() const {
    const bool ipv6 = host.find(':') != std::string::npos;
    std::string out;
    out.reserve(host.size() + 8);
    if (ipv6) {
        out += '[';
    }
    out += host;
    if (ipv6) {
        out += ']';
    }
    out += ':';
    out += std::to_string(port);
    return out;
}

namespace detail {
namespace {

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

bool is_alnum(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/// Host names, IPv4 literals and internationalised names (raw UTF-8 bytes).
bool valid_host_name(std::string_view host) noexcept {
    for (char c : host) {
        const bool ok = is_alnum(c) || c == '-' || c == '.' || c == '_' ||
                        static_cast<unsigned char>(c) >= 0x80;
        if (!ok) {
            return false;
        }
    }
    return true;
}

/// The inside of `[...]`: an IPv6 literal, optionally with a `%zone` suffix.
bool valid_ipv6_literal(std::string_view host) noexcept {
    if (host.find(':') == std::string_view::npos) {
        return false;
    }
    const std::size_t percent = host.find('%');
    const std::string_view address = host.substr(0, percent);
    for (char c : address) {
        const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (!hex && c != ':' && c != '.') {
            return false;
        }
    }
    if (percent != std::string_view::npos) {
        const std::string_view zone = host.substr(percent + 1);
        if (zone.empty()) {
            return false;
        }
        for (char c : zone) {
            if (!is_alnum(c) && c != '-' && c != '_' && c != '.') {
                return false;
            }
        }
    }
    return true;
}

std::string lowercase(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

Failure bad_entry(std::string_view entry, std::string_view why) {
    return config_error("invalid addr entry " + quote_value(entry) + ": " + std::string(why));
}

Result<Endpoint> parse_entry(std::string_view entry, std::uint16_t fallback_port) {
    if (entry.find('@') != std::string_view::npos || entry.find('/') != std::string_view::npos) {
        // Not echoed: "user:password@host" or a URL may carry credentials.
        return config_error(
            "invalid addr entry: write host[:port] only, without a URL scheme, path or "
            "credentials (use username/password or token)");
    }
    std::string_view host;
    std::string_view port;
    bool has_port = false;
    if (!entry.empty() && entry.front() == '[') {
        const std::size_t close = entry.find(']');
        if (close == std::string_view::npos) {
            return bad_entry(entry, "missing ']'");
        }
        host = entry.substr(1, close - 1);
        const std::string_view after = entry.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') {
                return bad_entry(entry, "expected ':port' after ']'");
            }
            port = after.substr(1);
            has_port = true;
        }
        if (!valid_ipv6_literal(host)) {
            return bad_entry(entry, "brackets must hold an IPv6 address");
        }
    } else {
        const std::size_t colon = entry.find(':');
        if (colon != std::string_view::npos &&
            entry.find(':', colon + 1) != std::string_view::npos) {
            return bad_entry(entry,
                             "more than one ':'; write an IPv6 address in brackets, e.g. "
                             "[::1]:9000 (and no URL scheme)");
        }
        host = entry.substr(0, colon);
        if (colon != std::string_view::npos) {
            port = entry.substr(colon + 1);
            has_port = true;
        }
        if (host.empty()) {
            return bad_entry(entry, "empty host");
        }
        if (!valid_host_name(host)) {
            return bad_entry(entry, "the host may contain only letters, digits, '-', '.' and '_'");
        }
    }
    Endpoint endpoint{std::string(host), fallback_port};
    if (has_port) {
        const auto number = parse_decimal(port);
        if (port.empty() || port.front() == '-' || !number || *number < 1 || *number > 65535) {
            return bad_entry(entry, "the port must be a number in 1..65535");
        }
        endpoint.port = static_cast<std::uint16_t>(*number);
    }
    return endpoint;
}

}  // namespace

Status append_endpoints(std::string_view addr, std::uint16_t fallback_port,
                        std::vector<Endpoint>& out) {
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = addr.find(',', start);
        const std::string_view entry = trim(addr.substr(start, comma - start));
        if (entry.empty()) {
            return config_error("invalid addr " + quote_value(addr) +
                                ": empty entry (check for ',,' or a leading or trailing ',')");
        }
        auto endpoint = parse_entry(entry, fallback_port);
        if (!endpoint) {
            return std::move(endpoint).failure();
        }
        const std::string folded = lowercase(endpoint.value().host);
        for (const auto& existing : out) {
            if (existing.port == endpoint.value().port && lowercase(existing.host) == folded) {
                return config_error("duplicate addr entry: " + endpoint.value().to_string());
            }
        }
        if (out.size() == kMaxEndpoints) {
            return config_error("addr lists more than " + std::to_string(kMaxEndpoints) +
                                " endpoints");
        }
        out.push_back(std::move(endpoint).value());
        if (comma == std::string_view::npos) {
            return {};
        }
        start = comma + 1;
    }
}

}  // namespace detail
}  // namespace questdb::conf
