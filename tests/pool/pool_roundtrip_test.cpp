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

}  // namespace
