#include "ilp/ilp_sender.hpp"

#include <algorithm>
#include <string>

namespace questdb::ilp {
namespace {

using detail::fail;
using detail::Status;

std::string version_name(ProtocolVersion v) {
    return std::to_string(static_cast<int>(v));
}

}  // namespace

IlpSender::IlpSender(SenderConfig config, std::unique_ptr<TlsSetup> tls)
    : config_(std::move(config)),
      tls_(std::move(tls)),
      max_name_len_(config_.max_name_len),
      link_(std::make_shared<AutoFlushLink>()),
      last_flush_(Clock::now()) {
    link_->sender = this;
}

IlpSender::~IlpSender() {
    link_->sender = nullptr;  // buffers outliving the sender stop auto-flushing
    close();
}

detail::Result<std::unique_ptr<IlpSender>> IlpSender::open(SenderConfig config) {
    if (config.init_buf_size > config.max_buf_size) {
        return fail(ErrorCode::config_error, "init_buf_size (" +
                                                 std::to_string(config.init_buf_size) +
                                                 ") cannot exceed max_buf_size (" +
                                                 std::to_string(config.max_buf_size) + ")");
    }
    auto tls = make_tls_setup(config);
    if (!tls.ok()) {
        return std::move(tls).failure();
    }
    auto sender = std::make_unique<IlpSender>(std::move(config), std::move(tls).value());
    const TlsHooks* hooks = sender->tls_ ? &sender->tls_->hooks : nullptr;
    const SenderConfig& cfg = sender->config_;
    if (cfg.transport == TransportKind::tcp) {
        auto tcp = TcpTransport::open(cfg, hooks);
        if (!tcp.ok()) {
            return std::move(tcp).failure();
        }
        sender->transport_ = std::move(tcp).value();
        sender->version_ = cfg.protocol_version.value_or(ProtocolVersion::v1);
    } else {
        auto http = HttpTransport::create(cfg, hooks);
        if (!http.ok()) {
            return std::move(http).failure();
        }
        if (cfg.protocol_version) {
            sender->version_ = *cfg.protocol_version;
        } else {
            auto settings = http.value()->fetch_settings();
            if (!settings.ok()) {
                return std::move(settings).failure();
            }
            const auto& versions = settings.value().versions;
            bool found = false;
            for (auto v : {ProtocolVersion::v3, ProtocolVersion::v2, ProtocolVersion::v1}) {
                if (std::find(versions.begin(), versions.end(), v) != versions.end()) {
                    sender->version_ = v;
                    found = true;
                    break;
                }
            }
            if (!found) {
                return fail(ErrorCode::protocol_version_error,
                            "The server supports none of the ILP protocol versions 1, 2, 3");
            }
            sender->max_name_len_ = settings.value().max_name_len;
        }
        sender->transport_ = std::move(http).value();
    }
    return sender;
}

LineBuffer IlpSender::new_buffer() {
    LineBuffer buffer(version_, max_name_len_,
                      std::min(config_.init_buf_size, config_.max_buf_size));
    if (config_.auto_flush.enabled) {
        buffer.set_row_hook(RowHook{&IlpSender::on_row, link_.get(), link_});
    }
    return buffer;
}

detail::Status IlpSender::on_row(void* context, LineBuffer& buffer) {
    auto* link = static_cast<AutoFlushLink*>(context);
    if (link->sender == nullptr) {
        return {};
    }
    return link->sender->maybe_auto_flush(buffer);
}

detail::Status IlpSender::maybe_auto_flush(LineBuffer& buffer) {
    const auto& af = config_.auto_flush;
    const bool due = (af.rows != 0 && buffer.row_count() >= af.rows) ||
                     (af.bytes != 0 && buffer.size() >= af.bytes) ||
                     (af.interval.count() > 0 && Clock::now() - last_flush_ >= af.interval);
    if (!due) {
        return {};
    }
    return flush(buffer, false, true);
}

detail::Status IlpSender::check_flushable(const LineBuffer& buffer, bool transactional) const {
    if (closed_ || !transport_ || transport_->broken()) {
        return fail(ErrorCode::socket_error,
                    "Could not flush buffer: the sender is closed or its connection failed "
                    "earlier; it must be closed and created anew");
    }
    if (auto s = buffer.check_can_flush(); !s.ok()) {
        return s;
    }
    if (buffer.size() > config_.max_buf_size) {
        return fail(ErrorCode::invalid_api_call,
                    "Could not flush buffer: its size of " + std::to_string(buffer.size()) +
                        " bytes exceeds max_buf_size of " + std::to_string(config_.max_buf_size) +
                        " bytes");
    }
    if (buffer.protocol_version() != version_) {
        return fail(ErrorCode::protocol_version_error,
                    "Could not flush buffer: it was written for ILP protocol version " +
                        version_name(buffer.protocol_version()) + " but the sender uses version " +
                        version_name(version_));
    }
    if (transactional) {
        if (config_.transport == TransportKind::tcp) {
            return fail(ErrorCode::invalid_api_call,
                        "Transactional flushes are not supported by ILP over TCP");
        }
        if (!buffer.transactional()) {
            return fail(ErrorCode::invalid_api_call,
                        "Could not flush buffer transactionally: it holds rows for more than "
                        "one table; an ILP/HTTP request is atomic only for a single table");
        }
    }
    return {};
}

detail::Status IlpSender::send(const LineBuffer& buffer, bool transactional) {
    if (auto s = check_flushable(buffer, transactional); !s.ok()) {
        return s;
    }
    if (buffer.empty()) {
        return {};
    }
    if (auto s = transport_->send(buffer.bytes()); !s.ok()) {
        return s;
    }
    last_flush_ = Clock::now();
    return {};
}

detail::Status IlpSender::flush(LineBuffer& buffer, bool transactional, bool clear) {
    if (auto s = send(buffer, transactional); !s.ok()) {
        return s;
    }
    if (clear) {
        buffer.clear();
    }
    return {};
}

bool IlpSender::must_close() const noexcept {
    return closed_ || !transport_ || transport_->broken();
}

void IlpSender::close() noexcept {
    if (transport_) {
        transport_->close();
    }
    closed_ = true;
}

}  // namespace questdb::ilp
