#pragma once

// The pool-wide event hub behind QuestDb::connect_with_handlers: classifies connection
// transitions (connected / reconnected / failed_over), queues connection events and server
// rejections in two bounded drop-oldest inboxes, and runs the user's callbacks on one
// dispatcher thread of its own, so a slow or throwing callback can never stall a delivery
// loop or a borrow.
//
// Threading: every emitter is safe from any thread and never blocks beyond one short mutex
// (a deque push). Callbacks run only on the dispatcher thread, one at a time. A pool without
// handlers has no hub at all (the delivery loop holds a null pointer), so the hot path pays
// one branch.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "core/result.hpp"
#include "ingress/delivery.hpp"
#include "questdb/ingress/connection_event.hpp"
#include "questdb/ingress/rejection.hpp"
#include "ws/upgrade.hpp"
#include "ws/walk.hpp"

namespace questdb::ingress {

using ConnectionListener = std::function<void(const ConnectionEvent&)>;
using ErrorHandler = std::function<void(const Rejection&)>;

/// What the hub delivered and discarded so far.
struct EventHubCounters {
    std::uint64_t connection_events_delivered = 0;
    std::uint64_t connection_events_dropped = 0;
    std::uint64_t rejections_delivered = 0;
    std::uint64_t rejections_dropped = 0;
    std::uint64_t callback_exceptions = 0;
};

/// The public form of a delivery-loop rejection (what poll_qwp_ws_error() returns).
Rejection to_rejection(RejectionEvent event);

class EventHub {
  public:
    /// Starts the dispatcher thread. Either callback may be empty (its events are then not
    /// queued). Capacities are clamped to at least 1.
    EventHub(ConnectionListener listener, std::size_t connection_capacity, ErrorHandler handler,
             std::size_t rejection_capacity);
    ~EventHub();  ///< close()
    EventHub(const EventHub&) = delete;
    EventHub& operator=(const EventHub&) = delete;

    // ---- emitters (any thread; never run a callback) ---------------------------------
    /// A connection was established to `endpoint`; emits connected, reconnected, failed_over
    /// or nothing (a further connection to the same endpoint with no failure in between).
    void connect_succeeded(const ws::Endpoint& endpoint);
    void disconnected(const ws::Endpoint& endpoint);
    void attempt_failed(const ws::Endpoint& endpoint, const ::questdb::detail::Failure& cause);
    void auth_failed(const ws::Endpoint& endpoint, const ::questdb::detail::Failure& cause);
    void all_endpoints_unreachable(const ::questdb::detail::Failure& cause);
    void rejected(const RejectionEvent& event);
    /// A loss the sender itself found (a store-and-forward slot set aside as unreplayable),
    /// passed to the error handler as it is.
    void data_lost(const Rejection& notice);
    /// Every attempt of one blocking walk (the direct senders of flush_arrow_batch), then
    /// all_endpoints_unreachable when none connected and the walk was not stopped by a
    /// terminal answer.
    void walked(const ws::WalkReport& report);

    /// Refuses further events (counted as dropped), lets the dispatcher deliver what is
    /// queued for up to `drain_budget` (the rest is dropped), and joins it. Waits for a
    /// callback that is running. Called on the dispatcher thread itself (a callback that
    /// closes the pool or drops its last handle), it does not wait. Idempotent; safe from
    /// several threads at once.
    void close(std::chrono::milliseconds drain_budget = std::chrono::milliseconds(1000));

    [[nodiscard]] EventHubCounters counters() const;

    struct Shared;

  private:
    void offer(ConnectionEvent event);
    std::shared_ptr<Shared> shared_;
    std::mutex join_mutex_;  // concurrent close() calls join once
    std::thread thread_;
    std::thread::id dispatcher_id_;
};

}  // namespace questdb::ingress
