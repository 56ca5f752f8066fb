#pragma once

// Codec of the egress control messages (everything but the RESULT_BATCH body): the 12-byte
// server header, SERVER_INFO, RESULT_END, QUERY_ERROR, EXEC_DONE, CACHE_RESET decoding, and
// the client frames QUERY_REQUEST, CANCEL and CREDIT. Pure functions, no I/O.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "egress/status.hpp"
#include "egress/wire_format.hpp"
#include "questdb/egress/types.hpp"

namespace questdb::egress::wire {

using Bytes = std::span<const std::uint8_t>;

struct FrameHeader {
    std::uint8_t version = 0;
    std::uint8_t flags = 0;
    std::uint16_t table_count = 0;
    std::uint32_t payload_length = 0;
};

/// Validates magic, version (== expected) and payload_length (== frame.size() - 12).
detail::Result<FrameHeader> decode_header(Bytes frame, std::uint8_t expected_version = kVersion);

/// The msg_kind byte of a validated server frame.
detail::Result<MsgKind> server_msg_kind(Bytes frame);

struct QueryErrorMsg {
    std::int64_t request_id = 0;
    std::uint8_t status = 0;
    std::string message;
};
struct ResultEndMsg {
    std::int64_t request_id = 0;
    ResultEnd end;
};
struct ExecDoneMsg {
    std::int64_t request_id = 0;
    ExecDone done;
};

// Each decoder takes the payload (after the 12-byte header), starting at msg_kind, and
// rejects truncation; trailing bytes are tolerated only for SERVER_INFO (future fields).
detail::Result<ServerInfo> decode_server_info(Bytes payload);
detail::Result<ResultEndMsg> decode_result_end(Bytes payload);
detail::Result<QueryErrorMsg> decode_query_error(Bytes payload);
detail::Result<ExecDoneMsg> decode_exec_done(Bytes payload);
detail::Result<std::uint8_t> decode_cache_reset(Bytes payload);

/// The server status of a QUERY_ERROR as an ErrorCode.
ErrorCode error_code_for_status(std::uint8_t status) noexcept;

/// A QUERY_REQUEST to encode. `binds` holds bind_count already-encoded bind blocks
/// (see binds.hpp); `query_flags` is written only when `with_query_flags` (CAP_QUERY_FLAGS).
struct QueryRequest {
    std::int64_t request_id = 0;
    std::string_view sql;
    std::uint64_t initial_credit = 0;
    std::uint32_t bind_count = 0;
    Bytes binds;
    bool with_query_flags = false;
    std::uint64_t query_flags = 0;
};

/// Encodes a QUERY_REQUEST into `out` (cleared first). Fails with limit_exceeded on SQL
/// > 1 MiB, > 1024 binds, or a frame above `max_frame_bytes`; nothing is written then.
detail::Status encode_query_request(const QueryRequest& request, std::vector<std::uint8_t>& out,
                                    std::size_t max_frame_bytes = kDefaultMaxRequestBytes);
void encode_cancel(std::int64_t request_id, std::vector<std::uint8_t>& out);
void encode_credit(std::int64_t request_id, std::uint64_t additional_bytes,
                   std::vector<std::uint8_t>& out);

}  // namespace questdb::egress::wire
