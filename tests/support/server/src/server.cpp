// Server: lifecycle (start/stop/restart on the same ports) and the inspection API.

#include "questdb/test_server/server.hpp"

#include <boost/asio/ip/address_v4.hpp>
#include <stdexcept>

#include "server_impl.hpp"

namespace questdb::test_server {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

std::unique_ptr<tcp::acceptor> listen(asio::io_context& ioc, std::uint16_t port) {
    auto acceptor = std::make_unique<tcp::acceptor>(ioc);
    const tcp::endpoint endpoint(asio::ip::address_v4::loopback(), port);
    boost::system::error_code ec;
    acceptor->open(endpoint.protocol(), ec);
    if (!ec)
        acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec)
        acceptor->bind(endpoint, ec);
    if (!ec)
        acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        throw std::runtime_error("test server cannot listen on 127.0.0.1:" + std::to_string(port) +
                                 ": " + ec.message());
    }
    return acceptor;
}

std::unique_ptr<asio::ssl::context> make_tls(const Options& options) {
    if (options.tls_cert_chain_pem.empty() && options.tls_private_key_pem.empty()) {
        return nullptr;
    }
    auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                     asio::ssl::context::no_tlsv1_1);
    boost::system::error_code ec;
    ctx->use_certificate_chain(asio::buffer(options.tls_cert_chain_pem), ec);
    if (!ec) {
        ctx->use_private_key(asio::buffer(options.tls_private_key_pem), asio::ssl::context::pem,
                             ec);
    }
    if (ec) {
        throw std::runtime_error("test server TLS material rejected: " + ec.message());
    }
    return ctx;
}

}  // namespace

Server::Server(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Server::~Server() {
    stop();
}

void Server::start() {
    auto& impl = *impl_;
    if (impl.running)
        return;
    impl.ssl = make_tls(impl.options);
    impl.ioc = std::make_unique<asio::io_context>(static_cast<int>(impl.options.io_threads));
    const auto http_port = impl.http_port != 0 ? impl.http_port : impl.options.port;
    impl.http_acceptor = listen(*impl.ioc, http_port);
    impl.http_port = impl.http_acceptor->local_endpoint().port();
    if (impl.options.ilp_tcp_port) {
        const auto ilp_port = impl.ilp_port != 0 ? impl.ilp_port : *impl.options.ilp_tcp_port;
        impl.ilp_acceptor = listen(*impl.ioc, ilp_port);
        impl.ilp_port = impl.ilp_acceptor->local_endpoint().port();
    }
    detail::start_accepting(impl);
    const unsigned threads = std::max(1u, impl.options.io_threads);
    for (unsigned i = 0; i < threads; ++i) {
        impl.threads.emplace_back([&impl] { impl.ioc->run(); });
    }
    impl.running = true;
}

void Server::stop() {
    auto& impl = *impl_;
    if (!impl.running)
        return;
    impl.ioc->stop();
    for (auto& t : impl.threads)
        t.join();
    impl.threads.clear();
    // Destroying the io_context destroys every suspended session coroutine, which closes
    // its sockets: clients see an abrupt disconnect, as when QuestDB crashes.
    impl.http_acceptor.reset();
    impl.ilp_acceptor.reset();
    impl.ioc.reset();
    impl.ssl.reset();
    impl.running = false;
}

void Server::restart(bool keep_rows) {
    stop();
    if (!keep_rows)
        impl_->db.clear();
    start();
}

bool Server::running() const noexcept {
    return impl_->running;
}
std::uint16_t Server::port() const noexcept {
    return impl_->http_port;
}
std::uint16_t Server::ilp_tcp_port() const noexcept {
    return impl_->ilp_port;
}
std::string Server::address() const {
    return "127.0.0.1:" + std::to_string(impl_->http_port);
}
const Options& Server::options() const noexcept {
    return impl_->options;
}

Table Server::table(std::string_view name) const {
    return impl_->db.snapshot(name);
}
std::vector<std::string> Server::table_names() const {
    return impl_->db.names();
}
std::size_t Server::row_count(std::string_view name) const {
    return impl_->db.row_count(name);
}
bool Server::wait_for_rows(std::string_view name, std::size_t rows,
                           std::chrono::milliseconds timeout) const {
    return impl_->db.wait_for_rows(name, rows, timeout);
}
void Server::clear_tables() {
    impl_->db.clear();
}
void Server::set_dedup_keys(std::string_view table, std::vector<std::string> keys) {
    impl_->db.set_dedup_keys(table, std::move(keys));
}
std::string Server::dump_json() const {
    return impl_->db.dump_json();
}

void Server::register_query(std::string sql, QueryResponse response) {
    const auto first = sql.find_first_not_of(" \t\r\n");
    const auto last = sql.find_last_not_of(" \t\r\n;");
    sql = first == std::string::npos ? std::string() : sql.substr(first, last - first + 1);
    std::lock_guard lock(impl_->log_mutex);
    impl_->queries[std::move(sql)] = std::move(response);
}

std::uint64_t Server::ingress_connections() const noexcept {
    return impl_->ingress_connections;
}
std::uint64_t Server::egress_connections() const noexcept {
    return impl_->egress_connections;
}
std::uint64_t Server::ingress_frames() const noexcept {
    return impl_->ingress_frames;
}
std::uint64_t Server::ilp_http_requests() const noexcept {
    return impl_->ilp_http_requests;
}
std::uint64_t Server::ilp_tcp_connections() const noexcept {
    return impl_->ilp_tcp_connections;
}

std::vector<RequestInfo> Server::requests() const {
    std::lock_guard lock(impl_->log_mutex);
    return impl_->requests;
}
std::vector<std::vector<std::uint8_t>> Server::ingress_payloads() const {
    std::lock_guard lock(impl_->log_mutex);
    return impl_->ingress_payloads;
}
std::vector<std::vector<std::uint8_t>> Server::egress_client_frames() const {
    std::lock_guard lock(impl_->log_mutex);
    return impl_->egress_frames;
}

Faults& Server::faults() noexcept {
    return impl_->faults;
}

}  // namespace questdb::test_server
