#include "egress/ws_connector.hpp"

#include <algorithm>
#include <cctype>

#include "ws/blocking.hpp"
#include "ws/tls.hpp"

namespace questdb::egress {

using detail::fail;
using detail::Result;
using detail::Status;

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
        s.remove_suffix(1);
    }
    return s;
}

class WsTransport final : public EgressTransport {
  public:
    WsTransport(std::unique_ptr<ws::BlockingConnection> conn, bool zstd)
        : conn_(std::move(conn)), zstd_(zstd) {}
    ~WsTransport() override { conn_->abort(); }
    Status send(std::span<const std::uint8_t> frame) override {
        return conn_->write(frame, std::chrono::milliseconds(30000));
    }
    Result<std::span<const std::uint8_t>> receive(std::chrono::milliseconds timeout) override {
        return conn_->read(timeout);
    }
    void abort() noexcept override { conn_->abort(); }
    void interrupt() noexcept override { conn_->interrupt(); }
    [[nodiscard]] bool zstd_negotiated() const noexcept override { return zstd_; }

  private:
    std::unique_ptr<ws::BlockingConnection> conn_;
    bool zstd_;
};

class WsConnector final : public EgressConnector {
  public:
    WsConnector(std::vector<ws::Endpoint> endpoints, ws::ConnectionOptions options,
                bool zstd_offered)
        : endpoints_(std::move(endpoints)),
          options_(std::move(options)),
          zstd_offered_(zstd_offered) {}

    [[nodiscard]] std::size_t endpoint_count() const noexcept override { return endpoints_.size(); }
    [[nodiscard]] std::string endpoint_name(std::size_t i) const override {
        return endpoints_[i].to_string();
    }

    ConnectResult connect(std::size_t i) override {
        auto options = options_;
        auto zstd = std::make_shared<bool>(false);
        const bool offered = zstd_offered_;
        const std::string name = endpoints_[i].to_string();
        options.validate_upgrade = [zstd, offered, name](const ws::UpgradeResponse& response) {
            auto s =
                check_egress_upgrade(response.header("X-QWP-Version"),
                                     response.header("X-QWP-Content-Encoding"), offered, *zstd);
            if (!s) {
                return ws::ConnectOutcome::make(ws::Verdict::transient, s.failure().code,
                                                name + ": " + s.failure().message);
            }
            return ws::ConnectOutcome::success();
        };
        auto conn = std::make_unique<ws::BlockingConnection>(std::move(options));
        const auto outcome = conn->connect(endpoints_[i]);
        ConnectResult r;
        switch (outcome.verdict) {
            case ws::Verdict::connected:
                r.verdict = ConnectResult::Verdict::connected;
                r.transport = std::make_unique<WsTransport>(std::move(conn), *zstd);
                return r;
            case ws::Verdict::transient:
                r.verdict = ConnectResult::Verdict::transient;
                break;
            case ws::Verdict::role_reject:
                r.verdict = ConnectResult::Verdict::role_reject;
                break;
            case ws::Verdict::terminal:
                r.verdict = ConnectResult::Verdict::terminal;
                break;
        }
        r.failure = outcome.failure;
        return r;
    }

  private:
    std::vector<ws::Endpoint> endpoints_;
    ws::ConnectionOptions options_;
    bool zstd_offered_;
};

}  // namespace

std::vector<std::pair<std::string, std::string>> egress_upgrade_headers(
    const EgressUpgradeRequest& request) {
    std::vector<std::pair<std::string, std::string>> headers;
    headers.emplace_back("X-QWP-Max-Version", "1");
    headers.emplace_back("X-QWP-Client-Id", request.client_id);
    if (request.compression != conf::Compression::raw) {
        headers.emplace_back("X-QWP-Accept-Encoding",
                             "zstd;level=" + std::to_string(request.compression_level) + ",raw");
    }
    if (request.max_batch_rows && *request.max_batch_rows > 0) {
        headers.emplace_back("X-QWP-Max-Batch-Rows", std::to_string(*request.max_batch_rows));
    }
    return headers;
}

Status check_egress_upgrade(std::optional<std::string_view> version,
                            std::optional<std::string_view> content_encoding, bool zstd_offered,
                            bool& zstd) {
    zstd = false;
    if (!version) {
        return fail(ErrorCode::protocol_version_error,
                    "the 101 response has no X-QWP-Version header");
    }
    if (trim(*version) != "1") {
        return fail(ErrorCode::protocol_version_error, "the server negotiated QWP version " +
                                                           std::string(*version) +
                                                           ", this client supports 1");
    }
    if (!content_encoding) {
        return {};
    }
    const std::string enc = lower(trim(*content_encoding));
    const std::string token = enc.substr(0, enc.find(';'));
    if (token.empty() || token == "raw" || token == "identity") {
        return {};
    }
    if (token == "zstd") {
        if (!zstd_offered) {
            return fail(ErrorCode::unsupported_server,
                        "the server chose zstd, which this client did not offer");
        }
        zstd = true;
        return {};
    }
    return fail(ErrorCode::unsupported_server,
                "the server chose an unknown content encoding '" + enc + "'");
}

ReaderSettings reader_settings_from(const conf::Config& config, const ReaderOptions& options) {
    const auto& e = config.egress();
    ReaderSettings s;
    s.target = e.target == conf::Target::primary   ? TargetRole::primary
               : e.target == conf::Target::replica ? TargetRole::replica
                                                   : TargetRole::any;
    s.zone = e.zone;
    s.failover.enabled = e.failover;
    s.failover.max_attempts = e.failover_max_attempts;
    s.failover.backoff_initial = e.failover_backoff_initial;
    s.failover.backoff_max = e.failover_backoff_max;
    s.failover.max_duration = e.failover_max_duration;
    s.failover.replay = options.replay;
    s.close_timeout = e.query_close_timeout;
    s.initial_credit = e.initial_credit;
    s.server_info_timeout = options.server_info_timeout;
    s.read_timeout = options.read_timeout;
    s.max_decompressed_bytes = options.max_decompressed_bytes;
    s.max_request_bytes = options.max_request_bytes;
    return s;
}

std::unique_ptr<EgressConnector> make_ws_connector(const conf::Config& config) {
    const auto& e = config.egress();
    ws::ConnectionOptions options;
    options.path = "/read/v1";
    EgressUpgradeRequest req;
    req.client_id = config.transport().client_id;
    req.compression = e.compression;
    req.compression_level = e.compression_level;
    req.max_batch_rows = e.max_batch_rows;
    for (auto& [name, value] : egress_upgrade_headers(req)) {
        options.headers.push_back({name, value});
    }
    const auto& auth = config.auth();
    if (auth.kind == conf::AuthKind::basic) {
        options.credentials =
            ws::Credentials::basic(auth.username.value_or(""), auth.password.value_or(""));
    } else if (auth.kind == conf::AuthKind::token) {
        options.credentials = ws::Credentials::bearer(auth.token.value_or(""));
    }
    options.auth_timeout = auth.timeout;
    if (config.transport().connect_timeout) {
        options.connect_timeout = *config.transport().connect_timeout;
    }
    options.max_message_size = (16u << 20) + 1024;
    if (config.is_tls()) {
        ws::TlsOptions tls;
        const auto& t = config.tls();
        tls.verify =
            t.verify == conf::TlsVerify::on ? ws::TlsVerify::on : ws::TlsVerify::unsafe_off;
        tls.ca = t.roots ? ws::TlsCa::pem_file : ws::TlsCa::os_roots;
        tls.roots_path = t.roots.value_or("");
        tls.roots_password = t.roots_password;
        options.tls = detail::value_or_throw(ws::make_tls_context(tls));
    }
    std::vector<ws::Endpoint> endpoints;
    for (const auto& ep : config.endpoints()) {
        endpoints.push_back(ws::Endpoint{ep.host, ep.port});
    }
    return std::make_unique<WsConnector>(std::move(endpoints), std::move(options),
                                         e.compression != conf::Compression::raw);
}

Reader Reader::connect(const conf::Config& config, const ReaderOptions& options) {
    if (!conf::is_qwp(config.scheme())) {
        throw Error(ErrorCode::config_error,
                    "the query reader needs a ws:: or wss:: connect string, not " +
                        std::string(conf::to_string(config.scheme())) + "::");
    }
    auto core = std::make_shared<ReaderCore>(make_ws_connector(config),
                                             reader_settings_from(config, options));
    detail::throw_if_error(core->bind());
    return Reader(std::move(core));
}

Reader Reader::connect(std::string_view conf, const ReaderOptions& options) {
    return connect(conf::Config::parse(conf), options);
}

}  // namespace questdb::egress
