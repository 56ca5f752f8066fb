#pragma once

// Shared pieces of the loopback benches: one in-process test server in sink mode (decodes
// and acknowledges, stores nothing), scratch directories for disk store-and-forward, and a
// plain-socket TCP writer/reader pair that moves the same byte volume over 127.0.0.1 as the
// physical baseline.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
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

/// Plain-socket loopback baseline: a reader thread drains everything it receives and, after
/// each `round_bytes`, writes one byte back; send_round() writes the batches then waits for
/// that byte (the raw analogue of flush + wait(ok)).
class RawLoopback {
  public:
    explicit RawLoopback(std::size_t round_bytes) : round_bytes_(round_bytes) {
        listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
            ::listen(listener_, 1) != 0 ||
            ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
            throw std::runtime_error("raw loopback: cannot listen");
        }
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

}  // namespace qdb_bench
