// FaultProxy: forwarding with Asio coroutines on one I/O thread (so every link is touched by
// one thread only), plus an outage thread that stops and starts the server behind it.

#include "support/fault_proxy.hpp"

#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <condition_variable>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace questdb::test {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

enum Direction : std::size_t { to_server = 0, to_client = 1 };

/// One proxied connection: the client's socket, ours to the server, a pause timer per
/// direction. Closed once, from the I/O thread.
struct Link {
    explicit Link(tcp::socket accepted)
        : client(std::move(accepted)),
          upstream(client.get_executor()),
          timers{asio::steady_timer(client.get_executor()),
                 asio::steady_timer(client.get_executor())} {}

    /// Closes both sockets (with RST when `reset`) and cancels the pauses; false when
    /// already closed.
    bool close(bool reset) {
        if (closed) {
            return false;
        }
        closed = true;
        boost::system::error_code ignored;
        for (auto* socket : {&client, &upstream}) {
            if (reset && socket->is_open()) {
                socket->set_option(asio::socket_base::linger(true, 0), ignored);
            }
            socket->close(ignored);
        }
        for (auto& timer : timers) {
            timer.cancel();
        }
        return true;
    }

    tcp::socket client;
    tcp::socket upstream;
    std::array<asio::steady_timer, 2> timers;
    bool closed = false;
};

}  // namespace

struct FaultProxy::Impl {
    Impl(std::uint16_t upstream, std::uint64_t seed, const FaultSchedule& schedule)
        : upstream_port(upstream),
          chunk_plan(seed, schedule),
          outage_plan(seed ^ 0x9e3779b97f4a7c15ULL, schedule) {}

    // ---- forwarding (I/O thread) ----
    awaitable<void> accept_loop();
    awaitable<void> serve(tcp::socket client);
    awaitable<void> pump(std::shared_ptr<Link> link, Direction direction);
    awaitable<bool> write_pieces(Link& link, tcp::socket& to, asio::steady_timer& timer,
                                 const std::uint8_t* data, std::size_t size);
    FaultDecision decide(Direction direction, std::size_t bytes);
    void finish(const std::shared_ptr<Link>& link, bool reset);
    void close_all(bool reset);

    // ---- outages (outage thread or caller) ----
    void outage_loop();
    void outage(std::chrono::milliseconds downtime);

    const std::uint16_t upstream_port;
    asio::io_context io;
    std::unique_ptr<tcp::acceptor> acceptor;
    std::uint16_t port = 0;
    std::thread io_thread;
    std::thread outage_thread;
    bool started = false;

    mutable std::mutex mutex;  // guards everything below
    std::condition_variable changed;
    FaultPlan chunk_plan;
    FaultPlan outage_plan;
    std::uint64_t generation = 0;  // bumped by set_schedule and stop
    bool stopping = false;
    std::function<void()> stop_hook;
    std::function<void()> start_hook;
    FaultCounts counts;

    std::mutex outage_running;              // held for the length of one outage
    std::set<std::shared_ptr<Link>> links;  // I/O thread only
    std::atomic<std::size_t> open{0};
};

awaitable<void> FaultProxy::Impl::accept_loop() {
    for (;;) {
        auto [ec, socket] = co_await acceptor->async_accept(kNoThrow);
        if (ec) {
            if (!acceptor->is_open()) {
                co_return;
            }
            continue;  // e.g. EMFILE; try again
        }
        asio::co_spawn(io, serve(std::move(socket)), asio::detached);
    }
}

awaitable<void> FaultProxy::Impl::serve(tcp::socket client) {
    auto link = std::make_shared<Link>(std::move(client));
    {
        std::lock_guard lock(mutex);
        ++counts.connections;
        if (stopping) {
            link->close(false);
            co_return;
        }
    }
    links.insert(link);
    ++open;
    const tcp::endpoint server(asio::ip::address_v4::loopback(), upstream_port);
    auto [ec] = co_await link->upstream.async_connect(server, kNoThrow);
    if (ec || link->closed) {
        if (ec) {
            std::lock_guard lock(mutex);
            ++counts.upstream_refused;
        }
        finish(link, false);
        co_return;
    }
    boost::system::error_code ignored;
    link->client.set_option(tcp::no_delay(true), ignored);
    link->upstream.set_option(tcp::no_delay(true), ignored);
    asio::co_spawn(io, pump(link, to_server), asio::detached);
    asio::co_spawn(io, pump(link, to_client), asio::detached);
}

FaultDecision FaultProxy::Impl::decide(Direction direction, std::size_t bytes) {
    std::lock_guard lock(mutex);
    const auto decision = chunk_plan.next_chunk();
    switch (decision.kind) {
        case FaultKind::delay:
            ++counts.delays;
            break;
        case FaultKind::fragment:
            ++counts.fragments;
            break;
        case FaultKind::stall:
            ++counts.stalls;
            break;
        case FaultKind::cut:
            ++counts.cuts;
            break;
        case FaultKind::none:
            break;
    }
    if (decision.kind != FaultKind::cut) {
        (direction == to_server ? counts.bytes_to_server : counts.bytes_to_client) += bytes;
    }
    return decision;
}

awaitable<bool> FaultProxy::Impl::write_pieces(Link& link, tcp::socket& to,
                                               asio::steady_timer& timer, const std::uint8_t* data,
                                               std::size_t size) {
    std::size_t gap_ms = 0;
    {
        std::lock_guard lock(mutex);
        gap_ms = static_cast<std::size_t>(chunk_plan.schedule().fragment_gap.count());
    }
    std::size_t done = 0;
    while (done < size) {
        std::size_t piece = 0;
        {
            std::lock_guard lock(mutex);
            piece = std::min(chunk_plan.next_piece_bytes(), size - done);
            ++counts.fragment_pieces;
            counts.largest_piece = std::max(counts.largest_piece, piece);
        }
        auto [ec, n] = co_await asio::async_write(to, asio::buffer(data + done, piece), kNoThrow);
        if (ec || link.closed) {
            co_return false;
        }
        done += n;
        if (gap_ms > 0 && done < size) {
            timer.expires_after(std::chrono::milliseconds(gap_ms));
            co_await timer.async_wait(kNoThrow);
            if (link.closed) {
                co_return false;
            }
        }
    }
    co_return true;
}

awaitable<void> FaultProxy::Impl::pump(std::shared_ptr<Link> link, Direction direction) {
    auto& from = direction == to_server ? link->client : link->upstream;
    auto& to = direction == to_server ? link->upstream : link->client;
    auto& timer = link->timers[direction];
    std::vector<std::uint8_t> buffer(16 * 1024);
    while (!link->closed) {
        auto [read_error, n] = co_await from.async_read_some(asio::buffer(buffer), kNoThrow);
        if (read_error || link->closed) {
            break;
        }
        const auto decision = decide(direction, n);
        if (decision.kind == FaultKind::cut) {
            finish(link, true);
            co_return;
        }
        if (decision.pause.count() > 0) {
            timer.expires_after(decision.pause);
            co_await timer.async_wait(kNoThrow);
            if (link->closed) {
                break;
            }
        }
        if (decision.kind == FaultKind::fragment) {
            if (!co_await write_pieces(*link, to, timer, buffer.data(), n)) {
                break;
            }
            continue;
        }
        auto [write_error, written] =
            co_await asio::async_write(to, asio::buffer(buffer.data(), n), kNoThrow);
        if (write_error) {
            break;
        }
    }
    finish(link, false);
}

void FaultProxy::Impl::finish(const std::shared_ptr<Link>& link, bool reset) {
    if (link->close(reset)) {
        links.erase(link);
        --open;
    }
}

void FaultProxy::Impl::close_all(bool reset) {
    const auto all = links;  // finish() erases
    for (const auto& link : all) {
        finish(link, reset);
    }
}

void FaultProxy::Impl::outage_loop() {
    std::unique_lock lock(mutex);
    while (!stopping) {
        const auto seen = generation;
        const auto wait = outage_plan.next_restart_in();
        const auto interrupted = [&] { return stopping || generation != seen; };
        if (wait.count() == 0) {
            changed.wait(lock, interrupted);
            continue;
        }
        if (changed.wait_for(lock, wait, interrupted)) {
            continue;
        }
        const auto downtime = outage_plan.next_downtime();
        lock.unlock();
        outage(downtime);
        lock.lock();
    }
}

void FaultProxy::Impl::outage(std::chrono::milliseconds downtime) {
    std::lock_guard running(outage_running);
    std::function<void()> stop_server, start_server;
    {
        std::lock_guard lock(mutex);
        stop_server = stop_hook;
        start_server = start_hook;
    }
    if (!stop_server || !start_server) {
        return;
    }
    try {
        stop_server();
    } catch (...) {
        std::lock_guard lock(mutex);
        ++counts.restart_failures;
        return;
    }
    {
        // The outage itself: waiting here is the fault, not synchronisation.
        std::unique_lock lock(mutex);
        changed.wait_for(lock, downtime, [&] { return stopping; });
    }
    // The port can be briefly unavailable after a crash-like stop: retry a few times.
    for (int attempt = 0;; ++attempt) {
        try {
            start_server();
            std::lock_guard lock(mutex);
            ++counts.restarts;
            return;
        } catch (...) {
            std::unique_lock lock(mutex);
            if (attempt >= 50) {
                ++counts.restart_failures;
                return;
            }
            changed.wait_for(lock, std::chrono::milliseconds(100), [&] { return stopping; });
        }
    }
}

FaultProxy::FaultProxy(std::uint16_t upstream_port, std::uint64_t seed, FaultSchedule schedule)
    : impl_(std::make_unique<Impl>(upstream_port, seed, schedule)) {}

FaultProxy::~FaultProxy() {
    stop();
}

void FaultProxy::start() {
    if (impl_->started) {
        return;
    }
    auto acceptor = std::make_unique<tcp::acceptor>(impl_->io);
    const tcp::endpoint endpoint(asio::ip::address_v4::loopback(), 0);
    boost::system::error_code ec;
    acceptor->open(endpoint.protocol(), ec);
    if (!ec)
        acceptor->bind(endpoint, ec);
    if (!ec)
        acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        throw std::runtime_error("fault proxy cannot listen: " + ec.message());
    }
    impl_->port = acceptor->local_endpoint().port();
    impl_->acceptor = std::move(acceptor);
    impl_->started = true;
    asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
    impl_->io_thread = std::thread([impl = impl_.get()] { impl->io.run(); });
    impl_->outage_thread = std::thread([impl = impl_.get()] { impl->outage_loop(); });
}

void FaultProxy::stop() {
    if (!impl_->started) {
        return;
    }
    impl_->started = false;
    {
        std::lock_guard lock(impl_->mutex);
        impl_->stopping = true;
        ++impl_->generation;
    }
    impl_->changed.notify_all();
    impl_->outage_thread.join();
    asio::post(impl_->io, [impl = impl_.get()] {
        boost::system::error_code ignored;
        impl->acceptor->close(ignored);
        impl->close_all(false);
    });
    // run() returns once every aborted operation has completed: no work is left.
    impl_->io_thread.join();
}

std::uint16_t FaultProxy::port() const noexcept {
    return impl_->port;
}

std::string FaultProxy::address() const {
    return "127.0.0.1:" + std::to_string(impl_->port);
}

void FaultProxy::set_schedule(const FaultSchedule& schedule) {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->chunk_plan.set_schedule(schedule);
        impl_->outage_plan.set_schedule(schedule);
        ++impl_->generation;
    }
    impl_->changed.notify_all();
}

void FaultProxy::set_server_hooks(std::function<void()> stop_server,
                                  std::function<void()> start_server) {
    std::lock_guard lock(impl_->mutex);
    impl_->stop_hook = std::move(stop_server);
    impl_->start_hook = std::move(start_server);
}

void FaultProxy::quiesce() {
    set_schedule(FaultSchedule{});
    std::lock_guard wait_for_outage(impl_->outage_running);
}

void FaultProxy::restart_server(std::chrono::milliseconds downtime) {
    impl_->outage(downtime);
}

void FaultProxy::cut_all() {
    auto* impl = impl_.get();
    asio::post(impl->io, [impl] {
        {
            std::lock_guard lock(impl->mutex);
            impl->counts.cuts += impl->links.size();
        }
        impl->close_all(true);
    });
}

FaultCounts FaultProxy::counts() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->counts;
}

std::size_t FaultProxy::open_connections() const {
    return impl_->open.load();
}

}  // namespace questdb::test
