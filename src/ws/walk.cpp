#include "ws/walk.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>

namespace questdb::ws {

using questdb::detail::fail;
using questdb::detail::Failure;

bool WalkReport::terminal() const noexcept {
    return !attempts.empty() && attempts.back().outcome.terminal();
}

bool WalkReport::all_role_rejects() const noexcept {
    if (attempts.empty()) {
        return false;
    }
    for (const auto& attempt : attempts) {
        if (attempt.outcome.verdict != Verdict::role_reject) {
            return false;
        }
    }
    return true;
}

bool WalkReport::any_transient_role_reject() const noexcept {
    for (const auto& attempt : attempts) {
        if (attempt.outcome.role_reject_is_transient()) {
            return true;
        }
    }
    return false;
}

Failure WalkReport::failure() const {
    if (attempts.empty()) {
        return fail(ErrorCode::socket_error, "all QWP endpoints unreachable: no endpoint to try");
    }
    if (terminal()) {
        return attempts.back().outcome.failure;
    }
    if (all_role_rejects()) {
        std::string message = "no endpoint has the required role:";
        for (const auto& attempt : attempts) {
            message += " " + attempt.endpoint.to_string() + " is " +
                       (attempt.outcome.role.empty() ? "unsuitable" : attempt.outcome.role) + ";";
        }
        message.pop_back();
        return fail(ErrorCode::role_mismatch, std::move(message));
    }
    ErrorCode code = ErrorCode::socket_error;
    std::string message = "all QWP endpoints unreachable:";
    for (const auto& attempt : attempts) {
        message += " [" + attempt.outcome.failure.message + "]";
        if (attempt.outcome.verdict == Verdict::transient) {
            code = attempt.outcome.failure.code;
        }
    }
    return fail(code, std::move(message));
}

std::vector<std::size_t> walk_order(std::size_t count, std::size_t start) {
    std::vector<std::size_t> order;
    order.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        order.push_back((start + i) % count);
    }
    return order;
}

struct EndpointWalk::Impl : std::enable_shared_from_this<EndpointWalk::Impl> {
    Impl(const boost::asio::any_io_executor& executor, std::vector<Endpoint> endpoints,
         ConnectionOptions options)
        : executor(executor), endpoints(std::move(endpoints)), options(std::move(options)) {}

    boost::asio::any_io_executor executor;
    std::vector<Endpoint> endpoints;
    ConnectionOptions options;
    std::vector<std::size_t> order;
    std::size_t next = 0;
    std::unique_ptr<Connection> current;
    WalkReport report;
    Handler handler;
    bool detached = false;
    bool cancelled = false;

    void try_next() {
        if (cancelled || next == order.size()) {
            return finish(nullptr);
        }
        const std::size_t index = order[next++];
        current = std::make_unique<Connection>(executor, options);
        current->async_connect(endpoints[index],
                               [self = shared_from_this(), index](const ConnectOutcome& outcome) {
                                   self->on_outcome(index, outcome);
                               });
    }

    void on_outcome(std::size_t index, const ConnectOutcome& outcome) {
        report.attempts.push_back(EndpointAttempt{index, endpoints[index], outcome});
        if (outcome.ok()) {
            report.connected = index;
            return finish(std::move(current));
        }
        // Keep the failed Connection alive until its own handler has returned.
        boost::asio::post(executor, [failed = std::shared_ptr<Connection>(std::move(current))] {});
        if (outcome.terminal()) {
            return finish(nullptr);
        }
        try_next();
    }

    void finish(std::unique_ptr<Connection> connection) {
        auto done = std::move(handler);
        auto result = std::move(report);
        report = {};
        if (!detached && done) {
            done(std::move(connection), std::move(result));
        }
    }
};

EndpointWalk::EndpointWalk(const boost::asio::any_io_executor& executor,
                           std::vector<Endpoint> endpoints, ConnectionOptions options)
    : impl_(std::make_shared<Impl>(executor, std::move(endpoints), std::move(options))) {}

EndpointWalk::~EndpointWalk() {
    impl_->detached = true;
    cancel();
}

void EndpointWalk::async_run(std::size_t start, Handler handler) {
    impl_->handler = std::move(handler);
    impl_->report = {};
    impl_->cancelled = false;
    impl_->next = 0;
    impl_->order = walk_order(impl_->endpoints.size(), impl_->endpoints.empty() ? 0 : start);
    boost::asio::post(impl_->executor, [self = impl_] { self->try_next(); });
}

void EndpointWalk::cancel() noexcept {
    impl_->cancelled = true;
    if (impl_->current) {
        impl_->current->abort();
    }
}

std::unique_ptr<BlockingConnection> connect_first(const std::vector<Endpoint>& endpoints,
                                                  std::size_t start,
                                                  const ConnectionOptions& options,
                                                  WalkReport& report,
                                                  const PostConnectCheck& check) {
    report = {};
    for (const std::size_t index : walk_order(endpoints.size(), start)) {
        auto connection = std::make_unique<BlockingConnection>(options);
        ConnectOutcome outcome = connection->connect(endpoints[index]);
        if (outcome.ok() && check) {
            outcome = check(*connection);
        }
        report.attempts.push_back(EndpointAttempt{index, endpoints[index], outcome});
        if (outcome.ok()) {
            report.connected = index;
            return connection;
        }
        connection->abort();
        if (outcome.terminal()) {
            break;
        }
    }
    return nullptr;
}

}  // namespace questdb::ws
