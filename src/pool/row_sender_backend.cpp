// The pool's row sender: a Sender whose backend is a borrowed store-and-forward core.

#include "pool/row_sender_backend.hpp"

#include "ilp/sender_backend.hpp"
#include "pool/pool_state.hpp"

namespace questdb::detail {
namespace {

class QwpRowBackend final : public ingress::detail::SenderBackend {
public:
    QwpRowBackend(std::unique_ptr<SenderLease> lease, ingress::BufferOptions buffer_options)
        : lease_(std::move(lease)), buffer_options_(buffer_options) {}

    ingress::Buffer new_buffer() override { return ingress::Buffer(buffer_options_); }

    std::optional<std::uint64_t> flush(const ingress::Buffer& buffer, bool transactional) override {
        auto& core = checked_core();
        if (buffer.ilp_protocol_version()) {
            throw Error(ErrorCode::invalid_api_call,
                        "an ILP buffer cannot be flushed through a QWP/WebSocket sender; use "
                        "sender->new_buffer()");
        }
        if (transactional && !buffer.transactional()) {
            throw Error(ErrorCode::invalid_api_call,
                        "transactional flush refused: the buffer holds rows for more than one "
                        "table");
        }
        auto fsn = value_or_throw(core.flush(buffer));
        if (!fsn) {
            return std::nullopt;
        }
        return static_cast<std::uint64_t>(*fsn);
    }

    [[nodiscard]] bool tracks_fsn() const noexcept override { return true; }
    [[nodiscard]] std::optional<std::uint64_t> published_fsn() const override {
        return lease_->core().published_fsn();
    }
    [[nodiscard]] std::optional<std::uint64_t> acked_fsn() const override {
        return lease_->core().acked_fsn();
    }
    void wait(ingress::AckLevel level, std::chrono::milliseconds timeout) override {
        throw_if_error(lease_->core().wait(level, timeout));
    }
    std::optional<ingress::Rejection> poll_rejection() override {
        return lease_->core().poll_error();
    }
    [[nodiscard]] bool must_close() const noexcept override {
        return lease_->core_unchecked().must_close();
    }
    void close() noexcept override { lease_->core_unchecked().mark_must_close(); }
    [[nodiscard]] ingress::ProtocolVersion protocol_version() const noexcept override {
        return ingress::ProtocolVersion::v1;
    }
    [[nodiscard]] std::size_t max_name_len() const noexcept override {
        return buffer_options_.max_name_len;
    }

private:
    ingress::SfSenderCore& checked_core() {
        auto& core = lease_->core();
        if (core.must_close() && !core.terminal()) {
            throw Error(ErrorCode::invalid_api_call, "sender was closed or marked must_close");
        }
        return core;
    }

    std::unique_ptr<SenderLease> lease_;
    ingress::BufferOptions buffer_options_;
};

}  // namespace

ingress::Sender make_row_sender(std::unique_ptr<SenderLease> lease, const conf::Config& config) {
    ingress::BufferOptions options;
    options.max_name_len = config.ilp().max_name_len;
    options.max_buf_size = static_cast<std::size_t>(config.ilp().max_buf_size);
    return ingress::Sender(std::make_unique<QwpRowBackend>(std::move(lease), options));
}

}  // namespace questdb::detail
