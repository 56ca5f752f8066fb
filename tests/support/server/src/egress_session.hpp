#pragma once

// The QWP egress (query) WebSocket endpoint, /read/v1 and /api/v1/read.

#include "server_impl.hpp"
#include "session_common.hpp"

namespace questdb::test_server::detail {

/// Serves one egress connection after the router accepted its upgrade request. Takes over
/// `stream` (moved from).
awaitable<void> serve_egress(Server::Impl& impl, PlainStream& stream, HttpRequest req,
                             std::uint8_t version);
awaitable<void> serve_egress(Server::Impl& impl, TlsStream& stream, HttpRequest req,
                             std::uint8_t version);

}  // namespace questdb::test_server::detail
