// Secrets never leak: every secret-bearing key (password/pass, token, the ILP/TCP ECDSA
// token/token_x/token_y, tls_roots_password) is given a distinctive value, then the error
// paths that run with them — credentials refused (401/403) by the test server, invalid
// configurations at every entry point, connection refused, TLS failures, a wrong trust
// store password — are driven through the QWP sender and reader, the ILP/HTTP(S) and
// ILP/TCP(S) senders. Every error message, everything the library printed on stderr (its
// only log channel) and every string form of a configuration (Config::to_string, also via
// QuestDb::config()) is searched for every secret.
//
// The conf suite (tests/conf/secrets_test.cpp) covers the parser's messages exhaustively;
// this suite covers what happens after parsing.

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "fake_servers.hpp"  // make_test_ec_key
#include "questdb/conf.hpp"
#include "questdb/db.hpp"
#include "questdb/error.hpp"
#include "questdb/test_server/server.hpp"
#include "security/tls_clients.hpp"
#include "support/tls_certs.hpp"
#include "support/wait_for.hpp"

namespace questdb::test::security {
namespace {

using namespace std::chrono_literals;
namespace ts = questdb::test_server;

// Distinctive values; the server's own credentials differ, so each is refused.
const std::string kPassword = "pw-Secret-7f3Kq9";
const std::string kToken = "tk-Secret-b81Zw4";
const std::string kStorePassword = "ts-Secret-x2Lp6M";
const std::string kUser = "alice";  // a user name is not a secret

class Secrets : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto key = ilp::make_test_ec_key();
        ecdsa_ = {key.d, key.x, key.y};
        ::testing::internal::CaptureStderr();
    }

    void TearDown() override {
        const std::string err = ::testing::internal::GetCapturedStderr();
        expect_free_of_secrets(err, "stderr");
        EXPECT_GT(checked_, 0) << "the test drove no error path";
    }

    [[nodiscard]] std::vector<std::string> secrets() const {
        return {kPassword, kToken, kStorePassword, ecdsa_.d, ecdsa_.x, ecdsa_.y};
    }

    /// username + token + token_x + token_y of a key the server does not know.
    [[nodiscard]] std::string ecdsa_keys() const {
        return "username=" + kUser + ";token=" + ecdsa_.d + ";token_x=" + ecdsa_.x +
               ";token_y=" + ecdsa_.y + ";";
    }

    void expect_free_of_secrets(const std::string& text, std::string_view where) {
        ++checked_;
        for (const auto& secret : secrets()) {
            EXPECT_EQ(text.find(secret), std::string::npos)
                << where << " leaks \"" << secret << "\": " << text;
        }
    }

    /// Runs `call`, which must throw a questdb::Error (with `code` unless nullopt), and
    /// checks its message.
    template <typename Call>
    void expect_error(std::optional<ErrorCode> code, Call&& call, std::string_view what) {
        SCOPED_TRACE(std::string(what));
        try {
            call();
            ADD_FAILURE() << what << ": expected an error";
        } catch (const Error& e) {
            if (code) {
                EXPECT_EQ(e.error_code(), *code) << e.what();
            }
            expect_free_of_secrets(e.what(), what);
        }
    }

    /// The configuration's string forms.
    void expect_config_clean(const std::string& conf) {
        const auto parsed = conf::Config::parse(conf);
        expect_free_of_secrets(parsed.to_string(), "Config::to_string");
        for (const auto& secret : secrets()) {
            if (conf.find(secret) != std::string::npos) {
                EXPECT_NE(parsed.to_string().find("[redacted]"), std::string::npos);
            }
        }
    }

    struct {
        std::string d, x, y;
    } ecdsa_;
    int checked_ = 0;
};

/// A server that requires credentials other than ours on every endpoint.
std::unique_ptr<ts::Server> start_guarded_server(std::optional<PemPair> tls = {}) {
    ts::Options options;
    options.basic_user = kUser;
    options.basic_password = "the-right-password";
    options.token = "the-right-token";
    options.ilp_tcp_port = 0;
    const auto other = ilp::make_test_ec_key();  // not the client's key
    options.ilp_tcp_keys.push_back({kUser, other.x, other.y});
    if (tls) {
        options.tls_cert_chain_pem = tls->cert_pem;
        options.tls_private_key_pem = tls->key_pem;
    }
    auto server = std::make_unique<ts::Server>(options);
    server->start();
    return server;
}

std::string ws_conf(const ts::Server& server, std::string_view extra) {
    return "ws::addr=127.0.0.1:" + std::to_string(server.port()) + ";" + std::string(extra);
}
std::string http_conf(const ts::Server& server, std::string_view extra) {
    return "http::addr=127.0.0.1:" + std::to_string(server.port()) + ";" + std::string(extra);
}
std::string tcp_conf(const ts::Server& server, std::string_view extra) {
    return "tcp::addr=127.0.0.1:" + std::to_string(server.ilp_tcp_port()) + ";" +
           std::string(extra);
}

TEST_F(Secrets, ConfigStringFormsAreRedacted) {
    const std::vector<std::string> confs = {
        "ws::addr=h;username=" + kUser + ";password=" + kPassword + ";",
        "wss::addr=h;username=" + kUser + ";pass=" + kPassword + ";",
        "ws::addr=h;token=" + kToken + ";",
        "https::addr=h;username=" + kUser + ";password=" + kPassword + ";",
        "http::addr=h;token=" + kToken + ";",
        "tcps::addr=h;" + ecdsa_keys(),
        "wss::addr=h;token=" + kToken + ";tls_roots=/x.p12;tls_roots_password=" + kStorePassword +
            ";",
    };
    for (const auto& conf : confs) {
        expect_config_clean(conf);
    }
    auto db = QuestDb::connect("ws::addr=h;username=" + kUser + ";password=" + kPassword + ";");
    expect_free_of_secrets(db.config().to_string(), "QuestDb::config().to_string()");
    db.close();
}

TEST_F(Secrets, InvalidConfigurationsAtEveryEntryPoint) {
    const std::vector<std::string> invalid = {
        "ws::addr=h;password=" + kPassword + ";",  // password without username
        "ws::addr=h;username=" + kUser + ";password=" + kPassword + ";token=" + kToken + ";",
        "wss::addr=h;tls_roots_password=" + kStorePassword + ";",  // without tls_roots
        "ws::addr=h;token=" + kToken + ";tls_roots_password=" + kStorePassword + ";",
        "http::addr=h;username=" + kUser + ";password=" + kPassword + ";token=" + kToken + ";",
        "tcp::addr=h;" + ecdsa_keys() + "password=" + kPassword + ";",
        "tcp::addr=h;username=" + kUser + ";token=" + ecdsa_.d + ";",  // x, y missing
        "ws::addr=h;token=" + kToken + ";no_such_key=1;",
        "ws::addr=h;token=" + kToken + "\x01;",
    };
    for (const auto& conf : invalid) {
        expect_error(
            ErrorCode::config_error, [&] { (void)QuestDb::connect(conf); }, "QuestDb::connect");
        expect_error(
            ErrorCode::config_error, [&] { (void)egress::Reader::connect(conf); },
            "Reader::connect");
        expect_error(
            ErrorCode::config_error, [&] { (void)ingress::Sender::from_conf(conf); },
            "Sender::from_conf");
        expect_error(
            ErrorCode::config_error, [&] { (void)conf::Config::parse(conf); }, "Config::parse");
    }
    ::setenv("QDB_CLIENT_CONF", invalid.front().c_str(), 1);
    expect_error(
        ErrorCode::config_error, [] { (void)QuestDb::from_env(); }, "from_env");
    expect_error(
        ErrorCode::config_error, [] { (void)ingress::Sender::from_env(); }, "Sender::from_env");
    ::unsetenv("QDB_CLIENT_CONF");
}

TEST_F(Secrets, RefusedCredentials) {
    auto server = start_guarded_server();
    const std::string basic = "username=" + kUser + ";password=" + kPassword + ";";
    const std::string bearer = "token=" + kToken + ";";
    for (const auto& auth : {basic, bearer}) {
        expect_error(
            ErrorCode::auth_error,
            [&] {
                auto db = QuestDb::connect(ws_conf(*server, auth + "initial_connect_retry=off;"));
                (void)db.borrow_column_sender();
            },
            "QWP sender, 401");
        expect_error(
            ErrorCode::auth_error,
            [&] {
                auto db = QuestDb::connect(ws_conf(*server, auth));
                (void)db.borrow_reader();
            },
            "QWP reader via pool, 401");
        expect_error(
            ErrorCode::auth_error, [&] { (void)egress::Reader::connect(ws_conf(*server, auth)); },
            "QWP reader, 401");
        expect_error(
            ErrorCode::auth_error,
            [&] {
                auto sender = ingress::Sender::from_conf(
                    http_conf(*server, auth + "protocol_version=2;retry_timeout=0;"));
                auto buffer = sender.new_buffer();
                buffer.table("t").column_i64("v", 1).at_now();
                sender.flush(buffer);
            },
            "ILP/HTTP, 401");
    }
    EXPECT_EQ(server->ingress_frames(), 0u);
    EXPECT_EQ(server->row_count("t"), 0u);
}

TEST_F(Secrets, ForbiddenAfterValidCredentials) {
    // Here our secrets are the right credentials, and the server answers 403 anyway.
    ts::Options options;
    options.basic_user = kUser;
    options.basic_password = kPassword;
    options.token = kToken;
    ts::Server server(options);
    server.start();
    server.faults().refuse_upgrades(403, {}, "forbidden");
    server.faults().fail_ilp_http(403, R"({"code":"forbidden","message":"forbidden"})", 1000);
    const std::string basic = "username=" + kUser + ";password=" + kPassword + ";";
    const std::string bearer = "token=" + kToken + ";";
    for (const auto& auth : {basic, bearer}) {
        expect_error(
            ErrorCode::auth_error,
            [&] {
                auto db = QuestDb::connect(ws_conf(server, auth + "initial_connect_retry=off;"));
                (void)db.borrow_column_sender();
            },
            "QWP sender, 403");
        expect_error(
            ErrorCode::auth_error, [&] { (void)egress::Reader::connect(ws_conf(server, auth)); },
            "QWP reader, 403");
        expect_error(
            std::nullopt,
            [&] {
                auto sender = ingress::Sender::from_conf(
                    http_conf(server, auth + "protocol_version=2;retry_timeout=0;"));
                auto buffer = sender.new_buffer();
                buffer.table("t").column_i64("v", 1).at_now();
                sender.flush(buffer);
            },
            "ILP/HTTP, 403");
    }
    const auto requests = server.requests();
    ASSERT_FALSE(requests.empty());
    EXPECT_EQ(requests.front().headers.count("authorization"), 1u) << "credentials were sent";
    EXPECT_EQ(server.ingress_frames(), 0u);
    EXPECT_EQ(server.row_count("t"), 0u);
}

TEST_F(Secrets, RefusedEcdsaKey) {
    auto server = start_guarded_server();
    auto sender = ingress::Sender::from_conf(tcp_conf(*server, ecdsa_keys()));
    auto buffer = sender.new_buffer();
    // The server closes the connection after the signature; a flush notices on some later
    // write.
    bool failed = false;
    EXPECT_TRUE(wait_for(
        [&] {
            buffer.table("t").column_i64("v", 1).at_now();
            try {
                sender.flush(buffer);
            } catch (const Error& e) {
                expect_free_of_secrets(e.what(), "ILP/TCP refused key");
                failed = true;
            }
            return failed;
        },
        10s));
    EXPECT_EQ(server->ilp_tcp_connections(), 0u);
}

TEST_F(Secrets, ConnectionRefused) {
    std::uint16_t http_port = 0;
    std::uint16_t tcp_port = 0;
    {
        auto server = start_guarded_server();
        http_port = server->port();
        tcp_port = server->ilp_tcp_port();
    }  // stopped: nothing listens there now
    const std::string ws = "ws::addr=127.0.0.1:" + std::to_string(http_port) + ";";
    const std::string http = "http::addr=127.0.0.1:" + std::to_string(http_port) + ";";
    const std::string tcp = "tcp::addr=127.0.0.1:" + std::to_string(tcp_port) + ";";
    for (const auto& auth :
         {"username=" + kUser + ";password=" + kPassword + ";", "token=" + kToken + ";"}) {
        expect_error(
            ErrorCode::socket_error,
            [&] {
                auto db = QuestDb::connect(ws + auth + "initial_connect_retry=off;");
                (void)db.borrow_column_sender();
            },
            "QWP sender, refused");
        expect_error(
            ErrorCode::socket_error,
            [&] { (void)egress::Reader::connect(ws + auth + "failover_max_attempts=1;"); },
            "QWP reader, refused");
        expect_error(
            ErrorCode::socket_error,
            [&] {
                auto sender =
                    ingress::Sender::from_conf(http + auth + "protocol_version=2;retry_timeout=0;");
                auto buffer = sender.new_buffer();
                buffer.table("t").column_i64("v", 1).at_now();
                sender.flush(buffer);
            },
            "ILP/HTTP, refused");
    }
    expect_error(
        ErrorCode::socket_error, [&] { (void)ingress::Sender::from_conf(tcp + ecdsa_keys()); },
        "ILP/TCP, refused");
}

TEST_F(Secrets, TlsFailures) {
    TestCa ca;
    const TestCa stranger("stranger CA");
    auto server = start_guarded_server(stranger.issue_leaf("localhost"));
    const std::string wss = "wss::addr=localhost:" + std::to_string(server->port()) + ";";
    const std::string https = "https::addr=localhost:" + std::to_string(server->port()) + ";";
    const std::string tcps = "tcps::addr=localhost:" + std::to_string(server->ilp_tcp_port()) + ";";
    // A PKCS#12 trust store for our CA (not the server's): opened with the right password
    // the handshake fails; with a wrong one the store cannot be opened.
    TempFile store(make_pkcs12_trust_store(ca.cert_pem(), kStorePassword), ".p12");
    TempFile other_store(make_pkcs12_trust_store(ca.cert_pem(), "another-password"), ".p12");
    TempFile ca_file(ca.cert_pem());
    for (const TempFile* file : {&store, &other_store}) {
        const std::string trust =
            "tls_roots=" + file->str() + ";tls_roots_password=" + kStorePassword + ";";
        for (const auto& auth :
             {"username=" + kUser + ";password=" + kPassword + ";", "token=" + kToken + ";"}) {
            expect_error(
                ErrorCode::tls_error,
                [&] {
                    auto db = QuestDb::connect(wss + auth + trust + "initial_connect_retry=off;");
                    (void)db.borrow_column_sender();
                },
                "QWP sender, TLS");
            expect_error(
                ErrorCode::tls_error,
                [&] {
                    (void)egress::Reader::connect(wss + auth + trust + "failover_max_attempts=1;");
                },
                "QWP reader, TLS");
        }
    }
    const std::string roots = "tls_roots=" + ca_file.str() + ";";
    expect_error(
        ErrorCode::tls_error,
        [&] {
            auto sender =
                ingress::Sender::from_conf(https + "username=" + kUser + ";password=" + kPassword +
                                           ";" + roots + "protocol_version=2;retry_timeout=0;");
            auto buffer = sender.new_buffer();
            buffer.table("t").column_i64("v", 1).at_now();
            sender.flush(buffer);
        },
        "ILP/HTTPS, TLS");
    expect_error(
        ErrorCode::tls_error,
        [&] { (void)ingress::Sender::from_conf(https + "token=" + kToken + ";" + roots); },
        "ILP/HTTPS token, TLS");
    expect_error(
        ErrorCode::tls_error,
        [&] { (void)ingress::Sender::from_conf(tcps + ecdsa_keys() + roots); }, "ILP/TCPS, TLS");
    EXPECT_FALSE(received_anything(*server));
}

}  // namespace
}  // namespace questdb::test::security
