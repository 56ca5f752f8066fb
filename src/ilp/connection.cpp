#include "ilp/connection.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/ssl.hpp>

#include "ilp/http_response.hpp"

namespace questdb::ilp {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using detail::fail;

std::string describe(const beast::error_code& ec) {
    if (ec == beast::error::timeout) {
        return "timed out";
    }
    return ec.message();
}

}  // namespace

struct Connection::Impl {
    net::io_context ioc{1};
    std::unique_ptr<beast::tcp_stream> plain;
    std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
    beast::flat_buffer read_buffer;
    std::string pending_line;  // bytes read past the last '\n' (TCP auth)

    beast::tcp_stream& lowest() { return tls ? tls->next_layer() : *plain; }

    template <typename F>
    decltype(auto) with_stream(F&& f) {
        if (tls) {
            return f(*tls);
        }
        return f(*plain);
    }

    void arm(Clock::time_point deadline) {
        if (deadline == kNoDeadline) {
            lowest().expires_never();
        } else {
            lowest().expires_at(deadline);
        }
    }

    /// Starts one asynchronous operation through `start(handler)` and runs the private
    /// io_context until it completes; the stream's expiry cancels it at the deadline.
    template <typename Start>
    beast::error_code run(Start&& start, std::size_t* transferred = nullptr) {
        beast::error_code result;
        bool done = false;
        std::size_t n = 0;
        start([&](beast::error_code ec, std::size_t bytes) {
            result = ec;
            n = bytes;
            done = true;
        });
        ioc.restart();
        while (!done && ioc.run_one() > 0) {
        }
        if (transferred != nullptr) {
            *transferred = n;
        }
        return result;
    }
};

Connection::Connection() : impl_(std::make_unique<Impl>()) {}
Connection::~Connection() {
    close();
}

bool Connection::is_open() const noexcept {
    return impl_->plain != nullptr || impl_->tls != nullptr;
}

void Connection::close() noexcept {
    beast::error_code ignored;
    if (impl_->tls) {
        impl_->tls->next_layer().socket().shutdown(tcp::socket::shutdown_both, ignored);
        impl_->tls->next_layer().socket().close(ignored);
    }
    if (impl_->plain) {
        impl_->plain->socket().shutdown(tcp::socket::shutdown_both, ignored);
        impl_->plain->socket().close(ignored);
    }
    impl_->tls.reset();
    impl_->plain.reset();
    impl_->read_buffer.clear();
    impl_->pending_line.clear();
}

detail::Status Connection::connect(const std::string& host, std::uint16_t port,
                                   Clock::time_point deadline, const TlsHooks* tls,
                                   const std::optional<std::string>& bind_address) {
    close();
    const std::string endpoint_name = host + ":" + std::to_string(port);
    tcp::resolver resolver(impl_->ioc);
    beast::error_code ec;
    const auto endpoints = resolver.resolve(host, std::to_string(port), ec);
    if (ec || endpoints.empty()) {
        return fail(ErrorCode::could_not_resolve_addr,
                    "Could not resolve \"" + endpoint_name + "\": " + ec.message());
    }
    std::optional<net::ip::address> local;
    if (bind_address) {
        local = net::ip::make_address(*bind_address, ec);
        if (ec) {
            return fail(ErrorCode::could_not_resolve_addr,
                        "Bad bind_interface \"" + *bind_address + "\": " + ec.message());
        }
    }
    const bool use_tls = tls != nullptr && tls->context != nullptr;
    beast::error_code last_error = net::error::host_not_found;
    bool connected = false;
    for (const auto& entry : endpoints) {
        const tcp::endpoint target = entry.endpoint();
        if (local && local->is_v4() != target.address().is_v4()) {
            continue;
        }
        if (use_tls) {
            impl_->tls =
                std::make_unique<beast::ssl_stream<beast::tcp_stream>>(impl_->ioc, *tls->context);
        } else {
            impl_->plain = std::make_unique<beast::tcp_stream>(impl_->ioc);
        }
        auto& socket = impl_->lowest().socket();
        if (local) {
            socket.open(target.protocol(), ec);
            if (!ec) {
                socket.set_option(net::socket_base::reuse_address(true), ec);
            }
            if (!ec) {
                socket.bind(tcp::endpoint(*local, 0), ec);
            }
            if (ec) {
                close();
                return fail(ErrorCode::socket_error,
                            "Could not bind to \"" + *bind_address + "\": " + ec.message());
            }
        }
        impl_->arm(deadline);
        last_error = impl_->run([&](auto handler) {
            impl_->lowest().async_connect(
                target, [handler](beast::error_code e) mutable { handler(e, 0); });
        });
        if (!last_error) {
            connected = true;
            break;
        }
        close();
        if (last_error == beast::error::timeout) {
            break;
        }
    }
    if (!connected) {
        if (last_error == beast::error::timeout) {
            return fail(ErrorCode::connect_timeout,
                        "Could not connect to \"" + endpoint_name + "\": timed out");
        }
        return fail(ErrorCode::socket_error,
                    "Could not connect to \"" + endpoint_name + "\": " + last_error.message());
    }
    auto& socket = impl_->lowest().socket();
    socket.set_option(tcp::no_delay(true), ec);
    socket.set_option(net::socket_base::keep_alive(true), ec);

    if (use_tls) {
        if (tls->prepare_session) {
            if (auto s = tls->prepare_session(impl_->tls->native_handle(), host); !s.ok()) {
                close();
                return s;
            }
        }
        impl_->arm(deadline);
        const auto hs = impl_->run([&](auto handler) {
            impl_->tls->async_handshake(net::ssl::stream_base::client,
                                        [handler](beast::error_code e) mutable { handler(e, 0); });
        });
        if (hs) {
            detail::Failure failure =
                tls->describe_failure
                    ? tls->describe_failure(impl_->tls->native_handle(), endpoint_name,
                                            describe(hs))
                    : fail(ErrorCode::tls_error,
                           "TLS handshake with \"" + endpoint_name + "\" failed: " + describe(hs));
            close();
            return failure;
        }
    }
    return {};
}

detail::Status Connection::write_all(std::span<const std::uint8_t> bytes,
                                     Clock::time_point deadline) {
    if (!is_open()) {
        return fail(ErrorCode::socket_error, "Not connected");
    }
    impl_->arm(deadline);
    const auto ec = impl_->run([&](auto handler) {
        impl_->with_stream([&](auto& stream) {
            net::async_write(stream, net::buffer(bytes.data(), bytes.size()), handler);
        });
    });
    if (ec) {
        return fail(ErrorCode::socket_error, "Could not send: " + describe(ec));
    }
    return {};
}

detail::Status Connection::read_line(std::string& line, std::size_t limit,
                                     Clock::time_point deadline) {
    if (!is_open()) {
        return fail(ErrorCode::socket_error, "Not connected");
    }
    impl_->arm(deadline);
    std::size_t n = 0;
    const auto ec = impl_->run(
        [&](auto handler) {
            impl_->with_stream([&](auto& stream) {
                net::async_read_until(stream, net::dynamic_buffer(impl_->pending_line, limit), '\n',
                                      handler);
            });
        },
        &n);
    if (ec) {
        return fail(ErrorCode::socket_error, "Could not read: " + describe(ec));
    }
    line.assign(impl_->pending_line.data(), n - 1);
    impl_->pending_line.erase(0, n);
    return {};
}

detail::Result<Connection::HttpResponse> Connection::http_exchange(
    std::string_view method, std::string_view target, std::string_view host_header,
    std::string_view authorization, std::string_view user_agent, std::span<const std::uint8_t> body,
    Clock::time_point deadline, bool& sent_all) {
    sent_all = false;
    if (!is_open()) {
        return fail(ErrorCode::socket_error, "Not connected");
    }
    http::request<http::span_body<const char>> request{http::string_to_verb(method), target, 11};
    request.set(http::field::host, host_header);
    request.set(http::field::user_agent, user_agent);
    if (!authorization.empty()) {
        request.set(http::field::authorization, authorization);
    }
    if (!body.empty()) {
        request.set(http::field::content_type, "text/plain; charset=utf-8");
    }
    request.body() = http::span_body<const char>::value_type(
        reinterpret_cast<const char*>(body.data()), body.size());
    request.keep_alive(true);
    request.prepare_payload();

    impl_->arm(deadline);
    auto ec = impl_->run([&](auto handler) {
        impl_->with_stream([&](auto& stream) { http::async_write(stream, request, handler); });
    });
    if (ec) {
        return fail(ErrorCode::socket_error, "Could not send the HTTP request: " + describe(ec));
    }
    sent_all = true;
    HttpResponseParser parser;
    limit_response_parser(parser);
    ec = impl_->run([&](auto handler) {
        impl_->with_stream(
            [&](auto& stream) { http::async_read(stream, impl_->read_buffer, parser, handler); });
    });
    if (ec) {
        return fail(ErrorCode::socket_error, "Could not read the HTTP response: " + describe(ec));
    }
    return to_http_response(parser.get());
}

}  // namespace questdb::ilp
