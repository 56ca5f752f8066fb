#pragma once

// A direct (not store-and-forward) QWP ingress connection driven by the calling thread: the
// transport behind QuestDb::flush_arrow_batch. It sends one commit group at a time straight
// to the socket and blocks until the server acknowledged it; nothing is queued, nothing is
// replayed, and a connection that failed in any way is never used again.
//
//   auto sender = DirectSender::open(options);        // one endpoint walk, no retries
//   sender->publish(chunk_a, false, timeout);   // frames of a, all FLAG_DEFER_COMMIT
//   sender->publish(chunk_b, true, timeout);    // b's last frame commits a and b
//   sender->await_acks(AckLevel::ok, timeout);  // cumulative OK of the last frame
//
// The symbol dictionary belongs to the connection (delta mode, from id 0 on a fresh socket),
// so a sender is never shared between connections.
//
// Failures carry in_doubt as the caller must act on it: false while the group provably did
// not commit (nothing of its committing frame was written, or the server rejected a frame of
// it: a rejected frame drops the open group), true once the committing frame may have reached
// the server and no answer says whether it committed (timeout, transport failure).
//
// Thread safety: none; one thread at a time (the pool hands it to one borrower).

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/result.hpp"
#include "ingress/in_flight.hpp"
#include "ingress/server_response.hpp"
#include "questdb/conf.hpp"
#include "questdb/ingress/ack_level.hpp"
#include "qwp/encoder.hpp"
#include "qwp/symbol_dict.hpp"
#include "ws/connection.hpp"

namespace questdb::ws {
class BlockingConnection;
}

namespace questdb::ingress {

class EventHub;

class Chunk;

struct DirectSenderOptions {
    std::vector<ws::Endpoint> endpoints;
    /// /write/v4 upgrade: headers, credentials, TLS, connect and auth timeouts.
    ws::ConnectionOptions connection;
    bool request_durable_ack = false;
    bool gorilla = false;
    /// Frame cap when the server advertises no X-QWP-Max-Batch-Size.
    std::size_t fallback_max_frame_bytes = 1'992'294;
    /// Frames written before the sender waits for an answer (the protocol's window).
    std::size_t max_in_flight = 128;
    /// Bound on writing one frame (a server that stops reading).
    std::chrono::milliseconds write_timeout{30'000};
    /// The pool's connection listener hub, told every attempt of the walk; or null.
    std::shared_ptr<EventHub> events;

    /// The options of a ws/wss connect string (same upgrade as the pooled senders).
    static ::questdb::detail::Result<DirectSenderOptions> from_config(const conf::Config& config);
};

class DirectSender {
  public:
    /// Walks the endpoints once (no backoff, no retry) and upgrades. Errors: the walk's
    /// failure (socket_error "all QWP endpoints unreachable ...", auth_error, tls_error,
    /// protocol_version_error ...), never in doubt.
    static ::questdb::detail::Result<std::unique_ptr<DirectSender>> open(
        DirectSenderOptions options);

    ~DirectSender();
    DirectSender(const DirectSender&) = delete;
    DirectSender& operator=(const DirectSender&) = delete;

    /// Encodes `chunk` and writes its frames. Every frame carries FLAG_DEFER_COMMIT except,
    /// when `commits`, the last one, which commits everything deferred before it on this
    /// connection. Reads answers whenever max_in_flight frames are outstanding. A chunk
    /// without rows writes nothing (so the caller ends a group with a non-empty chunk).
    /// Before the committing frame of a group of several frames it waits for the answers of
    /// the deferred ones, so a rejected frame never gets its group committed. `no_progress`
    /// bounds each of those waits for an answer (zero: no bound).
    /// Errors: encode errors (invalid_api_call, limit_exceeded, symbol_dict_full: nothing
    /// written for this chunk), a server rejection read while draining, transport failures.
    ::questdb::detail::Status publish(const Chunk& chunk, bool commits,
                                      std::chrono::milliseconds no_progress);

    /// Blocks until every frame written so far is answered (and, for AckLevel::durable,
    /// durably acknowledged), or no answer arrived for `no_progress` (zero: no bound).
    ::questdb::detail::Status await_acks(AckLevel level, std::chrono::milliseconds no_progress);

    /// Whether the pool must destroy rather than recycle this sender: any failure, or a group
    /// left open (deferred frames without their committing frame).
    [[nodiscard]] bool must_close() const noexcept;

    /// The endpoint this sender is connected to ("host:port").
    [[nodiscard]] std::string endpoint() const;

  private:
    DirectSender(DirectSenderOptions options, std::unique_ptr<ws::BlockingConnection> connection);
    ::questdb::detail::Status write_frame(std::span<const std::uint8_t> frame, bool defers_commit,
                                          std::chrono::milliseconds no_progress);
    ::questdb::detail::Status read_answer(std::chrono::milliseconds timeout);
    /// Marks the sender failed and drops the connection.
    ::questdb::detail::Failure broken(::questdb::detail::Failure failure);
    /// As broken(), for a connection lost mid-batch (I/O error or no answer in time): also
    /// emits `disconnected` to the pool's listener.
    ::questdb::detail::Failure lost(::questdb::detail::Failure failure);

    DirectSenderOptions options_;
    std::unique_ptr<ws::BlockingConnection> connection_;
    std::size_t max_frame_bytes_;
    qwp::SymbolDictionary dictionary_;
    qwp::MessageEncoder encoder_;
    qwp::EncodedFrames frames_;
    InFlightWindow window_;
    ServerResponse response_;
    std::int64_t next_fsn_ = 0;
    std::int64_t last_committing_fsn_ = -1;  // FSN of the last frame written without DEFER
    std::int64_t acked_fsn_ = -1;
    std::int64_t durable_fsn_ = -1;
    bool group_open_ = false;      // deferred frames written, committing frame not yet
    bool commit_written_ = false;  // a committing frame may be on the wire, unanswered
    bool failed_ = false;
};

}  // namespace questdb::ingress
