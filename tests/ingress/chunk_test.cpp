#include "questdb/ingress/chunk.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "ingress/encode.hpp"
#include "questdb/error.hpp"
#include "qwp/decoder.hpp"
#include "support/fixtures.hpp"

namespace {

using questdb::Error;
using questdb::ErrorCode;
using questdb::ingress::Chunk;
using namespace questdb::qwp;

constexpr std::int64_t kBase = 1700000000000000000LL;

EncodedFrames encode(const Chunk& chunk, SymbolDictionary& dict, const EncodeOptions& opt = {}) {
    MessageEncoder enc;
    EncodedFrames out;
    auto st = questdb::ingress::encode_chunk(enc, chunk, dict, opt, out);
    EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.failure().message);
    return out;
}

DecodedTable round_trip(const Chunk& chunk) {
    SymbolDictionary dict;
    auto frames = encode(chunk, dict);
    EXPECT_EQ(frames.count(), 1u);
    IngressDecoderState state;
    auto msg = decode_ingress_message(frames.frame(0), state);
    EXPECT_TRUE(msg.ok()) << (msg.ok() ? "" : msg.failure().message);
    if (!msg.ok() || msg.value().tables.empty())
        return {};
    return msg.value().tables[0];
}

// Decodes `frames` in order and calls `check(table, r, row)` for every row, `row` counting
// across frames. Returns the rows decoded; stops at the first fatal failure.
template <typename Check>
std::size_t for_each_row(const EncodedFrames& frames, IngressDecoderState& state, Check check) {
    std::size_t row = 0;
    for (std::size_t f = 0; f < frames.count(); ++f) {
        auto msg = decode_ingress_message(frames.frame(f), state);
        EXPECT_TRUE(msg.ok()) << (msg.ok() ? "" : msg.failure().message);
        if (!msg.ok())
            return row;
        for (const auto& t : msg.value().tables) {
            for (std::size_t r = 0; r < t.row_count; ++r, ++row) {
                check(t, r, row);
                if (::testing::Test::HasFatalFailure())
                    return row;
            }
        }
    }
    return row;
}

std::string hex(std::span<const std::uint8_t> s) {
    return questdb::test::to_hex(s.data(), s.size());
}

void expect_code(ErrorCode code, const std::function<void()>& fn) {
    try {
        fn();
        ADD_FAILURE() << "no exception, expected " << questdb::to_string(code);
    } catch (const Error& e) {
        EXPECT_EQ(e.error_code(), code) << e.what();
        EXPECT_NE(std::string(e.what()).find("'"), std::string::npos)
            << "message names nothing: " << e.what();
    }
}

struct TradesInput {
    std::vector<std::int32_t> codes, dict_offsets{0};
    std::string dict_bytes;
    std::vector<std::int64_t> qty, ts;
    std::vector<double> px;
    TradesInput() {
        for (int i = 0; i < 10; ++i) {
            dict_bytes += "SYM_00" + std::to_string(i);
            dict_offsets.push_back(static_cast<std::int32_t>(dict_bytes.size()));
        }
    }
    void fill(Chunk& c) const {
        c.symbol_dict_i32(
             "sym", codes, dict_offsets,
             {reinterpret_cast<const std::uint8_t*>(dict_bytes.data()), dict_bytes.size()})
            .column_i64("qty", qty)
            .column_f64("px", px)
            .designated_timestamp_nanos(ts);
    }
};

TEST(Chunk, MatchesSharedFixturesByteForByte) {
    TradesInput in;
    for (int i = 0; i < 10; ++i) {
        in.codes.push_back(i);
        in.qty.push_back(i);
        in.px.push_back(100.0 + i);
        in.ts.push_back(kBase + i);
    }
    Chunk chunk("trades");
    in.fill(chunk);
    EXPECT_EQ(chunk.row_count(), 10u);
    SymbolDictionary dict;
    auto frames = encode(chunk, dict);
    ASSERT_EQ(frames.count(), 1u);
    EXPECT_EQ(hex(frames.frame(0)),
              hex(questdb::test::load_hex_fixture("qwp/trades-10rows-replay.hex")));

    TradesInput one;
    one.codes = {9};
    one.qty = {99};
    one.px = {999.5};
    one.ts = {kBase + 1000};
    Chunk second("trades");
    one.fill(second);
    EncodeOptions replay;
    replay.symbol_mode = SymbolMode::self_contained;
    auto replay_frames = encode(second, dict, replay);
    EXPECT_EQ(hex(replay_frames.frame(0)),
              hex(questdb::test::load_hex_fixture("qwp/trades-1row-after-10-symbols.hex")));
}

TEST(Chunk, EveryTypeRoundTripsWithNulls) {
    const std::vector<std::uint8_t> validity = {0b11011};  // rows 2 null (5 rows)
    const std::vector<std::int8_t> i8 = {1, -2, 3, 4, 5};
    const std::vector<std::int16_t> i16 = {1, -2, 3, 4, 5};
    const std::vector<std::int32_t> i32 = {1, -2, 3, 4, 5};
    const std::vector<std::int64_t> i64 = {1, -2, 3, 4, 5};
    const std::vector<float> f32 = {1.5f, 2.5f, 3.5f, 4.5f, 5.5f};
    const std::vector<double> f64 = {1.5, 2.5, 3.5, 4.5, 5.5};
    const std::vector<std::uint8_t> bits = {0b10101};
    const std::vector<std::uint32_t> ip = {1, 2, 3, 0, 5};
    const std::vector<char16_t> ch = {u'a', u'b', u'c', u'd', u'\u00e9'};
    const std::vector<std::uint64_t> geo = {0xABCDE, 1, 2, 3, 0xFFFFF};
    std::vector<std::array<std::uint8_t, 16>> uuid(5);
    std::vector<std::array<std::uint8_t, 32>> l256(5);
    for (int i = 0; i < 5; ++i) {
        uuid[i].fill(static_cast<std::uint8_t>(i + 1));
        l256[i].fill(static_cast<std::uint8_t>(i + 10));
    }
    const std::vector<std::int32_t> str_off = {0, 3, 3, 5, 5, 8};
    const std::string str = "foo\xC3\xA9xyz";
    const auto* str_bytes = reinterpret_cast<const std::uint8_t*>(str.data());
    const std::vector<std::int64_t> arr_off = {0, 2, 2, 2, 3, 3};
    const std::vector<double> arr_vals = {1.0, 2.0, 3.0};
    const std::vector<std::int64_t> larr_vals = {7, 8, 9};
    const std::vector<std::int16_t> codes = {1, 0, 99, 1, 0};
    const std::vector<std::int64_t> dict_off = {0, 1, 2};
    const std::string dict = "xy";
    const std::vector<std::int64_t> ts = {10, 20, 30, 40, 50};
    const std::vector<std::int64_t> dec = {12345, -1, 0, 7, 8};

    Chunk c("all_types");
    c.column_i8("i8", i8, validity)
        .column_i16("i16", i16, validity)
        .column_i32("i32", i32, validity)
        .column_i64("i64", i64, validity)
        .column_f32("f32", f32, validity)
        .column_f64("f64", f64, validity)
        .column_bool("b", bits, 5, validity)
        .column_ipv4("ip", ip, validity)
        .column_char("ch", ch, validity)
        .column_geohash("g", geo, 20, validity)
        .column_uuid("u", uuid, validity)
        .column_long256("l", l256, validity)
        .column_varchar("s", str_off, {str_bytes, str.size()}, validity)
        .column_binary("bin", str_off, {str_bytes, str.size()}, validity)
        .column_arr_f64("a", arr_off, arr_vals, validity)
        .column_arr_i64("la", arr_off, larr_vals)
        .symbol_dict_large_i16("sym", codes, dict_off,
                               {reinterpret_cast<const std::uint8_t*>(dict.data()), dict.size()},
                               validity)
        .column_ts_micros("tsu", ts, validity)
        .column_ts_nanos("tsn", ts)
        .column_date_millis("d", ts, validity)
        .column_dec64("dec", dec, 3, validity)
        .designated_timestamp_seconds(ts);
    const auto t = round_trip(c);
    ASSERT_EQ(t.row_count, 5u);
    ASSERT_EQ(t.columns.size(), 22u);
    auto col = [&](std::string_view n) { return t.column(n); };
    // Sentinel types: the null row is 0 / false and not NULL.
    EXPECT_EQ(col("i8")->ints, (std::vector<std::int64_t>{1, -2, 0, 4, 5}));
    EXPECT_FALSE(col("i8")->has_bitmap);
    EXPECT_EQ(col("i16")->ints, (std::vector<std::int64_t>{1, -2, 0, 4, 5}));
    EXPECT_EQ(col("ch")->ints, (std::vector<std::int64_t>{'a', 'b', 0, 'd', 0xE9}));
    EXPECT_EQ(col("b")->ints, (std::vector<std::int64_t>{1, 0, 0, 0, 1}));
    // Bitmap types: a real NULL.
    for (auto name : {"i32", "i64", "f32", "f64", "ip", "g", "u", "l", "s", "bin", "a", "sym",
                      "tsu", "d", "dec"}) {
        EXPECT_EQ(col(name)->nulls, (std::vector<std::uint8_t>{0, 0, 1, 0, 0})) << name;
    }
    EXPECT_EQ(col("i64")->ints, (std::vector<std::int64_t>{1, -2, 0, 4, 5}));
    EXPECT_EQ(col("f32")->floats[4], 5.5);
    EXPECT_EQ(col("ip")->ints[3], 0);
    EXPECT_EQ(col("g")->ints[0], 0xABCDE);
    EXPECT_EQ(col("g")->geohash_bits, 20);
    EXPECT_EQ(col("u")->bytes[1], std::string(16, '\x02'));
    EXPECT_EQ(col("l")->bytes[4], std::string(32, '\x0E'));
    EXPECT_EQ(col("s")->bytes, (std::vector<std::string>{"foo", "", "", "", "xyz"}));
    EXPECT_EQ(col("s")->bytes[3], "");
    EXPECT_EQ(col("a")->arrays[0].doubles, (std::vector<double>{1.0, 2.0}));
    EXPECT_EQ(col("a")->arrays[1].shape, (std::vector<std::int32_t>{0}));  // empty, not NULL
    EXPECT_EQ(col("la")->arrays[3].longs, (std::vector<std::int64_t>{9}));
    EXPECT_EQ(col("sym")->bytes, (std::vector<std::string>{"y", "x", "", "y", "x"}));
    EXPECT_EQ(col("tsn")->ints, ts);
    EXPECT_EQ(col("dec")->scale, 3);
    EXPECT_EQ(col("dec")->ints[0], 12345);
    EXPECT_EQ(col("")->type, TypeCode::timestamp);
    EXPECT_EQ(col("")->ints, (std::vector<std::int64_t>{10'000'000, 20'000'000, 30'000'000,
                                                        40'000'000, 50'000'000}));
}

TEST(Chunk, SpecNullableVarcharExampleBytes) {
    // Spec "Nullable VARCHAR column": 4 rows, row 1 NULL -> 01 02, offsets 0 3 6 9, foobarbaz.
    const std::vector<std::int32_t> offsets = {0, 3, 3, 6, 9};
    const std::string data = "foobarbaz";
    const std::vector<std::uint8_t> validity = {0b1101};
    const std::vector<std::int64_t> ts = {1, 2, 3, 4};
    Chunk c("t");
    c.column_varchar("s", offsets,
                     {reinterpret_cast<const std::uint8_t*>(data.data()), data.size()}, validity)
        .designated_timestamp_micros(ts);
    SymbolDictionary dict;
    const auto frames = encode(c, dict);
    const std::string expected =
        "0102"
        "00000000030000000600000009000000"
        "666f6f62617262617a";
    EXPECT_NE(hex(frames.frame(0)).find(expected), std::string::npos) << hex(frames.frame(0));
}

TEST(Chunk, DesignatedMillisScaleAndGorilla) {
    std::vector<std::int64_t> ms(100);
    for (int i = 0; i < 100; ++i)
        ms[i] = 1'700'000'000'000 + i * 10;
    Chunk c("t");
    std::vector<std::int64_t> v(100, 1);
    c.column_i64("v", v).designated_timestamp_millis(ms);
    SymbolDictionary dict;
    EncodeOptions opt;
    opt.gorilla = true;
    auto frames = encode(c, dict, opt);
    IngressDecoderState state;
    auto msg = decode_ingress_message(frames.frame(0), state);
    ASSERT_TRUE(msg.ok());
    const auto* ts = msg.value().tables[0].column("");
    EXPECT_EQ(ts->timestamp_encoding, 1);
    EXPECT_EQ(ts->ints[99], (1'700'000'000'000 + 990) * 1000);
    EXPECT_LT(frames.frame(0).size(), 100u * 8 + 100);
}

// Checklist H4: table and column names up to 127 bytes; at most 2,048 columns per table on
// the wire, one of them kept for the designated timestamp.
TEST(Chunk, NameLengthAndColumnCountFollowTheIngressLimitsH4) {
    EXPECT_NO_THROW({ Chunk longest(std::string(127, 't')); });
    expect_code(ErrorCode::invalid_name, [] { Chunk too_long(std::string(128, 't')); });
    const std::vector<std::int64_t> one = {1};
    Chunk c("wide");
    c.column_i64(std::string(127, 'n'), one);
    for (int i = 1; i < 2047; ++i) {
        c.column_i64("c" + std::to_string(i), one);
    }
    expect_code(ErrorCode::limit_exceeded, [&] { c.column_i64("c2047", one); });
    EXPECT_EQ(c.row_count(), 1u) << "the refused column left the chunk as it was";
}

TEST(Chunk, ErrorsLeaveChunkUnchangedAndUsable) {
    const std::vector<std::int64_t> three = {1, 2, 3};
    const std::vector<std::int64_t> two = {1, 2};
    const std::vector<std::int64_t> ts = {1, 2, 3};
    Chunk c("t");
    c.column_i64("a", three);
    const std::vector<std::uint8_t> short_validity;
    expect_code(ErrorCode::invalid_api_call, [&] { c.column_i64("b", two); });
    expect_code(ErrorCode::invalid_api_call, [&] { c.column_i64("a", three); });
    expect_code(ErrorCode::invalid_name, [&] { c.column_i64("bad.name", three); });
    expect_code(ErrorCode::invalid_name, [&] { c.column_i64("bad-name", three); });
    expect_code(ErrorCode::invalid_name, [&] { c.column_i64(std::string(128, 'x'), three); });
    expect_code(ErrorCode::invalid_name, [&] { c.column_i64("", three); });
    const std::vector<std::uint8_t> empty_validity_for_9 = {0xFF};
    const std::vector<std::int64_t> nine(9, 0);
    Chunk c9("t9");
    expect_code(ErrorCode::invalid_api_call,
                [&] { c9.column_i64("x", nine, empty_validity_for_9); });
    // VARCHAR offsets and UTF-8.
    const std::string bytes = "ab\xC3\xA9";
    const std::span<const std::uint8_t> b{reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                          bytes.size()};
    const std::vector<std::int32_t> dec = {0, 2, 1, 3};
    const std::vector<std::int32_t> past = {0, 1, 2, 5};
    const std::vector<std::int32_t> neg = {-1, 1, 2, 3};
    const std::vector<std::int32_t> split = {0, 1, 3, 4};
    expect_code(ErrorCode::invalid_api_call, [&] { c.column_varchar("s", dec, b); });
    expect_code(ErrorCode::invalid_api_call, [&] { c.column_varchar("s", past, b); });
    expect_code(ErrorCode::invalid_api_call, [&] { c.column_varchar("s", neg, b); });
    expect_code(ErrorCode::invalid_utf8, [&] { c.column_varchar("s", split, b); });
    const std::string bad_utf8 = "a\xFF\xFE";
    const std::vector<std::int32_t> ok3 = {0, 1, 2, 3};
    expect_code(ErrorCode::invalid_utf8, [&] {
        c.column_varchar("s", ok3, {reinterpret_cast<const std::uint8_t*>(bad_utf8.data()), 3});
    });
    // Binary takes any bytes.
    // Symbols.
    const std::vector<std::int32_t> codes = {0, 1, 2};
    const std::vector<std::int32_t> dict_off = {0, 1, 2};
    const std::string dict = "xy";
    const std::span<const std::uint8_t> db{reinterpret_cast<const std::uint8_t*>(dict.data()), 2};
    expect_code(ErrorCode::invalid_api_call,
                [&] { c.symbol_dict_i32("sym", codes, dict_off, db); });
    const std::vector<std::int32_t> bad_dict_off = {0, 1, 3};
    const std::vector<std::int32_t> codes_ok = {0, 1, 1};
    expect_code(ErrorCode::invalid_api_call,
                [&] { c.symbol_dict_i32("sym", codes_ok, bad_dict_off, db); });
    const std::string bad_dict = "x\xFF";
    expect_code(ErrorCode::invalid_utf8, [&] {
        c.symbol_dict_i32("sym", codes_ok, dict_off,
                          {reinterpret_cast<const std::uint8_t*>(bad_dict.data()), 2});
    });
    // Decimals, geohash, arrays, booleans.
    expect_code(ErrorCode::invalid_decimal, [&] { c.column_dec64("d", three, 77); });
    const std::vector<std::uint64_t> g = {1, 2, 3};
    expect_code(ErrorCode::invalid_api_call, [&] { c.column_geohash("g", g, 61); });
    expect_code(ErrorCode::invalid_api_call, [&] { c.column_geohash("g", g, 0); });
    const std::vector<std::int64_t> arr_off = {0, 2, 1, 2};
    const std::vector<double> arr_vals = {1, 2};
    expect_code(ErrorCode::array_error, [&] { c.column_arr_f64("arr", arr_off, arr_vals); });
    const std::vector<std::int64_t> arr_past = {0, 1, 2, 3};
    expect_code(ErrorCode::array_error, [&] { c.column_arr_f64("arr", arr_past, arr_vals); });
    const std::vector<std::uint8_t> no_bits;
    expect_code(ErrorCode::invalid_api_call, [&] { c.column_bool("bo", no_bits, 3); });
    // Designated timestamp.
    const std::vector<std::int64_t> negative = {1, -1, 3};
    expect_code(ErrorCode::invalid_timestamp, [&] { c.designated_timestamp_nanos(negative); });
    const std::vector<std::int64_t> huge = {1, INT64_MAX / 10, 3};
    expect_code(ErrorCode::invalid_timestamp, [&] { c.designated_timestamp_seconds(huge); });
    expect_code(ErrorCode::invalid_api_call, [&] { c.designated_timestamp_nanos(two); });
    expect_code(ErrorCode::invalid_name, [] { Chunk bad("a..b"); });
    expect_code(ErrorCode::invalid_name, [] { Chunk bad(".a"); });
    expect_code(ErrorCode::invalid_name, [] { Chunk bad("a?b"); });
    expect_code(ErrorCode::invalid_name, [] { Chunk bad(""); });

    // Nothing above changed the chunk: one column, three rows, and it still encodes.
    EXPECT_EQ(c.row_count(), 3u);
    c.designated_timestamp_nanos(ts);
    expect_code(ErrorCode::invalid_api_call, [&] { c.designated_timestamp_nanos(ts); });
    expect_code(ErrorCode::invalid_api_call, [&] { c.at_now(); });
    const auto t = round_trip(c);
    ASSERT_EQ(t.columns.size(), 2u);
    EXPECT_EQ(t.columns[0].ints, three);
}

// The per-value checks scan in blocks of 256 values and search only a block with a hit, so the
// first bad value must be reported wherever it sits: at a block's edges, alone or after
// another bad value in a later block.
std::string message_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.what();
    }
    return "no exception";
}

TEST(Chunk, LongColumnsReportTheFirstBadValueWhereverItIs) {
    constexpr std::size_t kRows = 1000;
    for (const std::size_t bad : {std::size_t{0}, std::size_t{255}, std::size_t{256},
                                  std::size_t{257}, std::size_t{511}, kRows - 1}) {
        const std::string at = "at row " + std::to_string(bad) + " ";
        std::vector<std::int64_t> ts(kRows, 1);
        ts[bad] = -5;
        if (bad + 300 < kRows)
            ts[bad + 300] = -6;  // a later hit in another block must not win
        Chunk c("t");
        EXPECT_NE(message_of([&] { c.designated_timestamp_nanos(ts); }).find(at),
                  std::string::npos);

        std::vector<std::int16_t> codes(kRows, 1);
        codes[bad] = 2;  // == dictionary size
        const std::vector<std::int32_t> dict_off = {0, 1, 2};
        const std::string dict = "xy";
        const std::span<const std::uint8_t> db{reinterpret_cast<const std::uint8_t*>(dict.data()),
                                               2};
        EXPECT_NE(message_of([&] { c.symbol_dict_i16("sym", codes, dict_off, db); }).find(at),
                  std::string::npos);

        std::vector<std::int32_t> offsets(kRows + 1);
        for (std::size_t i = 0; i <= kRows; ++i)
            offsets[i] = static_cast<std::int32_t>(i);
        offsets[bad + 1] = offsets[bad] - 1 < 0 ? 0 : offsets[bad] - 1;
        const std::string text(kRows, 'v');
        const std::span<const std::uint8_t> tb{reinterpret_cast<const std::uint8_t*>(text.data()),
                                               text.size()};
        if (bad > 0) {  // offsets[1] = 0 after offsets[0] = 0 is no decrease
            EXPECT_NE(message_of([&] {
                          c.column_varchar("s", offsets, tb);
                      }).find("decrease at index " + std::to_string(bad + 1) + " "),
                      std::string::npos);
        }
        EXPECT_TRUE(c.is_empty());
    }
}

TEST(Chunk, SymbolCodesAreCheckedAsSignedValuesAndOnlyOnNonNullRows) {
    // 200 entries: a code of -56 is 200 as an unsigned byte, one past the end, and -1 is 255.
    std::vector<std::int32_t> dict_off(201);
    for (std::size_t i = 0; i <= 200; ++i)
        dict_off[i] = static_cast<std::int32_t>(i);
    const std::string dict(200, 'd');
    const std::span<const std::uint8_t> db{reinterpret_cast<const std::uint8_t*>(dict.data()),
                                           dict.size()};
    for (const std::int8_t bad : {std::int8_t{-56}, std::int8_t{-1}, std::int8_t{-128}}) {
        Chunk c("t");
        const std::vector<std::int8_t> codes = {0, 127, bad};
        expect_code(ErrorCode::invalid_api_call,
                    [&] { c.symbol_dict_i8("sym", codes, dict_off, db); });
        // The same code on a null row is never read.
        const std::vector<std::uint8_t> validity = {0b011};
        c.symbol_dict_i8("sym", codes, dict_off, db, validity);
        EXPECT_EQ(c.row_count(), 3u);
    }
    Chunk empty("t");
    const std::vector<std::int32_t> no_entries = {0};
    const std::vector<std::int8_t> zero = {0};
    expect_code(ErrorCode::invalid_api_call,
                [&] { empty.symbol_dict_i8("sym", zero, no_entries, {}); });
}

TEST(Chunk, MissingDesignatedTimestampFailsAtEncodeAndAtNowOmitsIt) {
    const std::vector<std::int64_t> v = {1, 2};
    Chunk c("t");
    c.column_i64("v", v);
    MessageEncoder enc;
    SymbolDictionary dict;
    EncodedFrames out;
    auto st = questdb::ingress::encode_chunk(enc, c, dict, {}, out);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.failure().code, ErrorCode::invalid_api_call);
    c.at_now();
    const auto t = round_trip(c);
    ASSERT_EQ(t.columns.size(), 1u);
    EXPECT_EQ(t.columns[0].name, "v");
}

TEST(Chunk, ClearEndsBorrowsAndKeepsTable) {
    const std::vector<std::int64_t> v = {1, 2};
    Chunk c("t");
    EXPECT_TRUE(c.is_empty());
    c.column_i64("v", v).at_now();
    EXPECT_FALSE(c.is_empty());
    c.clear();
    EXPECT_TRUE(c.is_empty());
    EXPECT_EQ(c.row_count(), 0u);
    EXPECT_EQ(c.table(), "t");
    const std::vector<std::int64_t> three = {1, 2, 3};
    c.column_i64("v", three).designated_timestamp_micros(three);
    EXPECT_EQ(round_trip(c).row_count, 3u);
    Chunk moved = std::move(c);
    EXPECT_EQ(moved.row_count(), 3u);
}

TEST(Chunk, LargeChunkSplitsAcrossFramesAtUnalignedRows) {
    const std::size_t rows = 10'007;
    std::vector<std::int64_t> v(rows), ts(rows);
    std::vector<std::uint8_t> validity((rows + 7) / 8);
    std::vector<std::uint8_t> bools((rows + 7) / 8);
    for (std::size_t i = 0; i < rows; ++i) {
        v[i] = static_cast<std::int64_t>(i);
        ts[i] = static_cast<std::int64_t>(i) * 1000;
        if (i % 3 != 0)
            validity[i / 8] |= 1 << (i % 8);
        if (i % 5 == 0)
            bools[i / 8] |= 1 << (i % 8);
    }
    Chunk c("t");
    c.column_i64("v", v, validity)
        .column_bool("b", bools, rows, validity)
        .designated_timestamp_nanos(ts);
    SymbolDictionary dict;
    EncodeOptions opt;
    opt.max_frame_size = 1000;
    opt.gorilla = true;
    auto frames = encode(c, dict, opt);
    ASSERT_GT(frames.count(), 20u);
    IngressDecoderState state;
    const std::size_t decoded =
        for_each_row(frames, state, [](const DecodedTable& t, std::size_t r, std::size_t row) {
            const bool valid = row % 3 != 0;
            ASSERT_EQ(t.columns[0].is_null(r), !valid) << row;
            if (valid) {
                ASSERT_EQ(t.columns[0].ints[r], static_cast<std::int64_t>(row));
            }
            ASSERT_EQ(t.columns[1].ints[r], valid && row % 5 == 0 ? 1 : 0) << row;
            ASSERT_EQ(t.columns[2].ints[r], static_cast<std::int64_t>(row) * 1000);
        });
    EXPECT_EQ(decoded, rows);
}

// The encoder's symbol shortcuts: a chunk's codes are checked by its setter, so the scan for
// referenced entries stops once all are found, and a dictionary whose ids are its slots plus
// a constant is written with an add instead of a lookup. Each chunk below takes another path:
// ids equal to slots, ids shifted by a constant, ids in another order, and a dictionary with
// entries no row uses (the scan cannot stop early). Frames are small so that later frames
// start their VARCHAR offsets mid-column.
TEST(Chunk, SymbolIdsAndRebasedOffsetsSurviveEveryEncoderShortcut) {
    struct Dictionary {
        std::vector<std::int32_t> offsets{0};
        std::string bytes;
        explicit Dictionary(std::initializer_list<const char*> entries) {
            for (const char* e : entries) {
                bytes += e;
                offsets.push_back(static_cast<std::int32_t>(bytes.size()));
            }
        }
        [[nodiscard]] std::span<const std::uint8_t> data() const {
            return {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()};
        }
        [[nodiscard]] std::string entry(std::int32_t code) const {
            const auto at = static_cast<std::size_t>(offsets[static_cast<std::size_t>(code)]);
            const auto end = static_cast<std::size_t>(offsets[static_cast<std::size_t>(code) + 1]);
            return bytes.substr(at, end - at);
        }
    };
    const Dictionary in_order{"a", "b", "c"};
    const Dictionary later{"d", "e"};           // interned after a..c: ids 3, 4
    const Dictionary reordered{"c", "a", "b"};  // ids 2, 0, 1: no constant shift
    const Dictionary sparse{"x", "unused", "y", "b"};
    const std::size_t rows = 3'001;
    std::vector<std::int32_t> codes3(rows), codes2(rows), codes_sparse(rows);
    std::vector<std::int64_t> ts(rows);
    std::vector<std::int32_t> note_offsets{0};
    std::string notes;
    for (std::size_t i = 0; i < rows; ++i) {
        codes3[i] = static_cast<std::int32_t>((i * 7) % 3);
        codes2[i] = static_cast<std::int32_t>(i % 2);
        codes_sparse[i] = i % 3 == 0 ? 0 : (i % 3 == 1 ? 2 : 3);  // entry 1 never used
        ts[i] = kBase + static_cast<std::int64_t>(i);
        notes += "n" + std::to_string(i);
        note_offsets.push_back(static_cast<std::int32_t>(notes.size()));
    }
    const std::span<const std::uint8_t> note_bytes{
        reinterpret_cast<const std::uint8_t*>(notes.data()), notes.size()};

    SymbolDictionary dict;
    IngressDecoderState state;
    EncodeOptions opt;
    opt.max_frame_size = 4096;
    const auto check = [&](const Dictionary& first, const std::vector<std::int32_t>& first_codes,
                           const Dictionary& second,
                           const std::vector<std::int32_t>& second_codes) {
        Chunk c("t");
        c.symbol_dict_i32("s1", first_codes, first.offsets, first.data())
            .symbol_dict_i32("s2", second_codes, second.offsets, second.data())
            .column_varchar("note", note_offsets, note_bytes)
            .designated_timestamp_micros(ts);
        const auto frames = encode(c, dict, opt);
        ASSERT_GT(frames.count(), 3u);
        const std::size_t decoded =
            for_each_row(frames, state, [&](const DecodedTable& t, std::size_t r, std::size_t row) {
                ASSERT_EQ(t.column("s1")->bytes[r], first.entry(first_codes[row])) << row;
                ASSERT_EQ(t.column("s2")->bytes[r], second.entry(second_codes[row])) << row;
                ASSERT_EQ(t.column("note")->bytes[r], "n" + std::to_string(row));
            });
        EXPECT_EQ(decoded, rows);
    };
    check(in_order, codes3, later, codes2);
    check(reordered, codes3, sparse, codes_sparse);
    EXPECT_EQ(dict.size(), 7u) << "a..e, x and y: the unused entry is never interned";
}

// Ids of one, two and three varint bytes come from the encoder's per-slot table; a chunk
// whose rows reach id 20,000 exercises all three lengths and the table's four-byte stores,
// including the last row of each frame. The second encode reuses the dictionary, so every id
// comes from the previous encode's guess; the third follows a cleared sender dictionary (as
// after a reconnect), so every guess is stale and must be interned again.
TEST(Chunk, SymbolIdsOfEveryVarintLengthRoundTrip) {
    constexpr std::size_t kEntries = 20'000;
    std::vector<std::int32_t> dict_offsets{0};
    std::string dict_bytes;
    for (std::size_t i = 0; i < kEntries; ++i) {
        dict_bytes += "v" + std::to_string(i);
        dict_offsets.push_back(static_cast<std::int32_t>(dict_bytes.size()));
    }
    const std::span<const std::uint8_t> bytes{
        reinterpret_cast<const std::uint8_t*>(dict_bytes.data()), dict_bytes.size()};
    std::vector<std::int32_t> codes(kEntries + 3);
    std::vector<std::int64_t> ts(codes.size());
    for (std::size_t i = 0; i < codes.size(); ++i) {
        // Every entry once (ids equal slots), then the last ids of one and two bytes and the
        // last entry again.
        codes[i] = i < kEntries ? static_cast<std::int32_t>(i)
                                : std::array<std::int32_t, 3>{0x7F, 0x3FFF, 19'999}[i - kEntries];
        ts[i] = kBase + static_cast<std::int64_t>(i);
    }
    SymbolDictionary dict;
    IngressDecoderState state;
    EncodeOptions opt;
    opt.max_frame_size = 8192;
    for (int round = 0; round < 3; ++round) {
        if (round == 2) {
            dict.clear();
            state = IngressDecoderState{};
        }
        Chunk c("t");
        c.symbol_dict_i32("s", codes, dict_offsets, bytes).designated_timestamp_micros(ts);
        const auto frames = encode(c, dict, opt);
        const std::size_t decoded =
            for_each_row(frames, state, [&](const DecodedTable& t, std::size_t r, std::size_t row) {
                ASSERT_EQ(t.columns[0].bytes[r], "v" + std::to_string(codes[row]))
                    << "round " << round << ", row " << row;
            });
        EXPECT_EQ(decoded, codes.size());
        EXPECT_EQ(dict.size(), kEntries);
    }
}

}  // namespace

namespace {

// Row shapes [2,3], NULL, [0,4], [1,1,1]-as-rank-2 is not allowed, so [1,1]; the null row's
// shape and range are garbage on purpose (they must be ignored).
struct TensorInput {
    std::vector<std::int32_t> shapes = {2, 3, -7, 99, 0, 4, 1, 1};
    std::vector<std::int64_t> offsets = {0, 6, 9, 9, 10};
    std::vector<double> values = {1, 2, 3, 4, 5, 6, -1, -2, -3, 42};
    std::vector<std::int64_t> longs = {1, 2, 3, 4, 5, 6, -1, -2, -3, 42};
    std::vector<std::uint8_t> validity = {0b1101};
    std::vector<std::int64_t> ts = {kBase, kBase + 1, kBase + 2, kBase + 3};
};

TEST(ChunkArrays, NDimensionalRowsRoundTripWithShapesNullsAndEmptyArrays) {
    const TensorInput in;
    Chunk c("t");
    c.column_arr_f64("m", 2, in.shapes, in.offsets, in.values, in.validity)
        .column_arr_i64("l", 2, in.shapes, in.offsets, in.longs, in.validity)
        .designated_timestamp_nanos(in.ts);
    const auto t = round_trip(c);
    ASSERT_EQ(t.columns.size(), 3u);
    for (int ci = 0; ci < 2; ++ci) {
        const auto& col = t.columns[static_cast<std::size_t>(ci)];
        EXPECT_EQ(col.type, ci == 0 ? TypeCode::double_array : TypeCode::long_array);
        ASSERT_EQ(col.arrays.size(), 4u);
        EXPECT_FALSE(col.is_null(0));
        EXPECT_TRUE(col.is_null(1));
        EXPECT_FALSE(col.is_null(2));  // [0, 4] is empty, not NULL
        EXPECT_EQ(col.arrays[0].shape, (std::vector<std::int32_t>{2, 3}));
        EXPECT_EQ(col.arrays[2].shape, (std::vector<std::int32_t>{0, 4}));
        EXPECT_EQ(col.arrays[3].shape, (std::vector<std::int32_t>{1, 1}));
    }
    EXPECT_EQ(t.columns[0].arrays[0].doubles, (std::vector<double>{1, 2, 3, 4, 5, 6}));
    EXPECT_TRUE(t.columns[0].arrays[2].doubles.empty());
    EXPECT_EQ(t.columns[0].arrays[3].doubles, (std::vector<double>{42}));
    EXPECT_EQ(t.columns[1].arrays[0].longs, (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6}));
}

// The spec's array layout, byte by byte: n_dims u8, dims i32 LE, elements LE.
TEST(ChunkArrays, NDimensionalWireBytesFollowTheSpec) {
    const std::vector<std::int32_t> shapes = {2, 1, 0, 3};
    const std::vector<std::int64_t> offsets = {0, 2, 2};
    const std::vector<std::int64_t> longs = {0x0102, -1};
    const std::vector<std::int64_t> ts = {1, 2};
    Chunk c("t");
    c.column_arr_i64("a", 2, shapes, offsets, longs).designated_timestamp_nanos(ts);
    SymbolDictionary dict;
    const auto frames = encode(c, dict);
    const std::string wire = hex(frames.frame(0));
    const std::string row0 =
        "02"
        "02000000"
        "01000000"
        "0201000000000000"
        "ffffffffffffffff";
    const std::string row1 =
        "02"
        "00000000"
        "03000000";
    EXPECT_NE(wire.find(row0 + row1), std::string::npos) << wire;
}

TEST(ChunkArrays, OneDimensionalRankMatchesTheListSetterByteForByte) {
    const std::vector<std::int64_t> offsets = {0, 2, 2, 5};
    const std::vector<double> values = {1, 2, 3, 4, 5};
    const std::vector<std::int32_t> shapes = {2, 0, 3};
    const std::vector<std::uint8_t> validity = {0b101};
    const std::vector<std::int64_t> ts = {1, 2, 3};
    Chunk list("t");
    list.column_arr_f64("a", offsets, values, validity).designated_timestamp_nanos(ts);
    Chunk tensor("t");
    tensor.column_arr_f64("a", 1, shapes, offsets, values, validity).designated_timestamp_nanos(ts);
    SymbolDictionary d1, d2;
    EXPECT_EQ(hex(encode(list, d1).frame(0)), hex(encode(tensor, d2).frame(0)));
}

TEST(ChunkArrays, BadShapesAreArrayErrorsAndLeaveTheChunkUsable) {
    const TensorInput in;
    Chunk c("t");
    c.designated_timestamp_nanos(in.ts);
    const std::vector<double>& v = in.values;
    // Rank out of range.
    expect_code(ErrorCode::array_error,
                [&] { c.column_arr_f64("m", 0, {}, in.offsets, v, in.validity); });
    const std::vector<std::int32_t> rank33(4 * 33, 1);
    expect_code(ErrorCode::array_error,
                [&] { c.column_arr_f64("m", 33, rank33, in.offsets, v, in.validity); });
    // Shapes not row_count * rank.
    const std::vector<std::int32_t> short_shapes = {2, 3, 0, 0, 0, 4, 1};
    expect_code(ErrorCode::array_error,
                [&] { c.column_arr_f64("m", 2, short_shapes, in.offsets, v, in.validity); });
    // Product differs from the element range (row 0: 2x2 but 6 values).
    auto wrong = in.shapes;
    wrong[1] = 2;
    expect_code(ErrorCode::array_error,
                [&] { c.column_arr_f64("m", 2, wrong, in.offsets, v, in.validity); });
    // Garbage in a null row is fine, but the same row made valid is checked.
    expect_code(ErrorCode::array_error,
                [&] { c.column_arr_f64("m", 2, in.shapes, in.offsets, v); });
    // Negative dimension in a valid row.
    auto negative = in.shapes;
    negative[2 * 2] = -1;
    const std::vector<std::uint8_t> all = {0b1111};
    expect_code(ErrorCode::array_error,
                [&] { c.column_arr_f64("m", 2, negative, in.offsets, v, all); });
    // Over 2^26 elements (the shape product saturates instead of overflowing).
    const std::vector<std::int32_t> huge = {1 << 14, 1 << 13, 0x7FFFFFFF, 0x7FFFFFFF};
    const std::vector<std::int64_t> two_rows = {0, 0, 0};
    Chunk big("t");
    expect_code(ErrorCode::array_error, [&] { big.column_arr_f64("m", 2, huge, two_rows, v); });
    // Offsets still checked, as for 1-D.
    const std::vector<std::int64_t> decreasing = {0, 6, 5, 9, 10};
    expect_code(ErrorCode::array_error,
                [&] { c.column_arr_f64("m", 2, in.shapes, decreasing, v, in.validity); });
    // Row count differing from the chunk's.
    const std::vector<std::int64_t> three_rows = {0, 6, 9, 9};
    expect_code(ErrorCode::invalid_api_call, [&] {
        c.column_arr_f64("m", 2, std::span(in.shapes).first(6), three_rows, v, in.validity);
    });

    // Nothing stuck: the same column name is still free and the chunk encodes.
    c.column_arr_f64("m", 2, in.shapes, in.offsets, v, in.validity);
    const auto t = round_trip(c);
    ASSERT_EQ(t.columns.size(), 2u);
    EXPECT_EQ(t.columns[0].arrays[0].shape, (std::vector<std::int32_t>{2, 3}));
}

}  // namespace
