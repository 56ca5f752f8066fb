#pragma once

// What an ILP/HTTP sender makes of the server's HTTP response: Beast's parsed response to our
// value type, the failure a non-2xx status becomes (with QuestDB's JSON error body decoded),
// and the /settings body. No I/O, so the fuzz target tests/fuzz/ilp_http_response.cpp can feed
// it raw bytes through parse_http_response(), the same parser limits and conversion that
// Connection::http_exchange() applies to a socket.

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <string_view>

#include "core/result.hpp"
#include "ilp/connection.hpp"

namespace questdb::ilp {

/// Limits on a response: a larger body or header block is a failed read.
inline constexpr std::uint64_t kMaxHttpResponseBody = 4u << 20;
inline constexpr std::uint32_t kMaxHttpResponseHeader = 64u << 10;

/// A response parser configured with those limits.
using HttpResponseParser = boost::beast::http::response_parser<boost::beast::http::string_body>;
void limit_response_parser(HttpResponseParser& parser);

/// Takes the parsed response (moves its body out).
Connection::HttpResponse to_http_response(
    boost::beast::http::response<boost::beast::http::string_body>& response);

/// Parses one complete HTTP/1.1 response held in `bytes` (a seam for fuzzing and tests);
/// socket_error when it is malformed or incomplete, as a failed read would be.
detail::Result<Connection::HttpResponse> parse_http_response(std::string_view bytes);

/// The failure a non-2xx response becomes: http_not_supported (404), auth_error (401/403),
/// otherwise server_flush_error with the decoded error body.
detail::Failure http_failure(unsigned status, const Connection::HttpResponse& response);

}  // namespace questdb::ilp
