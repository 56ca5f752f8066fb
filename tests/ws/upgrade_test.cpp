#include "ws/upgrade.hpp"

#include <gtest/gtest.h>

namespace questdb::ws {
namespace {

const Endpoint kEndpoint{"db-1.example", 9000};

UpgradeResponse response(unsigned status, std::vector<Header> headers = {}, std::string body = "") {
    UpgradeResponse r;
    r.status = status;
    r.reason = "Reason";
    r.headers = std::move(headers);
    r.body = std::move(body);
    return r;
}

TEST(WsUpgrade, BasicAuthorizationIsBase64OfUserColonPassword) {
    EXPECT_EQ(authorization_value(Credentials::basic("user", "pass")), "Basic dXNlcjpwYXNz");
    EXPECT_EQ(authorization_value(Credentials::basic("admin", "quest")), "Basic YWRtaW46cXVlc3Q=");
}

TEST(WsUpgrade, BearerAuthorizationCarriesTheToken) {
    EXPECT_EQ(authorization_value(Credentials::bearer("abc.def")), "Bearer abc.def");
}

TEST(WsUpgrade, NoCredentialsGiveNoAuthorization) {
    EXPECT_TRUE(authorization_value(Credentials{}).empty());
}

TEST(WsUpgrade, EndpointNamesBracketIpv6) {
    EXPECT_EQ(kEndpoint.to_string(), "db-1.example:9000");
    EXPECT_EQ((Endpoint{"::1", 9009}).to_string(), "[::1]:9009");
}

TEST(WsUpgrade, HeaderLookupIgnoresCase) {
    const auto r = response(101, {{"X-QWP-Version", "1"}, {"x-qwp-max-batch-size", "1024"}});
    EXPECT_EQ(r.header("x-qwp-version"), "1");
    EXPECT_EQ(r.header("X-QWP-Max-Batch-Size"), "1024");
    EXPECT_FALSE(r.header("X-QWP-Durable-Ack"));
}

TEST(WsUpgrade, Status401And403AreTerminalAuthErrors) {
    for (unsigned status : {401u, 403u}) {
        const auto outcome =
            classify_rejected_upgrade(response(status, {}, "bad creds"), kEndpoint, "/write/v4");
        EXPECT_EQ(outcome.verdict, Verdict::terminal) << status;
        EXPECT_TRUE(outcome.terminal());
        EXPECT_EQ(outcome.failure.code, ErrorCode::auth_error);
        EXPECT_EQ(outcome.http_status, status);
        EXPECT_NE(outcome.failure.message.find("db-1.example:9000"), std::string::npos);
        EXPECT_NE(outcome.failure.message.find(std::to_string(status)), std::string::npos);
        EXPECT_NE(outcome.failure.message.find("bad creds"), std::string::npos);
    }
}

TEST(WsUpgrade, Status421WithRoleIsARoleReject) {
    const auto outcome = classify_rejected_upgrade(
        response(421, {{"X-QuestDB-Role", "REPLICA"}, {"X-QuestDB-Zone", "eu-1"}}), kEndpoint,
        "/write/v4");
    EXPECT_EQ(outcome.verdict, Verdict::role_reject);
    EXPECT_EQ(outcome.failure.code, ErrorCode::role_mismatch);
    EXPECT_EQ(outcome.role, "REPLICA");
    EXPECT_EQ(outcome.zone, "eu-1");
    EXPECT_FALSE(outcome.role_reject_is_transient());
    EXPECT_FALSE(outcome.terminal());
    EXPECT_NE(outcome.failure.message.find("REPLICA"), std::string::npos);
}

TEST(WsUpgrade, PrimaryCatchupRoleRejectIsTransient) {
    const auto outcome = classify_rejected_upgrade(
        response(421, {{"x-questdb-role", "PRIMARY_CATCHUP"}}), kEndpoint, "/write/v4");
    EXPECT_EQ(outcome.verdict, Verdict::role_reject);
    EXPECT_TRUE(outcome.role_reject_is_transient());
    EXPECT_TRUE(outcome.zone.empty());
}

TEST(WsUpgrade, Status421WithoutRoleIsTransient) {
    const auto outcome = classify_rejected_upgrade(response(421), kEndpoint, "/write/v4");
    EXPECT_EQ(outcome.verdict, Verdict::transient);
    EXPECT_EQ(outcome.failure.code, ErrorCode::handshake_error);
}

TEST(WsUpgrade, OtherStatusesAreTransientAndNameHostAndStatus) {
    for (unsigned status : {400u, 404u, 426u, 500u, 503u}) {
        const auto outcome = classify_rejected_upgrade(response(status), kEndpoint, "/read/v1");
        EXPECT_EQ(outcome.verdict, Verdict::transient) << status;
        EXPECT_EQ(outcome.failure.code, ErrorCode::handshake_error);
        EXPECT_NE(outcome.failure.message.find("db-1.example:9000/read/v1"), std::string::npos);
        EXPECT_NE(outcome.failure.message.find("HTTP " + std::to_string(status)),
                  std::string::npos);
    }
}

TEST(WsUpgrade, RejectionBodyIsQuotedPrintableAndBounded) {
    const auto outcome = classify_rejected_upgrade(
        response(503, {}, std::string("busy\r\nnow\x01") + std::string(1000, 'x')), kEndpoint,
        "/write/v4");
    EXPECT_EQ(outcome.failure.message.find('\n'), std::string::npos);
    EXPECT_EQ(outcome.failure.message.find('\x01'), std::string::npos);
    EXPECT_LT(outcome.failure.message.size(), 400u);
}

TEST(WsUpgrade, OutcomeStatusCarriesTheFailure) {
    EXPECT_TRUE(ConnectOutcome::success().status().ok());
    const auto outcome =
        ConnectOutcome::make(Verdict::terminal, ErrorCode::protocol_version_error, "v9");
    const auto status = outcome.status();
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.failure().code, ErrorCode::protocol_version_error);
}

}  // namespace
}  // namespace questdb::ws
