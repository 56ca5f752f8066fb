#pragma once

// Server::Impl: shared state of one test server (options, storage, faults, counters, logs)
// and the I/O machinery (io_context, threads, listeners). Sessions get an Impl*.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "fault_state.hpp"
#include "questdb/test_server/server.hpp"
#include "storage.hpp"

namespace questdb::test_server {

struct Server::Impl {
    explicit Impl(Options opts) : options(std::move(opts)), db(options.sink) {}

    Options options;
    detail::Database db;
    detail::FaultState faults;

    std::atomic<std::uint64_t> ingress_connections{0};
    std::atomic<std::uint64_t> egress_connections{0};
    std::atomic<std::uint64_t> ingress_frames{0};
    std::atomic<std::uint64_t> ilp_http_requests{0};
    std::atomic<std::uint64_t> ilp_tcp_connections{0};

    mutable std::mutex log_mutex;
    std::vector<RequestInfo> requests;
    std::vector<std::vector<std::uint8_t>> ingress_payloads;
    std::vector<std::vector<std::uint8_t>> egress_frames;
    std::map<std::string, QueryResponse, std::less<>> queries;

    std::unique_ptr<boost::asio::io_context> ioc;
    std::vector<std::thread> threads;
    std::unique_ptr<boost::asio::ssl::context> ssl;
    std::unique_ptr<boost::asio::ip::tcp::acceptor> http_acceptor;
    std::unique_ptr<boost::asio::ip::tcp::acceptor> ilp_acceptor;
    std::uint16_t http_port = 0;
    std::uint16_t ilp_port = 0;
    std::atomic<bool> running{false};

    void log_request(RequestInfo info) {
        std::lock_guard lock(log_mutex);
        requests.push_back(std::move(info));
    }
    void log_ingress_payload(std::vector<std::uint8_t> bytes) {
        std::lock_guard lock(log_mutex);
        ingress_payloads.push_back(std::move(bytes));
    }
    void log_egress_frame(std::vector<std::uint8_t> bytes) {
        std::lock_guard lock(log_mutex);
        egress_frames.push_back(std::move(bytes));
    }
    std::optional<QueryResponse> find_query(std::string_view sql) const {
        std::lock_guard lock(log_mutex);
        auto it = queries.find(sql);
        if (it == queries.end())
            return std::nullopt;
        return it->second;
    }
};

namespace detail {
/// Starts the listeners' accept loops on impl->ioc (sessions.cpp).
void start_accepting(Server::Impl& impl);
}  // namespace detail

}  // namespace questdb::test_server
