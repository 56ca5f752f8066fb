#pragma once

/// @file
/// `questdb::QuestDb`: the thread-safe pool every QWP/WebSocket sender and reader is
/// borrowed from.

#include <cstddef>
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
    /// `close_flush_timeout_millis`); borrowed ones close when returned. Idempotent.
    void close();

    /// Counts of idle and borrowed connections per pool. Never blocks for long.
    [[nodiscard]] PoolStats stats() const;

    /// The configuration the pool was built from.
    [[nodiscard]] const conf::Config& config() const noexcept;

private:
    explicit QuestDb(std::shared_ptr<detail::PoolState> state) noexcept;
    std::shared_ptr<detail::PoolState> state_;
};

}  // namespace questdb
