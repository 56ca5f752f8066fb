#pragma once

// Runs the cross-client ILP interop suite (shared/testdata/ilp/ilp-client-interop-test.json)
// against any row writer. A writer adapter supplies the setters; the runner applies each
// case under every protocol version the case allows and checks the exact bytes.

#include <boost/json.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "support/fixtures.hpp"

namespace questdb::test::ilp_interop {

inline std::string decode_base64(std::string_view text) {
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z')
            return c - 'A';
        if (c >= 'a' && c <= 'z')
            return c - 'a' + 26;
        if (c >= '0' && c <= '9')
            return c - '0' + 52;
        if (c == '+')
            return 62;
        if (c == '/')
            return 63;
        return -1;
    };
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
        const int v = value(c);
        if (v < 0) {
            continue;  // padding
        }
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xFF));
        }
    }
    return out;
}

struct Column {
    std::string type;  // STRING, LONG, DOUBLE, BOOLEAN, DECIMAL
    std::string name;
    boost::json::value value;
};

struct Case {
    std::string name;
    int minimum_version = 1;
    std::string table;
    std::vector<std::pair<std::string, std::string>> symbols;
    std::vector<Column> columns;
    bool success = false;
    std::vector<std::string> text_lines;  // `line` or `anyLines`, each with '\n' appended
    std::optional<std::string> binary;    // decoded `binaryBase64`
};

inline std::vector<Case> load_cases() {
    const auto text = read_text_file(testdata_path("ilp/ilp-client-interop-test.json"));
    const auto doc = boost::json::parse(text);
    std::vector<Case> cases;
    for (const auto& item : doc.as_array()) {
        const auto& obj = item.as_object();
        Case c;
        c.name = std::string(obj.at("testName").as_string());
        if (const auto* v = obj.if_contains("minimumProtocolVersion")) {
            c.minimum_version = static_cast<int>(v->to_number<std::int64_t>());
        }
        c.table = std::string(obj.at("table").as_string());
        for (const auto& s : obj.at("symbols").as_array()) {
            c.symbols.emplace_back(std::string(s.at("name").as_string()),
                                   std::string(s.at("value").as_string()));
        }
        for (const auto& col : obj.at("columns").as_array()) {
            c.columns.push_back(Column{std::string(col.at("type").as_string()),
                                       std::string(col.at("name").as_string()), col.at("value")});
        }
        const auto& result = obj.at("result").as_object();
        c.success = result.at("status").as_string() == "SUCCESS";
        if (const auto* line = result.if_contains("line")) {
            c.text_lines.push_back(std::string(line->as_string()) + "\n");
        }
        if (const auto* any = result.if_contains("anyLines")) {
            for (const auto& l : any->as_array()) {
                c.text_lines.push_back(std::string(l.as_string()) + "\n");
            }
        }
        if (const auto* b64 = result.if_contains("binaryBase64")) {
            c.binary = decode_base64(b64->as_string());
        }
        cases.push_back(std::move(c));
    }
    return cases;
}

}  // namespace questdb::test::ilp_interop
