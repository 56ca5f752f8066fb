// The server-side writer against the client decoder: every egress type with NULLs, Gorilla on
// and off, zstd on and off, multi-batch results with schema-once and a growing dictionary.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "egress/server_writer.hpp"
#include "questdb/egress/batch.hpp"
#include "support/egress_every_type.hpp"
#include "test_util.hpp"

namespace questdb::egress {
namespace {

using server::ResultColumn;
using test::BatchHarness;
using test::Frame;

constexpr std::size_t kRows = 37;

bool null_row(std::size_t row) {
    return questdb::test::every_type_null_row(row);
}

std::vector<ResultColumn> every_type() {
    return questdb::test::every_type_columns(kRows);
}

void check_batch(const BatchView& b, std::size_t first_row) {
    ASSERT_EQ(b.column_count(), 23u);
    for (std::size_t i = 0; i < b.row_count(); ++i) {
        const std::size_t r = first_row + i;
        const auto v = static_cast<std::int64_t>(r);
        const bool n = null_row(r);
        SCOPED_TRACE("row " + std::to_string(r));
        EXPECT_EQ(b.column(0).as_bool().value(i), r % 3 == 0);
        EXPECT_EQ(b.column(1).as_byte().get(i), static_cast<std::int8_t>(v - 10));
        EXPECT_EQ(b.column(2).as_short().get(i), static_cast<std::int16_t>(v * -300));
        EXPECT_EQ(b.column(3).as_char().get(i), static_cast<char16_t>(u'a' + r));
        for (std::size_t c = 4; c < 23; ++c) {
            EXPECT_EQ(b.column(c).is_null(i), n) << b.column_name(c);
        }
        if (n) {
            continue;
        }
        EXPECT_EQ(b.column(4).as_int().get(i), static_cast<std::int32_t>(v * 1000 - 5));
        EXPECT_EQ(b.column(5).as_long().get(i), v * 1'000'000'007);
        EXPECT_EQ(b.column(6).as_float().get(i), static_cast<float>(r) * 0.5f);
        EXPECT_EQ(b.column(7).as_double().get(i), static_cast<double>(r) / 3.0);
        EXPECT_EQ(b.column(8).as_symbol().resolve(i), "sym" + std::to_string(r % 4));
        EXPECT_EQ(b.column(9).as_timestamp().get(i), 1'700'000'000'000'000 + v * 1000);
        EXPECT_EQ(b.column(10).as_timestamp().get(i), 1'700'000'000'000 + v * 60'000);
        EXPECT_EQ(b.column(11).as_uuid().get(i),
                  (Uuid{static_cast<std::uint64_t>(v), ~static_cast<std::uint64_t>(v)}));
        EXPECT_EQ(b.column(12).as_long256().get(i)->limbs[3], static_cast<std::uint64_t>(v));
        auto g = b.column(13).as_geohash().get(i);
        ASSERT_TRUE(g);
        EXPECT_EQ(g->bits & 0x1FFFFFF, static_cast<std::uint64_t>(v * 12345) & 0x1FFFFFF);
        EXPECT_EQ(g->precision, 25);
        EXPECT_EQ(b.column(14).as_varchar().value(i),
                  std::string(r % 6, static_cast<char>('a' + r % 26)) + "é");
        EXPECT_EQ(b.column(15).as_timestamp().get(i), 1'700'000'000'000'000'000 + v * v * 7);
        auto da = b.column(16).as_double_array().value(i);
        ASSERT_TRUE(da);
        EXPECT_EQ(da->n_dims(), 2u);
        EXPECT_EQ(da->size(), (r % 3) * 2);
        if (da->size() > 0) {
            EXPECT_EQ((*da)[da->size() - 1], 1.5 * static_cast<double>(r));
        }
        auto la = b.column(17).as_long_array().value(i);
        ASSERT_TRUE(la);
        EXPECT_EQ(la->size(), r % 4);
        auto d64 = b.column(18).as_decimal64().get(i);
        EXPECT_EQ(d64, (Decimal64{v * 101, 2}));
        auto d128 = b.column(19).as_decimal128().get(i);
        EXPECT_EQ(d128, (Decimal128{static_cast<std::uint64_t>(v), -v, 5}));
        auto d256 = b.column(20).as_decimal256().get(i);
        ASSERT_TRUE(d256);
        EXPECT_EQ(d256->limbs[3], 7u);
        EXPECT_EQ(d256->scale, 9);
        auto bin = b.column(21).as_binary().value(i);
        ASSERT_TRUE(bin);
        EXPECT_EQ(bin->size(), r % 4);
        EXPECT_EQ(b.column(22).as_ipv4().get(i), 0x0A000001 + static_cast<std::uint32_t>(r));
    }
}

struct Variant {
    bool gorilla;
    bool zstd;
};

class EgressWriterRoundTrip : public ::testing::TestWithParam<Variant> {};

TEST_P(EgressWriterRoundTrip, EveryTypeWithNullsAcrossBatches) {
    auto cols = every_type();
    server::ResultEncoder enc;
    server::BatchEncodeOptions opts;
    opts.gorilla = GetParam().gorilla;
    opts.zstd = GetParam().zstd;
    BatchHarness h;
    std::size_t row = 0;
    std::uint64_t seq = 0;
    for (std::size_t chunk : {10u, 0u, 20u, 7u}) {
        Frame f;
        ASSERT_TRUE(enc.encode_batch(9, seq, cols, row, chunk, opts, f).ok());
        auto r = h.decode(f);
        ASSERT_TRUE(r.ok()) << r.failure().message;
        BatchView b(r.value());
        EXPECT_EQ(b.request_id(), 9);
        EXPECT_EQ(b.batch_seq(), seq);
        ASSERT_EQ(b.row_count(), chunk);
        check_batch(b, row);
        row += chunk;
        ++seq;
    }
    EXPECT_EQ(h.dict.size(), 4u);
}

INSTANTIATE_TEST_SUITE_P(Variants, EgressWriterRoundTrip,
                         ::testing::Values(Variant{false, false}, Variant{true, false},
                                           Variant{true, true}, Variant{false, true}));

TEST(EgressWriter, GorillaChosenForRegularTimestamps) {
    ResultColumn ts("ts", ColumnKind::timestamp);
    for (int i = 0; i < 1000; ++i) {
        ts.append_i64(1'700'000'000'000'000 + i * 1000);
    }
    server::ResultEncoder enc;
    Frame gorilla;
    Frame raw;
    ASSERT_TRUE(enc.encode_batch(1, 0, std::span(&ts, 1), 0, 1000, {}, gorilla).ok());
    server::BatchEncodeOptions no_gorilla;
    no_gorilla.gorilla = false;
    ASSERT_TRUE(enc.encode_batch(1, 0, std::span(&ts, 1), 0, 1000, no_gorilla, raw).ok());
    EXPECT_LT(gorilla.size(), raw.size() / 4);
    BatchHarness a;
    BatchHarness b;
    auto ra = a.decode(gorilla);
    auto rb = b.decode(raw);
    ASSERT_TRUE(ra.ok() && rb.ok());
    for (std::size_t i = 0; i < 1000; ++i) {
        ASSERT_EQ(BatchView(ra.value()).column(0).as_timestamp().value(i),
                  BatchView(rb.value()).column(0).as_timestamp().value(i));
    }
}

TEST(EgressWriter, ZstdAndRawDecodeEqual) {
    auto cols = every_type();
    server::ResultEncoder e1;
    server::ResultEncoder e2;
    server::BatchEncodeOptions z;
    z.zstd = true;
    z.zstd_level = 9;
    Frame fz;
    Frame fr;
    ASSERT_TRUE(e1.encode_batch(1, 0, cols, 0, kRows, z, fz).ok());
    ASSERT_TRUE(e2.encode_batch(1, 0, cols, 0, kRows, {}, fr).ok());
    EXPECT_NE(fz[5] & wire::kFlagZstd, 0);
    EXPECT_LT(fz.size(), fr.size());
    BatchHarness hz;
    auto rz = hz.decode(fz);
    ASSERT_TRUE(rz.ok()) << rz.failure().message;
    check_batch(BatchView(rz.value()), 0);
}

TEST(EgressWriter, DictionaryResetStartsAtZero) {
    ResultColumn s("s", ColumnKind::symbol);
    s.append_bytes("x");
    s.append_bytes("y");
    server::ResultEncoder enc;
    Frame f;
    ASSERT_TRUE(enc.encode_batch(1, 0, std::span(&s, 1), 0, 2, {}, f).ok());
    EXPECT_EQ(enc.dictionary_size(), 2u);
    ASSERT_TRUE(enc.encode_batch(2, 0, std::span(&s, 1), 0, 2, {}, f).ok());
    // no new entries: delta_start 2, count 0, right after the prelude
    EXPECT_EQ(f[12 + 1 + 8 + 1], 2);
    EXPECT_EQ(f[12 + 1 + 8 + 2], 0);
    enc.reset_dictionary();
    ASSERT_TRUE(enc.encode_batch(3, 0, std::span(&s, 1), 0, 2, {}, f).ok());
    EXPECT_EQ(f[12 + 1 + 8 + 1], 0);
    EXPECT_EQ(f[12 + 1 + 8 + 2], 2);
}

}  // namespace
}  // namespace questdb::egress
