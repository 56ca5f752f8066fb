#include "ilp/conf_adapter.hpp"

#include <string>

namespace questdb::ilp {

detail::Result<SenderConfig> sender_config_from(const conf::Config& conf) {
    SenderConfig out;
    const auto scheme = conf.scheme();
    if (conf::is_ilp_http(scheme)) {
        out.transport = TransportKind::http;
    } else if (conf::is_ilp_tcp(scheme)) {
        out.transport = TransportKind::tcp;
    } else {
        return detail::fail(ErrorCode::config_error,
                            "Sender::from_conf takes the ILP schemes http, https, tcp and tcps; "
                            "for \"" +
                                std::string(conf::to_string(scheme)) +
                                "\" open a questdb::QuestDb pool and borrow a sender");
    }
    const auto& endpoints = conf.endpoints();
    if (endpoints.size() != 1) {
        return detail::fail(
            ErrorCode::config_error,
            "ILP senders connect to exactly one \"addr\"; got " + std::to_string(endpoints.size()));
    }
    out.host = endpoints.front().host;
    out.port = endpoints.front().port;

    const auto& auth = conf.auth();
    switch (auth.kind) {
        case conf::AuthKind::none:
            break;
        case conf::AuthKind::basic:
            out.username = auth.username;
            out.password = auth.password;
            break;
        case conf::AuthKind::token:
            out.token = auth.token;
            break;
        case conf::AuthKind::ecdsa:
            out.ecdsa = EcdsaKey{auth.username.value_or(""), auth.token.value_or(""),
                                 auth.token_x.value_or(""), auth.token_y.value_or("")};
            break;
    }
    out.auth_timeout = auth.timeout;

    if (conf.is_tls()) {
        const auto& tls = conf.tls();
        out.tls.enabled = true;
        out.tls.verify = tls.verify == conf::TlsVerify::on;
        if (tls.roots) {
            out.tls.roots_path = *tls.roots;
        }
    }

    const auto& ilp = conf.ilp();
    switch (ilp.protocol_version) {
        case conf::IlpProtocolVersion::automatic:
            break;
        case conf::IlpProtocolVersion::v1:
            out.protocol_version = ProtocolVersion::v1;
            break;
        case conf::IlpProtocolVersion::v2:
            out.protocol_version = ProtocolVersion::v2;
            break;
        case conf::IlpProtocolVersion::v3:
            out.protocol_version = ProtocolVersion::v3;
            break;
    }
    out.max_name_len = ilp.max_name_len;
    out.init_buf_size = static_cast<std::size_t>(ilp.init_buf_size);
    out.max_buf_size = static_cast<std::size_t>(ilp.max_buf_size);
    out.request_timeout = ilp.request_timeout;
    out.request_min_throughput = ilp.request_min_throughput;
    out.retry_timeout = ilp.retry_timeout;
    out.retry_max_backoff = ilp.retry_max_backoff;
    out.bind_interface = ilp.bind_interface;

    // Auto-flush: a key that was not given takes the ILP default for the transport; a key
    // given as `off` disables its trigger.
    const auto& af = ilp.auto_flush;
    out.auto_flush.enabled = af.enabled;
    if (conf.contains("auto_flush_rows")) {
        out.auto_flush.rows = af.rows.value_or(0);
    } else {
        out.auto_flush.rows = out.transport == TransportKind::http
                                  ? SenderConfig::kDefaultHttpAutoFlushRows
                                  : SenderConfig::kDefaultTcpAutoFlushRows;
    }
    if (conf.contains("auto_flush_interval")) {
        out.auto_flush.interval = af.interval.value_or(Millis(0));
    } else {
        out.auto_flush.interval = SenderConfig::kDefaultAutoFlushInterval;
    }
    out.auto_flush.bytes = conf.contains("auto_flush_bytes") ? af.bytes.value_or(0) : 0;
    return out;
}

}  // namespace questdb::ilp
