#pragma once

// Shared pieces of the loopback benches: one in-process test server in sink mode (decodes
// and acknowledges, stores nothing), scratch directories for disk store-and-forward, and a
// plain-socket TCP writer/reader pair that moves the same byte volume over 127.0.0.1 as the
// physical baseline, and a plain-socket HTTP drain that answers every request with 204
// without parsing its body (the client-bound ILP/HTTP figure).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "questdb/test_server/server.hpp"

namespace qdb_bench {

/// The process-wide sink server (started on first use, never stopped before exit).
inline questdb::test_server::Server& sink_server() {
    static std::unique_ptr<questdb::test_server::Server> server = [] {
        questdb::test_server::Options options;
        options.sink = true;
        auto s = std::make_unique<questdb::test_server::Server>(options);
        s->start();
        return s;
    }();
    return *server;
}

/// A fresh directory under the temp dir, removed on destruction.
class ScratchDir {
  public:
    ScratchDir() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "qdb-bench-sf-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr)
            throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~ScratchDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

/// A socket listening on 127.0.0.1 at a port the kernel picks; `addr` receives that address.
/// Throws std::runtime_error naming `who` when it cannot.
inline int listen_on_loopback(sockaddr_in& addr, int backlog, const char* who) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    addr = sockaddr_in{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(fd, backlog) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        if (fd >= 0)
            ::close(fd);
        throw std::runtime_error(std::string(who) + ": cannot listen");
    }
    return fd;
}

/// Plain-socket loopback baseline: a reader thread drains everything it receives and, after
/// each `round_bytes`, writes one byte back; send_round() writes the batches then waits for
/// that byte (the raw analogue of flush + wait(ok)).
class RawLoopback {
  public:
    explicit RawLoopback(std::size_t round_bytes) : round_bytes_(round_bytes) {
        sockaddr_in addr{};
        listener_ = listen_on_loopback(addr, 1, "raw loopback");
        reader_ = std::thread([this] { read_loop(); });
        writer_ = ::socket(AF_INET, SOCK_STREAM, 0);
        if (::connect(writer_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            throw std::runtime_error("raw loopback: cannot connect");
        }
    }
    ~RawLoopback() {
        ::shutdown(writer_, SHUT_RDWR);
        ::close(writer_);
        reader_.join();
        ::close(listener_);
    }
    RawLoopback(const RawLoopback&) = delete;
    RawLoopback& operator=(const RawLoopback&) = delete;

    /// Writes every batch (each a contiguous span) and blocks until the reader has all of them.
    bool send_round(std::span<const std::span<const std::uint8_t>> batches) {
        for (auto b : batches) {
            std::size_t at = 0;
            while (at < b.size()) {
                const auto n = ::send(writer_, b.data() + at, b.size() - at, MSG_NOSIGNAL);
                if (n <= 0)
                    return false;
                at += static_cast<std::size_t>(n);
            }
        }
        char ack = 0;
        return ::recv(writer_, &ack, 1, MSG_WAITALL) == 1;
    }

  private:
    void read_loop() {
        const int peer = ::accept(listener_, nullptr, nullptr);
        if (peer < 0)
            return;
        std::vector<char> sink(1 << 20);
        std::size_t in_round = 0;
        for (;;) {
            const auto n = ::recv(peer, sink.data(), sink.size(), 0);
            if (n <= 0)
                break;
            in_round += static_cast<std::size_t>(n);
            while (in_round >= round_bytes_) {
                in_round -= round_bytes_;
                const char ack = 1;
                if (::send(peer, &ack, 1, MSG_NOSIGNAL) != 1)
                    break;
            }
        }
        ::close(peer);
    }

    std::size_t round_bytes_;
    int listener_ = -1;
    int writer_ = -1;
    std::thread reader_;
};

/// A plain-socket HTTP/1.1 server that reads each request (headers and a Content-Length body)
/// and answers 204 without looking at the body: ILP/HTTP end to end with a server that costs
/// next to nothing, so the figure is bound by the client. The in-tree test server's strict
/// ILP parser is far slower than the client and would bound the figure instead.
class HttpDrain {
  public:
    HttpDrain() {
        sockaddr_in addr{};
        listener_ = listen_on_loopback(addr, 4, "http drain");
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] { accept_loop(); });
    }
    ~HttpDrain() {
        stopping_.store(true);
        ::shutdown(listener_, SHUT_RDWR);
        ::close(listener_);
        thread_.join();
    }
    HttpDrain(const HttpDrain&) = delete;
    HttpDrain& operator=(const HttpDrain&) = delete;

    [[nodiscard]] std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  private:
    void accept_loop() {
        while (!stopping_.load()) {
            const int peer = ::accept(listener_, nullptr, nullptr);
            if (peer < 0)
                return;
            serve(peer);
            ::close(peer);
        }
    }

    // One connection at a time: the ILP/HTTP sender keeps one connection alive.
    static void serve(int peer) {
        static constexpr char kNoContent[] = "HTTP/1.1 204 No Content\r\n\r\n";
        std::vector<char> buffer(1 << 20);
        std::size_t have = 0;
        for (;;) {
            std::size_t header_end = 0;
            while ((header_end = find_header_end(buffer.data(), have)) == 0) {
                if (!receive(peer, buffer, have))
                    return;
            }
            const std::size_t total = header_end + content_length(buffer.data(), header_end);
            while (have < total) {
                if (buffer.size() < total)
                    buffer.resize(total);
                if (!receive(peer, buffer, have))
                    return;
            }
            if (::send(peer, kNoContent, sizeof kNoContent - 1, MSG_NOSIGNAL) < 0)
                return;
            std::memmove(buffer.data(), buffer.data() + total, have - total);
            have -= total;
        }
    }
    static bool receive(int peer, std::vector<char>& buffer, std::size_t& have) {
        if (have == buffer.size())
            buffer.resize(buffer.size() * 2);
        const auto n = ::recv(peer, buffer.data() + have, buffer.size() - have, 0);
        if (n <= 0)
            return false;
        have += static_cast<std::size_t>(n);
        return true;
    }
    // The offset just past the blank line that ends the headers, or 0 while it is not in.
    static std::size_t find_header_end(const char* data, std::size_t n) {
        const std::string_view text(data, n);
        const auto at = text.find("\r\n\r\n");
        return at == std::string_view::npos ? 0 : at + 4;
    }
    static std::size_t content_length(const char* data, std::size_t header_bytes) {
        std::string headers(data, header_bytes);
        std::transform(headers.begin(), headers.end(), headers.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        const auto at = headers.find("\r\ncontent-length:");
        if (at == std::string::npos)
            return 0;
        return std::stoul(headers.substr(at + 17));
    }

    int listener_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

}  // namespace qdb_bench
