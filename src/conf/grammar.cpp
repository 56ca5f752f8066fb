#include "conf/grammar.hpp"

#include <cstdint>

namespace questdb::conf::detail {
namespace {

bool is_identifier_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/// Length of the well-formed UTF-8 sequence at `s[pos]`, and its code point; 0 when the
/// bytes are not well-formed (overlong, surrogate, out of range, truncated).
std::size_t decode_utf8(std::string_view s, std::size_t pos, std::uint32_t& cp) noexcept {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    const unsigned char b0 = byte(pos);
    if (b0 < 0x80) {
        cp = b0;
        return 1;
    }
    std::size_t len = 0;
    std::uint32_t min = 0;
    if ((b0 & 0xE0) == 0xC0) {
        len = 2;
        cp = b0 & 0x1F;
        min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
        len = 3;
        cp = b0 & 0x0F;
        min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
        len = 4;
        cp = b0 & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (pos + len > s.size()) {
        return 0;
    }
    for (std::size_t i = 1; i < len; ++i) {
        const unsigned char b = byte(pos + i);
        if ((b & 0xC0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return 0;
    }
    return len;
}

bool is_control(std::uint32_t cp) noexcept {
    return cp <= 0x1F || (cp >= 0x7F && cp <= 0x9F);
}

std::string hex_code_point(std::uint32_t cp) {
    static constexpr char kDigits[] = "0123456789ABCDEF";
    std::string out = "U+";
    for (int shift = 12; shift >= 0; shift -= 4) {
        out += kDigits[(cp >> shift) & 0xF];
    }
    return out;
}

std::string at(std::size_t pos) {
    return " at position " + std::to_string(pos);
}

class Tokenizer {
  public:
    Tokenizer(std::string_view input, bool (*is_secret)(std::string_view))
        : in_(input), is_secret_(is_secret) {}

    Result<RawConf> run() {
        RawConf out;
        if (in_.empty()) {
            return config_error(
                "connect string is empty; expected e.g. 'ws::addr=localhost:9000;'");
        }
        const std::size_t scheme_end = scan_identifier(0);
        if (scheme_end == 0) {
            return config_error("connect string must start with a scheme such as 'ws::'" + at(0));
        }
        out.scheme = in_.substr(0, scheme_end);
        pos_ = scheme_end;
        if (pos_ == in_.size()) {
            return out;  // A bare scheme is grammatical; the missing addr is reported later.
        }
        if (in_.compare(pos_, 2, "::") != 0) {
            return config_error("expected '::' after the scheme '" + std::string(out.scheme) + "'" +
                                at(pos_));
        }
        pos_ += 2;
        while (pos_ < in_.size()) {
            auto param = next_param(out.params);
            if (!param) {
                return std::move(param).failure();
            }
            out.params.push_back(std::move(param).value());
        }
        return out;
    }

  private:
    std::size_t scan_identifier(std::size_t from) const noexcept {
        std::size_t end = from;
        while (end < in_.size() && is_identifier_char(in_[end])) {
            ++end;
        }
        return end;
    }

    /// A malformed parameter right after a secret is most likely the rest of that secret
    /// (an undoubled ';'), so its text must not be echoed.
    bool follows_secret(const std::vector<RawParam>& done) const {
        return !done.empty() && is_secret_(done.back().key);
    }

    std::string where(const std::vector<RawParam>& done, std::size_t pos) const {
        std::string out = at(pos);
        if (!done.empty()) {
            out += " (after key '" + std::string(done.back().key) + "'";
            if (follows_secret(done)) {
                out += "; text hidden because it may be part of that secret";
            }
            out += "; a ';' inside a value must be written ';;')";
        }
        return out;
    }

    Result<RawParam> next_param(const std::vector<RawParam>& done) {
        const std::size_t key_start = pos_;
        const std::size_t key_end = scan_identifier(key_start);
        if (key_end == key_start) {
            if (in_[key_start] == ';') {
                return config_error("empty parameter (stray ';')" + where(done, key_start));
            }
            if (in_[key_start] == '=') {
                return config_error("missing key before '='" + where(done, key_start));
            }
            return config_error("a key must consist of ASCII letters, digits and '_'" +
                                where(done, key_start));
        }
        const std::string_view key = in_.substr(key_start, key_end - key_start);
        const std::string shown_key = follows_secret(done) ? "" : " '" + std::string(key) + "'";
        if (key_end == in_.size()) {
            return config_error("key" + shown_key + " has no '=value'" + where(done, key_start));
        }
        if (in_[key_end] != '=') {
            if (in_[key_end] == ';') {
                return config_error("key" + shown_key + " has no '=value'" +
                                    where(done, key_start));
            }
            return config_error("invalid character in key" + shown_key +
                                " (keys consist of ASCII letters, digits and '_')" +
                                where(done, key_end));
        }
        pos_ = key_end + 1;
        RawParam param{key, {}, key_start};
        auto status =
            scan_value(follows_secret(done) ? "key after a secret" : "'" + std::string(key) + "'",
                       param.value);
        if (!status) {
            return std::move(status).failure();
        }
        return param;
    }

    Status scan_value(const std::string& shown_key, std::string& value) {
        std::size_t run_start = pos_;  // Copy unescaped runs in bulk.
        while (pos_ < in_.size()) {
            const char c = in_[pos_];
            if (c == ';') {
                value.append(in_, run_start, pos_ - run_start);
                if (pos_ + 1 < in_.size() && in_[pos_ + 1] == ';') {
                    value += ';';
                    pos_ += 2;
                    run_start = pos_;
                    continue;
                }
                ++pos_;
                return {};
            }
            std::uint32_t cp = 0;
            const std::size_t len = decode_utf8(in_, pos_, cp);
            if (len == 0) {
                return config_error("value of " + shown_key + " is not valid UTF-8" + at(pos_));
            }
            if (is_control(cp)) {
                return config_error("value of " + shown_key + " contains the control character " +
                                    hex_code_point(cp) + at(pos_));
            }
            pos_ += len;
        }
        value.append(in_, run_start, pos_ - run_start);
        return {};
    }

    std::string_view in_;
    bool (*is_secret_)(std::string_view);
    std::size_t pos_ = 0;
};

}  // namespace

Result<RawConf> tokenize(std::string_view input, bool (*is_secret)(std::string_view key)) {
    return Tokenizer(input, is_secret).run();
}

std::string escape_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        out += c;
        if (c == ';') {
            out += ';';
        }
    }
    return out;
}

}  // namespace questdb::conf::detail
