#pragma once

// The two ways an ILP sender moves a flushed buffer: HTTP (POST /write, one request per
// flush, retried) and TCP (a byte stream, never retried). Dispatch is per flush.

#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "ilp/connection.hpp"
#include "ilp/ecdsa_auth.hpp"
#include "ilp/sender_config.hpp"

namespace questdb::ilp {

class Transport {
  public:
    virtual ~Transport() = default;
    /// Delivers one flush worth of complete rows.
    virtual detail::Status send(std::span<const std::uint8_t> rows) = 0;
    /// True once the transport cannot be used any more (TCP after a failure).
    [[nodiscard]] virtual bool broken() const noexcept = 0;
    virtual void close() noexcept = 0;
};

/// What GET /settings told about the server.
struct ServerSettings {
    std::vector<ProtocolVersion> versions;  // supported line protocol versions
    std::size_t max_name_len = kDefaultMaxNameLen;
};

/// The HTTP header value for the configured credentials ("" when there are none).
/// Fails with auth_error for a bearer token containing a newline.
[[nodiscard]] detail::Result<std::string> authorization_header(const SenderConfig& config);

/// Parses a QuestDB JSON error body into "message [id: ..., code: ..., line: N]"; returns
/// the body unchanged when it is not such JSON.
[[nodiscard]] std::string describe_server_error(std::string_view content_type,
                                                std::string_view body);

/// Which HTTP statuses are worth retrying (the reference's list of transient 5xx codes).
[[nodiscard]] bool is_retriable_status(unsigned status) noexcept;

/// Parses the body of GET /settings.
[[nodiscard]] detail::Result<ServerSettings> parse_server_settings(
    std::string_view body, std::size_t default_max_name_len);

class HttpTransport final : public Transport {
  public:
    /// Does no I/O; connections open on first use and are kept alive between requests.
    static detail::Result<std::unique_ptr<HttpTransport>> create(const SenderConfig& config,
                                                                 const TlsHooks* tls);

    detail::Status send(std::span<const std::uint8_t> rows) override;
    [[nodiscard]] bool broken() const noexcept override { return false; }
    void close() noexcept override { connection_.close(); }

    /// GET /settings (retried for up to one second on transient failures). A 404 means an
    /// old server: version 1 only.
    detail::Result<ServerSettings> fetch_settings();

    HttpTransport(const SenderConfig& config, const TlsHooks* tls, std::string authorization);

  private:
    struct Attempt {
        detail::Status status;
        bool retriable = false;
    };
    Attempt attempt(std::string_view method, std::string_view target,
                    std::span<const std::uint8_t> body, Clock::duration timeout,
                    Connection::HttpResponse* response_out);
    detail::Status with_retries(std::string_view method, std::string_view target,
                                std::span<const std::uint8_t> body, Clock::duration timeout,
                                Clock::duration retry_budget,
                                Connection::HttpResponse* response_out);

    SenderConfig config_;
    const TlsHooks* tls_;
    std::string authorization_;
    std::string host_header_;
    std::string user_agent_;
    Connection connection_;
};

class TcpTransport final : public Transport {
  public:
    /// Connects, completes TLS and the ECDSA challenge (when configured) within
    /// `auth_timeout`.
    static detail::Result<std::unique_ptr<TcpTransport>> open(const SenderConfig& config,
                                                              const TlsHooks* tls);

    detail::Status send(std::span<const std::uint8_t> rows) override;
    [[nodiscard]] bool broken() const noexcept override { return broken_; }
    void close() noexcept override {
        connection_.close();
        broken_ = true;
    }

  private:
    detail::Status authenticate(const EcdsaSigner& signer, const std::string& key_id,
                                Clock::time_point deadline);

    Connection connection_;
    std::string endpoint_;
    bool broken_ = false;
};

}  // namespace questdb::ilp
