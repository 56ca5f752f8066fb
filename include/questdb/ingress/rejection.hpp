#pragma once

/// @file
/// Server rejections of ingested frames, as `poll_qwp_ws_error()` reports them.

#include <cstdint>
#include <optional>
#include <string>

#include "questdb/error.hpp"

namespace questdb::ingress {

/// One frame the server refused (a QWP error status), or a store-and-forward fault on the
/// delivery thread. Plain value type.
struct Rejection {
    /// The QWP status byte: 0x03 SCHEMA_MISMATCH, 0x05 PARSE_ERROR, 0x06 INTERNAL_ERROR,
    /// 0x08 SECURITY_ERROR, 0x09 WRITE_ERROR, 0x0D DICTIONARY_GAP, ... (0 for a local
    /// store-and-forward fault).
    std::uint8_t status = 0;
    /// The status name, e.g. "SCHEMA_MISMATCH".
    std::string status_name;
    /// The ErrorCode the status maps to.
    ErrorCode code = ErrorCode::server_rejection;
    /// The server's message.
    std::string message;
    /// The frame sequence number of the rejected frame, if it carried one.
    std::optional<std::int64_t> fsn;
    /// True when the sender stopped because of it (schema, parse and security errors, or a
    /// frame rejected again and again); false when the sender retries (the frame stays queued).
    bool terminal = false;
    /// The `host:port` that answered.
    std::string endpoint;
};

}  // namespace questdb::ingress
