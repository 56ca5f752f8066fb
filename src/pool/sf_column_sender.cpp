#include "questdb/ingress/sf_column_sender.hpp"

#include "pool/pool_state.hpp"
#include "questdb/ingress/chunk.hpp"

namespace questdb::ingress {

SfColumnSender::SfColumnSender(std::unique_ptr<::questdb::detail::SenderLease> lease) noexcept
    : lease_(std::move(lease)) {}
SfColumnSender::SfColumnSender(SfColumnSender&&) noexcept = default;
SfColumnSender& SfColumnSender::operator=(SfColumnSender&&) noexcept = default;
SfColumnSender::~SfColumnSender() = default;

namespace {
::questdb::detail::SenderLease& lease_of(const std::unique_ptr<::questdb::detail::SenderLease>& lease) {
    if (!lease) {
        throw Error(ErrorCode::invalid_api_call, "sender was moved from");
    }
    return *lease;
}
}  // namespace

void SfColumnSender::flush(Chunk& chunk) { (void)flush_and_get_fsn(chunk); }

std::optional<std::uint64_t> SfColumnSender::flush_and_get_fsn(Chunk& chunk) {
    auto& core = lease_of(lease_).core();
    if (core.must_close() && !core.terminal()) {
        throw Error(ErrorCode::invalid_api_call, "sender was marked must_close");
    }
    auto fsn = detail::value_or_throw(core.flush(chunk));
    chunk.clear();
    return fsn ? std::optional<std::uint64_t>(static_cast<std::uint64_t>(*fsn)) : std::nullopt;
}

void SfColumnSender::wait(AckLevel level, std::chrono::milliseconds timeout) {
    detail::throw_if_error(lease_of(lease_).core().wait(level, timeout));
}

std::optional<std::uint64_t> SfColumnSender::published_fsn() const {
    return lease_of(lease_).core().published_fsn();
}

std::optional<std::uint64_t> SfColumnSender::acked_fsn() const {
    return lease_of(lease_).core().acked_fsn();
}

std::optional<Rejection> SfColumnSender::poll_qwp_ws_error() {
    return lease_of(lease_).core().poll_error();
}

bool SfColumnSender::must_close() const noexcept {
    return !lease_ || lease_->core_unchecked().must_close();
}

void SfColumnSender::mark_must_close() noexcept {
    if (lease_) {
        lease_->core_unchecked().mark_must_close();
    }
}

}  // namespace questdb::ingress
