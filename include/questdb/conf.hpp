#pragma once

/// @file
/// Connect strings: `questdb::conf::Config` is the parsed, validated and immutable form of
/// a QuestDB connect string such as `ws::addr=localhost:9000;username=admin;password=...;`.
///
/// Grammar (as the QuestDB connect-string reference defines it):
///
///     conf   ::= scheme "::" params | scheme
///     params ::= param (";" param)* ";"?
///     param  ::= key "=" value
///     scheme, key ::= [A-Za-z0-9_]+          (keys are case-sensitive)
///     value  ::= any UTF-8 except ';' and the control characters U+0000-U+001F and
///                U+007F-U+009F; ";;" stands for one literal ';'
///
/// Whitespace has no special meaning: it is not allowed in a scheme or key and is kept
/// verbatim inside a value (only `addr` entries are trimmed around commas).
///
/// Every key of the reference is known, typed, range-checked and tied to the schemes it
/// applies to; see `known_keys()` and docs/CONFIGURATION.md. Parsing never performs I/O.
///
/// Every failure is a `questdb::Error` with `ErrorCode::config_error` whose message names
/// the offending key (and its value, unless the key is a secret). Secrets (`password`,
/// `token`, `token_x`, `token_y`, `tls_roots_password`) never appear in an error message
/// or in `Config::to_string()`.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "questdb/export.hpp"

namespace questdb::conf {

/// The transport a connect string selects.
enum class Scheme : std::uint8_t {
    ws,     ///< QWP over WebSocket (alias `qwpws`). Default port 9000.
    wss,    ///< QWP over WebSocket + TLS (alias `qwpwss`). Default port 9000.
    http,   ///< ILP over HTTP. Default port 9000.
    https,  ///< ILP over HTTP + TLS. Default port 9000.
    tcp,    ///< ILP over TCP. Default port 9009.
    tcps,   ///< ILP over TCP + TLS. Default port 9009.
};

/// The canonical lowercase name of a scheme ("ws", "wss", ...). Never throws.
QUESTDB_API std::string_view to_string(Scheme scheme) noexcept;
/// True for `wss`, `https` and `tcps`.
QUESTDB_API bool is_tls(Scheme scheme) noexcept;
/// True for the QWP/WebSocket schemes `ws` and `wss`.
QUESTDB_API bool is_qwp(Scheme scheme) noexcept;
/// True for the ILP/HTTP schemes `http` and `https`.
QUESTDB_API bool is_ilp_http(Scheme scheme) noexcept;
/// True for the ILP/TCP schemes `tcp` and `tcps`.
QUESTDB_API bool is_ilp_tcp(Scheme scheme) noexcept;
/// The port used when an `addr` entry has none: 9000 for ws/wss/http/https, 9009 for tcp/tcps.
QUESTDB_API std::uint16_t default_port(Scheme scheme) noexcept;

/// A set of schemes, as a bit mask indexed by `Scheme`.
struct SchemeSet {
    /// Bit `1 << static_cast<unsigned>(scheme)` is set for each member.
    std::uint8_t bits = 0;

    /// Whether `scheme` is in the set.
    [[nodiscard]] constexpr bool contains(Scheme scheme) const noexcept {
        return (bits >> static_cast<unsigned>(scheme)) & 1U;
    }
    /// True when no scheme is in the set (a key meant for a transport this client lacks).
    [[nodiscard]] constexpr bool empty() const noexcept { return bits == 0; }
    /// Same members.
    friend constexpr bool operator==(SchemeSet, SchemeSet) = default;
};

/// One server address from `addr`.
struct QUESTDB_API Endpoint {
    /// Host name or IP address, without brackets (an IPv6 literal is stored bare).
    std::string host;
    /// TCP port, 1..65535 (the scheme's default port when the entry had none).
    std::uint16_t port = 0;

    /// `host:port`, with an IPv6 host in brackets (`[::1]:9000`).
    [[nodiscard]] std::string to_string() const;
    /// Same host (byte for byte) and port.
    friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// ---- value enumerations ------------------------------------------------------------------

/// `initial_connect_retry`: what happens when the first connect attempt fails.
enum class InitialConnectRetry : std::uint8_t {
    off,    ///< `off`/`false`: fail fast.
    sync,   ///< `on`/`true`/`sync`: retry on the caller's thread up to reconnect_max_duration.
    async,  ///< `async`: return at once; the I/O thread retries in the background forever.
};

/// `pool_reap`: who closes idle pooled connections.
enum class PoolReap : std::uint8_t {
    automatic,  ///< `auto`: a housekeeper closes them.
    manual,     ///< `manual`: only the application's `reap_idle()` does.
};

/// `sf_durability`: when store-and-forward data reaches stable storage.
enum class SfDurability : std::uint8_t {
    memory,    ///< Page cache only: survives a process crash, not a host crash.
    periodic,  ///< A background checkpoint every `sf_sync_interval_millis` (needs `sf_dir`).
};

/// `tls_verify`.
enum class TlsVerify : std::uint8_t {
    on,          ///< Verify the server certificate and host name.
    unsafe_off,  ///< Skip verification. Testing only.
};

/// `tls_ca`: where trusted root certificates come from.
enum class TlsCa : std::uint8_t {
    os_roots,             ///< The operating system's trust store (OpenSSL default paths).
    webpki_roots,         ///< Accepted for portability; this client uses the OS store for it.
    webpki_and_os_roots,  ///< Accepted for portability; this client uses the OS store for it.
    pem_file,             ///< The PEM file (or key store) named by `tls_roots`.
};

/// `compression`: result-batch compression the query client accepts.
enum class Compression : std::uint8_t {
    raw,        ///< No compression; no accept-encoding header is sent.
    zstd,       ///< Ask for zstd.
    automatic,  ///< `auto`: accept zstd if the server offers it.
};

/// `target`: the server role a query connection must bind to.
enum class Target : std::uint8_t {
    any,      ///< Any healthy endpoint.
    primary,  ///< Only the writer.
    replica,  ///< Only replicas.
};

/// `protocol_version` of the ILP senders.
enum class IlpProtocolVersion : std::uint8_t {
    automatic,  ///< `auto`: HTTP asks the server; TCP uses version 1.
    v1,         ///< Text ILP.
    v2,         ///< Adds binary doubles and double arrays.
    v3,         ///< Adds decimals.
};

/// The `on_*_error` policies for server rejections.
enum class ErrorPolicy : std::uint8_t {
    automatic,        ///< `auto`: the built-in default for the category.
    terminal,         ///< Halt the sender; the data stays queued.
    retriable,        ///< Reconnect and replay from the acknowledged watermark.
    retriable_other,  ///< Like retriable, rotating to the next endpoint.
};

/// Which kind of credentials a connect string carries.
enum class AuthKind : std::uint8_t {
    none,   ///< No credentials.
    basic,  ///< `username` + `password` (HTTP Basic on ws/wss/http/https).
    token,  ///< `token` (HTTP Bearer on ws/wss/http/https).
    ecdsa,  ///< `username` (key id) + `token` (d) + `token_x` + `token_y` (ILP/TCP only).
};

// ---- settings groups ---------------------------------------------------------------------

/// Durations in connect strings are whole milliseconds.
using Millis = std::chrono::milliseconds;

/// The QuestDb pool (ws/wss only). Two spellings are accepted: the official
/// `sender_pool_min/max`, `query_pool_min/max`, `idle_timeout_ms`, and this library's
/// `pool_size` (warm minimum of every pool), `pool_max` (cap of every pool),
/// `pool_idle_timeout_ms`. Giving both spellings of one setting is a config_error.
struct PoolSettings {
    /// Ingest connections kept open when idle. Key `sender_pool_min` / `pool_size`. Default 1.
    std::size_t sender_min = 1;
    /// Cap on ingest connections. Key `sender_pool_max` / `pool_max`. Default 4; 1 when
    /// `sf_dir` is set (a disk slot is single-borrower there, and more than 1 is rejected).
    std::size_t sender_max = 4;
    /// Query connections kept open when idle. Key `query_pool_min` / `pool_size`. Default 1,
    /// or 0 under `lazy_connect=on`.
    std::size_t query_min = 1;
    /// Cap on query connections (and in-flight queries). Key `query_pool_max` / `pool_max`.
    /// Default 4.
    std::size_t query_max = 4;
    /// How long a borrow at the cap waits for a returned connection; zero fails fast.
    /// Key `acquire_timeout_ms`. Default 5000 ms.
    Millis acquire_timeout{5000};
    /// Idle time after which connections above the minimum are closed; zero keeps them
    /// forever. Key `idle_timeout_ms` / `pool_idle_timeout_ms`. Default 60000 ms.
    Millis idle_timeout{60000};
    /// Maximum connection age (closed once idle); zero = no limit. Key `max_lifetime_ms`.
    /// Default 1800000 ms.
    Millis max_lifetime{1800000};
    /// How often the housekeeper runs. Key `housekeeper_interval_ms`. Default 5000 ms.
    Millis housekeeper_interval{5000};
    /// Key `pool_reap`. Default `auto`.
    PoolReap reap = PoolReap::automatic;
    /// Defer every connect to the first borrow. Key `lazy_connect`. Default off.
    bool lazy_connect = false;
};

/// Store-and-forward (ws/wss ingest).
struct StoreAndForwardSettings {
    /// Key `sf_dir`: the slot parent directory, verbatim (no `~` expansion). Unset = memory
    /// mode.
    std::optional<std::string> dir;
    /// Key `sender_id`: slot name `[A-Za-z0-9_-]+` (pool slots are `<id>-ingest-<i>`).
    /// Needs `sf_dir`. Default "default".
    std::string sender_id = "default";
    /// Key `sf_durability`. Needs `sf_dir`. Default `memory`.
    SfDurability durability = SfDurability::memory;
    /// Key `sf_sync_interval_millis`: checkpoint cadence under `sf_durability=periodic`
    /// (only valid with it). Default 5000 ms.
    Millis sync_interval{5000};
    /// Key `sf_max_segment_bytes`: segment rotation threshold, at least the largest frame.
    /// Default 4 MiB.
    std::uint64_t max_segment_bytes = std::uint64_t{4} << 20;
    /// Key `sf_max_total_bytes`: queue cap per slot. Default 10 GiB with `sf_dir`, 128 MiB in
    /// memory mode (never below twice `max_segment_bytes`).
    std::uint64_t max_total_bytes = std::uint64_t{128} << 20;
    /// Key `sf_append_deadline_millis`: how long `flush` waits for space at the cap before
    /// it raises `backpressure_timeout`. Default 30000 ms.
    Millis append_deadline{30000};
    /// Key `close_flush_timeout_millis`: drain window on close; zero skips the drain
    /// (`-1` also means zero). Default 5000 ms.
    Millis close_flush_timeout{5000};
    /// Key `drain_orphans`: drain abandoned sibling slots under `sf_dir`. Needs `sf_dir`.
    /// Default off.
    bool drain_orphans = false;
    /// Key `max_background_drainers`: concurrent orphan drains. Needs `sf_dir`. Default 4.
    std::size_t max_background_drainers = 4;
    /// Key `transaction`. Accepted for portability. Default off.
    bool transaction = false;
    /// Key `catch_up_cap_gap_min_escalation_window_millis`. Default 300000 ms.
    Millis catch_up_cap_gap_min_escalation_window{300000};

    /// True when `sf_dir` is set (disk-backed slots).
    [[nodiscard]] bool disk_mode() const noexcept { return dir.has_value(); }
};

/// Ingest reconnect loop (ws/wss).
struct ReconnectSettings {
    /// Key `reconnect_initial_backoff_millis`. Default 100 ms.
    Millis initial_backoff{100};
    /// Key `reconnect_max_backoff_millis` (at least the initial backoff). Default 5000 ms.
    Millis max_backoff{5000};
    /// Key `reconnect_max_duration_millis`: budget of the blocking initial connect under
    /// `initial_connect_retry=on`; a running sender never gives up. Default 300000 ms.
    Millis max_duration{300000};
    /// Key `initial_connect_retry`, resolved: an explicit value wins, otherwise `sync` when
    /// any `reconnect_*` key was given, otherwise `off`.
    InitialConnectRetry initial_connect_retry = InitialConnectRetry::off;
    /// True when `initial_connect_retry` was given explicitly (a pool honours only that).
    bool initial_connect_retry_explicit = false;
};

/// Credentials. Secrets here must never be logged or put in messages.
struct AuthSettings {
    /// Which credentials are present (validated to be complete and not mixed).
    AuthKind kind = AuthKind::none;
    /// Key `username` (alias `user`); the key id for ILP/TCP ECDSA auth.
    std::optional<std::string> username;
    /// Key `password` (alias `pass`). Secret.
    std::optional<std::string> password;
    /// Key `token`: bearer token, or the ECDSA private key `d` on ILP/TCP. Secret.
    std::optional<std::string> token;
    /// Key `token_x` (ILP/TCP public key x). Secret.
    std::optional<std::string> token_x;
    /// Key `token_y` (ILP/TCP public key y). Secret.
    std::optional<std::string> token_y;
    /// Keys `auth_timeout_ms` (ws/wss: the upgrade response read) and `auth_timeout`
    /// (tcp/tcps: the challenge). Default 15000 ms.
    Millis timeout{15000};
};

/// TLS (wss, https, tcps only).
struct TlsSettings {
    /// Key `tls_verify`. Default `on`. Cannot be combined with `tls_roots`.
    TlsVerify verify = TlsVerify::on;
    /// Key `tls_ca`; `pem_file` whenever `tls_roots` is set. Default `os_roots`.
    TlsCa ca = TlsCa::os_roots;
    /// Key `tls_roots`: a PEM file, or a JKS/PKCS#12 store with `tls_roots_password`.
    std::optional<std::string> roots;
    /// Key `tls_roots_password` (wss only; needs `tls_roots`). Secret.
    std::optional<std::string> roots_password;
};

/// Auto-flush triggers of the ingest senders. An unset trigger is disabled (`off`).
struct AutoFlushSettings {
    /// Key `auto_flush`. Default on.
    bool enabled = true;
    /// Key `auto_flush_rows`. Default 1000 (ws/wss), 75000 (http/https), 600 (tcp/tcps).
    std::optional<std::uint64_t> rows;
    /// Key `auto_flush_interval`. Default 100 ms (ws/wss), 1000 ms (ILP).
    std::optional<Millis> interval;
    /// Key `auto_flush_bytes` (size suffixes; `0` = off). Default off.
    std::optional<std::uint64_t> bytes;
};

/// Ingest buffers and the ILP senders' request settings.
struct IlpSettings {
    /// The auto-flush triggers.
    AutoFlushSettings auto_flush;
    /// Key `init_buf_size`. Default 64 KiB.
    std::uint64_t init_buf_size = std::uint64_t{64} << 10;
    /// Key `max_buf_size` (at least `init_buf_size`). Default 100 MiB.
    std::uint64_t max_buf_size = std::uint64_t{100} << 20;
    /// Key `max_name_len`: longest table/column name in UTF-8 bytes. Default 127.
    std::size_t max_name_len = 127;
    /// Key `protocol_version` (ILP schemes). Default `auto`.
    IlpProtocolVersion protocol_version = IlpProtocolVersion::automatic;
    /// Key `request_timeout`: base HTTP request timeout (http/https, default 10000 ms), or
    /// the bound of flush-and-wait calls (ws/wss, default 30000 ms).
    Millis request_timeout{10000};
    /// Key `request_min_throughput` (http/https): bytes/s added to the timeout for large
    /// requests; 0 disables it. Default 102400.
    std::uint64_t request_min_throughput = 102400;
    /// Key `retry_timeout` (http/https): total retry budget; 0 disables retries.
    /// Default 10000 ms.
    Millis retry_timeout{10000};
    /// Key `retry_max_backoff_millis` (http/https): cap of one retry backoff. Default 1000 ms.
    Millis retry_max_backoff{1000};
    /// Key `bind_interface` (ILP schemes): local address to bind outbound sockets to.
    std::optional<std::string> bind_interface;
};

/// The query client (ws/wss egress).
struct EgressSettings {
    /// Key `failover`: per-query failover. Default on.
    bool failover = true;
    /// Key `failover_max_attempts`, counting the first attempt (1..1024). Default 8.
    std::uint32_t failover_max_attempts = 8;
    /// Key `failover_backoff_initial_ms`. Default 50 ms.
    Millis failover_backoff_initial{50};
    /// Key `failover_backoff_max_ms` (at least the initial backoff). Default 1000 ms.
    Millis failover_backoff_max{1000};
    /// Key `failover_max_duration_ms`; zero = unbounded. Default 30000 ms.
    Millis failover_max_duration{30000};
    /// Key `compression`. Default `raw`.
    Compression compression = Compression::raw;
    /// Key `compression_level` (1..22; the server clamps to 1..9). Default 1.
    int compression_level = 1;
    /// Key `initial_credit`: byte-credit budget; 0 = unbounded. Default 0.
    std::uint64_t initial_credit = 0;
    /// Key `max_batch_rows` (1..1048576); unset = the server's limit.
    std::optional<std::uint32_t> max_batch_rows;
    /// Key `target`. Default `any`. Ingest ignores it.
    Target target = Target::any;
    /// Key `zone` (trimmed; blank = unset). Ingest ignores it.
    std::optional<std::string> zone;
    /// Key `query_close_timeout_ms`: bound of the drain when a cursor closes early.
    /// Default 5000 ms.
    Millis query_close_timeout{5000};
    /// Key `buffer_pool_size`: decoded batches kept ahead of the consumer (>= 1). Default 4.
    std::size_t buffer_pool_size = 4;
};

/// Connection-level settings shared by both directions (ws/wss).
struct TransportSettings {
    /// Key `connect_timeout`: bound of one TCP connect; unset = the OS default.
    std::optional<Millis> connect_timeout;
    /// Key `client_id`, sent as `X-QWP-Client-Id`. Default "questdb-cpp/<version>".
    std::string client_id;
    /// Key `request_durable_ack`: gate trimming on durable acks (Enterprise). Default off.
    bool request_durable_ack = false;
    /// Key `durable_ack_keepalive_interval_millis`; zero (or negative) disables the PINGs.
    /// Default 200 ms.
    Millis durable_ack_keepalive_interval{200};
};

/// Asynchronous error reporting and server-rejection policies (ws/wss).
struct ErrorHandlingSettings {
    /// Key `error_inbox_capacity` (>= 16). Default 256.
    std::size_t error_inbox_capacity = 256;
    /// Key `connection_listener_inbox_capacity` (>= 1): the inbox of the connection listener
    /// given to QuestDb::connect_with_handlers. Default 64.
    std::size_t connection_listener_inbox_capacity = 64;
    /// Key `max_frame_rejections`: consecutive rejections of one frame before it is poison
    /// (>= 1). Default 4.
    std::uint32_t max_frame_rejections = 4;
    /// Key `poison_min_escalation_window_millis`. Default 5000 ms.
    Millis poison_min_escalation_window{5000};
    /// Key `on_server_error`: global default. Default `auto`.
    ErrorPolicy on_server_error = ErrorPolicy::automatic;
    /// Key `on_schema_error`. Default `auto` (terminal).
    ErrorPolicy on_schema_error = ErrorPolicy::automatic;
    /// Key `on_parse_error`. Default `auto` (terminal).
    ErrorPolicy on_parse_error = ErrorPolicy::automatic;
    /// Key `on_internal_error`. Default `auto` (retriable).
    ErrorPolicy on_internal_error = ErrorPolicy::automatic;
    /// Key `on_security_error`. Default `auto` (terminal).
    ErrorPolicy on_security_error = ErrorPolicy::automatic;
    /// Key `on_write_error`. Default `auto` (retriable).
    ErrorPolicy on_write_error = ErrorPolicy::automatic;
};

// ---- key catalogue -----------------------------------------------------------------------

/// The type of a key's value.
enum class ValueType : std::uint8_t {
    text,                 ///< Any value (non-blank unless documented).
    path,                 ///< A file-system path, verbatim.
    choice,               ///< One word of `KeyInfo::choices` (case-insensitive).
    integer,              ///< A decimal integer.
    milliseconds,         ///< A decimal integer of milliseconds.
    bytes,                ///< A size: integer with optional k/kb/m/mb/g/gb/t/tb (1024-based).
    integer_or_off,       ///< `off`, or an integer.
    milliseconds_or_off,  ///< `off`, or milliseconds.
    bytes_or_off,         ///< `off`, or a size.
    address_list,         ///< `host[:port][,host[:port]...]`; the key may repeat.
};

/// What the catalogue knows about one key; `known_keys()` lists them all.
struct KeyInfo {
    /// The key as written in a connect string.
    std::string_view name{};
    /// The value's type.
    ValueType type = ValueType::text;
    /// The schemes where the key is valid; elsewhere it is a config_error.
    SchemeSet schemes{};
    /// Secret: never printed, never put in a message.
    bool secret = false;
    /// Other spellings of the same setting (comma-separated); giving two is an error.
    std::string_view same_as{};
    /// For `choice`: the accepted words, `|`-separated.
    std::string_view choices{};
    /// Smallest accepted number (numeric types).
    std::int64_t min = 0;
    /// Largest accepted number (numeric types).
    std::int64_t max = 0;
    /// The default, as documentation text.
    std::string_view default_text{};
    /// One-line meaning.
    std::string_view summary{};
};

/// Every key this library recognises, in documentation order. The same table drives
/// parsing and docs/CONFIGURATION.md. Never throws; the span lives forever.
QUESTDB_API std::span<const KeyInfo> known_keys() noexcept;

/// The catalogue entry of `key`, or nullptr when the key is unknown. Never throws.
QUESTDB_API const KeyInfo* find_key(std::string_view key) noexcept;

// ---- the parsed configuration ------------------------------------------------------------

/// A parsed, validated connect string. Immutable; copies share the parsed state, so
/// copying is cheap and a Config may be read from any number of threads at once.
class QUESTDB_API Config {
  public:
    /// Parses and validates a connect string. Performs no I/O.
    /// @throws questdb::Error with ErrorCode::config_error naming the offending key (its
    ///         value too unless it is a secret).
    [[nodiscard]] static Config parse(std::string_view conf);

    /// Parses the connect string in the environment variable `QDB_CLIENT_CONF`.
    /// Reads the environment with std::getenv: do not call it while another thread
    /// modifies the environment.
    /// @throws questdb::Error (config_error) when the variable is unset or empty, or as
    ///         parse() does.
    [[nodiscard]] static Config from_env();

    /// As from_env(), reading the environment variable `variable` instead.
    [[nodiscard]] static Config from_env(const std::string& variable);

    /// Copies share the immutable state. There are deliberately no move operations: a
    /// "moved-from" Config is a copy, so every Config object is always valid.
    Config(const Config&) noexcept = default;
    /// As the copy constructor.
    Config& operator=(const Config&) noexcept = default;
    /// Releases this copy's share of the state.
    ~Config() = default;

    /// The scheme (`qwpws`/`qwpwss` are reported as ws/wss).
    [[nodiscard]] Scheme scheme() const noexcept;
    /// Whether the scheme uses TLS.
    [[nodiscard]] bool is_tls() const noexcept;
    /// Every endpoint from every `addr` key, in order, without duplicates; never empty.
    [[nodiscard]] const std::vector<Endpoint>& endpoints() const noexcept;

    /// The value given for `key`, unescaped (`;;` became `;`), or nullopt when the key was
    /// not given. For a repeated `addr` it is the first value; see find_all(). Returns
    /// secrets too: callers must not log them. The view lives as long as this Config (or a
    /// copy of it).
    [[nodiscard]] std::optional<std::string_view> find(std::string_view key) const noexcept;
    /// Every value given for `key`, in order (only `addr` may have more than one).
    [[nodiscard]] std::vector<std::string_view> find_all(std::string_view key) const;
    /// Whether `key` was given.
    [[nodiscard]] bool contains(std::string_view key) const noexcept;

    /// The configuration as a connect string that parses back to an equal configuration,
    /// except that every secret value reads `[redacted]`. Keys ignored by the scheme are
    /// left out; `addr` is printed once with every endpoint and its port.
    [[nodiscard]] std::string to_string() const;

    /// Pool sizes and timeouts (ws/wss).
    [[nodiscard]] const PoolSettings& pool() const noexcept;
    /// Store-and-forward queue settings (ws/wss).
    [[nodiscard]] const StoreAndForwardSettings& store_and_forward() const noexcept;
    /// Ingest reconnect loop (ws/wss).
    [[nodiscard]] const ReconnectSettings& reconnect() const noexcept;
    /// Credentials.
    [[nodiscard]] const AuthSettings& auth() const noexcept;
    /// TLS settings (meaningful when is_tls()).
    [[nodiscard]] const TlsSettings& tls() const noexcept;
    /// Buffers, auto-flush, ILP protocol version, request timeouts and retries.
    [[nodiscard]] const IlpSettings& ilp() const noexcept;
    /// Query client settings (ws/wss).
    [[nodiscard]] const EgressSettings& egress() const noexcept;
    /// Connection-level settings (ws/wss).
    [[nodiscard]] const TransportSettings& transport() const noexcept;
    /// Error inbox and server-rejection policies (ws/wss).
    [[nodiscard]] const ErrorHandlingSettings& errors() const noexcept;

    /// The parsed state; defined privately in src/conf (named here so the parser's stages
    /// can fill it). Not usable by applications.
    struct State;

  private:
    explicit Config(std::shared_ptr<const State> state) noexcept;
    std::shared_ptr<const State> state_;
};

}  // namespace questdb::conf
