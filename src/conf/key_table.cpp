// The one catalogue of connect-string keys: name, type, schemes, secrecy, other spellings,
// range, default and meaning, plus where a parsed value is stored. Parsing, validation,
// known_keys() and docs/CONFIGURATION.md all derive from this table.

#include <array>
#include <limits>

#include "conf/state.hpp"
#include "conf/values.hpp"

namespace questdb::conf {
namespace detail {
namespace {

using State = Config::State;

constexpr SchemeSet schemes_of(std::initializer_list<Scheme> list) {
    SchemeSet set;
    for (Scheme s : list) {
        set.bits = static_cast<std::uint8_t>(set.bits | (1U << static_cast<unsigned>(s)));
    }
    return set;
}

constexpr SchemeSet kWs = schemes_of({Scheme::ws, Scheme::wss});
constexpr SchemeSet kWss = schemes_of({Scheme::wss});
constexpr SchemeSet kHttp = schemes_of({Scheme::http, Scheme::https});
constexpr SchemeSet kTcp = schemes_of({Scheme::tcp, Scheme::tcps});
constexpr SchemeSet kIlp = schemes_of({Scheme::http, Scheme::https, Scheme::tcp, Scheme::tcps});
constexpr SchemeSet kWsHttp = schemes_of({Scheme::ws, Scheme::wss, Scheme::http, Scheme::https});
constexpr SchemeSet kAll =
    schemes_of({Scheme::ws, Scheme::wss, Scheme::http, Scheme::https, Scheme::tcp, Scheme::tcps});
constexpr SchemeSet kTls = schemes_of({Scheme::wss, Scheme::https, Scheme::tcps});
constexpr SchemeSet kUdpOnly{};  // QWP/UDP, which this client does not implement.

constexpr std::int64_t kNoMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kHourMs = 3'600'000;
constexpr std::int64_t kYearMs = 365LL * 24 * kHourMs;
constexpr std::int64_t kMaxPool = 65'536;

constexpr const char* kOnOff = "on|off";
constexpr const char* kOnOffTrueFalse = "on|off|true|false";
constexpr const char* kErrorPolicies = "auto|terminal|retriable|retriable_other";

Millis ms(const Value& v) {
    return Millis{v.number};
}
std::uint64_t u64(const Value& v) {
    return static_cast<std::uint64_t>(v.number);
}
std::size_t size(const Value& v) {
    return static_cast<std::size_t>(v.number);
}
/// For "on|off|true|false" and "on|off": even indices mean on.
bool on(const Value& v) {
    return v.number % 2 == 0;
}
ErrorPolicy policy(const Value& v) {
    return static_cast<ErrorPolicy>(v.number);
}

Status set_sender_id(State& s, const Value& v) {
    for (char c : v.text) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-';
        if (!ok) {
            return config_error("invalid value for 'sender_id': " + quote_value(v.text) +
                                "; expected only the characters A-Z a-z 0-9 _ -");
        }
    }
    s.sf.sender_id = std::string(v.text);
    return {};
}

Status set_zone(State& s, const Value& v) {
    std::string_view zone = v.text;
    while (!zone.empty() && (zone.front() == ' ' || zone.front() == '\t')) {
        zone.remove_prefix(1);
    }
    while (!zone.empty() && (zone.back() == ' ' || zone.back() == '\t')) {
        zone.remove_suffix(1);
    }
    if (zone.empty()) {
        s.egress.zone.reset();  // Blank means zone-blind, so a templated empty value works.
    } else {
        s.egress.zone = std::string(zone);
    }
    return {};
}

// clang-format off
constexpr std::array kRules{
    // ---- endpoints -----------------------------------------------------------------------
    KeyRule{{.name = "addr", .type = ValueType::address_list, .schemes = kAll,
             .default_text = "required",
             .summary = "Server endpoints: host[:port] entries separated by ',' or given in repeated addr keys; IPv6 in brackets ([::1]:9000). Default port 9000 (ws, wss, http, https) or 9009 (tcp, tcps)."},
            nullptr},  // Collected by the parser itself: it may repeat.

    // ---- authentication ------------------------------------------------------------------
    KeyRule{{.name = "username", .type = ValueType::text, .schemes = kAll, .same_as = "user",
             .min = 1, .default_text = "unset",
             .summary = "User for HTTP Basic auth (with password), or the key id of ILP/TCP ECDSA auth (with token, token_x, token_y)."},
            [](State& s, const Value& v) -> Status { s.auth.username = std::string(v.text); return {}; }},
    KeyRule{{.name = "user", .type = ValueType::text, .schemes = kAll, .same_as = "username",
             .min = 1, .default_text = "unset", .summary = "Alias of username."},
            [](State& s, const Value& v) -> Status { s.auth.username = std::string(v.text); return {}; }},
    KeyRule{{.name = "password", .type = ValueType::text, .schemes = kWsHttp, .secret = true,
             .same_as = "pass", .min = 1, .default_text = "unset",
             .summary = "Password for HTTP Basic auth; needs username; excludes token."},
            [](State& s, const Value& v) -> Status { s.auth.password = std::string(v.text); return {}; }},
    KeyRule{{.name = "pass", .type = ValueType::text, .schemes = kWsHttp, .secret = true,
             .same_as = "password", .min = 1, .default_text = "unset",
             .summary = "Alias of password."},
            [](State& s, const Value& v) -> Status { s.auth.password = std::string(v.text); return {}; }},
    KeyRule{{.name = "token", .type = ValueType::text, .schemes = kAll, .secret = true, .min = 1,
             .default_text = "unset",
             .summary = "Bearer token (ws, wss, http, https; excludes username/password), or the ECDSA private key d of ILP/TCP auth."},
            [](State& s, const Value& v) -> Status { s.auth.token = std::string(v.text); return {}; }},
    KeyRule{{.name = "token_x", .type = ValueType::text, .schemes = kTcp, .secret = true, .min = 1,
             .default_text = "unset", .summary = "ECDSA public key x coordinate of ILP/TCP auth."},
            [](State& s, const Value& v) -> Status { s.auth.token_x = std::string(v.text); return {}; }},
    KeyRule{{.name = "token_y", .type = ValueType::text, .schemes = kTcp, .secret = true, .min = 1,
             .default_text = "unset", .summary = "ECDSA public key y coordinate of ILP/TCP auth."},
            [](State& s, const Value& v) -> Status { s.auth.token_y = std::string(v.text); return {}; }},
    KeyRule{{.name = "auth_timeout_ms", .type = ValueType::milliseconds, .schemes = kWs,
             .min = 1, .max = kHourMs, .default_text = "15000",
             .summary = "Per-endpoint bound on reading the WebSocket upgrade response."},
            [](State& s, const Value& v) -> Status { s.auth.timeout = ms(v); return {}; }},
    KeyRule{{.name = "auth_timeout", .type = ValueType::milliseconds, .schemes = kTcp,
             .min = 1, .max = kHourMs, .default_text = "15000",
             .summary = "Bound on the ILP/TCP authentication challenge."},
            [](State& s, const Value& v) -> Status { s.auth.timeout = ms(v); return {}; }},
    KeyRule{{.name = "connect_timeout", .type = ValueType::milliseconds, .schemes = kWs,
             .min = 1, .max = kHourMs, .default_text = "unset (OS default)",
             .summary = "Per-endpoint bound on the TCP connect, so a black-holed host does not stall the endpoint walk."},
            [](State& s, const Value& v) -> Status { s.transport.connect_timeout = ms(v); return {}; }},

    // ---- TLS -----------------------------------------------------------------------------
    KeyRule{{.name = "tls_verify", .type = ValueType::choice, .schemes = kTls,
             .choices = "on|unsafe_off", .default_text = "on",
             .summary = "Server certificate verification; unsafe_off disables it (testing only) and cannot be combined with tls_roots."},
            [](State& s, const Value& v) -> Status { s.tls.verify = static_cast<TlsVerify>(v.number); return {}; }},
    KeyRule{{.name = "tls_ca", .type = ValueType::choice, .schemes = kTls,
             .choices = "os_roots|webpki_roots|webpki_and_os_roots|pem_file",
             .default_text = "os_roots (pem_file with tls_roots)",
             .summary = "Source of trusted roots. This client reads the OS store for os_roots, webpki_roots and webpki_and_os_roots; pem_file needs tls_roots."},
            [](State& s, const Value& v) -> Status { s.tls.ca = static_cast<TlsCa>(v.number); return {}; }},
    KeyRule{{.name = "tls_roots", .type = ValueType::path, .schemes = kTls, .min = 1,
             .default_text = "unset (system trust store)",
             .summary = "File of trusted root certificates: PEM, or a JKS/PKCS#12 store opened with tls_roots_password (wss)."},
            [](State& s, const Value& v) -> Status { s.tls.roots = std::string(v.text); return {}; }},
    KeyRule{{.name = "tls_roots_password", .type = ValueType::text, .schemes = kWss,
             .secret = true, .min = 1, .default_text = "unset",
             .summary = "Password of a JKS or PKCS#12 tls_roots store; needs tls_roots."},
            [](State& s, const Value& v) -> Status { s.tls.roots_password = std::string(v.text); return {}; }},

    // ---- ingest buffers and auto-flush -----------------------------------------------------
    KeyRule{{.name = "auto_flush", .type = ValueType::choice, .schemes = kAll, .choices = kOnOff,
             .default_text = "on",
             .summary = "Global auto-flush switch; off means only explicit flush() sends."},
            [](State& s, const Value& v) -> Status { s.ilp.auto_flush.enabled = on(v); return {}; }},
    KeyRule{{.name = "auto_flush_rows", .type = ValueType::integer_or_off, .schemes = kAll,
             .min = 1, .max = kNoMax, .default_text = "1000 (ws, wss), 75000 (http, https), 600 (tcp, tcps)",
             .summary = "Flush when this many rows are buffered."},
            [](State& s, const Value& v) -> Status {
                s.ilp.auto_flush.rows = v.off ? std::nullopt : std::optional(u64(v));
                return {};
            }},
    KeyRule{{.name = "auto_flush_interval", .type = ValueType::milliseconds_or_off,
             .schemes = kAll, .min = 1, .max = kYearMs,
             .default_text = "100 (ws, wss), 1000 (http, https, tcp, tcps)",
             .summary = "Flush when this long has passed since the first buffered row (checked on the next row or flush, not by a timer)."},
            [](State& s, const Value& v) -> Status {
                s.ilp.auto_flush.interval = v.off ? std::nullopt : std::optional(ms(v));
                return {};
            }},
    KeyRule{{.name = "auto_flush_bytes", .type = ValueType::bytes_or_off, .schemes = kAll,
             .min = 0, .max = kNoMax, .default_text = "off",
             .summary = "Flush when the encoded buffer reaches this size; 0 also means off."},
            [](State& s, const Value& v) -> Status {
                s.ilp.auto_flush.bytes = (v.off || v.number == 0) ? std::nullopt : std::optional(u64(v));
                return {};
            }},
    KeyRule{{.name = "init_buf_size", .type = ValueType::bytes, .schemes = kAll, .min = 1024,
             .max = kNoMax, .default_text = "64k",
             .summary = "Initial size of the ingest buffer."},
            [](State& s, const Value& v) -> Status { s.ilp.init_buf_size = u64(v); return {}; }},
    KeyRule{{.name = "max_buf_size", .type = ValueType::bytes, .schemes = kAll, .min = 1024,
             .max = kNoMax, .default_text = "100m",
             .summary = "Cap the ingest buffer may grow to (at least init_buf_size)."},
            [](State& s, const Value& v) -> Status { s.ilp.max_buf_size = u64(v); return {}; }},
    KeyRule{{.name = "max_name_len", .type = ValueType::integer, .schemes = kAll, .min = 16,
             .max = 65535, .default_text = "127",
             .summary = "Longest table or column name, in UTF-8 bytes."},
            [](State& s, const Value& v) -> Status { s.ilp.max_name_len = size(v); return {}; }},

    // ---- ILP transports ------------------------------------------------------------------
    KeyRule{{.name = "protocol_version", .type = ValueType::choice, .schemes = kIlp,
             .choices = "auto|1|2|3", .default_text = "auto",
             .summary = "ILP protocol version: auto asks an HTTP server; TCP treats auto as 1. 2 adds binary doubles and arrays, 3 decimals."},
            [](State& s, const Value& v) -> Status { s.ilp.protocol_version = static_cast<IlpProtocolVersion>(v.number); return {}; }},
    KeyRule{{.name = "request_timeout", .type = ValueType::milliseconds, .schemes = kWsHttp,
             .min = 1, .max = kYearMs, .default_text = "10000 (http, https), 30000 (ws, wss)",
             .summary = "HTTP: base timeout of one request. ws/wss: bound of flush-and-wait calls."},
            [](State& s, const Value& v) -> Status { s.ilp.request_timeout = ms(v); return {}; }},
    KeyRule{{.name = "request_min_throughput", .type = ValueType::integer, .schemes = kHttp,
             .min = 0, .max = kNoMax, .default_text = "102400",
             .summary = "Expected bytes/s; adds size/throughput to request_timeout for large requests. 0 disables."},
            [](State& s, const Value& v) -> Status { s.ilp.request_min_throughput = u64(v); return {}; }},
    KeyRule{{.name = "retry_timeout", .type = ValueType::milliseconds, .schemes = kHttp,
             .min = 0, .max = kYearMs, .default_text = "10000",
             .summary = "Total time spent retrying a retriable HTTP failure; 0 disables retries."},
            [](State& s, const Value& v) -> Status { s.ilp.retry_timeout = ms(v); return {}; }},
    KeyRule{{.name = "retry_max_backoff_millis", .type = ValueType::milliseconds, .schemes = kHttp,
             .min = 10, .max = kHourMs, .default_text = "1000",
             .summary = "Cap of one HTTP retry backoff."},
            [](State& s, const Value& v) -> Status { s.ilp.retry_max_backoff = ms(v); return {}; }},
    KeyRule{{.name = "bind_interface", .type = ValueType::text, .schemes = kIlp, .min = 1,
             .default_text = "unset",
             .summary = "Local address outbound ILP sockets bind to."},
            [](State& s, const Value& v) -> Status { s.ilp.bind_interface = std::string(v.text); return {}; }},

    // ---- connection pool -----------------------------------------------------------------
    KeyRule{{.name = "sender_pool_min", .type = ValueType::integer, .schemes = kWs,
             .same_as = "pool_size", .min = 0, .max = kMaxPool, .default_text = "1",
             .summary = "Ingest connections kept open when idle."},
            [](State& s, const Value& v) -> Status { s.pool.sender_min = size(v); return {}; }},
    KeyRule{{.name = "sender_pool_max", .type = ValueType::integer, .schemes = kWs,
             .same_as = "pool_max", .min = 1, .max = kMaxPool, .default_text = "4",
             .summary = "Cap on ingest connections; with sf_dir each one owns a disk slot <sender_id>-ingest-<i>."},
            [](State& s, const Value& v) -> Status { s.pool.sender_max = size(v); return {}; }},
    KeyRule{{.name = "query_pool_min", .type = ValueType::integer, .schemes = kWs,
             .same_as = "pool_size", .min = 0, .max = kMaxPool, .default_text = "1 (0 with lazy_connect=on)",
             .summary = "Query connections kept open when idle."},
            [](State& s, const Value& v) -> Status { s.pool.query_min = size(v); return {}; }},
    KeyRule{{.name = "query_pool_max", .type = ValueType::integer, .schemes = kWs,
             .same_as = "pool_max", .min = 1, .max = kMaxPool, .default_text = "4",
             .summary = "Cap on query connections, and so on in-flight queries."},
            [](State& s, const Value& v) -> Status { s.pool.query_max = size(v); return {}; }},
    KeyRule{{.name = "pool_size", .type = ValueType::integer, .schemes = kWs,
             .same_as = "sender_pool_min, query_pool_min", .min = 0, .max = kMaxPool,
             .default_text = "1",
             .summary = "This library's spelling: the warm minimum of every pool (sender_pool_min and query_pool_min)."},
            [](State& s, const Value& v) -> Status { s.pool.sender_min = s.pool.query_min = size(v); return {}; }},
    KeyRule{{.name = "pool_max", .type = ValueType::integer, .schemes = kWs,
             .same_as = "sender_pool_max, query_pool_max", .min = 1, .max = kMaxPool,
             .default_text = "4",
             .summary = "This library's spelling: the cap of every pool (sender_pool_max and query_pool_max)."},
            [](State& s, const Value& v) -> Status { s.pool.sender_max = s.pool.query_max = size(v); return {}; }},
    KeyRule{{.name = "acquire_timeout_ms", .type = ValueType::milliseconds, .schemes = kWs,
             .min = 0, .max = kYearMs, .default_text = "5000",
             .summary = "How long a borrow at the cap waits for a returned connection; 0 fails fast."},
            [](State& s, const Value& v) -> Status { s.pool.acquire_timeout = ms(v); return {}; }},
    KeyRule{{.name = "idle_timeout_ms", .type = ValueType::milliseconds, .schemes = kWs,
             .same_as = "pool_idle_timeout_ms", .min = 0, .max = kYearMs, .default_text = "60000",
             .summary = "Idle time after which connections above the minimum close; 0 keeps them."},
            [](State& s, const Value& v) -> Status { s.pool.idle_timeout = ms(v); return {}; }},
    KeyRule{{.name = "pool_idle_timeout_ms", .type = ValueType::milliseconds, .schemes = kWs,
             .same_as = "idle_timeout_ms", .min = 0, .max = kYearMs, .default_text = "60000",
             .summary = "This library's spelling of idle_timeout_ms."},
            [](State& s, const Value& v) -> Status { s.pool.idle_timeout = ms(v); return {}; }},
    KeyRule{{.name = "max_lifetime_ms", .type = ValueType::milliseconds, .schemes = kWs,
             .min = 0, .max = kYearMs, .default_text = "1800000",
             .summary = "Maximum connection age (closed and reopened once idle); 0 = no limit."},
            [](State& s, const Value& v) -> Status { s.pool.max_lifetime = ms(v); return {}; }},
    KeyRule{{.name = "housekeeper_interval_ms", .type = ValueType::milliseconds, .schemes = kWs,
             .min = 1, .max = kYearMs, .default_text = "5000",
             .summary = "How often the pool housekeeper looks for idle and old connections."},
            [](State& s, const Value& v) -> Status { s.pool.housekeeper_interval = ms(v); return {}; }},
    KeyRule{{.name = "pool_reap", .type = ValueType::choice, .schemes = kWs,
             .choices = "auto|manual", .default_text = "auto",
             .summary = "auto: the housekeeper closes idle connections; manual: only reap_idle() does."},
            [](State& s, const Value& v) -> Status { s.pool.reap = static_cast<PoolReap>(v.number); return {}; }},
    KeyRule{{.name = "lazy_connect", .type = ValueType::choice, .schemes = kWs,
             .choices = kOnOffTrueFalse, .default_text = "off",
             .summary = "Defer every connect to the first borrow; implies query_pool_min=0 and a non-blocking initial connect."},
            [](State& s, const Value& v) -> Status { s.pool.lazy_connect = on(v); return {}; }},

    // ---- reconnect -----------------------------------------------------------------------
    KeyRule{{.name = "initial_connect_retry", .type = ValueType::choice, .schemes = kWs,
             .choices = "off|false|on|true|sync|async",
             .default_text = "off (on when any reconnect_* key is set)",
             .summary = "off: fail fast; on/sync: retry on the caller's thread up to reconnect_max_duration_millis; async: retry in the background."},
            [](State& s, const Value& v) -> Status {
                static constexpr InitialConnectRetry kModes[] = {
                    InitialConnectRetry::off,  InitialConnectRetry::off,  InitialConnectRetry::sync,
                    InitialConnectRetry::sync, InitialConnectRetry::sync, InitialConnectRetry::async};
                s.reconnect.initial_connect_retry = kModes[v.number];
                s.reconnect.initial_connect_retry_explicit = true;
                return {};
            }},
    KeyRule{{.name = "reconnect_initial_backoff_millis", .type = ValueType::milliseconds,
             .schemes = kWs, .min = 1, .max = kYearMs, .default_text = "100",
             .summary = "First wait between reconnect attempts; doubles up to reconnect_max_backoff_millis."},
            [](State& s, const Value& v) -> Status { s.reconnect.initial_backoff = ms(v); return {}; }},
    KeyRule{{.name = "reconnect_max_backoff_millis", .type = ValueType::milliseconds,
             .schemes = kWs, .min = 1, .max = kYearMs, .default_text = "5000",
             .summary = "Cap of one reconnect wait (at least the initial backoff)."},
            [](State& s, const Value& v) -> Status { s.reconnect.max_backoff = ms(v); return {}; }},
    KeyRule{{.name = "reconnect_max_duration_millis", .type = ValueType::milliseconds,
             .schemes = kWs, .min = 0, .max = kYearMs, .default_text = "300000",
             .summary = "Budget of the blocking initial connect (initial_connect_retry=on); a running sender retries forever."},
            [](State& s, const Value& v) -> Status { s.reconnect.max_duration = ms(v); return {}; }},

    // ---- store-and-forward ---------------------------------------------------------------
    KeyRule{{.name = "sf_dir", .type = ValueType::path, .schemes = kWs, .min = 1,
             .default_text = "unset (memory mode)",
             .summary = "Parent directory of the disk slot <sf_dir>/<sender_id>/, verbatim (no ~ expansion; only the leaf is created)."},
            [](State& s, const Value& v) -> Status { s.sf.dir = std::string(v.text); return {}; }},
    KeyRule{{.name = "sender_id", .type = ValueType::text, .schemes = kWs, .min = 1, .max = 200,
             .default_text = "default",
             .summary = "Slot name, characters A-Z a-z 0-9 _ -; pool slots are <sender_id>-ingest-<i>. Needs sf_dir."},
            set_sender_id},
    KeyRule{{.name = "sf_durability", .type = ValueType::choice, .schemes = kWs,
             .choices = "memory|periodic", .default_text = "memory",
             .summary = "memory: page cache (survives a process crash); periodic: background checkpoints every sf_sync_interval_millis. Needs sf_dir."},
            [](State& s, const Value& v) -> Status { s.sf.durability = static_cast<SfDurability>(v.number); return {}; }},
    KeyRule{{.name = "sf_sync_interval_millis", .type = ValueType::milliseconds, .schemes = kWs,
             .min = 1, .max = kYearMs, .default_text = "5000",
             .summary = "Checkpoint cadence; only with sf_durability=periodic."},
            [](State& s, const Value& v) -> Status { s.sf.sync_interval = ms(v); return {}; }},
    KeyRule{{.name = "sf_max_segment_bytes", .type = ValueType::bytes, .schemes = kWs, .min = 1,
             .max = kNoMax, .default_text = "4m",
             .summary = "Segment rotation threshold; at least the largest frame."},
            [](State& s, const Value& v) -> Status { s.sf.max_segment_bytes = u64(v); return {}; }},
    KeyRule{{.name = "sf_max_total_bytes", .type = ValueType::bytes, .schemes = kWs, .min = 1,
             .max = kNoMax, .default_text = "10g with sf_dir, 128m in memory mode",
             .summary = "Queue cap per slot (at least sf_max_segment_bytes); at the cap flush waits up to sf_append_deadline_millis."},
            [](State& s, const Value& v) -> Status { s.sf.max_total_bytes = u64(v); return {}; }},
    KeyRule{{.name = "sf_append_deadline_millis", .type = ValueType::milliseconds, .schemes = kWs,
             .min = 1, .max = kYearMs, .default_text = "30000",
             .summary = "How long a flush waits for queue space at the cap before it raises."},
            [](State& s, const Value& v) -> Status { s.sf.append_deadline = ms(v); return {}; }},
    KeyRule{{.name = "close_flush_timeout_millis", .type = ValueType::milliseconds,
             .schemes = kWs, .min = -1, .max = kYearMs, .default_text = "5000",
             .summary = "How long close waits for queued frames to be acknowledged; 0 or -1 skips the drain."},
            [](State& s, const Value& v) -> Status { s.sf.close_flush_timeout = Millis{v.number < 0 ? 0 : v.number}; return {}; }},
    KeyRule{{.name = "drain_orphans", .type = ValueType::choice, .schemes = kWs,
             .choices = kOnOffTrueFalse, .default_text = "off",
             .summary = "Drain abandoned sibling slots found under sf_dir. Needs sf_dir."},
            [](State& s, const Value& v) -> Status { s.sf.drain_orphans = on(v); return {}; }},
    KeyRule{{.name = "max_background_drainers", .type = ValueType::integer, .schemes = kWs,
             .min = 0, .max = 1024, .default_text = "4",
             .summary = "Concurrent orphan drains. Needs sf_dir."},
            [](State& s, const Value& v) -> Status { s.sf.max_background_drainers = size(v); return {}; }},
    KeyRule{{.name = "transaction", .type = ValueType::choice, .schemes = kWs, .choices = kOnOff,
             .default_text = "off", .summary = "Accepted for portability with other clients."},
            [](State& s, const Value& v) -> Status { s.sf.transaction = on(v); return {}; }},
    KeyRule{{.name = "catch_up_cap_gap_min_escalation_window_millis",
             .type = ValueType::milliseconds, .schemes = kWs, .min = 0, .max = kYearMs,
             .default_text = "300000",
             .summary = "Minimum time a catch-up cap gap persists before it escalates."},
            [](State& s, const Value& v) -> Status { s.sf.catch_up_cap_gap_min_escalation_window = ms(v); return {}; }},

    // ---- durable ack ---------------------------------------------------------------------
    KeyRule{{.name = "request_durable_ack", .type = ValueType::choice, .schemes = kWs,
             .choices = kOnOff, .default_text = "off",
             .summary = "Trim the queue only on durable acks (Enterprise); enables AckLevel::durable."},
            [](State& s, const Value& v) -> Status { s.transport.request_durable_ack = on(v); return {}; }},
    KeyRule{{.name = "durable_ack_keepalive_interval_millis", .type = ValueType::milliseconds,
             .schemes = kWs, .min = -kYearMs, .max = kYearMs, .default_text = "200",
             .summary = "PING cadence while durable acks are pending; 0 or negative disables."},
            [](State& s, const Value& v) -> Status { s.transport.durable_ack_keepalive_interval = Millis{v.number < 0 ? 0 : v.number}; return {}; }},

    // ---- error handling ------------------------------------------------------------------
    KeyRule{{.name = "error_inbox_capacity", .type = ValueType::integer, .schemes = kWs,
             .min = 16, .max = 1 << 20, .default_text = "256",
             .summary = "Capacity of each sender's `poll_qwp_ws_error()` inbox and of the pool's error-handler inbox (`connect_with_handlers`); overflow drops the oldest."},
            [](State& s, const Value& v) -> Status { s.errors.error_inbox_capacity = size(v); return {}; }},
    KeyRule{{.name = "connection_listener_inbox_capacity", .type = ValueType::integer,
             .schemes = kWs, .min = 1, .max = 1 << 20, .default_text = "64",
             .summary = "Inbox of the connection listener of `QuestDb::connect_with_handlers` (unless `ConnectHandlers` sets one); overflow drops the oldest."},
            [](State& s, const Value& v) -> Status { s.errors.connection_listener_inbox_capacity = size(v); return {}; }},
    KeyRule{{.name = "max_frame_rejections", .type = ValueType::integer, .schemes = kWs,
             .min = 1, .max = 1 << 20, .default_text = "4",
             .summary = "Consecutive rejections of one frame without ack progress before it is treated as poison (terminal)."},
            [](State& s, const Value& v) -> Status { s.errors.max_frame_rejections = static_cast<std::uint32_t>(v.number); return {}; }},
    KeyRule{{.name = "poison_min_escalation_window_millis", .type = ValueType::milliseconds,
             .schemes = kWs, .min = 0, .max = kYearMs, .default_text = "5000",
             .summary = "Minimum time before repeated rejections escalate to poison; 0 escalates at once."},
            [](State& s, const Value& v) -> Status { s.errors.poison_min_escalation_window = ms(v); return {}; }},
    KeyRule{{.name = "on_server_error", .type = ValueType::choice, .schemes = kWs,
             .choices = kErrorPolicies, .default_text = "auto",
             .summary = "Default policy for server rejections; auto applies each category's built-in default."},
            [](State& s, const Value& v) -> Status { s.errors.on_server_error = policy(v); return {}; }},
    KeyRule{{.name = "on_schema_error", .type = ValueType::choice, .schemes = kWs,
             .choices = kErrorPolicies, .default_text = "auto (terminal)",
             .summary = "Policy for schema-mismatch rejections."},
            [](State& s, const Value& v) -> Status { s.errors.on_schema_error = policy(v); return {}; }},
    KeyRule{{.name = "on_parse_error", .type = ValueType::choice, .schemes = kWs,
             .choices = kErrorPolicies, .default_text = "auto (terminal)",
             .summary = "Policy for malformed-payload rejections."},
            [](State& s, const Value& v) -> Status { s.errors.on_parse_error = policy(v); return {}; }},
    KeyRule{{.name = "on_internal_error", .type = ValueType::choice, .schemes = kWs,
             .choices = kErrorPolicies, .default_text = "auto (retriable)",
             .summary = "Policy for server internal errors."},
            [](State& s, const Value& v) -> Status { s.errors.on_internal_error = policy(v); return {}; }},
    KeyRule{{.name = "on_security_error", .type = ValueType::choice, .schemes = kWs,
             .choices = kErrorPolicies, .default_text = "auto (terminal)",
             .summary = "Policy for access-control rejections."},
            [](State& s, const Value& v) -> Status { s.errors.on_security_error = policy(v); return {}; }},
    KeyRule{{.name = "on_write_error", .type = ValueType::choice, .schemes = kWs,
             .choices = kErrorPolicies, .default_text = "auto (retriable)",
             .summary = "Policy for transient write failures."},
            [](State& s, const Value& v) -> Status { s.errors.on_write_error = policy(v); return {}; }},

    // ---- query client --------------------------------------------------------------------
    KeyRule{{.name = "failover", .type = ValueType::choice, .schemes = kWs,
             .choices = kOnOffTrueFalse, .default_text = "on",
             .summary = "Per-query failover across addr endpoints."},
            [](State& s, const Value& v) -> Status { s.egress.failover = on(v); return {}; }},
    KeyRule{{.name = "failover_max_attempts", .type = ValueType::integer, .schemes = kWs,
             .min = 1, .max = 1024, .default_text = "8",
             .summary = "Attempts per query, counting the first."},
            [](State& s, const Value& v) -> Status { s.egress.failover_max_attempts = static_cast<std::uint32_t>(v.number); return {}; }},
    KeyRule{{.name = "failover_backoff_initial_ms", .type = ValueType::milliseconds,
             .schemes = kWs, .min = 0, .max = kHourMs, .default_text = "50",
             .summary = "First failover backoff; doubles up to failover_backoff_max_ms."},
            [](State& s, const Value& v) -> Status { s.egress.failover_backoff_initial = ms(v); return {}; }},
    KeyRule{{.name = "failover_backoff_max_ms", .type = ValueType::milliseconds, .schemes = kWs,
             .min = 0, .max = kHourMs, .default_text = "1000",
             .summary = "Cap of one failover backoff (at least the initial backoff)."},
            [](State& s, const Value& v) -> Status { s.egress.failover_backoff_max = ms(v); return {}; }},
    KeyRule{{.name = "failover_max_duration_ms", .type = ValueType::milliseconds, .schemes = kWs,
             .min = 0, .max = kHourMs, .default_text = "30000",
             .summary = "Wall-clock failover budget per query; 0 = unbounded."},
            [](State& s, const Value& v) -> Status { s.egress.failover_max_duration = ms(v); return {}; }},
    KeyRule{{.name = "compression", .type = ValueType::choice, .schemes = kWs,
             .choices = "raw|zstd|auto", .default_text = "raw",
             .summary = "Result-batch compression: raw (none), zstd (ask for it), auto (accept it if offered)."},
            [](State& s, const Value& v) -> Status { s.egress.compression = static_cast<Compression>(v.number); return {}; }},
    KeyRule{{.name = "compression_level", .type = ValueType::integer, .schemes = kWs, .min = 1,
             .max = 22, .default_text = "1",
             .summary = "zstd level hint (the server clamps to 1..9); ignored with compression=raw."},
            [](State& s, const Value& v) -> Status { s.egress.compression_level = static_cast<int>(v.number); return {}; }},
    KeyRule{{.name = "initial_credit", .type = ValueType::integer, .schemes = kWs, .min = 0,
             .max = kNoMax, .default_text = "0 (unbounded)",
             .summary = "Byte-credit flow-control budget of a query; 0 = unbounded."},
            [](State& s, const Value& v) -> Status { s.egress.initial_credit = u64(v); return {}; }},
    KeyRule{{.name = "max_batch_rows", .type = ValueType::integer, .schemes = kWs, .min = 1,
             .max = 1'048'576, .default_text = "unset (server limit)",
             .summary = "Upper bound on rows per result batch."},
            [](State& s, const Value& v) -> Status { s.egress.max_batch_rows = static_cast<std::uint32_t>(v.number); return {}; }},
    KeyRule{{.name = "client_id", .type = ValueType::text, .schemes = kWs, .min = 1, .max = 256,
             .default_text = "questdb-cpp/<version>",
             .summary = "Client identifier sent as X-QWP-Client-Id on the upgrade."},
            [](State& s, const Value& v) -> Status { s.transport.client_id = std::string(v.text); return {}; }},
    KeyRule{{.name = "target", .type = ValueType::choice, .schemes = kWs,
             .choices = "any|primary|replica", .default_text = "any",
             .summary = "Server role a query connection binds to; ingest ignores it."},
            [](State& s, const Value& v) -> Status { s.egress.target = static_cast<Target>(v.number); return {}; }},
    KeyRule{{.name = "zone", .type = ValueType::text, .schemes = kWs, .min = 0, .max = 256,
             .default_text = "unset",
             .summary = "Client zone; queries prefer endpoints advertising the same zone (case-insensitive). Blank = unset; ingest ignores it."},
            set_zone},
    KeyRule{{.name = "query_close_timeout_ms", .type = ValueType::milliseconds, .schemes = kWs,
             .min = 1, .max = kYearMs, .default_text = "5000",
             .summary = "Bound of the drain when a cursor is closed before its end."},
            [](State& s, const Value& v) -> Status { s.egress.query_close_timeout = ms(v); return {}; }},
    KeyRule{{.name = "buffer_pool_size", .type = ValueType::integer, .schemes = kWs, .min = 1,
             .max = 1024, .default_text = "4",
             .summary = "Decoded result batches kept ahead of the consumer."},
            [](State& s, const Value& v) -> Status { s.egress.buffer_pool_size = size(v); return {}; }},

    // ---- other transports ----------------------------------------------------------------
    KeyRule{{.name = "max_datagram_size", .type = ValueType::bytes, .schemes = kUdpOnly,
             .min = 1, .max = 65507, .default_text = "(udp only)",
             .summary = "QWP/UDP only; this client has no UDP transport, so the key is rejected."},
            nullptr},
    KeyRule{{.name = "multicast_ttl", .type = ValueType::integer, .schemes = kUdpOnly, .min = 0,
             .max = 255, .default_text = "(udp only)",
             .summary = "QWP/UDP only; this client has no UDP transport, so the key is rejected."},
            nullptr},
};
// clang-format on

constexpr auto kInfos = [] {
    std::array<KeyInfo, kRules.size()> out{};
    for (std::size_t i = 0; i < kRules.size(); ++i) {
        out[i] = kRules[i].info;
    }
    return out;
}();

}  // namespace

const KeyRule* find_rule(std::string_view key) noexcept {
    for (const auto& rule : kRules) {
        if (rule.info.name == key) {
            return &rule;
        }
    }
    return nullptr;
}

}  // namespace detail

std::span<const KeyInfo> known_keys() noexcept {
    return detail::kInfos;
}

const KeyInfo* find_key(std::string_view key) noexcept {
    for (const auto& info : detail::kInfos) {
        if (info.name == key) {
            return &info;
        }
    }
    return nullptr;
}

}  // namespace questdb::conf
