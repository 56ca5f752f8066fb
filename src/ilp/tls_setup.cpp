// TLS for the ILP senders, built on the TLS context shared with the WebSocket transport.

#include <boost/asio/ssl/context.hpp>

#include "ilp/ilp_sender.hpp"
#include "ws/tls.hpp"

namespace questdb::ilp {

detail::Result<std::unique_ptr<TlsSetup>> make_tls_setup(const SenderConfig& config) {
    if (!config.tls.enabled) {
        return std::unique_ptr<TlsSetup>();
    }
    ws::TlsOptions options;
    options.verify = config.tls.verify ? ws::TlsVerify::on : ws::TlsVerify::unsafe_off;
    if (!config.tls.roots_path.empty()) {
        options.ca = ws::TlsCa::pem_file;
        options.roots_path = config.tls.roots_path;
    }
    auto context = ws::make_tls_context(options);
    if (!context.ok()) {
        return std::move(context).failure();
    }
    std::shared_ptr<ws::TlsContext> shared = std::move(context).value();
    auto setup = std::make_unique<TlsSetup>();
    setup->owner = shared;
    setup->hooks.context = &shared->native();
    ws::TlsContext* raw = shared.get();
    setup->hooks.prepare_session = [raw](ssl_st* ssl, std::string_view host) {
        return ws::prepare_tls_session(ssl, *raw, host);
    };
    setup->hooks.describe_failure = [](ssl_st* ssl, std::string_view endpoint,
                                       std::string_view reason) {
        return ws::tls_handshake_failure(ssl, endpoint, reason);
    };
    return setup;
}

}  // namespace questdb::ilp
