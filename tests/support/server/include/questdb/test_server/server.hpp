#pragma once

/// @file
/// questdb::test_server::Server — an in-process stand-in for QuestDB that speaks QWP ingress
/// and egress over WebSocket, ILP over HTTP and ILP over TCP on 127.0.0.1, keeps the rows it
/// commits for inspection, and fails on request (fault injection). It is a strict test
/// double, not a database. Plain C++ header (no Boost, OpenSSL or zstd).

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "questdb/test_server/values.hpp"

namespace questdb::test_server {

/// QWP status codes (shared by ingress and egress).
enum class Status : std::uint8_t {
    ok = 0x00,
    durable_ack = 0x02,
    schema_mismatch = 0x03,
    parse_error = 0x05,
    internal_error = 0x06,
    security_error = 0x08,
    write_error = 0x09,
    cancelled = 0x0A,
    limit_exceeded = 0x0B,
    not_writable = 0x0C,
    dictionary_gap = 0x0D,
};

/// The ILP/TCP ECDSA key of one user (QuestDB's auth.txt line): the public key of a P-256
/// key pair as base64url (no padding) affine coordinates, like the JWK `x` and `y`.
struct IlpTcpKey {
    std::string key_id;
    std::string public_x_b64url;
    std::string public_y_b64url;
};

/// Server configuration. Fixed for the server's lifetime (restart keeps it).
struct Options {
    /// HTTP/WebSocket port on 127.0.0.1; 0 picks an ephemeral port (read it with port()).
    std::uint16_t port = 0;
    /// ILP/TCP port; nullopt disables the ILP/TCP listener, 0 picks an ephemeral port.
    std::optional<std::uint16_t> ilp_tcp_port;
    /// PEM certificate chain and private key: when both are set every endpoint speaks TLS.
    std::string tls_cert_chain_pem;
    std::string tls_private_key_pem;
    /// HTTP Basic credentials required on every HTTP request and upgrade (401 otherwise).
    std::optional<std::string> basic_user;
    std::optional<std::string> basic_password;
    /// Bearer token accepted on every HTTP request and upgrade (401 otherwise). With both
    /// Basic and a token configured, either is accepted.
    std::optional<std::string> token;
    /// ILP/TCP keys; when non-empty, ILP/TCP connections must pass the challenge/response.
    std::vector<IlpTcpKey> ilp_tcp_keys;
    /// Decode and acknowledge everything but store no rows (benchmarks). Row counts and
    /// seqTxn still advance.
    bool sink = false;
    /// Accept `X-QWP-Request-Durable-Ack: true` and send STATUS_DURABLE_ACK frames.
    bool durable_ack = false;
    /// Period of durable-ack frames.
    std::chrono::milliseconds durable_ack_interval{20};
    /// Largest WebSocket message accepted (http.recv.buffer.size); bigger ones are closed
    /// with 1009. X-QWP-Max-Batch-Size advertises min(this - 14, 16 MiB).
    std::size_t recv_buffer_size = 2 * 1024 * 1024;
    /// Highest QWP ingress and egress version the server speaks.
    std::uint8_t max_qwp_version = 1;
    /// Threads running the server's io_context.
    unsigned io_threads = 1;

    // ---- egress identity (SERVER_INFO) and limits ----
    /// SERVER_INFO role: 0 STANDALONE, 1 PRIMARY, 2 REPLICA, 3 PRIMARY_CATCHUP.
    std::uint8_t role = 0;
    std::uint64_t epoch = 0;
    std::string cluster_id = "test-cluster";
    std::string node_id = "test-node";
    /// Zone id; when set SERVER_INFO advertises CAP_ZONE.
    std::optional<std::string> zone_id;
    /// Advertise CAP_QUERY_FLAGS (QUERY_REQUEST may end with a query_flags varint).
    bool query_flags_capability = true;
    /// Rows per RESULT_BATCH unless the client asks for fewer (X-QWP-Max-Batch-Rows).
    std::size_t max_batch_rows = 1000;
};

/// What the server saw in one WebSocket upgrade or HTTP request (for assertions).
struct RequestInfo {
    std::string method;
    std::string target;
    /// Header names lower-cased.
    std::map<std::string, std::string> headers;
};

/// A result a test registers for an exact SQL text on the egress endpoint.
struct QueryResult {
    std::vector<Column> columns;
    std::vector<std::vector<Value>> rows;
};

/// How the egress endpoint answers a registered SQL text.
struct QueryResponse {
    /// Rows to stream (used when `error` and `exec_done` are unset).
    QueryResult result;
    /// Answer with QUERY_ERROR (status, message) instead.
    std::optional<std::pair<Status, std::string>> error;
    /// Answer with EXEC_DONE (op_type, rows_affected) instead.
    std::optional<std::pair<std::uint8_t, std::uint64_t>> exec_done;
};

/// Scriptable faults. Every setter is thread-safe and takes effect for frames/requests
/// processed after it returns. Counters of "next N" faults are consumed as they fire.
class Faults {
  public:
    virtual ~Faults() = default;

    // ---- WebSocket upgrades (ingress and egress) ----
    /// Answer the next `times` upgrades (any QWP path) with `status` and these extra
    /// headers/body instead of 101, e.g. 421 with {"X-QuestDB-Role","REPLICA"}.
    virtual void refuse_upgrades(unsigned status, std::map<std::string, std::string> headers = {},
                                 std::string body = {}, unsigned times = 1'000'000'000) = 0;
    /// Advertise this X-QWP-Max-Batch-Size on the next upgrades (nullopt: computed value;
    /// 0: omit the header, like servers that predate it).
    virtual void set_advertised_max_batch_size(std::optional<std::size_t> bytes) = 0;
    /// Answer upgrades with this X-QWP-Version regardless of negotiation (nullopt: negotiate).
    virtual void force_qwp_version(std::optional<unsigned> version) = 0;

    // ---- QWP ingress connections ----
    /// After answering `frames` frames on a connection, close its TCP socket abruptly (no
    /// WebSocket Close). Applies to the next `times` connections that reach that count.
    virtual void drop_after_frames(std::uint64_t frames, unsigned times = 1) = 0;
    /// When the frame with wire sequence `frames` starts arriving, read a few bytes of it
    /// and then close abruptly (a frame torn in the middle). Next `times` connections.
    virtual void drop_mid_frame(std::uint64_t frames, unsigned times = 1) = 0;
    /// Hold every ack (OK, error and durable) until released with false.
    virtual void stall_acks(bool stalled) = 0;
    /// Delay every ack by this much after its frame was read.
    virtual void delay_acks(std::chrono::milliseconds delay) = 0;
    /// Answer the frame with wire sequence `wire_seq` on the next `times` connections that
    /// reach it with `status` and `message` instead of processing it (its rows are discarded).
    virtual void answer_frame(std::uint64_t wire_seq, Status status, std::string message,
                              unsigned times = 1) = 0;
    /// Answer wire sequence `wire_seq` with DICTIONARY_GAP once and clear the connection's
    /// symbol dictionary, as a server that lost its state would.
    virtual void dictionary_gap_at(std::uint64_t wire_seq) = 0;
    /// Hold durable acks (while OKs keep flowing) until released with false.
    virtual void stall_durable_acks(bool stalled) = 0;
    /// Sleep this long (on a timer) before reading each frame, to back-pressure writers.
    virtual void slow_reads(std::chrono::milliseconds per_frame) = 0;

    // ---- ILP over HTTP ----
    /// Answer the next `times` POST /write requests with `status` and this body (JSON
    /// content type when the body starts with '{'); the data is not committed.
    virtual void fail_ilp_http(unsigned status, std::string body, unsigned times = 1) = 0;
    /// Delay every ILP/HTTP response by this much.
    virtual void delay_ilp_http(std::chrono::milliseconds delay) = 0;

    // ---- QWP egress ----
    /// Once a query has sent `after_batches` RESULT_BATCH frames, hold its remaining batches
    /// and its RESULT_END until released with nullopt (a stalled query). Control frames still
    /// flow: a CANCEL is answered with QUERY_ERROR(CANCELLED) at once.
    virtual void stall_egress_results(std::optional<std::uint64_t> after_batches) = 0;

    /// Clears every fault.
    virtual void clear() = 0;
};

/// The in-process test server. start() binds 127.0.0.1 and runs its own io_context
/// thread(s); tests talk to it over real sockets and inspect what it committed.
///
/// Thread safety: every member function may be called from any thread, except that
/// start/stop/restart must not race each other.
class Server {
  public:
    explicit Server(Options options = {});
    /// Stops the server if running.
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Binds and starts serving; returns when the ports accept connections. Throws
    /// std::runtime_error if a port cannot be bound or TLS material is invalid.
    void start();
    /// Closes every listener and connection abruptly (like a crash) and joins the I/O
    /// threads. Uncommitted (deferred) rows are lost; committed rows are kept.
    void stop();
    /// stop() then start() on the same port(s). `keep_rows` false also forgets every table.
    void restart(bool keep_rows = true);
    [[nodiscard]] bool running() const noexcept;

    /// The HTTP/WebSocket port (valid after start()).
    [[nodiscard]] std::uint16_t port() const noexcept;
    /// The ILP/TCP port, 0 when disabled.
    [[nodiscard]] std::uint16_t ilp_tcp_port() const noexcept;
    /// "127.0.0.1:<port>".
    [[nodiscard]] std::string address() const;
    [[nodiscard]] const Options& options() const noexcept;

    // ---- committed data ----
    /// Snapshot of one table (exists() false if unknown).
    [[nodiscard]] Table table(std::string_view name) const;
    /// Names of every table, sorted.
    [[nodiscard]] std::vector<std::string> table_names() const;
    /// Committed rows of a table (counts rows in sink mode too).
    [[nodiscard]] std::size_t row_count(std::string_view name) const;
    /// Blocks until `name` has at least `rows` committed rows or `timeout` passes; returns
    /// whether it got there.
    bool wait_for_rows(std::string_view name, std::size_t rows,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
    /// Forgets every table (the dedup keys set with set_dedup_keys stay).
    void clear_tables();
    /// Makes `table` deduplicate as QuestDB's `DEDUP UPSERT KEYS(<designated timestamp>,
    /// keys...)` does: a committed row whose designated timestamp and every key column
    /// (case-insensitive names; a missing column counts as NULL) equal those of a stored row
    /// replaces that row instead of adding one, also within one transaction. Rows already
    /// stored are indexed as they are. Ignored in sink mode, which keeps no rows.
    void set_dedup_keys(std::string_view table, std::vector<std::string> keys);
    /// Every table as JSON: {"tables":[{"name":..,"seqTxn":..,"columns":[{"name","type",
    /// "designated"}],"rows":[[...]]}]}. The executable serves this on GET /test/dump.
    [[nodiscard]] std::string dump_json() const;

    // ---- egress ----
    /// Answer this exact SQL text (whitespace-trimmed) with `response`.
    void register_query(std::string sql, QueryResponse response);

    // ---- observation ----
    /// QWP ingress connections accepted (101 sent) since construction.
    [[nodiscard]] std::uint64_t ingress_connections() const noexcept;
    /// QWP egress connections accepted since construction.
    [[nodiscard]] std::uint64_t egress_connections() const noexcept;
    /// Ingress frames received (all connections) since construction.
    [[nodiscard]] std::uint64_t ingress_frames() const noexcept;
    /// ILP/HTTP write requests received since construction.
    [[nodiscard]] std::uint64_t ilp_http_requests() const noexcept;
    /// ILP/TCP connections that completed (or needed no) authentication.
    [[nodiscard]] std::uint64_t ilp_tcp_connections() const noexcept;
    /// Every upgrade and HTTP request received, oldest first.
    [[nodiscard]] std::vector<RequestInfo> requests() const;
    /// Raw payloads of every ingress frame received, in order (empty in sink mode).
    [[nodiscard]] std::vector<std::vector<std::uint8_t>> ingress_payloads() const;
    /// Egress client->server frames received (QUERY_REQUEST, CANCEL, CREDIT), in order.
    [[nodiscard]] std::vector<std::vector<std::uint8_t>> egress_client_frames() const;

    /// The fault-injection controls.
    [[nodiscard]] Faults& faults() noexcept;

    struct Impl;

  private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace questdb::test_server
