// docs/CONFIGURATION.md carries a key table generated from the catalogue; this test keeps
// the two identical. Run with QUESTDB_UPDATE_DOCS=1 to rewrite the table after changing
// src/conf/key_table.cpp.

#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include "conf/conf_test_util.hpp"

namespace {

using questdb::conf::KeyInfo;
using questdb::conf::ValueType;

constexpr std::string_view kBegin = "<!-- BEGIN GENERATED KEY TABLE (tests/conf/docs_test.cpp) -->";
constexpr std::string_view kEnd = "<!-- END GENERATED KEY TABLE -->";
constexpr std::int64_t kNoMax = std::numeric_limits<std::int64_t>::max();

std::string type_name(ValueType t) {
    switch (t) {
        case ValueType::text:
            return "string";
        case ValueType::path:
            return "path";
        case ValueType::choice:
            return "enum";
        case ValueType::integer:
            return "int";
        case ValueType::milliseconds:
            return "int (ms)";
        case ValueType::bytes:
            return "size";
        case ValueType::integer_or_off:
            return "int / `off`";
        case ValueType::milliseconds_or_off:
            return "int (ms) / `off`";
        case ValueType::bytes_or_off:
            return "size / `off`";
        case ValueType::address_list:
            return "`host[:port]` list";
    }
    return "?";
}

std::string accepted(const KeyInfo& k) {
    switch (k.type) {
        case ValueType::choice: {
            std::string out;
            std::string_view rest = k.choices;
            while (!rest.empty()) {
                const auto bar = rest.find('|');
                out += (out.empty() ? "`" : ", `") + std::string(rest.substr(0, bar)) + "`";
                rest = bar == std::string_view::npos ? std::string_view{} : rest.substr(bar + 1);
            }
            return out;
        }
        case ValueType::text:
        case ValueType::path: {
            std::string out = k.min > 0 ? "non-blank" : "any (blank = unset)";
            if (k.max > 0) {
                out += ", at most " + std::to_string(k.max) + " bytes";
            }
            if (k.name == "sender_id") {
                out += ", `[A-Za-z0-9_-]`";
            }
            return out;
        }
        case ValueType::address_list:
            return "`,`-separated; key may repeat";
        default:
            return k.max == kNoMax ? ">= " + std::to_string(k.min)
                                   : std::to_string(k.min) + " .. " + std::to_string(k.max);
    }
}

std::string schemes_text(const KeyInfo& k) {
    if (k.schemes.empty()) {
        return "none (udp only)";
    }
    std::string out;
    for (auto s :
         {questdb::conf::Scheme::ws, questdb::conf::Scheme::wss, questdb::conf::Scheme::http,
          questdb::conf::Scheme::https, questdb::conf::Scheme::tcp, questdb::conf::Scheme::tcps}) {
        if (k.schemes.contains(s)) {
            out += (out.empty() ? "" : ", ") + std::string(questdb::conf::to_string(s));
        }
    }
    return out;
}

std::string cell(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '|') {
            out += "\\|";
        } else {
            out += c;
        }
    }
    return out;
}

std::string render_table() {
    std::ostringstream out;
    out << kBegin << "\n\n";
    out << "| Key | Type | Default | Accepted | Schemes | Notes | Meaning |\n";
    out << "| --- | --- | --- | --- | --- | --- | --- |\n";
    for (const auto& k : questdb::conf::known_keys()) {
        std::string notes;
        if (k.secret) {
            notes += "secret";
        }
        if (!k.same_as.empty()) {
            notes += (notes.empty() ? "" : "; ") + std::string("same setting as ");
            std::string_view rest = k.same_as;
            bool first = true;
            while (!rest.empty()) {
                const auto comma = rest.find(',');
                std::string_view other = rest.substr(0, comma);
                while (!other.empty() && other.front() == ' ') {
                    other.remove_prefix(1);
                }
                notes += (first ? "`" : ", `") + std::string(other) + "`";
                first = false;
                rest =
                    comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
            }
        }
        out << "| `" << k.name << "` | " << cell(type_name(k.type)) << " | " << cell(k.default_text)
            << " | " << cell(accepted(k)) << " | " << schemes_text(k) << " | "
            << (notes.empty() ? "" : notes) << " | " << cell(k.summary) << " |\n";
    }
    out << "\n" << kEnd;
    return out.str();
}

std::string docs_path() {
    return std::string(QUESTDB_SOURCE_DIR) + "/docs/CONFIGURATION.md";
}

TEST(ConfDocs, KeyTableMatchesTheCatalogue) {
    std::ifstream in(docs_path());
    ASSERT_TRUE(in) << "cannot read " << docs_path();
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string doc = buffer.str();
    const auto begin = doc.find(kBegin);
    const auto end = doc.find(kEnd);
    ASSERT_NE(begin, std::string::npos) << "marker missing in " << docs_path();
    ASSERT_NE(end, std::string::npos) << "marker missing in " << docs_path();
    const std::string current = doc.substr(begin, end + kEnd.size() - begin);
    const std::string expected = render_table();
    if (current != expected && std::getenv("QUESTDB_UPDATE_DOCS") != nullptr) {
        doc.replace(begin, current.size(), expected);
        std::ofstream(docs_path()) << doc;
        GTEST_SKIP() << "rewrote the key table of " << docs_path();
    }
    EXPECT_EQ(current, expected) << "docs/CONFIGURATION.md is out of date; run conf_test with "
                                    "QUESTDB_UPDATE_DOCS=1 to regenerate its key table";
}

TEST(ConfDocs, EveryKeyHasAMeaningAndDefault) {
    for (const auto& k : questdb::conf::known_keys()) {
        EXPECT_GT(k.summary.size(), 10u) << k.name;
        EXPECT_FALSE(k.default_text.empty()) << k.name;
    }
}

}  // namespace
