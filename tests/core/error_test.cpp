#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/result.hpp"
#include "questdb/questdb.hpp"

namespace {

using questdb::Error;
using questdb::ErrorCode;
using questdb::ErrorCondition;

TEST(Error, CarriesCodeMessageAndDoubt) {
    const Error err(ErrorCode::config_error, "unknown key 'adr'", true);
    EXPECT_EQ(err.error_code(), ErrorCode::config_error);
    EXPECT_EQ(err.code(), ErrorCode::config_error);
    EXPECT_STREQ(err.what(), "unknown key 'adr'");
    EXPECT_EQ(err.message(), "unknown key 'adr'");
    EXPECT_TRUE(err.in_doubt());
    EXPECT_EQ(std::string(err.code().category().name()), "questdb");
}

TEST(Error, IsASystemErrorAndStdException) {
    try {
        throw Error(ErrorCode::socket_error, "connection reset");
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code(), ErrorCode::socket_error);
        EXPECT_EQ(e.code(), ErrorCondition::retryable);
        return;
    }
    FAIL() << "not caught as std::system_error";
}

TEST(Error, ConditionsClassifyCodes) {
    EXPECT_TRUE(Error(ErrorCode::socket_error, "").retryable());
    EXPECT_TRUE(Error(ErrorCode::backpressure_timeout, "").retryable());
    EXPECT_FALSE(Error(ErrorCode::auth_error, "").retryable());
    EXPECT_EQ(questdb::make_error_code(ErrorCode::auth_error), ErrorCondition::security);
    EXPECT_EQ(questdb::make_error_code(ErrorCode::invalid_name), ErrorCondition::invalid_input);
    EXPECT_NE(questdb::make_error_code(ErrorCode::invalid_name), ErrorCondition::retryable);
    EXPECT_EQ(questdb::make_error_code(ErrorCode::server_parse_error), ErrorCondition::server_error);
}

TEST(Error, EveryCodeHasAUniqueSnakeCaseName) {
    std::set<std::string> names;
    for (int v = 1; v <= static_cast<int>(ErrorCode::server_write_error); ++v) {
        const auto name = std::string(questdb::to_string(static_cast<ErrorCode>(v)));
        EXPECT_NE(name, "unknown") << "code " << v;
        EXPECT_EQ(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_"), std::string::npos)
            << name;
        EXPECT_TRUE(names.insert(name).second) << "duplicate " << name;
        EXPECT_NE(questdb::error_category().message(v), "unknown questdb error");
    }
    EXPECT_EQ(questdb::to_string(static_cast<ErrorCode>(9999)), "unknown");
}

TEST(Result, ThrowsOnlyAtTheBoundary) {
    using questdb::detail::Result;
    Result<int> good = 7;
    EXPECT_EQ(questdb::detail::value_or_throw(std::move(good)), 7);
    Result<int> bad = questdb::detail::fail(ErrorCode::invalid_name, "column 'a b'");
    try {
        (void)questdb::detail::value_or_throw(std::move(bad));
        FAIL() << "no throw";
    } catch (const Error& e) {
        EXPECT_EQ(e.error_code(), ErrorCode::invalid_name);
        EXPECT_STREQ(e.what(), "column 'a b'");
    }
}

TEST(Version, ClientIdNamesTheLibrary) {
    EXPECT_EQ(questdb::client_id().substr(0, 12), "questdb-cpp/");
    EXPECT_EQ(questdb::client_id().substr(12), questdb::version());
}

}  // namespace
