// ILP/TCP (plain and with the ECDSA challenge) and TLS for both ILP transports against
// in-test servers, with certificates generated at run time.

#include <gtest/gtest.h>

#include <chrono>

#include "fake_servers.hpp"
#include "ilp/ilp_sender.hpp"
#include "support/tls_certs.hpp"
#include "support/wait_for.hpp"

namespace {

using namespace std::chrono_literals;
using questdb::ErrorCode;
using questdb::ilp::EcdsaKey;
using questdb::ilp::IlpSender;
using questdb::ilp::LineBuffer;
using questdb::ilp::ProtocolVersion;
using questdb::ilp::SenderConfig;
using questdb::ilp::TransportKind;
using questdb::test::TempFile;
using questdb::test::TestCa;
using questdb::test::Validity;
using questdb::test::wait_for;
using questdb::test::ilp::FakeHttpServer;
using questdb::test::ilp::FakeTcpServer;
using questdb::test::ilp::ServerTls;
using questdb::test::ilp::TestEcKey;

SenderConfig tcp_config(std::uint16_t port) {
    SenderConfig config;
    config.transport = TransportKind::tcp;
    config.host = "127.0.0.1";
    config.port = port;
    config.auto_flush.enabled = false;
    config.auth_timeout = 5s;
    return config;
}

void add_row(LineBuffer& buf, std::int64_t v) {
    ASSERT_TRUE(buf.table("trades").ok());
    ASSERT_TRUE(buf.symbol("sym", "BTC-USD").ok());
    ASSERT_TRUE(buf.column_f64("px", 1.5).ok());
    ASSERT_TRUE(buf.column_i64("qty", v).ok());
    ASSERT_TRUE(buf.at_now().ok());
}

EcdsaKey client_key(const TestEcKey& key, std::string key_id = "testUser1") {
    return EcdsaKey{std::move(key_id), key.d, key.x, key.y};
}

TEST(IlpTcpSender, PlainDeliversTextRowsWithV1Default) {
    FakeTcpServer server;
    auto opened = IlpSender::open(tcp_config(server.port()));
    ASSERT_TRUE(opened.ok()) << opened.failure().message;
    auto sender = std::move(opened).value();
    EXPECT_EQ(sender->protocol_version(), ProtocolVersion::v1) << "TCP defaults to v1";
    auto buf = sender->new_buffer();
    add_row(buf, 1);
    add_row(buf, 2);
    ASSERT_TRUE(sender->flush(buf, false, true).ok());
    const std::string want = "trades,sym=BTC-USD px=1.5,qty=1i\ntrades,sym=BTC-USD px=1.5,qty=2i\n";
    EXPECT_TRUE(wait_for([&] { return server.received() == want; }, 5s)) << server.received();
    add_row(buf, 3);
    const auto tx = sender->flush(buf, true, false);
    ASSERT_FALSE(tx.ok());
    EXPECT_EQ(tx.failure().code, ErrorCode::invalid_api_call) << "no transactions over TCP";
}

TEST(IlpTcpSender, AuthenticatesWithTheRightKey) {
    const auto key = questdb::test::ilp::make_test_ec_key();
    FakeTcpServer server(key, "testUser1");
    auto config = tcp_config(server.port());
    config.ecdsa = client_key(key);
    auto opened = IlpSender::open(config);
    ASSERT_TRUE(opened.ok()) << opened.failure().message;
    auto sender = std::move(opened).value();
    auto buf = sender->new_buffer();
    add_row(buf, 7);
    ASSERT_TRUE(sender->flush(buf, false, true).ok());
    EXPECT_TRUE(wait_for([&] { return server.received().size() > 0; }, 5s));
    EXPECT_EQ(server.auth_successes(), 1u);
    EXPECT_EQ(server.received(), "trades,sym=BTC-USD px=1.5,qty=7i\n");
}

TEST(IlpTcpSender, UnknownKeyIsDroppedAndTheSenderMustClose) {
    const auto server_key = questdb::test::ilp::make_test_ec_key();
    const auto other_key = questdb::test::ilp::make_test_ec_key();
    FakeTcpServer server(server_key, "testUser1");
    auto config = tcp_config(server.port());
    config.ecdsa = client_key(other_key);
    auto opened = IlpSender::open(config);
    // The server gives no verdict: it just closes. The client learns on a later write.
    ASSERT_TRUE(opened.ok()) << opened.failure().message;
    auto sender = std::move(opened).value();
    EXPECT_TRUE(wait_for([&] { return server.auth_failures() == 1u; }, 5s));
    auto buf = sender->new_buffer();
    bool failed = false;
    EXPECT_TRUE(wait_for(
        [&] {
            add_row(buf, 1);
            const auto s = sender->flush(buf, false, true);
            if (!s.ok()) {
                failed = true;
                EXPECT_EQ(s.failure().code, ErrorCode::socket_error);
            }
            return failed;
        },
        10s));
    EXPECT_TRUE(sender->must_close());
    add_row(buf, 2);
    const auto again = sender->flush(buf, false, true);
    ASSERT_FALSE(again.ok());
    EXPECT_NE(again.failure().message.find("must be closed"), std::string::npos)
        << again.failure().message;
    EXPECT_EQ(server.received(), "");
}

TEST(IlpTcpSender, MismatchedKeyPartsAreRefusedBeforeConnecting) {
    const auto a = questdb::test::ilp::make_test_ec_key();
    const auto b = questdb::test::ilp::make_test_ec_key();
    FakeTcpServer server(a, "testUser1");
    auto config = tcp_config(server.port());
    config.ecdsa = EcdsaKey{"testUser1", b.d, a.x, a.y};  // private key of another pair
    const auto opened = IlpSender::open(config);
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.failure().code, ErrorCode::auth_error);
    EXPECT_EQ(opened.failure().message.find(b.d), std::string::npos) << "no secret in messages";
    config.ecdsa = EcdsaKey{"testUser1", "not*base64", a.x, a.y};
    const auto garbled = IlpSender::open(config);
    ASSERT_FALSE(garbled.ok());
    EXPECT_EQ(garbled.failure().code, ErrorCode::auth_error);
}

TEST(IlpTcpSender, ChallengeTimeoutWhenServerDoesNotAuthenticate) {
    FakeTcpServer server;  // no auth: never sends a challenge
    const auto key = questdb::test::ilp::make_test_ec_key();
    auto config = tcp_config(server.port());
    config.ecdsa = client_key(key);
    config.auth_timeout = 300ms;
    const auto opened = IlpSender::open(config);
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.failure().code, ErrorCode::auth_error);
    EXPECT_NE(opened.failure().message.find("challenge"), std::string::npos);
}

// ---- TLS -----------------------------------------------------------------------------------

struct TlsFixture {
    TestCa ca;
    TempFile ca_file{ca.cert_pem()};
};

ServerTls identity(const questdb::test::PemPair& pair) {
    return ServerTls{pair.cert_pem, pair.key_pem};
}

SenderConfig https_config(std::uint16_t port, const std::string& roots) {
    SenderConfig config;
    config.host = "localhost";
    config.port = port;
    config.protocol_version = ProtocolVersion::v2;
    config.auto_flush.enabled = false;
    config.retry_timeout = 0ms;
    config.tls.enabled = true;
    config.tls.roots_path = roots;
    return config;
}

TEST(IlpTls, HttpsWithGeneratedCa) {
    TlsFixture f;
    FakeHttpServer server(identity(f.ca.issue_leaf("localhost")));
    auto opened = IlpSender::open(https_config(server.port(), f.ca_file.str()));
    ASSERT_TRUE(opened.ok()) << opened.failure().message;
    auto sender = std::move(opened).value();
    auto buf = sender->new_buffer();
    add_row(buf, 1);
    const auto s = sender->flush(buf, false, true);
    ASSERT_TRUE(s.ok()) << s.failure().message;
    ASSERT_EQ(server.request_count(), 1u);
    EXPECT_EQ(server.requests()[0].target, "/write?precision=n");
}

TEST(IlpTls, HttpsRejectsWrongHostName) {
    TlsFixture f;
    FakeHttpServer server(identity(f.ca.issue_leaf("db.example.com")));
    auto opened = IlpSender::open(https_config(server.port(), f.ca_file.str()));
    ASSERT_TRUE(opened.ok());
    auto sender = std::move(opened).value();
    auto buf = sender->new_buffer();
    add_row(buf, 1);
    const auto s = sender->flush(buf, false, true);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.failure().code, ErrorCode::tls_error) << s.failure().message;
    EXPECT_EQ(server.request_count(), 0u);
}

TEST(IlpTls, HttpsRejectsExpiredCertificate) {
    TlsFixture f;
    FakeHttpServer server(identity(f.ca.issue_leaf("localhost", Validity::expired)));
    auto opened = IlpSender::open(https_config(server.port(), f.ca_file.str()));
    ASSERT_TRUE(opened.ok());
    auto sender = std::move(opened).value();
    auto buf = sender->new_buffer();
    add_row(buf, 1);
    const auto s = sender->flush(buf, false, true);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.failure().code, ErrorCode::tls_error);
    EXPECT_NE(s.failure().message.find("expired"), std::string::npos) << s.failure().message;
}

TEST(IlpTls, HttpsRejectsUnknownIssuerUnlessVerificationIsOff) {
    TlsFixture f;
    FakeHttpServer server(identity(questdb::test::make_self_signed("localhost")));
    {
        auto opened = IlpSender::open(https_config(server.port(), f.ca_file.str()));
        ASSERT_TRUE(opened.ok());
        auto buf = opened.value()->new_buffer();
        add_row(buf, 1);
        const auto s = opened.value()->flush(buf, false, true);
        ASSERT_FALSE(s.ok());
        EXPECT_EQ(s.failure().code, ErrorCode::tls_error);
    }
    auto config = https_config(server.port(), "");
    config.tls.verify = false;
    auto opened = IlpSender::open(config);
    ASSERT_TRUE(opened.ok()) << opened.failure().message;
    auto buf = opened.value()->new_buffer();
    add_row(buf, 1);
    const auto s = opened.value()->flush(buf, false, true);
    EXPECT_TRUE(s.ok()) << s.failure().message;
}

TEST(IlpTls, TcpsWithGeneratedCaAndAuth) {
    TlsFixture f;
    const auto key = questdb::test::ilp::make_test_ec_key();
    FakeTcpServer server(key, "testUser1", identity(f.ca.issue_leaf("localhost")));
    auto config = tcp_config(server.port());
    config.host = "localhost";
    config.tls.enabled = true;
    config.tls.roots_path = f.ca_file.str();
    config.ecdsa = client_key(key);
    auto opened = IlpSender::open(config);
    ASSERT_TRUE(opened.ok()) << opened.failure().message;
    auto buf = opened.value()->new_buffer();
    add_row(buf, 5);
    ASSERT_TRUE(opened.value()->flush(buf, false, true).ok());
    EXPECT_TRUE(wait_for([&] { return !server.received().empty(); }, 5s));
    EXPECT_EQ(server.received(), "trades,sym=BTC-USD px=1.5,qty=5i\n");
}

TEST(IlpTls, TcpsRejectsWrongHostName) {
    TlsFixture f;
    FakeTcpServer server(std::nullopt, "testUser1", identity(f.ca.issue_leaf("other.example")));
    auto config = tcp_config(server.port());
    config.host = "localhost";
    config.tls.enabled = true;
    config.tls.roots_path = f.ca_file.str();
    const auto opened = IlpSender::open(config);
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.failure().code, ErrorCode::tls_error) << opened.failure().message;
}

}  // namespace
