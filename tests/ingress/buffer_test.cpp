#include "questdb/ingress/buffer.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ingress/encode.hpp"
#include "qwp/decoder.hpp"
#include "support/fixtures.hpp"

namespace {

using questdb::Error;
using questdb::ErrorCode;
using questdb::ingress::Buffer;
using questdb::ingress::BufferOptions;
using questdb::ingress::TimestampMicros;
using questdb::ingress::TimestampNanos;
using namespace questdb::qwp;

constexpr std::int64_t kBase = 1700000000000000000LL;

std::string hex(std::span<const std::uint8_t> s) {
    return questdb::test::to_hex(s.data(), s.size());
}

EncodedFrames encode(const Buffer& b, SymbolDictionary& dict, const EncodeOptions& opt = {}) {
    MessageEncoder enc;
    EncodedFrames out;
    auto st = questdb::ingress::encode_buffer(enc, b, dict, opt, out);
    EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.failure().message);
    return out;
}

DecodedMessage round_trip(const Buffer& b) {
    SymbolDictionary dict;
    auto frames = encode(b, dict);
    EXPECT_EQ(frames.count(), 1u);
    IngressDecoderState state;
    if (frames.count() == 0)
        return {};
    auto msg = decode_ingress_message(frames.frame(0), state);
    EXPECT_TRUE(msg.ok()) << (msg.ok() ? "" : msg.failure().message);
    return msg.ok() ? std::move(msg).value() : DecodedMessage{};
}

void expect_code(ErrorCode code, const std::function<void()>& fn) {
    try {
        fn();
        ADD_FAILURE() << "no exception, expected " << questdb::to_string(code);
    } catch (const Error& e) {
        EXPECT_EQ(e.error_code(), code) << e.what();
    }
}

TEST(Buffer, MatchesSharedFixturesByteForByte) {
    Buffer b;
    for (int i = 0; i < 10; ++i) {
        b.table("trades")
            .symbol("sym", "SYM_00" + std::to_string(i))
            .column_i64("qty", i)
            .column_f64("px", 100.0 + i)
            .at(TimestampNanos(kBase + i));
    }
    EXPECT_EQ(b.row_count(), 10u);
    SymbolDictionary dict;
    auto frames = encode(b, dict);
    ASSERT_EQ(frames.count(), 1u);
    EXPECT_EQ(hex(frames.frame(0)),
              hex(questdb::test::load_hex_fixture("qwp/trades-10rows-replay.hex")));

    b.clear();
    b.table("trades")
        .symbol("sym", "SYM_009")
        .column_i64("qty", 99)
        .column_f64("px", 999.5)
        .at(TimestampNanos(kBase + 1000));
    EncodeOptions replay;
    replay.symbol_mode = SymbolMode::self_contained;
    auto second = encode(b, dict, replay);
    EXPECT_EQ(hex(second.frame(0)),
              hex(questdb::test::load_hex_fixture("qwp/trades-1row-after-10-symbols.hex")));
}

TEST(Buffer, EverySetterRoundTrips) {
    Buffer b;
    const std::vector<std::uint8_t> blob = {0, 1, 255};
    const std::vector<std::vector<double>> matrix = {{1, 2, 3}, {4, 5, 6}};
    b.table("t")
        .symbol("s", "alpha")
        .column_bool("bo", true)
        .column_i8("i8", -8)
        .column_i16("i16", -16)
        .column_i32("i32", -32)
        .column_i64("i64", -64)
        .column_f32("f32", 3.5f)
        .column_f64("f64", 6.25)
        .column_str("str", "h\xC3\xA9llo")
        .column_char("ch", u'\u00e9')
        .column_uuid("u", 0x1111, 0x2222)
        .column_long256("l", {1, 2, 3, 4})
        .column_ipv4("ip", 0xC0A80001)
        .column_date("d", 1234)
        .column_binary("bin", blob)
        .column_geohash("g", 0xABCDE, 20)
        .column_dec("dec", "-123.450")
        .column_dec64("d64", 12345, 3)
        .column_dec128("d128", 7, 0, 2)
        .column_arr("arr", matrix)
        .column_arr("larr", std::vector<std::int64_t>{9, 8})
        .column_ts("tsu", TimestampMicros(5))
        .column_ts("tsn", TimestampNanos(6))
        .at(TimestampMicros(1000));
    const auto msg = round_trip(b);
    ASSERT_EQ(msg.tables.size(), 1u);
    const auto& t = msg.tables[0];
    auto c = [&](std::string_view n) { return t.column(n); };
    EXPECT_EQ(c("s")->bytes[0], "alpha");
    EXPECT_EQ(c("bo")->ints[0], 1);
    EXPECT_EQ(c("i8")->ints[0], -8);
    EXPECT_EQ(c("i16")->ints[0], -16);
    EXPECT_EQ(c("i32")->ints[0], -32);
    EXPECT_EQ(c("i64")->ints[0], -64);
    EXPECT_EQ(c("f32")->floats[0], 3.5);
    EXPECT_EQ(c("f64")->floats[0], 6.25);
    EXPECT_EQ(c("str")->bytes[0], "h\xC3\xA9llo");
    EXPECT_EQ(c("ch")->ints[0], 0xE9);
    EXPECT_EQ(c("u")->bytes[0], std::string("\x11\x11\0\0\0\0\0\0\x22\x22\0\0\0\0\0\0", 16));
    EXPECT_EQ(c("l")->bytes[0][0], 1);
    EXPECT_EQ(c("l")->bytes[0][24], 4);
    EXPECT_EQ(c("ip")->ints[0], 0xC0A80001);
    EXPECT_EQ(c("d")->type, TypeCode::date);
    EXPECT_EQ(c("bin")->bytes[0], std::string("\0\x01\xFF", 3));
    EXPECT_EQ(c("g")->ints[0], 0xABCDE);
    EXPECT_EQ(c("dec")->type, TypeCode::decimal256);
    EXPECT_EQ(c("dec")->scale, 3);
    std::string minus123450(32, '\xFF');
    const std::int64_t v = -123450;
    std::memcpy(minus123450.data(), &v, 8);
    EXPECT_EQ(c("dec")->bytes[0], minus123450);
    EXPECT_EQ(c("d64")->ints[0], 12345);
    EXPECT_EQ(c("d128")->scale, 2);
    EXPECT_EQ(c("arr")->arrays[0].shape, (std::vector<std::int32_t>{2, 3}));
    EXPECT_EQ(c("arr")->arrays[0].doubles, (std::vector<double>{1, 2, 3, 4, 5, 6}));
    EXPECT_EQ(c("larr")->arrays[0].longs, (std::vector<std::int64_t>{9, 8}));
    EXPECT_EQ(c("tsu")->type, TypeCode::timestamp);
    EXPECT_EQ(c("tsn")->type, TypeCode::timestamp_nanos);
    EXPECT_EQ(c("")->ints[0], 1000);
}

TEST(Buffer, OmittedAndLateColumnsAreNullAcrossTables) {
    Buffer b;
    b.table("a").column_i64("x", 1).at_now();
    b.table("b").column_str("s", "one").at(TimestampNanos(5));
    b.table("a").column_i64("y", 2).at_now();  // x omitted, y first seen late
    b.table("a").column_i64("x", 3).column_i64("y", 4).at(TimestampMicros(7));
    EXPECT_FALSE(b.transactional());
    EXPECT_EQ(b.row_count(), 4u);
    const auto msg = round_trip(b);
    ASSERT_EQ(msg.tables.size(), 2u);
    const auto& a = msg.tables[0];
    EXPECT_EQ(a.name, "a");
    ASSERT_EQ(a.row_count, 3u);
    EXPECT_EQ(a.column("x")->nulls, (std::vector<std::uint8_t>{0, 1, 0}));
    EXPECT_EQ(a.column("x")->ints[2], 3);
    EXPECT_EQ(a.column("y")->nulls, (std::vector<std::uint8_t>{1, 0, 0}));
    EXPECT_EQ(a.column("")->nulls, (std::vector<std::uint8_t>{1, 1, 0}));
    EXPECT_EQ(a.column("")->ints[2], 7);
    EXPECT_EQ(msg.tables[1].column("s")->bytes[0], "one");
}

TEST(Buffer, OptionalSettersAndDuplicates) {
    Buffer b;
    b.table("t")
        .symbol_opt("s", std::nullopt)
        .column_i64_opt("a", std::nullopt)
        .column_i64_opt("b", 5)
        .column_i64("b", 6)  // duplicate in the row: first wins
        .column_str_opt("c", std::nullopt)
        .column_f64_opt("d", 1.5)
        .at_now();
    b.table("t").column_i64_opt("a", 1).at_now();
    const auto msg = round_trip(b);
    const auto& t = msg.tables[0];
    EXPECT_EQ(t.column("s"), nullptr);
    EXPECT_EQ(t.column("b")->ints[0], 5);
    EXPECT_EQ(t.column("a")->nulls, (std::vector<std::uint8_t>{1, 0}));
    EXPECT_TRUE(b.transactional());
}

// Checklist H4: names up to 127 bytes by default; at most 2,048 columns per table.
TEST(Buffer, NameLengthAndColumnCountFollowTheIngressLimitsH4) {
    Buffer b;
    b.table(std::string(127, 't')).column_i64(std::string(127, 'c'), 1).at_now();
    expect_code(ErrorCode::invalid_name, [&] { b.table(std::string(128, 't')); });
    auto& row = b.table("wide");
    for (int i = 0; i < 2048; ++i) {
        row.column_i64("c" + std::to_string(i), 1);
    }
    expect_code(ErrorCode::limit_exceeded, [&] { b.column_i64("c2048", 1); });
}

TEST(Buffer, ErrorsRewindToLastCompleteRow) {
    Buffer b;
    b.table("t").symbol("s", "x").column_i64("a", 1).at(TimestampNanos(1));
    const auto len = b.len();
    const auto partial = [&]() -> Buffer& {
        return b.table("t").symbol("s", "y").column_i64("new_col", 5);
    };
    expect_code(ErrorCode::invalid_api_call,
                [&] { partial().column_f64("a", 1.0); });  // type change
    expect_code(ErrorCode::invalid_name, [&] { partial().column_i64("bad.name", 1); });
    expect_code(ErrorCode::invalid_name, [&] { partial().column_i64(std::string(128, 'c'), 1); });
    expect_code(ErrorCode::invalid_utf8, [&] { partial().column_str("str", "\xFF"); });
    expect_code(ErrorCode::invalid_api_call, [&] { partial().symbol("s2", "late"); });  // order
    expect_code(ErrorCode::invalid_timestamp, [&] { partial().at(TimestampNanos(-1)); });
    expect_code(ErrorCode::invalid_api_call,
                [&] { partial().at(TimestampMicros(1)); });  // unit change
    expect_code(ErrorCode::invalid_decimal, [&] { partial().column_dec("dec", "1.2.3"); });
    expect_code(ErrorCode::invalid_decimal, [&] { partial().column_dec64("d64", 1, 77); });
    expect_code(ErrorCode::array_error, [&] {
        const std::vector<double> data = {1, 2, 3};
        const std::size_t shape[] = {2, 2};
        partial().column_arr("arr", data, shape);
    });
    expect_code(ErrorCode::array_error, [&] {
        const std::vector<double> data = {1, 2, 3};
        const std::size_t shape[] = {2, 2};
        const std::ptrdiff_t strides[] = {2, 1};
        partial().column_arr("arr", data, shape, strides);
    });
    expect_code(ErrorCode::array_error, [&] {
        partial().column_arr("arr", std::vector<std::vector<double>>{{1, 2}, {3}});
    });
    expect_code(ErrorCode::invalid_api_call, [&] { partial().column_geohash("g", 0xFF, 4); });
    expect_code(ErrorCode::invalid_api_call, [&] { partial().column_geohash("g", 1, 61); });
    expect_code(ErrorCode::invalid_name, [&] { b.table("bad?table"); });
    expect_code(ErrorCode::invalid_name, [&] { b.table("new_table").column_i64("-x", 1); });
    expect_code(ErrorCode::invalid_api_call, [&] { b.column_i64("x", 1); });   // no table
    expect_code(ErrorCode::invalid_api_call, [&] { b.table("t").at_now(); });  // no columns
    expect_code(ErrorCode::invalid_api_call, [&] { b.at_now(); });
    // Every failure discarded only its own row.
    EXPECT_EQ(b.row_count(), 1u);
    EXPECT_EQ(b.len(), len);
    b.table("t").symbol("s", "z").column_i64("a", 2).at(TimestampNanos(2));
    const auto msg = round_trip(b);
    ASSERT_EQ(msg.tables.size(), 1u);
    const auto& t = msg.tables[0];
    ASSERT_EQ(t.row_count, 2u);
    ASSERT_EQ(t.columns.size(), 3u);  // s, a, designated: nothing from the failed rows
    EXPECT_EQ(t.column("s")->bytes, (std::vector<std::string>{"x", "z"}));
    EXPECT_EQ(t.column("a")->ints, (std::vector<std::int64_t>{1, 2}));
}

// The encoder ships a Buffer column's whole dictionary without scanning the rows
// (ColumnSource::dict_all_used), so a value that only a failed row used must leave it: the
// bytes equal those of a buffer that never saw the failed rows, and a dropped value that
// comes back later takes the next id, as in that buffer.
TEST(Buffer, FailedRowsLeaveNoSymbolBehind) {
    Buffer with_failures;
    Buffer clean;
    for (int i = 0; i < 300; ++i) {
        const std::string v = "v" + std::to_string(i % 120);
        for (Buffer* b : {&with_failures, &clean}) {
            b->table("t").symbol("s", v).column_i64("x", i).at(TimestampNanos(kBase + i));
        }
        // New values (short and long ones) added by rows that then fail in different ways.
        expect_code(ErrorCode::invalid_api_call, [&] {
            with_failures.table("t")
                .symbol("s", "gone" + std::to_string(i))
                .column_f64("x", 1.0);  // type change
        });
        expect_code(ErrorCode::invalid_timestamp, [&] {
            with_failures.table("t")
                .symbol("s", "a long dropped value " + std::to_string(i))
                .column_i64("x", 1)
                .at(TimestampNanos(-1));
        });
        if (i % 50 == 49) {  // a dropped value comes back in a complete row
            const std::string back = "gone" + std::to_string(i - 7);
            for (Buffer* b : {&with_failures, &clean}) {
                b->table("t").symbol("s", back).column_i64("x", -i).at(TimestampNanos(kBase + i));
            }
        }
    }
    ASSERT_EQ(with_failures.row_count(), clean.row_count());
    SymbolDictionary d1;
    SymbolDictionary d2;
    const auto f1 = encode(with_failures, d1);
    const auto f2 = encode(clean, d2);
    EXPECT_EQ(d1.size(), 126u);  // v0..v119 and six values that came back
    EXPECT_EQ(d1.size(), d2.size());
    ASSERT_EQ(f1.count(), f2.count());
    EXPECT_EQ(hex(f1.bytes), hex(f2.bytes));
}

TEST(SymbolDictionary, PopBackForgetsExactlyTheNewestEntry) {
    SymbolDictionary dict;
    std::vector<std::string> values;
    for (int i = 0; i < 1000; ++i) {  // short and long values, several table growths
        values.push_back(i % 3 == 0 ? "long value number " + std::to_string(i)
                                    : "S" + std::to_string(i));
        ASSERT_EQ(dict.intern(values.back()).value(), static_cast<std::uint32_t>(i));
    }
    for (int i = 999; i >= 500; --i) {
        dict.pop_back();
        ASSERT_EQ(dict.size(), static_cast<std::size_t>(i));
        std::uint32_t id = 0;
        EXPECT_FALSE(dict.find(values[static_cast<std::size_t>(i)], id)) << values[i];
    }
    for (std::size_t i = 0; i < 500; ++i) {
        std::uint32_t id = 0;
        ASSERT_TRUE(dict.find(values[i], id)) << values[i];
        EXPECT_EQ(id, i);
    }
    for (std::size_t i = 500; i < 1000; ++i)  // back in the same order: the same ids
        EXPECT_EQ(dict.intern(values[i]).value(), static_cast<std::uint32_t>(i));
    EXPECT_EQ(dict.byte_size(), [&] {
        std::size_t n = 0;
        for (const auto& v : values)
            n += v.size();
        return n;
    }());
}

TEST(SymbolDictionary, MaxBytesRefusesTheValueThatWouldPassItAndKeepsEveryEntry) {
    SymbolDictionary dict;
    dict.set_max_bytes(100);
    std::vector<std::string> values;
    std::size_t bytes = 0;
    for (int i = 0;; ++i) {  // long values (offsets in the slots) and short ones
        std::string v = (i % 2 == 0 ? "a long symbol value #" : "s") + std::to_string(i);
        if (bytes + v.size() > 100) {
            auto refused = dict.intern(v);
            ASSERT_FALSE(refused.ok());
            EXPECT_EQ(refused.failure().code, ErrorCode::symbol_dict_full);
            EXPECT_NE(refused.failure().message.find("100"), std::string::npos)
                << refused.failure().message;
            std::uint32_t id = 0;
            EXPECT_FALSE(dict.find(v, id));
            break;
        }
        ASSERT_EQ(dict.intern(v).value(), values.size());
        bytes += v.size();
        values.push_back(v);
    }
    ASSERT_GE(values.size(), 5u);
    EXPECT_EQ(dict.byte_size(), bytes);
    for (std::size_t i = 0; i < values.size(); ++i) {
        std::uint32_t id = 0;
        ASSERT_TRUE(dict.find(values[i], id)) << values[i];
        EXPECT_EQ(id, i);
        EXPECT_EQ(dict.intern(values[i]).value(), i);  // known values need no room
    }
    dict.clear();
    EXPECT_EQ(dict.intern(values.back()).value(), 0u);
}

TEST(Buffer, MaxNameLenAndMaxBufSize) {
    BufferOptions opt;
    opt.max_name_len = 4;
    opt.max_buf_size = 200;
    Buffer b(opt);
    EXPECT_EQ(b.max_name_len(), 4u);
    expect_code(ErrorCode::invalid_name, [&] { b.table("table"); });
    b.table("tbl").column_i64("abcd", 1).at_now();
    expect_code(ErrorCode::invalid_name, [&] { b.table("tbl").column_i64("abcde", 1); });
    expect_code(ErrorCode::limit_exceeded,
                [&] { b.table("tbl").column_str("s", std::string(300, 'x')); });
    EXPECT_EQ(b.row_count(), 1u);
    b.table("tbl").column_i64("abcd", 2).at_now();
    EXPECT_EQ(b.row_count(), 2u);
}

TEST(Buffer, DecimalRescaleAndPendingRowCannotBeEncoded) {
    Buffer b;
    b.table("t").column_dec("d", "1.50").at_now();
    b.table("t").column_dec("d", "2").at_now();  // rescaled to 2.00
    expect_code(ErrorCode::invalid_decimal,
                [&] { b.table("t").column_dec("d", "1.234").at_now(); });
    b.table("t").column_dec64("x", 5, 2).at_now();
    b.table("t").column_dec64("x", 7, 0).at_now();  // 7.00
    expect_code(ErrorCode::invalid_decimal,
                [&] { b.table("t").column_dec64("x", INT64_MAX / 10 + 1, 1).at_now(); });
    b.table("t").column_i64("y", 1);
    MessageEncoder enc;
    SymbolDictionary dict;
    EncodedFrames out;
    auto st = questdb::ingress::encode_buffer(enc, b, dict, {}, out);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.failure().code, ErrorCode::invalid_api_call);
    b.at_now();
    const auto msg = round_trip(b);
    const auto& t = msg.tables[0];
    EXPECT_EQ(t.column("d")->scale, 2);
    EXPECT_EQ(static_cast<std::uint8_t>(t.column("d")->bytes[1][0]), 200);
    EXPECT_EQ(t.column("x")->ints[3], 700);
}

TEST(Buffer, IlpModeBufferIsRefusedByTheQwpEncoder) {
    Buffer b = Buffer::ilp(questdb::ingress::ProtocolVersion::v2);
    b.table("t").column_i64("x", 1).at_now();
    MessageEncoder enc;
    SymbolDictionary dict;
    EncodedFrames out;
    auto st = questdb::ingress::encode_buffer(enc, b, dict, {}, out);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.failure().code, ErrorCode::invalid_api_call);
    EXPECT_EQ(out.count(), 0u);
}

TEST(Buffer, StridedArrayIsCopiedInRowMajorOrder) {
    // A 2x3 view of a transposed 3x2 matrix: strides {1, 2}.
    const std::vector<double> data = {1, 2, 3, 4, 5, 6};
    const std::size_t shape[] = {2, 3};
    const std::ptrdiff_t strides[] = {1, 2};
    Buffer b;
    b.table("t").column_arr("a", data, shape, strides).at_now();
    const double raw[] = {7.5, 8.5};
    b.table("t").column_arr("a", std::span<const double>(raw)).at_now();
    const std::size_t empty_shape[] = {0, 5};
    b.table("t").column_arr("a", std::span<const double>(), empty_shape).at_now();
    const auto msg = round_trip(b);
    const auto* a = msg.tables[0].column("a");
    EXPECT_EQ(a->arrays[0].doubles, (std::vector<double>{1, 3, 5, 2, 4, 6}));
    EXPECT_EQ(a->arrays[1].doubles, (std::vector<double>{7.5, 8.5}));
    EXPECT_EQ(a->arrays[2].shape, (std::vector<std::int32_t>{0, 5}));
    EXPECT_FALSE(a->is_null(2));
}

TEST(Buffer, ClearKeepsWorkingAndSplitsLargeBuffers) {
    Buffer b;
    for (int round = 0; round < 3; ++round) {
        b.clear();
        EXPECT_TRUE(b.is_empty());
        for (int i = 0; i < 3000; ++i) {
            b.table(i % 2 ? "odd" : "even")
                .symbol("s", "v" + std::to_string(i % 7))
                .column_i64("i", i)
                .column_str("text", std::string(static_cast<std::size_t>(i % 13), 'q'))
                .at(TimestampNanos(kBase + i));
        }
        SymbolDictionary dict;
        EncodeOptions opt;
        opt.max_frame_size = 2048;
        auto frames = encode(b, dict, opt);
        ASSERT_GT(frames.count(), 10u);
        IngressDecoderState state;
        std::size_t rows = 0;
        for (std::size_t f = 0; f < frames.count(); ++f) {
            auto msg = decode_ingress_message(frames.frame(f), state);
            ASSERT_TRUE(msg.ok()) << msg.failure().message;
            for (const auto& t : msg.value().tables) {
                for (std::size_t r = 0; r < t.row_count; ++r) {
                    const auto i = t.column("i")->ints[r];
                    EXPECT_EQ(t.name, i % 2 ? "odd" : "even");
                    EXPECT_EQ(t.column("s")->bytes[r], "v" + std::to_string(i % 7));
                    EXPECT_EQ(t.column("text")->bytes[r].size(), static_cast<std::size_t>(i % 13));
                    ++rows;
                }
            }
        }
        EXPECT_EQ(rows, 3000u);
    }
}

// A base name of `len` bytes and its near misses: each byte changed once, one byte shorter,
// one byte longer. Names and values are compared a word at a time after a hash tag, so a
// difference in any single byte, at any offset of any length, must still tell them apart.
std::vector<std::string> near_misses(std::size_t len) {
    std::string base;
    for (std::size_t i = 0; i < len; ++i)
        base += static_cast<char>('a' + (i * 7) % 26);
    std::vector<std::string> out = {base};
    for (std::size_t p = 0; p < len; ++p) {
        std::string v = base;
        v[p] = v[p] == 'z' ? 'y' : static_cast<char>(v[p] + 1);
        out.push_back(v);
    }
    out.push_back(base.substr(0, len - 1));
    out.push_back(base + 'q');
    if (out.back().size() > 1 && out[out.size() - 2].empty())
        out.erase(out.end() - 2);  // length 1: the shorter name would be empty
    return out;
}

TEST(Buffer, NamesAndValuesDifferingInOneByteOrInLengthStayDistinct) {
    for (std::size_t len = 1; len <= 40; ++len) {
        const auto names = near_misses(len);
        const std::size_t n = names.size();
        const std::string t0 = "t_" + names[0];
        const std::string u0 = "u_" + names[0];
        Buffer b;
        for (std::size_t k = 0; k < n; ++k) {
            const auto ki = static_cast<std::int64_t>(k);
            // After a row that wrote names[0] (the expected next column, and the dictionary
            // holds names[0]), write the near miss names[k] as column name and symbol value.
            b.table(t0).symbol("s", names[k]).column_i64(names[k], ki + 1).at_now();
            b.table(t0).symbol("s", names[0]).column_i64(names[0], -1).at_now();
            // Table names: the previous row's table is u_<names[0]>, this one a near miss.
            b.table(u0).column_i64("k", -1).at_now();
            if (k != 0)
                b.table("u_" + names[k]).column_i64("k", ki).at_now();
        }
        const auto msg = round_trip(b);
        ASSERT_EQ(msg.tables.size(), n + 1) << "len " << len;
        const auto& t = msg.tables[0];
        ASSERT_EQ(t.name, t0);
        ASSERT_EQ(t.row_count, 2 * n) << "len " << len;
        ASSERT_EQ(t.columns.size(), n + 1) << "len " << len;  // "s" and one per name
        const auto* s = t.column("s");
        ASSERT_NE(s, nullptr);
        for (std::size_t k = 0; k < n; ++k) {
            EXPECT_EQ(s->bytes[2 * k], names[k]) << "len " << len << " k " << k;
            EXPECT_EQ(s->bytes[2 * k + 1], names[0]) << "len " << len << " k " << k;
            const auto* col = t.column(names[k]);
            ASSERT_NE(col, nullptr) << names[k];
            for (std::size_t r = 0; r < t.row_count; ++r) {
                // names[k] has a value in row 2k only; names[0] also in every odd row.
                const bool has = r == 2 * k || (k == 0 && r % 2 == 1);
                ASSERT_EQ(col->nulls[r], has ? 0 : 1) << names[k] << " row " << r;
                if (has) {
                    EXPECT_EQ(col->ints[r], r == 2 * k ? static_cast<std::int64_t>(k) + 1 : -1);
                }
            }
        }
        EXPECT_EQ(msg.tables[1].name, u0);
        EXPECT_EQ(msg.tables[1].row_count, n);
        for (std::size_t k = 1; k < n; ++k) {
            const auto& other = msg.tables[k + 1];
            EXPECT_EQ(other.name, "u_" + names[k]);
            ASSERT_EQ(other.row_count, 1u) << other.name;
            EXPECT_EQ(other.column("k")->ints[0], static_cast<std::int64_t>(k));
        }
    }
    // The dictionary itself: every near miss gets its own id, and finds it again.
    for (std::size_t len = 1; len <= 40; ++len) {
        SymbolDictionary dict;
        const auto names = near_misses(len);
        for (std::size_t k = 0; k < names.size(); ++k) {
            auto id = dict.intern(names[k]);
            ASSERT_TRUE(id.ok());
            EXPECT_EQ(id.value(), k) << "len " << len << " k " << k;
        }
        for (std::size_t k = 0; k < names.size(); ++k) {
            std::uint32_t id = 0;
            ASSERT_TRUE(dict.find(names[k], id));
            EXPECT_EQ(id, k);
            EXPECT_EQ(dict.entry(id), names[k]);
        }
        std::uint32_t id = 0;
        EXPECT_FALSE(dict.find(names[0] + "zz", id));
    }
}

// VARCHAR values of every length around the inline path's limit (32 bytes) and its copy and
// ASCII-check sizes (1-3, 4-7, 8-15, 16-32): each round-trips, whether ASCII (the inline path
// once the column is known) or with a two-byte character (the general path), and a stray high
// byte at any position is refused as invalid UTF-8 without disturbing the buffer, as is a row
// that fails after its value went in.
TEST(Buffer, VarcharOfEveryShortLengthRoundTripsAndEveryByteIsChecked) {
    Buffer b;
    std::vector<std::string> sent;
    auto row = [&](const std::string& v) {
        b.table("t").column_str("v", v).at(TimestampNanos(kBase));
    };
    for (std::size_t len = 0; len <= 40; ++len) {
        std::string ascii;
        for (std::size_t i = 0; i < len; ++i)
            ascii.push_back(static_cast<char>('a' + (i * 7 + len) % 26));
        for (int rep = 0; rep < 2; ++rep) {
            row(ascii);
            sent.push_back(ascii);
        }
        for (std::size_t k = 0; k + 2 <= len; ++k) {
            std::string two_byte = ascii;
            two_byte[k] = '\xC3';
            two_byte[k + 1] = '\xA9';
            row(two_byte);
            sent.push_back(two_byte);
        }
        for (std::size_t k = 0; k < len; ++k) {
            std::string bad = ascii;
            bad[k] = '\xFF';
            expect_code(ErrorCode::invalid_utf8, [&] { row(bad); });
        }
        // A row whose value went in inline and that then fails leaves nothing behind.
        expect_code(ErrorCode::invalid_timestamp,
                    [&] { b.table("t").column_str("v", ascii).at(TimestampNanos(-1)); });
    }
    const auto msg = round_trip(b);
    ASSERT_EQ(msg.tables.size(), 1u);
    const auto* v = msg.tables[0].column("v");
    ASSERT_NE(v, nullptr);
    ASSERT_EQ(msg.tables[0].row_count, sent.size());
    for (std::size_t r = 0; r < sent.size(); ++r)
        EXPECT_EQ(v->bytes[r], sent[r]) << "row " << r;
}

// Rows that write their columns in random orders and subsets, with duplicates, skipped
// columns, failed rows and two interleaved tables, against a model of what each row holds:
// the fast paths (expected next column, in-order row end) and the slow paths must agree.
TEST(Buffer, RandomColumnOrdersDuplicatesAndFailedRowsMatchAModel) {
    struct Row {
        std::optional<std::string> sym;
        std::array<std::optional<std::int64_t>, 5> cols;
        std::optional<std::int64_t> ts;
    };
    struct Model {
        std::vector<Row> rows;
        std::array<bool, 5> exists{};  // a committed row created the column
        bool sym_exists = false;
    };
    std::uint64_t x = 0x9E3779B97F4A7C15ULL;
    const auto rnd = [&x](std::uint64_t n) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x % n;
    };
    const std::array<std::string, 2> table_names = {"m", "n"};
    std::array<Model, 2> models;
    Buffer b;
    for (std::int64_t r = 0; r < 4000; ++r) {
        const std::size_t k = rnd(5) == 0 ? 1 : 0;
        Model& m = models[k];
        Row row;
        b.table(table_names[k]);
        if (rnd(10) < 7) {
            row.sym = "v" + std::to_string(rnd(5));
            b.symbol("s", *row.sym);
        }
        // Mostly the usual order (c0..c4), sometimes a random sequence with repeats.
        std::vector<std::size_t> seq;
        if (rnd(3) != 0) {
            for (std::size_t c = 0; c < 5; ++c) {
                if (rnd(8) != 0)
                    seq.push_back(c);
            }
        } else {
            const std::size_t n = rnd(8);
            for (std::size_t i = 0; i < n; ++i)
                seq.push_back(rnd(5));
        }
        if (seq.empty() && !row.sym)
            seq.push_back(1);
        for (const std::size_t c : seq) {
            const std::int64_t v = r * 10 + static_cast<std::int64_t>(c);
            const std::string name = "c" + std::to_string(c);
            if (c == 2) {
                b.column_f64(name, static_cast<double>(v));
            } else {
                b.column_i64(name, v);
            }
            if (!row.cols[c])
                row.cols[c] = v;  // the first value of a row wins
        }
        const auto fail = rnd(20);
        if (fail == 0) {
            expect_code(ErrorCode::invalid_name, [&] { b.column_i64("bad.name", 1); });
            continue;  // the row is gone
        }
        if (fail == 1 && m.exists[0]) {
            expect_code(ErrorCode::invalid_api_call, [&] { b.column_f64("c0", 1.0); });
            continue;
        }
        if (rnd(5) != 0) {
            row.ts = 1000 + r;
            b.at(TimestampNanos(*row.ts));
        } else {
            b.at_now();
        }
        for (std::size_t c = 0; c < 5; ++c)
            m.exists[c] = m.exists[c] || row.cols[c].has_value();
        m.sym_exists = m.sym_exists || row.sym.has_value();
        m.rows.push_back(row);
    }
    const auto msg = round_trip(b);
    ASSERT_EQ(msg.tables.size(), 2u);
    for (const auto& t : msg.tables) {
        const std::size_t k = t.name == "m" ? 0 : 1;
        ASSERT_EQ(t.name, table_names[k]);
        const Model& m = models[k];
        ASSERT_EQ(t.row_count, m.rows.size()) << t.name;
        const auto* s = t.column("s");
        ASSERT_EQ(s != nullptr, m.sym_exists);
        const auto* ts = t.column("");
        for (std::size_t c = 0; c < 5; ++c) {
            const auto* col = t.column("c" + std::to_string(c));
            ASSERT_EQ(col != nullptr, m.exists[c]) << t.name << " c" << c;
        }
        for (std::size_t r = 0; r < m.rows.size(); ++r) {
            const Row& row = m.rows[r];
            if (s != nullptr) {
                ASSERT_EQ(s->nulls[r], row.sym ? 0 : 1) << t.name << " row " << r;
                if (row.sym) {
                    EXPECT_EQ(s->bytes[r], *row.sym);
                }
            }
            if (ts != nullptr) {
                ASSERT_EQ(ts->nulls[r], row.ts ? 0 : 1) << t.name << " row " << r;
                if (row.ts) {
                    EXPECT_EQ(ts->ints[r], *row.ts);
                }
            }
            for (std::size_t c = 0; c < 5; ++c) {
                const auto* col = t.column("c" + std::to_string(c));
                if (col == nullptr)
                    continue;
                ASSERT_EQ(col->nulls[r], row.cols[c] ? 0 : 1)
                    << t.name << " row " << r << " c" << c;
                if (!row.cols[c])
                    continue;
                if (c == 2) {
                    EXPECT_EQ(col->floats[r], static_cast<double>(*row.cols[c]));
                } else {
                    EXPECT_EQ(col->ints[r], *row.cols[c]);
                }
            }
        }
    }
}

}  // namespace

namespace {

using questdb::ingress::NdArrayView;

TEST(BufferArrays, NdArrayViewsNestedSpansAndStdArraysRoundTrip) {
    const std::vector<double> flat = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    const std::size_t shape3[] = {2, 3, 2};
    const std::vector<std::int64_t> lflat = {1, 2, 3, 4, 5, 6};
    const std::size_t lshape[] = {3, 2};
    const std::ptrdiff_t lstrides[] = {1, 3};  // column-major 3x2 read as row-major
    const std::array<std::array<double, 3>, 2> fixed = {{{1, 2, 3}, {4, 5, 6}}};
    const std::vector<double> r0 = {1, 2}, r1 = {3, 4};
    const std::vector<std::span<const double>> spans = {r0, r1};
    const std::span<const std::span<const double>> span_of_spans(spans);
    const std::vector<std::vector<std::vector<std::int64_t>>> empty_inner = {{}, {}};

    Buffer b;
    b.table("t")
        .column_arr("a", NdArrayView<double>(flat, shape3))
        .column_arr("l", NdArrayView<std::int64_t>(lflat, lshape, lstrides))
        .at_now();
    b.table("t").column_arr("a", fixed).column_arr("l", empty_inner).at_now();
    b.table("t").column_arr("a", span_of_spans).at_now();  // "l" NULL in this row
    const auto msg = round_trip(b);
    const auto* a = msg.tables[0].column("a");
    const auto* l = msg.tables[0].column("l");
    ASSERT_TRUE(a && l);
    EXPECT_EQ(a->arrays[0].shape, (std::vector<std::int32_t>{2, 3, 2}));
    EXPECT_EQ(a->arrays[0].doubles, flat);
    EXPECT_EQ(l->arrays[0].shape, (std::vector<std::int32_t>{3, 2}));
    EXPECT_EQ(l->arrays[0].longs, (std::vector<std::int64_t>{1, 4, 2, 5, 3, 6}));
    EXPECT_EQ(a->arrays[1].shape, (std::vector<std::int32_t>{2, 3}));
    EXPECT_EQ(a->arrays[1].doubles, (std::vector<double>{1, 2, 3, 4, 5, 6}));
    // {{}, {}}: shape [2, 0, 0], an empty array, not NULL.
    EXPECT_FALSE(l->is_null(1));
    EXPECT_EQ(l->arrays[1].shape, (std::vector<std::int32_t>{2, 0, 0}));
    EXPECT_TRUE(l->is_null(2));
    EXPECT_EQ(a->arrays[2].shape, (std::vector<std::int32_t>{2, 2}));
    EXPECT_EQ(a->arrays[2].doubles, (std::vector<double>{1, 2, 3, 4}));
}

TEST(BufferArrays, BadArraysAreArrayErrorsThatDiscardOnlyTheirRow) {
    Buffer b;
    b.table("t").column_i64("x", 1).at(TimestampNanos(1));
    const std::size_t len = b.len();
    auto partial = [&]() -> Buffer& { return b.table("t").column_i64("x", 2); };
    const std::vector<double> one = {1};
    const std::vector<std::size_t> rank33(33, 1);
    expect_code(ErrorCode::array_error, [&] { partial().column_arr("a", one, rank33); });
    const std::size_t no_dims[] = {0};
    expect_code(ErrorCode::array_error,
                [&] { partial().column_arr("a", one, std::span<const std::size_t>(no_dims, 0)); });
    // More than 2^26 elements is refused before anything is copied or allocated.
    const std::size_t huge[] = {1 << 13, 1 << 13, 2};
    expect_code(ErrorCode::array_error, [&] {
        partial().column_arr("a",
                             NdArrayView<double>(one, huge, std::vector<std::ptrdiff_t>{0, 0, 0}));
    });
    // Nested, not rectangular at the innermost level, through spans.
    const std::vector<double> r0 = {1, 2}, r1 = {3};
    const std::vector<std::span<const double>> ragged = {r0, r1};
    expect_code(ErrorCode::array_error, [&] { partial().column_arr("a", ragged); });
    // A type change from DOUBLE[] to LONG[] in the same buffer.
    b.table("t").column_arr("a", one).at(TimestampNanos(2));
    const std::size_t len2 = b.len();
    expect_code(ErrorCode::invalid_api_call,
                [&] { partial().column_arr("a", std::vector<std::int64_t>{1}); });
    EXPECT_EQ(b.row_count(), 2u);
    EXPECT_EQ(b.len(), len2);
    EXPECT_GT(len2, len);
    b.table("t")
        .column_i64("x", 3)
        .column_arr("a", std::vector<std::vector<double>>{{5}})
        .at(TimestampNanos(3));
    const auto msg = round_trip(b);
    const auto* x = msg.tables[0].column("x");
    ASSERT_EQ(msg.tables[0].row_count, 3u);
    EXPECT_EQ(x->ints[0], 1);
    EXPECT_TRUE(x->is_null(1));
    EXPECT_EQ(x->ints[2], 3);
}

TEST(BufferArrays, IlpNestedArraysMatchTheFlatCall) {
    using questdb::ingress::ProtocolVersion;
    const std::vector<std::vector<double>> nested = {{1.5, 2}, {3, 4}};
    const std::vector<double> flat = {1.5, 2, 3, 4};
    const std::size_t shape[] = {2, 2};
    Buffer a = Buffer::ilp(ProtocolVersion::v2);
    Buffer b = Buffer::ilp(ProtocolVersion::v2);
    a.table("t").column_arr("m", nested).at_now();
    b.table("t").column_arr("m", flat, shape).at_now();
    EXPECT_EQ(a.ilp_text(), b.ilp_text());
    EXPECT_FALSE(a.ilp_text().empty());
}

}  // namespace
