#include "ws/tls.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>

namespace questdb::ws {

using detail::fail;
using detail::Failure;
using detail::Result;
using detail::Status;

struct TlsContext::State {
    boost::asio::ssl::context ssl{boost::asio::ssl::context::tls_client};
    bool verify = true;
};

TlsContext::TlsContext(std::unique_ptr<State> state) noexcept : state_(std::move(state)) {}
TlsContext::~TlsContext() = default;
boost::asio::ssl::context& TlsContext::native() noexcept {
    return state_->ssl;
}
bool TlsContext::verifies_peer() const noexcept {
    return state_->verify;
}

namespace {

struct BioDeleter {
    void operator()(BIO* bio) const noexcept { BIO_free(bio); }
};
struct X509Deleter {
    void operator()(X509* cert) const noexcept { X509_free(cert); }
};
struct Pkcs12Deleter {
    void operator()(PKCS12* p12) const noexcept { PKCS12_free(p12); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

/// The most recent OpenSSL error as text (and clears the queue), or `fallback`.
std::string take_openssl_error(std::string_view fallback) {
    const unsigned long code = ERR_peek_last_error();
    ERR_clear_error();
    if (code == 0) {
        return std::string(fallback);
    }
    char text[256];
    ERR_error_string_n(code, text, sizeof(text));
    return text;
}

void warn_unsafe_off_once() {
    static std::once_flag once;
    std::call_once(once, [] {
        std::fputs(
            "questdb: WARNING: tls_verify=unsafe_off disables server certificate "
            "verification; connections are open to man-in-the-middle attacks. Use only for "
            "testing.\n",
            stderr);
    });
}

Result<BioPtr> open_roots_file(const std::string& path) {
    BioPtr bio(BIO_new_file(path.c_str(), "rb"));
    if (!bio) {
        const int err = errno;
        ERR_clear_error();
        return fail(ErrorCode::tls_error,
                    "could not open tls_roots file '" + path + "': " + std::strerror(err));
    }
    return bio;
}

/// True when the file starts with the JKS magic 0xFEEDFEED.
bool looks_like_jks(BIO* bio) {
    unsigned char magic[4] = {};
    const int n = BIO_read(bio, magic, sizeof(magic));
    (void)BIO_reset(bio);
    return n == 4 && magic[0] == 0xFE && magic[1] == 0xED && magic[2] == 0xFE && magic[3] == 0xED;
}

Status add_pem_roots(X509_STORE* store, const std::string& path) {
    auto bio = open_roots_file(path);
    if (!bio) {
        return std::move(bio).failure();
    }
    int added = 0;
    while (X509Ptr cert{PEM_read_bio_X509(bio.value().get(), nullptr, nullptr, nullptr)}) {
        if (X509_STORE_add_cert(store, cert.get()) == 1) {
            ++added;
        }
    }
    ERR_clear_error();  // the loop always ends on a "no start line" error
    if (added == 0) {
        return fail(ErrorCode::tls_error,
                    "no valid PEM certificate found in tls_roots file '" + path + "'");
    }
    return {};
}

Status add_pkcs12_roots(X509_STORE* store, const std::string& path, const std::string& password) {
    auto bio = open_roots_file(path);
    if (!bio) {
        return std::move(bio).failure();
    }
    if (looks_like_jks(bio.value().get())) {
        return fail(ErrorCode::tls_error,
                    "tls_roots file '" + path +
                        "' is a JKS key store, which this client cannot read; convert it to "
                        "PKCS#12 (keytool -importkeystore -deststoretype pkcs12) or PEM");
    }
    std::unique_ptr<PKCS12, Pkcs12Deleter> p12(d2i_PKCS12_bio(bio.value().get(), nullptr));
    if (!p12) {
        return fail(ErrorCode::tls_error,
                    "tls_roots file '" + path +
                        "' is not a PKCS#12 trust store: " + take_openssl_error("unreadable"));
    }
    EVP_PKEY* key = nullptr;
    X509* leaf = nullptr;
    STACK_OF(X509)* chain = nullptr;
    if (PKCS12_parse(p12.get(), password.c_str(), &key, &leaf, &chain) != 1) {
        return fail(ErrorCode::tls_error,
                    "could not open PKCS#12 tls_roots file '" + path +
                        "' (wrong tls_roots_password?): " + take_openssl_error("parse error"));
    }
    EVP_PKEY_free(key);
    int added = 0;
    if (leaf != nullptr) {
        added += X509_STORE_add_cert(store, leaf) == 1 ? 1 : 0;
        X509_free(leaf);
    }
    if (chain != nullptr) {
        for (int i = 0; i < sk_X509_num(chain); ++i) {
            added += X509_STORE_add_cert(store, sk_X509_value(chain, i)) == 1 ? 1 : 0;
        }
        sk_X509_pop_free(chain, X509_free);
    }
    ERR_clear_error();
    if (added == 0) {
        return fail(ErrorCode::tls_error,
                    "no certificate found in PKCS#12 tls_roots file '" + path + "'");
    }
    return {};
}

Status validate(const TlsOptions& options) {
    const bool has_roots = !options.roots_path.empty();
    if (has_roots && options.verify == TlsVerify::unsafe_off) {
        return fail(ErrorCode::config_error,
                    "tls_roots cannot be combined with tls_verify=unsafe_off; remove tls_verify "
                    "to use custom roots, or remove tls_roots to disable certificate validation");
    }
    if (options.ca == TlsCa::pem_file && !has_roots) {
        return fail(ErrorCode::config_error, "\"tls_roots\" is required when \"tls_ca=pem_file\"");
    }
    if (has_roots && options.ca != TlsCa::pem_file) {
        return fail(ErrorCode::config_error,
                    "\"tls_roots\" must be unset unless \"tls_ca=pem_file\"");
    }
    if (options.roots_password && !has_roots) {
        return fail(ErrorCode::config_error, "\"tls_roots_password\" requires \"tls_roots\"");
    }
    return {};
}

bool is_ip_literal(std::string_view host) {
    boost::system::error_code ec;
    (void)boost::asio::ip::make_address(host, ec);
    return !ec;
}

}  // namespace

Result<std::shared_ptr<TlsContext>> make_tls_context(const TlsOptions& options) {
    if (auto st = validate(options); !st) {
        return std::move(st).failure();
    }
    auto state = std::make_unique<TlsContext::State>();
    SSL_CTX* ctx = state->ssl.native_handle();
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (options.verify == TlsVerify::unsafe_off) {
        warn_unsafe_off_once();
        state->verify = false;
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
        return std::make_shared<TlsContext>(std::move(state));
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    Status roots;
    if (options.roots_path.empty()) {
        if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
            roots = fail(ErrorCode::tls_error, "could not load the system trust store: " +
                                                   take_openssl_error("unknown error"));
        }
    } else if (options.roots_password) {
        roots = add_pkcs12_roots(SSL_CTX_get_cert_store(ctx), options.roots_path,
                                 *options.roots_password);
    } else {
        roots = add_pem_roots(SSL_CTX_get_cert_store(ctx), options.roots_path);
    }
    if (!roots) {
        return std::move(roots).failure();
    }
    return std::make_shared<TlsContext>(std::move(state));
}

Status prepare_tls_session(ssl_st* ssl, const TlsContext& context, std::string_view host) {
    const std::string host_z(host);
    const bool ip = is_ip_literal(host);
    // RFC 6066: SNI carries DNS names only.
    if (!ip && SSL_set_tlsext_host_name(ssl, host_z.c_str()) != 1) {
        return fail(ErrorCode::tls_error,
                    "could not set TLS server name '" + host_z + "': " + take_openssl_error("?"));
    }
    if (!context.verifies_peer()) {
        return {};
    }
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    const int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host_z.c_str())
                      : X509_VERIFY_PARAM_set1_host(param, host_z.c_str(), host_z.size());
    if (ok != 1) {
        return fail(ErrorCode::tls_error, "could not set the expected TLS host '" + host_z +
                                              "': " + take_openssl_error("?"));
    }
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    return {};
}

Failure tls_handshake_failure(ssl_st* ssl, std::string_view endpoint,
                              std::string_view low_level_reason) {
    std::string message = "TLS handshake with " + std::string(endpoint) + " failed: ";
    const long verify = ssl != nullptr ? SSL_get_verify_result(ssl) : X509_V_OK;
    if (verify != X509_V_OK) {
        message += "server certificate rejected: ";
        message += X509_verify_cert_error_string(verify);
        if (verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH) {
            message += " (the certificate is not valid for the host name in addr)";
        }
    } else {
        message += low_level_reason;
    }
    ERR_clear_error();
    return fail(ErrorCode::tls_error, std::move(message));
}

}  // namespace questdb::ws
