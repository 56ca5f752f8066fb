#include "qwp/decoder.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "frame_builder.hpp"
#include "support/fixtures.hpp"

namespace {

using questdb::ErrorCode;
using questdb::qwp::decode_ingress_message;
using questdb::qwp::DecodeDepth;
using questdb::qwp::DecodedMessage;
using questdb::qwp::DecodeErrorKind;
using questdb::qwp::IngressDecoderState;
using questdb::qwp::TypeCode;
using questdb::test::FrameBuilder;

constexpr std::uint8_t kDict = questdb::qwp::kFlagDeltaSymbolDict;
constexpr std::uint8_t kGorilla = questdb::qwp::kFlagGorilla;

// The schema-only depth (a sink server) must accept the frame too, with the same schema and
// the same connection state afterwards, and keep no per-row values.
void expect_schema_depth_agrees(const std::vector<std::uint8_t>& frame,
                                const IngressDecoderState& before, const IngressDecoderState& after,
                                const DecodedMessage& full) {
    IngressDecoderState state = before;
    auto r = decode_ingress_message(frame, state, {}, nullptr, DecodeDepth::schema);
    ASSERT_TRUE(r.ok()) << r.failure().message;
    EXPECT_EQ(state.dictionary(), after.dictionary());
    EXPECT_EQ(state.table_count(), after.table_count());
    const auto& schema = r.value();
    ASSERT_EQ(schema.tables.size(), full.tables.size());
    for (std::size_t t = 0; t < full.tables.size(); ++t) {
        EXPECT_EQ(schema.tables[t].name, full.tables[t].name);
        EXPECT_EQ(schema.tables[t].row_count, full.tables[t].row_count);
        ASSERT_EQ(schema.tables[t].columns.size(), full.tables[t].columns.size());
        for (std::size_t c = 0; c < full.tables[t].columns.size(); ++c) {
            const auto& got = schema.tables[t].columns[c];
            const auto& want = full.tables[t].columns[c];
            EXPECT_EQ(got.name, want.name);
            EXPECT_EQ(got.type, want.type);
            EXPECT_EQ(got.scale, want.scale);
            EXPECT_EQ(got.geohash_bits, want.geohash_bits);
            EXPECT_TRUE(got.nulls.empty() && got.ints.empty() && got.floats.empty() &&
                        got.bytes.empty() && got.arrays.empty());
        }
    }
}

DecodedMessage decode_ok(const std::vector<std::uint8_t>& frame, IngressDecoderState& state) {
    const IngressDecoderState before = state;
    auto r = decode_ingress_message(frame, state);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.failure().message);
    if (!r.ok())
        return DecodedMessage{};
    expect_schema_depth_agrees(frame, before, state, r.value());
    return std::move(r).value();
}

// Both depths reject the frame, with the same kind and message.
void expect_protocol_error(const std::vector<std::uint8_t>& frame, const char* what) {
    IngressDecoderState state;
    DecodeErrorKind kind = DecodeErrorKind::none;
    auto r = decode_ingress_message(frame, state, {}, &kind);
    ASSERT_FALSE(r.ok()) << what;
    EXPECT_EQ(r.failure().code, ErrorCode::protocol_error) << what;
    EXPECT_EQ(kind, DecodeErrorKind::malformed) << what;
    IngressDecoderState schema_state;
    DecodeErrorKind schema_kind = DecodeErrorKind::none;
    auto s = decode_ingress_message(frame, schema_state, {}, &schema_kind, DecodeDepth::schema);
    ASSERT_FALSE(s.ok()) << what;
    EXPECT_EQ(s.failure().message, r.failure().message) << what;
    EXPECT_EQ(schema_kind, kind) << what;
}

TEST(Decoder, TradesFixtureDecodes) {
    IngressDecoderState state;
    const auto msg =
        decode_ok(questdb::test::load_hex_fixture("qwp/trades-10rows-replay.hex"), state);
    ASSERT_EQ(msg.tables.size(), 1u);
    const auto& t = msg.tables[0];
    EXPECT_EQ(t.name, "trades");
    ASSERT_EQ(t.row_count, 10u);
    ASSERT_EQ(t.columns.size(), 4u);
    EXPECT_EQ(t.columns[0].type, TypeCode::symbol);
    EXPECT_EQ(t.columns[3].type, TypeCode::timestamp_nanos);
    EXPECT_EQ(t.columns[3].name, "");
    for (int i = 0; i < 10; ++i) {
        EXPECT_EQ(t.columns[0].bytes[i], "SYM_00" + std::to_string(i));
        EXPECT_EQ(t.columns[1].ints[i], i);
        EXPECT_EQ(t.columns[2].floats[i], 100.0 + i);
        EXPECT_EQ(t.columns[3].ints[i], 1700000000000000000LL + i);
    }
    EXPECT_EQ(state.dictionary().size(), 10u);
    // The replay frame re-sends ids 0..9 (identical overlap) and decodes on the same state.
    const auto second =
        decode_ok(questdb::test::load_hex_fixture("qwp/trades-1row-after-10-symbols.hex"), state);
    ASSERT_EQ(second.tables.size(), 1u);
    EXPECT_EQ(second.tables[0].columns[0].bytes[0], "SYM_009");
    EXPECT_EQ(second.tables[0].columns[1].ints[0], 99);
    EXPECT_EQ(second.tables[0].columns[2].floats[0], 999.5);
    // ...and on a fresh connection too.
    IngressDecoderState fresh;
    decode_ok(questdb::test::load_hex_fixture("qwp/trades-1row-after-10-symbols.hex"), fresh);
}

TEST(Decoder, SpecSensorsExample) {
    auto frame = FrameBuilder(0)
                     .str("sensors")
                     .varint(2)
                     .varint(3)
                     .column("id", TypeCode::long_)
                     .column("value", TypeCode::double_)
                     .column("", TypeCode::timestamp)
                     .u8(0)
                     .le<std::int64_t>(1)
                     .le<std::int64_t>(2)
                     .u8(0)
                     .le<double>(1.3)
                     .le<double>(2.2)
                     .u8(0)
                     .le<std::int64_t>(10000000000)
                     .le<std::int64_t>(400000)
                     .finish();
    IngressDecoderState state;
    const auto msg = decode_ok(frame, state);
    const auto& t = msg.tables.at(0);
    EXPECT_EQ(t.column("id")->ints, (std::vector<std::int64_t>{1, 2}));
    EXPECT_EQ(t.column("value")->floats, (std::vector<double>{1.3, 2.2}));
    EXPECT_EQ(t.column("")->ints, (std::vector<std::int64_t>{10000000000, 400000}));
}

TEST(Decoder, NullableVarcharExample) {
    auto frame = FrameBuilder(0)
                     .str("t")
                     .varint(4)
                     .varint(1)
                     .column("s", TypeCode::varchar)
                     .u8(1)
                     .u8(0x02)
                     .le<std::uint32_t>(0)
                     .le<std::uint32_t>(3)
                     .le<std::uint32_t>(6)
                     .le<std::uint32_t>(9)
                     .raw("foobarbaz")
                     .finish();
    IngressDecoderState state;
    const auto msg = decode_ok(frame, state);
    const auto& c = msg.tables.at(0).columns.at(0);
    EXPECT_EQ(c.nulls, (std::vector<std::uint8_t>{0, 1, 0, 0}));
    EXPECT_EQ(c.bytes, (std::vector<std::string>{"foo", "", "bar", "baz"}));
}

TEST(Decoder, NullBitmapCountsOnlyRowBitsD6) {
    // 10 rows, rows 0, 2, 9 null: exactly 7 values; stray bits past row 9 are ignored.
    FrameBuilder b(0);
    b.str("t").varint(10).varint(1).column("v", TypeCode::long_).u8(1).u8(0x05).u8(0x02 | 0xF0);
    for (int i = 0; i < 7; ++i)
        b.le<std::int64_t>(i);
    IngressDecoderState state;
    const auto msg = decode_ok(b.finish(), state);
    const auto& c = msg.tables.at(0).columns.at(0);
    EXPECT_TRUE(c.is_null(0) && c.is_null(2) && c.is_null(9));
    EXPECT_EQ(c.ints[1], 0);
    EXPECT_EQ(c.ints[3], 1);
    EXPECT_EQ(c.ints[8], 6);
}

TEST(Decoder, GorillaStreamLengthIsFoundByDecodingD10) {
    auto frame = FrameBuilder(kGorilla)
                     .str("t")
                     .varint(4)
                     .varint(2)
                     .column("", TypeCode::timestamp)
                     .column("n", TypeCode::long_)
                     .u8(0)
                     .u8(1)
                     .le<std::int64_t>(1000)
                     .le<std::int64_t>(2000)
                     .u8(0x2A)
                     .u8(0x00)
                     .u8(0)
                     .le<std::int64_t>(7)
                     .le<std::int64_t>(8)
                     .le<std::int64_t>(9)
                     .le<std::int64_t>(10)
                     .finish();
    IngressDecoderState state;
    const auto msg = decode_ok(frame, state);
    EXPECT_EQ(msg.tables[0].columns[0].ints, (std::vector<std::int64_t>{1000, 2000, 3000, 4005}));
    EXPECT_EQ(msg.tables[0].columns[1].ints, (std::vector<std::int64_t>{7, 8, 9, 10}));
}

TEST(Decoder, DateNeverCarriesTheEncodingByte) {
    auto frame = FrameBuilder(kGorilla)
                     .str("t")
                     .varint(1)
                     .varint(1)
                     .column("d", TypeCode::date)
                     .u8(0)
                     .le<std::int64_t>(1234)
                     .finish();
    IngressDecoderState state;
    EXPECT_EQ(decode_ok(frame, state).tables[0].columns[0].ints[0], 1234);
}

TEST(Decoder, SpecGorillaWithDeltaDictionaryExample) {
    auto frame = FrameBuilder(kGorilla | kDict)
                     .varint(0)
                     .varint(2)
                     .str("server1")
                     .str("server2")
                     .str("sensors")
                     .varint(2)
                     .varint(3)
                     .column("host", TypeCode::symbol)
                     .column("temp", TypeCode::double_)
                     .column("", TypeCode::timestamp)
                     .u8(0)
                     .varint(0)
                     .varint(1)
                     .u8(0)
                     .le<double>(91.6)
                     .le<double>(92.4)
                     .u8(0)
                     .u8(1)
                     .le<std::int64_t>(5)
                     .le<std::int64_t>(6)
                     .finish();
    IngressDecoderState state;
    const auto msg = decode_ok(frame, state);
    EXPECT_EQ(msg.tables[0].columns[0].bytes, (std::vector<std::string>{"server1", "server2"}));
    EXPECT_EQ(msg.tables[0].columns[2].ints, (std::vector<std::int64_t>{5, 6}));
}

TEST(Decoder, GorillaWithOneValueIsRejected) {
    auto frame = FrameBuilder(kGorilla)
                     .str("t")
                     .varint(1)
                     .varint(1)
                     .column("", TypeCode::timestamp)
                     .u8(0)
                     .u8(1)
                     .le<std::int64_t>(5)
                     .le<std::int64_t>(6)
                     .finish();
    expect_protocol_error(frame, "gorilla 1 value");
}

TEST(Decoder, DictionaryGapIsDistinctAndStateUnchanged) {
    IngressDecoderState state;
    auto first = FrameBuilder(kDict, 0).varint(0).varint(3).str("a").str("b").str("c").finish();
    decode_ok(first, state);
    EXPECT_EQ(state.dictionary().size(), 3u);
    auto gap = FrameBuilder(kDict, 0).varint(5).varint(1).str("x").finish();
    DecodeErrorKind kind{};
    auto r = decode_ingress_message(gap, state, {}, &kind);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.failure().code, ErrorCode::protocol_error);
    EXPECT_EQ(kind, DecodeErrorKind::dictionary_gap);
    EXPECT_EQ(state.dictionary().size(), 3u);
    // D18: delta_start == size extends; an identical overlap is accepted; a redefinition is not.
    decode_ok(FrameBuilder(kDict, 0).varint(3).varint(1).str("d").finish(), state);
    decode_ok(FrameBuilder(kDict, 0).varint(2).varint(3).str("c").str("d").str("e").finish(),
              state);
    EXPECT_EQ(state.dictionary().size(), 5u);
    auto redefine = FrameBuilder(kDict, 0).varint(0).varint(1).str("zz").finish();
    r = decode_ingress_message(redefine, state, {}, &kind);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(kind, DecodeErrorKind::malformed);
}

TEST(Decoder, TablesPerConnectionLimitH4) {
    questdb::qwp::DecodeLimits limits;
    limits.max_tables_per_connection = 2;
    IngressDecoderState state;
    auto table = [](const char* name) {
        return FrameBuilder(0).str(name).varint(0).varint(0).finish();
    };
    EXPECT_TRUE(decode_ingress_message(table("a"), state, limits).ok());
    EXPECT_TRUE(decode_ingress_message(table("b"), state, limits).ok());
    EXPECT_TRUE(decode_ingress_message(table("a"), state, limits).ok());
    auto third = decode_ingress_message(table("c"), state, limits);
    ASSERT_FALSE(third.ok());
    EXPECT_EQ(third.failure().code, ErrorCode::protocol_error);
    EXPECT_EQ(state.table_count(), 2u);
    state.reset();
    EXPECT_TRUE(decode_ingress_message(table("c"), state, limits).ok());
}

TEST(Decoder, SymbolIdOutsideDictionaryD13) {
    auto frame = FrameBuilder(kDict)
                     .varint(0)
                     .varint(3)
                     .str("a")
                     .str("b")
                     .str("c")
                     .str("t")
                     .varint(1)
                     .varint(1)
                     .column("s", TypeCode::symbol)
                     .u8(0)
                     .varint(5)
                     .finish();
    expect_protocol_error(frame, "symbol id 5 of 3");
}

TEST(Decoder, FailedFrameDoesNotApplyItsDelta) {
    IngressDecoderState state;
    auto frame = FrameBuilder(kDict)
                     .varint(0)
                     .varint(1)
                     .str("a")
                     .str("t")
                     .varint(1)
                     .varint(1)
                     .column("s", TypeCode::symbol)
                     .u8(0)
                     .varint(9)
                     .finish();
    EXPECT_FALSE(decode_ingress_message(frame, state).ok());
    EXPECT_TRUE(state.dictionary().empty());
}

TEST(Decoder, PerColumnDictionaryModeWithoutFlag) {
    auto frame = FrameBuilder(0)
                     .str("t")
                     .varint(3)
                     .varint(1)
                     .column("s", TypeCode::symbol)
                     .u8(0)
                     .varint(2)
                     .str("x")
                     .str("y")
                     .varint(1)
                     .varint(0)
                     .varint(1)
                     .finish();
    IngressDecoderState state;
    EXPECT_EQ(decode_ok(frame, state).tables[0].columns[0].bytes,
              (std::vector<std::string>{"y", "x", "y"}));
}

TEST(Decoder, ArraysNullEmptyAndShapesAreDistinctD15) {
    FrameBuilder b(0);
    b.str("t").varint(4).varint(1).column("a", TypeCode::double_array).u8(1).u8(0x01);
    b.u8(1).le<std::int32_t>(0);                      // [0]
    b.u8(2).le<std::int32_t>(2).le<std::int32_t>(0);  // [2,0]
    b.u8(2).le<std::int32_t>(2).le<std::int32_t>(2);  // [[1,2],[3,4]]
    for (double d : {1.0, 2.0, 3.0, 4.0})
        b.le<double>(d);
    IngressDecoderState state;
    const auto msg = decode_ok(b.finish(), state);
    const auto& c = msg.tables[0].columns[0];
    EXPECT_TRUE(c.is_null(0));
    EXPECT_EQ(c.arrays[1].shape, (std::vector<std::int32_t>{0}));
    EXPECT_EQ(c.arrays[2].shape, (std::vector<std::int32_t>{2, 0}));
    EXPECT_EQ(c.arrays[3].doubles, (std::vector<double>{1, 2, 3, 4}));
    // A zero dimension after a large one, at the very end of the frame: empty, not too big.
    auto trailing_empty = FrameBuilder(0)
                              .str("t")
                              .varint(1)
                              .varint(1)
                              .column("a", TypeCode::long_array)
                              .u8(0)
                              .u8(2)
                              .le<std::int32_t>(1000)
                              .le<std::int32_t>(0)
                              .finish();
    IngressDecoderState s2;
    auto empty = decode_ingress_message(trailing_empty, s2);
    ASSERT_TRUE(empty.ok()) << empty.failure().message;
    EXPECT_EQ(empty.value().tables[0].columns[0].arrays[0].shape,
              (std::vector<std::int32_t>{1000, 0}));
    auto zero_dims = FrameBuilder(0)
                         .str("t")
                         .varint(1)
                         .varint(1)
                         .column("a", TypeCode::long_array)
                         .u8(0)
                         .u8(0)
                         .finish();
    expect_protocol_error(zero_dims, "n_dims 0");
    auto negative = FrameBuilder(0)
                        .str("t")
                        .varint(1)
                        .varint(1)
                        .column("a", TypeCode::long_array)
                        .u8(0)
                        .u8(1)
                        .le<std::int32_t>(-1)
                        .finish();
    expect_protocol_error(negative, "negative dim");
    auto huge = FrameBuilder(0)
                    .str("t")
                    .varint(1)
                    .varint(1)
                    .column("a", TypeCode::long_array)
                    .u8(0)
                    .u8(3)
                    .le<std::int32_t>(INT32_MAX)
                    .le<std::int32_t>(INT32_MAX)
                    .le<std::int32_t>(INT32_MAX)
                    .finish();
    expect_protocol_error(huge, "overflowing product");
}

TEST(Decoder, GeohashDecimalUuidLong256CharIpv4D14) {
    FrameBuilder b(0);
    b.str("t")
        .varint(1)
        .varint(6)
        .column("g", TypeCode::geohash)
        .column("d", TypeCode::decimal128)
        .column("u", TypeCode::uuid)
        .column("l", TypeCode::long256)
        .column("c", TypeCode::char_)
        .column("ip", TypeCode::ipv4);
    b.u8(0).varint(20).u8(0xDE).u8(0xBC).u8(0x0A);
    b.u8(0).u8(3).le<std::int64_t>(12345).le<std::int64_t>(0);
    b.u8(0).le<std::int64_t>(1).le<std::int64_t>(2);
    b.u8(0).le<std::int64_t>(1).le<std::int64_t>(2).le<std::int64_t>(3).le<std::int64_t>(4);
    b.u8(0).le<std::uint16_t>(0xFFFF);
    b.u8(0).le<std::uint32_t>(0xC0A80001);
    IngressDecoderState state;
    const auto msg = decode_ok(b.finish(), state);
    const auto& t = msg.tables[0];
    EXPECT_EQ(t.columns[0].ints[0], 0xABCDE);
    EXPECT_EQ(t.columns[0].geohash_bits, 20);
    EXPECT_EQ(t.columns[1].scale, 3);
    EXPECT_EQ(t.columns[1].bytes[0].size(), 16u);
    EXPECT_EQ(t.columns[2].bytes[0].size(), 16u);
    EXPECT_EQ(t.columns[3].bytes[0].size(), 32u);
    EXPECT_EQ(t.columns[4].ints[0], 0xFFFF);
    EXPECT_EQ(t.columns[5].ints[0], 0xC0A80001);
    auto bad_precision = FrameBuilder(0)
                             .str("t")
                             .varint(1)
                             .varint(1)
                             .column("g", TypeCode::geohash)
                             .u8(0)
                             .varint(61)
                             .finish();
    expect_protocol_error(bad_precision, "geohash 61");
}

TEST(Decoder, HeaderChecks) {
    auto good = FrameBuilder(0, 0).finish();
    IngressDecoderState state;
    EXPECT_TRUE(decode_ingress_message(good, state).ok());
    auto bad_magic = good;
    bad_magic[0] = 'X';
    expect_protocol_error(bad_magic, "magic");
    auto bad_version = good;
    bad_version[4] = 2;
    expect_protocol_error(bad_version, "version");
    auto reserved = good;
    reserved[5] = 0x02;
    expect_protocol_error(reserved, "reserved flag");
    auto trailing = good;
    trailing.push_back(0);
    expect_protocol_error(trailing, "payload_length mismatch");
    auto trailing_in_payload = FrameBuilder(0, 0).u8(0).finish();
    expect_protocol_error(trailing_in_payload, "trailing bytes");
    expect_protocol_error({0x51, 0x57}, "short header");
}

TEST(Decoder, SchemaChecks) {
    expect_protocol_error(
        FrameBuilder(0).str("t").varint(0).varint(1).u8(1).u8('x').u8(0x08).finish(), "type 0x08");
    expect_protocol_error(
        FrameBuilder(0).str("t").varint(0).varint(1).column("x", TypeCode::long_).finish(),
        "missing column data is fine for 0 rows? no: null flag");
    expect_protocol_error(
        FrameBuilder(0).str("t").varint(0).varint(1).u8(1).u8('x').u8(0x19).finish(), "type 0x19");
    expect_protocol_error(FrameBuilder(0).str(std::string(128, 'a')).varint(0).varint(0).finish(),
                          "table name 128");
    expect_protocol_error(FrameBuilder(0)
                              .str("t")
                              .varint(0)
                              .varint(1)
                              .column(std::string(128, 'c'), TypeCode::long_)
                              .u8(0)
                              .finish(),
                          "column name 128");
    expect_protocol_error(FrameBuilder(0).str("t").varint(1'000'001).varint(0).finish(), "row cap");
    expect_protocol_error(
        FrameBuilder(0).str("t").varint(std::uint64_t{1} << 31).varint(1).finish(),
        "row_count 2^31");
    expect_protocol_error(FrameBuilder(0).str("t").varint(0).varint(2049).finish(), "column cap");
    expect_protocol_error(FrameBuilder(0)
                              .str("t")
                              .varint(0)
                              .varint(2)
                              .column("a", TypeCode::long_)
                              .column("a", TypeCode::long_)
                              .u8(0)
                              .u8(0)
                              .finish(),
                          "duplicate column");
    expect_protocol_error(
        FrameBuilder(0).str("t").varint(0).varint(1).column("", TypeCode::long_).u8(0).finish(),
        "empty name LONG");
    expect_protocol_error(FrameBuilder(0).str("").varint(0).varint(0).finish(), "empty table");
    expect_protocol_error(FrameBuilder(0).u8(2).raw("\xC3\x28").varint(0).varint(0).finish(),
                          "table name utf8");
    // Bad varint: 11 continuation bytes.
    expect_protocol_error(FrameBuilder(0).str("t").raw(std::string(10, '\xFF')).u8(1).finish(),
                          "overlong varint");
}

TEST(Decoder, VarcharOffsetChecksD12) {
    auto frame = [](std::uint32_t o0, std::uint32_t o1, std::uint32_t o2, std::string data) {
        return FrameBuilder(0)
            .str("t")
            .varint(2)
            .varint(1)
            .column("s", TypeCode::varchar)
            .u8(0)
            .le(o0)
            .le(o1)
            .le(o2)
            .raw(data)
            .finish();
    };
    IngressDecoderState state;
    EXPECT_TRUE(decode_ingress_message(frame(0, 1, 2, "ab"), state).ok());
    expect_protocol_error(frame(1, 1, 2, "ab"), "first offset");
    expect_protocol_error(frame(0, 2, 1, "ab"), "decreasing");
    expect_protocol_error(frame(0, 1, 3, "ab"), "past the end");
    expect_protocol_error(frame(0, 1, 2, "a\xFF"), "invalid utf8");
    expect_protocol_error(frame(0, 1, 2, "\xC3\xA9"), "split utf8");
    // BINARY is opaque.
    auto binary = FrameBuilder(0)
                      .str("t")
                      .varint(1)
                      .varint(1)
                      .column("b", TypeCode::binary)
                      .u8(0)
                      .le<std::uint32_t>(0)
                      .le<std::uint32_t>(1)
                      .raw("\xFF")
                      .finish();
    EXPECT_TRUE(decode_ingress_message(binary, state).ok());
}

// Every prefix of a valid rich frame, and every single-byte corruption, must fail (or decode)
// cleanly: ASan/UBSan turn any out-of-bounds read into a test failure.
TEST(Decoder, TruncationsAndCorruptionsNeverCrash) {
    FrameBuilder b(kDict | kGorilla);
    b.varint(0).varint(2).str("a").str("bb");
    b.str("tbl")
        .varint(3)
        .varint(6)
        .column("s", TypeCode::symbol)
        .column("v", TypeCode::varchar)
        .column("arr", TypeCode::double_array)
        .column("g", TypeCode::geohash)
        .column("b", TypeCode::boolean)
        .column("", TypeCode::timestamp);
    b.u8(1).u8(0x02).varint(0).varint(1);
    b.u8(0).le<std::uint32_t>(0).le<std::uint32_t>(1).le<std::uint32_t>(1).le<std::uint32_t>(3).raw(
        "xyz");
    b.u8(0)
        .u8(1)
        .le<std::int32_t>(1)
        .le<double>(1.5)
        .u8(1)
        .le<std::int32_t>(0)
        .u8(1)
        .le<std::int32_t>(2)
        .le<double>(1)
        .le<double>(2);
    b.u8(0).varint(9).le<std::uint16_t>(1).le<std::uint16_t>(2).le<std::uint16_t>(3);
    b.u8(0).u8(0x05);
    b.u8(0).u8(1).le<std::int64_t>(10).le<std::int64_t>(20).u8(0);
    const auto frame = b.finish();
    IngressDecoderState state;
    ASSERT_TRUE(decode_ingress_message(frame, state).ok());
    for (std::size_t cut = 0; cut < frame.size(); ++cut) {
        std::vector<std::uint8_t> prefix(frame.begin(), frame.begin() + cut);
        IngressDecoderState s;
        EXPECT_FALSE(decode_ingress_message(prefix, s).ok()) << cut;
        IngressDecoderState s_schema;
        EXPECT_FALSE(
            decode_ingress_message(prefix, s_schema, {}, nullptr, DecodeDepth::schema).ok())
            << cut;
        // Also with a consistent payload_length, so the body parser sees the truncation.
        if (cut >= 12) {
            std::uint32_t len = static_cast<std::uint32_t>(cut - 12);
            std::memcpy(prefix.data() + 8, &len, 4);
            IngressDecoderState s2;
            EXPECT_FALSE(decode_ingress_message(prefix, s2).ok()) << cut;
        }
    }
    std::mt19937 rng(7);
    int rejected = 0;
    for (int round = 0; round < 4000; ++round) {
        auto corrupt = frame;
        const std::size_t at = 12 + rng() % (corrupt.size() - 12);
        corrupt[at] = static_cast<std::uint8_t>(rng());
        IngressDecoderState s;
        auto full = decode_ingress_message(corrupt, s);
        // The schema-only depth (sink server) is exactly as strict: same verdict, same message.
        IngressDecoderState s2;
        auto schema = decode_ingress_message(corrupt, s2, {}, nullptr, DecodeDepth::schema);
        ASSERT_EQ(schema.ok(), full.ok()) << "byte " << at;
        if (!full.ok()) {
            ++rejected;
            EXPECT_EQ(schema.failure().message, full.failure().message) << "byte " << at;
        }
        EXPECT_EQ(s2.dictionary(), s.dictionary());
    }
    EXPECT_GT(rejected, 1000);  // the corruptions do exercise the rejection paths
}

}  // namespace
