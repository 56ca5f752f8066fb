#include "ws/ws_test_server.hpp"

#include <openssl/sha.h>
#include <sys/socket.h>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <cctype>
#include <stdexcept>

namespace questdb::test::ws {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

std::string trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
        s.remove_suffix(1);
    }
    return std::string(s);
}

/// Reads until `pending` holds at least `n` bytes; throws on EOF.
void fill(tcp::socket& socket, std::string& pending, std::size_t n) {
    char chunk[65536];
    while (pending.size() < n) {
        boost::system::error_code ec;
        const std::size_t got = socket.read_some(asio::buffer(chunk), ec);
        if (ec) {
            throw std::runtime_error("peer closed: " + ec.message());
        }
        pending.append(chunk, got);
    }
}

}  // namespace

std::optional<std::string> HttpRequest::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (lower(key) == lower(name)) {
            return value;
        }
    }
    return std::nullopt;
}

ScriptServer::ScriptServer(Script script)
    : script_(std::move(script)),
      acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    port_ = acceptor_.local_endpoint().port();
    accept_next();
    accept_thread_ = std::thread([this] { io_.run(); });
}

void ScriptServer::accept_next() {
    auto socket = std::make_unique<tcp::socket>(io_);
    auto* raw = socket.get();
    acceptor_.async_accept(
        *raw, [this, socket = std::move(socket)](const boost::system::error_code& ec) mutable {
            if (ec) {
                return;
            }
            ++accepted_;
            std::lock_guard lock(mutex_);
            tcp::socket* s = socket.get();
            fds_.push_back(s->native_handle());
            sockets_.push_back(std::move(socket));
            script_threads_.emplace_back([this, s] {
                try {
                    script_(*s);
                } catch (const std::exception&) {
                    // a script ends when its peer goes away mid-exchange
                }
                ++finished_;
            });
            accept_next();
        });
}

ScriptServer::~ScriptServer() {
    asio::post(io_, [this] { acceptor_.close(); });
    accept_thread_.join();
    std::vector<std::thread> threads;
    {
        std::lock_guard lock(mutex_);
        for (const int fd : fds_) {
            ::shutdown(fd, SHUT_RDWR);  // unblocks scripts still waiting on the peer
        }
        threads.swap(script_threads_);
    }
    for (auto& t : threads) {
        t.join();
    }
}

HttpRequest read_request(tcp::socket& socket) {
    std::string pending;
    std::size_t end = std::string::npos;
    while ((end = pending.find("\r\n\r\n")) == std::string::npos) {
        fill(socket, pending, pending.size() + 1);
    }
    HttpRequest request;
    request.leftover = pending.substr(end + 4);
    std::string_view head(pending.data(), end + 2);
    const auto first_eol = head.find("\r\n");
    const std::string_view request_line = head.substr(0, first_eol);
    const auto sp1 = request_line.find(' ');
    const auto sp2 = request_line.find(' ', sp1 + 1);
    request.method = std::string(request_line.substr(0, sp1));
    request.target = std::string(request_line.substr(sp1 + 1, sp2 - sp1 - 1));
    head.remove_prefix(first_eol + 2);
    while (!head.empty()) {
        const auto eol = head.find("\r\n");
        const std::string_view line = head.substr(0, eol);
        const auto colon = line.find(':');
        if (colon != std::string_view::npos) {
            request.headers.emplace_back(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
        }
        head.remove_prefix(eol + 2);
    }
    return request;
}

std::string accept_value(const std::string& key) {
    const std::string input = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
    namespace b64 = boost::beast::detail::base64;
    std::string out(b64::encoded_size(sizeof(digest)), '\0');
    out.resize(b64::encode(out.data(), digest, sizeof(digest)));
    return out;
}

std::string switching_protocols(const HttpRequest& request, const std::string& extra) {
    return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Accept: " +
           accept_value(request.header("Sec-WebSocket-Key").value_or("")) + "\r\n" + extra + "\r\n";
}

std::string http_response(unsigned status, const std::string& reason, const std::string& extra,
                          const std::string& body) {
    return "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\n" + extra +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string server_frame(std::uint8_t opcode, const std::string& payload, bool fin) {
    std::string out;
    out.push_back(static_cast<char>((fin ? 0x80 : 0x00) | opcode));
    const std::uint64_t n = payload.size();
    if (n <= 125) {
        out.push_back(static_cast<char>(n));
    } else if (n <= 0xFFFF) {
        out.push_back(126);
        out.push_back(static_cast<char>(n >> 8));
        out.push_back(static_cast<char>(n & 0xFF));
    } else {
        out.push_back(127);
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.push_back(static_cast<char>((n >> shift) & 0xFF));
        }
    }
    return out + payload;
}

ClientFrame read_client_frame(tcp::socket& socket, std::string& pending) {
    fill(socket, pending, 2);
    const auto b0 = static_cast<std::uint8_t>(pending[0]);
    const auto b1 = static_cast<std::uint8_t>(pending[1]);
    ClientFrame frame;
    frame.fin = (b0 & 0x80) != 0;
    frame.opcode = b0 & 0x0F;
    frame.masked = (b1 & 0x80) != 0;
    std::uint64_t len = b1 & 0x7F;
    std::size_t pos = 2;
    if (len == 126) {
        fill(socket, pending, 4);
        len = (static_cast<std::uint8_t>(pending[2]) << 8) | static_cast<std::uint8_t>(pending[3]);
        pos = 4;
    } else if (len == 127) {
        fill(socket, pending, 10);
        len = 0;
        for (int i = 0; i < 8; ++i) {
            len = (len << 8) | static_cast<std::uint8_t>(pending[2 + i]);
        }
        pos = 10;
    }
    std::uint8_t mask[4] = {};
    if (frame.masked) {
        fill(socket, pending, pos + 4);
        for (int i = 0; i < 4; ++i) {
            mask[i] = static_cast<std::uint8_t>(pending[pos + i]);
        }
        pos += 4;
    }
    fill(socket, pending, pos + len);
    frame.payload = pending.substr(pos, len);
    for (std::size_t i = 0; i < frame.payload.size(); ++i) {
        frame.payload[i] = static_cast<char>(frame.payload[i] ^ mask[i % 4]);
    }
    pending.erase(0, pos + len);
    return frame;
}

bool write_all(tcp::socket& socket, const std::string& bytes) {
    boost::system::error_code ec;
    asio::write(socket, asio::buffer(bytes), ec);
    return !ec;
}

void wait_for_eof(tcp::socket& socket, std::string* received) {
    char chunk[4096];
    for (;;) {
        boost::system::error_code ec;
        const std::size_t n = socket.read_some(asio::buffer(chunk), ec);
        if (ec) {
            return;
        }
        if (received != nullptr) {
            received->append(chunk, n);
        }
    }
}

}  // namespace questdb::test::ws
