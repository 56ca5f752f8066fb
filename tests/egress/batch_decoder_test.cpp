// RESULT_BATCH decoding from hand-built bytes: checklist D1-D22, B5, 0.6 and H5.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "egress/server_writer.hpp"
#include "questdb/egress/batch.hpp"
#include "test_util.hpp"

namespace questdb::egress {
namespace {

using test::BatchHarness;
using test::Frame;
using test::hex;
using test::with_header;

constexpr std::uint8_t kGorillaDict = wire::kFlagGorilla | wire::kFlagDeltaSymbolDict;

Frame batch(std::int64_t id, std::uint64_t seq, const Frame& body, std::uint8_t flags) {
    Frame payload;
    qwp::ByteWriter w(payload);
    w.u8(0x11);
    w.le(id);
    w.varint(seq);
    w.bytes(body.data(), body.size());
    return with_header(payload, flags, 1);
}

// The spec's example batch: id LONG, value DOUBLE, 2 rows, flags 0x00 (no dict, no encodings).
const char* kSpecBody =
    "00 02 02 02 69 64 05 05 76 61 6C 75 65 07 "
    "00 01 00 00 00 00 00 00 00 02 00 00 00 00 00 00 00 "
    "00 CD CC CC CC CC CC F4 3F 9A 99 99 99 99 99 01 40";

TEST(EgressBatch, SpecExampleFlagsZero) {
    BatchHarness h;
    auto r = h.decode(batch(1, 0, hex(kSpecBody), 0));
    ASSERT_TRUE(r.ok()) << r.failure().message;
    BatchView b(r.value());
    ASSERT_EQ(b.row_count(), 2u);
    ASSERT_EQ(b.column_count(), 2u);
    EXPECT_EQ(b.column_name(0), "id");
    EXPECT_EQ(b.column_kind(1), ColumnKind::double_);
    EXPECT_EQ(b.column(0).as_long().value(1), 2);
    EXPECT_DOUBLE_EQ(*b.column(1).as_double().get(0), 1.3);
}

TEST(EgressBatch, SameBatchWithDictFlag) {
    BatchHarness h;
    Frame body = hex("00 00");  // empty delta section (D2)
    auto rest = hex(kSpecBody);
    body.insert(body.end(), rest.begin(), rest.end());
    auto r = h.decode(batch(1, 0, body, kGorillaDict));
    ASSERT_TRUE(r.ok()) << r.failure().message;
    EXPECT_EQ(BatchView(r.value()).column(0).as_long().value(0), 1);
}

TEST(EgressBatch, ContinuationBatchesReuseSchema) {
    BatchHarness h;
    ASSERT_TRUE(h.decode(batch(1, 0, hex(kSpecBody), 0)).ok());
    // seq 1: row_count 1, then column data directly. The first LONG value is 2, which a
    // decoder misreading a column_count would take as "2 columns" and misalign.
    auto r = h.decode(
        batch(1, 1, hex("00 01 00 02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 24 40"), 0));
    ASSERT_TRUE(r.ok()) << r.failure().message;
    BatchView b(r.value());
    EXPECT_EQ(b.row_count(), 1u);
    EXPECT_EQ(b.column(0).as_long().value(0), 2);
    EXPECT_EQ(b.column(1).as_double().value(0), 10.0);
    EXPECT_EQ(b.batch_seq(), 1u);
}

TEST(EgressBatch, ContinuationWithoutSchemaRejected) {
    BatchHarness h;
    auto r = h.decode(batch(1, 1, hex("00 01 00 02 00 00 00 00 00 00 00"), 0));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.failure().code, ErrorCode::protocol_error);
}

TEST(EgressBatch, EmptyResultKeepsColumns) {
    BatchHarness h;
    auto r = h.decode(batch(1, 0, hex("00 00 02 02 69 64 05 01 78 0F 00 00 00 00 00 00"), 0));
    ASSERT_TRUE(r.ok()) << r.failure().message;
    BatchView b(r.value());
    EXPECT_EQ(b.row_count(), 0u);
    ASSERT_EQ(b.column_count(), 2u);
    EXPECT_EQ(b.column_name(1), "x");
    EXPECT_EQ(b.column_kind(1), ColumnKind::varchar);
}

TEST(EgressBatch, UnknownTypeCodeRejected) {
    for (std::uint8_t code : {0x00, 0x08, 0x19, 0xFF}) {
        BatchHarness h;
        Frame body = hex("00 00 01 01 61");
        body.push_back(code);
        auto r = h.decode(batch(1, 0, body, 0));
        ASSERT_FALSE(r.ok()) << int(code);
        EXPECT_EQ(r.failure().code, ErrorCode::protocol_error);
    }
}

TEST(EgressBatch, NullBitmapDensePacking) {
    // 10 rows, rows 0, 2, 9 NULL -> 7 LONG values
    Frame body = hex("00 0A 01 01 61 05 01 05 02");
    for (int i = 0; i < 7; ++i) {
        for (int k = 0; k < 8; ++k) {
            body.push_back(k == 0 ? static_cast<std::uint8_t>(10 + i) : 0);
        }
    }
    BatchHarness h;
    auto r = h.decode(batch(1, 0, body, 0));
    ASSERT_TRUE(r.ok()) << r.failure().message;
    auto col = BatchView(r.value()).column(0).as_long();
    std::vector<std::optional<std::int64_t>> got(col.begin(), col.end());
    std::vector<std::optional<std::int64_t>> want{std::nullopt, 10, std::nullopt, 11, 12,
                                                  13,           14, 15,           16, std::nullopt};
    EXPECT_EQ(got, want);
    // one value too few -> truncated
    body.resize(body.size() - 8);
    BatchHarness h2;
    EXPECT_FALSE(h2.decode(batch(1, 0, body, 0)).ok());
}

TEST(EgressBatch, BitsPastRowCountIgnored) {
    // 3 rows, bitmap 0xF8 has bits only past row 2 -> no NULLs, 3 values
    Frame body = hex("00 03 01 01 61 04 01 F8 01 00 00 00 02 00 00 00 03 00 00 00");
    BatchHarness h;
    auto r = h.decode(batch(1, 0, body, 0));
    ASSERT_TRUE(r.ok()) << r.failure().message;
    EXPECT_EQ(BatchView(r.value()).column(0).as_int().value(2), 3);
}

TEST(EgressBatch, BooleanBitPacking) {
    BatchHarness h;
    auto r = h.decode(batch(1, 0, hex("00 08 01 01 62 01 00 8D"), 0));
    ASSERT_TRUE(r.ok());
    auto col = BatchView(r.value()).column(0).as_bool();
    const bool want[] = {true, false, true, true, false, false, false, true};
    for (int i = 0; i < 8; ++i) {
        EXPECT_EQ(col.value(i), want[i]);
        EXPECT_FALSE(col.is_null(i));
    }
}

TEST(EgressBatch, DateUnderGorillaFlagHasEncodingByte) {
    // DATE, 2 rows, flags 0x0C: dict 00 00, then null flag, encoding 0x00, two raw i64
    Frame body =
        hex("00 00 00 02 01 01 64 0B 00 00 E8 03 00 00 00 00 00 00 D0 07 00 00 00 00 00 00");
    BatchHarness h;
    auto r = h.decode(batch(1, 0, body, kGorillaDict));
    ASSERT_TRUE(r.ok()) << r.failure().message;
    auto col = BatchView(r.value()).column(0).as_timestamp();
    EXPECT_EQ(col.value(0), 1000);
    EXPECT_EQ(col.value(1), 2000);
}

TEST(EgressBatch, GorillaVectorsWithFollowingColumn) {
    // TIMESTAMP [1000,2000,3000,4005] Gorilla, then a LONG column proves the stream length.
    Frame body =
        hex("00 00 00 04 02 01 74 0A 01 6C 05 00 01 E8 03 00 00 00 00 00 00 D0 07 00 00 00 00 00 "
            "00 2A 00 00");
    for (int i = 0; i < 4; ++i) {
        body.insert(body.end(), {static_cast<std::uint8_t>(i + 1), 0, 0, 0, 0, 0, 0, 0});
    }
    BatchHarness h;
    auto r = h.decode(batch(1, 0, body, kGorillaDict));
    ASSERT_TRUE(r.ok()) << r.failure().message;
    auto ts = BatchView(r.value()).column(0).as_timestamp();
    EXPECT_EQ(ts.value(0), 1000);
    EXPECT_EQ(ts.value(2), 3000);
    EXPECT_EQ(ts.value(3), 4005);
    EXPECT_EQ(BatchView(r.value()).column(1).as_long().value(3), 4);

    Frame body2 =
        hex("00 00 00 04 01 01 74 0A 00 01 E8 03 00 00 00 00 00 00 D0 07 00 00 00 00 00 00 FA 03");
    BatchHarness h2;
    auto r2 = h2.decode(batch(1, 0, body2, kGorillaDict));
    ASSERT_TRUE(r2.ok()) << r2.failure().message;
    EXPECT_EQ(BatchView(r2.value()).column(0).as_timestamp().value(3), 3999);
}

TEST(EgressBatch, GorillaWithFewValues) {
    Frame two =
        hex("00 00 00 02 01 01 74 0A 00 01 E8 03 00 00 00 00 00 00 D0 07 00 00 00 00 00 00");
    BatchHarness h;
    auto r = h.decode(batch(1, 0, two, kGorillaDict));
    ASSERT_TRUE(r.ok()) << r.failure().message;
    EXPECT_EQ(BatchView(r.value()).column(0).as_timestamp().value(1), 2000);
    Frame one = hex("00 00 00 01 01 01 74 0A 00 01 E8 03 00 00 00 00 00 00");
    BatchHarness h1;
    auto r1 = h1.decode(batch(1, 0, one, kGorillaDict));
    ASSERT_FALSE(r1.ok());
    EXPECT_EQ(r1.failure().code, ErrorCode::protocol_error);
    Frame bad_encoding = hex("00 00 00 01 01 01 74 0A 00 07 E8 03 00 00 00 00 00 00");
    BatchHarness h2;
    EXPECT_FALSE(h2.decode(batch(1, 0, bad_encoding, kGorillaDict)).ok());
}

TEST(EgressBatch, VarcharOffsetsChecked) {
    // 2 values "ab", "c"
    Frame good = hex("00 02 01 01 73 0F 00 00 00 00 00 02 00 00 00 03 00 00 00 61 62 63");
    BatchHarness h;
    auto r = h.decode(batch(1, 0, good, 0));
    ASSERT_TRUE(r.ok()) << r.failure().message;
    auto col = BatchView(r.value()).column(0).as_varchar();
    EXPECT_EQ(col.value(0), "ab");
    EXPECT_EQ(col.value(1), "c");

    Frame decreasing = hex("00 02 01 01 73 0F 00 00 00 00 00 02 00 00 00 01 00 00 00 61 62 63");
    Frame past_end = hex("00 02 01 01 73 0F 00 00 00 00 00 02 00 00 00 04 00 00 00 61 62 63");
    Frame first_nonzero = hex("00 02 01 01 73 17 00 01 00 00 00 02 00 00 00 03 00 00 00 61 62 63");
    for (const auto& f : {decreasing, past_end, first_nonzero}) {
        BatchHarness hh;
        auto rr = hh.decode(batch(1, 0, f, 0));
        ASSERT_FALSE(rr.ok());
        EXPECT_EQ(rr.failure().code, ErrorCode::protocol_error);
    }
}

TEST(EgressBatch, SymbolIdsAgainstConnectionDictionary) {
    BatchHarness h;
    // query 1: registers a, b, c (ids 0-2)
    auto q1 = h.decode(
        batch(1, 0, hex("00 03 01 61 01 62 01 63 00 03 01 01 73 09 00 00 01 02"), kGorillaDict));
    ASSERT_TRUE(q1.ok()) << q1.failure().message;
    EXPECT_EQ(BatchView(q1.value()).column(0).as_symbol().resolve(2), "c");
    // query 2: delta_start 3 adds "d", uses ids 0 and 3
    h.schema.clear();
    auto q2 = h.decode(batch(2, 0, hex("03 01 01 64 00 02 01 01 73 09 00 00 03"), kGorillaDict));
    ASSERT_TRUE(q2.ok()) << q2.failure().message;
    auto col = BatchView(q2.value()).column(0).as_symbol();
    EXPECT_EQ(col.resolve(0), "a");
    EXPECT_EQ(col.resolve(1), "d");
    EXPECT_EQ(col.id(1), 3u);
    // a gap: delta_start 5 with 4 entries known
    h.schema.clear();
    auto gap = h.decode(batch(3, 0, hex("05 01 01 65 00 00 01 01 73 09 00"), kGorillaDict));
    ASSERT_FALSE(gap.ok());
    // id 5 with 4 entries -> out of sync
    h.schema.clear();
    auto miss = h.decode(batch(4, 0, hex("04 00 00 01 01 01 73 09 00 05"), kGorillaDict));
    ASSERT_FALSE(miss.ok());
    EXPECT_EQ(miss.failure().code, ErrorCode::protocol_error);
}

TEST(EgressBatch, OverlappingDeltaMustMatch) {
    BatchHarness h;
    ASSERT_TRUE(h.decode(batch(1, 0, hex("00 02 01 61 01 62 00 00 00"), kGorillaDict)).ok());
    h.schema.clear();
    EXPECT_TRUE(h.decode(batch(2, 0, hex("01 02 01 62 01 63 00 00 00"), kGorillaDict)).ok());
    EXPECT_EQ(h.dict.size(), 3u);
    h.schema.clear();
    EXPECT_FALSE(h.decode(batch(3, 0, hex("00 01 01 7A 00 00 00"), kGorillaDict)).ok());
}

TEST(EgressBatch, GeohashAndDecimal) {
    // GEOHASH 60 bits (8 bytes/value), DECIMAL128 scale 3, 1 row
    Frame body =
        hex("00 01 02 01 67 0E 01 64 14 00 3C 01 02 03 04 05 06 07 08 00 03 39 30 00 00 00 00 00 "
            "00 00 00 "
            "00 00 00 00 00 00");
    BatchHarness h;
    auto r = h.decode(batch(1, 0, body, 0));
    ASSERT_TRUE(r.ok()) << r.failure().message;
    BatchView b(r.value());
    auto g = b.column(0).as_geohash().value(0);
    ASSERT_TRUE(g);
    EXPECT_EQ(g->precision, 60);
    EXPECT_EQ(g->bits, 0x0807060504030201ULL);
    auto d = b.column(1).as_decimal128().value(0);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->lo, 12345u);
    EXPECT_EQ(d->scale, 3);
    BatchHarness bad;
    Frame p61 = hex("00 01 01 01 67 0E 00 3D 01 02 03 04 05 06 07 08");
    EXPECT_FALSE(bad.decode(batch(1, 0, p61, 0)).ok());
}

TEST(EgressBatch, ArraysNullEmptyAndShaped) {
    // DOUBLE_ARRAY, 4 rows: NULL, [0], [2,0], [[1,2],[3,4]]
    Frame body =
        hex("00 04 01 01 61 11 01 01 "
            "01 00 00 00 00 "
            "02 02 00 00 00 00 00 00 00 "
            "02 02 00 00 00 02 00 00 00");
    for (double v : {1.0, 2.0, 3.0, 4.0}) {
        std::uint8_t b[8];
        std::memcpy(b, &v, 8);
        body.insert(body.end(), b, b + 8);
    }
    BatchHarness h;
    auto r = h.decode(batch(1, 0, body, 0));
    ASSERT_TRUE(r.ok()) << r.failure().message;
    auto col = BatchView(r.value()).column(0).as_double_array();
    EXPECT_TRUE(col.is_null(0));
    auto a1 = col.value(1);
    ASSERT_TRUE(a1);
    EXPECT_EQ(a1->n_dims(), 1u);
    EXPECT_EQ(a1->size(), 0u);
    auto a2 = col.value(2);
    ASSERT_TRUE(a2);
    EXPECT_EQ(a2->n_dims(), 2u);
    EXPECT_EQ(a2->dim(0), 2);
    EXPECT_EQ(a2->size(), 0u);
    auto a3 = col.value(3);
    ASSERT_TRUE(a3);
    EXPECT_EQ(a3->size(), 4u);
    EXPECT_EQ((*a3)[3], 4.0);

    Frame zero_dims = hex("00 01 01 01 61 11 00 00");
    BatchHarness h2;
    EXPECT_FALSE(h2.decode(batch(1, 0, zero_dims, 0)).ok());
    Frame negative = hex("00 01 01 01 61 12 00 01 FF FF FF FF");
    BatchHarness h3;
    EXPECT_FALSE(h3.decode(batch(1, 0, negative, 0)).ok());
    // a huge product must be rejected before any allocation or over-read
    Frame huge = hex("00 01 01 01 61 12 00 03 FF FF FF 7F FF FF FF 7F FF FF FF 7F 00");
    BatchHarness h4;
    EXPECT_FALSE(h4.decode(batch(1, 0, huge, 0)).ok());
}

TEST(EgressBatch, SentinelsAreNull) {
    // LONG with null_flag 0 and INT64_MIN -> NULL (D16); BYTE 0 is a value (D17)
    Frame body = hex(
        "00 02 02 01 6C 05 01 62 02 00 00 00 00 00 00 00 00 80 07 00 00 00 00 00 00 00 00 00 05");
    BatchHarness h;
    auto r = h.decode(batch(1, 0, body, 0));
    ASSERT_TRUE(r.ok()) << r.failure().message;
    BatchView b(r.value());
    EXPECT_TRUE(b.column(0).is_null(0));
    EXPECT_FALSE(b.column(0).as_long().get(0).has_value());
    EXPECT_EQ(b.column(0).as_long().get(1), 7);
    EXPECT_FALSE(b.column(1).is_null(0));
    EXPECT_EQ(b.column(1).as_byte().get(0), 0);
    EXPECT_EQ(b.column(1).as_byte().get(1), 5);
}

TEST(EgressBatch, StrictVarintAndCaps) {
    // batch_seq = FF x10 01 -> protocol error (0.6)
    Frame payload = hex("11 01 00 00 00 00 00 00 00 FF FF FF FF FF FF FF FF FF FF 01");
    EXPECT_FALSE(parse_batch_prelude(payload).ok());
    // row_count = 2^31 rejected before allocating (H5)
    BatchHarness h;
    auto r = h.decode(batch(1, 0, hex("00 80 80 80 80 08 01 01 61 05 00"), 0));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.failure().message.find("row_count"), std::string::npos);
    EXPECT_EQ(h.decoder.scratch_bytes(), 0u);
    // column_count above 2048
    BatchHarness h2;
    EXPECT_FALSE(h2.decode(batch(1, 0, hex("00 00 81 10"), 0)).ok());
    // column name of 128 bytes
    Frame long_name = hex("00 00 01 80 01");
    long_name.insert(long_name.end(), 128, 'a');
    long_name.push_back(0x05);
    BatchHarness h3;
    EXPECT_FALSE(h3.decode(batch(1, 0, long_name, 0)).ok());
    // trailing garbage after the table block
    Frame trailing = hex(kSpecBody);
    trailing.push_back(0);
    BatchHarness h4;
    EXPECT_FALSE(h4.decode(batch(1, 0, trailing, 0)).ok());
}

TEST(EgressBatch, ZstdOnlyWhenNegotiatedAndCorruptRejected) {
    server::ResultColumn c("v", ColumnKind::long_);
    for (int i = 0; i < 1000; ++i) {
        c.append_i64(i % 7);
    }
    server::ResultEncoder enc;
    server::BatchEncodeOptions opts;
    opts.zstd = true;
    Frame f;
    ASSERT_TRUE(enc.encode_batch(1, 0, std::span(&c, 1), 0, 1000, opts, f).ok());
    ASSERT_NE(f[5] & wire::kFlagZstd, 0);
    BatchHarness raw_only;
    raw_only.zstd_allowed = false;
    auto r = raw_only.decode(f);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.failure().code, ErrorCode::protocol_error);
    BatchHarness ok;
    auto good = ok.decode(f);
    ASSERT_TRUE(good.ok()) << good.failure().message;
    EXPECT_EQ(BatchView(good.value()).column(0).as_long().value(999), 999 % 7);
    Frame corrupt = f;
    corrupt[corrupt.size() - 3] ^= 0x5A;
    corrupt[30] ^= 0xFF;
    BatchHarness bad;
    EXPECT_FALSE(bad.decode(corrupt).ok());
}

TEST(EgressBatch, ZstdBombHitsCap) {
    server::ResultColumn c("v", ColumnKind::long_);
    for (int i = 0; i < 100000; ++i) {
        c.append_i64(0);
    }
    server::ResultEncoder enc;
    server::BatchEncodeOptions opts;
    opts.zstd = true;
    Frame f;
    ASSERT_TRUE(enc.encode_batch(1, 0, std::span(&c, 1), 0, 100000, opts, f).ok());
    ASSERT_LT(f.size(), 2000u);  // 800 KB of zeros compress to almost nothing
    BatchHarness h{BatchDecoder(64 * 1024), {}, {}, true, {}};
    auto r = h.decode(f);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.failure().code, ErrorCode::limit_exceeded);
}

TEST(EgressBatch, ManySymbolsBeyondServerSoftCaps) {
    server::ResultColumn c("s", ColumnKind::symbol);
    for (int i = 0; i < 150000; ++i) {
        c.append_bytes("sym" + std::to_string(i));
    }
    server::ResultEncoder enc;
    Frame f;
    ASSERT_TRUE(enc.encode_batch(1, 0, std::span(&c, 1), 0, 150000, {}, f).ok());
    BatchHarness h;
    auto r = h.decode(f);
    ASSERT_TRUE(r.ok()) << r.failure().message;
    EXPECT_EQ(h.dict.size(), 150000u);
    EXPECT_EQ(BatchView(r.value()).column(0).as_symbol().resolve(149999), "sym149999");
}

}  // namespace
}  // namespace questdb::egress
