#include "ilp/http_response.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/json.hpp>
#include <cctype>
#include <cstdint>
#include <optional>
#include <string>

#include "ilp/transport.hpp"

namespace questdb::ilp {
namespace {

using detail::fail;
using detail::Failure;

bool starts_with_icase(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) {
        return false;
    }
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        const auto a = static_cast<unsigned char>(text[i]);
        const auto b = static_cast<unsigned char>(prefix[i]);
        if (std::tolower(a) != std::tolower(b)) {
            return false;
        }
    }
    return true;
}

/// A JSON integer as int64, or nothing when it is not an integer or does not fit: a number
/// above INT64_MAX in a server's body must not throw out of error handling (found by fuzzing:
/// boost::json's to_number<int64_t>() throws on it).
std::optional<std::int64_t> json_int64(const boost::json::value& v) {
    if (v.is_int64()) {
        return v.get_int64();
    }
    if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
        return static_cast<std::int64_t>(v.get_uint64());
    }
    return std::nullopt;
}

}  // namespace

void limit_response_parser(HttpResponseParser& parser) {
    parser.body_limit(kMaxHttpResponseBody);
    parser.header_limit(kMaxHttpResponseHeader);
}

Connection::HttpResponse to_http_response(
    boost::beast::http::response<boost::beast::http::string_body>& response) {
    Connection::HttpResponse out;
    out.status = response.result_int();
    out.content_type = std::string(response[boost::beast::http::field::content_type]);
    out.keep_alive = response.keep_alive();
    out.body = std::move(response.body());
    return out;
}

detail::Result<Connection::HttpResponse> parse_http_response(std::string_view bytes) {
    HttpResponseParser parser;
    limit_response_parser(parser);
    parser.eager(true);
    boost::system::error_code ec;
    while (!ec && !parser.is_done() && !bytes.empty()) {
        const std::size_t used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
        if (ec == boost::beast::http::error::need_more) {
            ec = {};
            break;
        }
        bytes.remove_prefix(used);
        if (used == 0) {
            break;
        }
    }
    // put_eof() requires some bytes first; a socket read reports end_of_stream then.
    if (!ec && !parser.is_done() && !parser.got_some()) {
        ec = boost::beast::http::error::end_of_stream;
    }
    if (!ec && !parser.is_done()) {
        parser.put_eof(ec);  // a body delimited by the end of the connection
    }
    if (ec || !parser.is_done()) {
        return fail(ErrorCode::socket_error, "Could not read the HTTP response: " +
                                                 (ec ? ec.message() : std::string("incomplete")));
    }
    return to_http_response(parser.get());
}

detail::Failure http_failure(unsigned status, const Connection::HttpResponse& response) {
    const std::string code = "[http status " + std::to_string(status) + "]";
    if (status == 404) {
        return fail(ErrorCode::http_not_supported,
                    "Could not flush buffer: the HTTP endpoint does not support ILP " + code);
    }
    if (status == 401 || status == 403) {
        std::string detail = response.body.empty() ? "" : ": " + response.body.substr(0, 512);
        return fail(
            ErrorCode::auth_error,
            "Could not flush buffer: HTTP endpoint authentication error" + detail + " " + code);
    }
    return fail(ErrorCode::server_flush_error,
                "Could not flush buffer: " +
                    describe_server_error(response.content_type, response.body) + " " + code);
}

bool is_retriable_status(unsigned status) noexcept {
    switch (status) {
        case 500:  // internal server error
        case 503:  // service unavailable
        case 504:  // gateway timeout
        case 507:  // insufficient storage
        case 509:  // bandwidth limit exceeded
        case 523:  // origin is unreachable
        case 524:  // a timeout occurred
        case 529:  // site is overloaded
        case 599:  // network connect timeout error
            return true;
        default:
            return false;
    }
}

std::string describe_server_error(std::string_view content_type, std::string_view body) {
    if (!starts_with_icase(content_type, "application/json")) {
        return std::string(body.substr(0, 4096));
    }
    boost::system::error_code ec;
    const auto json = boost::json::parse(body, ec);
    if (ec || !json.is_object()) {
        return std::string(body.substr(0, 4096));
    }
    const auto& obj = json.as_object();
    const auto* message = obj.if_contains("message");
    if (message == nullptr || !message->is_string()) {
        return std::string(body.substr(0, 4096));
    }
    std::string out(message->as_string());
    std::string details;
    auto add = [&](const char* label, const std::string& value) {
        details += details.empty() ? "" : ", ";
        details += label;
        details += ": ";
        details += value;
    };
    if (const auto* id = obj.if_contains("errorId"); id && id->is_string()) {
        add("id", std::string(id->as_string()));
    }
    if (const auto* code = obj.if_contains("code"); code && code->is_string()) {
        add("code", std::string(code->as_string()));
    }
    if (const auto* line = obj.if_contains("line")) {
        if (const auto n = json_int64(*line)) {
            add("line", std::to_string(*n));
        }
    }
    if (!details.empty()) {
        out += " [" + details + "]";
    }
    return out;
}

detail::Result<ServerSettings> parse_server_settings(std::string_view body,
                                                     std::size_t default_max_name_len) {
    boost::system::error_code ec;
    const auto json = boost::json::parse(body, ec);
    if (ec || !json.is_object()) {
        return fail(ErrorCode::protocol_version_error,
                    "Malformed /settings response from the server: not a JSON object");
    }
    ServerSettings out;
    out.max_name_len = default_max_name_len;
    const auto* config = json.as_object().if_contains("config");
    const boost::json::object* cfg =
        (config != nullptr && config->is_object()) ? &config->as_object() : nullptr;
    const boost::json::value* versions =
        cfg != nullptr ? cfg->if_contains("line.proto.support.versions") : nullptr;
    if (versions != nullptr && versions->is_array()) {
        for (const auto& v : versions->as_array()) {
            if (const auto n = json_int64(v); n && *n >= 1 && *n <= 3) {
                out.versions.push_back(static_cast<ProtocolVersion>(*n));
            }
        }
    } else {
        out.versions.push_back(ProtocolVersion::v1);
    }
    if (cfg != nullptr) {
        if (const auto* len = cfg->if_contains("cairo.max.file.name.length")) {
            if (const auto n = json_int64(*len); n && *n > 0) {
                out.max_name_len = static_cast<std::size_t>(*n);
            }
        }
    }
    return out;
}

}  // namespace questdb::ilp
