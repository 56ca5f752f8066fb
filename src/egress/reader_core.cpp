#include "egress/reader_core.hpp"

#include <algorithm>
#include <numeric>
#include <thread>

namespace questdb::egress {

using detail::fail;
using detail::Failure;
using detail::Result;
using detail::Status;

namespace {

std::string role_name(ServerRole role) {
    switch (role) {
        case ServerRole::standalone:
            return "STANDALONE";
        case ServerRole::primary:
            return "PRIMARY";
        case ServerRole::replica:
            return "REPLICA";
        case ServerRole::primary_catchup:
            return "PRIMARY_CATCHUP";
    }
    return "role " + std::to_string(static_cast<int>(role));
}

}  // namespace

ReaderCore::ReaderCore(std::unique_ptr<EgressConnector> connector, ReaderSettings settings,
                       ReaderHooks hooks)
    : connector_(std::move(connector)),
      settings_(std::move(settings)),
      hooks_(std::move(hooks)),
      failures_(connector_->endpoint_count(), 0) {
    if (!hooks_.sleep) {
        hooks_.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
    }
}

std::string ReaderCore::endpoint_name() const {
    return connected() ? connector_->endpoint_name(bound_.endpoint) : std::string();
}

void ReaderCore::drop(bool demote) noexcept {
    BoundConnection old;
    {
        std::lock_guard lock(transport_mutex_);
        old = std::move(bound_);
        bound_ = BoundConnection{};
    }
    if (old.transport) {
        old.transport->abort();
        if (demote && old.endpoint < failures_.size()) {
            ++failures_[old.endpoint];
        }
    }
}

void ReaderCore::interrupt() noexcept {
    std::lock_guard lock(transport_mutex_);
    if (bound_.transport) {
        bound_.transport->interrupt();
    }
}

void ReaderCore::bind_to(BoundConnection connection) noexcept {
    std::lock_guard lock(transport_mutex_);
    bound_ = std::move(connection);
}

Status ReaderCore::bind(bool* terminal) {
    if (terminal != nullptr) {
        *terminal = false;
    }
    drop(false);
    std::vector<std::size_t> order(connector_->endpoint_count());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return (failures_[a] > 0) < (failures_[b] > 0);
    });
    const bool zone_tiers = settings_.zone.has_value() && settings_.target != TargetRole::primary;
    std::optional<BoundConnection> other_zone;  // A17: used only when no same-zone host matches
    std::size_t role_rejects = 0;
    std::size_t transport_failures = 0;
    std::size_t tls_failures = 0;
    std::string last_error;
    std::optional<ServerInfo> last_rejected;
    for (const std::size_t i : order) {
        const std::string name = connector_->endpoint_name(i);
        auto attempt = connector_->connect(i);
        if (attempt.verdict == ConnectResult::Verdict::terminal) {
            if (terminal != nullptr) {
                *terminal = true;
            }
            return attempt.failure;  // 401/403: stop the walk at once (A10, G3)
        }
        if (attempt.verdict == ConnectResult::Verdict::role_reject) {
            ++role_rejects;
            last_error = attempt.failure.message;
            continue;
        }
        if (attempt.verdict != ConnectResult::Verdict::connected || !attempt.transport) {
            ++transport_failures;
            tls_failures += attempt.failure.code == ErrorCode::tls_error ? 1 : 0;
            ++failures_[i];
            last_error = attempt.failure.message;
            continue;
        }
        QueryProtocol::Options popts;
        popts.zstd_negotiated = attempt.transport->zstd_negotiated();
        popts.version = attempt.transport->version();
        popts.max_decompressed_bytes = settings_.max_decompressed_bytes;
        popts.max_request_bytes = settings_.max_request_bytes;
        auto protocol = std::make_unique<QueryProtocol>(popts);
        auto frame = attempt.transport->receive(settings_.server_info_timeout);
        // Not yet reachable by interrupt(): no is_receive_interrupt() case here.
        Status handshake = frame ? Status{} : Status{frame.failure()};
        if (handshake.ok()) {
            auto info = protocol->on_handshake_frame(frame.value());
            if (!info) {
                handshake = info.failure();
            }
        }
        if (!handshake.ok()) {
            attempt.transport->abort();
            ++transport_failures;
            ++failures_[i];
            last_error = name + ": no valid SERVER_INFO: " + handshake.failure().message;
            continue;
        }
        const ServerInfo& info = *protocol->server_info();
        if (!role_matches(settings_.target, info.role)) {
            attempt.transport->abort();
            ++role_rejects;
            last_rejected = info;
            last_error = name + " has role " + role_name(info.role);
            continue;
        }
        BoundConnection candidate{std::move(attempt.transport), std::move(protocol), i};
        if (zone_tiers && !zone_matches(*settings_.zone, info.zone_id)) {
            if (!other_zone) {
                other_zone = std::move(candidate);
            } else {
                candidate.transport->abort();
            }
            continue;
        }
        if (other_zone) {
            other_zone->transport->abort();
        }
        failures_[i] = 0;
        bind_to(std::move(candidate));
        return {};
    }
    if (other_zone) {
        failures_[other_zone->endpoint] = 0;
        bind_to(std::move(*other_zone));
        return {};
    }
    if (role_rejects > 0 && transport_failures == 0) {
        std::string msg = "no QWP endpoint matches target role";
        if (last_rejected) {
            msg += " (last SERVER_INFO: " + role_name(last_rejected->role) + " " +
                   last_rejected->cluster_id + "/" + last_rejected->node_id + ")";
        } else if (!last_error.empty()) {
            msg += ": " + last_error;
        }
        return fail(ErrorCode::role_mismatch, msg);
    }
    // Every endpoint refusing our TLS settings (untrusted or mismatched certificate) is a
    // configuration problem, not an outage: say so with tls_error, as the ingress walk does.
    const bool all_tls = transport_failures > 0 && tls_failures == transport_failures;
    return fail(all_tls ? ErrorCode::tls_error : ErrorCode::socket_error,
                "all QWP endpoints unreachable" + (last_error.empty() ? "" : ": " + last_error));
}

// ---- QueryExecution -------------------------------------------------------------------------

QueryExecution::QueryExecution(std::shared_ptr<ReaderCore> core, QueryParams params)
    : core_(std::move(core)),
      params_(std::move(params)),
      budget_(core_->settings().failover, core_->hooks().now(), core_->next_seed()) {}

QueryExecution::~QueryExecution() {
    abandon();
}

void QueryExecution::finish() noexcept {
    if (!finished_) {
        finished_ = true;
        core_->cursor_open.store(false);
    }
}

std::uint64_t QueryExecution::credit_granted_total() const noexcept {
    auto& b = core_->bound();
    return (b.protocol && b.protocol->request_id() == request_id_)
               ? b.protocol->credit_granted_total()
               : 0;
}

Status QueryExecution::send_frame(const std::vector<std::uint8_t>& frame) {
    return core_->bound().transport->send(frame);
}

Status QueryExecution::send_request() {
    if (!core_->connected()) {
        bool terminal = false;
        if (auto s = core_->bind(&terminal); !s) {
            return s;
        }
    }
    QueryProtocol::QuerySpec spec;
    spec.request_id = core_->next_request_id();
    spec.sql = params_.sql;
    spec.binds = &params_.binds;
    spec.initial_credit = params_.initial_credit;
    spec.reset_dictionary = params_.reset_dictionary;
    // Local failures (limits) are not transport errors: they must not trigger failover.
    if (auto s = core_->bound().protocol->begin_query(spec, out_); !s) {
        Failure f = s.failure();
        if (f.code == ErrorCode::protocol_error) {
            f.code = ErrorCode::invalid_api_call;
        }
        return f;
    }
    request_id_ = spec.request_id;
    held_wire_bytes_ = 0;
    delivered_this_attempt_ = 0;
    if (auto s = send_frame(out_); !s) {
        return s;
    }
    return flush_pending_control();
}

Status QueryExecution::flush_pending_control() {
    // F5: a cancel requested at any time (even before the id existed) is sent once it can be.
    if (cancel_latched_.load() && core_->connected() && core_->bound().protocol->cancel(out_)) {
        if (auto s = send_frame(out_); !s) {
            return s;
        }
        if (core_->bound().protocol->cancel_nudge(out_)) {
            return send_frame(out_);
        }
    }
    return {};
}

Status QueryExecution::start() {
    if (core_->cursor_open.exchange(true)) {
        finished_ = true;  // do not release the other cursor's claim
        return fail(ErrorCode::invalid_api_call,
                    "another cursor of this reader is still open; finish or destroy it first (one "
                    "query in flight)");
    }
    auto s = send_request();
    if (!s) {
        s = recover(s.failure());
        if (!s) {
            finish();
        }
    }
    return s;
}

void QueryExecution::progress(FailoverProgressEvent::Phase phase, std::chrono::milliseconds delay,
                              const Failure& cause) {
    if (params_.on_progress) {
        FailoverProgressEvent ev;
        ev.phase = phase;
        ev.attempt = budget_.attempts();
        ev.delay = delay;
        ev.cause = cause.code;
        ev.message = cause.message;
        params_.on_progress(ev);
    }
}

Status QueryExecution::recover(Failure failure) {
    const auto& settings = core_->settings().failover;
    const bool transport_error = is_failover_trigger(failure.code);
    if (transport_error) {
        core_->drop(true);
    }
    if (!transport_error || !settings.enabled || params_.replay == ReplayPolicy::never ||
        (params_.replay == ReplayPolicy::select_only && !is_read_only_sql(params_.sql))) {
        return failure;
    }
    if (delivered_this_attempt_ > 0 && !params_.on_reset) {
        return fail(ErrorCode::failover_would_duplicate,
                    "connection lost after " + std::to_string(delivered_this_attempt_) +
                        " batches were delivered and no on_failover_reset callback is installed: " +
                        failure.message);
    }
    progress(FailoverProgressEvent::Phase::disconnected, std::chrono::milliseconds(0), failure);
    while (true) {
        auto delay = budget_.next_delay(core_->hooks().now());
        if (!delay) {
            progress(FailoverProgressEvent::Phase::gave_up, std::chrono::milliseconds(0), failure);
            failure.message = "failover gave up after " + std::to_string(budget_.attempts()) +
                              " attempts: " + failure.message;
            return failure;
        }
        progress(FailoverProgressEvent::Phase::backoff, *delay, failure);
        if (delay->count() > 0) {
            core_->hooks().sleep(*delay);
        }
        budget_.start_attempt();
        progress(FailoverProgressEvent::Phase::reconnecting, std::chrono::milliseconds(0), failure);
        bool terminal = false;
        if (auto s = core_->bind(&terminal); !s) {
            if (terminal) {
                return s;  // G7: auth during failover is terminal
            }
            failure = s.failure();
            continue;
        }
        progress(FailoverProgressEvent::Phase::reconnected, std::chrono::milliseconds(0), failure);
        ++stats_.failovers;
        if (params_.on_reset) {
            FailoverResetEvent ev;
            ev.server_info = *core_->bound().protocol->server_info();
            ev.endpoint = core_->endpoint_name();
            ev.attempt = budget_.attempts();
            ev.batches_delivered = delivered_this_attempt_;
            ev.cause = failure.code;
            ev.cause_message = failure.message;
            params_.on_reset(ev);
        }
        if (auto s = send_request(); !s) {
            if (!is_failover_trigger(s.failure().code)) {
                return s;
            }
            core_->drop(true);
            failure = s.failure();
            continue;
        }
        return {};
    }
}

Result<const detail::BatchData*> QueryExecution::next() {
    if (terminal_) {
        return static_cast<const detail::BatchData*>(nullptr);
    }
    if (finished_) {
        return fail(ErrorCode::invalid_api_call, "the cursor has failed or was abandoned");
    }
    while (true) {
        Status st;
        if (!core_->connected()) {
            st = fail(ErrorCode::socket_error, "connection lost");
        } else {
            auto& protocol = *core_->bound().protocol;
            // A latched cancel goes first: a cancelled query is granted no more credit (F7).
            st = flush_pending_control();
            if (st.ok() && held_wire_bytes_ > 0 &&
                protocol.on_batch_released(held_wire_bytes_, out_)) {
                st = send_frame(out_);
            }
            held_wire_bytes_ = 0;
        }
        if (st.ok()) {
            auto frame = core_->bound().transport->receive(core_->settings().read_timeout);
            if (!frame && is_receive_interrupt(frame.failure())) {
                continue;  // cancel() from another thread: send the CANCEL, then read on
            }
            if (!frame) {
                st = frame.failure();
            } else {
                const std::uint64_t frame_size = frame.value().size();
                auto ev = core_->bound().protocol->on_frame(frame.value());
                if (!ev) {
                    st = ev.failure();
                } else {
                    auto& e = ev.value();
                    switch (e.kind) {
                        case InboundEvent::Kind::batch:
                            held_wire_bytes_ = e.wire_bytes;
                            ++delivered_this_attempt_;
                            ++stats_.batches;
                            stats_.rows += e.batch->row_count;
                            stats_.wire_bytes += e.wire_bytes;
                            stats_.peak_buffered_bytes = std::max<std::uint64_t>(
                                stats_.peak_buffered_bytes,
                                frame_size + core_->bound().protocol->scratch_bytes());
                            return e.batch;
                        case InboundEvent::Kind::dropped_batch:
                        case InboundEvent::Kind::cache_reset:
                            continue;
                        case InboundEvent::Kind::result_end:
                            terminal_ = Terminal{Terminal::Kind::result_end,
                                                 e.end,
                                                 {}};  // may have won a cancel race
                            finish();
                            return static_cast<const detail::BatchData*>(nullptr);
                        case InboundEvent::Kind::exec_done:
                            terminal_ = Terminal{Terminal::Kind::exec_done, {}, e.done};
                            finish();
                            return static_cast<const detail::BatchData*>(nullptr);
                        case InboundEvent::Kind::query_error: {
                            if (e.connection_level) {
                                core_->drop(false);  // B7: the server closes after a -1 error
                            }
                            if (e.status == wire::kStatusCancelled && cancel_latched_.load()) {
                                terminal_ = Terminal{Terminal::Kind::cancelled, {}, {}};
                                finish();
                                return static_cast<const detail::BatchData*>(nullptr);
                            }
                            finish();
                            // F3, G4: a QUERY_ERROR never triggers failover.
                            return fail(wire::error_code_for_status(e.status),
                                        e.message.empty()
                                            ? "query failed with status " + std::to_string(e.status)
                                            : e.message);
                        }
                    }
                }
            }
        }
        // A transport or protocol failure: fail over (replaying the query) or give up.
        if (auto r = recover(st.failure()); !r) {
            finish();
            return std::move(r).failure();
        }
    }
}

Status QueryExecution::add_credit(std::uint64_t bytes) {
    if (terminal_ || finished_ || !core_->connected()) {
        return {};
    }
    auto sent = core_->bound().protocol->add_credit(bytes, out_);
    if (!sent) {
        return sent.failure();
    }
    if (sent.value()) {
        if (auto s = send_frame(out_); !s) {
            core_->drop(true);
            return s;
        }
    }
    return {};
}

void QueryExecution::abandon() noexcept {
    if (finished_ || terminal_) {
        finish();
        return;
    }
    cancel_latched_.store(true);
    if (!core_->connected()) {
        finish();
        return;
    }
    // F6: drain to the terminator within the close timeout, else close and never reuse.
    const auto deadline = core_->hooks().now() + core_->settings().close_timeout;
    try {
        auto& b = core_->bound();
        const bool sent_cancel = b.protocol->cancel(out_);
        if ((sent_cancel && !b.transport->send(out_).ok()) ||
            (b.protocol->cancel_nudge(out_) && !b.transport->send(out_).ok())) {
            core_->drop(true);
            finish();
            return;
        }
        while (core_->connected() && b.protocol->query_active()) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - core_->hooks().now());
            if (left.count() <= 0) {
                core_->drop(false);
                break;
            }
            auto frame = b.transport->receive(left);
            if (!frame && is_receive_interrupt(frame.failure())) {
                continue;  // a late cancel() from another thread; the CANCEL is already sent
            }
            if (!frame || !b.protocol->on_frame(frame.value()).ok()) {
                core_->drop(false);
                break;
            }
        }
        if (core_->connected() && !b.protocol->query_active()) {
            terminal_ = Terminal{Terminal::Kind::cancelled, {}, {}};
        }
    } catch (...) {
        core_->drop(false);
    }
    finish();
}

}  // namespace questdb::egress
