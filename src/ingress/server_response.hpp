#pragma once

// Parsing of the server -> client frames on a QWP ingress connection. Unlike every other QWP
// frame they carry no 12-byte header: byte 0 is the status.
//
//   OK           00 <sequence i64> <tableCount u16> { <nameLen u16> <name> <seqTxn i64> }*
//   error        <status u8> <sequence i64> <msgLen u16> <msg>
//   durable ack  02 <tableCount u16> { <nameLen u16> <name> <seqTxn i64> }*

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace questdb::ingress {

/// Status codes shared by ingress and egress (qwp-ingress-websocket.md, "Status codes").
enum class ServerStatus : std::uint8_t {
    ok = 0x00,
    durable_ack = 0x02,
    schema_mismatch = 0x03,
    parse_error = 0x05,
    internal_error = 0x06,
    security_error = 0x08,
    write_error = 0x09,
    cancelled = 0x0A,
    limit_exceeded = 0x0B,
    not_writable = 0x0C,
    dictionary_gap = 0x0D,
};

/// The name of a status for messages ("PARSE_ERROR", or "STATUS_0x2A" when unknown).
std::string status_name(std::uint8_t status);

/// How the sender reacts to an error status (qwp-client-behavior.md, checklist G13).
enum class RejectionKind : std::uint8_t {
    terminal,        ///< schema, parse, security: the sender latches the error and stops
    retriable,       ///< internal, write, unknown: reconnect to the same endpoint and replay
    rotate_endpoint, ///< NOT_WRITABLE, `retriable_other`: replay on the next endpoint
    dictionary_gap,  ///< re-register the dictionary from id 0 and resend
};

/// The user's overrides of the built-in kinds, one per category of the `on_*_error` keys
/// (connect-string.md, "Error handling"); empty keeps the built-in default.
struct RejectionPolicy {
    std::optional<RejectionKind> schema;    ///< SCHEMA_MISMATCH
    std::optional<RejectionKind> parse;     ///< PARSE_ERROR
    std::optional<RejectionKind> internal;  ///< INTERNAL_ERROR
    std::optional<RejectionKind> security;  ///< SECURITY_ERROR
    std::optional<RejectionKind> write;     ///< WRITE_ERROR
};

/// The built-in kind of a status. Unknown statuses are retriable (fail open: a status from a
/// newer server degrades to a retry, not to a dead sender).
RejectionKind classify_rejection(std::uint8_t status) noexcept;

/// The kind of a status after the user's policy; statuses outside the five categories
/// (NOT_WRITABLE, DICTIONARY_GAP, unknown) keep their built-in kind.
RejectionKind classify_rejection(std::uint8_t status, const RejectionPolicy& policy) noexcept;

/// The ErrorCode a user sees for a rejection status.
ErrorCode error_code_for_status(std::uint8_t status) noexcept;

struct TableTxn {
    std::string table;
    std::int64_t seq_txn = 0;
};

struct ServerResponse {
    std::uint8_t status = 0;
    std::int64_t sequence = -1;      ///< absent (-1) on durable acks
    std::vector<TableTxn> tables;    ///< OK and durable ack
    std::string message;             ///< error responses

    [[nodiscard]] bool is_ok() const noexcept { return status == 0x00; }
    [[nodiscard]] bool is_durable_ack() const noexcept { return status == 0x02; }
    [[nodiscard]] bool is_error() const noexcept { return !is_ok() && !is_durable_ack(); }
};

/// Parses one frame strictly: truncation, trailing bytes and lengths past the end are a
/// protocol_error. `out` is reused (its vectors keep their capacity).
::questdb::detail::Status parse_server_response(std::span<const std::uint8_t> frame, ServerResponse& out);

/// Encodes a response (used by the in-tree test server and by tests).
void encode_server_response(const ServerResponse& response, std::vector<std::uint8_t>& out);

}  // namespace questdb::ingress
