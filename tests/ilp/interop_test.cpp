// The cross-client ILP interop suite against the ILP line writer: every SUCCESS case gives
// exactly the expected text (protocol version 1) or bytes (versions 2 and 3); every ERROR
// case is refused by a setter and leaves the buffer usable.

#include <gtest/gtest.h>

#include <iostream>
#include <sstream>

#include "ilp/decimal.hpp"
#include "ilp/line_buffer.hpp"
#include "interop_cases.hpp"
#include "questdb/ingress/buffer.hpp"

namespace {

using questdb::detail::Status;
using questdb::ilp::LineBuffer;
using questdb::ilp::ProtocolVersion;
using questdb::test::ilp_interop::Case;

std::string printable(std::string_view bytes) {
    std::ostringstream out;
    for (unsigned char c : bytes) {
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            out << c;
        } else {
            out << "\\x" << std::hex << static_cast<int>(c) << std::dec;
        }
    }
    return out.str();
}

/// Writes one case's row; returns the first failing setter's status.
Status write_row(LineBuffer& buf, const Case& c) {
    if (auto s = buf.table(c.table); !s.ok()) {
        return s;
    }
    for (const auto& [name, value] : c.symbols) {
        if (auto s = buf.symbol(name, value); !s.ok()) {
            return s;
        }
    }
    for (const auto& col : c.columns) {
        Status s;
        if (col.type == "STRING") {
            s = buf.column_str(col.name, col.value.as_string());
        } else if (col.type == "LONG") {
            s = buf.column_i64(col.name, col.value.to_number<std::int64_t>());
        } else if (col.type == "DOUBLE") {
            s = buf.column_f64(col.name, col.value.to_number<double>());
        } else if (col.type == "BOOLEAN") {
            s = buf.column_bool(col.name, col.value.as_bool());
        } else if (col.type == "DECIMAL") {
            auto dec = questdb::ilp::parse_decimal(col.value.as_string());
            if (!dec.ok()) {
                return dec.failure();
            }
            s = buf.column_dec(col.name, dec.value().scale, dec.value().bytes());
        } else {
            ADD_FAILURE() << "unknown column type " << col.type;
        }
        if (!s.ok()) {
            return s;
        }
    }
    return buf.at_now();
}

/// Checks one case under one version; returns an empty string on success, else why not.
std::string check_case(const Case& c, ProtocolVersion version) {
    const std::string prior = "prior_row ok=1i\n";
    LineBuffer buf(version);
    // A complete row before the case proves a failing setter rewinds to it, not to empty.
    if (!buf.table("prior_row").ok() || !buf.column_i64("ok", 1).ok() || !buf.at_now().ok()) {
        return "could not write the prior row";
    }
    const Status status = write_row(buf, c);
    if (c.success) {
        if (!status.ok()) {
            return "unexpected error: " + status.failure().message;
        }
        const std::string got(buf.view().substr(prior.size()));
        if (version != ProtocolVersion::v1 && c.binary) {
            if (got != *c.binary) {
                return "binary mismatch: got " + printable(got) + " want " + printable(*c.binary);
            }
            return {};
        }
        for (const auto& line : c.text_lines) {
            if (got == line) {
                return {};
            }
        }
        return "text mismatch: got " + printable(got);
    }
    if (status.ok()) {
        return "accepted a row that must be refused: " + printable(buf.view());
    }
    if (status.failure().message.empty()) {
        return "refused without a message";
    }
    if (buf.view() != prior || buf.row_count() != 1) {
        return "buffer not rewound to the last complete row: " + printable(buf.view());
    }
    if (!buf.table("next_row").ok() || !buf.column_i64("ok", 2).ok() || !buf.at_now().ok() ||
        buf.view() != prior + "next_row ok=2i\n") {
        return "buffer unusable after the error";
    }
    return {};
}

TEST(IlpInterop, AllCasesOfTheSharedSuite) {
    const auto cases = questdb::test::ilp_interop::load_cases();
    ASSERT_EQ(cases.size(), 109u) << "the shared suite has 109 cases";
    int passed = 0;
    int failed = 0;
    for (const auto& c : cases) {
        std::string why;
        for (int v = c.minimum_version; v <= 3 && why.empty(); ++v) {
            why = check_case(c, static_cast<ProtocolVersion>(v));
            if (!why.empty()) {
                why = "[v" + std::to_string(v) + "] " + why;
            }
        }
        if (why.empty()) {
            ++passed;
        } else {
            ++failed;
            std::cout << "FAILED case \"" << printable(c.name) << "\": " << why << "\n";
        }
    }
    std::cout << passed << " passed, " << failed << " failed" << std::endl;
    EXPECT_EQ(failed, 0);
}

/// The same case through the public Buffer in ILP mode (errors are questdb::Error).
std::string check_public_case(const Case& c, ProtocolVersion version) {
    using questdb::ingress::Buffer;
    const std::string prior = "prior_row ok=1i\n";
    Buffer buf = Buffer::ilp(version);
    buf.table("prior_row").column_i64("ok", 1).at_now();
    std::string error;
    try {
        buf.table(c.table);
        for (const auto& [name, value] : c.symbols) {
            buf.symbol(name, value);
        }
        for (const auto& col : c.columns) {
            if (col.type == "STRING") {
                buf.column_str(col.name, col.value.as_string());
            } else if (col.type == "LONG") {
                buf.column_i64(col.name, col.value.to_number<std::int64_t>());
            } else if (col.type == "DOUBLE") {
                buf.column_f64(col.name, col.value.to_number<double>());
            } else if (col.type == "BOOLEAN") {
                buf.column_bool(col.name, col.value.as_bool());
            } else if (col.type == "DECIMAL") {
                buf.column_dec(col.name, col.value.as_string());
            }
        }
        buf.at_now();
    } catch (const questdb::Error& e) {
        error = e.what();
        if (error.empty()) {
            return "refused without a message";
        }
    }
    const std::string got(buf.ilp_text().substr(prior.size()));
    if (c.success) {
        if (!error.empty()) {
            return "unexpected error: " + error;
        }
        if (version != ProtocolVersion::v1 && c.binary) {
            return got == *c.binary ? std::string() : "binary mismatch: got " + printable(got);
        }
        for (const auto& line : c.text_lines) {
            if (got == line) {
                return {};
            }
        }
        return "text mismatch: got " + printable(got);
    }
    if (error.empty()) {
        return "accepted a row that must be refused";
    }
    if (buf.ilp_text() != prior || buf.row_count() != 1) {
        return "buffer not rewound to the last complete row";
    }
    buf.table("next_row").column_i64("ok", 2).at_now();
    return buf.ilp_text() == prior + "next_row ok=2i\n" ? std::string()
                                                        : "buffer unusable after the error";
}

TEST(IlpInterop, AllCasesThroughThePublicBufferInIlpMode) {
    const auto cases = questdb::test::ilp_interop::load_cases();
    ASSERT_EQ(cases.size(), 109u);
    int passed = 0;
    int failed = 0;
    for (const auto& c : cases) {
        std::string why;
        for (int v = c.minimum_version; v <= 3 && why.empty(); ++v) {
            why = check_public_case(c, static_cast<ProtocolVersion>(v));
            if (!why.empty()) {
                why = "[v" + std::to_string(v) + "] " + why;
            }
        }
        if (why.empty()) {
            ++passed;
        } else {
            ++failed;
            std::cout << "FAILED case \"" << printable(c.name) << "\": " << why << "\n";
        }
    }
    std::cout << passed << " passed, " << failed << " failed" << std::endl;
    EXPECT_EQ(failed, 0);
}

}  // namespace
