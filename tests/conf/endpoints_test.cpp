// `addr`: lists, repeats, IPv6, default ports, and what is rejected.

#include <string>
#include <vector>

#include "conf/conf_test_util.hpp"

namespace {

using questdb::conf::Config;
using questdb::conf::Endpoint;
using questdb::conf::test::rejects;

std::vector<Endpoint> endpoints_of(const std::string& conf) {
    return Config::parse(conf).endpoints();
}

struct AddrCase {
    std::string conf;
    std::vector<Endpoint> expected;
};

TEST(ConfEndpoints, AcceptedForms) {
    const std::vector<AddrCase> cases = {
        {"ws::addr=localhost;", {{"localhost", 9000}}},
        {"wss::addr=localhost;", {{"localhost", 9000}}},  // wss does not default to 443.
        {"http::addr=localhost;", {{"localhost", 9000}}},
        {"https::addr=localhost;", {{"localhost", 9000}}},
        {"tcp::addr=localhost;", {{"localhost", 9009}}},
        {"tcps::addr=localhost;", {{"localhost", 9009}}},
        {"ws::addr=db:1;", {{"db", 1}}},
        {"ws::addr=db:65535;", {{"db", 65535}}},
        {"ws::addr=127.0.0.1:9000;", {{"127.0.0.1", 9000}}},
        {"ws::addr=h1:9000,h2:9001,h3;", {{"h1", 9000}, {"h2", 9001}, {"h3", 9000}}},
        {"ws::addr=h1;addr=h2:1;addr=h3,h4;",
         {{"h1", 9000}, {"h2", 1}, {"h3", 9000}, {"h4", 9000}}},
        {"ws::addr=h1 , h2:7 ;", {{"h1", 9000}, {"h2", 7}}},
        {"ws::addr=[::1]:9000;", {{"::1", 9000}}},
        {"ws::addr=[::1];", {{"::1", 9000}}},
        {"tcp::addr=[::1];", {{"::1", 9009}}},
        {"ws::addr=[2001:db8::7]:443,[fe80::1%eth0]:9000;",
         {{"2001:db8::7", 443}, {"fe80::1%eth0", 9000}}},
        {"ws::addr=[::ffff:192.0.2.1]:1;", {{"::ffff:192.0.2.1", 1}}},
        {"ws::addr=node-a.example.com:9000,node_b:9000;",
         {{"node-a.example.com", 9000}, {"node_b", 9000}}},
        {"ws::addr=b\xC3\xBC\x63her.example:9000;", {{"b\xC3\xBC\x63her.example", 9000}}},
        {"ws::addr=db:09000;", {{"db", 9000}}},
        {"ws::addr=h:9000;addr=h:9001;", {{"h", 9000}, {"h", 9001}}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.conf);
        try {
            EXPECT_EQ(endpoints_of(c.conf), c.expected);
        } catch (const questdb::Error& e) {
            ADD_FAILURE() << e.what();
        }
    }
}

TEST(ConfEndpoints, RejectedForms) {
    struct Case {
        std::string conf;
        std::vector<std::string_view> parts;
    };
    const std::vector<Case> cases = {
        {"ws::addr=;", {"empty entry"}},
        {"ws::addr=a,,b;", {"empty entry"}},
        {"ws::addr=,a;", {"empty entry"}},
        {"ws::addr=a,;", {"empty entry"}},
        {"ws::addr= ;", {"empty entry"}},
        {"ws::addr=a;addr=;", {"empty entry"}},
        {"ws::addr=:9000;", {"empty host"}},
        {"ws::addr=h:;", {"port", "1..65535"}},
        {"ws::addr=h:0;", {"port"}},
        {"ws::addr=h:65536;", {"port"}},
        {"ws::addr=h:-1;", {"port"}},
        {"ws::addr=h:9x;", {"port"}},
        {"ws::addr=h:+9;", {"port"}},
        {"ws::addr=::1;", {"IPv6", "[::1]:9000"}},
        {"ws::addr=2001:db8::1:9000;", {"brackets"}},
        {"ws::addr=[::1;", {"missing ']'"}},
        {"ws::addr=[::1]9000;", {"':port'"}},
        {"ws::addr=[]:9000;", {"IPv6"}},
        {"ws::addr=[localhost]:9000;", {"IPv6"}},
        {"ws::addr=[::1]:;", {"port"}},
        {"ws::addr=ws://h:9000;", {"without a URL scheme"}},
        {"ws::addr=h:9000/path;", {"path"}},
        {"ws::addr=admin:pw@h:9000;", {"credentials"}},
        {"ws::addr=h o:1;", {"host may contain only"}},
        {"ws::addr=h:9000,h:9000;", {"duplicate addr entry: h:9000"}},
        {"ws::addr=h;addr=h:9000;", {"duplicate addr entry: h:9000"}},
        {"ws::addr=H:1,h:1;", {"duplicate addr entry"}},
        {"ws::addr=[::1],[::1]:9000;", {"duplicate addr entry: [::1]:9000"}},
        {"tcp::addr=a,b;", {"2 endpoints", "exactly one"}},
        {"tcps::addr=a;addr=b;", {"exactly one"}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.conf);
        std::string message;
        EXPECT_TRUE(rejects(c.conf, {"addr"}, &message));
        for (auto part : c.parts) {
            EXPECT_NE(message.find(part), std::string::npos) << message << " lacks " << part;
        }
    }
}

TEST(ConfEndpoints, CredentialsInAddrAreNotEchoed) {
    std::string message;
    EXPECT_TRUE(rejects("ws::addr=admin:Hunter2Pw@h:9000;", {}, &message));
    EXPECT_EQ(message.find("Hunter2Pw"), std::string::npos) << message;
}

TEST(ConfEndpoints, HttpAcceptsSeveralEndpoints) {
    EXPECT_EQ(endpoints_of("http::addr=a:1,b:2;").size(), 2u);
}

TEST(ConfEndpoints, ManyEndpointsUpToTheCap) {
    std::string list;
    for (int i = 0; i < 1024; ++i) {
        list += (i ? "," : "") + std::string("h") + std::to_string(i);
    }
    EXPECT_EQ(endpoints_of("ws::addr=" + list + ";").size(), 1024u);
    EXPECT_TRUE(rejects("ws::addr=" + list + ",extra;", {"more than 1024"}));
}

TEST(ConfEndpoints, EndpointToString) {
    EXPECT_EQ((Endpoint{"h", 1}).to_string(), "h:1");
    EXPECT_EQ((Endpoint{"::1", 9000}).to_string(), "[::1]:9000");
    EXPECT_EQ((Endpoint{"fe80::1%eth0", 2}).to_string(), "[fe80::1%eth0]:2");
}

TEST(ConfEndpoints, ToStringPrintsEveryEndpointWithItsPort) {
    const auto c = Config::parse("ws::addr=a;addr=[::1],b:7;");
    EXPECT_EQ(c.to_string(), "ws::addr=a:9000,[::1]:9000,b:7;");
    EXPECT_EQ(Config::parse(c.to_string()).endpoints(), c.endpoints());
}

}  // namespace
