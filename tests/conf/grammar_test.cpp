#include <gtest/gtest.h>

#include "questdb/conf.hpp"
#include "questdb/error.hpp"

namespace {

using questdb::conf::Config;
using questdb::conf::Scheme;

TEST(ConfGrammar, MinimalWebSocketString) {
    const auto conf = Config::parse("ws::addr=localhost:9000;");
    EXPECT_EQ(conf.scheme(), Scheme::ws);
    ASSERT_EQ(conf.endpoints().size(), 1u);
    EXPECT_EQ(conf.endpoints()[0].host, "localhost");
    EXPECT_EQ(conf.endpoints()[0].port, 9000);
}

TEST(ConfGrammar, DoubledSemicolonIsOneSemicolon) {
    const auto conf = Config::parse("ws::addr=h;username=admin;password=p;;ssw;;rd;");
    EXPECT_EQ(conf.auth().password, "p;ssw;rd");
}

}  // namespace
