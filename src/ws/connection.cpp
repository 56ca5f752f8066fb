#include "ws/connection.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl.hpp>
#include <variant>

#include "ws/session.hpp"
#include "ws/tls.hpp"

namespace questdb::ws {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using asio::ip::tcp;
using boost::system::error_code;
using questdb::detail::fail;
using questdb::detail::Failure;
using questdb::detail::Status;

namespace detail_ws {

Failure read_failure(const error_code& ec, const Endpoint& endpoint,
                     std::optional<std::uint16_t> close_code, std::size_t max_message_size) {
    const std::string where = endpoint.to_string();
    if (close_code || ec == websocket::error::closed) {
        return fail(ErrorCode::socket_error, where + " closed the WebSocket with code " +
                                                 std::to_string(close_code.value_or(0)) +
                                                 (close_code == 1009 ? " (message too big)" : ""));
    }
    if (ec == websocket::error::message_too_big || ec == beast::http::error::buffer_overflow) {
        return fail(ErrorCode::limit_exceeded, where + " sent a WebSocket message larger than " +
                                                   std::to_string(max_message_size) + " bytes");
    }
    if (ec.category() == websocket::make_error_code(websocket::error::closed).category()) {
        return fail(ErrorCode::protocol_error,
                    "invalid WebSocket frame from " + where + ": " + ec.message());
    }
    if (ec == asio::error::operation_aborted) {
        return fail(ErrorCode::socket_error, "read from " + where + " aborted");
    }
    return fail(ErrorCode::socket_error, "read from " + where + " failed: " + ec.message());
}

Failure write_failure(const error_code& ec, const Endpoint& endpoint) {
    if (ec == asio::error::operation_aborted) {
        return fail(ErrorCode::socket_error, "write to " + endpoint.to_string() + " aborted");
    }
    return fail(ErrorCode::socket_error,
                "write to " + endpoint.to_string() + " failed: " + ec.message());
}

}  // namespace detail_ws

namespace {

using PlainSession = detail_ws::Session<beast::tcp_stream>;
using TlsSession = detail_ws::Session<beast::ssl_stream<beast::tcp_stream>>;

ConnectOutcome connect_failure(const error_code& ec, const Endpoint& endpoint,
                               std::chrono::milliseconds connect_timeout) {
    const std::string where = endpoint.to_string();
    if (ec == beast::error::timeout) {
        return ConnectOutcome::make(Verdict::transient, ErrorCode::connect_timeout,
                                    "could not connect to " + where + " within " +
                                        std::to_string(connect_timeout.count()) +
                                        " ms (connect_timeout)");
    }
    return ConnectOutcome::make(Verdict::transient, ErrorCode::socket_error,
                                "could not connect to " + where + ": " + ec.message());
}

}  // namespace

struct Connection::Impl : std::enable_shared_from_this<Connection::Impl> {
    Impl(const asio::any_io_executor& executor, ConnectionOptions options)
        : executor(executor),
          options(std::make_shared<const ConnectionOptions>(std::move(options))),
          resolver(executor) {}

    asio::any_io_executor executor;
    std::shared_ptr<const ConnectionOptions> options;
    tcp::resolver resolver;
    std::unique_ptr<beast::tcp_stream> tcp_stream;  // only while connecting the socket
    std::variant<std::monostate, std::shared_ptr<PlainSession>, std::shared_ptr<TlsSession>>
        session;
    Endpoint endpoint;
    UpgradeResponse empty_response;
    ConnectHandler on_connect;
    bool detached = false;  // the Connection was destroyed: drop every handler
    bool connecting = false;
    bool aborted = false;

    template <class F>
    void with_session(F&& f) {
        std::visit(
            [&](auto& s) {
                if constexpr (!std::is_same_v<std::decay_t<decltype(s)>, std::monostate>) {
                    f(*s);
                }
            },
            session);
    }

    [[nodiscard]] bool has_session() const noexcept { return session.index() != 0; }

    /// Wraps a user handler so that it is dropped once the Connection is gone.
    template <class Handler>
    auto guard(Handler handler) {
        return [self = shared_from_this(), handler = std::move(handler)](auto&&... args) mutable {
            if (!self->detached) {
                handler(std::forward<decltype(args)>(args)...);
            }
        };
    }

    void finish_connect(ConnectOutcome outcome) {
        connecting = false;
        tcp_stream.reset();
        if (!outcome.ok()) {
            with_session([](auto& s) { s.abort(); });
        }
        auto handler = std::move(on_connect);
        if (!detached && handler) {
            handler(outcome);
        }
    }

    void start(Endpoint target, ConnectHandler handler) {
        endpoint = std::move(target);
        on_connect = std::move(handler);
        connecting = true;
        tcp_stream = std::make_unique<beast::tcp_stream>(executor);
        if (options->connect_timeout.count() > 0) {
            // The deadline is absolute, so time spent resolving counts against it; the
            // resolution itself is bounded by the system resolver's own timeouts.
            tcp_stream->expires_after(options->connect_timeout);
        }
        resolver.async_resolve(
            endpoint.host, std::to_string(endpoint.port),
            [self = shared_from_this()](const error_code& ec, tcp::resolver::results_type results) {
                self->on_resolved(ec, std::move(results));
            });
    }

    void on_resolved(const error_code& ec, tcp::resolver::results_type results) {
        if (aborted) {
            return finish_connect(aborted_outcome());
        }
        if (ec) {
            return finish_connect(ConnectOutcome::make(
                Verdict::transient, ErrorCode::could_not_resolve_addr,
                "could not resolve " + endpoint.to_string() + ": " + ec.message()));
        }
        tcp_stream->async_connect(
            results, [self = shared_from_this()](const error_code& ec, const tcp::endpoint&) {
                self->on_tcp_connected(ec);
            });
    }

    void on_tcp_connected(const error_code& ec) {
        if (aborted) {
            return finish_connect(aborted_outcome());
        }
        if (ec) {
            return finish_connect(connect_failure(ec, endpoint, options->connect_timeout));
        }
        tcp_stream->expires_never();
        tcp_stream->socket().set_option(tcp::no_delay(true));
        if (options->tls) {
            start_tls();
        } else {
            auto s = std::make_shared<PlainSession>(options, endpoint, take_tcp_stream());
            session = s;
            upgrade(*s);
        }
    }

    /// Hands the connected socket over to a session; a moved-from stream must never be
    /// touched again (abort() checks for null).
    beast::tcp_stream take_tcp_stream() {
        beast::tcp_stream stream = std::move(*tcp_stream);
        tcp_stream.reset();
        return stream;
    }

    void start_tls() {
        auto s = std::make_shared<TlsSession>(options, endpoint, take_tcp_stream(),
                                              options->tls->native());
        session = s;
        auto& tls_layer = s->stream().next_layer();
        if (auto st = prepare_tls_session(tls_layer.native_handle(), *options->tls, endpoint.host);
            !st) {
            ConnectOutcome outcome;
            outcome.verdict = Verdict::transient;
            outcome.failure = std::move(st).failure();
            return finish_connect(std::move(outcome));
        }
        if (options->auth_timeout.count() > 0) {
            beast::get_lowest_layer(s->stream()).expires_after(options->auth_timeout);
        }
        tls_layer.async_handshake(asio::ssl::stream_base::client, [self = shared_from_this(),
                                                                   s](const error_code& ec) {
            if (self->aborted) {
                return self->finish_connect(self->aborted_outcome());
            }
            if (ec) {
                ConnectOutcome outcome;
                outcome.verdict = Verdict::transient;
                if (ec == beast::error::timeout) {
                    outcome.failure = fail(ErrorCode::tls_error,
                                           "TLS handshake with " + self->endpoint.to_string() +
                                               " timed out after " +
                                               std::to_string(self->options->auth_timeout.count()) +
                                               " ms (auth_timeout_ms)");
                } else {
                    outcome.failure =
                        tls_handshake_failure(s->stream().next_layer().native_handle(),
                                              self->endpoint.to_string(), ec.message());
                }
                return self->finish_connect(std::move(outcome));
            }
            beast::get_lowest_layer(s->stream()).expires_never();
            self->upgrade(*s);
        });
    }

    template <class S>
    void upgrade(S& s) {
        s.async_upgrade(endpoint.to_string(), [self = shared_from_this()](ConnectOutcome outcome) {
            if (self->aborted && outcome.ok()) {
                outcome = self->aborted_outcome();
            }
            self->finish_connect(std::move(outcome));
        });
    }

    ConnectOutcome aborted_outcome() const {
        return ConnectOutcome::make(Verdict::transient, ErrorCode::socket_error,
                                    "connect to " + endpoint.to_string() + " aborted");
    }

    void abort() noexcept {
        aborted = true;
        resolver.cancel();
        if (tcp_stream) {
            tcp_stream->close();
        }
        with_session([](auto& s) { s.abort(); });
    }
};

Connection::Connection(const asio::any_io_executor& executor, ConnectionOptions options)
    : impl_(std::make_shared<Impl>(executor, std::move(options))) {}

Connection::~Connection() {
    impl_->detached = true;
    impl_->abort();
}

void Connection::async_connect(Endpoint endpoint, ConnectHandler handler) {
    if (impl_->connecting || impl_->has_session()) {
        auto failure = ConnectOutcome::make(Verdict::transient, ErrorCode::invalid_api_call,
                                            "async_connect called twice on one connection");
        asio::post(impl_->executor,
                   impl_->guard([handler = std::move(handler), failure] { handler(failure); }));
        return;
    }
    impl_->start(std::move(endpoint), std::move(handler));
}

void Connection::async_write(std::span<const std::uint8_t> message, WriteHandler handler) {
    auto guarded = impl_->guard(std::move(handler));
    if (!impl_->has_session()) {
        asio::post(impl_->executor, [guarded]() mutable {
            guarded(Status(fail(ErrorCode::invalid_api_call, "write on an unconnected WebSocket")));
        });
        return;
    }
    impl_->with_session([&](auto& s) { s.async_write(message, std::move(guarded)); });
}

void Connection::async_read(ReadHandler handler) {
    auto guarded = impl_->guard(std::move(handler));
    if (!impl_->has_session()) {
        asio::post(impl_->executor, [guarded]() mutable {
            guarded(Status(fail(ErrorCode::invalid_api_call, "read on an unconnected WebSocket")),
                    std::span<const std::uint8_t>{});
        });
        return;
    }
    impl_->with_session([&](auto& s) { s.async_read(std::move(guarded)); });
}

void Connection::async_close(std::uint16_t code, CloseHandler handler) {
    auto guarded = impl_->guard(std::move(handler));
    if (!impl_->has_session()) {
        impl_->abort();
        asio::post(impl_->executor, [guarded]() mutable { guarded(Status{}); });
        return;
    }
    impl_->with_session([&](auto& s) { s.async_close(code, std::move(guarded)); });
}

void Connection::abort() noexcept {
    impl_->abort();
}

bool Connection::is_open() const noexcept {
    bool open = false;
    impl_->with_session([&](auto& s) { open = s.is_open(); });
    return open && !impl_->connecting && !impl_->aborted;
}

const Endpoint& Connection::endpoint() const noexcept {
    return impl_->endpoint;
}

const UpgradeResponse& Connection::upgrade_response() const noexcept {
    const UpgradeResponse* response = &impl_->empty_response;
    impl_->with_session([&](auto& s) { response = &s.upgrade_response(); });
    return *response;
}

std::optional<std::uint16_t> Connection::close_code() const noexcept {
    std::optional<std::uint16_t> code;
    impl_->with_session([&](auto& s) { code = s.close_code(); });
    return code;
}

std::uint64_t Connection::pings_sent() const noexcept {
    std::uint64_t n = 0;
    impl_->with_session([&](auto& s) { n = s.pings_sent(); });
    return n;
}

}  // namespace questdb::ws
