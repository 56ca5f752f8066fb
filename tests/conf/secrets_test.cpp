// Secrets never appear in an error message or in to_string(), whatever goes wrong around
// them; to_string() stays parseable.

#include <string>
#include <vector>

#include "conf/conf_test_util.hpp"

namespace {

using questdb::conf::Config;
using questdb::conf::KeyInfo;
using questdb::conf::Scheme;
using questdb::conf::test::error_of;

// Distinctive fragments; the secret contains ';' so that an unescaped copy splits it.
constexpr std::string_view kHead = "Zq9xHeadPart";
constexpr std::string_view kTail = "Wv7yTailPart";
const std::string kSecret = std::string(kHead) + ";" + std::string(kTail);
const std::string kEscaped = std::string(kHead) + ";;" + std::string(kTail);

std::vector<const KeyInfo*> secret_keys() {
    std::vector<const KeyInfo*> out;
    for (const auto& info : questdb::conf::known_keys()) {
        if (info.secret) {
            out.push_back(&info);
        }
    }
    return out;
}

/// A scheme where the key is valid, and the companions it needs.
struct Home {
    std::string scheme;
    std::string companions;
};

Home home_of(const KeyInfo& info) {
    const std::string key(info.name);
    if (key == "password" || key == "pass") {
        return {"ws", "username=u;"};
    }
    if (key == "token") {
        return {"ws", ""};
    }
    if (key == "token_x") {
        return {"tcp", "username=u;token=d;token_y=y;"};
    }
    if (key == "token_y") {
        return {"tcp", "username=u;token=d;token_x=x;"};
    }
    return {"wss", "tls_roots=/r.pem;"};  // tls_roots_password
}

::testing::AssertionResult free_of_secret(std::string_view text) {
    for (std::string_view part : {kHead, kTail}) {
        if (text.find(part) != std::string_view::npos) {
            return ::testing::AssertionFailure() << "leaked \"" << part << "\" in: " << text;
        }
    }
    return ::testing::AssertionSuccess();
}

TEST(ConfSecrets, EverySecretKeyIsCovered) {
    EXPECT_EQ(secret_keys().size(), 6u);
}

TEST(ConfSecrets, ToStringRedactsAndStaysParseable) {
    for (const KeyInfo* info : secret_keys()) {
        SCOPED_TRACE(info->name);
        const Home home = home_of(*info);
        const std::string conf = home.scheme + "::addr=h;" + home.companions +
                                 std::string(info->name) + "=" + kEscaped + ";";
        const auto parsed = Config::parse(conf);
        EXPECT_EQ(parsed.find(info->name), kSecret);  // Raw lookup still serves internals.
        const std::string printed = parsed.to_string();
        EXPECT_TRUE(free_of_secret(printed));
        EXPECT_NE(printed.find(std::string(info->name) + "=[redacted];"), std::string::npos)
            << printed;
        const auto reparsed = Config::parse(printed);
        EXPECT_EQ(reparsed.to_string(), printed);
        EXPECT_EQ(reparsed.find(info->name), "[redacted]");
    }
}

TEST(ConfSecrets, NeverInAnyErrorMessage) {
    int scenarios = 0;
    for (const KeyInfo* info : secret_keys()) {
        const Home home = home_of(*info);
        const std::string key(info->name);
        const std::string base = home.scheme + "::addr=h;" + home.companions;
        const std::string with_secret = key + "=" + kEscaped + ";";
        const std::vector<std::string> failing = {
            // Mostly failing.
            // a later key is invalid
            base + with_secret + "compression_level=99;",
            base + with_secret + "max_batch_rows=x;",
            // the secret is given twice
            base + with_secret + with_secret,
            // the secret on a scheme where it is not valid
            "ws::addr=h;" + key + "=" + kEscaped + ";token_x=1;",
            "http::addr=h;" + key + "=" + kEscaped + ";sf_dir=/x;",
            "tcp::addr=h;" + key + "=" + kEscaped + ";",
            "udp::addr=h;" + key + "=" + kEscaped + ";",
            // companions missing or conflicting
            home.scheme + "::addr=h;" + with_secret,
            base + with_secret + "token=other;username=x;",
            // the ';' inside the secret is not doubled: the tail becomes a key
            base + key + "=" + kSecret + ";",
            base + key + "=" + kSecret,
            base + key + "=" + kSecret + "=v;",
            base + key + "=" + kSecret + "!;",
            base + key + "=" + kSecret + " x=1;",
            base + key + "=" + kSecret + "=\x01;",
            base + key + "=" + kSecret + "=\xC3;",
            // bad bytes inside the secret itself
            base + key + "=" + kEscaped + "\x01;",
            base + key + "=" + kEscaped + "\xC2\x85;",
            base + key + "=" + kEscaped + "\xFF;",
            base + key + "=" + kEscaped + "\n;",
            // the secret is fine but addr is broken or missing
            home.scheme + "::" + home.companions + with_secret,
            home.scheme + "::addr=h,,;" + home.companions + with_secret,
            home.scheme + "::addr=u:" + kEscaped + "@h;" + home.companions + with_secret,
            // alias spelled twice
            base + with_secret +
                (key == "password" ? "pass"
                 : key == "pass"   ? "password"
                                   : key) +
                "=" + kEscaped + ";",
        };
        for (const auto& conf : failing) {
            SCOPED_TRACE(conf);
            // Most of these fail; the few that parse (an ILP scheme ignores the stray tail,
            // a token needs no companion) must not print the secret either.
            const std::string message = error_of(conf);
            EXPECT_TRUE(
                free_of_secret(message.empty() ? Config::parse(conf).to_string() : message));
            ++scenarios;
        }
    }
    EXPECT_GE(scenarios, 100);
}

TEST(ConfSecrets, BlankSecretsAreRejectedWithoutEcho) {
    for (const KeyInfo* info : secret_keys()) {
        const Home home = home_of(*info);
        for (const char* blank : {"", " ", "   "}) {
            const std::string message = error_of(home.scheme + "::addr=h;" + home.companions +
                                                 std::string(info->name) + "=" + blank + ";");
            EXPECT_NE(message.find(info->name), std::string::npos) << message;
            EXPECT_NE(message.find("must not be"), std::string::npos) << message;
        }
    }
}

TEST(ConfSecrets, IlpIgnoredTailOfAnUnescapedSecretIsNotPrinted) {
    // On ILP schemes an unknown key is ignored, so an undoubled ';' parses; the tail must
    // still stay out of to_string().
    const auto conf = Config::parse("http::addr=h;username=u;password=" + kSecret + "=x;");
    EXPECT_TRUE(free_of_secret(conf.to_string()));
}

TEST(ConfSecrets, NonSecretValuesArePrintedVerbatim) {
    const auto conf =
        Config::parse("wss::addr=h;zone=alice;client_id=a;;b;tls_roots=/r;token=t0k;");
    const std::string printed = conf.to_string();
    EXPECT_NE(printed.find("zone=alice;"), std::string::npos) << printed;
    EXPECT_NE(printed.find("client_id=a;;b;"), std::string::npos) << printed;
    EXPECT_NE(printed.find("token=[redacted];"), std::string::npos) << printed;
    EXPECT_EQ(printed.find("t0k"), std::string::npos) << printed;
}

TEST(ConfSecrets, ToStringRoundTripsEverySettingButSecrets) {
    const char* confs[] = {
        ("ws::addr=a:1,b;pool_size=2;pool_max=3;sf_max_total_bytes=1G;compression=zstd;"
         "zone= z ;initial_connect_retry=async;on_write_error=terminal;"),
        "wss::addr=[::1];tls_verify=unsafe_off;user=u;pass=p;lazy_connect=true;",
        "http::addr=h;auto_flush_rows=off;request_timeout=5;protocol_version=2;x_unknown=1;",
        "tcps::addr=h:1;username=k;token=d;token_x=x;token_y=y;tls_roots=/r;",
        "ws::addr=h;sf_dir=/d;sender_id=s;sf_durability=periodic;sf_sync_interval_millis=7;",
    };
    for (const char* text : confs) {
        SCOPED_TRACE(text);
        const auto first = Config::parse(text);
        const auto second = Config::parse(first.to_string());
        EXPECT_EQ(second.to_string(), first.to_string());
        EXPECT_EQ(second.endpoints(), first.endpoints());
        EXPECT_EQ(second.pool().sender_max, first.pool().sender_max);
        EXPECT_EQ(second.pool().query_min, first.pool().query_min);
        EXPECT_EQ(second.store_and_forward().max_total_bytes,
                  first.store_and_forward().max_total_bytes);
        EXPECT_EQ(second.egress().zone, first.egress().zone);
        EXPECT_EQ(second.reconnect().initial_connect_retry,
                  first.reconnect().initial_connect_retry);
        EXPECT_EQ(second.tls().verify, first.tls().verify);
        EXPECT_EQ(second.ilp().auto_flush.rows, first.ilp().auto_flush.rows);
        EXPECT_EQ(second.auth().kind, first.auth().kind);
    }
}

}  // namespace
