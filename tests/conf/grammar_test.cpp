// The connect-string grammar: schemes, separators, escapes, whitespace, UTF-8, sizes.

#include <string>
#include <vector>

#include "conf/conf_test_util.hpp"

namespace {

using questdb::conf::Config;
using questdb::conf::Scheme;
using questdb::conf::test::parses;
using questdb::conf::test::rejects;

TEST(ConfGrammar, MinimalWebSocketString) {
    const auto conf = Config::parse("ws::addr=localhost:9000;");
    EXPECT_EQ(conf.scheme(), Scheme::ws);
    EXPECT_FALSE(conf.is_tls());
    ASSERT_EQ(conf.endpoints().size(), 1u);
    EXPECT_EQ(conf.endpoints()[0].host, "localhost");
    EXPECT_EQ(conf.endpoints()[0].port, 9000);
}

struct SchemeCase {
    const char* text;
    Scheme scheme;
    bool tls;
};

TEST(ConfGrammar, EverySchemeAndAlias) {
    const SchemeCase cases[] = {
        {"ws", Scheme::ws, false},     {"wss", Scheme::wss, true},
        {"qwpws", Scheme::ws, false},  {"qwpwss", Scheme::wss, true},
        {"http", Scheme::http, false}, {"https", Scheme::https, true},
        {"tcp", Scheme::tcp, false},   {"tcps", Scheme::tcps, true},
        {"WS", Scheme::ws, false},     {"Https", Scheme::https, true},
        {"QWPWSS", Scheme::wss, true},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        const auto conf = Config::parse(std::string(c.text) + "::addr=h;");
        EXPECT_EQ(conf.scheme(), c.scheme);
        EXPECT_EQ(conf.is_tls(), c.tls);
        EXPECT_EQ(questdb::conf::is_tls(c.scheme), c.tls);
    }
}

TEST(ConfGrammar, SchemeNamesAndPredicates) {
    EXPECT_EQ(questdb::conf::to_string(Scheme::ws), "ws");
    EXPECT_EQ(questdb::conf::to_string(Scheme::tcps), "tcps");
    EXPECT_TRUE(questdb::conf::is_qwp(Scheme::wss));
    EXPECT_FALSE(questdb::conf::is_qwp(Scheme::https));
    EXPECT_TRUE(questdb::conf::is_ilp_http(Scheme::https));
    EXPECT_TRUE(questdb::conf::is_ilp_tcp(Scheme::tcp));
    EXPECT_FALSE(questdb::conf::is_ilp_tcp(Scheme::http));
}

TEST(ConfGrammar, UnknownAndUnsupportedSchemes) {
    EXPECT_TRUE(rejects("udp::addr=h;", {"udp", "not supported"}));
    EXPECT_TRUE(rejects("ftp::addr=h;", {"unknown scheme", "'ftp'"}));
    EXPECT_TRUE(rejects("wsx::addr=h;", {"unknown scheme"}));
}

struct RejectCase {
    std::string conf;
    std::vector<std::string_view> parts;
};

TEST(ConfGrammar, MalformedStringsAreRejectedWithPositions) {
    const std::vector<RejectCase> cases = {
        {"", {"empty"}},
        {"::addr=h;", {"scheme", "position 0"}},
        {"ws:addr=h;", {"'::'", "position 2"}},
        {"ws;addr=h;", {"'::'"}},
        {"http://localhost:9000;", {"'::'", "position 4"}},
        {"ws::addr", {"'addr'", "no '=value'"}},
        {"ws::addr=h;port", {"'port'", "no '=value'"}},
        {"ws::addr=h;port;", {"'port'", "no '=value'"}},
        {"ws::=h;", {"missing key", "position 4"}},
        {"ws::addr=h;;x=1", {"addr"}},  // ";;" escapes, so "h;x=1" is the addr value.
        {"ws::addr=h;client_id=a;;;x=1", {"unknown key 'x'"}},
        {"ws::;addr=h", {"stray ';'", "position 4"}},
        {"ws::addr=h; x=1;", {"key", "position 11"}},
        {"ws::ad dr=h;", {"invalid character in key", "position 6"}},
        {"ws::addr:h;", {"invalid character in key"}},
        {"ws::addr=h;;;;", {"addr"}},
        {"ws::addr=h;=;", {"missing key"}},
        {"ws::adr\xC3\xA9=h;", {"invalid character in key"}},
        {"w s::addr=h;", {"'::'"}},
        {"\xE5\x8D\x8F::addr=h;", {"scheme", "position 0"}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.conf);
        std::vector<std::string_view> parts(c.parts.begin(), c.parts.end());
        std::string message;
        EXPECT_TRUE(rejects(c.conf, {}, &message));
        for (auto part : parts) {
            EXPECT_NE(message.find(part), std::string::npos) << message << " lacks " << part;
        }
    }
}

TEST(ConfGrammar, StrayEmptyParameterIsRejected) {
    // After a complete parameter, ";;" would be an escape only inside a value.
    EXPECT_TRUE(rejects("ws::addr=h;;;", {"addr"}));
    EXPECT_TRUE(rejects("ws::addr=h;compression=raw;;;", {"compression"}));
    EXPECT_TRUE(rejects("ws::addr=h; ;", {"position"}));
}

TEST(ConfGrammar, TrailingSemicolonIsOptional) {
    EXPECT_EQ(Config::parse("ws::addr=h").endpoints()[0].host, "h");
    EXPECT_EQ(Config::parse("ws::addr=h;compression=zstd").egress().compression,
              questdb::conf::Compression::zstd);
    EXPECT_EQ(Config::parse("ws::addr=h;compression=zstd;").egress().compression,
              questdb::conf::Compression::zstd);
}

TEST(ConfGrammar, BareSchemeNeedsAddr) {
    EXPECT_TRUE(rejects("ws", {"missing 'addr'"}));
    EXPECT_TRUE(rejects("ws::", {"missing 'addr'", "9000"}));
    EXPECT_TRUE(rejects("tcp::", {"missing 'addr'", "9009"}));
}

TEST(ConfGrammar, DoubledSemicolonIsOneSemicolon) {
    const auto conf = Config::parse("ws::addr=h;username=admin;password=p;;ssw;;rd;");
    EXPECT_EQ(conf.auth().password, "p;ssw;rd");
    EXPECT_EQ(conf.find("password"), "p;ssw;rd");
}

TEST(ConfGrammar, EscapesAtEveryPosition) {
    struct Case {
        const char* conf;
        const char* value;
    };
    const Case cases[] = {
        {"ws::addr=h;client_id=;;a", ";a"},
        {"ws::addr=h;client_id=a;;", "a;"},
        {"ws::addr=h;client_id=a;;;", "a;"},
        {"ws::addr=h;client_id=;;;;", ";;"},
        {"ws::addr=h;client_id=;;;;;", ";;"},
        {"ws::addr=h;client_id=a;;b;;c;compression=raw", "a;b;c"},
        {"ws::addr=h;client_id=x=y;", "x=y"},
        {"ws::addr=h;client_id=a::b;", "a::b"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.conf);
        const auto conf = Config::parse(c.conf);
        EXPECT_EQ(conf.transport().client_id, c.value);
    }
}

TEST(ConfGrammar, WhitespaceIsKeptInValues) {
    const auto conf = Config::parse("ws::addr=h;client_id= my client ;");
    EXPECT_EQ(conf.transport().client_id, " my client ");
    EXPECT_TRUE(rejects("ws::addr=h;client_id=   ;", {"'client_id'", "blank"}));
}

TEST(ConfGrammar, KeysAreCaseSensitive) {
    EXPECT_TRUE(rejects("ws::ADDR=h;", {"unknown key 'ADDR'"}));
    EXPECT_TRUE(rejects("ws::addr=h;Compression=raw;", {"unknown key 'Compression'"}));
    // ILP schemes ignore unknown keys, so a wrongly cased addr leaves addr missing.
    EXPECT_TRUE(rejects("http::ADDR=h;", {"missing 'addr'"}));
}

TEST(ConfGrammar, EmptyValues) {
    EXPECT_TRUE(rejects("ws::addr=;", {"addr", "empty entry"}));
    EXPECT_TRUE(rejects("ws::addr=h;username=;password=p;", {"'username'", "empty"}));
    EXPECT_TRUE(rejects("ws::addr=h;compression=;", {"'compression'", "raw|zstd|auto"}));
    EXPECT_TRUE(rejects("ws::addr=h;compression_level=;", {"'compression_level'"}));
    EXPECT_TRUE(rejects("ws::addr=h;sf_dir=;", {"'sf_dir'", "empty"}));
    // zone is the one key where blank means "unset".
    EXPECT_FALSE(Config::parse("ws::addr=h;zone=;").egress().zone.has_value());
    EXPECT_FALSE(Config::parse("ws::addr=h;zone=  ;").egress().zone.has_value());
    // An unknown key with an empty value on an ILP scheme is ignored but remembered.
    EXPECT_EQ(Config::parse("http::addr=h;future_key=;").find("future_key"), "");
}

TEST(ConfGrammar, UnicodeValuesAreKept) {
    const std::string values[] = {
        "caf\xC3\xA9",               // é (2 bytes)
        "\xE5\x8D\x8F\xE5\xAE\x9A",  // 協定 (3 bytes each)
        "\xF0\x9F\x9A\x80 rocket",   // 🚀 (4 bytes)
        "\xC2\xA0nbsp",              // U+00A0, just past the C1 controls
        "\xEF\xBF\xBD",              // U+FFFD
        "\xF4\x8F\xBF\xBF",          // U+10FFFF
    };
    for (const auto& value : values) {
        SCOPED_TRACE(value);
        const auto conf = Config::parse("ws::addr=h;username=" + value + ";password=" + value +
                                        ";client_id=" + value + ";zone=" + value + ";");
        EXPECT_EQ(conf.auth().username, value);
        EXPECT_EQ(conf.auth().password, value);
        EXPECT_EQ(conf.transport().client_id, value);
        EXPECT_EQ(conf.find("client_id"), value);
    }
}

TEST(ConfGrammar, ControlCharactersAreRejected) {
    const std::string bad[] = {
        std::string(1, '\0'), "\x01", "\t", "\n", "\r", "\x1F", "\x7F",
        "\xC2\x80",  // U+0080
        "\xC2\x8A",  // U+008A
        "\xC2\x9F",  // U+009F
    };
    for (const auto& c : bad) {
        SCOPED_TRACE(static_cast<int>(static_cast<unsigned char>(c.back())));
        const std::string conf = "ws::addr=h;client_id=ab" + c + "cd;";
        EXPECT_TRUE(rejects(conf, {"'client_id'", "control character", "position 23"}));
    }
}

TEST(ConfGrammar, InvalidUtf8IsRejected) {
    const std::string bad[] = {
        "\x80",              // lone continuation byte
        "\xC3",              // truncated 2-byte sequence
        "\xC3(",             // bad continuation
        "\xC0\xAF",          // overlong '/'
        "\xE0\x80\xAF",      // overlong
        "\xED\xA0\x80",      // UTF-16 surrogate
        "\xF4\x90\x80\x80",  // above U+10FFFF
        "\xF8\x88\x80\x80\x80",
        "\xFF",
    };
    for (const auto& c : bad) {
        SCOPED_TRACE(c);
        EXPECT_TRUE(rejects("ws::addr=h;client_id=x" + c + "y;", {"'client_id'", "UTF-8"}));
    }
}

TEST(ConfGrammar, VeryLongValuesParse) {
    const std::string mib(1 << 20, 'a');
    const auto conf = Config::parse("ws::addr=h;username=" + mib + ";password=" + mib + ";");
    EXPECT_EQ(conf.auth().username->size(), mib.size());
    EXPECT_EQ(conf.auth().password->size(), mib.size());
    const std::string redacted = conf.to_string();
    EXPECT_LT(redacted.size(), mib.size() + 100);  // The password is not printed.

    // A 1 MiB value full of escapes unescapes to half its length.
    std::string escaped;
    for (int i = 0; i < (1 << 19); ++i) {
        escaped += ";;";
    }
    const auto semis = Config::parse("ws::addr=h;token=x" + escaped + ";");
    EXPECT_EQ(semis.auth().token->size(), (1u << 19) + 1);
}

TEST(ConfGrammar, VeryLongValuesAreNotEchoedInFull) {
    const std::string mib(1 << 20, '7');
    std::string message;
    EXPECT_TRUE(
        rejects("ws::addr=h;compression_level=" + mib + ";", {"'compression_level'"}, &message));
    EXPECT_LT(message.size(), 400u);
    EXPECT_NE(message.find("1048576 bytes"), std::string::npos) << message;
}

TEST(ConfGrammar, VeryLongKeysAreUnknown) {
    const std::string key(1 << 20, 'k');
    std::string message;
    EXPECT_TRUE(rejects("ws::addr=h;" + key + "=1;", {"unknown key"}, &message));
    EXPECT_LT(message.size(), 400u);
    EXPECT_TRUE(parses("http::addr=h;" + key + "=1;"));
}

TEST(ConfGrammar, ManyParameters) {
    std::string conf = "http::addr=h;";
    for (int i = 0; i < 10000; ++i) {
        conf += "custom_" + std::to_string(i) + "=" + std::to_string(i) + ";";
    }
    const auto parsed = Config::parse(conf);
    EXPECT_EQ(parsed.find("custom_9999"), "9999");
}

TEST(ConfGrammar, DuplicateKeysAreRejected) {
    EXPECT_TRUE(
        rejects("ws::addr=h;compression=raw;compression=raw;", {"duplicate key 'compression'"}));
    EXPECT_TRUE(
        rejects("ws::addr=h;username=a;password=b;username=a;", {"duplicate key 'username'"}));
    EXPECT_TRUE(rejects("http::addr=h;custom=1;custom=2;", {"duplicate key 'custom'"}));
    EXPECT_TRUE(rejects("tcp::addr=h;protocol_version=1;protocol_version=2;",
                        {"duplicate key 'protocol_version'"}));
}

TEST(ConfGrammar, UnknownKeysOnWebSocketAreErrors) {
    EXPECT_TRUE(rejects("ws::addr=h;bogus=1;", {"unknown key 'bogus'", "scheme ws"}));
    EXPECT_TRUE(rejects("wss::addr=h;sf_dirr=/x;", {"unknown key 'sf_dirr'", "scheme wss"}));
}

TEST(ConfGrammar, UnknownKeysOnIlpAreIgnoredButFindable) {
    for (const char* scheme : {"http", "https", "tcp", "tcps"}) {
        SCOPED_TRACE(scheme);
        const auto conf = Config::parse(std::string(scheme) + "::addr=h;some_future_key=v;");
        EXPECT_EQ(conf.find("some_future_key"), "v");
        EXPECT_TRUE(conf.contains("some_future_key"));
        EXPECT_EQ(conf.to_string().find("some_future_key"), std::string::npos);
    }
}

TEST(ConfGrammar, FindReturnsRawValuesAsSpelled) {
    const auto conf = Config::parse("ws::addr=a;addr=b:1;user=me;pass=pw;sf_max_total_bytes=1G;");
    EXPECT_EQ(conf.find("addr"), "a");
    EXPECT_EQ(conf.find_all("addr"), (std::vector<std::string_view>{"a", "b:1"}));
    EXPECT_EQ(conf.find("user"), "me");
    EXPECT_FALSE(conf.find("username").has_value());
    EXPECT_EQ(conf.find("sf_max_total_bytes"), "1G");
    EXPECT_EQ(conf.store_and_forward().max_total_bytes, std::uint64_t{1} << 30);
    EXPECT_FALSE(conf.contains("compression"));
    EXPECT_TRUE(conf.find_all("compression").empty());
}

TEST(ConfGrammar, CopiesShareStateAndOutliveTheOriginal) {
    std::optional<Config> copy;
    std::string_view view;
    {
        const auto conf = Config::parse("ws::addr=h;client_id=abc;");
        copy = conf;
        view = *copy->find("client_id");
    }
    EXPECT_EQ(view, "abc");
    EXPECT_EQ(copy->transport().client_id, "abc");
}

}  // namespace

namespace {

// Random strings over the characters that matter to the grammar: parsing either succeeds
// or raises config_error (never anything else, never a crash), and whatever parses prints
// a form that parses to the same form.
TEST(ConfGrammar, RandomInputsEitherParseOrRaiseConfigError) {
    const std::string pieces[] = {
        "ws::",       "wss::",     "http::",     "tcp::",
        "addr=",      "addr=h",    "h:9000",     ",",
        ";",          ";;",        "=",          ":",
        "[",          "]",         "::1",        " ",
        "\x01",       "\xC3\xA9",  "\xC3",       "password=",
        "username=u", "token=",    "pool_size=", "sender_pool_min=",
        "1",          "0",         "-1",         "65536",
        "k",          "off",       "on",         "compression=",
        "zstd",       "sf_dir=/d", "sender_id=", "tls_roots=",
        "zone=",      "bogus=",
    };
    std::uint64_t state = 0x9E3779B97F4A7C15ULL;
    auto next = [&state] {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    };
    const char* schemes[] = {"ws", "wss", "http", "https", "tcp", "tcps", "qwpws"};
    const char* hosts[] = {"h", "h:1", "[::1]", "a,b:2", "x.example:9000", "", "h,h"};
    const char* keys[] = {"compression",
                          "zone",
                          "client_id",
                          "pool_max",
                          "pool_size",
                          "auto_flush_rows",
                          "init_buf_size",
                          "username",
                          "token",
                          "tls_verify",
                          "protocol_version",
                          "custom",
                          "sf_max_total_bytes",
                          "initial_connect_retry",
                          "failover",
                          "target"};
    const char* values[] = {"1", "2",   "64k",      "off",  "on",      "zstd",       "any", "a;;b",
                            "",  "x y", "\xC3\xA9", "sync", "primary", "unsafe_off", "-1",  "4m"};
    int parsed = 0;
    for (int round = 0; round < 20000; ++round) {
        std::string input;
        if (next() % 2 == 0) {
            // Structured: mostly well-formed, so the success paths are exercised.
            input = std::string(schemes[next() % std::size(schemes)]) +
                    "::addr=" + hosts[next() % std::size(hosts)] + ";";
            const auto params = next() % 4;
            for (std::uint64_t i = 0; i < params; ++i) {
                input += std::string(keys[next() % std::size(keys)]) + "=" +
                         values[next() % std::size(values)] + ";";
            }
        } else {
            const auto count = 1 + next() % 12;
            for (std::uint64_t i = 0; i < count; ++i) {
                input += pieces[next() % std::size(pieces)];
            }
        }
        try {
            const auto conf = Config::parse(input);
            const std::string printed = conf.to_string();
            const auto again = Config::parse(printed);
            ASSERT_EQ(again.to_string(), printed) << "input: " << input;
            ASSERT_EQ(again.endpoints(), conf.endpoints()) << "input: " << input;
            ++parsed;
        } catch (const questdb::Error& e) {
            ASSERT_EQ(e.error_code(), questdb::ErrorCode::config_error) << input;
            ASSERT_NE(std::string_view(e.what()), "") << input;
        }
    }
    EXPECT_GT(parsed, 1000);  // The generator must reach the success paths too.
}

}  // namespace

namespace {

TEST(ConfGrammar, MovedFromConfigStaysValid) {
    auto a = Config::parse("ws::addr=h:1;client_id=x;");
    const Config b = std::move(a);
    EXPECT_EQ(b.endpoints()[0].port, 1);
    EXPECT_EQ(a.endpoints()[0].port, 1);  // NOLINT(bugprone-use-after-move): by design
    Config c = Config::parse("tcp::addr=t;");
    c = std::move(a);
    EXPECT_EQ(c.scheme(), Scheme::ws);
}

}  // namespace
