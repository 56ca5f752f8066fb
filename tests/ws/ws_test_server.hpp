#pragma once

// A tiny loopback server for the WebSocket transport tests: every accepted connection runs a
// test-supplied script on its own thread with a blocking socket, so a test can answer the
// upgrade byte for byte (wrong Accept, 101 + frame in one write, continuation frames with a
// ping in between, ...) or hand the socket to Beast's server-side websocket stream.
// Not the full QuestDB test server (tests/support), which speaks QWP.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace questdb::test::ws {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

/// A parsed HTTP upgrade request plus whatever bytes followed it.
struct HttpRequest {
    std::string method;
    std::string target;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string leftover;

    /// The value of the first header named `name` (case-insensitive), or nullopt.
    [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
};

/// One frame as the client sent it (payload already unmasked).
struct ClientFrame {
    bool fin = true;
    std::uint8_t opcode = 0;
    bool masked = false;
    std::string payload;
};

/// Runs `script(socket)` for every accepted connection, each on its own thread.
class ScriptServer {
  public:
    using Script = std::function<void(tcp::socket&)>;

    explicit ScriptServer(Script script);
    ~ScriptServer();  // unblocks scripts (shutdown) and joins every thread
    ScriptServer(const ScriptServer&) = delete;
    ScriptServer& operator=(const ScriptServer&) = delete;

    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
    /// Connections accepted so far.
    [[nodiscard]] int accepted() const noexcept { return accepted_.load(); }
    /// Scripts that returned.
    [[nodiscard]] int finished() const noexcept { return finished_.load(); }

  private:
    void accept_next();

    Script script_;
    asio::io_context io_;
    tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    std::thread accept_thread_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<tcp::socket>> sockets_;
    std::vector<int> fds_;
    std::vector<std::thread> script_threads_;
    std::atomic<int> accepted_{0};
    std::atomic<int> finished_{0};
};

/// Reads the request head (through "\r\n\r\n"); throws on EOF.
HttpRequest read_request(tcp::socket& socket);
/// The Sec-WebSocket-Accept value for a client key (RFC 6455 section 4.2.2).
std::string accept_value(const std::string& key);
/// "HTTP/1.1 101 ..." with the right Accept for `request` plus `extra` header lines
/// ("Name: value\r\n" each).
std::string switching_protocols(const HttpRequest& request, const std::string& extra = "");
/// A plain HTTP response with `status`, `extra` header lines and a body.
std::string http_response(unsigned status, const std::string& reason, const std::string& extra,
                          const std::string& body = "");
/// An unmasked server frame.
std::string server_frame(std::uint8_t opcode, const std::string& payload, bool fin = true);
/// Reads one client frame; throws on EOF.
ClientFrame read_client_frame(tcp::socket& socket, std::string& pending);
/// Writes everything; returns false when the peer is gone.
bool write_all(tcp::socket& socket, const std::string& bytes);
/// Blocks until the peer closes (or the server shuts the socket down).
void wait_for_eof(tcp::socket& socket, std::string* received = nullptr);

}  // namespace questdb::test::ws
