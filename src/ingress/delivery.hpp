#pragma once

// The delivery loop of one store-and-forward sender: a background thread that owns the
// sender's WebSocket connection, sends the queue's frames in FSN order, reads the server's
// answers, advances the acknowledged FSN (which lets the queue trim), and on any failure
// backs off, rotates to the next endpoint, re-registers the symbol dictionary and replays
// every unacknowledged frame. It never drops a frame; only terminal conditions (auth
// rejection, durable-ack mismatch, a terminal server rejection, a poison frame, a protocol
// violation) stop it, and those are latched for the producer to see.
//
// Threading: every method is safe from any thread. The loop's own state lives on its
// thread; what producers read (progress, errors, the negotiated frame cap) is atomic or
// behind a mutex.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "ingress/server_response.hpp"
#include "questdb/ingress/ack_level.hpp"
#include "ws/connection.hpp"

namespace questdb::sf {
class FrameQueue;
}

namespace questdb::ingress {

class EventHub;

struct DeliveryOptions {
    std::vector<ws::Endpoint> endpoints;
    /// Path, headers, credentials, TLS and timeouts of the upgrade; the loop adds its own
    /// upgrade validator (QWP version, durable-ack confirmation).
    ws::ConnectionOptions connection;
    bool request_durable_ack = false;
    std::chrono::milliseconds backoff_initial{100};  ///< reconnect_initial_backoff_millis
    std::chrono::milliseconds backoff_max{5000};     ///< reconnect_max_backoff_millis
    std::size_t max_in_flight = 128;                 ///< the protocol's in-flight limit
    /// Frame cap when the server sends no X-QWP-Max-Batch-Size (~1.9 MiB, under the
    /// default 2 MiB receive buffer).
    std::size_t fallback_max_frame_bytes = 1'992'294;
    RejectionPolicy rejection_policy;                 ///< the on_*_error keys
    unsigned max_frame_rejections = 4;                ///< poison-frame detector
    std::chrono::milliseconds poison_window{5000};    ///< poison_min_escalation_window_millis
    std::size_t max_error_events = 1024;              ///< kept for poll_error()
    /// The pool's connection listener / error handler hub, or null (no handlers: nothing
    /// is emitted). Rejections go to it as well as to poll_error().
    std::shared_ptr<EventHub> events;
};

/// A server rejection as the producer sees it (poll_error, and the latched terminal error).
struct RejectionEvent {
    std::uint8_t status = 0;
    std::string status_name;
    std::string message;        ///< the server's text
    std::int64_t fsn = -1;      ///< the rejected frame, -1 for a catch-up frame
    bool terminal = false;
    std::string endpoint;       ///< host:port that answered
};

/// Fills `frames` with the symbol-dictionary catch-up frames (table_count 0, flags
/// DELTA_SYMBOL_DICT | DEFER_COMMIT, each at most `max_frame_bytes`). Called on the delivery
/// thread after every (re)connect, before any replayed frame.
using CatchUpSource =
    std::function<void(std::size_t max_frame_bytes, std::vector<std::vector<std::uint8_t>>& frames)>;

class DeliveryLoop {
public:
    DeliveryLoop(DeliveryOptions options, sf::FrameQueue& queue, CatchUpSource catch_up);
    ~DeliveryLoop();  ///< stops the thread (does not drain: see SfSenderCore::close)
    DeliveryLoop(const DeliveryLoop&) = delete;
    DeliveryLoop& operator=(const DeliveryLoop&) = delete;

    /// Starts the thread, which begins connecting at once.
    void start();

    /// Blocks until the loop is connected, has latched a terminal error, or (when
    /// `retry` is false) has failed one full walk over every endpoint, or `deadline` passes.
    /// Returns OK when connected, else the terminal or last connect failure.
    ::questdb::detail::Status await_connection(std::chrono::steady_clock::time_point deadline, bool retry);

    /// Tells the loop that frames were published. Cheap; safe from any thread.
    void kick() noexcept;

    /// Blocks until the acknowledged FSN at `level` reaches `target`, the loop latches a
    /// terminal error (returned), or no acknowledgement progress happens for `no_progress`
    /// (failover_retry; zero waits forever).
    ::questdb::detail::Status wait_for(AckLevel level, std::int64_t target, std::chrono::milliseconds no_progress);

    /// Highest FSN acknowledged at level ok (durable level when asked), or -1.
    [[nodiscard]] std::int64_t ok_fsn() const noexcept;
    [[nodiscard]] std::int64_t durable_fsn() const noexcept;
    /// The terminal failure, once latched.
    [[nodiscard]] std::optional<::questdb::detail::Failure> terminal() const;
    /// Pops the oldest unread server rejection.
    std::optional<RejectionEvent> poll_error();
    /// The frame cap the current (or last) connection negotiated.
    [[nodiscard]] std::size_t max_frame_bytes() const noexcept;
    [[nodiscard]] bool connected() const noexcept;
    /// Successful connections so far (1 after the first connect; more after reconnects).
    [[nodiscard]] std::uint64_t connections() const noexcept;

    /// Stops the loop and joins its thread. Idempotent.
    void stop();

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace questdb::ingress
