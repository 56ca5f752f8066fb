#pragma once

/// @file
/// Acknowledgement levels for `wait`.

#include <cstdint>

namespace questdb::ingress {

/// How far the server must have taken data before `wait` returns.
enum class AckLevel : std::uint8_t {
    /// The server acknowledged the frame: its rows are committed to the write-ahead log.
    ok,
    /// The server confirmed the commit durable (object-store upload). Needs
    /// `request_durable_ack=on` and a server that confirms it at the upgrade.
    durable,
};

}  // namespace questdb::ingress
