#pragma once

/// @file
/// `questdb::QuestDb`: the thread-safe pool every QWP/WebSocket sender and reader is
/// borrowed from.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "questdb/arrow.hpp"
#include "questdb/conf.hpp"
#include "questdb/egress/borrowed_reader.hpp"
#include "questdb/export.hpp"
#include "questdb/ingress/ack_level.hpp"
#include "questdb/ingress/borrowed_row_sender.hpp"
#include "questdb/ingress/buffer.hpp"
#include "questdb/ingress/connection_event.hpp"
#include "questdb/ingress/rejection.hpp"
#include "questdb/ingress/sf_column_sender.hpp"

namespace questdb {

namespace detail {
class PoolState;
}

/// Borrow counts of one pool.
struct PoolCounts {
    std::size_t idle = 0;    ///< open connections waiting in the pool
    std::size_t in_use = 0;  ///< borrows currently out
};

/// Counts of every pool of a QuestDb.
struct PoolStats {
    PoolCounts column_senders;  ///< Column-major sender pool.
    PoolCounts row_senders;     ///< Row-major sender pool.
    PoolCounts readers;         ///< Query reader pool.
    PoolCounts direct_senders;  ///< Direct connections of flush_arrow_batch.
    /// Disk mode: store-and-forward slots that could not be replayed and were set aside as
    /// `<sf_dir>/<slot>.unreplayable-<n>` (frames kept, `.failed` written, not delivered) when
    /// a sender of this pool opened; each is also reported once by that sender's
    /// `poll_qwp_ws_error()` as a `DATA_LOSS` event with code `store_resend_required`.
    std::size_t slots_set_aside = 0;
    /// Connection events handed to the ConnectHandlers::connection_listener (including ones
    /// whose callback threw). 0 without a listener.
    std::uint64_t connection_events_delivered = 0;
    /// Connection events discarded: the oldest ones when the listener's inbox was full, and
    /// any emitted after close(). 0 without a listener.
    std::uint64_t connection_events_dropped = 0;
    /// Server rejections handed to the ConnectHandlers::error_handler.
    std::uint64_t rejection_events_delivered = 0;
    /// Server rejections discarded by the error handler's inbox (oldest first when full, or
    /// after close()). They were still reported by the sender's poll_qwp_ws_error().
    std::uint64_t rejection_events_dropped = 0;
    /// Callback invocations (listener or handler) that threw; the dispatcher caught the
    /// exception and went on.
    std::uint64_t handler_exceptions = 0;
};

/// Optional callbacks of a pool, given to QuestDb::connect_with_handlers.
///
/// Both run on one dispatcher thread that the pool starts when at least one is set — never
/// on a borrowing thread or a delivery (I/O) thread — one call at a time, in the order the
/// events were emitted per kind. Each kind has a bounded inbox: when a callback is slower
/// than the events arrive, the OLDEST undelivered event is dropped and counted
/// (PoolStats::connection_events_dropped / rejection_events_dropped); emitting never blocks
/// a sender. An exception thrown by a callback is caught, counted
/// (PoolStats::handler_exceptions) and ignored; the next event is still delivered. A
/// callback may call into the pool (stats(), borrows) but must not wait for a later event of
/// its own dispatcher. Callbacks must be safe to run on another thread than the one that
/// created them; they are destroyed with the pool.
struct ConnectHandlers {
    /// Connection lifecycle events of every store-and-forward sender of the pool (including
    /// the background drainers of orphaned disk slots): connected, disconnected,
    /// reconnected, failed_over, endpoint_attempt_failed, all_endpoints_unreachable,
    /// auth_failed. Connection state is classified pool-wide: `connected` fires once, for
    /// the pool's first connection; a further connection to the endpoint used last fires
    /// `reconnected` only after a failure. flush_arrow_batch's direct connections report
    /// their connect attempts and a connection lost mid-batch; readers do not report. Empty: no events
    /// are kept.
    std::function<void(const ingress::ConnectionEvent&)> connection_listener;
    /// Inbox size of the listener; 0 takes the connect string's
    /// `connection_listener_inbox_capacity` (default 64).
    std::size_t connection_event_inbox_capacity = 0;
    /// Every rejection a sender of the pool records (a frame the server refused, or a store
    /// fault on the delivery thread), including ones for senders already returned to the
    /// pool, and the DATA_LOSS notice of a borrow that set an unreplayable disk slot aside. The same rejection is also queued for that sender's poll_qwp_ws_error(): the
    /// handler does not consume it. Use it for alerting and dead-lettering; the sender's
    /// own flush/wait still throw a terminal error. Empty: rejections are only polled.
    std::function<void(const ingress::Rejection&)> error_handler;
    /// Inbox size of the error handler; 0 takes the connect string's `error_inbox_capacity`
    /// (default 256).
    std::size_t error_inbox_capacity = 0;
};

/// A pool of QWP/WebSocket connections configured by one connect string
/// (`ws::addr=host:9000;...` or `wss::...`).
///
/// `connect` validates the configuration and opens nothing; the first borrow of each kind
/// opens its connection, so an unreachable server, a TLS failure or rejected credentials
/// surface there (after the retries `initial_connect_retry` asks for). Each kind of borrow —
/// column sender, row sender, reader — has its own pool, capped by `pool_max`
/// (`sender_pool_max`/`query_pool_max`); idle connections above the warm minimum
/// (`pool_size`/`sender_pool_min`) are closed after `pool_idle_timeout_ms`, by a background
/// housekeeper (`pool_reap=auto`, the default) or by `reap_idle()` (`pool_reap=manual`).
///
/// Thread safety: a QuestDb is a cheap, copyable handle; copies share one pool, and every
/// member may be called from any thread concurrently. Borrows are bound to the thread that
/// took them.
///
/// Lifetime: the pool lives until the last handle and the last borrow are gone; borrows
/// outliving every handle stay usable and close their connection when they end.
class QUESTDB_API QuestDb {
public:
    /// Parses and validates `conf`; opens nothing.
    /// @throws Error config_error for a bad connect string or a scheme other than ws/wss.
    [[nodiscard]] static QuestDb connect(std::string_view conf);
    /// As connect(), from a parsed configuration.
    [[nodiscard]] static QuestDb connect(const conf::Config& config);
    /// As connect(), with a connection listener and/or an error handler (see
    /// ConnectHandlers). They are registered before anything opens, so they see every
    /// transition, including the first connection. This is the only way to attach them. When
    /// either is set, one dispatcher thread is started; close() (or the end of the last
    /// handle) delivers what is queued for up to about one second, drops the rest and joins
    /// that thread (waiting for a callback that is running).
    /// @throws Error config_error as connect().
    [[nodiscard]] static QuestDb connect_with_handlers(std::string_view conf,
                                                       ConnectHandlers handlers);
    /// As connect_with_handlers(), from a parsed configuration.
    [[nodiscard]] static QuestDb connect_with_handlers(const conf::Config& config,
                                                       ConnectHandlers handlers);
    /// As connect(), from the connect string in `QDB_CLIENT_CONF`.
    [[nodiscard]] static QuestDb from_env();

    /// Borrows a column-major store-and-forward sender, opening a connection when no idle one
    /// is pooled. Blocks while connecting (per `initial_connect_retry`) and, at the pool cap,
    /// up to `acquire_timeout_ms` for a return.
    /// @throws Error pool_exhausted at the cap; the connect failure (socket_error,
    ///   could_not_resolve_addr, connect_timeout, tls_error, auth_error, ...); store errors in
    ///   disk mode; invalid_api_call after close().
    [[nodiscard]] ingress::SfColumnSender borrow_column_sender();

    /// Borrows a row-major store-and-forward sender (`->` reaches its `Sender`). Same
    /// blocking and errors as borrow_column_sender(); row senders have their own pool.
    [[nodiscard]] ingress::BorrowedRowSender borrow_row_sender();

    /// Borrows a query reader (`->` reaches its `Reader`), connecting when no idle one is
    /// pooled: walks the endpoints, reads SERVER_INFO and applies `target=`/`zone=`. Blocks
    /// while connecting and, at the cap (`query_pool_max`), up to `acquire_timeout_ms`.
    /// @throws Error pool_exhausted; auth_error, role_mismatch, socket_error ("all QWP
    ///   endpoints unreachable"), tls_error; invalid_api_call after close().
    [[nodiscard]] egress::BorrowedReader borrow_reader();

    /// Ingests one Arrow record batch (C Data Interface) into `table`, synchronously: when
    /// it returns, the server has committed every row and acknowledged it at `ack` (default:
    /// durable with `request_durable_ack=on`, else ok).
    ///
    /// Not through store-and-forward: the batch goes over a direct QWP/WebSocket connection
    /// from a small internal pool of its own (opened on first use, one walk over `addr`
    /// without retries; capped at `sender_pool_max`; idle ones reaped like the other pools;
    /// see stats().direct_senders). The batch is sent as one message per `options.max_rows`
    /// slice, all but the last with FLAG_DEFER_COMMIT, so the server commits it as one
    /// group. Nothing is queued and nothing is retried: on any failure the connection is
    /// closed (the server then rolls back an uncommitted group) and the call throws.
    ///
    /// `schema`/`array` are borrowed (never released here) and must be a struct ("+s") batch;
    /// array and child offsets (sliced arrays) are honoured. `timestamp_column` names the
    /// Arrow timestamp column to use as the designated timestamp (nullopt: the server stamps
    /// rows). `overrides` remap columns (e.g. utf8 -> SYMBOL). Type mapping: docs/ARROW.md.
    ///
    /// Blocks while connecting, while sending, and until the acknowledgement, each wait for an
    /// answer bounded by `options.ack_timeout_ms` (default `request_timeout`); at the pool cap
    /// it waits up to `acquire_timeout_ms` for a connection. Thread-safe: concurrent calls use
    /// different connections.
    /// @throws Error with in_doubt() == false (nothing was committed; resending is safe):
    ///   arrow_unsupported_column_kind (naming the column and its Arrow format), arrow_ingest
    ///   (malformed batch, bad override, NULL designated timestamp), the Chunk's validation
    ///   errors (invalid_utf8, invalid_decimal, ...), invalid_api_call (durable without
    ///   `request_durable_ack=on`), pool_exhausted, the connect failure (socket_error,
    ///   auth_error, tls_error, ...), the server's rejection (server_parse_error,
    ///   server_schema_mismatch, ... with the server's message), or failover_retry when the
    ///   connection failed before the committing message was written.
    /// @throws Error failover_retry with in_doubt() == true when the committing message may
    ///   have reached the server but no answer came (timeout, connection lost): the batch may
    ///   or may not be committed; resending it can duplicate rows unless the table
    ///   deduplicates.
    void flush_arrow_batch(std::string_view table, const ArrowSchema& schema,
                           const ArrowArray& array,
                           std::optional<std::string_view> timestamp_column = std::nullopt,
                           std::span<const arrow::ColumnOverride> overrides = {},
                           std::optional<ingress::AckLevel> ack = std::nullopt,
                           const arrow::IngestOptions& options = {});

    /// An empty QWP buffer with this pool's `max_name_len` and `max_buf_size`. Never blocks.
    [[nodiscard]] ingress::Buffer new_buffer() const;

    /// Closes idle connections above the warm minimum that have been idle longer than the
    /// idle timeout; returns how many. Needed with `pool_reap=manual`. May block while the
    /// closed senders drain (close_flush_timeout_millis).
    std::size_t reap_idle();

    /// Refuses further borrows and closes idle connections (each drains for up to
    /// `close_flush_timeout_millis`); borrowed ones close when returned. With handlers, then
    /// stops their dispatcher (see connect_with_handlers). Idempotent.
    void close();

    /// Counts of idle and borrowed connections per pool, and of handler events. Never blocks
    /// for long.
    [[nodiscard]] PoolStats stats() const;

    /// The configuration the pool was built from.
    [[nodiscard]] const conf::Config& config() const noexcept;

private:
    explicit QuestDb(std::shared_ptr<detail::PoolState> state) noexcept;
    std::shared_ptr<detail::PoolState> state_;
};

}  // namespace questdb
