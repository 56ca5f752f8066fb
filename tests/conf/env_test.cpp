// from_env(): QDB_CLIENT_CONF and a named variable.

#include <cstdlib>

#include "conf/conf_test_util.hpp"

namespace {

using questdb::conf::Config;

/// Sets an environment variable for one test and restores the previous value.
class ScopedEnv {
  public:
    ScopedEnv(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) {
            old_ = old;
        }
        if (value) {
            ::setenv(name, value, 1);
        } else {
            ::unsetenv(name);
        }
    }
    ~ScopedEnv() {
        if (old_) {
            ::setenv(name_, old_->c_str(), 1);
        } else {
            ::unsetenv(name_);
        }
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

  private:
    const char* name_;
    std::optional<std::string> old_;
};

std::string from_env_error(const std::string* variable = nullptr) {
    try {
        (void)(variable ? Config::from_env(*variable) : Config::from_env());
        return {};
    } catch (const questdb::Error& e) {
        EXPECT_EQ(e.error_code(), questdb::ErrorCode::config_error);
        return e.what();
    }
}

TEST(ConfEnv, ReadsQdbClientConf) {
    ScopedEnv env("QDB_CLIENT_CONF", "wss::addr=db:9000;username=u;password=p;;w;");
    const auto conf = Config::from_env();
    EXPECT_EQ(conf.scheme(), questdb::conf::Scheme::wss);
    EXPECT_EQ(conf.endpoints()[0].host, "db");
    EXPECT_EQ(conf.auth().password, "p;w");
}

TEST(ConfEnv, UnsetIsAClearConfigError) {
    ScopedEnv env("QDB_CLIENT_CONF", nullptr);
    const auto message = from_env_error();
    EXPECT_NE(message.find("QDB_CLIENT_CONF"), std::string::npos) << message;
    EXPECT_NE(message.find("not set"), std::string::npos) << message;
}

TEST(ConfEnv, EmptyIsAClearConfigError) {
    ScopedEnv env("QDB_CLIENT_CONF", "");
    const auto message = from_env_error();
    EXPECT_NE(message.find("QDB_CLIENT_CONF"), std::string::npos) << message;
    EXPECT_NE(message.find("empty"), std::string::npos) << message;
}

TEST(ConfEnv, InvalidContentIsReportedLikeParse) {
    ScopedEnv env("QDB_CLIENT_CONF", "ws::addr=h;password=EnvSecret99;compression=nope;");
    const auto message = from_env_error();
    EXPECT_NE(message.find("'compression'"), std::string::npos) << message;
    EXPECT_EQ(message.find("EnvSecret99"), std::string::npos) << message;
}

TEST(ConfEnv, TrailingNewlineIsAControlCharacter) {
    // The reference grammar forbids control characters; a value exported with a trailing
    // newline is reported rather than silently trimmed.
    ScopedEnv env("QDB_CLIENT_CONF", "ws::addr=h;\n");
    const auto message = from_env_error();
    EXPECT_FALSE(message.empty());
}

TEST(ConfEnv, NamedVariable) {
    const std::string name = "QUESTDB_CONF_TEST_VARIABLE";
    ScopedEnv env(name.c_str(), "tcp::addr=h;");
    EXPECT_EQ(Config::from_env(name).endpoints()[0].port, 9009);
    ScopedEnv unset(name.c_str(), nullptr);
    EXPECT_NE(from_env_error(&name).find(name), std::string::npos);
}

}  // namespace
