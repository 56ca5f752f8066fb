#include "ingress/direct_sender.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include "ingress/encode.hpp"
#include "ingress/event_hub.hpp"
#include "ingress/sf_sender_core.hpp"
#include "ingress/upgrade_acceptance.hpp"
#include "qwp/types.hpp"
#include "ws/blocking.hpp"
#include "ws/walk.hpp"

namespace questdb::ingress {
namespace {

using ::questdb::detail::fail;
using ::questdb::detail::Failure;
using ::questdb::detail::Result;
using ::questdb::detail::Status;

constexpr std::size_t kFlagsOffset = 5;  // QWP header: magic(4) version(1) flags(1) ...

}  // namespace

Result<DirectSenderOptions> DirectSenderOptions::from_config(const conf::Config& config) {
    // The upgrade is the pooled senders' one; only the store-and-forward parts are unused.
    auto core = SenderCoreOptions::from_config(config, "");
    if (!core.ok()) {
        return std::move(core).failure();
    }
    auto& delivery = core.value().delivery;
    DirectSenderOptions out;
    out.endpoints = std::move(delivery.endpoints);
    out.connection = std::move(delivery.connection);
    out.request_durable_ack = delivery.request_durable_ack;
    out.gorilla = core.value().gorilla;
    out.fallback_max_frame_bytes = delivery.fallback_max_frame_bytes;
    out.max_in_flight = delivery.max_in_flight;
    return out;
}

Result<std::unique_ptr<DirectSender>> DirectSender::open(DirectSenderOptions options) {
    auto connection_options = options.connection;
    const bool durable = options.request_durable_ack;
    connection_options.validate_upgrade = [durable](const ws::UpgradeResponse& r) {
        return validate_ingress_upgrade(r, durable);
    };
    ws::WalkReport report;
    auto connection = ws::connect_first(options.endpoints, 0, connection_options, report);
    if (options.events) {
        options.events->walked(report);
    }
    if (!connection) {
        return report.failure();
    }
    return std::unique_ptr<DirectSender>(
        new DirectSender(std::move(options), std::move(connection)));
}

DirectSender::DirectSender(DirectSenderOptions options,
                           std::unique_ptr<ws::BlockingConnection> connection)
    : options_(std::move(options)),
      connection_(std::move(connection)),
      max_frame_bytes_(advertised_frame_cap(connection_->upgrade_response(),
                                            options_.fallback_max_frame_bytes)) {
    window_.track_durable(options_.request_durable_ack);
}

DirectSender::~DirectSender() {
    if (must_close()) {
        // An open group must not commit later: dropping the socket makes the server roll it
        // back.
        connection_->abort();
        return;
    }
    // Idle and fully acknowledged (reaped, or the pool closed): a polite close.
    (void)connection_->close(std::chrono::milliseconds(1000));
}

bool DirectSender::must_close() const noexcept {
    return failed_ || group_open_ || window_.outstanding() > 0 || !connection_->is_open();
}

std::string DirectSender::endpoint() const {
    return connection_->endpoint().to_string();
}

Failure DirectSender::broken(Failure failure) {
    failed_ = true;
    connection_->abort();
    return failure;
}

Failure DirectSender::lost(Failure failure) {
    // The listener hears of it as of any pooled connection's loss: the next call's connect
    // then reports `reconnected` (or `failed_over`).
    if (options_.events && !failed_) {
        options_.events->disconnected(connection_->endpoint());
    }
    return broken(std::move(failure));
}

Status DirectSender::publish(const Chunk& chunk, bool commits,
                             std::chrono::milliseconds no_progress) {
    if (failed_) {
        return fail(ErrorCode::invalid_api_call, "the direct connection to " + endpoint() +
                                                     " failed earlier and cannot be reused");
    }
    frames_.clear();
    qwp::EncodeOptions encode;
    encode.max_frame_size = max_frame_bytes_;
    encode.gorilla = options_.gorilla;
    encode.symbol_mode = qwp::SymbolMode::delta;
    if (auto status = encode_chunk(encoder_, chunk, dictionary_, encode, frames_); !status.ok()) {
        // Nothing of this chunk was written; deferred frames of earlier chunks (if any) stay
        // uncommitted and die with the connection (must_close() is true while a group is open).
        return status;
    }
    for (std::size_t i = 0; i < frames_.count(); ++i) {
        const bool defers = !(commits && i + 1 == frames_.count());
        if (defers) {
            // The encoder defers all but the last frame of a chunk; a chunk that does not end
            // the group defers its last frame too.
            frames_.bytes[frames_.frames[i].offset + kFlagsOffset] |= qwp::kFlagDeferCommit;
        }
        if (auto status = write_frame(frames_.frame(i), defers, no_progress); !status.ok()) {
            return status;
        }
    }
    return {};
}

Status DirectSender::write_frame(std::span<const std::uint8_t> frame, bool defers_commit,
                                 std::chrono::milliseconds no_progress) {
    // Keep the protocol's in-flight window. Before the committing frame, also wait for every
    // deferred frame's answer: a rejected deferred frame then never gets its commit sent, so
    // a rejection always means "nothing of this group committed".
    while (window_.outstanding() >= options_.max_in_flight ||
           (!defers_commit && group_open_ && window_.outstanding() > 0)) {
        if (auto status = read_answer(no_progress); !status.ok()) {
            return status;
        }
    }
    if (!defers_commit) {
        commit_written_ = true;  // from the first byte on, the group may commit
    }
    if (auto status = connection_->write(frame, options_.write_timeout); !status.ok()) {
        const bool in_doubt = commit_written_;
        return lost(Failure{ErrorCode::failover_retry,
                            std::move(status).failure().message +
                                (in_doubt ? "; the batch may have been committed (in doubt)"
                                          : "; the batch was not committed"),
                            in_doubt});
    }
    const std::int64_t fsn = next_fsn_++;
    (void)window_.on_sent(fsn, defers_commit);
    group_open_ = defers_commit;
    if (!defers_commit) {
        last_committing_fsn_ = fsn;
    }
    return {};
}

Status DirectSender::read_answer(std::chrono::milliseconds timeout) {
    const bool in_doubt = commit_written_;
    const std::string doubt = in_doubt ? "; the batch may have been committed (in doubt)"
                                       : "; the batch was not committed";
    auto message = connection_->read(timeout);
    if (!message.ok()) {
        auto failure = std::move(message).failure();
        return lost(Failure{
            ErrorCode::failover_retry,
            "no acknowledgement from " + endpoint() + ": " + failure.message + doubt, in_doubt});
    }
    if (auto parsed = parse_server_response(message.value(), response_); !parsed.ok()) {
        auto failure = std::move(parsed).failure();
        return broken(Failure{ErrorCode::protocol_error, failure.message + doubt, in_doubt});
    }
    if (response_.is_durable_ack()) {
        if (const auto durable = window_.on_durable(response_.tables)) {
            durable_fsn_ = std::max(durable_fsn_, *durable);
        }
        return {};
    }
    if (response_.is_error()) {
        // The rejected frame belongs to the open group (earlier groups were fully answered
        // before this one started), and its commit was either this frame or never sent.
        commit_written_ = false;
        return broken(Failure{error_code_for_status(response_.status),
                              "server " + endpoint() + " rejected the batch [" +
                                  status_name(response_.status) + "]: " + response_.message +
                                  " (nothing was committed)",
                              false});
    }
    const auto ok = window_.on_ok(response_.sequence, response_.tables);
    if (!ok.valid) {
        return broken(Failure{ErrorCode::protocol_error,
                              "server " + endpoint() + " acknowledged sequence " +
                                  std::to_string(response_.sequence) +
                                  ", which names no outstanding frame" + doubt,
                              in_doubt});
    }
    if (ok.acked_fsn) {
        acked_fsn_ = std::max(acked_fsn_, *ok.acked_fsn);
    }
    if (ok.durable_fsn) {
        durable_fsn_ = std::max(durable_fsn_, *ok.durable_fsn);
    }
    return {};
}

Status DirectSender::await_acks(AckLevel level, std::chrono::milliseconds no_progress) {
    if (failed_) {
        return fail(ErrorCode::invalid_api_call, "the direct connection to " + endpoint() +
                                                     " failed earlier and cannot be reused");
    }
    if (group_open_) {
        return broken(Failure{ErrorCode::invalid_api_call,
                              "await_acks with an open commit group (no committing frame)", false});
    }
    if (level == AckLevel::durable && !options_.request_durable_ack) {
        return fail(ErrorCode::invalid_api_call,
                    "AckLevel::durable needs request_durable_ack=on in the connect string");
    }
    while (window_.outstanding() > 0) {
        if (auto status = read_answer(no_progress); !status.ok()) {
            return status;
        }
    }
    if (level == AckLevel::durable) {
        while (durable_fsn_ < last_committing_fsn_) {
            if (auto status = read_answer(no_progress); !status.ok()) {
                return status;
            }
        }
    }
    commit_written_ = false;
    return {};
}

}  // namespace questdb::ingress
