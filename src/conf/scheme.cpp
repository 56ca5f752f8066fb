#include <array>

#include "conf/state.hpp"

namespace questdb::conf {

std::string_view to_string(Scheme scheme) noexcept {
    switch (scheme) {
        case Scheme::ws:
            return "ws";
        case Scheme::wss:
            return "wss";
        case Scheme::http:
            return "http";
        case Scheme::https:
            return "https";
        case Scheme::tcp:
            return "tcp";
        case Scheme::tcps:
            return "tcps";
    }
    return "unknown";
}

bool is_tls(Scheme scheme) noexcept {
    return scheme == Scheme::wss || scheme == Scheme::https || scheme == Scheme::tcps;
}

bool is_qwp(Scheme scheme) noexcept {
    return scheme == Scheme::ws || scheme == Scheme::wss;
}

bool is_ilp_http(Scheme scheme) noexcept {
    return scheme == Scheme::http || scheme == Scheme::https;
}

bool is_ilp_tcp(Scheme scheme) noexcept {
    return scheme == Scheme::tcp || scheme == Scheme::tcps;
}

std::uint16_t default_port(Scheme scheme) noexcept {
    return is_ilp_tcp(scheme) ? 9009 : 9000;
}

namespace detail {

std::string describe(SchemeSet set) {
    static constexpr std::array kAll{Scheme::ws,    Scheme::wss, Scheme::http,
                                     Scheme::https, Scheme::tcp, Scheme::tcps};
    std::string out;
    for (Scheme s : kAll) {
        if (set.contains(s)) {
            if (!out.empty()) {
                out += ", ";
            }
            out += to_string(s);
        }
    }
    return out;
}

std::string quote_value(std::string_view text) {
    constexpr std::size_t kMaxShown = 64;
    if (text.size() <= kMaxShown) {
        std::string out;
        out.reserve(text.size() + 2);
        out += '\'';
        out += text;
        out += '\'';
        return out;
    }
    // Cut on a UTF-8 boundary so the message stays valid text.
    std::size_t cut = kMaxShown;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
        --cut;
    }
    return "'" + std::string(text.substr(0, cut)) + "...' (" + std::to_string(text.size()) +
           " bytes)";
}

}  // namespace detail
}  // namespace questdb::conf
