#include <random>
#include <thread>

#include "ilp/http_response.hpp"
#include "ilp/transport.hpp"

#ifndef QUESTDB_VERSION_STRING
#define QUESTDB_VERSION_STRING "0"
#endif

namespace questdb::ilp {
namespace {

using detail::fail;
using detail::Failure;
using detail::Status;

bool is_network_failure(ErrorCode code) {
    return code == ErrorCode::socket_error || code == ErrorCode::connect_timeout;
}

}  // namespace

detail::Result<std::string> authorization_header(const SenderConfig& config) {
    if (config.token) {
        if (config.token->find('\n') != std::string::npos ||
            config.token->find('\r') != std::string::npos) {
            return fail(ErrorCode::auth_error, "Bad auth token: must not contain a newline");
        }
        return "Bearer " + *config.token;
    }
    if (config.username) {
        const std::string pair = *config.username + ":" + config.password.value_or("");
        return "Basic " + encode_base64(std::span<const unsigned char>(
                              reinterpret_cast<const unsigned char*>(pair.data()), pair.size()));
    }
    return std::string();
}

HttpTransport::HttpTransport(const SenderConfig& config, const TlsHooks* tls,
                             std::string authorization)
    : config_(config),
      tls_(tls),
      authorization_(std::move(authorization)),
      host_header_(
          (config.host.find(':') != std::string::npos ? "[" + config.host + "]" : config.host) +
          ":" + std::to_string(config.port)),
      user_agent_(std::string("questdb/cpp/") + QUESTDB_VERSION_STRING) {}

detail::Result<std::unique_ptr<HttpTransport>> HttpTransport::create(const SenderConfig& config,
                                                                     const TlsHooks* tls) {
    if (config.ecdsa) {
        return fail(ErrorCode::auth_error,
                    "ECDSA authentication (token_x/token_y) is for ILP over TCP only; use "
                    "username/password or token over HTTP");
    }
    auto header = authorization_header(config);
    if (!header.ok()) {
        return std::move(header).failure();
    }
    return std::make_unique<HttpTransport>(config, tls, std::move(header).value());
}

HttpTransport::Attempt HttpTransport::attempt(std::string_view method, std::string_view target,
                                              std::span<const std::uint8_t> body,
                                              Clock::duration timeout,
                                              Connection::HttpResponse* response_out) {
    const auto deadline = Clock::now() + timeout;
    if (response_out != nullptr) {
        *response_out = {};
    }
    if (!connection_.is_open()) {
        auto s =
            connection_.connect(config_.host, config_.port, deadline, tls_, config_.bind_interface);
        if (!s.ok()) {
            const bool retriable = is_network_failure(s.failure().code);
            return {std::move(s), retriable};
        }
    }
    bool sent_all = false;
    auto result = connection_.http_exchange(method, target, host_header_, authorization_,
                                            user_agent_, body, deadline, sent_all);
    if (!result.ok()) {
        connection_.close();  // a half-finished exchange leaves the stream unusable
        Failure failure = std::move(result).failure();
        failure.in_doubt = sent_all && !body.empty();
        return {Status(std::move(failure)), true};
    }
    auto& response = result.value();
    if (!response.keep_alive) {
        connection_.close();
    }
    if (response_out != nullptr) {
        *response_out = response;
    }
    if (response.status >= 200 && response.status < 300) {
        return {{}, false};
    }
    return {Status(http_failure(response.status, response)), is_retriable_status(response.status)};
}

detail::Status HttpTransport::with_retries(std::string_view method, std::string_view target,
                                           std::span<const std::uint8_t> body,
                                           Clock::duration timeout, Clock::duration retry_budget,
                                           Connection::HttpResponse* response_out) {
    Attempt last = attempt(method, target, body, timeout, response_out);
    if (!last.retriable || retry_budget <= Clock::duration::zero()) {
        return std::move(last.status);
    }
    // Exponential backoff from 10 ms, capped at retry_max_backoff, with +-5 ms of jitter so
    // that many senders do not retry in lockstep; never sleeps past the retry budget.
    thread_local std::minstd_rand rng{std::random_device{}()};
    std::uniform_int_distribution<int> jitter(-5, 4);
    const auto retry_end = Clock::now() + retry_budget;
    auto backoff = std::chrono::milliseconds(10);
    while (true) {
        const auto pause = std::max(std::chrono::milliseconds(0),
                                    backoff + std::chrono::milliseconds(jitter(rng)));
        if (Clock::now() + pause > retry_end) {
            return std::move(last.status);
        }
        std::this_thread::sleep_for(pause);
        last = attempt(method, target, body, timeout, response_out);
        if (!last.retriable) {
            return std::move(last.status);
        }
        backoff = std::min(backoff * 2, config_.retry_max_backoff);
    }
}

detail::Status HttpTransport::send(std::span<const std::uint8_t> rows) {
    // Big requests get extra time at the configured minimum throughput.
    auto timeout = std::chrono::duration_cast<Clock::duration>(config_.request_timeout);
    if (config_.request_min_throughput > 0) {
        timeout += std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(static_cast<double>(rows.size()) /
                                          static_cast<double>(config_.request_min_throughput)));
    }
    return with_retries("POST", "/write?precision=n", rows, timeout,
                        std::chrono::duration_cast<Clock::duration>(config_.retry_timeout),
                        nullptr);
}

detail::Result<ServerSettings> HttpTransport::fetch_settings() {
    Connection::HttpResponse response;
    auto status = with_retries("GET", "/settings", {},
                               std::chrono::duration_cast<Clock::duration>(config_.request_timeout),
                               std::chrono::seconds(1), &response);
    if (status.ok()) {
        return parse_server_settings(response.body, config_.max_name_len);
    }
    if (response.status == 404) {
        ServerSettings old_server;
        old_server.versions.push_back(ProtocolVersion::v1);
        old_server.max_name_len = config_.max_name_len;
        return old_server;
    }
    const auto& failure = status.failure();
    if (failure.code == ErrorCode::auth_error || failure.code == ErrorCode::tls_error ||
        failure.code == ErrorCode::could_not_resolve_addr) {
        return status.failure();
    }
    return fail(ErrorCode::protocol_version_error,
                "Could not detect the server's ILP protocol version from GET /settings on \"" +
                    host_header_ + "\": " + failure.message);
}

}  // namespace questdb::ilp
