// Values written through a pooled row sender and read back through a pooled reader, via the
// test server: NULL sentinels and type parameters survive the round trip as they would
// through QuestDB.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "pool_e2e_support.hpp"
#include "questdb/db.hpp"

namespace {

using namespace std::chrono_literals;
using questdb::QuestDb;
using questdb::ingress::AckLevel;
using questdb::ingress::TimestampNanos;
using questdb::test::PoolE2E;

using questdb::test::column_index;

TEST_F(PoolE2E, NullSentinelsReadBackAsNullLikeQuestDb) {
    auto db = QuestDb::connect(conf());
    {
        auto sender = db.borrow_row_sender();
        auto rows = sender->new_buffer();
        rows.table("sentinels")
            .column_i64("id", std::numeric_limits<std::int64_t>::min())
            .column_f64("px", std::nan(""))
            .column_i32("qty", std::numeric_limits<std::int32_t>::min())
            .at(TimestampNanos(1));
        rows.table("sentinels")
            .column_i64("id", 7)
            .column_f64("px", 2.5)
            .column_i32("qty", 3)
            .at(TimestampNanos(2));
        sender->flush(rows);
        sender->wait(AckLevel::ok, 10s);
    }
    const auto table = server.table("sentinels");
    ASSERT_EQ(table.rows().size(), 2u);
    EXPECT_TRUE(table.rows()[0].is_null("id"));
    EXPECT_TRUE(table.rows()[0].is_null("px"));
    EXPECT_TRUE(table.rows()[0].is_null("qty"));
    EXPECT_FALSE(table.rows()[1].is_null("id"));

    auto reader = db.borrow_reader();
    auto cursor = reader->execute("SELECT * FROM sentinels");
    std::size_t seen = 0;
    while (auto batch = cursor.next_batch()) {
        const auto id = batch->column(column_index(*batch, "id")).as_long();
        const auto px = batch->column(column_index(*batch, "px")).as_double();
        for (std::size_t r = 0; r < batch->row_count(); ++r, ++seen) {
            EXPECT_EQ(id.is_null(r), seen == 0) << "row " << seen;
            EXPECT_EQ(px.is_null(r), seen == 0) << "row " << seen;
        }
    }
    EXPECT_EQ(seen, 2u);
}

TEST_F(PoolE2E, GeohashPrecisionSurvivesTheRoundTrip) {
    auto db = QuestDb::connect(conf());
    {
        auto sender = db.borrow_row_sender();
        auto rows = sender->new_buffer();
        rows.table("places")
            .column_geohash("cell", 0b1011'0011'1100'0101'1010, 20)
            .at(TimestampNanos(1));
        sender->flush(rows);
        sender->wait(AckLevel::ok, 10s);
    }
    auto reader = db.borrow_reader();
    auto cursor = reader->execute("SELECT * FROM places");
    auto batch = cursor.next_batch();
    ASSERT_TRUE(batch);
    const auto cell = batch->column(column_index(*batch, "cell")).as_geohash();
    EXPECT_EQ(cell.precision(), 20);
    ASSERT_TRUE(cell.value(0));
    EXPECT_EQ(cell.value(0)->bits, 0b1011'0011'1100'0101'1010u);
    EXPECT_EQ(cell.value(0)->precision, 20);
}

// ---- every ingress type, with NULLs, through the pool ------------------------------------------

namespace every_type {

using namespace questdb::egress;

constexpr int kRows = 24;
constexpr std::int64_t kBaseMicros = 1'700'000'000'000'000;
constexpr std::int64_t kBaseNanos = 1'700'000'000'000'000'000;

/// Row `r` of column number `c` is left out (NULL) for one row in four, shifted per column so
/// that every row has some NULLs and every column has some values.
bool omitted(int r, int c) {
    return (r + c) % 4 == 0;
}

std::string text(int r) {
    return "v\xC3\xA9-" + std::to_string(r);  // "vé-<r>": non-ASCII UTF-8
}
std::vector<std::uint8_t> blob(int r) {
    std::vector<std::uint8_t> b(static_cast<std::size_t>(r % 5));
    for (std::size_t i = 0; i < b.size(); ++i) {
        b[i] = static_cast<std::uint8_t>(r * 31 + static_cast<int>(i));
    }
    return b;
}
std::vector<double> doubles(int r) {
    std::vector<double> v(static_cast<std::size_t>(r % 4));  // includes empty arrays
    for (std::size_t i = 0; i < v.size(); ++i) {
        v[i] = r + 0.5 * static_cast<double>(i);
    }
    return v;
}
std::int64_t dec64(int r) {
    return (r - 12) * 12'345;  // scale 3: includes negatives
}
std::int64_t dec128_hi(int r) {
    return r % 2 == 0 ? 0 : -1;  // sign-extended small values
}
std::uint64_t dec128_lo(int r) {
    return static_cast<std::uint64_t>(r % 2 == 0 ? std::int64_t{r} * 1'000'003 : -r);
}
/// DECIMAL256 at scale 2: row 5 is 2^64 (needs a second limb), the others (r - 10) * 1.01.
std::string dec256_text(int r) {
    if (r == 5) {
        return "184467440737095516.16";
    }
    const std::int64_t cents = (r - 10) * 101;
    const std::int64_t whole = (cents < 0 ? -cents : cents) / 100;
    const std::int64_t frac = (cents < 0 ? -cents : cents) % 100;
    return std::string(cents < 0 ? "-" : "") + std::to_string(whole) + "." +
           (frac < 10 ? "0" : "") + std::to_string(frac);
}
Decimal256 dec256(int r) {
    if (r == 5) {
        return Decimal256{{0, 1, 0, 0}, 2};
    }
    const std::int64_t cents = (r - 10) * 101;
    const std::uint64_t fill = cents < 0 ? ~0ULL : 0;
    return Decimal256{{static_cast<std::uint64_t>(cents), fill, fill, fill}, 2};
}
std::uint64_t geo_bits(int r, int precision) {
    const std::uint64_t mask = (precision >= 64) ? ~0ULL : (1ULL << precision) - 1;
    return (0x5DEECE66DULL * static_cast<std::uint64_t>(r + 1)) & mask & ~1ULL;  // never all ones
}

void write_rows(questdb::ingress::Buffer& rows) {
    for (int r = 0; r < kRows; ++r) {
        int c = 0;
        auto& row = rows.table("every_type");
        if (!omitted(r, 8)) {
            row.symbol("sym", "s" + std::to_string(r % 3));
        }
        auto put = [&](auto&& write) {
            if (!omitted(r, c)) {
                write();
            }
            ++c;
        };
        put([&] { row.column_bool("b", r % 3 == 1); });
        put([&] { row.column_i8("i8", static_cast<std::int8_t>(r - 12)); });
        put([&] { row.column_i16("i16", static_cast<std::int16_t>(r * -1000)); });
        put([&] { row.column_i32("i32", r * 100'000 - 7); });
        put([&] { row.column_i64("i64", std::int64_t{r} * 1'000'000'000'007 - 5); });
        put([&] { row.column_f32("f32", static_cast<float>(r) * 0.5f - 3.0f); });
        put([&] { row.column_f64("f64", r * 1.25e100 - 0.125); });
        put([&] { row.column_char("ch", static_cast<char16_t>(u'\u00e9' + r)); });
        ++c;  // "sym", column 8, written first (symbols precede the other columns)
        put([&] { row.column_str("vc", text(r)); });
        put([&] { row.column_binary("bin", blob(r)); });
        put([&] { row.column_ts("ts_us", questdb::ingress::TimestampMicros(kBaseMicros + r)); });
        put([&] { row.column_ts("ts_ns", TimestampNanos(kBaseNanos + r * 1'000'001)); });
        put([&] { row.column_date("dt", 1'700'000'000'000 + r * 86'400'000LL); });
        put([&] { row.column_uuid("u", static_cast<std::uint64_t>(r) * 77, 0xABCDEF00ULL + r); });
        put([&] {
            row.column_long256(
                "l256", {static_cast<std::uint64_t>(r), 1, 2, static_cast<std::uint64_t>(r) << 40});
        });
        put([&] { row.column_ipv4("ip", 0x0A000001u + static_cast<std::uint32_t>(r)); });
        put([&] { row.column_geohash("g5", geo_bits(r, 5), 5); });
        put([&] { row.column_geohash("g20", geo_bits(r, 20), 20); });
        put([&] { row.column_geohash("g60", geo_bits(r, 60), 60); });
        put([&] { row.column_dec64("d64", dec64(r), 3); });
        put([&] { row.column_dec128("d128", dec128_lo(r), dec128_hi(r), 4); });
        put([&] { row.column_dec("d256", dec256_text(r)); });
        put([&] { row.column_arr("arr", doubles(r)); });
        row.at(TimestampNanos(kBaseNanos + r));
    }
}

/// Checks row `r` (result row `i` of `b`) column by column, in write order.
void check_row(const BatchView& b, std::size_t i, int r) {
    SCOPED_TRACE("row " + std::to_string(r));
    int c = 0;
    auto col = [&](std::string_view name) { return b.column(column_index(b, name)); };
    // BOOLEAN, BYTE, SHORT and CHAR have no NULL on egress (D17): a missing value is 0/false.
    EXPECT_EQ(col("b").as_bool().get(i), !omitted(r, c) && r % 3 == 1);
    ++c;
    EXPECT_EQ(col("i8").as_byte().get(i), omitted(r, c) ? 0 : r - 12);
    ++c;
    EXPECT_EQ(col("i16").as_short().get(i), omitted(r, c) ? 0 : r * -1000);
    ++c;
    auto expect = [&](std::string_view name, auto got, auto want) {
        SCOPED_TRACE(std::string(name));
        if (omitted(r, c)) {
            EXPECT_FALSE(got.has_value());
        } else {
            ASSERT_TRUE(got.has_value());
            EXPECT_EQ(*got, want);
        }
        ++c;
    };
    expect("i32", col("i32").as_int().get(i), r * 100'000 - 7);
    expect("i64", col("i64").as_long().get(i), std::int64_t{r} * 1'000'000'000'007 - 5);
    expect("f32", col("f32").as_float().get(i), static_cast<float>(r) * 0.5f - 3.0f);
    expect("f64", col("f64").as_double().get(i), r * 1.25e100 - 0.125);
    EXPECT_EQ(col("ch").as_char().get(i),
              omitted(r, c) ? char16_t{0} : static_cast<char16_t>(u'\u00e9' + r));
    ++c;
    expect("sym", col("sym").as_symbol().resolve(i), "s" + std::to_string(r % 3));
    expect("vc", col("vc").as_varchar().value(i), text(r));
    {
        const auto got = col("bin").as_binary().value(i);
        const auto want = blob(r);
        expect("bin",
               got.has_value()
                   ? std::optional(std::vector<std::uint8_t>(
                         reinterpret_cast<const std::uint8_t*>(got->data()),
                         reinterpret_cast<const std::uint8_t*>(got->data()) + got->size()))
                   : std::nullopt,
               want);
    }
    expect("ts_us", col("ts_us").as_timestamp().get(i), kBaseMicros + r);
    expect("ts_ns", col("ts_ns").as_timestamp().get(i), kBaseNanos + r * 1'000'001);
    expect("dt", col("dt").as_timestamp().get(i), 1'700'000'000'000 + r * 86'400'000LL);
    expect("u", col("u").as_uuid().get(i),
           Uuid{static_cast<std::uint64_t>(r) * 77, 0xABCDEF00ULL + static_cast<std::uint64_t>(r)});
    expect("l256", col("l256").as_long256().get(i),
           Long256{{static_cast<std::uint64_t>(r), 1, 2, static_cast<std::uint64_t>(r) << 40}});
    expect("ip", col("ip").as_ipv4().get(i), 0x0A000001u + static_cast<std::uint32_t>(r));
    for (const int precision : {5, 20, 60}) {
        const std::string name = "g" + std::to_string(precision);
        const auto g = col(name).as_geohash();
        EXPECT_EQ(g.precision(), precision);
        expect(name, g.get(i),
               Geohash{geo_bits(r, precision), static_cast<std::uint8_t>(precision)});
    }
    expect("d64", col("d64").as_decimal64().get(i), Decimal64{dec64(r), 3});
    expect("d128", col("d128").as_decimal128().get(i), Decimal128{dec128_lo(r), dec128_hi(r), 4});
    expect("d256", col("d256").as_decimal256().get(i), dec256(r));
    {
        const auto got = col("arr").as_double_array().value(i);
        std::optional<std::vector<double>> values;
        if (got) {
            EXPECT_EQ(got->n_dims(), 1u);
            values.emplace();
            for (std::size_t k = 0; k < got->size(); ++k) {
                values->push_back((*got)[k]);
            }
        }
        expect("arr", values, doubles(r));
    }
    const auto ts = col("timestamp").as_timestamp();
    EXPECT_EQ(ts.get(i), kBaseNanos + r);
}

TEST_F(PoolE2E, EveryIngressTypeWithNullsRoundTrips) {
    auto db = QuestDb::connect(conf());
    {
        auto sender = db.borrow_row_sender();
        auto rows = sender->new_buffer();
        write_rows(rows);
        sender->flush(rows);
        sender->wait(AckLevel::ok, 10s);
    }
    ASSERT_TRUE(server.wait_for_rows("every_type", kRows));
    for (const char* sql : {"SELECT * FROM every_type", "select * from every_type"}) {
        SCOPED_TRACE(sql);
        auto reader = db.borrow_reader();
        auto cursor = reader->execute(sql);
        int row = 0;
        while (auto batch = cursor.next_batch()) {
            EXPECT_EQ(batch->column_count(), 25u);
            for (std::size_t i = 0; i < batch->row_count(); ++i, ++row) {
                check_row(*batch, i, row);
            }
        }
        EXPECT_EQ(row, kRows);
        ASSERT_TRUE(cursor.terminal().has_value());
        EXPECT_EQ(cursor.terminal()->kind, Terminal::Kind::result_end);
    }
}

}  // namespace every_type

}  // namespace
