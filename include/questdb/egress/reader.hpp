#pragma once

/// @file
/// The query reader: SQL in, streamed columnar batches out, over QWP egress (/read/v1).
///
/// @code
///   auto reader = questdb::egress::Reader::connect("ws::addr=localhost:9000;");
///   auto cursor = reader.prepare("select * from trades where sym = $1")
///                       .bind_varchar("BTC-USD")
///                       .initial_credit(1 << 20)
///                       .execute();
///   while (auto batch = cursor.next_batch()) {
///       auto price = batch->column(1).as_double();
///       for (std::size_t r = 0; r < batch->row_count(); ++r) use(price.get(r));
///   }
/// @endcode
///
/// Threading: a Reader and its Cursor are used from one thread at a time, except
/// Cursor::cancel(), which may be called from any thread: it wakes the thread blocked in
/// next_batch(), which sends CANCEL and drains to the terminator. One query runs at a time per
/// Reader (one in flight per connection).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "questdb/egress/batch.hpp"
#include "questdb/egress/types.hpp"
#include "questdb/export.hpp"

struct ArrowSchema;  // questdb/arrow.hpp (the Arrow C Data Interface)
struct ArrowArray;
struct ArrowArrayStream;

namespace questdb::conf {
class Config;
}

namespace questdb::egress {

class ReaderCore;
class QueryExecution;

/// How a result ended.
struct Terminal {
    /// Which terminator ended the result.
    enum class Kind {
        result_end,  ///< a result set ended normally (`end`)
        exec_done,   ///< a non-SELECT statement finished (`done`)
        cancelled,   ///< cancel() was acknowledged by QUERY_ERROR(CANCELLED)
    };
    Kind kind = Kind::result_end;  ///< which terminator arrived
    ResultEnd end;                 ///< set when kind is result_end
    ExecDone done;                 ///< set when kind is exec_done
};

/// Passed to on_failover_reset BEFORE the first batch of a replayed query: rows delivered so
/// far belong to the abandoned attempt and will be sent again from the start.
struct FailoverResetEvent {
    ServerInfo server_info;           ///< of the new connection
    std::string endpoint;             ///< host:port of the new connection
    std::uint32_t attempt = 0;        ///< 2 = first retry
    std::uint64_t batches_delivered;  ///< batches of the abandoned attempt already handed out
    ErrorCode cause = ErrorCode::socket_error;  ///< what broke the previous connection
    std::string cause_message;                  ///< its message
};

/// Steps of a failover, for logging/metrics.
struct FailoverProgressEvent {
    /// The step being reported.
    enum class Phase {
        disconnected,  ///< the connection broke
        backoff,       ///< waiting `delay` before the next attempt
        reconnecting,  ///< trying the next endpoint
        reconnected,   ///< a new connection is bound; the query is being replayed
        gave_up,       ///< attempts or time exhausted; the error surfaces to the caller
    };
    Phase phase = Phase::disconnected;          ///< the step
    std::uint32_t attempt = 0;                  ///< 1-based attempt number
    std::chrono::milliseconds delay{0};         ///< backoff about to be slept
    ErrorCode cause = ErrorCode::socket_error;  ///< the failure that started the failover
    std::string message;                        ///< its message
};

/// Replay of a query on another endpoint after a transport failure (the spec replays any
/// statement; an INSERT whose EXEC_DONE was lost may then run twice).
enum class ReplayPolicy : std::uint8_t {
    always,       ///< default, as the spec
    select_only,  ///< only statements starting with SELECT/WITH/SHOW/EXPLAIN/VALUES
    never,        ///< never; transport errors surface to the caller
};

/// Counters of one cursor.
struct CursorStats {
    std::uint64_t batches = 0;              ///< RESULT_BATCH frames received
    std::uint64_t rows = 0;                 ///< rows in them
    std::uint64_t wire_bytes = 0;           ///< sum of 12 + payload_length of RESULT_BATCH frames
    std::uint64_t peak_buffered_bytes = 0;  ///< largest frame + decoder scratch held at once
    std::uint32_t failovers = 0;            ///< replays on another connection
};

/// A running query: a stream of batches and then a terminator. Move-only. Every function
/// returning a Cursor is [[nodiscard]]: dropping it cancels the query at once.
///
/// Destroying a Cursor whose result is not finished cancels the query and drains to the
/// terminator for at most `query_close_timeout_ms`; if that fails the connection is closed
/// and replaced on the next execute.
class QUESTDB_API Cursor {
  public:
    /// Moves the query; the moved-from cursor may only be destroyed or assigned to.
    Cursor(Cursor&&) noexcept;
    /// Ends this cursor's query (as the destructor) and takes over `other`'s.
    Cursor& operator=(Cursor&&) noexcept;
    /// Cancels an unfinished query and drains it (see the class comment). Never throws.
    ~Cursor();

    /// The next batch, or nullopt once the terminator arrived (see terminal()). Blocks.
    /// The view is valid until the next call of next_batch()/drain() or destruction (cancel()
    /// does not invalidate it).
    /// Throws Error: the server's QUERY_ERROR (server_* codes, cancelled, query_error with the
    /// server's message), protocol_error, socket_error, auth_error, failover_would_duplicate.
    std::optional<BatchView> next_batch();

    /// Reads and discards the remaining batches; returns the terminator. Throws as next_batch().
    Terminal drain();

    /// The terminator once received; nullopt while the result is streaming.
    [[nodiscard]] std::optional<Terminal> terminal() const;

    /// Requests cancellation of the query. Never blocks, never throws, does no I/O itself.
    ///
    /// Thread safety: the one Cursor member that may be called from any thread, concurrently
    /// with next_batch()/drain()/the Arrow readers on the thread that reads the cursor (but not
    /// concurrently with the Cursor's destruction, move or assignment). It latches the request
    /// and wakes the reading thread, even one blocked in next_batch() waiting for the server;
    /// that thread sends CANCEL for the current request_id (also after a failover replay),
    /// drops the batches still in flight, and its next_batch() returns nullopt once the
    /// server's terminator arrives: terminal() is then Terminal::Kind::cancelled for
    /// QUERY_ERROR(CANCELLED), or result_end/exec_done if the query won the race. Cancelling
    /// is not an error (next_batch() does not throw `cancelled` for it), the connection stays
    /// usable for the next query, and a late cancel() (after the terminator) does nothing.
    /// When nobody reads the cursor any more, the destructor sends the CANCEL and drains
    /// (bounded by `query_close_timeout_ms`).
    void cancel() noexcept;

    /// The request_id of the current attempt (it changes after a failover replay).
    [[nodiscard]] std::int64_t request_id() const noexcept;

    /// Grants `bytes` more credit to a credit-bounded query, on top of the automatic grant of
    /// each released batch (no-op for 0 or after the end).
    /// Throws Error(invalid_api_call) for an unbounded query; socket errors as next_batch().
    void add_credit(std::uint64_t bytes);

    /// initial_credit plus every grant sent for the current attempt.
    [[nodiscard]] std::uint64_t credit_granted_total() const noexcept;

    /// Counters of this cursor so far. Never blocks.
    [[nodiscard]] CursorStats stats() const noexcept;

    // ---- Arrow C Data Interface (questdb/arrow.hpp, docs/ARROW.md) ----

    /// Reads the next batch and exports it as an Arrow record batch: a struct ("+s") schema
    /// and array, both owned by the caller, who must call each `release` exactly once. The
    /// data is copied, so it outlives the cursor. Returns false at the end of the result
    /// (both outputs then have `release == nullptr`). Blocks as next_batch().
    /// @throws Error as next_batch(); arrow_export when a batch cannot be expressed in Arrow
    ///   (arrays of mixed dimension counts, a column over 2 GiB). On a throw the outputs are
    ///   untouched.
    bool next_arrow_batch(ArrowSchema* schema, ArrowArray* array);

    /// Reads every remaining batch and exports them as ONE record batch (a result without
    /// rows gives a zero-length batch; one that never sent a batch gives a schema without
    /// columns). Returns the row count. Ownership, blocking and errors as next_arrow_batch().
    std::int64_t fetch_all_arrow(ArrowSchema* schema, ArrowArray* array);

    /// Moves this cursor into an ArrowArrayStream (this Cursor is left moved-from: only
    /// destruction or assignment remain valid). The stream blocks in get_next/get_schema,
    /// reports errors as EIO with get_last_error(), and must be released exactly once; the
    /// Reader the cursor came from must outlive it, and it is bound to one thread at a time
    /// as the cursor is. get_schema() before the first get_next() reads ahead one batch.
    void as_arrow_stream(ArrowArrayStream* stream);

  private:
    friend class ReaderQuery;
    friend class Reader;
    explicit Cursor(std::unique_ptr<QueryExecution> impl) noexcept;
    std::unique_ptr<QueryExecution> impl_;
};

/// A statement being prepared: positional binds ($1, $2, ... in call order) and options.
/// Setters return *this; they throw Error (invalid_bind, invalid_utf8, invalid_decimal,
/// limit_exceeded) on a value rejected locally.
class QUESTDB_API ReaderQuery {
  public:
    /// Moves the prepared statement.
    ReaderQuery(ReaderQuery&&) noexcept;
    /// Move assignment.
    ReaderQuery& operator=(ReaderQuery&&) noexcept;
    /// Discards the statement if it was not executed.
    ~ReaderQuery();

    /// Binds the next `$n` as BOOLEAN.
    ReaderQuery& bind_bool(bool v);
    /// Binds the next `$n` as BYTE.
    ReaderQuery& bind_i8(std::int8_t v);
    /// Binds the next `$n` as SHORT.
    ReaderQuery& bind_i16(std::int16_t v);
    /// Binds the next `$n` as INT.
    ReaderQuery& bind_i32(std::int32_t v);
    /// Binds the next `$n` as LONG.
    ReaderQuery& bind_i64(std::int64_t v);
    /// Binds the next `$n` as FLOAT.
    ReaderQuery& bind_f32(float v);
    /// Binds the next `$n` as DOUBLE.
    ReaderQuery& bind_f64(double v);
    /// Binds the next `$n` as VARCHAR (copied; must be UTF-8, else invalid_utf8).
    ReaderQuery& bind_varchar(std::string_view utf8);
    /// Binds the next `$n` as BINARY (copied).
    ReaderQuery& bind_binary(std::span<const std::uint8_t> bytes);
    /// Binds the next `$n` as TIMESTAMP (microseconds since the epoch).
    ReaderQuery& bind_timestamp_micros(std::int64_t v);
    /// Binds the next `$n` as TIMESTAMP_NS (nanoseconds since the epoch).
    ReaderQuery& bind_timestamp_nanos(std::int64_t v);
    /// Binds the next `$n` as DATE (milliseconds since the epoch).
    ReaderQuery& bind_date_millis(std::int64_t v);
    /// Binds the next `$n` as UUID.
    ReaderQuery& bind_uuid(Uuid v);
    /// Binds the next `$n` as LONG256.
    ReaderQuery& bind_long256(const Long256& v);
    /// Binds the next `$n` as CHAR (one UTF-16 code unit).
    ReaderQuery& bind_char(char16_t v);
    /// Host-order address (a.b.c.d = a<<24|b<<16|c<<8|d).
    ReaderQuery& bind_ipv4(std::uint32_t v);
    /// Binds the next `$n` as DECIMAL64 (scale 0..76, else invalid_decimal).
    ReaderQuery& bind_decimal64(Decimal64 v);
    /// Binds the next `$n` as DECIMAL128.
    ReaderQuery& bind_decimal128(Decimal128 v);
    /// Binds the next `$n` as DECIMAL256.
    ReaderQuery& bind_decimal256(const Decimal256& v);
    /// Precision 1..60 bits.
    ReaderQuery& bind_geohash(Geohash v);
    /// A typed NULL (3 bytes on the wire).
    ReaderQuery& bind_null(ColumnKind kind);
    /// bind_null(ColumnKind::boolean).
    ReaderQuery& bind_null_bool() { return bind_null(ColumnKind::boolean); }
    /// bind_null(ColumnKind::int_).
    ReaderQuery& bind_null_i32() { return bind_null(ColumnKind::int_); }
    /// bind_null(ColumnKind::long_).
    ReaderQuery& bind_null_i64() { return bind_null(ColumnKind::long_); }
    /// bind_null(ColumnKind::double_).
    ReaderQuery& bind_null_f64() { return bind_null(ColumnKind::double_); }
    /// bind_null(ColumnKind::varchar).
    ReaderQuery& bind_null_varchar() { return bind_null(ColumnKind::varchar); }
    /// bind_null(ColumnKind::timestamp).
    ReaderQuery& bind_null_timestamp() { return bind_null(ColumnKind::timestamp); }

    /// Byte credit for this query (0 = unbounded); default from `initial_credit=`. With a
    /// credit the server pauses once it has sent that many bytes (one batch may overdraw);
    /// the cursor grants each batch's wire size back when the caller asks for the next one,
    /// so about `bytes` + one batch is buffered at most.
    ReaderQuery& initial_credit(std::uint64_t bytes);
    /// Ask the server to clear the symbol dictionary first (QUERY_FLAG_RESET_DICT; only sent
    /// when the server advertises CAP_QUERY_FLAGS).
    ReaderQuery& reset_symbol_dictionary(bool on = true);
    /// Whether this statement may be replayed after a failover (default from ReaderOptions).
    ReaderQuery& replay_policy(ReplayPolicy policy);
    /// Called before the first batch of a replay. Without it, a failover after batches were
    /// delivered fails with failover_would_duplicate instead of replaying.
    ReaderQuery& on_failover_reset(std::function<void(const FailoverResetEvent&)> callback);
    /// Called at each step of a failover (logging, metrics).
    ReaderQuery& on_failover_progress(std::function<void(const FailoverProgressEvent&)> callback);

    /// Sends the query and returns its cursor. Blocks until the request is sent (with failover).
    /// Throws Error (invalid_api_call when another cursor of this Reader is still streaming;
    /// limit_exceeded; transport errors when failover gives up).
    [[nodiscard]] Cursor execute();

  private:
    friend class Reader;
    struct State;
    explicit ReaderQuery(std::unique_ptr<State> state) noexcept;
    std::unique_ptr<State> state_;
};

/// Settings of a Reader not expressed in a connect string (tests, embedding).
struct ReaderOptions {
    /// How long to wait for SERVER_INFO after the upgrade.
    std::chrono::milliseconds server_info_timeout{5000};
    /// Bound on waiting for one frame; zero = none (a credit pause is not a stall, E7).
    std::chrono::milliseconds read_timeout{0};
    /// Cap on a decompressed RESULT_BATCH body.
    std::size_t max_decompressed_bytes = 64u << 20;
    /// Client frame cap (the server's http.recv.buffer.size minus WebSocket overhead).
    std::size_t max_request_bytes = (2u << 20) - 14 - 64 * 1024;
    /// Default replay policy of this Reader's statements.
    ReplayPolicy replay = ReplayPolicy::always;
};

/// A connection to one QuestDB server for queries (with failover across the configured
/// endpoints). Move-only; not thread-safe.
class QUESTDB_API Reader {
  public:
    /// Parses `conf` (ws:: or wss::) and connects synchronously: walks the endpoints, reads
    /// SERVER_INFO, applies `target=`/`zone=`. Throws Error(config_error, auth_error,
    /// role_mismatch, socket_error "all QWP endpoints unreachable ...", or tls_error when
    /// every endpoint failed the TLS handshake, e.g. an untrusted or mismatched certificate).
    static Reader connect(std::string_view conf, const ReaderOptions& options = {});
    /// The same from an already parsed configuration (the pool's borrow_reader() uses this).
    static Reader connect(const conf::Config& config, const ReaderOptions& options = {});

    /// Moves the connection; the moved-from reader may only be destroyed or assigned to.
    Reader(Reader&&) noexcept;
    /// Closes this reader's connection and takes over `other`'s.
    Reader& operator=(Reader&&) noexcept;
    /// Closes the connection. Never throws.
    ~Reader();

    /// Starts preparing `sql` (no I/O until execute()).
    ReaderQuery prepare(std::string_view sql);
    /// prepare(sql).execute().
    [[nodiscard]] Cursor execute(std::string_view sql);

    /// SERVER_INFO of the current connection. Throws Error(invalid_api_call) when disconnected.
    [[nodiscard]] ServerInfo server_info() const;
    /// A printable identity: "<role> <cluster_id>/<node_id>" of the current server.
    [[nodiscard]] std::string server_version() const;
    /// host:port of the current connection ("" when disconnected).
    [[nodiscard]] std::string current_endpoint() const;
    /// Whether a healthy connection is bound (a pool drops readers that are not).
    [[nodiscard]] bool is_connected() const noexcept;

    /// For embedding and tests: a Reader over any connector (see src/egress/transport.hpp).
    explicit Reader(std::shared_ptr<ReaderCore> core) noexcept;
    /// The implementation (embedding and tests).
    [[nodiscard]] const std::shared_ptr<ReaderCore>& core() const noexcept { return core_; }

  private:
    std::shared_ptr<ReaderCore> core_;
};

}  // namespace questdb::egress
