#pragma once

// Access to ../shared/testdata: the byte-exact fixtures written by the official clients.
// A missing fixture fails the test loudly; it is never skipped.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace questdb::test {

inline std::filesystem::path testdata_path(const std::string& relative) {
    return std::filesystem::path(QUESTDB_TESTDATA_DIR) / relative;
}

inline std::string read_text_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot open fixture " + path.string());
    }
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

/// Decodes a hex string, ignoring whitespace.
inline std::vector<std::uint8_t> from_hex(const std::string& text) {
    std::vector<std::uint8_t> bytes;
    int high = -1;
    for (char c : text) {
        int v;
        if (c >= '0' && c <= '9') v = c - '0';
        else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
        else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
        else throw std::runtime_error(std::string("bad hex character '") + c + "'");
        if (high < 0) {
            high = v;
        } else {
            bytes.push_back(static_cast<std::uint8_t>(high << 4 | v));
            high = -1;
        }
    }
    if (high >= 0) throw std::runtime_error("odd number of hex digits");
    return bytes;
}

inline std::string to_hex(const std::uint8_t* data, std::size_t size) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (std::size_t i = 0; i < size; ++i) {
        out.push_back(kDigits[data[i] >> 4]);
        out.push_back(kDigits[data[i] & 0xF]);
    }
    return out;
}

inline std::vector<std::uint8_t> load_hex_fixture(const std::string& relative) {
    return from_hex(read_text_file(testdata_path(relative)));
}

}  // namespace questdb::test
