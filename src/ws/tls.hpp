#pragma once

// TLS client configuration shared by every transport that speaks TLS: the QWP WebSocket
// transport (wss) and the ILP senders (https, tcps). This header stays free of Boost and
// OpenSSL includes; code that drives an SSL stream includes <boost/asio/ssl.hpp> itself and
// reaches the context through TlsContext::native().

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

struct ssl_st;  // OpenSSL's SSL

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace questdb::ws {

/// `tls_verify`: whether the server certificate is checked.
enum class TlsVerify {
    on,          ///< default: chain and host name are verified
    unsafe_off,  ///< no verification at all (testing only; a warning is printed once)
};

/// `tls_ca`: where trusted roots come from. OpenSSL has no bundled root set, so
/// `webpki_roots` and `webpki_and_os_roots` resolve to the system trust store as well.
enum class TlsCa {
    os_roots,             ///< default: the system trust store
    webpki_roots,         ///< same as os_roots with OpenSSL
    webpki_and_os_roots,  ///< same as os_roots with OpenSSL
    pem_file,             ///< the file named by `tls_roots` (implied when tls_roots is set)
};

/// TLS settings of one connect string. Plain value type.
struct TlsOptions {
    TlsVerify verify = TlsVerify::on;
    TlsCa ca = TlsCa::os_roots;
    /// `tls_roots`: a PEM bundle, or a PKCS#12 trust store when `roots_password` is set.
    /// Empty means "not set".
    std::string roots_path;
    /// `tls_roots_password`: unlocks a PKCS#12 trust store (JKS is not supported by this
    /// client: convert it with `keytool -importkeystore -deststoretype pkcs12`).
    std::optional<std::string> roots_password;
};

/// An immutable, shareable OpenSSL client context built from TlsOptions.
///
/// Thread safety: once built it is only read, so any number of connections on any threads
/// may share it (OpenSSL SSL_CTX is safe for concurrent SSL_new).
class TlsContext {
  public:
    struct State;
    explicit TlsContext(std::unique_ptr<State> state) noexcept;
    ~TlsContext();
    TlsContext(const TlsContext&) = delete;
    TlsContext& operator=(const TlsContext&) = delete;

    /// The Asio context, to construct `boost::asio::ssl::stream`s with.
    [[nodiscard]] boost::asio::ssl::context& native() noexcept;
    /// False when built with `tls_verify=unsafe_off`.
    [[nodiscard]] bool verifies_peer() const noexcept;

  private:
    std::unique_ptr<State> state_;
};

/// Builds a client context. Errors (never throws):
/// - config_error: `tls_roots` combined with `tls_verify=unsafe_off`, `tls_ca=pem_file`
///   without `tls_roots`, `tls_roots_password` without `tls_roots`;
/// - tls_error: the roots file is missing, unreadable, holds no certificate, is a JKS store,
///   or the password does not open it; the system trust store cannot be loaded.
/// With `unsafe_off` a warning is printed once per process on stderr.
detail::Result<std::shared_ptr<TlsContext>> make_tls_context(const TlsOptions& options);

/// Prepares one client session before its handshake: sets SNI (host names only, never IP
/// literals) and, when the context verifies peers, the host name or IP address the
/// certificate must match. `host` is the bare host (no port, no brackets).
detail::Status prepare_tls_session(ssl_st* ssl, const TlsContext& context, std::string_view host);

/// Builds the tls_error failure of a handshake that failed on `ssl`, naming `endpoint`
/// ("host:port") and the certificate problem (expired, host mismatch, unknown issuer ...)
/// when verification was the cause, else `low_level_reason` (e.g. the error_code message).
detail::Failure tls_handshake_failure(ssl_st* ssl, std::string_view endpoint,
                                      std::string_view low_level_reason);

}  // namespace questdb::ws
