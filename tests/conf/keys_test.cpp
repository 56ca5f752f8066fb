// Catalogue-driven tests: every key of known_keys() is tried with valid and invalid values
// on every scheme, so a key added to the table is covered without touching this file.

#include <array>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "conf/conf_test_util.hpp"

namespace {

using questdb::conf::Config;
using questdb::conf::KeyInfo;
using questdb::conf::Scheme;
using questdb::conf::ValueType;
using questdb::conf::test::error_of;
using questdb::conf::test::parses;
using questdb::conf::test::rejects;

constexpr std::array kSchemes{Scheme::ws,    Scheme::wss, Scheme::http,
                              Scheme::https, Scheme::tcp, Scheme::tcps};
constexpr std::int64_t kNoMax = std::numeric_limits<std::int64_t>::max();

std::string scheme_name(Scheme s) {
    return std::string(questdb::conf::to_string(s));
}

/// Other keys a key needs to be valid on its own (credentials come in pairs, sf_* keys
/// need sf_dir, ...). Chosen so that every in-range value of `key` is accepted.
std::string context_for(const KeyInfo& info, Scheme scheme, const std::string& value) {
    const std::string key(info.name);
    const bool tcp = questdb::conf::is_ilp_tcp(scheme);
    if (key == "username" || key == "user") {
        return tcp ? "token=d;token_x=x;token_y=y;" : "password=p;";
    }
    if (key == "password" || key == "pass") {
        return "username=u;";
    }
    if (key == "token" && tcp) {
        return "username=u;token_x=x;token_y=y;";
    }
    if (key == "token_x") {
        return "username=u;token=d;token_y=y;";
    }
    if (key == "token_y") {
        return "username=u;token=d;token_x=x;";
    }
    if (key == "tls_roots_password" ||
        (key == "tls_ca" && (value == "pem_file" || value == "PEM_FILE"))) {
        return "tls_roots=/etc/roots.pem;";
    }
    if (key == "sender_id" || key == "sf_durability" || key == "drain_orphans" ||
        key == "max_background_drainers") {
        return "sf_dir=/tmp/qdb-sf;";
    }
    if (key == "sf_sync_interval_millis") {
        return "sf_dir=/tmp/qdb-sf;sf_durability=periodic;";
    }
    if (key == "sf_max_total_bytes") {
        return "sf_max_segment_bytes=1;";
    }
    if (key == "init_buf_size") {
        return "max_buf_size=9223372036854775807;";
    }
    if (key == "max_buf_size") {
        return "init_buf_size=1024;";
    }
    if (key == "reconnect_initial_backoff_millis") {
        return "reconnect_max_backoff_millis=31536000000;";
    }
    if (key == "reconnect_max_backoff_millis") {
        return "reconnect_initial_backoff_millis=1;";
    }
    if (key == "failover_backoff_initial_ms") {
        return "failover_backoff_max_ms=3600000;";
    }
    if (key == "failover_backoff_max_ms") {
        return "failover_backoff_initial_ms=0;";
    }
    if (key == "sender_pool_min") {
        return "sender_pool_max=65536;";
    }
    if (key == "query_pool_min") {
        return "query_pool_max=65536;";
    }
    if (key == "pool_size") {
        return "sender_pool_max=65536;query_pool_max=65536;";
    }
    return "";
}

std::vector<std::string> choice_words(const KeyInfo& info) {
    std::vector<std::string> words;
    std::string_view rest = info.choices;
    while (!rest.empty()) {
        const auto bar = rest.find('|');
        words.emplace_back(rest.substr(0, bar));
        rest = bar == std::string_view::npos ? std::string_view{} : rest.substr(bar + 1);
    }
    return words;
}

std::string upper(std::string s) {
    for (char& c : s) {
        if (c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 'a' + 'A');
        }
    }
    return s;
}

bool is_size(ValueType t) {
    return t == ValueType::bytes || t == ValueType::bytes_or_off;
}
bool takes_off(ValueType t) {
    return t == ValueType::integer_or_off || t == ValueType::milliseconds_or_off ||
           t == ValueType::bytes_or_off;
}
bool is_number(ValueType t) {
    return t == ValueType::integer || t == ValueType::milliseconds || is_size(t) || takes_off(t);
}

std::vector<std::string> valid_values(const KeyInfo& info) {
    std::vector<std::string> out;
    switch (info.type) {
        case ValueType::choice:
            for (const auto& word : choice_words(info)) {
                out.push_back(word);
                out.push_back(upper(word));
            }
            break;
        case ValueType::text:
            out.push_back("value-1_A");
            out.push_back("v");
            if (info.name != "sender_id") {
                out.push_back("with space");
                out.push_back("caf\xC3\xA9 \xE5\x8D\x8F");
                out.push_back("a;b=c");
            }
            if (info.max > 0) {
                out.push_back(std::string(static_cast<std::size_t>(info.max), 'x'));
            }
            break;
        case ValueType::path:
            out = {"/var/lib/qdb", "relative/dir", "C:\\data\\qdb", "/with space/\xC3\xA9"};
            break;
        case ValueType::address_list:
            break;
        default:
            out.push_back(std::to_string(info.min));
            if (info.max != kNoMax) {
                out.push_back(std::to_string(info.max));
            } else {
                out.push_back("1234567");
            }
            if (info.min <= 1 && info.max >= 2) {
                out.push_back("2");
            }
            if (takes_off(info.type)) {
                out.push_back("off");
                out.push_back("OFF");
            }
            if (is_size(info.type)) {
                for (const char* s :
                     {"64k", "64K", "64kb", "4m", "4MB", "1g", "1Gb", "1t", "2TB"}) {
                    out.push_back(s);
                }
            }
            break;
    }
    return out;
}

std::vector<std::string> invalid_values(const KeyInfo& info) {
    std::vector<std::string> out;
    switch (info.type) {
        case ValueType::choice:
            out = {"", "bogus", " " + choice_words(info).front(), choice_words(info).front() + " "};
            break;
        case ValueType::text:
            if (info.min > 0) {
                out = {"", " ", "     "};
            }
            if (info.max > 0) {
                out.push_back(std::string(static_cast<std::size_t>(info.max) + 1, 'x'));
            }
            if (info.name == "sender_id") {
                for (const char* s : {"a.b", "a/b", "a b", "..", "caf\xC3\xA9", "a;b"}) {
                    out.push_back(s);
                }
            }
            break;
        case ValueType::path:
            out = {"", " "};
            break;
        case ValueType::address_list:
            break;
        default:
            out = {"", "abc", "1.5", "+1", " 1", "1 ", "0x10", "1e3", "99999999999999999999", "-"};
            if (info.min > std::numeric_limits<std::int64_t>::min()) {
                out.push_back(std::to_string(info.min - 1));
            }
            if (info.max != kNoMax) {
                out.push_back(std::to_string(info.max + 1));
            }
            if (!takes_off(info.type)) {
                out.push_back("off");
            } else {
                out.push_back("of");
            }
            if (is_size(info.type)) {
                for (const char* s : {"k", "1q", "1kbb", "1 k", "1b", "1kib", "8388608t"}) {
                    out.push_back(s);
                }
            } else {
                out.push_back("10k");
            }
            break;
    }
    return out;
}

std::string conf_for(Scheme scheme, const KeyInfo& info, const std::string& value) {
    return scheme_name(scheme) + "::addr=db.example.com;" + context_for(info, scheme, value) +
           std::string(info.name) + "=" + value + ";";
}

/// Escapes ';' as the grammar demands.
std::string esc(const std::string& value) {
    std::string out;
    for (char c : value) {
        out += c;
        if (c == ';') {
            out += ';';
        }
    }
    return out;
}

TEST(ConfKeys, CatalogueIsWellFormed) {
    std::set<std::string_view> names;
    for (const auto& info : questdb::conf::known_keys()) {
        SCOPED_TRACE(info.name);
        EXPECT_TRUE(names.insert(info.name).second) << "duplicate catalogue entry";
        EXPECT_FALSE(info.summary.empty());
        EXPECT_FALSE(info.default_text.empty());
        for (char c : info.name) {
            EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
        }
        if (info.type == ValueType::choice) {
            EXPECT_FALSE(info.choices.empty());
        }
        if (is_number(info.type)) {
            EXPECT_LE(info.min, info.max);
        }
        EXPECT_EQ(questdb::conf::find_key(info.name), &info);
    }
    EXPECT_EQ(questdb::conf::find_key("no_such_key"), nullptr);
    EXPECT_GE(names.size(), 80u);
}

TEST(ConfKeys, SameAsListsAreSymmetric) {
    for (const auto& info : questdb::conf::known_keys()) {
        std::string_view rest = info.same_as;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            std::string_view other = rest.substr(0, comma);
            while (!other.empty() && other.front() == ' ') {
                other.remove_prefix(1);
            }
            const KeyInfo* peer = questdb::conf::find_key(other);
            ASSERT_NE(peer, nullptr) << info.name << " names unknown " << other;
            EXPECT_NE(peer->same_as.find(info.name), std::string_view::npos)
                << other << " does not name " << info.name << " back";
            EXPECT_EQ(peer->schemes, info.schemes);
            EXPECT_EQ(peer->secret, info.secret);
            rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        }
    }
}

TEST(ConfKeys, EveryReferenceKeyIsKnown) {
    // The key index of the connect-string reference, plus the ILP keys and this library's
    // pool spellings.
    const char* reference[] = {
        "acquire_timeout_ms",
        "addr",
        "auth_timeout_ms",
        "auto_flush",
        "auto_flush_bytes",
        "auto_flush_interval",
        "auto_flush_rows",
        "buffer_pool_size",
        "catch_up_cap_gap_min_escalation_window_millis",
        "client_id",
        "close_flush_timeout_millis",
        "compression",
        "compression_level",
        "connect_timeout",
        "connection_listener_inbox_capacity",
        "drain_orphans",
        "durable_ack_keepalive_interval_millis",
        "error_inbox_capacity",
        "failover",
        "failover_backoff_initial_ms",
        "failover_backoff_max_ms",
        "failover_max_attempts",
        "failover_max_duration_ms",
        "init_buf_size",
        "initial_connect_retry",
        "initial_credit",
        "housekeeper_interval_ms",
        "idle_timeout_ms",
        "lazy_connect",
        "max_background_drainers",
        "max_batch_rows",
        "max_lifetime_ms",
        "max_buf_size",
        "max_datagram_size",
        "max_name_len",
        "max_frame_rejections",
        "on_internal_error",
        "on_parse_error",
        "on_schema_error",
        "on_security_error",
        "on_server_error",
        "on_write_error",
        "pass",
        "password",
        "poison_min_escalation_window_millis",
        "query_close_timeout_ms",
        "query_pool_max",
        "query_pool_min",
        "reconnect_initial_backoff_millis",
        "reconnect_max_backoff_millis",
        "reconnect_max_duration_millis",
        "request_durable_ack",
        "sender_id",
        "sender_pool_max",
        "sender_pool_min",
        "sf_append_deadline_millis",
        "sf_dir",
        "sf_durability",
        "sf_max_segment_bytes",
        "sf_max_total_bytes",
        "sf_sync_interval_millis",
        "target",
        "tls_roots",
        "tls_roots_password",
        "tls_verify",
        "token",
        "transaction",
        "user",
        "username",
        "zone",
        // ILP
        "protocol_version",
        "request_min_throughput",
        "request_timeout",
        "retry_timeout",
        "auth_timeout",
        "token_x",
        "token_y",
        "tls_ca",
        "bind_interface",
        // this library's pool spellings
        "pool_size",
        "pool_max",
        "pool_idle_timeout_ms",
        "pool_reap",
    };
    for (const char* key : reference) {
        EXPECT_NE(questdb::conf::find_key(key), nullptr) << key;
    }
}

TEST(ConfKeys, SecretKeysAreExactlyTheCredentials) {
    std::set<std::string_view> secrets;
    for (const auto& info : questdb::conf::known_keys()) {
        if (info.secret) {
            secrets.insert(info.name);
        }
    }
    EXPECT_EQ(secrets, (std::set<std::string_view>{"password", "pass", "token", "token_x",
                                                   "token_y", "tls_roots_password"}));
}

TEST(ConfKeys, EveryValidValueParsesOnEveryApplicableScheme) {
    int checked = 0;
    for (const auto& info : questdb::conf::known_keys()) {
        for (Scheme scheme : kSchemes) {
            if (!info.schemes.contains(scheme)) {
                continue;
            }
            for (const auto& value : valid_values(info)) {
                const std::string conf = conf_for(scheme, info, esc(value));
                EXPECT_TRUE(parses(conf)) << "key " << info.name;
                ++checked;
            }
        }
    }
    EXPECT_GT(checked, 1000);
}

TEST(ConfKeys, ValidValuesAreStoredVerbatimForFind) {
    for (const auto& info : questdb::conf::known_keys()) {
        for (Scheme scheme : kSchemes) {
            if (!info.schemes.contains(scheme)) {
                continue;
            }
            for (const auto& value : valid_values(info)) {
                const auto conf = Config::parse(conf_for(scheme, info, esc(value)));
                EXPECT_EQ(conf.find(info.name), value) << info.name;
            }
        }
    }
}

TEST(ConfKeys, EveryInvalidValueIsRejectedNamingTheKey) {
    int checked = 0;
    for (const auto& info : questdb::conf::known_keys()) {
        for (Scheme scheme : kSchemes) {
            if (!info.schemes.contains(scheme)) {
                continue;
            }
            for (const auto& value : invalid_values(info)) {
                const std::string conf = conf_for(scheme, info, esc(value));
                std::string message;
                ASSERT_TRUE(rejects(conf, {info.name}, &message)) << "key " << info.name;
                const bool echoable = !info.secret && !value.empty() && value.size() <= 64 &&
                                      value.find_first_not_of(" \t") != std::string::npos &&
                                      info.name != "sender_id" && info.type != ValueType::text;
                if (echoable) {
                    EXPECT_NE(message.find("'" + value + "'"), std::string::npos)
                        << "message does not show the value: " << message;
                }
                ++checked;
            }
        }
    }
    EXPECT_GT(checked, 1000);
}

TEST(ConfKeys, KeysOutsideTheirSchemesAreRejectedNamingKeyAndScheme) {
    int checked = 0;
    for (const auto& info : questdb::conf::known_keys()) {
        for (Scheme scheme : kSchemes) {
            if (info.schemes.contains(scheme)) {
                continue;
            }
            const auto values = valid_values(info);
            const std::string value = values.empty() ? "1" : values.front();
            const std::string conf =
                scheme_name(scheme) + "::addr=h;" + std::string(info.name) + "=" + esc(value) + ";";
            EXPECT_TRUE(rejects(conf, {"'" + std::string(info.name) + "'",
                                       "not valid for scheme " + scheme_name(scheme)}));
            ++checked;
        }
    }
    EXPECT_GT(checked, 200);
}

TEST(ConfKeys, TlsKeysNeedATlsScheme) {
    for (const char* key : {"tls_verify=on", "tls_ca=os_roots", "tls_roots=/r.pem"}) {
        for (const char* scheme : {"ws", "http", "tcp"}) {
            SCOPED_TRACE(std::string(scheme) + " " + key);
            EXPECT_TRUE(rejects(std::string(scheme) + "::addr=h;" + key + ";",
                                {"not valid for scheme", "wss, https, tcps"}));
        }
        for (const char* scheme : {"wss", "https", "tcps"}) {
            EXPECT_TRUE(parses(std::string(scheme) + "::addr=h;" + key + ";"));
        }
    }
}

TEST(ConfKeys, UdpOnlyKeysAreRejectedEverywhere) {
    for (Scheme scheme : kSchemes) {
        EXPECT_TRUE(rejects(scheme_name(scheme) + "::addr=h;max_datagram_size=1400;",
                            {"'max_datagram_size'", "udp"}));
        EXPECT_TRUE(
            rejects(scheme_name(scheme) + "::addr=h;multicast_ttl=1;", {"'multicast_ttl'", "udp"}));
    }
}

TEST(ConfKeys, EveryKeyRejectsADuplicate) {
    for (const auto& info : questdb::conf::known_keys()) {
        if (info.name == "addr") {
            continue;
        }
        for (Scheme scheme : kSchemes) {
            if (!info.schemes.contains(scheme)) {
                continue;
            }
            const std::string value = esc(valid_values(info).front());
            const std::string conf =
                conf_for(scheme, info, value) + std::string(info.name) + "=" + value + ";";
            EXPECT_TRUE(rejects(conf, {"duplicate key '" + std::string(info.name) + "'"}));
        }
    }
}

}  // namespace
