#pragma once

#include <cstddef>

#include "ws/upgrade.hpp"

namespace questdb::ingress {

/// Whether an ingress upgrade response is acceptable: QWP version 1 (per endpoint, transient
/// otherwise, so a node mid-upgrade does not lock us out of the others), and the durable-ack
/// confirmation when `durable` was requested (terminal otherwise). Shared by the
/// store-and-forward delivery loop and the direct sender.
[[nodiscard]] ws::ConnectOutcome validate_ingress_upgrade(const ws::UpgradeResponse& response,
                                                          bool durable);

/// The frame cap the server advertised in `X-QWP-Max-Batch-Size`, or `fallback` when the
/// header is missing, zero or not a plain decimal number.
[[nodiscard]] std::size_t advertised_frame_cap(const ws::UpgradeResponse& response,
                                               std::size_t fallback);

}  // namespace questdb::ingress
