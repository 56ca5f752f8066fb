#include "ilp/transport.hpp"

namespace questdb::ilp {
namespace {

using detail::fail;
using detail::Status;

constexpr std::size_t kMaxChallengeBytes = 4096;

}  // namespace

detail::Result<std::unique_ptr<TcpTransport>> TcpTransport::open(const SenderConfig& config,
                                                                 const TlsHooks* tls) {
    if (config.token && !config.ecdsa) {
        return fail(ErrorCode::config_error,
                    "ILP over TCP authenticates with an ECDSA key: give username, token, "
                    "token_x and token_y");
    }
    std::shared_ptr<EcdsaSigner> signer;
    if (config.ecdsa) {
        // Check the key before any I/O so that a typo is reported as such.
        auto created = EcdsaSigner::create(*config.ecdsa);
        if (!created.ok()) {
            return std::move(created).failure();
        }
        signer = std::move(created).value();
    }
    auto transport = std::make_unique<TcpTransport>();
    transport->endpoint_ = config.host + ":" + std::to_string(config.port);
    const auto deadline = Clock::now() + config.auth_timeout;
    if (auto s = transport->connection_.connect(config.host, config.port, deadline, tls,
                                                config.bind_interface);
        !s.ok()) {
        return std::move(s).failure();
    }
    if (signer) {
        if (auto s = transport->authenticate(*signer, config.ecdsa->key_id, deadline); !s.ok()) {
            transport->close();
            return std::move(s).failure();
        }
    }
    return transport;
}

detail::Status TcpTransport::authenticate(const EcdsaSigner& signer, const std::string& key_id,
                                          Clock::time_point deadline) {
    const std::string hello = key_id + "\n";
    if (auto s = connection_.write_all(
            {reinterpret_cast<const std::uint8_t*>(hello.data()), hello.size()}, deadline);
        !s.ok()) {
        return fail(ErrorCode::auth_error,
                    "ILP/TCP authentication with \"" + endpoint_ +
                        "\" failed sending the key id: " + s.failure().message);
    }
    std::string challenge;
    if (auto s = connection_.read_line(challenge, kMaxChallengeBytes, deadline); !s.ok()) {
        return fail(
            ErrorCode::auth_error,
            "Did not receive the ILP/TCP auth challenge from \"" + endpoint_ +
                "\" (is the server configured for authentication?): " + s.failure().message);
    }
    auto signature = signer.sign(challenge);
    if (!signature.ok()) {
        return std::move(signature).failure();
    }
    std::string reply = std::move(signature).value();
    reply.push_back('\n');
    if (auto s = connection_.write_all(
            {reinterpret_cast<const std::uint8_t*>(reply.data()), reply.size()}, deadline);
        !s.ok()) {
        return fail(ErrorCode::auth_error,
                    "ILP/TCP authentication with \"" + endpoint_ +
                        "\" failed sending the signature: " + s.failure().message);
    }
    return {};
}

detail::Status TcpTransport::send(std::span<const std::uint8_t> rows) {
    if (broken_) {
        return fail(ErrorCode::socket_error,
                    "Could not flush buffer: the ILP/TCP connection to \"" + endpoint_ +
                        "\" failed earlier; close this sender and create a new one");
    }
    // ILP/TCP has no acknowledgements: a write that returns has reached the kernel only.
    // Writes block without a deadline, as in the reference client.
    auto s = connection_.write_all(rows, kNoDeadline);
    if (!s.ok()) {
        broken_ = true;
        connection_.close();
        detail::Failure failure = std::move(s).failure();
        failure.message = "Could not flush buffer to \"" + endpoint_ + "\": " + failure.message;
        failure.in_doubt = true;
        return failure;
    }
    return {};
}

}  // namespace questdb::ilp
