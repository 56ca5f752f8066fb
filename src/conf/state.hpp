#pragma once

// The parsed state behind questdb::conf::Config, and the helpers the parsing stages share.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "questdb/conf.hpp"

namespace questdb::conf {

/// One `key=value` as given (value unescaped), with its catalogue entry (nullptr for a key
/// the scheme ignores, i.e. an unknown key on an ILP scheme).
struct Param {
    std::string key;
    std::string value;
    const KeyInfo* info = nullptr;
};

struct Config::State {
    Scheme scheme = Scheme::ws;
    std::vector<Endpoint> endpoints;
    std::vector<Param> params;

    PoolSettings pool;
    StoreAndForwardSettings sf;
    ReconnectSettings reconnect;
    AuthSettings auth;
    TlsSettings tls;
    IlpSettings ilp;
    EgressSettings egress;
    TransportSettings transport;
    ErrorHandlingSettings errors;

    /// Whether a key with this exact spelling was given.
    [[nodiscard]] bool given(std::string_view key) const noexcept {
        for (const auto& p : params) {
            if (p.key == key) {
                return true;
            }
        }
        return false;
    }

    /// The first value given for a key with this exact spelling.
    [[nodiscard]] std::optional<std::string_view> given_value(std::string_view key) const noexcept {
        for (const auto& p : params) {
            if (p.key == key) {
                return std::string_view(p.value);
            }
        }
        return std::nullopt;
    }
};

namespace detail {

using questdb::detail::Failure;
using questdb::detail::Result;
using questdb::detail::Status;

/// A value after its type-level parsing: `number` holds the integer, size or
/// milliseconds, or the index of the matched word for a choice; `off` is set for `off`.
struct Value {
    std::string_view text;
    std::int64_t number = 0;
    bool off = false;
};

/// Stores a parsed value into the settings. Cross-key rules run later (validate.cpp).
using ApplyFn = Status (*)(Config::State&, const Value&);

/// The catalogue row: documentation and validation data, plus how to store the value.
struct KeyRule {
    KeyInfo info;
    ApplyFn apply = nullptr;
};

/// The catalogue rule for `key`, or nullptr.
const KeyRule* find_rule(std::string_view key) noexcept;

/// A config_error Failure.
inline Failure config_error(std::string message) {
    return Failure{ErrorCode::config_error, std::move(message)};
}

/// `'text'` for messages, shortened when long; never used for secrets.
std::string quote_value(std::string_view text);

/// The schemes of a set as "ws, wss, ...".
std::string describe(SchemeSet set);

}  // namespace detail
}  // namespace questdb::conf
