#include "egress/messages.hpp"

#include <string>

#include "qwp/utf8.hpp"
#include "qwp/wire.hpp"

namespace questdb::egress::wire {

using detail::fail;
using detail::Result;
using detail::Status;

namespace {

detail::Failure truncated(std::string_view what) {
    return fail(ErrorCode::protocol_error,
                "truncated or malformed " + std::string(what) + " frame");
}

bool read_u16_string(qwp::ByteReader& r, std::string& out) {
    std::uint16_t len = 0;
    std::span<const std::uint8_t> bytes;
    if (!r.le(len) || !r.bytes(len, bytes)) {
        return false;
    }
    out.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return true;
}

// Reads msg_kind, checks it, then the request_id that follows in every per-request message.
bool read_prelude(qwp::ByteReader& r, MsgKind expected, std::int64_t& request_id) {
    std::uint8_t kind = 0;
    return r.u8(kind) && kind == static_cast<std::uint8_t>(expected) && r.le(request_id);
}

}  // namespace

Result<FrameHeader> decode_header(Bytes frame, std::uint8_t expected_version) {
    qwp::ByteReader r(frame);
    std::uint32_t magic = 0;
    FrameHeader h;
    if (!r.le(magic) || !r.u8(h.version) || !r.u8(h.flags) || !r.le(h.table_count) ||
        !r.le(h.payload_length)) {
        return fail(ErrorCode::protocol_error, "server frame of " + std::to_string(frame.size()) +
                                                   " bytes is shorter than the 12-byte QWP header");
    }
    if (magic != kMagic) {
        return fail(ErrorCode::protocol_error, "server frame has a bad QWP magic");
    }
    if (h.version != expected_version) {
        return fail(ErrorCode::protocol_error, "server frame has QWP version " +
                                                   std::to_string(h.version) + ", negotiated " +
                                                   std::to_string(expected_version));
    }
    if (h.payload_length != frame.size() - kHeaderSize) {
        return fail(ErrorCode::protocol_error, "server frame payload_length " +
                                                   std::to_string(h.payload_length) +
                                                   " disagrees with the WebSocket message length " +
                                                   std::to_string(frame.size()));
    }
    if (h.payload_length == 0) {
        return fail(ErrorCode::protocol_error, "server frame has an empty payload (no msg_kind)");
    }
    return h;
}

Result<MsgKind> server_msg_kind(Bytes frame) {
    if (frame.size() <= kHeaderSize) {
        return fail(ErrorCode::protocol_error, "server frame has no msg_kind");
    }
    const std::uint8_t kind = frame[kHeaderSize];
    switch (static_cast<MsgKind>(kind)) {
        case MsgKind::result_batch:
        case MsgKind::result_end:
        case MsgKind::query_error:
        case MsgKind::exec_done:
        case MsgKind::cache_reset:
        case MsgKind::server_info:
            return static_cast<MsgKind>(kind);
        default:
            return fail(
                ErrorCode::protocol_error, "server sent unknown or client-only msg_kind 0x" + [&] {
                    static const char* hex = "0123456789abcdef";
                    return std::string{hex[kind >> 4], hex[kind & 15]};
                }());
    }
}

Result<ServerInfo> decode_server_info(Bytes payload) {
    qwp::ByteReader r(payload);
    std::uint8_t kind = 0;
    std::uint8_t role = 0;
    ServerInfo info;
    if (!r.u8(kind) || kind != static_cast<std::uint8_t>(MsgKind::server_info) || !r.u8(role) ||
        !r.le(info.epoch) || !r.le(info.capabilities) || !r.le(info.server_wall_ns) ||
        !read_u16_string(r, info.cluster_id) || !read_u16_string(r, info.node_id)) {
        return truncated("SERVER_INFO");
    }
    info.role = static_cast<ServerRole>(role);
    if ((info.capabilities & kCapZone) != 0) {
        std::string zone;
        if (!read_u16_string(r, zone)) {
            return truncated("SERVER_INFO");
        }
        info.zone_id = std::move(zone);
    }
    // Trailing bytes belong to future capabilities: ignored on purpose (A15).
    return info;
}

Result<ResultEndMsg> decode_result_end(Bytes payload) {
    qwp::ByteReader r(payload);
    ResultEndMsg m;
    if (!read_prelude(r, MsgKind::result_end, m.request_id) || !r.varint(m.end.final_seq) ||
        !r.varint(m.end.total_rows) || !r.at_end()) {
        return truncated("RESULT_END");
    }
    return m;
}

Result<QueryErrorMsg> decode_query_error(Bytes payload) {
    qwp::ByteReader r(payload);
    QueryErrorMsg m;
    if (!read_prelude(r, MsgKind::query_error, m.request_id) || !r.u8(m.status) ||
        !read_u16_string(r, m.message) || !r.at_end()) {
        return truncated("QUERY_ERROR");
    }
    return m;
}

Result<ExecDoneMsg> decode_exec_done(Bytes payload) {
    qwp::ByteReader r(payload);
    ExecDoneMsg m;
    if (!read_prelude(r, MsgKind::exec_done, m.request_id) || !r.u8(m.done.op_type) ||
        !r.varint(m.done.rows_affected) || !r.at_end()) {
        return truncated("EXEC_DONE");
    }
    return m;
}

Result<std::uint8_t> decode_cache_reset(Bytes payload) {
    qwp::ByteReader r(payload);
    std::uint8_t kind = 0;
    std::uint8_t mask = 0;
    if (!r.u8(kind) || kind != static_cast<std::uint8_t>(MsgKind::cache_reset) || !r.u8(mask) ||
        !r.at_end()) {
        return truncated("CACHE_RESET");
    }
    return mask;
}

ErrorCode error_code_for_status(std::uint8_t status) noexcept {
    switch (status) {
        case kStatusSchemaMismatch:
            return ErrorCode::server_schema_mismatch;
        case kStatusParseError:
            return ErrorCode::server_parse_error;
        case kStatusInternalError:
            return ErrorCode::server_internal_error;
        case kStatusSecurityError:
            return ErrorCode::server_security_error;
        case kStatusCancelled:
            return ErrorCode::cancelled;
        case kStatusLimitExceeded:
            return ErrorCode::server_limit_exceeded;
        default:
            return ErrorCode::query_error;
    }
}

Status encode_query_request(const QueryRequest& request, std::vector<std::uint8_t>& out,
                            std::size_t max_frame_bytes) {
    if (request.sql.size() > kMaxSqlBytes) {
        return fail(ErrorCode::limit_exceeded, "SQL text of " + std::to_string(request.sql.size()) +
                                                   " bytes exceeds the 1 MiB limit");
    }
    if (!qwp::is_valid_utf8(request.sql)) {
        return fail(ErrorCode::invalid_utf8, "SQL text is not valid UTF-8");
    }
    if (request.bind_count > kMaxBinds) {
        return fail(ErrorCode::limit_exceeded, std::to_string(request.bind_count) +
                                                   " bind parameters exceed the limit of 1024");
    }
    if (request.request_id < 0) {
        return fail(ErrorCode::invalid_api_call, "request_id must be non-negative");
    }
    const std::size_t size = 1 + 8 + qwp::varint_size(request.sql.size()) + request.sql.size() +
                             qwp::varint_size(request.initial_credit) +
                             qwp::varint_size(request.bind_count) + request.binds.size() +
                             (request.with_query_flags ? qwp::varint_size(request.query_flags) : 0);
    if (size > max_frame_bytes) {
        return fail(ErrorCode::limit_exceeded, "QUERY_REQUEST of " + std::to_string(size) +
                                                   " bytes exceeds the frame cap of " +
                                                   std::to_string(max_frame_bytes));
    }
    out.clear();
    out.reserve(size);
    qwp::ByteWriter w(out);
    w.u8(static_cast<std::uint8_t>(MsgKind::query_request));
    w.le(request.request_id);
    w.varint(request.sql.size());
    w.bytes(request.sql);
    w.varint(request.initial_credit);
    w.varint(request.bind_count);
    w.bytes(request.binds.data(), request.binds.size());
    if (request.with_query_flags) {
        w.varint(request.query_flags);
    }
    return {};
}

void encode_cancel(std::int64_t request_id, std::vector<std::uint8_t>& out) {
    out.clear();
    qwp::ByteWriter w(out);
    w.u8(static_cast<std::uint8_t>(MsgKind::cancel));
    w.le(request_id);
}

void encode_credit(std::int64_t request_id, std::uint64_t additional_bytes,
                   std::vector<std::uint8_t>& out) {
    out.clear();
    qwp::ByteWriter w(out);
    w.u8(static_cast<std::uint8_t>(MsgKind::credit));
    w.le(request_id);
    w.varint(additional_bytes);
}

}  // namespace questdb::egress::wire
