#pragma once

// The upgrade response as Beast parsed it, turned into our value type and, when the upgrade
// failed, into the ConnectOutcome the failover rules act on. Only Beast's HTTP headers here
// (not the WebSocket stream), so the fuzz target tests/fuzz/ws_upgrade_response.cpp can run the
// same code on parsed bytes without a socket.

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <string_view>

#include "ws/upgrade.hpp"

namespace questdb::ws::detail_ws {

/// Maps a failed upgrade (Beast's handshake error) to an outcome; `response` is what was
/// parsed of the server's answer.
ConnectOutcome upgrade_failure(const boost::system::error_code& ec, const UpgradeResponse& response,
                               const Endpoint& endpoint, std::string_view path,
                               std::chrono::milliseconds auth_timeout);
/// Copies Beast's response into our value type (at most kMaxKeptBody bytes of the body).
UpgradeResponse to_upgrade_response(
    const boost::beast::http::response<boost::beast::http::string_body>& response);

}  // namespace questdb::ws::detail_ws
