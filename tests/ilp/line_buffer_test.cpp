// Unit tests of the ILP line writer: escaping, names, double spelling, arrays, decimals,
// timestamps, call order and rewinding.

#include "ilp/line_buffer.hpp"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "ilp/decimal.hpp"
#include "ilp/text_rules.hpp"

namespace {

using questdb::ErrorCode;
using questdb::ilp::format_double;
using questdb::ilp::LineBuffer;
using questdb::ilp::ProtocolVersion;
using questdb::ilp::TimeUnit;

std::string fmt(double v) {
    char buf[questdb::ilp::kMaxDoubleChars];
    return std::string(buf, format_double(v, buf));
}

std::string le_double(double v) {
    std::string s(8, '\0');
    std::memcpy(s.data(), &v, 8);  // the test hosts are little-endian
    return s;
}

std::string le_u32(std::uint32_t v) {
    std::string s(4, '\0');
    std::memcpy(s.data(), &v, 4);
    return s;
}

TEST(IlpDoubleFormat, ShortestRoundTripInReferenceLayout) {
    EXPECT_EQ(fmt(0.0), "0.0");
    EXPECT_EQ(fmt(-0.0), "-0.0");
    EXPECT_EQ(fmt(1.0), "1.0");
    EXPECT_EQ(fmt(42.5), "42.5");
    EXPECT_EQ(fmt(0.1), "0.1");
    EXPECT_EQ(fmt(0.1 + 0.2), "0.30000000000000004");
    EXPECT_EQ(fmt(1e100), "1e100");
    EXPECT_EQ(fmt(1e-6), "1e-6");
    EXPECT_EQ(fmt(-1e-6), "-1e-6");
    EXPECT_EQ(fmt(0.0001234), "0.0001234");
    EXPECT_EQ(fmt(1.5e-7), "1.5e-7");
    EXPECT_EQ(fmt(1234567890123456.0), "1234567890123456.0");
    EXPECT_EQ(fmt(1e16), "1e16");
    EXPECT_EQ(fmt(12345678901234567890.0), "1.2345678901234567e19");
    EXPECT_EQ(fmt(123.456), "123.456");
    EXPECT_EQ(fmt(std::numeric_limits<double>::quiet_NaN()), "NaN");
    EXPECT_EQ(fmt(std::numeric_limits<double>::infinity()), "Infinity");
    EXPECT_EQ(fmt(-std::numeric_limits<double>::infinity()), "-Infinity");
    EXPECT_EQ(fmt(std::numeric_limits<double>::max()), "1.7976931348623157e308");
    EXPECT_EQ(fmt(std::numeric_limits<double>::denorm_min()), "5e-324");
    EXPECT_EQ(fmt(-std::numeric_limits<double>::min()), "-2.2250738585072014e-308");
}

TEST(IlpDoubleFormat, EveryOutputReadsBackExactly) {
    std::uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < 20000; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double v;
        std::memcpy(&v, &x, 8);
        if (!std::isfinite(v)) {
            continue;
        }
        const auto text = fmt(v);
        EXPECT_EQ(std::strtod(text.c_str(), nullptr), v) << text;
    }
}

// format_double's fast path for short decimals must spell every value exactly as the general
// (to_chars shortest round-trip) path does: integers, quarter steps, cents, thousandths,
// values with five or more fraction digits (general path), both signs, and near the limits.
TEST(IlpDoubleFormat, ShortDecimalFastPathMatchesTheGeneralPath) {
    auto general = [](double v) {
        char buf[questdb::ilp::kMaxDoubleChars];
        return std::string(buf, questdb::ilp::format_double_general(v, buf));
    };
    std::vector<double> values;
    for (std::int64_t i = 0; i < 40000; ++i) {
        const auto d = static_cast<double>(i);
        values.insert(values.end(), {d, d * 0.25, d * 0.01, d / 100.0, d * 0.001, d / 1000.0,
                                     d * 0.0001, d / 10000.0, d / 100000.0, d * 0.1 + 0.2,
                                     d * 1e9 + 0.5, d * 123456789.125});
    }
    for (double v : {1e-4, 9.9999e-5, 1e-5, 0.00015, 1125899906842623.0, 1125899906842624.0,
                     1125899906842623.75, 999999999999999.9, 0.30000000000000004, 1e15, 1e14 + 0.5,
                     4503599627370497.0, 0.1, 0.2, 0.3, 0.7, 1.1, 2.675, 1.005}) {
        values.push_back(v);
    }
    std::uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < 40000; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        // Random prices with up to six decimals over several magnitudes.
        const auto scale = std::pow(10.0, static_cast<double>(x % 7));
        values.push_back(static_cast<double>((x >> 8) % 100000000) / scale);
    }
    std::size_t mismatches = 0;
    for (const double v : values) {
        for (const double signed_v : {v, -v}) {
            if (fmt(signed_v) != general(signed_v) && ++mismatches < 20) {
                ADD_FAILURE() << "value " << general(signed_v) << " fast " << fmt(signed_v);
            }
        }
    }
    EXPECT_EQ(mismatches, 0u);
}

// The integer writer against std::to_chars: every digit count, both signs, the extremes.
TEST(IlpIntegers, SpelledAsToChars) {
    std::vector<std::int64_t> values{0, std::numeric_limits<std::int64_t>::min(),
                                     std::numeric_limits<std::int64_t>::max()};
    std::int64_t pow = 1;
    for (int d = 0; d < 19; ++d, pow *= (d < 19 ? 10 : 1)) {
        for (std::int64_t v : {pow - 1, pow, pow + 1, 5 * (pow / 10) + 3}) {
            values.push_back(v);
            values.push_back(-v);
        }
    }
    for (const auto v : values) {
        LineBuffer buf(ProtocolVersion::v1);
        ASSERT_TRUE(buf.table("t").ok());
        ASSERT_TRUE(buf.column_i64("v", v).ok());
        ASSERT_TRUE(buf.at_now().ok());
        char expected[24];
        const auto end = std::to_chars(expected, expected + sizeof(expected), v).ptr;
        EXPECT_EQ(buf.view(), "t v=" + std::string(expected, end) + "i\n") << v;
    }
}

TEST(IlpEscaping, UnquotedAndQuoted) {
    LineBuffer buf(ProtocolVersion::v1);
    ASSERT_TRUE(buf.table("t a=b").ok());
    ASSERT_TRUE(buf.symbol("s", "x y,z=w\\v\nq\r\"").ok());
    ASSERT_TRUE(buf.column_str("c", "a \"b\" \\ c\nd\re,f=g").ok());
    ASSERT_TRUE(buf.at_now().ok());
    EXPECT_EQ(buf.view(),
              "t\\ a\\=b,s=x\\ y\\,z\\=w\\\\v\\\nq\\\r\" c=\"a \\\"b\\\" \\\\ c\\\nd\\\re,f=g\"\n");
}

TEST(IlpNames, TableRules) {
    using questdb::ilp::validate_table_name;
    EXPECT_TRUE(validate_table_name("a.b", 127).ok());
    EXPECT_TRUE(validate_table_name("a-b", 127).ok());
    EXPECT_TRUE(validate_table_name("таблица", 127).ok());
    for (const char* bad : {"", ".a", "a.", "a..b", "a?b", "a/b", "a\x7f", "a\tb",
                            "\xEF\xBB\xBF"
                            "a"}) {
        const auto s = validate_table_name(bad, 127);
        ASSERT_FALSE(s.ok()) << bad;
        EXPECT_EQ(s.failure().code, ErrorCode::invalid_name) << bad;
    }
    const auto bad_utf8 = validate_table_name("a\xC3", 127);
    ASSERT_FALSE(bad_utf8.ok());
    EXPECT_EQ(bad_utf8.failure().code, ErrorCode::invalid_utf8);
}

TEST(IlpNames, ColumnRulesAndMaxLength) {
    using questdb::ilp::validate_column_name;
    EXPECT_TRUE(validate_column_name("col 1=2", 127).ok());
    EXPECT_FALSE(validate_column_name("a.b", 127).ok());
    EXPECT_FALSE(validate_column_name("a-b", 127).ok());
    EXPECT_TRUE(validate_column_name(std::string(127, 'x'), 127).ok());
    const auto s = validate_column_name(std::string(128, 'x'), 127);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.failure().message.find("127"), std::string::npos);
    EXPECT_TRUE(validate_column_name("abc", 3).ok());
    EXPECT_FALSE(validate_column_name("abcd", 3).ok());
}

TEST(IlpNames, BufferHonoursMaxNameLen) {
    LineBuffer buf(ProtocolVersion::v2, 4);
    EXPECT_FALSE(buf.table("table").ok());
    ASSERT_TRUE(buf.table("tabl").ok());
    EXPECT_FALSE(buf.column_i64("colum", 1).ok());
    EXPECT_TRUE(buf.empty());
}

TEST(IlpBuffer, OrderAndRewindOnError) {
    LineBuffer buf(ProtocolVersion::v2);
    const auto early = buf.at_now();
    ASSERT_FALSE(early.ok());
    EXPECT_EQ(early.failure().code, ErrorCode::invalid_api_call);
    ASSERT_TRUE(buf.table("t").ok());
    ASSERT_TRUE(buf.column_i64("a", 1).ok());
    ASSERT_TRUE(buf.at(5, TimeUnit::nanos).ok());
    ASSERT_TRUE(buf.table("t").ok());
    ASSERT_TRUE(buf.column_i64("a", 2).ok());
    const auto late_symbol = buf.symbol("s", "v");
    ASSERT_FALSE(late_symbol.ok());
    EXPECT_EQ(late_symbol.failure().code, ErrorCode::invalid_api_call);
    EXPECT_EQ(buf.view(), "t a=1i 5n\n");
    EXPECT_EQ(buf.row_count(), 1u);
    EXPECT_TRUE(buf.check_can_flush().ok());
    ASSERT_TRUE(buf.table("t").ok());
    EXPECT_FALSE(buf.check_can_flush().ok());
}

TEST(IlpBuffer, MarkerRewinds) {
    LineBuffer buf(ProtocolVersion::v1);
    ASSERT_TRUE(buf.table("a").ok());
    EXPECT_FALSE(buf.set_marker().ok());
    ASSERT_TRUE(buf.column_bool("x", true).ok());
    ASSERT_TRUE(buf.at_now().ok());
    ASSERT_TRUE(buf.set_marker().ok());
    ASSERT_TRUE(buf.table("b").ok());
    ASSERT_TRUE(buf.column_bool("x", false).ok());
    ASSERT_TRUE(buf.at_now().ok());
    EXPECT_FALSE(buf.transactional());
    ASSERT_TRUE(buf.rewind_to_marker().ok());
    EXPECT_EQ(buf.view(), "a x=t\n");
    EXPECT_TRUE(buf.transactional());
    EXPECT_EQ(buf.row_count(), 1u);
    EXPECT_FALSE(buf.rewind_to_marker().ok());
}

TEST(IlpBuffer, TransactionalTracksTables) {
    LineBuffer buf(ProtocolVersion::v2);
    for (const char* t : {"same", "same"}) {
        ASSERT_TRUE(buf.table(t).ok());
        ASSERT_TRUE(buf.column_i64("v", 1).ok());
        ASSERT_TRUE(buf.at_now().ok());
    }
    EXPECT_TRUE(buf.transactional());
    ASSERT_TRUE(buf.table("sam").ok());
    ASSERT_TRUE(buf.column_i64("v", 1).ok());
    ASSERT_TRUE(buf.at_now().ok());
    EXPECT_FALSE(buf.transactional());
    buf.clear();
    EXPECT_TRUE(buf.transactional());
    EXPECT_EQ(buf.row_count(), 0u);
}

TEST(IlpBuffer, TimestampsPerVersion) {
    LineBuffer v1(ProtocolVersion::v1);
    ASSERT_TRUE(v1.table("t").ok());
    ASSERT_TRUE(v1.column_ts("a", 1500, TimeUnit::nanos).ok());
    ASSERT_TRUE(v1.column_ts("b", 7, TimeUnit::micros).ok());
    ASSERT_TRUE(v1.at(3, TimeUnit::micros).ok());
    EXPECT_EQ(v1.view(), "t a=1t,b=7t 3000\n");

    LineBuffer v2(ProtocolVersion::v2);
    ASSERT_TRUE(v2.table("t").ok());
    ASSERT_TRUE(v2.column_ts("a", 1500, TimeUnit::nanos).ok());
    ASSERT_TRUE(v2.at(3, TimeUnit::micros).ok());
    EXPECT_EQ(v2.view(), "t a=1500n 3t\n");

    ASSERT_TRUE(v2.table("t").ok());
    ASSERT_TRUE(v2.column_i64("x", -1).ok());
    const auto negative = v2.at(-1, TimeUnit::nanos);
    ASSERT_FALSE(negative.ok());
    EXPECT_EQ(negative.failure().code, ErrorCode::invalid_timestamp);
    EXPECT_EQ(v2.row_count(), 1u);
}

TEST(IlpArrays, ContiguousStridedAndErrors) {
    const std::vector<double> data = {1, 2, 3, 4, 5, 6};
    const std::size_t shape[] = {2, 3};
    LineBuffer buf(ProtocolVersion::v2);
    ASSERT_TRUE(buf.table("t").ok());
    ASSERT_TRUE(buf.column_arr_f64("a", shape, {}, data.data()).ok());
    ASSERT_TRUE(buf.at_now().ok());
    std::string want = "t a==";
    want += '\x0e';
    want += '\x0a';
    want += '\x02';
    want += le_u32(2) + le_u32(3);
    for (double d : data) {
        want += le_double(d);
    }
    want += "\n";
    EXPECT_EQ(buf.view(), want);

    // Transposed view of the same memory: shape 3x2, byte strides {8, 24}.
    buf.clear();
    const std::size_t tshape[] = {3, 2};
    const std::ptrdiff_t tstrides[] = {8, 24};
    ASSERT_TRUE(buf.table("t").ok());
    ASSERT_TRUE(buf.column_arr_f64("a", tshape, tstrides, data.data()).ok());
    ASSERT_TRUE(buf.at_now().ok());
    std::string twant = "t a==";
    twant += '\x0e';
    twant += '\x0a';
    twant += '\x02';
    twant += le_u32(3) + le_u32(2);
    for (double d : {1.0, 4.0, 2.0, 5.0, 3.0, 6.0}) {
        twant += le_double(d);
    }
    twant += "\n";
    EXPECT_EQ(buf.view(), twant);

    // Reversed 1-d view with a negative stride.
    buf.clear();
    const std::size_t rshape[] = {3};
    const std::ptrdiff_t rstrides[] = {-8};
    ASSERT_TRUE(buf.table("t").ok());
    ASSERT_TRUE(buf.column_arr_f64("a", rshape, rstrides, data.data() + 2).ok());
    ASSERT_TRUE(buf.at_now().ok());
    std::string rwant = "t a==";
    rwant += '\x0e';
    rwant += '\x0a';
    rwant += '\x01';
    rwant += le_u32(3) + le_double(3) + le_double(2) + le_double(1) + "\n";
    EXPECT_EQ(buf.view(), rwant);

    LineBuffer v1(ProtocolVersion::v1);
    ASSERT_TRUE(v1.table("t").ok());
    const auto old = v1.column_arr_f64("a", shape, {}, data.data());
    ASSERT_FALSE(old.ok());
    EXPECT_EQ(old.failure().code, ErrorCode::protocol_version_error);
    EXPECT_TRUE(v1.empty());

    buf.clear();
    ASSERT_TRUE(buf.table("t").ok());
    const auto no_dims = buf.column_arr_f64("a", {}, {}, data.data());
    ASSERT_FALSE(no_dims.ok());
    EXPECT_EQ(no_dims.failure().code, ErrorCode::array_error);
    std::vector<std::size_t> too_many(33, 1);
    ASSERT_TRUE(buf.table("t").ok());
    EXPECT_FALSE(buf.column_arr_f64("a", too_many, {}, data.data()).ok());
    const std::size_t huge[] = {1u << 28, 1};
    ASSERT_TRUE(buf.table("t").ok());
    EXPECT_FALSE(buf.column_arr_f64("a", huge, {}, data.data()).ok());
    EXPECT_TRUE(buf.empty());
}

TEST(IlpDecimals, ParseToScaledBytes) {
    using questdb::ilp::parse_decimal;
    auto bytes_of = [](std::string_view text) {
        auto r = parse_decimal(text);
        EXPECT_TRUE(r.ok()) << text;
        const auto b = r.value().bytes();
        return std::make_pair(static_cast<int>(r.value().scale),
                              std::vector<std::uint8_t>(b.begin(), b.end()));
    };
    EXPECT_EQ(bytes_of("0"), std::make_pair(0, std::vector<std::uint8_t>{0}));
    EXPECT_EQ(bytes_of("-0.0"), std::make_pair(1, std::vector<std::uint8_t>{0}));
    EXPECT_EQ(bytes_of("1.0"), std::make_pair(1, std::vector<std::uint8_t>{10}));
    EXPECT_EQ(bytes_of("-0.001"), std::make_pair(3, std::vector<std::uint8_t>{0xff}));
    EXPECT_EQ(bytes_of("128"), std::make_pair(0, std::vector<std::uint8_t>{0x00, 0x80}));
    EXPECT_EQ(bytes_of("-128"), std::make_pair(0, std::vector<std::uint8_t>{0x80}));
    EXPECT_EQ(bytes_of("-129"), std::make_pair(0, std::vector<std::uint8_t>{0xff, 0x7f}));
    EXPECT_EQ(bytes_of("1.5e2"), std::make_pair(0, std::vector<std::uint8_t>{0x00, 0x96}));
    EXPECT_EQ(bytes_of("15e-3"), std::make_pair(3, std::vector<std::uint8_t>{15}));
    // 2^255 - 1 fits exactly 32 bytes; 2^255 does not.
    const std::string max256 =
        "57896044618658097711785492504343953926634992332820282019728792003956564819967";
    EXPECT_EQ(bytes_of(max256).second.size(), 32u);
    EXPECT_FALSE(
        parse_decimal(
            "57896044618658097711785492504343953926634992332820282019728792003956564819968")
            .ok());
    EXPECT_FALSE(parse_decimal("1." + std::string(77, '0')).ok());
    for (const char* bad : {"", "-", ".", "1.2.3", "1e", "abc", "1,5"}) {
        const auto r = parse_decimal(bad);
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_EQ(r.failure().code, ErrorCode::invalid_decimal);
    }
}

TEST(IlpDecimals, BufferWritesBinaryAndTextForms) {
    LineBuffer buf(ProtocolVersion::v3);
    const std::uint8_t unscaled[] = {0x30, 0x39};  // 12345
    ASSERT_TRUE(buf.table("t").ok());
    ASSERT_TRUE(buf.column_dec("d", 2, unscaled).ok());
    ASSERT_TRUE(buf.column_dec_text("e", "-1.25").ok());
    ASSERT_TRUE(buf.at_now().ok());
    EXPECT_EQ(buf.view(), std::string("t d==\x17\x02\x02\x30\x39,e=-1.25d\n"));

    ASSERT_TRUE(buf.table("t").ok());
    EXPECT_FALSE(buf.column_dec_text("e", "1 2").ok());
    ASSERT_TRUE(buf.table("t").ok());
    EXPECT_FALSE(buf.column_dec("d", 77, unscaled).ok());

    LineBuffer v2(ProtocolVersion::v2);
    ASSERT_TRUE(v2.table("t").ok());
    const auto old = v2.column_dec("d", 2, unscaled);
    ASSERT_FALSE(old.ok());
    EXPECT_EQ(old.failure().code, ErrorCode::protocol_version_error);
}

TEST(IlpBuffer, InvalidUtf8ValuesAreRefused) {
    LineBuffer buf(ProtocolVersion::v2);
    ASSERT_TRUE(buf.table("t").ok());
    const auto s = buf.column_str("c", "a\xff");
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.failure().code, ErrorCode::invalid_utf8);
    ASSERT_TRUE(buf.table("t").ok());
    EXPECT_FALSE(buf.symbol("c", "\xed\xa0\x80").ok());  // a UTF-16 surrogate
    EXPECT_TRUE(buf.empty());
}

TEST(IlpBuffer, RowHookRunsAfterEachRow) {
    LineBuffer buf(ProtocolVersion::v2);
    int calls = 0;
    buf.set_row_hook({[](void* ctx, LineBuffer& b) -> questdb::detail::Status {
                          ++*static_cast<int*>(ctx);
                          EXPECT_TRUE(b.check_can_flush().ok());
                          return {};
                      },
                      &calls, nullptr});
    for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE(buf.table("t").ok());
        ASSERT_TRUE(buf.column_i64("v", i).ok());
        ASSERT_TRUE(buf.at_now().ok());
    }
    EXPECT_EQ(calls, 3);
}

// The inline fast paths (LineBuffer::try_*, what the public Buffer calls first) must write
// exactly what the full setters write, and nothing when they decline. A random sequence of
// calls, legal and not, with names and values from plain to every kind that needs escaping,
// validation or an error, runs try-then-full on one buffer and the full setter on another;
// after every call the bytes, row counts, transactional flags and outcomes must agree.
TEST(IlpFastPath, MatchesTheFullSetters) {
    const std::string long_name(200, 'n');
    const std::vector<std::string> names{
        "t",   "sym", "id",  "price",  "note", "a.b",         "a-b",
        "a b", "a=b", "a,b", "x\x10y", "",     "n\xc3\xafve", "bad\xff",
        "q?",  "s2",  "t.x", ".t",     "t..x", long_name,     "tab\tle"};
    std::vector<std::string> values{"",
                                    "v",
                                    "sym-3",
                                    "a b",
                                    "a,b",
                                    "a=b",
                                    "line\n",
                                    "cr\r",
                                    "back\\",
                                    "quo\"te",
                                    "\xc3\xbcn\xc3\xaf",
                                    "\xff",
                                    "ctl\x01",
                                    "\xed\xa0\x80",
                                    std::string("nul\0x", 5)};
    // Every length around the 4/8/16-byte steps of the value checks, with the special byte
    // (or a non-ASCII one) first, last or nowhere.
    for (std::size_t len = 1; len <= 40; ++len) {
        for (const char special : {'x', '\n', '"', ',', '\\', ' ', '=', '\r', '\x80'}) {
            std::string plain(len, 'a');
            values.push_back(plain);
            std::string last = plain;
            last.back() = special;
            values.push_back(last);
            std::string first = plain;
            first.front() = special;
            values.push_back(first);
        }
    }
    std::vector<std::int64_t> ints{0, std::numeric_limits<std::int64_t>::min(),
                                   std::numeric_limits<std::int64_t>::max(),
                                   std::numeric_limits<std::int64_t>::max() / 1000,
                                   std::numeric_limits<std::int64_t>::max() / 1000 + 1};
    std::int64_t pow = 1;
    for (int d = 0; d < 19; ++d) {
        for (const std::int64_t v : {pow - 1, pow, pow + 1, 7 * (pow / 10) + 3}) {
            ints.push_back(v);
            ints.push_back(-v);
        }
        pow = d < 18 ? pow * 10 : pow;
    }
    const std::vector<double> doubles{0.0,
                                      -0.0,
                                      0.25,
                                      1.5,
                                      -2.75,
                                      100.125,
                                      1e-4,
                                      1e-5,
                                      1e100,
                                      -1e-300,
                                      0.1,
                                      1125899906842623.5,
                                      1e15,
                                      std::numeric_limits<double>::quiet_NaN(),
                                      std::numeric_limits<double>::infinity(),
                                      12345.6789};

    for (const auto version : {ProtocolVersion::v1, ProtocolVersion::v2}) {
        LineBuffer fast(version, 127);
        LineBuffer full(version, 127);
        std::uint64_t x = 0x2545F4914F6CDD1DULL;
        const auto next = [&](std::size_t n) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            return static_cast<std::size_t>(x % n);
        };
        // Mostly plain rows in order, sometimes anything anywhere.
        const auto name = [&] { return names[next(4) != 0 ? next(5) : next(names.size())]; };
        const auto value = [&] { return values[next(3) != 0 ? 2 : next(values.size())]; };
        std::size_t taken = 0;
        std::size_t declined = 0;
        for (int step = 0; step < 60000; ++step) {
            const std::size_t before = fast.size();
            bool took = false;
            bool fast_ok = true;
            bool full_ok = true;
            std::string what;
            switch (next(6)) {
                case 0: {
                    const auto n = next(3) != 0 ? std::string("t") : name();
                    what = "table " + n;
                    took = fast.try_table(n);
                    fast_ok = took || fast.table(n).ok();
                    full_ok = full.table(n).ok();
                    break;
                }
                case 1: {
                    const auto n = name();
                    const auto v = value();
                    what = "symbol " + n + "=" + v;
                    took = fast.try_symbol(n, v);
                    fast_ok = took || fast.symbol(n, v).ok();
                    full_ok = full.symbol(n, v).ok();
                    break;
                }
                case 2: {
                    const auto n = name();
                    const auto v = ints[next(ints.size())];
                    what = "i64 " + n + "=" + std::to_string(v);
                    took = fast.try_column_i64(n, v);
                    fast_ok = took || fast.column_i64(n, v).ok();
                    full_ok = full.column_i64(n, v).ok();
                    break;
                }
                case 3: {
                    const auto n = name();
                    const auto v = next(2) != 0 ? static_cast<double>(next(100000)) * 0.25
                                                : doubles[next(doubles.size())];
                    what = "f64 " + n + "=" + fmt(v);
                    took = fast.try_column_f64(n, v);
                    fast_ok = took || fast.column_f64(n, v).ok();
                    full_ok = full.column_f64(n, v).ok();
                    break;
                }
                case 4: {
                    const auto n = name();
                    const auto v = value();
                    what = "str " + n + "=" + v;
                    took = fast.try_column_str(n, v);
                    fast_ok = took || fast.column_str(n, v).ok();
                    full_ok = full.column_str(n, v).ok();
                    break;
                }
                default: {
                    const auto v = next(4) != 0 ? 1700000000000000 + static_cast<std::int64_t>(step)
                                                : ints[next(ints.size())];
                    const auto unit = next(2) != 0 ? TimeUnit::micros : TimeUnit::nanos;
                    what = "at " + std::to_string(v);
                    took = fast.try_at(v, unit);
                    fast_ok = took || fast.at(v, unit).ok();
                    full_ok = full.at(v, unit).ok();
                    break;
                }
            }
            ++(took ? taken : declined);
            if (!took) {
                // A declining fast path leaves no trace (the full setter then ran).
                ASSERT_TRUE(fast_ok || fast.size() <= before) << what;
            }
            ASSERT_EQ(fast_ok, full_ok) << what;
            ASSERT_EQ(fast.view(), full.view()) << what;
            ASSERT_EQ(fast.row_count(), full.row_count()) << what;
            ASSERT_EQ(fast.transactional(), full.transactional()) << what;
            if (fast.size() > 1'000'000) {
                fast.clear();
                full.clear();
            }
        }
        // Both halves were exercised: plain rows took the fast paths, the rest declined.
        EXPECT_GT(taken, 10000u);
        EXPECT_GT(declined, 10000u);
    }
}

TEST(IlpFastPath, DeclinesWhenARowHookIsSet) {
    LineBuffer buf(ProtocolVersion::v1);
    int calls = 0;
    buf.set_row_hook({[](void* ctx, LineBuffer&) -> questdb::detail::Status {
                          ++*static_cast<int*>(ctx);
                          return {};
                      },
                      &calls, nullptr});
    ASSERT_TRUE(buf.try_table("t"));
    ASSERT_TRUE(buf.try_column_i64("v", 1));
    const auto size = buf.size();
    EXPECT_FALSE(buf.try_at(5, TimeUnit::micros));
    EXPECT_EQ(buf.size(), size);
    ASSERT_TRUE(buf.at(5, TimeUnit::micros).ok());
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(buf.view(), "t v=1i 5000\n");
}

}  // namespace
