// Connect strings to ILP sender settings: schemes, defaults per transport, auth, TLS.

#include "ilp/conf_adapter.hpp"

#include <gtest/gtest.h>

#include "questdb/conf.hpp"

namespace {

using namespace std::chrono_literals;
using questdb::ErrorCode;
using questdb::conf::Config;
using questdb::ilp::ProtocolVersion;
using questdb::ilp::sender_config_from;
using questdb::ilp::SenderConfig;
using questdb::ilp::TransportKind;

SenderConfig adapt(std::string_view conf) {
    auto r = sender_config_from(Config::parse(conf));
    EXPECT_TRUE(r.ok()) << conf << ": " << (r.ok() ? "" : r.failure().message);
    return r.ok() ? r.value() : SenderConfig{};
}

TEST(IlpConfAdapter, HttpDefaults) {
    const auto c = adapt("http::addr=db.example.com;");
    EXPECT_EQ(c.transport, TransportKind::http);
    EXPECT_EQ(c.host, "db.example.com");
    EXPECT_EQ(c.port, 9000);
    EXPECT_FALSE(c.tls.enabled);
    EXPECT_FALSE(c.protocol_version.has_value()) << "auto";
    EXPECT_TRUE(c.auto_flush.enabled);
    EXPECT_EQ(c.auto_flush.rows, 75000u);
    EXPECT_EQ(c.auto_flush.bytes, 0u);
    EXPECT_EQ(c.auto_flush.interval, 1000ms);
    EXPECT_EQ(c.request_timeout, 10000ms);
    EXPECT_EQ(c.request_min_throughput, 102400u);
    EXPECT_EQ(c.retry_timeout, 10000ms);
    EXPECT_EQ(c.max_name_len, 127u);
    EXPECT_EQ(c.init_buf_size, 64u * 1024);
    EXPECT_EQ(c.max_buf_size, 100u * 1024 * 1024);
}

TEST(IlpConfAdapter, TcpDefaultsAndEcdsa) {
    const auto c = adapt(
        "tcps::addr=localhost:9010;username=testUser1;token=ZGVhZA;token_x=eA;token_y=eQ;"
        "auth_timeout=500;protocol_version=2;");
    EXPECT_EQ(c.transport, TransportKind::tcp);
    EXPECT_EQ(c.port, 9010);
    EXPECT_TRUE(c.tls.enabled);
    EXPECT_TRUE(c.tls.verify);
    EXPECT_EQ(c.auto_flush.rows, 600u);
    ASSERT_TRUE(c.ecdsa.has_value());
    EXPECT_EQ(c.ecdsa->key_id, "testUser1");
    EXPECT_EQ(c.ecdsa->d, "ZGVhZA");
    EXPECT_EQ(c.auth_timeout, 500ms);
    EXPECT_EQ(c.protocol_version, ProtocolVersion::v2);
    EXPECT_EQ(adapt("tcp::addr=h;").port, 9009);
}

TEST(IlpConfAdapter, AuthTlsAndAutoFlushKeys) {
    const auto c = adapt(
        "https::addr=h:443;username=u;password=p;tls_roots=/tmp/ca.pem;auto_flush_rows=10;"
        "auto_flush_bytes=1k;auto_flush_interval=off;max_name_len=64;request_timeout=250;"
        "retry_timeout=0;request_min_throughput=0;");
    EXPECT_EQ(c.username, "u");
    EXPECT_EQ(c.password, "p");
    EXPECT_EQ(c.tls.roots_path, "/tmp/ca.pem");
    EXPECT_EQ(c.auto_flush.rows, 10u);
    EXPECT_EQ(c.auto_flush.bytes, 1024u);
    EXPECT_EQ(c.auto_flush.interval, 0ms);
    EXPECT_EQ(c.max_name_len, 64u);
    EXPECT_EQ(c.request_timeout, 250ms);
    EXPECT_EQ(c.retry_timeout, 0ms);
    EXPECT_EQ(c.request_min_throughput, 0u);
    EXPECT_FALSE(adapt("https::addr=h;tls_verify=unsafe_off;").tls.verify);
    EXPECT_EQ(adapt("http::addr=h;token=t;").token, "t");
    EXPECT_FALSE(adapt("http::addr=h;auto_flush=off;").auto_flush.enabled);
}

TEST(IlpConfAdapter, RefusesQwpSchemesAndSeveralAddresses) {
    const auto ws = sender_config_from(Config::parse("ws::addr=h:9000;"));
    ASSERT_FALSE(ws.ok());
    EXPECT_EQ(ws.failure().code, ErrorCode::config_error);
    const auto two = sender_config_from(Config::parse("http::addr=a:9000,b:9000;"));
    ASSERT_FALSE(two.ok());
    EXPECT_EQ(two.failure().code, ErrorCode::config_error);
}

}  // namespace
