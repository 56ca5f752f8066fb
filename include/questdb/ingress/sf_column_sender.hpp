#pragma once

/// @file
/// `SfColumnSender`: the column-major store-and-forward sender borrowed from a QuestDb pool.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include "questdb/export.hpp"
#include "questdb/ingress/ack_level.hpp"
#include "questdb/ingress/rejection.hpp"

namespace questdb {
class QuestDb;
namespace detail {
class SenderLease;
}
}  // namespace questdb

namespace questdb::ingress {

class Chunk;

/// A column-major sender borrowed with `QuestDb::borrow_column_sender()`.
///
/// `flush` encodes a `Chunk` into QWP frames and appends them to the sender's
/// store-and-forward queue (memory, or disk under `sf_dir`), then returns: no network round
/// trip happens on the caller's thread. A background delivery thread sends the frames in
/// order, reconnects and replays after failures, and trims what the server acknowledged;
/// `wait` blocks until the server has acknowledged everything flushed so far.
///
/// Lifetime: returning it to its pool happens in the destructor (the connection stays open
/// and keeps delivering in the background). Move-only; a moved-from sender may only be
/// destroyed or assigned to.
///
/// Thread safety: a borrow is bound to the thread that borrowed it; calling any member from
/// another thread throws `Error` with `ErrorCode::invalid_api_call`. Borrow one sender per
/// thread instead: the pool is thread-safe.
class QUESTDB_API SfColumnSender {
public:
    /// Moves the borrow; the moved-from sender may only be destroyed or assigned to.
    SfColumnSender(SfColumnSender&& other) noexcept;
    /// Returns the current borrow (if any) to its pool and takes over `other`.
    SfColumnSender& operator=(SfColumnSender&& other) noexcept;
    SfColumnSender(const SfColumnSender&) = delete;
    SfColumnSender& operator=(const SfColumnSender&) = delete;
    /// Returns the sender to its pool (or closes it, if it must close). Never throws.
    ~SfColumnSender();

    /// Encodes `chunk` and appends it to the queue; clears the chunk on success and leaves it
    /// untouched on failure. Blocks only while the queue is full (up to
    /// `sf_append_deadline_millis`, then `ErrorCode::backpressure_timeout`; nothing is dropped).
    /// @throws Error a terminal server rejection latched earlier (its code, e.g.
    ///   server_schema_mismatch), backpressure_timeout, store_error, batch_too_large,
    ///   invalid_api_call (wrong thread, or the sender must close).
    void flush(Chunk& chunk);

    /// As `flush`, and returns the frame sequence number (FSN) of the last frame written, or
    /// nothing when the chunk was empty.
    std::optional<std::uint64_t> flush_and_get_fsn(Chunk& chunk);

    /// Blocks until the server acknowledged every frame published so far, at `level`.
    /// @param level AckLevel::ok (committed to the WAL) or AckLevel::durable
    /// @param timeout a no-progress deadline: it restarts whenever the acknowledged FSN
    ///   advances; zero waits forever.
    /// @throws Error failover_retry when no progress happened within `timeout` (the frames
    ///   stay queued and are still delivered); the latched terminal error; invalid_api_call for
    ///   AckLevel::durable without `request_durable_ack=on`.
    void wait(AckLevel level, std::chrono::milliseconds timeout);

    /// FSN of the newest frame published (flushed), if any. Never blocks.
    [[nodiscard]] std::optional<std::uint64_t> published_fsn() const;
    /// FSN up to which the server acknowledged (level ok), if any. Never blocks.
    [[nodiscard]] std::optional<std::uint64_t> acked_fsn() const;

    /// The oldest server rejection not yet polled, if any. Never blocks.
    std::optional<Rejection> poll_qwp_ws_error();

    /// True when the sender hit a terminal error and will be discarded, not recycled, when
    /// returned. Never throws.
    [[nodiscard]] bool must_close() const noexcept;
    /// Forces the sender to be discarded on return (e.g. after an application-level error).
    void mark_must_close() noexcept;

private:
    friend class questdb::QuestDb;
    explicit SfColumnSender(std::unique_ptr<::questdb::detail::SenderLease> lease) noexcept;
    std::unique_ptr<::questdb::detail::SenderLease> lease_;
};

}  // namespace questdb::ingress
