// Config: runs the stages (grammar -> per-key parsing -> cross-key validation) and
// serves the result; also the redacted string form and from_env().

#include <cstdlib>
#include <string>
#include <unordered_set>

#include "conf/endpoints.hpp"
#include "conf/grammar.hpp"
#include "conf/state.hpp"
#include "conf/validate.hpp"
#include "conf/values.hpp"

namespace questdb::conf {
namespace {

using detail::config_error;
using detail::Failure;
using detail::Result;
using detail::Status;
using State = Config::State;

constexpr std::string_view kRedacted = "[redacted]";

bool is_secret_key(std::string_view key) {
    const KeyInfo* info = find_key(key);
    return info != nullptr && info->secret;
}

char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

Result<Scheme> resolve_scheme(std::string_view text) {
    std::string folded;
    for (char c : text) {
        folded += lower(c);
    }
    struct Name {
        std::string_view name;
        Scheme scheme;
    };
    static constexpr Name kNames[] = {
        {"ws", Scheme::ws},      {"wss", Scheme::wss},   {"qwpws", Scheme::ws},
        {"qwpwss", Scheme::wss}, {"http", Scheme::http}, {"https", Scheme::https},
        {"tcp", Scheme::tcp},    {"tcps", Scheme::tcps},
    };
    for (const auto& n : kNames) {
        if (n.name == folded) {
            return n.scheme;
        }
    }
    if (folded == "udp") {
        return config_error("scheme 'udp' (QWP over UDP) is not supported by this client");
    }
    return config_error("unknown scheme " + detail::quote_value(text) +
                        "; expected one of ws, wss, qwpws, qwpwss, http, https, tcp, tcps");
}

/// An unknown key straight after a secret is most likely the tail of that secret (an
/// undoubled ';'), so it is not echoed.
Failure unknown_key(const State& s, std::string_view key) {
    if (!s.params.empty() && s.params.back().info != nullptr && s.params.back().info->secret) {
        return config_error("unknown key after '" + s.params.back().key +
                            "' (not shown because it may be part of that secret; a ';' inside a "
                            "value must be written ';;')");
    }
    return config_error("unknown key " + detail::quote_value(key) + " for scheme " +
                        std::string(to_string(s.scheme)));
}

Failure not_for_scheme(const KeyInfo& info, Scheme scheme) {
    std::string message = "key '" + std::string(info.name) + "' is not valid for scheme " +
                          std::string(to_string(scheme));
    if (info.schemes.empty()) {
        message += "; it applies only to the udp transport, which this client does not support";
    } else {
        message += "; it applies to " + detail::describe(info.schemes);
    }
    return config_error(std::move(message));
}

Status apply_param(State& s, const detail::RawParam& raw,
                   std::unordered_set<std::string_view>& seen) {
    const detail::KeyRule* rule = detail::find_rule(raw.key);
    if (rule == nullptr && is_qwp(s.scheme)) {
        return unknown_key(s, raw.key);
    }
    if (!seen.insert(raw.key).second && raw.key != "addr") {
        return config_error("duplicate key " + detail::quote_value(raw.key));
    }
    Param param{std::string(raw.key), raw.value, rule ? &rule->info : nullptr};
    if (rule != nullptr) {
        const KeyInfo& info = rule->info;
        if (!info.schemes.contains(s.scheme)) {
            return not_for_scheme(info, s.scheme);
        }
        if (info.type == ValueType::address_list) {
            if (auto st = detail::append_endpoints(raw.value, default_port(s.scheme), s.endpoints);
                !st) {
                return st;
            }
        } else {
            auto value = detail::parse_value(info, param.value);
            if (!value) {
                return std::move(value).failure();
            }
            if (auto st = rule->apply(s, value.value()); !st) {
                return st;
            }
        }
    }
    // Unknown keys on ILP schemes are kept for find() but otherwise ignored, as the legacy
    // ILP clients do, so a key added to one ILP client does not break the others.
    s.params.push_back(std::move(param));
    return {};
}

Result<std::shared_ptr<const State>> build(std::string_view input) {
    auto raw = detail::tokenize(input, is_secret_key);
    if (!raw) {
        return std::move(raw).failure();
    }
    auto scheme = resolve_scheme(raw.value().scheme);
    if (!scheme) {
        return std::move(scheme).failure();
    }
    auto state = std::make_shared<State>();
    state->scheme = scheme.value();
    state->params.reserve(raw.value().params.size());
    std::unordered_set<std::string_view> seen;  // Views into the input.
    for (const auto& param : raw.value().params) {
        if (auto st = apply_param(*state, param, seen); !st) {
            return std::move(st).failure();
        }
    }
    if (auto st = detail::check_spellings(*state); !st) {
        return std::move(st).failure();
    }
    if (auto st = detail::resolve_and_validate(*state); !st) {
        return std::move(st).failure();
    }
    return std::shared_ptr<const State>(std::move(state));
}

}  // namespace

Config::Config(std::shared_ptr<const State> state) noexcept : state_(std::move(state)) {}

Config Config::parse(std::string_view conf) {
    return Config(questdb::detail::value_or_throw(build(conf)));
}

Config Config::from_env() {
    return from_env("QDB_CLIENT_CONF");
}

Config Config::from_env(const std::string& variable) {
    const char* value = std::getenv(variable.c_str());
    if (value == nullptr) {
        throw Error(ErrorCode::config_error, "environment variable " + variable +
                                                 " is not set; it should hold a connect "
                                                 "string such as 'ws::addr=localhost:9000;'");
    }
    if (*value == '\0') {
        throw Error(ErrorCode::config_error, "environment variable " + variable + " is empty");
    }
    return parse(value);
}

Scheme Config::scheme() const noexcept {
    return state_->scheme;
}
bool Config::is_tls() const noexcept {
    return conf::is_tls(state_->scheme);
}
const std::vector<Endpoint>& Config::endpoints() const noexcept {
    return state_->endpoints;
}

std::optional<std::string_view> Config::find(std::string_view key) const noexcept {
    return state_->given_value(key);
}

std::vector<std::string_view> Config::find_all(std::string_view key) const {
    std::vector<std::string_view> out;
    for (const auto& p : state_->params) {
        if (p.key == key) {
            out.emplace_back(p.value);
        }
    }
    return out;
}

bool Config::contains(std::string_view key) const noexcept {
    return state_->given(key);
}

std::string Config::to_string() const {
    std::string out(conf::to_string(state_->scheme));
    out += "::addr=";
    for (std::size_t i = 0; i < state_->endpoints.size(); ++i) {
        out += i == 0 ? "" : ",";
        out += state_->endpoints[i].to_string();
    }
    out += ';';
    for (const auto& p : state_->params) {
        if (p.info == nullptr || p.key == "addr") {
            continue;  // Ignored keys change nothing; addr was printed above.
        }
        out += p.key;
        out += '=';
        out += p.info->secret ? std::string(kRedacted) : detail::escape_value(p.value);
        out += ';';
    }
    return out;
}

const PoolSettings& Config::pool() const noexcept {
    return state_->pool;
}
const StoreAndForwardSettings& Config::store_and_forward() const noexcept {
    return state_->sf;
}
const ReconnectSettings& Config::reconnect() const noexcept {
    return state_->reconnect;
}
const AuthSettings& Config::auth() const noexcept {
    return state_->auth;
}
const TlsSettings& Config::tls() const noexcept {
    return state_->tls;
}
const IlpSettings& Config::ilp() const noexcept {
    return state_->ilp;
}
const EgressSettings& Config::egress() const noexcept {
    return state_->egress;
}
const TransportSettings& Config::transport() const noexcept {
    return state_->transport;
}
const ErrorHandlingSettings& Config::errors() const noexcept {
    return state_->errors;
}

}  // namespace questdb::conf
