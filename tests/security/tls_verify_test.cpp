// Certificate verification for every TLS client (QWP sender and reader over wss, ILP over
// https and tcps) against the test server with run-time generated certificates: a leaf from
// a trusted CA passes; a wrong host name or IP, an expired leaf, a self-signed or foreign-CA
// leaf, and the default trust store (which knows nothing of the test CA) each fail with a
// tls_error that says why, and the server receives no data.

#include <gtest/gtest.h>

#include <string>

#include "questdb/error.hpp"
#include "security/tls_clients.hpp"
#include "support/tls_certs.hpp"

namespace questdb::test::security {
namespace {

using namespace std::chrono_literals;

/// Short retry budgets so a refused certificate fails the call quickly; none of them
/// changes whether it fails.
std::string fast_fail(Client client) {
    switch (client) {
        case Client::qwp_sender:
            return "initial_connect_retry=off;";
        case Client::qwp_reader:
            return "failover_max_attempts=1;";
        case Client::ilp_https:
            return "retry_timeout=0;";
        case Client::ilp_tcps:
            return "";
    }
    return "";
}

class TlsVerify : public ::testing::TestWithParam<Client> {
  protected:
    /// Expects a tls_error whose message contains `reason` and no data at the server.
    void expect_rejected(const PemPair& leaf, std::string_view host, const std::string& extra,
                         std::string_view reason) {
        auto server = start_tls_server(leaf);
        const std::string conf = conf_for(GetParam(), *server, host, extra + fast_fail(GetParam()));
        try {
            (void)round_trip(GetParam(), conf);
            ADD_FAILURE() << "connected although the certificate must be refused: " << conf;
        } catch (const Error& e) {
            const std::string message = e.what();
            EXPECT_EQ(e.error_code(), ErrorCode::tls_error) << message;
            EXPECT_NE(message.find("TLS"), std::string::npos) << message;
            EXPECT_NE(message.find(reason), std::string::npos)
                << "expected \"" << reason << "\" in: " << message;
        }
        EXPECT_FALSE(received_anything(*server));
        EXPECT_EQ(server->row_count("probe"), 0u);
    }

    /// Expects a successful round trip whose row reaches the server (senders).
    void expect_delivered(const PemPair& leaf, std::string_view host, const std::string& extra) {
        auto server = start_tls_server(leaf);
        const std::string conf = conf_for(GetParam(), *server, host, extra);
        EXPECT_EQ(round_trip(GetParam(), conf), 1u);
        if (GetParam() != Client::qwp_reader) {
            EXPECT_TRUE(server->wait_for_rows("probe", 1, 10s));
        }
    }

    TestCa ca_;
    TempFile ca_file_{ca_.cert_pem()};
};

TEST_P(TlsVerify, LeafOfTrustedCaForTheHostNamePasses) {
    expect_delivered(ca_.issue_leaf("localhost"), "localhost", "tls_roots=" + ca_file_.str() + ";");
}

TEST_P(TlsVerify, LeafForTheIpAddressPasses) {
    expect_delivered(ca_.issue_leaf("127.0.0.1"), "127.0.0.1", "tls_roots=" + ca_file_.str() + ";");
}

TEST_P(TlsVerify, TrustedCaSpelledWithTlsCaPemFilePasses) {
    expect_delivered(ca_.issue_leaf("localhost"), "localhost",
                     "tls_ca=pem_file;tls_roots=" + ca_file_.str() + ";");
}

TEST_P(TlsVerify, WrongHostNameIsRejected) {
    expect_rejected(ca_.issue_leaf("db.example.com"), "localhost",
                    "tls_roots=" + ca_file_.str() + ";", "hostname mismatch");
}

TEST_P(TlsVerify, LeafForAnotherIpAddressIsRejected) {
    // A certificate for "localhost" does not vouch for the IP literal 127.0.0.1.
    expect_rejected(ca_.issue_leaf("localhost"), "127.0.0.1", "tls_roots=" + ca_file_.str() + ";",
                    "IP address mismatch");
}

TEST_P(TlsVerify, ExpiredLeafIsRejected) {
    expect_rejected(ca_.issue_leaf("localhost", Validity::expired), "localhost",
                    "tls_roots=" + ca_file_.str() + ";", "expired");
}

TEST_P(TlsVerify, SelfSignedLeafIsRejected) {
    expect_rejected(make_self_signed("localhost"), "localhost", "tls_roots=" + ca_file_.str() + ";",
                    "certificate rejected");
}

TEST_P(TlsVerify, LeafOfAnotherCaIsRejected) {
    const TestCa stranger("another test CA");
    expect_rejected(stranger.issue_leaf("localhost"), "localhost",
                    "tls_roots=" + ca_file_.str() + ";", "unable to get local issuer");
}

TEST_P(TlsVerify, VerificationIsOnByDefault) {
    // No TLS key at all: the system trust store is used and does not know the test CA.
    expect_rejected(ca_.issue_leaf("localhost"), "localhost", "", "certificate rejected");
}

TEST_P(TlsVerify, ExplicitTlsVerifyOnStillVerifies) {
    expect_rejected(make_self_signed("localhost"), "localhost", "tls_verify=on;",
                    "certificate rejected");
}

INSTANTIATE_TEST_SUITE_P(AllTlsClients, TlsVerify,
                         ::testing::Values(Client::qwp_sender, Client::qwp_reader,
                                           Client::ilp_https, Client::ilp_tcps),
                         [](const auto& info) { return std::string(name_of(info.param)); });

}  // namespace
}  // namespace questdb::test::security
