// QWP egress endpoint.
//
// TODO(egress): serve SERVER_INFO, RESULT_BATCH, RESULT_END, EXEC_DONE, CACHE_RESET, credits,
// CANCEL and zstd once src/egress provides the server-side result-batch writer. Until then
// the endpoint answers the upgrade with 501 so clients fail loudly instead of hanging.

#include "egress_session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/write.hpp>

namespace questdb::test_server::detail {
namespace {

template <class Stream>
awaitable<void> not_implemented(Server::Impl& impl, Stream& stream, const HttpRequest& req) {
    (void)impl;
    HttpResponse res{http::status::not_implemented, req.version()};
    res.set(http::field::content_type, "text/plain");
    res.body() = "QWP egress is not implemented by this test server yet";
    res.keep_alive(false);
    res.prepare_payload();
    co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
}

}  // namespace

awaitable<void> serve_egress(Server::Impl& impl, PlainStream& stream, HttpRequest req,
                             std::uint8_t /*version*/) {
    co_await not_implemented(impl, stream, req);
}

awaitable<void> serve_egress(Server::Impl& impl, TlsStream& stream, HttpRequest req,
                             std::uint8_t /*version*/) {
    co_await not_implemented(impl, stream, req);
}

}  // namespace questdb::test_server::detail
