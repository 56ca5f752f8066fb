#pragma once

/// @file
/// InfluxDB Line Protocol (ILP) versions, for the `http`, `https`, `tcp` and `tcps` senders
/// and for buffers in ILP mode.

#include <cstdint>

namespace questdb::ingress {

/// The ILP wire version a buffer writes and a sender speaks.
enum class ProtocolVersion : std::uint8_t {
    /// Text ILP: doubles in text, no arrays, no decimals. Every QuestDB version reads it.
    v1 = 1,
    /// Adds binary doubles, N-dimensional DOUBLE arrays and nanosecond timestamp suffixes
    /// (QuestDB 9.0.0 or later).
    v2 = 2,
    /// Adds DECIMAL values.
    v3 = 3,
};

}  // namespace questdb::ingress
