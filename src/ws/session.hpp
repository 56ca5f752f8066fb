#pragma once

// The WebSocket half of a connection, generic over the byte stream underneath (plain TCP,
// TLS over TCP, or Beast's in-memory test stream in tests): the upgrade, whole-message
// reads and writes, keep-alive pings and the close handshake. Heavy (all of Beast): include
// it only from connection.cpp and tests.

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <memory>
#include <type_traits>
#include <utility>

#include "ws/connection.hpp"
#include "ws/upgrade_response.hpp"

namespace questdb::ws::detail_ws {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using boost::system::error_code;

/// Maps a failed read; `close_code` is the code of a received close frame, if any.
questdb::detail::Failure read_failure(const error_code& ec, const Endpoint& endpoint,
                                      std::optional<std::uint16_t> close_code,
                                      std::size_t max_message_size);
/// Maps a failed write.
questdb::detail::Failure write_failure(const error_code& ec, const Endpoint& endpoint);

/// One upgraded (or upgrading) WebSocket over `NextLayer`. All members run on the stream's
/// executor. Owned by shared_ptr: operations keep it alive until their handlers ran.
template <class NextLayer>
class Session : public std::enable_shared_from_this<Session<NextLayer>> {
  public:
    using Stream = websocket::stream<NextLayer>;

    template <class... Args>
    Session(std::shared_ptr<const ConnectionOptions> options, Endpoint endpoint,
            Args&&... next_layer_args)
        : options_holder_(std::move(options)),
          options_(*options_holder_),
          endpoint_(std::move(endpoint)),
          ws_(std::forward<Args>(next_layer_args)...),
          ping_timer_(ws_.get_executor()),
          linger_timer_(ws_.get_executor()) {}

    Stream& stream() noexcept { return ws_; }
    [[nodiscard]] bool is_open() const noexcept { return open_ && ws_.is_open(); }
    [[nodiscard]] const UpgradeResponse& upgrade_response() const noexcept { return response_; }
    [[nodiscard]] std::optional<std::uint16_t> close_code() const noexcept { return close_code_; }
    [[nodiscard]] std::uint64_t pings_sent() const noexcept { return pings_sent_; }

    /// Sends the upgrade request and classifies the answer. `host_header` is "host:port".
    template <class Handler>
    void async_upgrade(std::string host_header, Handler&& handler) {
        configure_stream();
        auto self = this->shared_from_this();
        ws_.async_handshake(
            beast_response_, host_header, options_.path,
            [self, handler = std::forward<Handler>(handler)](const error_code& ec) mutable {
                handler(self->finish_upgrade(ec));
            });
    }

    void async_read(Connection::ReadHandler handler) {
        if (reading_ || !is_open()) {
            reject(std::move(handler), reading_, "a read is already outstanding");
            return;
        }
        reading_ = true;
        read_buffer_.consume(read_buffer_.size());
        auto self = this->shared_from_this();
        ws_.async_read(read_buffer_, [self, handler = std::move(handler)](const error_code& ec,
                                                                          std::size_t) {
            self->reading_ = false;
            self->linger_timer_.cancel();
            if (ec) {
                self->on_failure();
                handler(self->read_error(ec), {});
                return;
            }
            if (self->ws_.got_text()) {
                self->abort();
                handler(questdb::detail::fail(ErrorCode::protocol_error,
                                              self->endpoint_.to_string() +
                                                  " sent a text WebSocket message; QWP messages "
                                                  "are binary"),
                        {});
                return;
            }
            const auto data = self->read_buffer_.cdata();
            handler({}, {static_cast<const std::uint8_t*>(data.data()), data.size()});
        });
    }

    void async_write(std::span<const std::uint8_t> message, Connection::WriteHandler handler) {
        if (writing_ || !is_open()) {
            reject(std::move(handler), writing_, "a write is already outstanding");
            return;
        }
        writing_ = true;
        auto self = this->shared_from_this();
        ws_.async_write(boost::asio::const_buffer(message.data(), message.size()),
                        [self, handler = std::move(handler)](const error_code& ec, std::size_t) {
                            self->writing_ = false;
                            if (ec) {
                                self->on_failure();
                                handler(write_failure(ec, self->endpoint_));
                                return;
                            }
                            handler({});
                        });
    }

    void async_close(std::uint16_t code, Connection::CloseHandler handler) {
        stop_pinging();
        if (!is_open() || closing_) {
            abort();
            boost::asio::post(ws_.get_executor(), [handler = std::move(handler)] { handler({}); });
            return;
        }
        closing_ = true;
        auto self = this->shared_from_this();
        ws_.async_close(websocket::close_reason(code),
                        [self, handler = std::move(handler)](const error_code& ec) {
                            self->abort();
                            if (ec && ec != boost::asio::error::operation_aborted) {
                                handler(write_failure(ec, self->endpoint_));
                                return;
                            }
                            handler({});
                        });
    }

    /// Closes the lowest layer: every outstanding operation completes at once.
    void abort() noexcept {
        open_ = false;
        stop_pinging();
        linger_timer_.cancel();
        beast::get_lowest_layer(ws_).close();
    }

    /// Starts the periodic keep-alive pings (no-op when ping_interval is zero).
    void start_pinging() {
        if (options_.ping_interval.count() <= 0) {
            return;
        }
        pinging_ = true;
        arm_ping_timer();
    }

  private:
    void configure_stream() {
        websocket::stream_base::timeout timeouts{};
        timeouts.handshake_timeout =
            options_.auth_timeout.count() > 0
                ? std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                      options_.auth_timeout)
                : websocket::stream_base::none();
        timeouts.idle_timeout = websocket::stream_base::none();
        timeouts.keep_alive_pings = false;
        ws_.set_option(timeouts);
        ws_.read_message_max(options_.max_message_size);
        // One frame per message: servers need not reassemble, and the masking buffer is
        // large enough that a multi-megabyte frame goes out in few socket writes.
        ws_.auto_fragment(false);
        ws_.write_buffer_bytes(kWriteChunkBytes);
        ws_.binary(true);
        // Raw `this`: the callback only runs inside operations, which own the session.
        ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
            if (kind == websocket::frame_type::close) {
                on_close_frame();
            }
        });
        const auto authorization = authorization_value(options_.credentials);
        ws_.set_option(websocket::stream_base::decorator(
            [headers = options_.headers, authorization](websocket::request_type& request) {
                request.set(beast::http::field::user_agent, "questdb-cpp");
                for (const auto& header : headers) {
                    request.set(header.name, header.value);
                }
                if (!authorization.empty()) {
                    request.set(beast::http::field::authorization, authorization);
                }
            }));
    }

    ConnectOutcome finish_upgrade(const error_code& ec) {
        response_ = to_upgrade_response(beast_response_);
        beast_response_ = {};
        if (ec) {
            abort();
            return upgrade_failure(ec, response_, endpoint_, options_.path, options_.auth_timeout);
        }
        response_.body.clear();
        if (options_.validate_upgrade) {
            auto outcome = options_.validate_upgrade(response_);
            if (!outcome.ok()) {
                abort();
                outcome.http_status = response_.status;
                return outcome;
            }
        }
        open_ = true;
        was_open_ = true;
        start_pinging();
        return ConnectOutcome::success();
    }

    questdb::detail::Failure read_error(const error_code& ec) {
        return read_failure(ec, endpoint_, close_code_, options_.max_message_size);
    }

    /// The server sent a close frame. Beast answers it and then waits for the server to
    /// drop TCP; a server that never does must not stall the read, so it gets a short grace
    /// period before the socket is closed from our side.
    void on_close_frame() {
        close_code_ = static_cast<std::uint16_t>(ws_.reason().code);
        open_ = false;
        stop_pinging();
        linger_timer_.expires_after(kCloseLinger);
        linger_timer_.async_wait([self = this->shared_from_this()](const error_code& ec) {
            if (!ec) {
                beast::get_lowest_layer(self->ws_).close();
            }
        });
    }

    /// A failed read or write leaves the Beast stream unusable: close the socket so that the
    /// operation outstanding in the other direction completes too.
    void on_failure() noexcept { abort(); }

    /// Fails an operation that cannot start: a second one of its kind or one before the
    /// upgrade is a caller bug (invalid_api_call); one after the connection failed or closed
    /// is an ordinary transport failure (socket_error).
    template <class Handler>
    void reject(Handler handler, bool busy, const char* busy_reason) {
        if (busy || !was_open_) {
            fail_later(std::move(handler), ErrorCode::invalid_api_call,
                       busy ? busy_reason : "the WebSocket is not connected");
        } else {
            fail_later(std::move(handler), ErrorCode::socket_error, "the connection is closed");
        }
    }

    template <class Handler>
    void fail_later(Handler handler, ErrorCode code, const char* why) {
        auto failure =
            questdb::detail::fail(code, "WebSocket to " + endpoint_.to_string() + ": " + why);
        boost::asio::post(ws_.get_executor(),
                          [handler = std::move(handler), failure = std::move(failure)]() mutable {
                              if constexpr (std::is_invocable_v<Handler, questdb::detail::Status,
                                                                std::span<const std::uint8_t>>) {
                                  handler(std::move(failure), {});
                              } else {
                                  handler(std::move(failure));
                              }
                          });
    }

    void arm_ping_timer() {
        ping_timer_.expires_after(options_.ping_interval);
        auto self = this->shared_from_this();
        ping_timer_.async_wait([self](const error_code& ec) {
            if (ec || !self->pinging_ || !self->is_open()) {
                return;
            }
            if (!self->ping_in_flight_) {
                self->ping_in_flight_ = true;
                ++self->pings_sent_;
                self->ws_.async_ping({},
                                     [self](const error_code&) { self->ping_in_flight_ = false; });
            }
            self->arm_ping_timer();
        });
    }

    void stop_pinging() noexcept {
        pinging_ = false;
        ping_timer_.cancel();
    }

    static constexpr std::size_t kWriteChunkBytes = 256 * 1024;
    static constexpr std::chrono::milliseconds kCloseLinger{250};

    std::shared_ptr<const ConnectionOptions> options_holder_;
    const ConnectionOptions& options_;
    Endpoint endpoint_;
    Stream ws_;
    boost::asio::steady_timer ping_timer_;
    boost::asio::steady_timer linger_timer_;
    websocket::response_type beast_response_;
    UpgradeResponse response_;
    beast::flat_buffer read_buffer_;
    std::optional<std::uint16_t> close_code_;
    std::uint64_t pings_sent_ = 0;
    bool open_ = false;
    bool was_open_ = false;
    bool reading_ = false;
    bool writing_ = false;
    bool closing_ = false;
    bool pinging_ = false;
    bool ping_in_flight_ = false;
};

}  // namespace questdb::ws::detail_ws
