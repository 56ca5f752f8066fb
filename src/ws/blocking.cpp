#include "ws/blocking.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>

namespace questdb::ws {

using questdb::detail::fail;
using questdb::detail::Failure;
using questdb::detail::Result;
using questdb::detail::Status;
using Clock = std::chrono::steady_clock;

struct BlockingConnection::Impl {
    explicit Impl(ConnectionOptions options)
        : io(1), connection(boost::asio::any_io_executor(io.get_executor()), std::move(options)) {}

    boost::asio::io_context io;
    Connection connection;

    /// Runs handlers until `done` or the deadline (zero timeout: no deadline). False on
    /// timeout, or when nothing is left to run although `done` is still false.
    bool run_until(const bool& done, std::chrono::milliseconds timeout) {
        const bool bounded = timeout.count() > 0;
        const auto deadline = Clock::now() + timeout;
        while (!done) {
            if (io.stopped()) {
                io.restart();
            }
            const std::size_t ran = bounded ? io.run_one_until(deadline) : io.run_one();
            if (ran == 0 && !done) {
                if (!bounded || Clock::now() >= deadline) {
                    return false;
                }
            }
        }
        return true;
    }

    /// After a timeout: close the socket and let the aborted operation finish.
    void abort_and_drain(const bool& done) {
        connection.abort();
        (void)run_until(done, std::chrono::milliseconds(0));
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
    if (!impl_->run_until(done, std::chrono::milliseconds(0))) {
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
    if (!impl_->run_until(done, timeout)) {
        impl_->abort_and_drain(done);
        return impl_->timed_out("write to", timeout);
    }
    return status;
}

Result<std::span<const std::uint8_t>> BlockingConnection::read(std::chrono::milliseconds timeout) {
    bool done = false;
    Status status;
    std::span<const std::uint8_t> message;
    impl_->connection.async_read([&](Status result, std::span<const std::uint8_t> data) {
        status = std::move(result);
        message = data;
        done = true;
    });
    if (!impl_->run_until(done, timeout)) {
        impl_->abort_and_drain(done);
        return impl_->timed_out("read from", timeout);
    }
    if (!status) {
        return std::move(status).failure();
    }
    return message;
}

Status BlockingConnection::close(std::chrono::milliseconds timeout, std::uint16_t code) {
    bool done = false;
    Status status;
    impl_->connection.async_close(code, [&](Status result) {
        status = std::move(result);
        done = true;
    });
    if (!impl_->run_until(done, timeout)) {
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
