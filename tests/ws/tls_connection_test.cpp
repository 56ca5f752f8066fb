// wss against a loopback TLS WebSocket server whose certificates are generated at run time:
// chain and host verification, SNI, expired and self-signed certificates, unsafe_off,
// PKCS#12 roots, and TLS failures classified as transient tls_error.

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <future>

#include "support/tls_certs.hpp"
#include "ws/blocking.hpp"
#include "ws/tls.hpp"
#include "ws/ws_test_server.hpp"

namespace questdb::ws {
namespace {

namespace asio = boost::asio;
namespace websocket = boost::beast::websocket;
namespace t = questdb::test::ws;
using questdb::test::PemPair;
using questdb::test::TempFile;
using questdb::test::TestCa;
using questdb::test::Validity;
using t::ScriptServer;
using t::tcp;
using namespace std::chrono_literals;

constexpr auto kTimeout = 10s;

/// Serves wss with `certificate`: TLS handshake, WebSocket accept, one greeting message,
/// then waits for the client to go away. Reports the SNI it saw.
class TlsServer {
  public:
    explicit TlsServer(const PemPair& certificate)
        : context_(asio::ssl::context::tls_server), server_([this](tcp::socket& s) { serve(s); }) {
        context_.use_certificate_chain(asio::buffer(certificate.cert_pem));
        context_.use_private_key(asio::buffer(certificate.key_pem), asio::ssl::context::pem);
    }

    [[nodiscard]] std::uint16_t port() const { return server_.port(); }
    std::shared_future<std::string> sni() { return sni_future_; }

  private:
    void serve(tcp::socket& socket) {
        asio::ssl::stream<tcp::socket&> tls(socket, context_);
        boost::system::error_code ec;
        tls.handshake(asio::ssl::stream_base::server, ec);
        if (ec) {
            return;
        }
        const char* name = SSL_get_servername(tls.native_handle(), TLSEXT_NAMETYPE_host_name);
        sni_.set_value(name != nullptr ? name : "");
        websocket::stream<asio::ssl::stream<tcp::socket&>&> ws(tls);
        ws.accept(ec);
        if (ec) {
            return;
        }
        ws.binary(true);
        ws.write(asio::buffer(std::string_view("hello over tls")), ec);
        boost::beast::flat_buffer buffer;
        ws.read(buffer, ec);  // until the client closes
    }

    asio::ssl::context context_;
    std::promise<std::string> sni_;
    std::shared_future<std::string> sni_future_ = sni_.get_future().share();
    ScriptServer server_;  // last: its threads use the members above
};

ConnectionOptions tls_options(const TlsOptions& tls) {
    ConnectionOptions o;
    o.connect_timeout = 5s;
    o.auth_timeout = 5s;
    auto context = make_tls_context(tls);
    EXPECT_TRUE(context.ok()) << context.failure().message;
    o.tls = context.value();
    return o;
}

TlsOptions trusting(const TempFile& roots) {
    TlsOptions o;
    o.ca = TlsCa::pem_file;
    o.roots_path = roots.str();
    return o;
}

std::string read_text(BlockingConnection& conn) {
    auto message = conn.read(kTimeout);
    if (!message.ok()) {
        return "error: " + message.failure().message;
    }
    return {message.value().begin(), message.value().end()};
}

TEST(WsTlsConnection, TrustedCaAndMatchingHostConnect) {
    const TestCa ca;
    TlsServer server(ca.issue_leaf("localhost"));
    const TempFile roots(ca.cert_pem());
    BlockingConnection conn(tls_options(trusting(roots)));
    const auto outcome = conn.connect(Endpoint{"localhost", server.port()});
    ASSERT_TRUE(outcome.ok()) << outcome.failure.message;
    EXPECT_EQ(read_text(conn), "hello over tls");
    EXPECT_EQ(server.sni().get(), "localhost");
}

TEST(WsTlsConnection, IpAddressIsCheckedAgainstTheIpSanWithoutSni) {
    const TestCa ca;
    TlsServer server(ca.issue_leaf("127.0.0.1"));
    const TempFile roots(ca.cert_pem());
    BlockingConnection conn(tls_options(trusting(roots)));
    const auto outcome = conn.connect(Endpoint{"127.0.0.1", server.port()});
    ASSERT_TRUE(outcome.ok()) << outcome.failure.message;
    EXPECT_EQ(read_text(conn), "hello over tls");
    EXPECT_EQ(server.sni().get(), "");
}

TEST(WsTlsConnection, Pkcs12RootsWork) {
    const TestCa ca;
    TlsServer server(ca.issue_leaf("localhost"));
    const TempFile store(questdb::test::make_pkcs12_trust_store(ca.cert_pem(), "pw"), ".p12");
    auto tls = trusting(store);
    tls.roots_password = "pw";
    BlockingConnection conn(tls_options(tls));
    const auto outcome = conn.connect(Endpoint{"localhost", server.port()});
    ASSERT_TRUE(outcome.ok()) << outcome.failure.message;
}

void expect_tls_failure(const ConnectOutcome& outcome, std::string_view reason) {
    EXPECT_EQ(outcome.verdict, Verdict::transient);
    EXPECT_EQ(outcome.failure.code, ErrorCode::tls_error);
    EXPECT_NE(outcome.failure.message.find(reason), std::string::npos) << outcome.failure.message;
}

TEST(WsTlsConnection, WrongHostFails) {
    const TestCa ca;
    TlsServer server(ca.issue_leaf("db.other.example"));
    const TempFile roots(ca.cert_pem());
    BlockingConnection conn(tls_options(trusting(roots)));
    const auto outcome = conn.connect(Endpoint{"localhost", server.port()});
    expect_tls_failure(outcome, "hostname mismatch");
    EXPECT_NE(outcome.failure.message.find("localhost:" + std::to_string(server.port())),
              std::string::npos);
}

TEST(WsTlsConnection, ExpiredCertificateFails) {
    const TestCa ca;
    TlsServer server(ca.issue_leaf("localhost", Validity::expired));
    const TempFile roots(ca.cert_pem());
    BlockingConnection conn(tls_options(trusting(roots)));
    expect_tls_failure(conn.connect(Endpoint{"localhost", server.port()}), "expired");
}

TEST(WsTlsConnection, SelfSignedCertificateFails) {
    const TestCa ca;
    TlsServer server(questdb::test::make_self_signed("localhost"));
    const TempFile roots(ca.cert_pem());
    BlockingConnection conn(tls_options(trusting(roots)));
    expect_tls_failure(conn.connect(Endpoint{"localhost", server.port()}), "self");
}

TEST(WsTlsConnection, UnknownCaFailsAgainstTheSystemStore) {
    const TestCa ca;
    TlsServer server(ca.issue_leaf("localhost"));
    BlockingConnection conn(tls_options(TlsOptions{}));
    expect_tls_failure(conn.connect(Endpoint{"localhost", server.port()}), "certificate");
}

TEST(WsTlsConnection, UnsafeOffAcceptsASelfSignedCertificateForAnotherHost) {
    TlsServer server(questdb::test::make_self_signed("elsewhere.example"));
    TlsOptions tls;
    tls.verify = TlsVerify::unsafe_off;
    testing::internal::CaptureStderr();  // the once-per-process warning
    BlockingConnection conn(tls_options(tls));
    (void)testing::internal::GetCapturedStderr();
    const auto outcome = conn.connect(Endpoint{"localhost", server.port()});
    ASSERT_TRUE(outcome.ok()) << outcome.failure.message;
    EXPECT_EQ(read_text(conn), "hello over tls");
}

TEST(WsTlsConnection, PlainServerBehindWssIsATlsError) {
    ScriptServer server([](tcp::socket& s) {
        t::write_all(s, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        t::wait_for_eof(s);
    });
    TlsOptions tls;
    tls.verify = TlsVerify::unsafe_off;
    BlockingConnection conn(tls_options(tls));
    const auto outcome = conn.connect(Endpoint{"127.0.0.1", server.port()});
    EXPECT_EQ(outcome.verdict, Verdict::transient);
    EXPECT_EQ(outcome.failure.code, ErrorCode::tls_error) << outcome.failure.message;
}

TEST(WsTlsConnection, SilentTlsServerHitsTheAuthTimeout) {
    ScriptServer server([](tcp::socket& s) { t::wait_for_eof(s); });
    TlsOptions tls;
    tls.verify = TlsVerify::unsafe_off;
    auto o = tls_options(tls);
    o.auth_timeout = 200ms;
    BlockingConnection conn(o);
    const auto outcome = conn.connect(Endpoint{"127.0.0.1", server.port()});
    expect_tls_failure(outcome, "auth_timeout");
}

}  // namespace
}  // namespace questdb::ws
