#pragma once

// One synchronous client connection (plain TCP or TLS) whose every operation has a deadline.
// Beast offers timeouts only on asynchronous operations, so each call starts one and runs a
// private io_context on the caller's thread until it completes or the deadline cancels it.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/result.hpp"

struct ssl_st;

namespace boost::asio::ssl {
class context;
}

namespace questdb::ilp {

using Clock = std::chrono::steady_clock;

/// "No deadline" for operations the reference leaves unbounded (ILP/TCP writes).
inline constexpr Clock::time_point kNoDeadline = Clock::time_point::max();

/// TLS for a connection: the shared context and a hook that sets SNI and the expected
/// host name on each new session before its handshake.
struct TlsHooks {
    boost::asio::ssl::context* context = nullptr;
    std::function<detail::Status(ssl_st*, std::string_view host)> prepare_session;
    /// Turns a failed handshake into the tls_error to report.
    std::function<detail::Failure(ssl_st*, std::string_view endpoint, std::string_view reason)>
        describe_failure;
};

/// Moves bytes with deadlines. Not thread-safe: one caller at a time.
class Connection {
  public:
    Connection();
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    /// Resolves, connects (optionally from `bind_address`), sets TCP_NODELAY and keep-alive,
    /// and completes the TLS handshake when `tls` has a context. Errors:
    /// could_not_resolve_addr, connect_timeout, socket_error, tls_error.
    detail::Status connect(const std::string& host, std::uint16_t port, Clock::time_point deadline,
                           const TlsHooks* tls, const std::optional<std::string>& bind_address);

    [[nodiscard]] bool is_open() const noexcept;
    /// Closes the socket (no TLS close_notify: the peer may already be gone).
    void close() noexcept;

    /// Writes every byte or fails with socket_error (timeouts say so).
    detail::Status write_all(std::span<const std::uint8_t> bytes, Clock::time_point deadline);
    /// Reads up to and including '\n' (at most `limit` bytes) into `line`, without the '\n'.
    detail::Status read_line(std::string& line, std::size_t limit, Clock::time_point deadline);

    /// The result of one HTTP exchange.
    struct HttpResponse {
        unsigned status = 0;
        std::string content_type;
        std::string body;
        bool keep_alive = false;
    };
    /// Sends one HTTP/1.1 request and reads the response, within `deadline`.
    /// `sent_all` tells whether the whole request went out before a failure (the data is
    /// then in doubt). Errors: socket_error.
    detail::Result<HttpResponse> http_exchange(std::string_view method, std::string_view target,
                                               std::string_view host_header,
                                               std::string_view authorization,
                                               std::string_view user_agent,
                                               std::span<const std::uint8_t> body,
                                               Clock::time_point deadline, bool& sent_all);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace questdb::ilp
