#pragma once

/// @file
/// questdb::ingress::Sender: sends Buffers of rows to QuestDB.
///
/// A Sender made by `Sender::from_conf` speaks the InfluxDB Line Protocol (ILP) over HTTP
/// (`http::`, `https::`) or TCP (`tcp::`, `tcps::`). The pool's row sender
/// (`BorrowedRowSender`, `ws::`/`wss::` through `QuestDb`) is the same class with a QWP
/// store-and-forward implementation behind it; methods that only make sense for one kind
/// say so and raise `invalid_api_call` on the other.
///
///     auto sender = questdb::ingress::Sender::from_conf("http::addr=localhost:9000;");
///     auto buffer = sender.new_buffer();
///     buffer.table("trades").symbol("sym", "ETH-USD").column_f64("price", 2615.54)
///           .at(questdb::ingress::TimestampNanos::now());
///     sender.flush(buffer);

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "questdb/error.hpp"
#include "questdb/export.hpp"
#include "questdb/ingress/ack_level.hpp"
#include "questdb/ingress/buffer.hpp"
#include "questdb/ingress/protocol_version.hpp"
#include "questdb/ingress/rejection.hpp"

namespace questdb::conf {
class Config;
}

namespace questdb::ingress {

namespace detail {
class SenderBackend;
}

/// Sends buffers of rows. Movable, not copyable; not thread-safe (one thread at a time).
///
/// ILP senders (http, https, tcp, tcps) are synchronous: `flush` returns once the data is
/// delivered (HTTP: the server answered 2xx; TCP: the bytes were handed to the socket).
///
/// Auto-flush: buffers made by `new_buffer()` of an ILP sender flush themselves through the
/// sender when a row completes (`at`/`at_now`) and `auto_flush` is on (the default) and one
/// trigger has tripped: `auto_flush_rows` (default 75,000 over HTTP, 600 over TCP),
/// `auto_flush_bytes` (default off) or `auto_flush_interval` (default 1000 ms since the last
/// flush, checked when a row completes, not by a timer). A failed auto-flush throws from
/// `at`/`at_now`, keeps the rows in the buffer and can be retried with `flush`. A buffer
/// that outlives its sender stops auto-flushing. `auto_flush=off` disables all triggers.
class QUESTDB_API Sender {
  public:
    /// Creates a sender from a connect string such as
    /// `https::addr=db.example.com:9000;username=admin;password=...;`.
    ///
    /// ILP schemes: `http`, `https`, `tcp`, `tcps`. Keys used: `addr` (the first endpoint),
    /// `username`/`password` or `token` (HTTP Basic / Bearer), `username` + `token` +
    /// `token_x` + `token_y` (ILP/TCP ECDSA key), `auth_timeout`, `tls_verify`, `tls_ca`,
    /// `tls_roots`, `protocol_version` (`auto`, 1, 2, 3), `auto_flush*`, `init_buf_size`,
    /// `max_buf_size`, `max_name_len`, `request_timeout`, `request_min_throughput`,
    /// `retry_timeout`, `retry_max_backoff_millis`, `bind_interface`.
    ///
    /// Blocks: TCP connects (and authenticates) here; HTTP with `protocol_version=auto`
    /// (the default) asks the server `GET /settings` for its versions and name limit. HTTP
    /// connections otherwise open on the first flush and are kept alive.
    ///
    /// @throws Error config_error (bad connect string, or a `ws`/`wss` scheme: use
    ///         `QuestDb`), could_not_resolve_addr, socket_error, connect_timeout, tls_error,
    ///         auth_error (bad ECDSA key, no challenge), protocol_version_error.
    [[nodiscard]] static Sender from_conf(std::string_view conf);
    /// As from_conf(std::string_view) with an already parsed configuration.
    [[nodiscard]] static Sender from_conf(const conf::Config& conf);
    /// As from_conf() with the connect string in the environment variable `QDB_CLIENT_CONF`.
    [[nodiscard]] static Sender from_env();

    /// Wraps an implementation (used by the library: ILP senders, the pool's row sender).
    explicit Sender(std::unique_ptr<detail::SenderBackend> backend) noexcept;
    ~Sender();
    /// Moves the connection and settings; the moved-from sender may only be destroyed or assigned
    /// to.
    Sender(Sender&&) noexcept;
    /// Closes this sender's connection and takes over `other`'s.
    Sender& operator=(Sender&&) noexcept;
    Sender(const Sender&) = delete;
    Sender& operator=(const Sender&) = delete;

    /// An empty buffer matching this sender (protocol, name limit, initial capacity). For ILP
    /// senders it is wired for auto-flush (see the class comment). Never blocks.
    [[nodiscard]] Buffer new_buffer();

    /// Sends the buffer's complete rows and clears it on success; on failure the buffer is
    /// left untouched (the rows can be flushed again). Blocks (ILP/HTTP: until the server
    /// answers, retrying transient failures within `retry_timeout`).
    /// @throws Error invalid_api_call (row in progress, buffer over `max_buf_size`, a buffer
    ///         of the other kind), protocol_version_error (buffer of another ILP version),
    ///         socket_error (network; `in_doubt()` tells whether the data may have arrived),
    ///         server_flush_error (the server refused the data, with its message, error id
    ///         and line), auth_error, http_not_supported, tls_error.
    void flush(Buffer& buffer);
    /// As flush() but keeps the buffer's rows.
    void flush_and_keep(const Buffer& buffer);
    /// As flush() for ILP/HTTP, refusing (invalid_api_call) a buffer whose rows span more
    /// than one table, so the server applies the request atomically. Not available over TCP
    /// (invalid_api_call). Clears the buffer on success.
    void transactional_flush(Buffer& buffer);
    /// As transactional_flush() but keeps the buffer's rows.
    void flush_and_keep_transactional(const Buffer& buffer);

    /// QWP/WebSocket senders: as flush(), returning the frame sequence number assigned to
    /// the frame (nullopt for an empty buffer). ILP senders: invalid_api_call.
    std::optional<std::uint64_t> flush_and_get_fsn(Buffer& buffer);
    /// QWP/WebSocket: the last FSN handed to the queue. ILP: invalid_api_call.
    [[nodiscard]] std::optional<std::uint64_t> published_fsn() const;
    /// QWP/WebSocket: the last FSN the server acknowledged. ILP: invalid_api_call.
    [[nodiscard]] std::optional<std::uint64_t> acked_fsn() const;
    /// QWP/WebSocket: blocks until every published frame reached `level`; `timeout` is a
    /// no-progress deadline (zero = forever). ILP senders deliver synchronously, so this
    /// returns at once.
    void wait(AckLevel level, std::chrono::milliseconds timeout);

    /// QWP/WebSocket: the oldest server rejection (error frame) not yet polled, if any; the
    /// same rejections also surface as exceptions from the next flush/wait when terminal.
    /// ILP senders report failures synchronously and always return nullopt. Never blocks.
    std::optional<Rejection> poll_qwp_ws_error();

    /// True when the sender can no longer send and must be dropped: after close(), after an
    /// ILP/TCP failure (the connection is gone; ILP/TCP never reconnects), after a terminal
    /// QWP failure. ILP/HTTP senders stay usable after failed flushes. Never throws.
    [[nodiscard]] bool must_close() const noexcept;
    /// Closes the connection; the sender then refuses flushes. Idempotent, never throws.
    void close() noexcept;

    /// The ILP protocol version in use (settled at creation). QWP senders: v1.
    [[nodiscard]] ProtocolVersion protocol_version() const noexcept;
    /// The longest accepted table/column name in bytes (from `max_name_len`, or the
    /// server's `cairo.max.file.name.length` when HTTP detected the protocol version).
    [[nodiscard]] std::size_t max_name_len() const noexcept;

    /// Internal access for the library.
    [[nodiscard]] detail::SenderBackend* backend() noexcept { return backend_.get(); }

  private:
    std::unique_ptr<detail::SenderBackend> backend_;
};

}  // namespace questdb::ingress
