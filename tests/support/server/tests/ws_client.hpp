#pragma once

// A minimal blocking WebSocket/HTTP client on Beast for the test server's own tests (the
// library's transport is tested separately). Every socket read times out after 10 s so a
// broken server fails a test instead of hanging it.

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "qwp/wire.hpp"

namespace questdb::test_server::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

inline void set_read_timeout(tcp::socket& socket, int seconds = 10) {
    timeval tv{seconds, 0};
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

/// A WebSocket connection to the test server (plain TCP).
class WsClient {
  public:
    WsClient(std::uint16_t port, std::string target = "/write/v4",
             std::map<std::string, std::string> headers = {{"X-QWP-Max-Version", "1"}})
        : ws_(ioc_) {
        tcp::socket& socket = ws_.next_layer();
        socket.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port));
        set_read_timeout(socket);
        ws_.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
            for (const auto& [k, v] : headers)
                req.set(k, v);
        }));
        ws_.handshake(response_, "127.0.0.1", target, error_);
        ws_.binary(true);
        ws_.read_message_max(64 * 1024 * 1024);
    }

    /// Whether the upgrade succeeded (101).
    [[nodiscard]] bool upgraded() const { return !error_; }
    [[nodiscard]] const websocket::response_type& response() const { return response_; }
    [[nodiscard]] std::string header(const std::string& name) const {
        auto it = response_.find(name);
        return it == response_.end() ? std::string() : std::string(it->value());
    }

    void send(const std::vector<std::uint8_t>& frame) { ws_.write(asio::buffer(frame)); }
    beast::error_code try_send(const std::vector<std::uint8_t>& frame) {
        beast::error_code ec;
        ws_.write(asio::buffer(frame), ec);
        return ec;
    }

    /// The next binary message, or nullopt on close/error (error() then says why).
    std::optional<std::vector<std::uint8_t>> read() {
        beast::flat_buffer buffer;
        ws_.read(buffer, error_);
        if (error_)
            return std::nullopt;
        const auto* p = static_cast<const std::uint8_t*>(buffer.data().data());
        return std::vector<std::uint8_t>(p, p + buffer.size());
    }
    [[nodiscard]] beast::error_code error() const { return error_; }
    [[nodiscard]] websocket::close_reason close_reason() const { return ws_.reason(); }
    void close() {
        beast::error_code ec;
        ws_.close(websocket::close_code::normal, ec);
    }
    /// Sends raw bytes on the socket (bypassing WebSocket framing).
    void send_raw(const std::vector<std::uint8_t>& bytes) {
        asio::write(ws_.next_layer(), asio::buffer(bytes));
    }

  private:
    asio::io_context ioc_;
    websocket::stream<tcp::socket> ws_;
    websocket::response_type response_;
    beast::error_code error_;
};

/// One HTTP request/response over a fresh connection.
inline http::response<http::string_body> http_request(
    std::uint16_t port, http::verb method, const std::string& target, std::string body = {},
    std::map<std::string, std::string> headers = {}) {
    asio::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port));
    set_read_timeout(socket);
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers)
        req.set(k, v);
    req.body() = std::move(body);
    req.prepare_payload();
    http::write(socket, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(socket, buffer, res);
    return res;
}

// ---- decoding server responses ----

struct IngressResponse {
    std::uint8_t status = 0xFF;
    std::int64_t sequence = -1;
    std::map<std::string, std::int64_t> tables;  // OK / durable ack
    std::string message;                         // errors
};

inline IngressResponse parse_response(const std::vector<std::uint8_t>& bytes) {
    IngressResponse r;
    qwp::ByteReader in(bytes);
    if (!in.u8(r.status))
        throw std::runtime_error("empty response");
    if (r.status != 0x02 && !in.le(r.sequence))
        throw std::runtime_error("short response");
    if (r.status == 0x00 || r.status == 0x02) {
        std::uint16_t count = 0;
        if (!in.le(count))
            throw std::runtime_error("short table count");
        for (unsigned i = 0; i < count; ++i) {
            std::uint16_t len = 0;
            std::span<const std::uint8_t> name;
            std::int64_t seq = 0;
            if (!in.le(len) || !in.bytes(len, name) || !in.le(seq)) {
                throw std::runtime_error("short table entry");
            }
            r.tables[std::string(name.begin(), name.end())] = seq;
        }
    } else {
        std::uint16_t len = 0;
        std::span<const std::uint8_t> msg;
        if (!in.le(len) || !in.bytes(len, msg))
            throw std::runtime_error("short error message");
        r.message.assign(msg.begin(), msg.end());
    }
    if (!in.at_end())
        throw std::runtime_error("trailing bytes in response");
    return r;
}

// ---- building ingress frames by hand (test-side encoder of a few simple shapes) ----

/// One table block: LONG columns plus an optional designated TIMESTAMP (micros).
struct SimpleBlock {
    std::string table;
    std::vector<std::string> long_columns;
    std::vector<std::vector<std::int64_t>> rows;  // one value per long column
    std::vector<std::int64_t> timestamps;         // empty: no designated column
};

inline std::vector<std::uint8_t> build_frame(const std::vector<SimpleBlock>& blocks,
                                             std::uint8_t flags = 0, std::uint8_t version = 1) {
    std::vector<std::uint8_t> payload;
    qwp::ByteWriter w(payload);
    for (const auto& b : blocks) {
        w.varint(b.table.size());
        w.bytes(b.table);
        w.varint(b.rows.size());
        w.varint(b.long_columns.size() + (b.timestamps.empty() ? 0 : 1));
        for (const auto& c : b.long_columns) {
            w.varint(c.size());
            w.bytes(c);
            w.u8(0x05);
        }
        if (!b.timestamps.empty()) {
            w.varint(0);
            w.u8(0x0A);
        }
        for (std::size_t c = 0; c < b.long_columns.size(); ++c) {
            w.u8(0);
            for (const auto& row : b.rows)
                w.le(row[c]);
        }
        if (!b.timestamps.empty()) {
            w.u8(0);
            for (auto ts : b.timestamps)
                w.le(ts);
        }
    }
    std::vector<std::uint8_t> frame;
    qwp::ByteWriter h(frame);
    h.le(std::uint32_t{0x31505751});
    h.u8(version);
    h.u8(flags);
    h.le(static_cast<std::uint16_t>(blocks.size()));
    h.le(static_cast<std::uint32_t>(payload.size()));
    h.bytes(payload.data(), payload.size());
    return frame;
}

/// A frame with only a delta symbol dictionary (no tables).
inline std::vector<std::uint8_t> build_dictionary_frame(std::uint64_t start,
                                                        const std::vector<std::string>& entries,
                                                        std::uint8_t extra_flags = 0) {
    std::vector<std::uint8_t> payload;
    qwp::ByteWriter w(payload);
    w.varint(start);
    w.varint(entries.size());
    for (const auto& e : entries) {
        w.varint(e.size());
        w.bytes(e);
    }
    std::vector<std::uint8_t> frame;
    qwp::ByteWriter h(frame);
    h.le(std::uint32_t{0x31505751});
    h.u8(1);
    h.u8(static_cast<std::uint8_t>(0x08 | extra_flags));
    h.le(std::uint16_t{0});
    h.le(static_cast<std::uint32_t>(payload.size()));
    h.bytes(payload.data(), payload.size());
    return frame;
}

inline SimpleBlock one_row(std::string table, std::int64_t value, std::int64_t ts = 1'000'000) {
    return SimpleBlock{std::move(table), {"v"}, {{value}}, {ts}};
}

}  // namespace questdb::test_server::testing
