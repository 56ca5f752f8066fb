#include "ingress/event_hub.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

#include "ingress/server_response.hpp"

namespace questdb::ingress {
namespace {

std::int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

ConnectionEvent make_event(ConnectionEventKind kind, const ws::Endpoint* at) {
    ConnectionEvent event;
    event.kind = kind;
    if (at != nullptr) {
        event.host = at->host;
        event.port = at->port;
    }
    event.timestamp_ms = now_ms();
    return event;
}

void set_cause(ConnectionEvent& event, const ::questdb::detail::Failure& cause) {
    event.cause_code = cause.code;
    event.cause_message = cause.message;
}

/// One bounded drop-oldest queue of T.
template <typename T>
struct Inbox {
    std::deque<T> items;
    std::size_t capacity = 1;
    std::uint64_t delivered = 0;
    std::uint64_t dropped = 0;

    void push(T item) {
        if (items.size() >= capacity) {
            items.pop_front();
            ++dropped;
        }
        items.push_back(std::move(item));
    }
};

}  // namespace

Rejection to_rejection(RejectionEvent event) {
    Rejection out;
    out.status = event.status;
    out.status_name = std::move(event.status_name);
    out.code = event.status == 0 ? ErrorCode::store_error : error_code_for_status(event.status);
    out.message = std::move(event.message);
    if (event.fsn >= 0) {
        out.fsn = event.fsn;
    }
    out.terminal = event.terminal;
    out.endpoint = std::move(event.endpoint);
    return out;
}

// Shared with the dispatcher thread, which may outlive the hub object when close() runs on
// the dispatcher thread itself (then it is detached).
struct EventHub::Shared {
    const ConnectionListener listener;
    const ErrorHandler handler;

    mutable std::mutex mutex;  // guards everything below
    std::condition_variable available;
    Inbox<ConnectionEvent> connection_events;
    Inbox<Rejection> rejections;
    bool closed = false;
    std::chrono::steady_clock::time_point drain_deadline{};
    std::uint64_t callback_exceptions = 0;

    // Success classification (pool-wide, as the reference client does).
    std::optional<ws::Endpoint> last_endpoint;
    bool failed_since_success = false;
    std::atomic<std::uint64_t> attempts{0};

    Shared(ConnectionListener l, ErrorHandler h) : listener(std::move(l)), handler(std::move(h)) {}

    void run() {
        std::unique_lock lock(mutex);
        for (;;) {
            available.wait(lock, [this] {
                return closed || !connection_events.items.empty() || !rejections.items.empty();
            });
            if (closed && std::chrono::steady_clock::now() >= drain_deadline) {
                connection_events.dropped += connection_events.items.size();
                rejections.dropped += rejections.items.size();
                connection_events.items.clear();
                rejections.items.clear();
            }
            if (!deliver_one(lock) && closed) {
                return;
            }
        }
    }

    // Runs one callback outside the lock; false when both inboxes were empty.
    bool deliver_one(std::unique_lock<std::mutex>& lock) {
        if (!connection_events.items.empty()) {
            auto event = std::move(connection_events.items.front());
            connection_events.items.pop_front();
            invoke(lock, [&] { listener(event); });
            ++connection_events.delivered;
            return true;
        }
        if (!rejections.items.empty()) {
            auto rejection = std::move(rejections.items.front());
            rejections.items.pop_front();
            invoke(lock, [&] { handler(rejection); });
            ++rejections.delivered;
            return true;
        }
        return false;
    }

    template <typename Call>
    void invoke(std::unique_lock<std::mutex>& lock, Call&& call) {
        lock.unlock();
        bool threw = false;
        try {
            call();
        } catch (...) {
            // A user callback must not end the dispatcher: later events still matter.
            threw = true;
        }
        lock.lock();
        if (threw) {
            ++callback_exceptions;
        }
    }

    template <typename T>
    void push(Inbox<T>& inbox, T item) {
        {
            std::lock_guard lock(mutex);
            if (closed) {
                ++inbox.dropped;
                return;
            }
            inbox.push(std::move(item));
        }
        available.notify_one();
    }
};

EventHub::EventHub(ConnectionListener listener, std::size_t connection_capacity,
                   ErrorHandler handler, std::size_t rejection_capacity)
    : shared_(std::make_shared<Shared>(std::move(listener), std::move(handler))) {
    shared_->connection_events.capacity = std::max<std::size_t>(connection_capacity, 1);
    shared_->rejections.capacity = std::max<std::size_t>(rejection_capacity, 1);
    thread_ = std::thread([shared = shared_] { shared->run(); });
    dispatcher_id_ = thread_.get_id();
}

EventHub::~EventHub() {
    close();
    if (thread_.joinable()) {
        // Destroyed by one of its own callbacks: the thread holds `shared_` and ends after
        // that callback returns.
        thread_.detach();
    }
}

void EventHub::close(std::chrono::milliseconds drain_budget) {
    {
        std::lock_guard lock(shared_->mutex);
        if (!shared_->closed) {
            shared_->closed = true;
            shared_->drain_deadline = std::chrono::steady_clock::now() + drain_budget;
        }
    }
    shared_->available.notify_all();
    if (std::this_thread::get_id() == dispatcher_id_) {
        return;  // a callback closing its own pool: it cannot wait for itself
    }
    std::lock_guard lock(join_mutex_);
    if (thread_.joinable()) {
        thread_.join();
    }
}

void EventHub::offer(ConnectionEvent event) {
    shared_->push(shared_->connection_events, std::move(event));
}

void EventHub::connect_succeeded(const ws::Endpoint& endpoint) {
    if (!shared_->listener) {
        return;
    }
    std::optional<ConnectionEvent> event;
    {
        std::lock_guard lock(shared_->mutex);
        const bool failed = std::exchange(shared_->failed_since_success, false);
        if (!shared_->last_endpoint) {
            event = make_event(ConnectionEventKind::connected, &endpoint);
        } else if (*shared_->last_endpoint != endpoint) {
            event = make_event(ConnectionEventKind::failed_over, &endpoint);
            event->previous_host = shared_->last_endpoint->host;
            event->previous_port = shared_->last_endpoint->port;
        } else if (failed) {
            event = make_event(ConnectionEventKind::reconnected, &endpoint);
        }
        shared_->last_endpoint = endpoint;
    }
    if (event) {
        offer(std::move(*event));
    }
}

void EventHub::disconnected(const ws::Endpoint& endpoint) {
    if (!shared_->listener) {
        return;
    }
    {
        std::lock_guard lock(shared_->mutex);
        shared_->failed_since_success = true;
    }
    offer(make_event(ConnectionEventKind::disconnected, &endpoint));
}

void EventHub::attempt_failed(const ws::Endpoint& endpoint,
                              const ::questdb::detail::Failure& cause) {
    if (!shared_->listener) {
        return;
    }
    auto event = make_event(ConnectionEventKind::endpoint_attempt_failed, &endpoint);
    event.attempt = shared_->attempts.fetch_add(1) + 1;
    set_cause(event, cause);
    {
        std::lock_guard lock(shared_->mutex);
        shared_->failed_since_success = true;
    }
    offer(std::move(event));
}

void EventHub::auth_failed(const ws::Endpoint& endpoint, const ::questdb::detail::Failure& cause) {
    if (!shared_->listener) {
        return;
    }
    auto event = make_event(ConnectionEventKind::auth_failed, &endpoint);
    event.attempt = shared_->attempts.fetch_add(1) + 1;
    set_cause(event, cause);
    {
        std::lock_guard lock(shared_->mutex);
        shared_->failed_since_success = true;
    }
    offer(std::move(event));
}

void EventHub::all_endpoints_unreachable(const ::questdb::detail::Failure& cause) {
    if (!shared_->listener) {
        return;
    }
    auto event = make_event(ConnectionEventKind::all_endpoints_unreachable, nullptr);
    set_cause(event, cause);
    offer(std::move(event));
}

void EventHub::rejected(const RejectionEvent& event) {
    if (!shared_->handler) {
        return;
    }
    shared_->push(shared_->rejections, to_rejection(event));
}

void EventHub::data_lost(const Rejection& notice) {
    if (!shared_->handler) {
        return;
    }
    shared_->push(shared_->rejections, Rejection(notice));
}

void EventHub::walked(const ws::WalkReport& report) {
    if (!shared_->listener) {
        return;
    }
    bool terminal = false;
    for (const auto& attempt : report.attempts) {
        const auto& outcome = attempt.outcome;
        if (outcome.ok()) {
            connect_succeeded(attempt.endpoint);
        } else if (outcome.failure.code == ErrorCode::auth_error) {
            auth_failed(attempt.endpoint, outcome.failure);
        } else {
            attempt_failed(attempt.endpoint, outcome.failure);
        }
        terminal = terminal || outcome.terminal();
    }
    if (!report.connected && !terminal && !report.attempts.empty()) {
        all_endpoints_unreachable(report.attempts.back().outcome.failure);
    }
}

EventHubCounters EventHub::counters() const {
    std::lock_guard lock(shared_->mutex);
    return EventHubCounters{shared_->connection_events.delivered,
                            shared_->connection_events.dropped, shared_->rejections.delivered,
                            shared_->rejections.dropped, shared_->callback_exceptions};
}

}  // namespace questdb::ingress

std::string_view questdb::ingress::to_string(ConnectionEventKind kind) noexcept {
    switch (kind) {
        case ConnectionEventKind::connected:
            return "connected";
        case ConnectionEventKind::disconnected:
            return "disconnected";
        case ConnectionEventKind::reconnected:
            return "reconnected";
        case ConnectionEventKind::failed_over:
            return "failed_over";
        case ConnectionEventKind::endpoint_attempt_failed:
            return "endpoint_attempt_failed";
        case ConnectionEventKind::all_endpoints_unreachable:
            return "all_endpoints_unreachable";
        case ConnectionEventKind::auth_failed:
            return "auth_failed";
    }
    return "unknown";
}
