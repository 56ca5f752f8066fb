#pragma once

// `addr` values: `host[:port]` entries separated by ',', IPv6 literals in brackets.

#include <string_view>
#include <vector>

#include "conf/state.hpp"

namespace questdb::conf::detail {

/// Most endpoints one connect string may list (bounds failover walks and health tables).
inline constexpr std::size_t kMaxEndpoints = 1024;

/// Appends the entries of one `addr` value to `out`, using `fallback_port` where an entry
/// has no port. Rejects empty entries, bad hosts and ports, and an endpoint already in `out`.
Status append_endpoints(std::string_view addr, std::uint16_t fallback_port,
                        std::vector<Endpoint>& out);

}  // namespace questdb::conf::detail
