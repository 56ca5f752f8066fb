#include "support/tls_certs.hpp"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace questdb::test {
namespace {

struct Free {
    void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
    void operator()(X509* p) const noexcept { X509_free(p); }
    void operator()(BIO* p) const noexcept { BIO_free(p); }
    void operator()(PKCS12* p) const noexcept { PKCS12_free(p); }
    void operator()(X509_EXTENSION* p) const noexcept { X509_EXTENSION_free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Free>;
using CertPtr = std::unique_ptr<X509, Free>;
using BioPtr = std::unique_ptr<BIO, Free>;

void check(bool ok, const char* what) {
    if (!ok) {
        throw std::runtime_error(std::string("tls_certs: OpenSSL failed: ") + what);
    }
}

KeyPtr new_key() {
    KeyPtr key(EVP_EC_gen("P-256"));
    check(key != nullptr, "EVP_EC_gen");
    return key;
}

std::string bio_to_string(BIO* bio) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(n));
}

std::string cert_to_pem(X509* cert) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    check(PEM_write_bio_X509(bio.get(), cert) == 1, "PEM_write_bio_X509");
    return bio_to_string(bio.get());
}

std::string key_to_pem(EVP_PKEY* key) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
          "PEM_write_bio_PrivateKey");
    return bio_to_string(bio.get());
}

CertPtr cert_from_pem(const std::string& pem) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    CertPtr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    check(cert != nullptr, "PEM_read_bio_X509");
    return cert;
}

KeyPtr key_from_pem(const std::string& pem) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    check(key != nullptr, "PEM_read_bio_PrivateKey");
    return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    std::unique_ptr<X509_EXTENSION, Free> ext(
        X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
    check(ext != nullptr, "X509V3_EXT_conf_nid");
    check(X509_add_ext(cert, ext.get(), -1) == 1, "X509_add_ext");
}

bool is_ip(std::string_view host) {
    unsigned char buf[16];
    const std::string h(host);
    return inet_pton(AF_INET, h.c_str(), buf) == 1 || inet_pton(AF_INET6, h.c_str(), buf) == 1;
}

/// A certificate for `subject_cn` with `key`, signed by `issuer_key` (issuer_cert null =
/// self-signed). Validity is in days relative to now.
CertPtr make_cert(const std::string& subject_cn, EVP_PKEY* key, X509* issuer_cert,
                  EVP_PKEY* issuer_key, long not_before_days, long not_after_days, bool ca,
                  std::string_view san_host) {
    CertPtr cert(X509_new());
    check(cert != nullptr, "X509_new");
    X509_set_version(cert.get(), 2);
    unsigned char serial_bytes[8];
    RAND_bytes(serial_bytes, sizeof(serial_bytes));
    std::uint64_t serial = 0;
    for (auto b : serial_bytes) {
        serial = (serial << 8) | b;
    }
    ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), serial >> 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), not_before_days * 86400L);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), not_after_days * 86400L);
    X509_set_pubkey(cert.get(), key);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(subject_cn.c_str()), -1, -1,
                               0);
    X509* issuer = issuer_cert != nullptr ? issuer_cert : cert.get();
    X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer));
    add_extension(cert.get(), issuer, NID_subject_key_identifier, "hash");
    if (ca) {
        add_extension(cert.get(), issuer, NID_basic_constraints, "critical,CA:TRUE");
        add_extension(cert.get(), issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        add_extension(cert.get(), issuer, NID_basic_constraints, "critical,CA:FALSE");
        add_extension(cert.get(), issuer, NID_key_usage, "critical,digitalSignature");
        add_extension(cert.get(), issuer, NID_ext_key_usage, "serverAuth");
        const std::string host(san_host);
        add_extension(cert.get(), issuer, NID_subject_alt_name,
                      (is_ip(host) ? "IP:" : "DNS:") + host);
    }
    if (issuer_cert != nullptr) {
        add_extension(cert.get(), issuer, NID_authority_key_identifier, "keyid:always");
    }
    check(X509_sign(cert.get(), issuer_key, EVP_sha256()) > 0, "X509_sign");
    return cert;
}

}  // namespace

TestCa::TestCa(std::string common_name) : common_name_(std::move(common_name)) {
    auto key = new_key();
    auto cert = make_cert(common_name_, key.get(), nullptr, key.get(), -1, 30, true, {});
    ca_ = PemPair{cert_to_pem(cert.get()), key_to_pem(key.get())};
}

PemPair TestCa::issue_leaf(std::string_view host, Validity validity) const {
    auto ca_cert = cert_from_pem(ca_.cert_pem);
    auto ca_key = key_from_pem(ca_.key_pem);
    auto key = new_key();
    const bool expired = validity == Validity::expired;
    auto cert = make_cert(std::string(host), key.get(), ca_cert.get(), ca_key.get(),
                          expired ? -10 : -1, expired ? -1 : 30, false, host);
    return PemPair{cert_to_pem(cert.get()), key_to_pem(key.get())};
}

PemPair make_self_signed(std::string_view host) {
    auto key = new_key();
    auto cert = make_cert(std::string(host), key.get(), nullptr, key.get(), -1, 30, false, host);
    return PemPair{cert_to_pem(cert.get()), key_to_pem(key.get())};
}

std::string make_pkcs12_trust_store(const std::string& cert_pem, const std::string& password) {
    auto cert = cert_from_pem(cert_pem);
    STACK_OF(X509)* cas = sk_X509_new_null();
    sk_X509_push(cas, cert.get());
    std::unique_ptr<PKCS12, Free> p12(
        PKCS12_create(password.c_str(), "trusted", nullptr, nullptr, cas, 0, 0, 0, 0, 0));
    sk_X509_free(cas);
    check(p12 != nullptr, "PKCS12_create");
    BioPtr bio(BIO_new(BIO_s_mem()));
    check(i2d_PKCS12_bio(bio.get(), p12.get()) == 1, "i2d_PKCS12_bio");
    return bio_to_string(bio.get());
}

TempFile::TempFile(std::string_view content, std::string_view suffix) {
    static std::atomic<unsigned> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("questdb-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) +
             std::string(suffix));
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out) {
        throw std::runtime_error("tls_certs: could not write " + path_.string());
    }
}

TempFile::~TempFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
}

}  // namespace questdb::test
