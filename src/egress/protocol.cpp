#include "egress/protocol.hpp"

#include <string>

namespace questdb::egress {

using detail::fail;
using detail::Result;
using detail::Status;

QueryProtocol::QueryProtocol(Options options)
    : options_(options), decoder_(options.max_decompressed_bytes) {}

Result<ServerInfo> QueryProtocol::on_handshake_frame(std::span<const std::uint8_t> frame) {
    if (server_info_) {
        return fail(ErrorCode::protocol_error, "handshake already completed");
    }
    auto header = wire::decode_header(frame, options_.version);
    if (!header) {
        return std::move(header).failure();
    }
    if (frame[wire::kHeaderSize] != static_cast<std::uint8_t>(wire::MsgKind::server_info)) {
        return fail(ErrorCode::protocol_error, "the first egress frame was msg_kind " +
                                                   std::to_string(frame[wire::kHeaderSize]) +
                                                   ", not SERVER_INFO");
    }
    auto info = wire::decode_server_info(frame.subspan(wire::kHeaderSize));
    if (!info) {
        return std::move(info).failure();
    }
    server_info_ = info.value();
    return info;
}

Status QueryProtocol::begin_query(const QuerySpec& spec, std::vector<std::uint8_t>& out) {
    if (!server_info_) {
        return fail(ErrorCode::invalid_api_call, "QUERY_REQUEST before SERVER_INFO");
    }
    if (active_) {
        return fail(ErrorCode::invalid_api_call,
                    "a query is already in flight on this connection (request " +
                        std::to_string(request_id_) + ")");
    }
    static const BindList kNoBinds;
    const BindList& binds = spec.binds != nullptr ? *spec.binds : kNoBinds;
    wire::QueryRequest request;
    request.request_id = spec.request_id;
    request.sql = spec.sql;
    request.initial_credit = spec.initial_credit;
    request.bind_count = binds.count();
    request.binds = binds.bytes();
    // A19: the trailer goes only to a server that advertised it, and is then always sent.
    request.with_query_flags = server_info_->has_query_flags();
    request.query_flags = spec.reset_dictionary ? wire::kQueryFlagResetDict : 0;
    if (auto s = wire::encode_query_request(request, out, options_.max_request_bytes); !s) {
        return s;
    }
    if (spec.reset_dictionary && request.with_query_flags) {
        dict_.clear();  // D20: clear locally too; a following CACHE_RESET is harmless
    }
    active_ = true;
    cancelled_ = false;
    cancel_sent_ = false;
    nudge_sent_ = false;
    batch_seen_ = false;
    request_id_ = spec.request_id;
    next_seq_ = 0;
    initial_credit_ = spec.initial_credit;
    granted_ = spec.initial_credit;
    consumed_ = 0;
    schema_.clear();
    return {};
}

void QueryProtocol::finish_query() noexcept {
    active_ = false;
    schema_.clear();
}

Status QueryProtocol::check_request(std::int64_t id, std::string_view what) const {
    if (!active_ || id != request_id_) {
        return fail(
            ErrorCode::protocol_error,
            std::string(what) + " for request " + std::to_string(id) +
                (active_ ? ", but request " + std::to_string(request_id_) + " is the one in flight"
                         : ", but no query is in flight"));
    }
    return {};
}

Result<InboundEvent> QueryProtocol::on_frame(std::span<const std::uint8_t> frame) {
    auto header = wire::decode_header(frame, options_.version);
    if (!header) {
        return std::move(header).failure();
    }
    auto kind = wire::server_msg_kind(frame);
    if (!kind) {
        return std::move(kind).failure();
    }
    const auto payload = frame.subspan(wire::kHeaderSize);
    InboundEvent ev;
    switch (kind.value()) {
        case wire::MsgKind::result_batch:
            return on_batch(header.value(), payload);
        case wire::MsgKind::result_end: {
            auto m = wire::decode_result_end(payload);
            if (!m) {
                return std::move(m).failure();
            }
            if (auto s = check_request(m.value().request_id, "RESULT_END"); !s) {
                return std::move(s).failure();
            }
            ev.kind = InboundEvent::Kind::result_end;
            ev.end = m.value().end;
            finish_query();
            return ev;
        }
        case wire::MsgKind::exec_done: {
            auto m = wire::decode_exec_done(payload);
            if (!m) {
                return std::move(m).failure();
            }
            if (auto s = check_request(m.value().request_id, "EXEC_DONE"); !s) {
                return std::move(s).failure();
            }
            ev.kind = InboundEvent::Kind::exec_done;
            ev.done = m.value().done;
            finish_query();
            return ev;
        }
        case wire::MsgKind::query_error: {
            auto m = wire::decode_query_error(payload);
            if (!m) {
                return std::move(m).failure();
            }
            ev.kind = InboundEvent::Kind::query_error;
            ev.status = m.value().status;
            ev.message = std::move(m.value().message);
            if (m.value().request_id == -1) {
                ev.connection_level = true;  // B7: the connection is going away
            } else if (auto s = check_request(m.value().request_id, "QUERY_ERROR"); !s) {
                return std::move(s).failure();
            }
            finish_query();
            return ev;
        }
        case wire::MsgKind::cache_reset: {
            auto mask = wire::decode_cache_reset(payload);
            if (!mask) {
                return std::move(mask).failure();
            }
            if (active_ && batch_seen_) {
                return fail(ErrorCode::protocol_error,
                            "CACHE_RESET in the middle of the result of request " +
                                std::to_string(request_id_));
            }
            if ((mask.value() & wire::kResetMaskDict) != 0) {
                dict_.clear();
            }
            ev.kind = InboundEvent::Kind::cache_reset;
            return ev;
        }
        case wire::MsgKind::server_info:
            return fail(ErrorCode::protocol_error,
                        "a second SERVER_INFO on an established connection");
        default:
            return fail(ErrorCode::protocol_error, "unexpected server msg_kind");
    }
}

Result<InboundEvent> QueryProtocol::on_batch(const wire::FrameHeader& header,
                                             std::span<const std::uint8_t> payload) {
    auto prelude = parse_batch_prelude(payload);
    if (!prelude) {
        return std::move(prelude).failure();
    }
    // D1: demultiplex on the uncompressed prelude before touching the body.
    if (auto s = check_request(prelude.value().request_id, "RESULT_BATCH"); !s) {
        return std::move(s).failure();
    }
    if (prelude.value().batch_seq != next_seq_) {
        return fail(ErrorCode::protocol_error, "RESULT_BATCH seq " +
                                                   std::to_string(prelude.value().batch_seq) +
                                                   ", expected " + std::to_string(next_seq_));
    }
    auto batch =
        decoder_.decode(header.flags, prelude.value(), options_.zstd_negotiated, schema_, dict_);
    if (!batch) {
        return std::move(batch).failure();
    }
    ++next_seq_;
    batch_seen_ = true;
    InboundEvent ev;
    ev.wire_bytes = static_cast<std::uint32_t>(wire::kHeaderSize + header.payload_length);
    consumed_ += ev.wire_bytes;
    if (cancelled_) {
        ev.kind = InboundEvent::Kind::dropped_batch;
        return ev;
    }
    ev.kind = InboundEvent::Kind::batch;
    ev.batch = batch.value();
    return ev;
}

bool QueryProtocol::cancel(std::vector<std::uint8_t>& out) {
    if (!active_ || cancel_sent_) {
        return false;
    }
    cancelled_ = true;
    cancel_sent_ = true;
    wire::encode_cancel(request_id_, out);
    return true;
}

bool QueryProtocol::cancel_nudge(std::vector<std::uint8_t>& out) {
    if (!active_ || !cancel_sent_ || nudge_sent_ || initial_credit_ == 0) {
        return false;
    }
    nudge_sent_ = true;
    wire::encode_credit(request_id_, 1, out);  // not counted in granted_: no real grant
    return true;
}

bool QueryProtocol::on_batch_released(std::uint32_t wire_bytes, std::vector<std::uint8_t>& out) {
    if (!active_ || cancelled_ || initial_credit_ == 0 || wire_bytes == 0) {
        return false;
    }
    wire::encode_credit(request_id_, wire_bytes, out);
    granted_ += wire_bytes;
    return true;
}

Result<bool> QueryProtocol::add_credit(std::uint64_t bytes, std::vector<std::uint8_t>& out) {
    if (initial_credit_ == 0 && active_) {
        return fail(ErrorCode::invalid_api_call,
                    "add_credit on a query with unbounded credit (initial_credit 0)");
    }
    if (!active_ || cancelled_ || bytes == 0) {
        return false;
    }
    wire::encode_credit(request_id_, bytes, out);
    granted_ += bytes;
    return true;
}

}  // namespace questdb::egress
