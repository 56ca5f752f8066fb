// Egress upgrade request headers and the checks of the 101 response (A3-A6, A8, A9, Z19,
// Z20) and reader settings from a connect string.

#include <gtest/gtest.h>

#include "egress/ws_connector.hpp"
#include "questdb/conf.hpp"

namespace questdb::egress {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

TEST(EgressUpgrade, RawSendsNoAcceptEncoding) {
    EgressUpgradeRequest req;
    req.client_id = "questdb-cpp/0.1.0";
    EXPECT_EQ(egress_upgrade_headers(req),
              (Headers{{"X-QWP-Max-Version", "1"}, {"X-QWP-Client-Id", "questdb-cpp/0.1.0"}}));
}

TEST(EgressUpgrade, ZstdLevelAndBatchRows) {
    EgressUpgradeRequest req;
    req.client_id = "app/2";
    req.compression = conf::Compression::zstd;
    req.compression_level = 5;
    req.max_batch_rows = 100;
    const auto h = egress_upgrade_headers(req);
    ASSERT_EQ(h.size(), 4u);
    EXPECT_EQ(h[2],
              (std::pair<std::string, std::string>{"X-QWP-Accept-Encoding", "zstd;level=5,raw"}));
    EXPECT_EQ(h[3], (std::pair<std::string, std::string>{"X-QWP-Max-Batch-Rows", "100"}));
    req.compression = conf::Compression::automatic;  // Z20: auto sends the same list
    EXPECT_EQ(egress_upgrade_headers(req)[2].second, "zstd;level=5,raw");
}

TEST(EgressUpgrade, VersionAndEncodingChecks) {
    bool zstd = true;
    EXPECT_TRUE(check_egress_upgrade("1", std::nullopt, false, zstd).ok());
    EXPECT_FALSE(zstd);
    auto missing = check_egress_upgrade(std::nullopt, std::nullopt, false, zstd);  // Z19
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.failure().code, ErrorCode::protocol_version_error);
    EXPECT_FALSE(check_egress_upgrade("2", std::nullopt, false, zstd).ok());
    EXPECT_FALSE(check_egress_upgrade("0", std::nullopt, false, zstd).ok());
    EXPECT_TRUE(check_egress_upgrade("1", "zstd;level=3", true, zstd).ok());
    EXPECT_TRUE(zstd);
    EXPECT_FALSE(check_egress_upgrade("1", "zstd;level=3", false, zstd).ok());  // A9: not offered
    EXPECT_FALSE(check_egress_upgrade("1", "brotli", true, zstd).ok());
    EXPECT_TRUE(check_egress_upgrade("1", "identity", true, zstd).ok());
    EXPECT_FALSE(zstd);
    EXPECT_TRUE(check_egress_upgrade("1", "raw", true, zstd).ok());  // Z20: raw accepted
}

TEST(EgressUpgrade, SettingsFromConnectString) {
    auto cfg = conf::Config::parse(
        "ws::addr=a:9000,b:9001;target=replica;zone=eu-1;failover=off;failover_max_attempts=3;"
        "initial_credit=65536;query_close_timeout_ms=1234;");
    auto s = reader_settings_from(cfg, {});
    EXPECT_EQ(s.target, TargetRole::replica);
    EXPECT_EQ(s.zone, "eu-1");
    EXPECT_FALSE(s.failover.enabled);
    EXPECT_EQ(s.failover.max_attempts, 3u);
    EXPECT_EQ(s.initial_credit, 65536u);
    EXPECT_EQ(s.close_timeout.count(), 1234);
}

}  // namespace
}  // namespace questdb::egress
