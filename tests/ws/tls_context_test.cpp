// Building the TLS client context: option validation, trust store loading and its errors.

#include <gtest/gtest.h>

#include "support/tls_certs.hpp"
#include "ws/tls.hpp"

namespace questdb::ws {
namespace {

using questdb::test::TempFile;
using questdb::test::TestCa;

TlsOptions pem_roots(const std::string& path) {
    TlsOptions o;
    o.ca = TlsCa::pem_file;
    o.roots_path = path;
    return o;
}

TEST(WsTlsContext, SystemRootsWithVerificationByDefault) {
    const auto context = make_tls_context(TlsOptions{});
    ASSERT_TRUE(context.ok()) << context.failure().message;
    EXPECT_TRUE(context.value()->verifies_peer());
}

TEST(WsTlsContext, WebpkiRootsFallBackToTheSystemStore) {
    TlsOptions o;
    o.ca = TlsCa::webpki_and_os_roots;
    const auto context = make_tls_context(o);
    ASSERT_TRUE(context.ok()) << context.failure().message;
    EXPECT_TRUE(context.value()->verifies_peer());
}

TEST(WsTlsContext, PemRootsLoad) {
    const TestCa ca;
    const TempFile roots(ca.cert_pem() + ca.issue_leaf("x.example").cert_pem);
    const auto context = make_tls_context(pem_roots(roots.str()));
    ASSERT_TRUE(context.ok()) << context.failure().message;
}

TEST(WsTlsContext, UnsafeOffDisablesVerificationAndWarnsOnce) {
    TlsOptions o;
    o.verify = TlsVerify::unsafe_off;
    testing::internal::CaptureStderr();
    const auto first = make_tls_context(o);
    const auto second = make_tls_context(o);
    const std::string err = testing::internal::GetCapturedStderr();
    ASSERT_TRUE(first.ok());
    ASSERT_TRUE(second.ok());
    EXPECT_FALSE(first.value()->verifies_peer());
    const auto at = err.find("tls_verify=unsafe_off");
    ASSERT_NE(at, std::string::npos) << err;
    EXPECT_EQ(err.find("tls_verify=unsafe_off", at + 1), std::string::npos) << err;
}

TEST(WsTlsContext, RootsWithUnsafeOffIsAConfigError) {
    auto o = pem_roots("/tmp/whatever.pem");
    o.verify = TlsVerify::unsafe_off;
    const auto context = make_tls_context(o);
    ASSERT_FALSE(context.ok());
    EXPECT_EQ(context.failure().code, ErrorCode::config_error);
    EXPECT_NE(context.failure().message.find("tls_roots"), std::string::npos);
}

TEST(WsTlsContext, PemFileWithoutRootsIsAConfigError) {
    TlsOptions o;
    o.ca = TlsCa::pem_file;
    const auto context = make_tls_context(o);
    ASSERT_FALSE(context.ok());
    EXPECT_EQ(context.failure().code, ErrorCode::config_error);
}

TEST(WsTlsContext, PasswordWithoutRootsIsAConfigError) {
    TlsOptions o;
    o.roots_password = "changeit";
    const auto context = make_tls_context(o);
    ASSERT_FALSE(context.ok());
    EXPECT_EQ(context.failure().code, ErrorCode::config_error);
    EXPECT_EQ(context.failure().message.find("changeit"), std::string::npos);
}

TEST(WsTlsContext, MissingRootsFileNamesThePath) {
    const auto context = make_tls_context(pem_roots("/nonexistent/dir/roots.pem"));
    ASSERT_FALSE(context.ok());
    EXPECT_EQ(context.failure().code, ErrorCode::tls_error);
    EXPECT_NE(context.failure().message.find("/nonexistent/dir/roots.pem"), std::string::npos);
}

TEST(WsTlsContext, RootsFileWithoutCertificatesIsRejected) {
    for (const std::string& content :
         {std::string(), std::string("not a certificate\n"),
          std::string(
              "-----BEGIN CERTIFICATE-----\nbm90LWEtY2VydA==\n-----END CERTIFICATE-----\n")}) {
        const TempFile roots(content);
        const auto context = make_tls_context(pem_roots(roots.str()));
        ASSERT_FALSE(context.ok());
        EXPECT_EQ(context.failure().code, ErrorCode::tls_error);
        EXPECT_NE(context.failure().message.find("no valid PEM certificate"), std::string::npos)
            << context.failure().message;
    }
}

TEST(WsTlsContext, Pkcs12TrustStoreOpensWithItsPassword) {
    const TestCa ca;
    const TempFile store(questdb::test::make_pkcs12_trust_store(ca.cert_pem(), "changeit"), ".p12");
    auto o = pem_roots(store.str());
    o.roots_password = "changeit";
    const auto context = make_tls_context(o);
    ASSERT_TRUE(context.ok()) << context.failure().message;
}

TEST(WsTlsContext, Pkcs12WithTheWrongPasswordIsATlsError) {
    const TestCa ca;
    const TempFile store(questdb::test::make_pkcs12_trust_store(ca.cert_pem(), "changeit"), ".p12");
    auto o = pem_roots(store.str());
    o.roots_password = "wrong-password";
    const auto context = make_tls_context(o);
    ASSERT_FALSE(context.ok());
    EXPECT_EQ(context.failure().code, ErrorCode::tls_error);
    EXPECT_NE(context.failure().message.find("tls_roots_password"), std::string::npos);
    EXPECT_EQ(context.failure().message.find("wrong-password"), std::string::npos);
}

TEST(WsTlsContext, JksStoresAreRejectedWithAHint) {
    const TempFile store(std::string("\xFE\xED\xFE\xED\x00\x00\x00\x02", 8) + std::string(64, 'j'),
                         ".jks");
    auto o = pem_roots(store.str());
    o.roots_password = "changeit";
    const auto context = make_tls_context(o);
    ASSERT_FALSE(context.ok());
    EXPECT_EQ(context.failure().code, ErrorCode::tls_error);
    EXPECT_NE(context.failure().message.find("JKS"), std::string::npos);
}

}  // namespace
}  // namespace questdb::ws
