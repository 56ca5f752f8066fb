#include "ingress/server_response.hpp"

#include <algorithm>
#include <cstdio>

#include "qwp/wire.hpp"

namespace questdb::ingress {
namespace {

::questdb::detail::Failure malformed(std::string_view what) {
    return ::questdb::detail::fail(ErrorCode::protocol_error,
                        "malformed ingress response from server: " + std::string(what));
}

bool read_name(qwp::ByteReader& in, std::string& out) {
    std::uint16_t len = 0;
    std::span<const std::uint8_t> bytes;
    if (!in.le(len) || !in.bytes(len, bytes)) {
        return false;
    }
    out.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return true;
}

bool read_tables(qwp::ByteReader& in, std::vector<TableTxn>& tables) {
    std::uint16_t count = 0;
    if (!in.le(count)) {
        return false;
    }
    tables.resize(count);
    for (auto& entry : tables) {
        if (!read_name(in, entry.table) || !in.le(entry.seq_txn)) {
            return false;
        }
    }
    return true;
}

void write_tables(qwp::ByteWriter& out, const std::vector<TableTxn>& tables) {
    out.le(static_cast<std::uint16_t>(tables.size()));
    for (const auto& entry : tables) {
        out.le(static_cast<std::uint16_t>(entry.table.size()));
        out.bytes(entry.table);
        out.le(entry.seq_txn);
    }
}

}  // namespace

std::string status_name(std::uint8_t status) {
    switch (static_cast<ServerStatus>(status)) {
        case ServerStatus::ok: return "OK";
        case ServerStatus::durable_ack: return "DURABLE_ACK";
        case ServerStatus::schema_mismatch: return "SCHEMA_MISMATCH";
        case ServerStatus::parse_error: return "PARSE_ERROR";
        case ServerStatus::internal_error: return "INTERNAL_ERROR";
        case ServerStatus::security_error: return "SECURITY_ERROR";
        case ServerStatus::write_error: return "WRITE_ERROR";
        case ServerStatus::cancelled: return "CANCELLED";
        case ServerStatus::limit_exceeded: return "LIMIT_EXCEEDED";
        case ServerStatus::not_writable: return "NOT_WRITABLE";
        case ServerStatus::dictionary_gap: return "DICTIONARY_GAP";
    }
    char buf[16];
    std::snprintf(buf, sizeof buf, "STATUS_0x%02X", status);
    return buf;
}

RejectionKind classify_rejection(std::uint8_t status) noexcept {
    switch (static_cast<ServerStatus>(status)) {
        case ServerStatus::schema_mismatch:
        case ServerStatus::parse_error:
        case ServerStatus::security_error:
            return RejectionKind::terminal;
        case ServerStatus::not_writable:
            return RejectionKind::rotate_endpoint;
        case ServerStatus::dictionary_gap:
            return RejectionKind::dictionary_gap;
        default:
            return RejectionKind::retriable;  // internal, write and unknown statuses
    }
}

RejectionKind classify_rejection(std::uint8_t status, const RejectionPolicy& policy) noexcept {
    const std::optional<RejectionKind>* chosen = nullptr;
    switch (static_cast<ServerStatus>(status)) {
        case ServerStatus::schema_mismatch: chosen = &policy.schema; break;
        case ServerStatus::parse_error: chosen = &policy.parse; break;
        case ServerStatus::internal_error: chosen = &policy.internal; break;
        case ServerStatus::security_error: chosen = &policy.security; break;
        case ServerStatus::write_error: chosen = &policy.write; break;
        default: break;
    }
    return chosen != nullptr && chosen->has_value() ? **chosen : classify_rejection(status);
}

ErrorCode error_code_for_status(std::uint8_t status) noexcept {
    switch (static_cast<ServerStatus>(status)) {
        case ServerStatus::schema_mismatch: return ErrorCode::server_schema_mismatch;
        case ServerStatus::parse_error: return ErrorCode::server_parse_error;
        case ServerStatus::internal_error: return ErrorCode::server_internal_error;
        case ServerStatus::security_error: return ErrorCode::server_security_error;
        case ServerStatus::write_error: return ErrorCode::server_write_error;
        case ServerStatus::limit_exceeded: return ErrorCode::server_limit_exceeded;
        default: return ErrorCode::server_rejection;
    }
}

::questdb::detail::Status parse_server_response(std::span<const std::uint8_t> frame, ServerResponse& out) {
    qwp::ByteReader in(frame);
    out.tables.clear();
    out.message.clear();
    out.sequence = -1;
    if (!in.u8(out.status)) {
        return malformed("empty frame");
    }
    if (out.is_durable_ack()) {
        if (!read_tables(in, out.tables)) {
            return malformed("truncated durable ack");
        }
    } else {
        if (!in.le(out.sequence)) {
            return malformed("truncated sequence");
        }
        const bool complete = out.is_ok() ? read_tables(in, out.tables) : read_name(in, out.message);
        if (!complete) {
            return malformed(out.is_ok() ? "truncated OK table list" : "truncated error message");
        }
    }
    if (!in.at_end()) {
        return malformed(std::to_string(in.remaining()) + " trailing bytes after " +
                         status_name(out.status));
    }
    return {};
}

void encode_server_response(const ServerResponse& response, std::vector<std::uint8_t>& out) {
    qwp::ByteWriter w(out);
    w.u8(response.status);
    if (response.is_durable_ack()) {
        write_tables(w, response.tables);
        return;
    }
    w.le(response.sequence);
    if (response.is_ok()) {
        write_tables(w, response.tables);
    } else {
        const auto len = std::min<std::size_t>(response.message.size(), 0xFFFF);
        w.le(static_cast<std::uint16_t>(len));
        w.bytes(response.message.data(), len);
    }
}

}  // namespace questdb::ingress
