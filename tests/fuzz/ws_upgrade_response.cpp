// Fuzzes what the WebSocket layer makes of a server's answer to the upgrade request: Beast's
// HTTP response parser (the one its handshake runs), then src/ws's conversion to
// UpgradeResponse and the classification of a refused or failed upgrade into the verdict the
// endpoint walk acts on (src/ws/upgrade_response.cpp, src/ws/upgrade.cpp). The messages built
// from server-controlled text must stay single-line, printable, and bounded.

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/websocket/error.hpp>
#include <cstdlib>
#include <string_view>

#include "fuzz_support.hpp"
#include "ws/upgrade.hpp"
#include "ws/upgrade_response.hpp"

namespace {

using namespace questdb;
namespace http = boost::beast::http;

void write_seeds(fuzz::SeedWriter& seeds) {
    seeds.add("101",
              "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nX-QWP-Version: 1\r\n"
              "X-QWP-Durable-Ack: enabled\r\nX-QWP-Content-Encoding: zstd\r\n\r\n");
    seeds.add("401", "HTTP/1.1 401 Unauthorized\r\nContent-Length: 12\r\n\r\nbad password");
    seeds.add("421-role",
              "HTTP/1.1 421 Misdirected Request\r\nX-QuestDB-Role: PRIMARY_CATCHUP\r\n"
              "X-QuestDB-Zone: eu-1\r\nContent-Length: 0\r\n\r\n");
    seeds.add(
        "404-chunked",
        "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
    seeds.add("503-close", "HTTP/1.0 503 Busy\r\nConnection: close\r\n\r\nnot now\n\x01\x7f");
}

void check_message(const ws::ConnectOutcome& outcome) {
    const auto& message = outcome.failure.message;
    // Reason and body are quoted in one line (bounded excerpts), so a hostile server cannot
    // inject lines into logs or blow up messages.
    if (message.size() > 16384) {
        std::abort();
    }
    (void)outcome.role_reject_is_transient();
    (void)outcome.status();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::write_seeds_if_asked(write_seeds);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    http::response_parser<http::string_body> parser;
    parser.eager(true);
    boost::system::error_code ec;
    std::string_view rest(reinterpret_cast<const char*>(data), size);
    while (!ec && !parser.is_done() && !rest.empty()) {
        const auto used = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
        if (ec == http::error::need_more || used == 0) {
            break;
        }
        rest.remove_prefix(used);
    }
    if (ec == http::error::need_more) {
        ec = {};
    }
    // put_eof() requires some bytes first; a socket read reports end_of_stream then.
    if (!ec && !parser.is_done() && !parser.got_some()) {
        ec = boost::beast::http::error::end_of_stream;
    }
    if (!ec && !parser.is_done()) {
        parser.put_eof(ec);
    }
    const ws::Endpoint endpoint{"db.example", 9000};
    const auto response = ws::detail_ws::to_upgrade_response(parser.get());
    if (response.body.size() > ws::UpgradeResponse::kMaxKeptBody) {
        std::abort();
    }
    for (const char* name : {"X-QWP-Version", "X-QWP-Durable-Ack", "X-QWP-Content-Encoding",
                             "X-QuestDB-Role", "x-questdb-zone"}) {
        (void)response.header(name);
    }
    if (ec) {  // a malformed answer: what Beast's handshake would report
        check_message(ws::detail_ws::upgrade_failure(ec, response, endpoint, "/write/v4",
                                                     std::chrono::milliseconds(15000)));
        return 0;
    }
    check_message(ws::detail_ws::upgrade_failure(boost::beast::websocket::error::upgrade_declined,
                                                 response, endpoint, "/write/v4",
                                                 std::chrono::milliseconds(15000)));
    check_message(ws::classify_rejected_upgrade(response, endpoint, "/read/v1"));
    return 0;
}
