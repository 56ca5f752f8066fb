// tls_verify=unsafe_off: every TLS client connects to a server whose certificate nothing
// vouches for, and the process prints the warning exactly once however many connections
// use it. Its own executable: the warning is once per process, so no other test may have
// printed it before.

#include <gtest/gtest.h>

#include <string>

#include "security/tls_clients.hpp"
#include "support/tls_certs.hpp"

namespace questdb::test::security {
namespace {

using namespace std::chrono_literals;

std::size_t count_of(const std::string& text, std::string_view needle) {
    std::size_t count = 0;
    for (auto at = text.find(needle); at != std::string::npos;
         at = text.find(needle, at + needle.size())) {
        ++count;
    }
    return count;
}

TEST(TlsUnsafeOff, EveryClientConnectsAndTheWarningIsPrintedOnce) {
    // Wrong host and self-signed: only unsafe_off lets a client accept this certificate.
    auto server = start_tls_server(make_self_signed("db.example.com"));
    ::testing::internal::CaptureStderr();
    std::size_t senders = 0;
    for (Client client :
         {Client::qwp_sender, Client::qwp_reader, Client::ilp_https, Client::ilp_tcps}) {
        for (int twice = 0; twice < 2; ++twice) {
            SCOPED_TRACE(std::string(name_of(client)));
            const std::string conf =
                conf_for(client, *server, "localhost", "tls_verify=unsafe_off;");
            EXPECT_EQ(round_trip(client, conf), 1u);
            if (client != Client::qwp_reader) {
                ++senders;
                EXPECT_TRUE(server->wait_for_rows("probe", senders, 10s));
            }
        }
    }
    const std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(count_of(err, "tls_verify=unsafe_off"), 1u) << err;
    EXPECT_NE(err.find("WARNING"), std::string::npos) << err;
}

}  // namespace
}  // namespace questdb::test::security
