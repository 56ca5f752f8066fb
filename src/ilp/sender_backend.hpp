#pragma once

// What a public questdb::ingress::Sender delegates to. One implementation per kind of
// sender: ILP over HTTP/TCP (ilp/ilp_backend.cpp) and, from the pool, QWP store-and-forward.
// Calls are per flush, never per row, so a virtual call costs nothing measurable.
// Every method may throw questdb::Error unless marked noexcept.

#include <chrono>
#include <cstdint>
#include <optional>

#include "questdb/ingress/ack_level.hpp"
#include "questdb/ingress/buffer.hpp"
#include "questdb/ingress/protocol_version.hpp"
#include "questdb/ingress/rejection.hpp"

namespace questdb::ingress::detail {

class SenderBackend {
  public:
    virtual ~SenderBackend() = default;

    /// An empty buffer of the right kind for this sender.
    virtual Buffer new_buffer() = 0;
    /// Sends (ILP) or enqueues (QWP) the buffer's complete rows, leaving the buffer as it
    /// is; the Sender clears it afterwards when asked to. `transactional` refuses buffers
    /// that span several tables (or the whole call when the transport has no transactions).
    /// Returns the frame sequence number for QWP, nullopt for ILP or an empty buffer.
    virtual std::optional<std::uint64_t> flush(const Buffer& buffer, bool transactional) = 0;

    /// Whether flush() assigns frame sequence numbers (QWP store-and-forward).
    [[nodiscard]] virtual bool tracks_fsn() const noexcept = 0;
    [[nodiscard]] virtual std::optional<std::uint64_t> published_fsn() const = 0;
    [[nodiscard]] virtual std::optional<std::uint64_t> acked_fsn() const = 0;
    virtual void wait(AckLevel level, std::chrono::milliseconds timeout) = 0;

    /// The oldest server rejection not yet polled (QWP store-and-forward only).
    virtual std::optional<Rejection> poll_rejection() { return std::nullopt; }

    [[nodiscard]] virtual bool must_close() const noexcept = 0;
    virtual void close() noexcept = 0;
    [[nodiscard]] virtual ProtocolVersion protocol_version() const noexcept = 0;
    [[nodiscard]] virtual std::size_t max_name_len() const noexcept = 0;
};

}  // namespace questdb::ingress::detail
