// The public Sender: a thin shell over a SenderBackend, and the ILP backend behind it.

#include "questdb/ingress/sender.hpp"

#include "ilp/conf_adapter.hpp"
#include "ilp/ilp_sender.hpp"
#include "ilp/sender_backend.hpp"
#include "ingress/buffer_impl.hpp"
#include "questdb/conf.hpp"

namespace questdb::ingress {
namespace {

using questdb::detail::fail;
using questdb::detail::throw_failure;
using questdb::detail::throw_if_error;
using questdb::detail::value_or_throw;

/// ILP over HTTP or TCP: every call runs on the caller's thread.
class IlpBackend final : public detail::SenderBackend {
  public:
    explicit IlpBackend(std::unique_ptr<ilp::IlpSender> sender) : sender_(std::move(sender)) {}

    Buffer new_buffer() override {
        BufferOptions options;
        options.max_name_len = sender_->max_name_len();
        options.max_buf_size = sender_->config().max_buf_size;
        Buffer buffer = Buffer::ilp(protocol_version(), options);
        *BufferAccess::ilp(buffer) = sender_->new_buffer();
        return buffer;
    }

    std::optional<std::uint64_t> flush(const Buffer& buffer, bool transactional) override {
        const ilp::LineBuffer* lines = BufferAccess::ilp(buffer);
        if (lines == nullptr) {
            throw_failure(fail(ErrorCode::invalid_api_call,
                               "An ILP sender flushes ILP buffers: make it with "
                               "sender.new_buffer() or Buffer::ilp(), not Buffer()"));
        }
        throw_if_error(sender_->send(*lines, transactional));
        return std::nullopt;
    }

    [[nodiscard]] bool tracks_fsn() const noexcept override { return false; }
    [[nodiscard]] std::optional<std::uint64_t> published_fsn() const override {
        no_fsn("published_fsn");
    }
    [[nodiscard]] std::optional<std::uint64_t> acked_fsn() const override { no_fsn("acked_fsn"); }
    void wait(AckLevel, std::chrono::milliseconds) override {
        // ILP flushes are synchronous: nothing is ever pending.
    }
    [[nodiscard]] bool must_close() const noexcept override { return sender_->must_close(); }
    void close() noexcept override { sender_->close(); }
    [[nodiscard]] ProtocolVersion protocol_version() const noexcept override {
        return sender_->protocol_version();
    }
    [[nodiscard]] std::size_t max_name_len() const noexcept override {
        return sender_->max_name_len();
    }

  private:
    [[noreturn]] static void no_fsn(const char* what) {
        throw_failure(fail(ErrorCode::invalid_api_call,
                           std::string(what) +
                               " is for QWP/WebSocket senders; ILP senders have no frame "
                               "sequence numbers"));
    }

    std::unique_ptr<ilp::IlpSender> sender_;
};

detail::SenderBackend& require(const std::unique_ptr<detail::SenderBackend>& backend) {
    if (!backend) {
        throw_failure(fail(ErrorCode::invalid_api_call, "This Sender was moved from"));
    }
    return *backend;
}

}  // namespace

Sender Sender::from_conf(std::string_view conf) {
    return from_conf(conf::Config::parse(conf));
}

Sender Sender::from_conf(const conf::Config& conf) {
    auto config = value_or_throw(ilp::sender_config_from(conf));
    auto sender = value_or_throw(ilp::IlpSender::open(std::move(config)));
    return Sender(std::make_unique<IlpBackend>(std::move(sender)));
}

Sender Sender::from_env() {
    return from_conf(conf::Config::from_env());
}

Sender::Sender(std::unique_ptr<detail::SenderBackend> backend) noexcept
    : backend_(std::move(backend)) {}
Sender::~Sender() = default;
Sender::Sender(Sender&&) noexcept = default;
Sender& Sender::operator=(Sender&&) noexcept = default;

Buffer Sender::new_buffer() {
    return require(backend_).new_buffer();
}

void Sender::flush(Buffer& buffer) {
    require(backend_).flush(buffer, false);
    buffer.clear();
}

void Sender::flush_and_keep(const Buffer& buffer) {
    require(backend_).flush(buffer, false);
}

void Sender::transactional_flush(Buffer& buffer) {
    require(backend_).flush(buffer, true);
    buffer.clear();
}

void Sender::flush_and_keep_transactional(const Buffer& buffer) {
    require(backend_).flush(buffer, true);
}

std::optional<std::uint64_t> Sender::flush_and_get_fsn(Buffer& buffer) {
    auto& backend = require(backend_);
    if (!backend.tracks_fsn()) {
        throw_failure(fail(ErrorCode::invalid_api_call,
                           "flush_and_get_fsn is for QWP/WebSocket senders; use flush"));
    }
    auto fsn = backend.flush(buffer, false);
    buffer.clear();
    return fsn;
}

std::optional<std::uint64_t> Sender::published_fsn() const {
    return require(backend_).published_fsn();
}

std::optional<std::uint64_t> Sender::acked_fsn() const {
    return require(backend_).acked_fsn();
}

void Sender::wait(AckLevel level, std::chrono::milliseconds timeout) {
    require(backend_).wait(level, timeout);
}

std::optional<Rejection> Sender::poll_qwp_ws_error() {
    return require(backend_).poll_rejection();
}

bool Sender::must_close() const noexcept {
    return !backend_ || backend_->must_close();
}

void Sender::close() noexcept {
    if (backend_) {
        backend_->close();
    }
}

ProtocolVersion Sender::protocol_version() const noexcept {
    return backend_ ? backend_->protocol_version() : ProtocolVersion::v1;
}

std::size_t Sender::max_name_len() const noexcept {
    return backend_ ? backend_->max_name_len() : 0;
}

}  // namespace questdb::ingress
