#include "ws/blocking.hpp"

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace questdb::ws {

using questdb::detail::fail;
using questdb::detail::Failure;
using questdb::detail::Result;
using questdb::detail::Status;
using Clock = std::chrono::steady_clock;

struct BlockingConnection::Impl {
    explicit Impl(ConnectionOptions options)
        : io(1), connection(boost::asio::any_io_executor(io.get_executor()), std::move(options)) {}

    /// A read outlives an interrupted read() call: its handler stores here, not on a stack.
    struct PendingRead {
        bool started = false;
        bool done = false;
        Status status;
        std::span<const std::uint8_t> message;
    };

    enum class Wait { done, timed_out, interrupted };

    boost::asio::io_context io;
    PendingRead pending;
    std::atomic<bool> interrupt_requested{false};
    Connection connection;  // last: destroyed first, so its handlers never see a dead Impl

    /// Runs handlers until `done` or the deadline (zero timeout: no deadline); an interruptible
    /// wait also ends at interrupt(). timed_out also when nothing is left to run although
    /// `done` is still false.
    Wait run_until(const bool& done, std::chrono::milliseconds timeout,
                   bool interruptible = false) {
        const bool bounded = timeout.count() > 0;
        const auto deadline = Clock::now() + timeout;
        while (!done) {
            if (interruptible && interrupt_requested.exchange(false)) {
                return Wait::interrupted;
            }
            if (io.stopped()) {
                io.restart();
            }
            const std::size_t ran = bounded ? io.run_one_until(deadline) : io.run_one();
            if (ran == 0 && !done) {
                if (!bounded || Clock::now() >= deadline) {
                    return Wait::timed_out;
                }
            }
        }
        return Wait::done;
    }

    /// After a timeout: close the socket and let the aborted operation finish.
    void abort_and_drain(const bool& done) {
        connection.abort();
        (void)run_until(done, std::chrono::milliseconds(0));
    }

    void start_read() {
        pending = PendingRead{};
        pending.started = true;
        connection.async_read([this](Status result, std::span<const std::uint8_t> data) {
            pending.status = std::move(result);
            pending.message = data;
            pending.done = true;
        });
    }

    Failure timed_out(const char* what, std::chrono::milliseconds timeout) const {
        return fail(ErrorCode::socket_error,
                    std::string(what) + " " + connection.endpoint().to_string() +
                        " timed out after " + std::to_string(timeout.count()) + " ms");
    }
};

BlockingConnection::BlockingConnection(ConnectionOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

BlockingConnection::~BlockingConnection() = default;

ConnectOutcome BlockingConnection::connect(const Endpoint& endpoint) {
    bool done = false;
    ConnectOutcome outcome;
    impl_->connection.async_connect(endpoint, [&](const ConnectOutcome& result) {
        outcome = result;
        done = true;
    });
    if (impl_->run_until(done, std::chrono::milliseconds(0)) != Impl::Wait::done) {
        return ConnectOutcome::make(Verdict::transient, ErrorCode::socket_error,
                                    "connect to " + endpoint.to_string() + " stalled");
    }
    return outcome;
}

Status BlockingConnection::write(std::span<const std::uint8_t> message,
                                 std::chrono::milliseconds timeout) {
    bool done = false;
    Status status;
    impl_->connection.async_write(message, [&](Status result) {
        status = std::move(result);
        done = true;
    });
    if (impl_->run_until(done, timeout) != Impl::Wait::done) {
        impl_->abort_and_drain(done);
        return impl_->timed_out("write to", timeout);
    }
    return status;
}

Result<std::span<const std::uint8_t>> BlockingConnection::read(std::chrono::milliseconds timeout) {
    auto& pending = impl_->pending;
    if (!pending.started) {
        impl_->start_read();
    }
    switch (impl_->run_until(pending.done, timeout, /*interruptible=*/true)) {
        case Impl::Wait::interrupted:
            return fail(ErrorCode::cancelled, "read interrupted");
        case Impl::Wait::timed_out:
            impl_->abort_and_drain(pending.done);
            pending.started = false;
            return impl_->timed_out("read from", timeout);
        case Impl::Wait::done:
            break;
    }
    pending.started = false;
    if (!pending.status) {
        return std::move(pending.status).failure();
    }
    return pending.message;
}

void BlockingConnection::interrupt() noexcept {
    impl_->interrupt_requested.store(true);
    try {
        // Wakes a run_one() blocked on another thread; io_context::post is thread-safe.
        boost::asio::post(impl_->io, [] {});
    } catch (...) {
        // Allocation failure: the flag is still seen at the next loop turn of read().
    }
}

Status BlockingConnection::close(std::chrono::milliseconds timeout, std::uint16_t code) {
    bool done = false;
    Status status;
    impl_->connection.async_close(code, [&](Status result) {
        status = std::move(result);
        done = true;
    });
    if (impl_->run_until(done, timeout) != Impl::Wait::done) {
        impl_->abort_and_drain(done);
        return impl_->timed_out("close handshake with", timeout);
    }
    return status;
}

void BlockingConnection::abort() noexcept {
    impl_->connection.abort();
}
bool BlockingConnection::is_open() const noexcept {
    return impl_->connection.is_open();
}
const Endpoint& BlockingConnection::endpoint() const noexcept {
    return impl_->connection.endpoint();
}
const UpgradeResponse& BlockingConnection::upgrade_response() const noexcept {
    return impl_->connection.upgrade_response();
}
std::optional<std::uint16_t> BlockingConnection::close_code() const noexcept {
    return impl_->connection.close_code();
}

}  // namespace questdb::ws
