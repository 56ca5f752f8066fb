#include "ws/upgrade_response.hpp"

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/websocket/error.hpp>
#include <string>

namespace questdb::ws::detail_ws {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using boost::system::error_code;

UpgradeResponse to_upgrade_response(
    const beast::http::response<beast::http::string_body>& response) {
    UpgradeResponse out;
    out.status = response.result_int();
    out.reason = std::string(response.reason());
    for (const auto& field : response) {
        out.headers.push_back(Header{std::string(field.name_string()), std::string(field.value())});
    }
    out.body = response.body().substr(0, UpgradeResponse::kMaxKeptBody);
    return out;
}

ConnectOutcome upgrade_failure(const error_code& ec, const UpgradeResponse& response,
                               const Endpoint& endpoint, std::string_view path,
                               std::chrono::milliseconds auth_timeout) {
    const std::string where = endpoint.to_string();
    if (ec == websocket::error::upgrade_declined) {
        return classify_rejected_upgrade(response, endpoint, path);
    }
    if (ec == beast::error::timeout) {
        return ConnectOutcome::make(Verdict::transient, ErrorCode::socket_error,
                                    "no WebSocket upgrade response from " + where + " within " +
                                        std::to_string(auth_timeout.count()) +
                                        " ms (auth_timeout_ms)");
    }
    ConnectOutcome outcome;
    const auto& ws_category = websocket::make_error_code(websocket::error::closed).category();
    const auto& http_category =
        beast::http::make_error_code(beast::http::error::bad_version).category();
    if (ec.category() == ws_category || ec.category() == http_category) {
        outcome = ConnectOutcome::make(Verdict::transient, ErrorCode::handshake_error,
                                       "invalid WebSocket upgrade response from " + where +
                                           std::string(path) + ": " + ec.message());
    } else {
        outcome =
            ConnectOutcome::make(Verdict::transient, ErrorCode::socket_error,
                                 "WebSocket upgrade with " + where + " failed: " + ec.message());
    }
    outcome.http_status = response.status;
    return outcome;
}

}  // namespace questdb::ws::detail_ws
