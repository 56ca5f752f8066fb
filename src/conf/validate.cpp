#include "conf/validate.hpp"

#include <algorithm>
#include <initializer_list>
#include <string>

namespace questdb::conf::detail {
namespace {

using State = Config::State;

#ifndef QUESTDB_VERSION_STRING
#define QUESTDB_VERSION_STRING "0.0.0"
#endif

/// The spelling the user gave among `spellings`, else the first one.
std::string_view spelled(const State& s, std::initializer_list<std::string_view> spellings) {
    for (auto name : spellings) {
        if (s.given(name)) {
            return name;
        }
    }
    return *spellings.begin();
}

bool any_given(const State& s, std::initializer_list<std::string_view> keys) {
    return std::any_of(keys.begin(), keys.end(), [&](auto k) { return s.given(k); });
}

std::string q(std::string_view key) {
    return "'" + std::string(key) + "'";
}

// ---- credentials -------------------------------------------------------------------------

Status validate_http_style_auth(State& s) {
    auto& a = s.auth;
    const std::string_view user_key = spelled(s, {"username", "user"});
    const std::string_view pass_key = spelled(s, {"password", "pass"});
    if (a.token && (a.username || a.password)) {
        return config_error("'token' cannot be combined with " +
                            q(a.username ? user_key : pass_key) +
                            "; give either username and password, or token");
    }
    if (a.username && !a.password) {
        return config_error(q(user_key) + " needs 'password' (basic authentication)");
    }
    if (a.password && !a.username) {
        return config_error(q(pass_key) + " needs 'username' (basic authentication)");
    }
    a.kind = a.token ? AuthKind::token : (a.username ? AuthKind::basic : AuthKind::none);
    return {};
}

Status validate_ecdsa_auth(State& s) {
    auto& a = s.auth;
    const int present = int{a.username.has_value()} + int{a.token.has_value()} +
                        int{a.token_x.has_value()} + int{a.token_y.has_value()};
    if (present == 0) {
        a.kind = AuthKind::none;
        return {};
    }
    if (present != 4) {
        std::string missing;
        for (auto [name, set] :
             {std::pair{"username", a.username.has_value()},
              std::pair{"token", a.token.has_value()}, std::pair{"token_x", a.token_x.has_value()},
              std::pair{"token_y", a.token_y.has_value()}}) {
            if (!set) {
                missing += missing.empty() ? "" : ", ";
                missing += q(name);
            }
        }
        return config_error(
            "ILP/TCP authentication needs username, token, token_x and token_y "
            "together; missing " +
            missing);
    }
    a.kind = AuthKind::ecdsa;
    return {};
}

// ---- TLS ---------------------------------------------------------------------------------

Status validate_tls(State& s) {
    auto& t = s.tls;
    if (t.roots_password && !t.roots) {
        return config_error("'tls_roots_password' needs 'tls_roots' (the store it unlocks)");
    }
    if (t.roots && t.verify == TlsVerify::unsafe_off) {
        return config_error(
            "tls_roots cannot be combined with tls_verify=unsafe_off; remove tls_verify to use "
            "custom roots, or remove tls_roots to disable certificate validation");
    }
    if (t.roots && s.given("tls_ca") && t.ca != TlsCa::pem_file) {
        return config_error(
            "'tls_roots' cannot be combined with tls_ca=" + std::string(*s.given_value("tls_ca")) +
            "; tls_roots implies tls_ca=pem_file");
    }
    if (t.ca == TlsCa::pem_file && !t.roots) {
        return config_error("tls_ca=pem_file needs 'tls_roots'");
    }
    if (t.roots) {
        t.ca = TlsCa::pem_file;
    }
    return {};
}

// ---- ingest buffers ----------------------------------------------------------------------

Status validate_ilp(State& s) {
    auto& i = s.ilp;
    if (i.init_buf_size > i.max_buf_size) {
        return config_error("'init_buf_size' (" + std::to_string(i.init_buf_size) +
                            ") must not exceed 'max_buf_size' (" + std::to_string(i.max_buf_size) +
                            ")");
    }
    auto& af = i.auto_flush;
    if (!af.enabled) {
        // Only given values are set at this point; defaults are filled in below.
        const std::pair<const char*, bool> triggers[] = {
            {"auto_flush_rows", af.rows.has_value()},
            {"auto_flush_interval", af.interval.has_value()},
            {"auto_flush_bytes", af.bytes.has_value()}};
        for (auto [key, set] : triggers) {
            if (set) {
                return config_error("auto_flush=off cannot be combined with " + std::string(key) +
                                    "=" + std::string(*s.given_value(key)) +
                                    "; remove one of them");
            }
        }
    }
    const bool qwp = is_qwp(s.scheme);
    if (!s.given("auto_flush_rows")) {
        af.rows = qwp ? 1000 : (is_ilp_http(s.scheme) ? 75000 : 600);
    }
    if (!s.given("auto_flush_interval")) {
        af.interval = Millis{qwp ? 100 : 1000};
    }
    if (!af.enabled) {
        af.rows.reset();
        af.interval.reset();
        af.bytes.reset();
    }
    if (qwp && !s.given("request_timeout")) {
        i.request_timeout = Millis{30000};
    }
    return {};
}

// ---- pool --------------------------------------------------------------------------------

Status check_min_max(const State& s, std::size_t min, std::size_t max,
                     std::initializer_list<std::string_view> min_keys,
                     std::initializer_list<std::string_view> max_keys) {
    if (min > max) {
        return config_error(q(spelled(s, min_keys)) + " (" + std::to_string(min) +
                            ") must not exceed " + q(spelled(s, max_keys)) + " (" +
                            std::to_string(max) + ")");
    }
    return {};
}

Status validate_pool(State& s) {
    auto& p = s.pool;
    if (p.lazy_connect) {
        const auto& r = s.reconnect;
        if (r.initial_connect_retry_explicit &&
            r.initial_connect_retry != InitialConnectRetry::async) {
            return config_error(
                "lazy_connect=on needs a non-blocking start, but initial_connect_retry=" +
                std::string(*s.given_value("initial_connect_retry")) +
                " blocks or fails fast; remove initial_connect_retry or set it "
                "to async");
        }
        if (any_given(s, {"query_pool_min", "pool_size"}) && p.query_min > 0) {
            return config_error("lazy_connect=on needs query_pool_min=0, but " +
                                q(spelled(s, {"query_pool_min", "pool_size"})) + " is " +
                                std::to_string(p.query_min) + "; remove it or set it to 0");
        }
        p.query_min = 0;
    }
    if (auto st = check_min_max(s, p.sender_min, p.sender_max, {"sender_pool_min", "pool_size"},
                                {"sender_pool_max", "pool_max"});
        !st) {
        return st;
    }
    return check_min_max(s, p.query_min, p.query_max, {"query_pool_min", "pool_size"},
                         {"query_pool_max", "pool_max"});
}

// ---- store-and-forward -------------------------------------------------------------------

Status validate_store_and_forward(State& s) {
    auto& sf = s.sf;
    if (!sf.disk_mode()) {
        for (auto key : {"sender_id", "sf_durability", "sf_sync_interval_millis", "drain_orphans",
                         "max_background_drainers"}) {
            if (s.given(key)) {
                return config_error(q(key) + " needs 'sf_dir' (it configures the disk slot)");
            }
        }
    }
    if (s.given("sf_sync_interval_millis") && sf.durability != SfDurability::periodic) {
        return config_error("'sf_sync_interval_millis' is only valid with sf_durability=periodic");
    }
    if (s.given("sf_max_total_bytes")) {
        if (sf.max_total_bytes < sf.max_segment_bytes) {
            return config_error("'sf_max_total_bytes' (" + std::to_string(sf.max_total_bytes) +
                                ") must be at least 'sf_max_segment_bytes' (" +
                                std::to_string(sf.max_segment_bytes) + ")");
        }
    } else {
        const std::uint64_t by_mode =
            sf.disk_mode() ? (std::uint64_t{10} << 30) : (std::uint64_t{128} << 20);
        const std::uint64_t two_segments =
            sf.max_segment_bytes > (UINT64_MAX >> 1) ? UINT64_MAX : sf.max_segment_bytes * 2;
        sf.max_total_bytes = std::max(by_mode, two_segments);
    }
    return {};
}

// ---- reconnect and failover --------------------------------------------------------------

Status validate_reconnect(State& s) {
    auto& r = s.reconnect;
    if (r.max_backoff < r.initial_backoff) {
        return config_error("'reconnect_max_backoff_millis' (" +
                            std::to_string(r.max_backoff.count()) +
                            ") must be at least 'reconnect_initial_backoff_millis' (" +
                            std::to_string(r.initial_backoff.count()) + ")");
    }
    if (!r.initial_connect_retry_explicit) {
        if (s.pool.lazy_connect) {
            r.initial_connect_retry = InitialConnectRetry::async;
        } else if (any_given(s, {"reconnect_initial_backoff_millis", "reconnect_max_backoff_millis",
                                 "reconnect_max_duration_millis"})) {
            r.initial_connect_retry = InitialConnectRetry::sync;
        }
    }
    return {};
}

Status validate_egress(State& s) {
    auto& e = s.egress;
    if (e.failover_backoff_max < e.failover_backoff_initial) {
        return config_error("'failover_backoff_max_ms' (" +
                            std::to_string(e.failover_backoff_max.count()) +
                            ") must be at least 'failover_backoff_initial_ms' (" +
                            std::to_string(e.failover_backoff_initial.count()) + ")");
    }
    if (!s.given("client_id")) {
        s.transport.client_id = "questdb-cpp/" QUESTDB_VERSION_STRING;
    }
    return {};
}

Status validate_endpoints(const State& s) {
    if (s.endpoints.empty()) {
        return config_error(
            "missing 'addr' (e.g. addr=localhost:" + std::to_string(default_port(s.scheme)) + ")");
    }
    if (is_ilp_tcp(s.scheme) && s.endpoints.size() > 1) {
        return config_error("'addr' lists " + std::to_string(s.endpoints.size()) +
                            " endpoints, but " + std::string(to_string(s.scheme)) +
                            " connects to exactly one");
    }
    return {};
}

}  // namespace

Status check_spellings(const State& state) {
    for (const auto& param : state.params) {
        if (param.info == nullptr || param.info->same_as.empty()) {
            continue;
        }
        std::string_view others = param.info->same_as;
        while (!others.empty()) {
            const std::size_t comma = others.find(',');
            std::string_view other = others.substr(0, comma);
            while (!other.empty() && other.front() == ' ') {
                other.remove_prefix(1);
            }
            if (state.given(other)) {
                return config_error(q(param.key) + " and " + q(other) +
                                    " are two spellings of the same setting; give only one");
            }
            others =
                comma == std::string_view::npos ? std::string_view{} : others.substr(comma + 1);
        }
    }
    return {};
}

Status resolve_and_validate(State& state) {
    for (auto step : {validate_endpoints}) {
        if (auto st = step(state); !st) {
            return st;
        }
    }
    if (is_ilp_tcp(state.scheme)) {
        if (auto st = validate_ecdsa_auth(state); !st) {
            return st;
        }
    } else if (auto st = validate_http_style_auth(state); !st) {
        return st;
    }
    for (auto step : {validate_tls, validate_ilp, validate_store_and_forward, validate_pool,
                      validate_reconnect, validate_egress}) {
        if (auto st = step(state); !st) {
            return st;
        }
    }
    return {};
}

}  // namespace questdb::conf::detail
