#pragma once

// The ILP sender engine behind the public questdb::ingress::Sender for http, https, tcp and
// tcps: checks a buffer, hands it to the transport, tracks auto-flush triggers and whether
// the sender must be closed. Synchronous, used from one thread at a time.

#include <chrono>
#include <memory>

#include "core/result.hpp"
#include "ilp/line_buffer.hpp"
#include "ilp/sender_config.hpp"
#include "ilp/transport.hpp"

namespace questdb::ilp {

/// Owns whatever keeps a connection's TLS context alive, plus the hooks connections use.
struct TlsSetup {
    std::shared_ptr<void> owner;
    TlsHooks hooks;
};

/// Builds the TLS setup for `config` (nullptr when TLS is off). Defined in tls_setup.cpp.
detail::Result<std::unique_ptr<TlsSetup>> make_tls_setup(const SenderConfig& config);

class IlpSender {
  public:
    /// Validates the configuration, opens the connection (TCP) and settles the protocol
    /// version (HTTP with protocol_version=auto asks GET /settings). Blocks.
    static detail::Result<std::unique_ptr<IlpSender>> open(SenderConfig config);

    ~IlpSender();
    IlpSender(const IlpSender&) = delete;
    IlpSender& operator=(const IlpSender&) = delete;

    /// A buffer with this sender's protocol version, name limit and initial capacity. When
    /// auto-flush is on, completing a row in it may flush it through this sender.
    [[nodiscard]] LineBuffer new_buffer();

    /// Sends the buffer's complete rows. `transactional` refuses buffers spanning several
    /// tables and TCP senders. On success `clear` empties the buffer; on failure the buffer
    /// is untouched.
    detail::Status flush(LineBuffer& buffer, bool transactional, bool clear);
    /// As flush() without clearing.
    detail::Status send(const LineBuffer& buffer, bool transactional);

    [[nodiscard]] bool must_close() const noexcept;
    void close() noexcept;

    [[nodiscard]] ProtocolVersion protocol_version() const noexcept { return version_; }
    [[nodiscard]] std::size_t max_name_len() const noexcept { return max_name_len_; }
    [[nodiscard]] const SenderConfig& config() const noexcept { return config_; }

    IlpSender(SenderConfig config, std::unique_ptr<TlsSetup> tls);

  private:
    struct AutoFlushLink {
        IlpSender* sender = nullptr;
    };
    static detail::Status on_row(void* context, LineBuffer& buffer);
    detail::Status maybe_auto_flush(LineBuffer& buffer);
    detail::Status check_flushable(const LineBuffer& buffer, bool transactional) const;

    SenderConfig config_;
    std::unique_ptr<TlsSetup> tls_;
    std::unique_ptr<Transport> transport_;
    ProtocolVersion version_ = ProtocolVersion::v1;
    std::size_t max_name_len_ = kDefaultMaxNameLen;
    std::shared_ptr<AutoFlushLink> link_;
    Clock::time_point last_flush_;
    bool closed_ = false;
};

}  // namespace questdb::ilp
