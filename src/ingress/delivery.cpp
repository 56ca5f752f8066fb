#include "ingress/delivery.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <condition_variable>
#include <deque>
#include <limits>
#include <mutex>
#include <random>
#include <thread>

#include "core/background_thread.hpp"
#include "ingress/event_hub.hpp"
#include "ingress/in_flight.hpp"
#include "ingress/retry_policy.hpp"
#include "ingress/server_response.hpp"
#include "ingress/upgrade_acceptance.hpp"
#include "sf/frame_queue.hpp"

namespace questdb::ingress {
namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

struct DeliveryLoop::Impl : std::enable_shared_from_this<DeliveryLoop::Impl> {
    Impl(DeliveryOptions opts, sf::FrameQueue& q, CatchUpSource source)
        : options(std::move(opts)),
          queue(q),
          catch_up(std::move(source)),
          cursor(q.cursor()),
          timer(io),
          backoff(options.backoff_initial, options.backoff_max),
          poison(options.max_frame_rejections, options.poison_window),
          rng(std::random_device{}()) {
        ok_fsn = queue.acked_fsn();
        durable_fsn = queue.acked_fsn();
        max_frame = options.fallback_max_frame_bytes;
    }

    // ---- configuration and collaborators (immutable after construction) -----------------
    const DeliveryOptions options;
    sf::FrameQueue& queue;
    const CatchUpSource catch_up;

    // ---- loop-thread state ------------------------------------------------------------
    boost::asio::io_context io;
    std::thread thread;
    sf::FrameCursor cursor;
    boost::asio::steady_timer timer;
    std::unique_ptr<ws::Connection> conn;
    std::uint64_t generation = 0;  // bumps per connection; stale handlers compare it
    std::size_t endpoint_index = 0;
    std::size_t failures_this_walk = 0;
    std::size_t role_rejects_this_walk = 0;
    ReconnectBackoff backoff;
    InFlightWindow window;
    ServerResponse response;
    std::vector<std::vector<std::uint8_t>> catch_up_frames;
    std::size_t catch_up_next = 0;
    bool writing = false;
    bool stopping = false;
    PoisonDetector poison;
    std::mt19937_64 rng;

    // ---- state shared with producer threads ---------------------------------------------
    mutable std::mutex mutex;
    std::condition_variable progress_cv;
    std::optional<::questdb::detail::Failure> terminal_failure;
    std::optional<::questdb::detail::Failure> last_connect_failure;
    std::deque<RejectionEvent> events;
    std::uint64_t walks_failed = 0;
    bool last_walk_all_role_rejects = false;  // every endpoint answered 421 + role
    std::atomic<std::int64_t> ok_fsn{-1};
    std::atomic<std::int64_t> durable_fsn{-1};
    // Waiters in wait_for() are woken when the acknowledged FSN reaches the lowest target
    // any of them waits for, not on every acknowledgement (a drain of N frames cost N
    // futex wake-ups and N context switches of the waiting thread). The no-progress timeout
    // is measured from the time of the last advance, so it stays exact without wake-ups.
    struct AckWatch {
        std::int64_t wake_at = std::numeric_limits<std::int64_t>::max();  // under mutex
        Clock::time_point progressed_at{};                                // under mutex
    };
    AckWatch ok_watch;
    AckWatch durable_watch;
    std::atomic<std::size_t> max_frame{0};
    std::atomic<bool> is_connected{false};
    std::atomic<std::uint64_t> connection_count{0};
    // True only while the loop has sent every published frame and nothing else will call
    // pump(): then a producer's kick() must post a wake-up. While a write, the connect or
    // an in-flight slot is pending, the completion pumps anyway and a kick costs nothing (a
    // post per flush woke the loop thread once per frame for no work). See pump().
    std::atomic<bool> parked{true};

    // ---- connecting -----------------------------------------------------------------
    void connect_next() {
        if (stopping) {
            return;
        }
        ws::ConnectionOptions conn_options = options.connection;
        const bool durable = options.request_durable_ack;
        conn_options.validate_upgrade = [durable](const ws::UpgradeResponse& r) {
            return validate_ingress_upgrade(r, durable);
        };
        const auto& endpoint = options.endpoints[endpoint_index];
        conn = std::make_unique<ws::Connection>(io.get_executor(), std::move(conn_options));
        const auto gen = ++generation;
        conn->async_connect(endpoint,
                            [self = shared_from_this(), gen](const ws::ConnectOutcome& o) {
                                if (gen == self->generation) {
                                    self->on_connect(o);
                                }
                            });
    }

    void on_connect(const ws::ConnectOutcome& outcome) {
        if (outcome.ok()) {
            on_connected();
            return;
        }
        conn.reset();
        if (outcome.terminal()) {
            latch_terminal(outcome.failure);
            // After the latch: a listener told auth_failed finds the sender already stopped.
            emit_attempt_failed(outcome);
            return;
        }
        emit_attempt_failed(outcome);
        remember_connect_failure(outcome.failure);
        if (outcome.verdict == ws::Verdict::role_reject) {
            ++role_rejects_this_walk;
        }
        endpoint_index = (endpoint_index + 1) % options.endpoints.size();
        if (++failures_this_walk >= options.endpoints.size()) {
            {
                std::lock_guard lock(mutex);
                ++walks_failed;
                last_walk_all_role_rejects = role_rejects_this_walk >= failures_this_walk;
            }
            failures_this_walk = 0;
            role_rejects_this_walk = 0;
            progress_cv.notify_all();
            if (options.events) {
                options.events->all_endpoints_unreachable(outcome.failure);
            }
            schedule_reconnect(true);
        } else {
            // Rotate at once: another endpoint may be healthy (role rejects never back off).
            connect_next();
        }
    }

    void on_connected() {
        const auto& r = conn->upgrade_response();
        const std::size_t cap = advertised_frame_cap(r, options.fallback_max_frame_bytes);
        max_frame.store(cap);
        window.reset();
        window.track_durable(options.request_durable_ack);
        catch_up_frames.clear();
        catch_up_next = 0;
        if (catch_up) {
            catch_up(cap, catch_up_frames);
        }
        cursor.rewind();
        writing = false;
        failures_this_walk = 0;
        role_rejects_this_walk = 0;
        backoff.reset();
        // The poison detector's count survives reconnects on purpose: a frame that is
        // rejected on every connection is exactly what it must catch. Only ack progress
        // resets it.
        is_connected.store(true);
        connection_count.fetch_add(1);
        progress_cv.notify_all();
        if (options.events) {
            options.events->connect_succeeded(options.endpoints[endpoint_index]);
        }
        start_read();
        pump();
    }

    void schedule_reconnect(bool back_off) {
        if (stopping) {
            return;
        }
        if (!back_off) {
            connect_next();
            return;
        }
        timer.expires_after(backoff.next_delay(rng));
        timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
            if (!ec) {
                self->connect_next();
            }
        });
    }

    // ---- sending ----------------------------------------------------------------------
    void pump() {
        if (!conn || writing || stopping) {
            return;
        }
        std::span<const std::uint8_t> bytes;
        std::int64_t fsn = -1;
        bool defers = true;
        if (catch_up_next < catch_up_frames.size()) {
            bytes = catch_up_frames[catch_up_next++];
        } else {
            if (window.outstanding() >= options.max_in_flight) {
                return;  // resumes when an answer frees a place
            }
            sf::FrameView frame;
            if (!cursor.next(frame)) {
                // Announce the park, then look again: a producer publishes before it reads
                // `parked` (kick()), so either it sees the flag or this sees its frame.
                parked.store(true);
                std::atomic_thread_fence(std::memory_order_seq_cst);
                if (!cursor.next(frame)) {
                    return;  // resumes on kick()
                }
                parked.store(false, std::memory_order_relaxed);
            }
            bytes = frame.bytes;
            fsn = frame.fsn;
            defers = frame.defer_commit();
        }
        if (bytes.size() > max_frame.load()) {
            // Replaying it would fail the same way forever (the server closes with 1009).
            latch_terminal(::questdb::detail::fail(
                ErrorCode::batch_too_large, "frame FSN " + std::to_string(fsn) + " has " +
                                                std::to_string(bytes.size()) +
                                                " bytes, over the server's max batch size of " +
                                                std::to_string(max_frame.load()) + " bytes"));
            return;
        }
        window.on_sent(fsn, defers);
        writing = true;
        const auto gen = generation;
        conn->async_write(bytes,
                          [self = shared_from_this(), gen](::questdb::detail::Status status) {
                              if (gen != self->generation) {
                                  return;
                              }
                              self->writing = false;
                              if (!status.ok()) {
                                  self->on_link_failure(std::move(status).failure());
                                  return;
                              }
                              self->pump();
                          });
    }

    void on_kick() { pump(); }

    // ---- receiving --------------------------------------------------------------------
    void start_read() {
        const auto gen = generation;
        conn->async_read([self = shared_from_this(), gen](::questdb::detail::Status status,
                                                          std::span<const std::uint8_t> msg) {
            if (gen != self->generation) {
                return;
            }
            if (!status.ok()) {
                self->on_link_failure(std::move(status).failure());
                return;
            }
            if (self->on_message(msg) && gen == self->generation && self->conn) {
                self->start_read();
            }
        });
    }

    /// Returns false when the connection was dropped while handling the message.
    bool on_message(std::span<const std::uint8_t> msg) {
        if (auto parsed = parse_server_response(msg, response); !parsed.ok()) {
            latch_terminal(std::move(parsed).failure());
            return false;
        }
        if (response.is_ok()) {
            return on_ok();
        }
        if (response.is_durable_ack()) {
            if (auto durable = window.on_durable(response.tables)) {
                advance_durable(*durable);
            }
            return true;
        }
        return on_rejection();
    }

    bool on_ok() {
        const auto result = window.on_ok(response.sequence, response.tables);
        if (!result.valid) {
            latch_terminal(::questdb::detail::fail(
                ErrorCode::protocol_error,
                "server acknowledged wire sequence " + std::to_string(response.sequence) +
                    ", which names no outstanding frame on " + current_endpoint()));
            return false;
        }
        if (result.acked_fsn) {
            poison.on_ack_progress();
            advance_ok(*result.acked_fsn);
        }
        if (result.durable_fsn) {
            advance_durable(*result.durable_fsn);
        }
        pump();
        return true;
    }

    /// Raises `counter` to `fsn`; returns whether a waiter's target was reached.
    bool advance(std::atomic<std::int64_t>& counter, AckWatch& watch, std::int64_t fsn) {
        std::lock_guard lock(mutex);
        if (fsn > counter.load()) {
            counter.store(fsn);
            watch.progressed_at = Clock::now();
        }
        if (counter.load() < watch.wake_at) {
            return false;
        }
        watch.wake_at = std::numeric_limits<std::int64_t>::max();  // woken waiters re-arm it
        return true;
    }

    // Both advances persist the trim (the ack watermark, in disk mode) before they publish the
    // acked FSN: a caller that has seen a frame acknowledged must never see it replayed after
    // a crash, so only frames whose acknowledgement nobody observed can be duplicated.
    void advance_ok(std::int64_t fsn) {
        if (!options.request_durable_ack) {
            trim(fsn);
        }
        if (advance(ok_fsn, ok_watch, fsn)) {
            progress_cv.notify_all();
        }
    }

    void advance_durable(std::int64_t fsn) {
        trim(fsn);
        if (advance(durable_fsn, durable_watch, fsn)) {
            progress_cv.notify_all();
        }
    }

    void trim(std::int64_t fsn) {
        if (auto status = queue.ack(fsn); !status.ok()) {
            // The watermark could not be persisted; memory state advanced. Tell the user.
            const RejectionEvent event{.status_name = "STORE_ERROR",
                                       .message = status.failure().message,
                                       .fsn = fsn,
                                       .endpoint = current_endpoint()};
            record_event(event);
            publish_event(event);
        }
    }

    bool on_rejection() {
        const auto fsn = window.rejected_fsn(response.sequence);
        if (!fsn) {
            latch_terminal(::questdb::detail::fail(
                ErrorCode::protocol_error,
                "server rejected wire sequence " + std::to_string(response.sequence) +
                    ", which is not the oldest outstanding frame on " + current_endpoint()));
            return false;
        }
        const auto kind = classify_rejection(response.status, options.rejection_policy);
        RejectionEvent event{response.status,
                             status_name(response.status),
                             response.message,
                             *fsn,
                             kind == RejectionKind::terminal,
                             current_endpoint()};
        const std::string description = "server " + event.endpoint + " rejected frame FSN " +
                                        std::to_string(*fsn) + " with " + event.status_name +
                                        (event.message.empty() ? "" : ": " + event.message);
        const bool replays =
            kind == RejectionKind::retriable || kind == RejectionKind::rotate_endpoint;
        if (replays && poison.on_rejection(*fsn, Clock::now())) {
            event.terminal = true;
            record_event(event);
            latch_terminal(::questdb::detail::fail(error_code_for_status(response.status),
                                                   description + " (rejected " +
                                                       std::to_string(poison.streak()) +
                                                       " times in a row: poison frame)"));
            publish_event(event);
            return false;
        }
        record_event(event);
        if (event.terminal) {
            latch_terminal(
                ::questdb::detail::fail(error_code_for_status(response.status), description));
            publish_event(event);
            return false;
        }
        publish_event(event);
        drop_connection();
        switch (kind) {
            case RejectionKind::dictionary_gap:
                schedule_reconnect(false);  // same endpoint: catch-up re-registers from id 0
                break;
            case RejectionKind::rotate_endpoint:
                endpoint_index = (endpoint_index + 1) % options.endpoints.size();
                // Back off only once every endpoint has refused, so failover stays quick.
                schedule_reconnect(endpoint_index == 0);
                break;
            default:
                schedule_reconnect(true);  // retriable: the same endpoint replays
                break;
        }
        return false;
    }

    // ---- failures ---------------------------------------------------------------------
    void on_link_failure(const ::questdb::detail::Failure& failure) {
        if (options.events && is_connected.load()) {
            options.events->disconnected(options.endpoints[endpoint_index]);
        }
        remember_connect_failure(failure);
        drop_connection();
        endpoint_index = (endpoint_index + 1) % options.endpoints.size();
        schedule_reconnect(true);
    }

    void drop_connection() {
        is_connected.store(false);
        ++generation;  // outstanding handlers of the old connection become no-ops
        writing = false;
        if (conn) {
            conn->abort();
            // Destroy after the current handler returns: we may be inside one of its callbacks.
            boost::asio::post(io, [doomed = std::shared_ptr<ws::Connection>(std::move(conn))] {});
        }
    }

    void latch_terminal(::questdb::detail::Failure failure) {
        drop_connection();
        timer.cancel();
        {
            std::lock_guard lock(mutex);
            if (!terminal_failure) {
                terminal_failure = std::move(failure);
            }
        }
        progress_cv.notify_all();
        queue.interrupt_waiters();
    }

    void remember_connect_failure(const ::questdb::detail::Failure& failure) {
        std::lock_guard lock(mutex);
        last_connect_failure = failure;
    }

    void record_event(RejectionEvent event) {
        std::lock_guard lock(mutex);
        if (events.size() >= options.max_error_events) {
            events.pop_front();
        }
        events.push_back(std::move(event));
    }

    // poll_error() and the pool's error handler both see every rejection (as the reference
    // client does). The handler is told last, after any terminal latch, so it finds the
    // sender already stopped.
    void publish_event(const RejectionEvent& event) {
        if (options.events) {
            options.events->rejected(event);
        }
    }

    void emit_attempt_failed(const ws::ConnectOutcome& outcome) {
        if (!options.events) {
            return;
        }
        const auto& endpoint = options.endpoints[endpoint_index];
        if (outcome.failure.code == ErrorCode::auth_error) {
            options.events->auth_failed(endpoint, outcome.failure);
        } else {
            options.events->attempt_failed(endpoint, outcome.failure);
        }
    }

    [[nodiscard]] std::string current_endpoint() const {
        return options.endpoints[endpoint_index].to_string();
    }
};

DeliveryLoop::DeliveryLoop(DeliveryOptions options, sf::FrameQueue& queue, CatchUpSource catch_up)
    : impl_(std::make_shared<Impl>(std::move(options), queue, std::move(catch_up))) {}

DeliveryLoop::~DeliveryLoop() {
    try {
        stop();
    } catch (
        ...) {  // NOLINT(bugprone-empty-catch): out of memory posting the stop; nothing left to do
    }
}

void DeliveryLoop::start() {
    auto impl = impl_;
    boost::asio::post(impl->io, [impl] { impl->connect_next(); });
    impl->thread = std::thread([impl] {
        (void)questdb::detail::make_current_thread_background();
        auto guard = boost::asio::make_work_guard(impl->io);
        impl->io.run();
    });
}

::questdb::detail::Status DeliveryLoop::await_connection(Clock::time_point deadline, bool retry) {
    std::unique_lock lock(impl_->mutex);
    const auto walks_before = impl_->walks_failed;
    for (;;) {
        if (impl_->is_connected.load()) {
            return {};
        }
        if (impl_->terminal_failure) {
            return *impl_->terminal_failure;
        }
        const bool gave_up =
            (!retry && impl_->walks_failed > walks_before) || Clock::now() >= deadline;
        if (gave_up) {
            auto failure = impl_->last_connect_failure.value_or(::questdb::detail::fail(
                ErrorCode::socket_error, "could not connect before the deadline"));
            if (impl_->last_walk_all_role_rejects) {
                // Checklist G3/G11, Z9: a distinct error, since no retry fixes a topology
                // where every listed node is a replica.
                failure.code = ErrorCode::role_mismatch;
                failure.message =
                    "every QWP endpoint rejected this sender for its role "
                    "(ingestion needs a primary); last: " +
                    failure.message;
            } else if (impl_->options.endpoints.size() > 1) {
                failure.message = "all QWP endpoints unreachable; last: " + failure.message;
            }
            return failure;
        }
        impl_->progress_cv.wait_until(lock, deadline);
    }
}

void DeliveryLoop::kick() noexcept {
    // Pairs with the fence in pump(): the frame is published before `parked` is read.
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (impl_->parked.exchange(false)) {
        auto impl = impl_;
        try {
            boost::asio::post(impl->io, [impl] { impl->on_kick(); });
        } catch (...) {
            // Out of memory for the handler: stay parked so that the next kick() tries again;
            // the frame is already queued and nothing is lost.
            impl->parked.store(true);
        }
    }
}

::questdb::detail::Status DeliveryLoop::wait_for(AckLevel level, std::int64_t target,
                                                 std::chrono::milliseconds no_progress) {
    const bool ok_level = level == AckLevel::ok;
    const auto& counter = ok_level ? impl_->ok_fsn : impl_->durable_fsn;
    auto& watch = ok_level ? impl_->ok_watch : impl_->durable_watch;
    const auto started = Clock::now();
    std::unique_lock lock(impl_->mutex);
    for (;;) {
        const auto now_fsn = counter.load();
        if (now_fsn >= target) {
            return {};
        }
        if (impl_->terminal_failure) {
            auto failure = *impl_->terminal_failure;
            failure.in_doubt = true;
            return failure;
        }
        watch.wake_at = std::min(watch.wake_at, target);
        if (no_progress.count() == 0) {
            impl_->progress_cv.wait(lock);
            continue;
        }
        // No progress for `no_progress` since this call started or since the last advance,
        // whichever is later (advances do not wake this thread unless they reach a target).
        const auto deadline = std::max(started, watch.progressed_at) + no_progress;
        if (Clock::now() >= deadline) {
            return ::questdb::detail::Failure{
                ErrorCode::failover_retry,
                "no acknowledgement progress for " + std::to_string(no_progress.count()) +
                    " ms (acked FSN " + std::to_string(now_fsn) + ", waiting for " +
                    std::to_string(target) + "); the frames stay queued and are still delivered",
                true};
        }
        impl_->progress_cv.wait_until(lock, deadline);
    }
}

std::int64_t DeliveryLoop::ok_fsn() const noexcept {
    return impl_->ok_fsn.load();
}
std::int64_t DeliveryLoop::durable_fsn() const noexcept {
    return impl_->durable_fsn.load();
}

std::optional<::questdb::detail::Failure> DeliveryLoop::terminal() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->terminal_failure;
}

std::optional<RejectionEvent> DeliveryLoop::poll_error() {
    std::lock_guard lock(impl_->mutex);
    if (impl_->events.empty()) {
        return std::nullopt;
    }
    auto event = std::move(impl_->events.front());
    impl_->events.pop_front();
    return event;
}

std::size_t DeliveryLoop::max_frame_bytes() const noexcept {
    return impl_->max_frame.load();
}
bool DeliveryLoop::connected() const noexcept {
    return impl_->is_connected.load();
}
std::uint64_t DeliveryLoop::connections() const noexcept {
    return impl_->connection_count.load();
}

void DeliveryLoop::stop() {
    auto impl = impl_;
    if (!impl->thread.joinable()) {
        return;
    }
    boost::asio::post(impl->io, [impl] {
        impl->stopping = true;
        impl->timer.cancel();
        impl->drop_connection();
        impl->io.stop();
    });
    impl->thread.join();
    impl->conn.reset();
    impl->is_connected.store(false);
    impl->progress_cv.notify_all();
}

}  // namespace questdb::ingress
