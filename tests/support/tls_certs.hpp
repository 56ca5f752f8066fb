#pragma once

// Throw-away TLS material generated at test run time with OpenSSL (no key is ever committed):
// a CA, leaf certificates for a host name or IP signed by it (valid or expired), self-signed
// certificates, PKCS#12 trust stores, and temporary files to hand paths to the code under
// test. Keys are EC P-256, so generating them is fast. Thread-compatible.

#include <filesystem>
#include <string>
#include <string_view>

namespace questdb::test {

/// A certificate and its private key, both PEM.
struct PemPair {
    std::string cert_pem;
    std::string key_pem;
};

/// Validity of a generated leaf.
enum class Validity {
    current,  ///< valid from yesterday for 30 days
    expired,  ///< valid from 10 days ago until yesterday
};

/// A certificate authority that signs leaves. Each instance has a fresh key.
class TestCa {
  public:
    /// Creates a new self-signed CA certificate named `common_name`. Throws on OpenSSL failure.
    explicit TestCa(std::string common_name = "questdb-cpp test CA");

    /// The CA certificate (what a client trusts), PEM.
    [[nodiscard]] const std::string& cert_pem() const noexcept { return ca_.cert_pem; }

    /// A server certificate for `host` (a DNS name, or an IPv4/IPv6 literal, which goes into
    /// an IP SAN), signed by this CA.
    [[nodiscard]] PemPair issue_leaf(std::string_view host,
                                     Validity validity = Validity::current) const;

  private:
    PemPair ca_;
    std::string common_name_;
};

/// A self-signed server certificate for `host` (no CA can vouch for it).
PemPair make_self_signed(std::string_view host);

/// A PKCS#12 trust store (DER bytes) holding `cert_pem` as a trusted certificate, encrypted
/// with `password`.
std::string make_pkcs12_trust_store(const std::string& cert_pem, const std::string& password);

/// A file in the temp directory holding `content`; removed on destruction.
class TempFile {
  public:
    explicit TempFile(std::string_view content, std::string_view suffix = ".pem");
    ~TempFile();
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;

    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
    [[nodiscard]] std::string str() const { return path_.string(); }

  private:
    std::filesystem::path path_;
};

}  // namespace questdb::test
