#pragma once

// Helpers shared by the connect-string tests.

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>

#include "questdb/conf.hpp"
#include "questdb/error.hpp"

namespace questdb::conf::test {

/// Parses `conf`, failing the test (with the error text) when parsing throws.
inline ::testing::AssertionResult parses(const std::string& conf) {
    try {
        (void)Config::parse(conf);
        return ::testing::AssertionSuccess();
    } catch (const Error& e) {
        return ::testing::AssertionFailure() << "parse(\"" << conf << "\") threw: " << e.what();
    }
}

/// The config_error message parsing `conf` raises, or a failure when it parses or raises
/// another code.
inline ::testing::AssertionResult rejects(const std::string& conf,
                                          std::initializer_list<std::string_view> must_contain = {},
                                          std::string* message_out = nullptr) {
    try {
        const auto parsed = Config::parse(conf);
        return ::testing::AssertionFailure()
               << "parse(\"" << conf.substr(0, 200) << "\") succeeded: " << parsed.to_string();
    } catch (const Error& e) {
        if (message_out != nullptr) {
            *message_out = e.what();
        }
        if (e.error_code() != ErrorCode::config_error) {
            return ::testing::AssertionFailure()
                   << "parse(\"" << conf.substr(0, 200) << "\") raised "
                   << to_string(e.error_code()) << " instead of config_error: " << e.what();
        }
        for (auto part : must_contain) {
            if (std::string_view(e.what()).find(part) == std::string_view::npos) {
                return ::testing::AssertionFailure()
                       << "parse(\"" << conf.substr(0, 200) << "\") message \"" << e.what()
                       << "\" lacks \"" << part << "\"";
            }
        }
        return ::testing::AssertionSuccess() << e.what();
    }
}

/// The message of the config_error `conf` raises ("" when it parses).
inline std::string error_of(const std::string& conf) {
    try {
        (void)Config::parse(conf);
        return {};
    } catch (const Error& e) {
        return e.what();
    }
}

}  // namespace questdb::conf::test
