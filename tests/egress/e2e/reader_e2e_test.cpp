// End-to-end: the public Reader over real WebSocket connections (src/ws) to a Beast egress
// server built on the library's server-side writer. Every type with NULLs, a 10M-row result
// under initial_credit(1 MiB) with bounded buffering, cancel mid-stream, DDL/DML ExecDone,
// QUERY_ERROR, zstd on/off equality, and a server drop mid-query driving the failover
// callbacks.

#include <gtest/gtest.h>

#include "egress_ws_server.hpp"
#include "questdb/egress/reader.hpp"

namespace questdb::egress {
namespace {

using test::EgressWsServer;
using test::FakeAnswer;

FakeAnswer long_rows(std::size_t total, std::size_t batch_rows = 4096) {
    FakeAnswer a;
    a.total_rows = total;
    a.batch_rows = batch_rows;
    a.make_columns = [] {
        std::vector<server::ResultColumn> cols;
        cols.emplace_back("id", ColumnKind::long_);
        cols.emplace_back("price", ColumnKind::double_);
        return cols;
    };
    a.fill = [](std::size_t first, std::size_t n, std::vector<server::ResultColumn>& cols) {
        cols[0] = server::ResultColumn("id", ColumnKind::long_);
        cols[1] = server::ResultColumn("price", ColumnKind::double_);
        for (std::size_t i = 0; i < n; ++i) {
            cols[0].append_i64(static_cast<std::int64_t>(first + i));
            cols[1].append_f64(static_cast<double>(first + i) * 0.5);
        }
    };
    return a;
}

FakeAnswer every_type_rows() {
    FakeAnswer a;
    a.total_rows = 30;
    a.batch_rows = 7;
    auto make = [] {
        std::vector<server::ResultColumn> c;
        c.emplace_back("b", ColumnKind::boolean);
        c.emplace_back("i32", ColumnKind::int_);
        c.emplace_back("i64", ColumnKind::long_);
        c.emplace_back("f64", ColumnKind::double_);
        c.emplace_back("sym", ColumnKind::symbol);
        c.emplace_back("ts", ColumnKind::timestamp);
        c.emplace_back("d", ColumnKind::date);
        c.emplace_back("s", ColumnKind::varchar);
        c.emplace_back("u", ColumnKind::uuid);
        c.emplace_back("g", ColumnKind::geohash, 20);
        c.emplace_back("dec", ColumnKind::decimal64, 3);
        c.emplace_back("arr", ColumnKind::double_array);
        c.emplace_back("ip", ColumnKind::ipv4);
        return c;
    };
    a.make_columns = make;
    a.fill = [make](std::size_t first, std::size_t n, std::vector<server::ResultColumn>& c) {
        c = make();
        for (std::size_t k = 0; k < n; ++k) {
            const std::size_t r = first + k;
            const auto v = static_cast<std::int64_t>(r);
            c[0].append_bool(r % 2 == 0);
            for (std::size_t j = 1; j < c.size(); ++j) {
                if (r % 4 == 1) {
                    c[j].append_null();
                    continue;
                }
                switch (c[j].kind()) {
                    case ColumnKind::int_:
                        c[j].append_i32(static_cast<std::int32_t>(v));
                        break;
                    case ColumnKind::long_:
                    case ColumnKind::timestamp:
                    case ColumnKind::date:
                    case ColumnKind::decimal64:
                        c[j].append_i64(1000 + v * 17);
                        break;
                    case ColumnKind::double_:
                        c[j].append_f64(static_cast<double>(v) / 4);
                        break;
                    case ColumnKind::symbol:
                        c[j].append_bytes("k" + std::to_string(r % 3));
                        break;
                    case ColumnKind::varchar:
                        c[j].append_bytes("row" + std::to_string(r));
                        break;
                    case ColumnKind::uuid:
                        c[j].append_uuid({static_cast<std::uint64_t>(v), 7});
                        break;
                    case ColumnKind::geohash:
                        c[j].append_geohash(static_cast<std::uint64_t>(v));
                        break;
                    case ColumnKind::double_array: {
                        const std::int32_t shape[] = {2};
                        const double vals[] = {static_cast<double>(v), -1.0};
                        c[j].append_double_array(shape, vals);
                        break;
                    }
                    case ColumnKind::ipv4:
                        c[j].append_ipv4(0x7F000001);
                        break;
                    default:
                        break;
                }
            }
        }
    };
    return a;
}

void check_every_type(Reader& reader) {
    auto cursor = reader.execute("select * from all_types");
    std::size_t row = 0;
    while (auto b = cursor.next_batch()) {
        ASSERT_EQ(b->column_count(), 13u);
        for (std::size_t i = 0; i < b->row_count(); ++i, ++row) {
            const auto v = static_cast<std::int64_t>(row);
            const bool null = row % 4 == 1;
            EXPECT_EQ(b->column(0).as_bool().value(i), row % 2 == 0);
            for (std::size_t j = 1; j < 13; ++j) {
                EXPECT_EQ(b->column(j).is_null(i), null) << b->column_name(j) << " row " << row;
            }
            if (null) {
                continue;
            }
            EXPECT_EQ(b->column(1).as_int().get(i), static_cast<std::int32_t>(v));
            EXPECT_EQ(b->column(2).as_long().get(i), 1000 + v * 17);
            EXPECT_EQ(b->column(3).as_double().get(i), static_cast<double>(v) / 4);
            EXPECT_EQ(b->column(4).as_symbol().resolve(i), "k" + std::to_string(row % 3));
            EXPECT_EQ(b->column(5).as_timestamp().get(i), 1000 + v * 17);
            EXPECT_EQ(b->column(6).as_timestamp().get(i), 1000 + v * 17);
            EXPECT_EQ(b->column(7).as_varchar().value(i), "row" + std::to_string(row));
            EXPECT_EQ(b->column(8).as_uuid().get(i)->lo, static_cast<std::uint64_t>(v));
            EXPECT_EQ(b->column(9).as_geohash().get(i)->bits, static_cast<std::uint64_t>(v));
            EXPECT_EQ(b->column(10).as_decimal64().get(i)->unscaled, 1000 + v * 17);
            EXPECT_EQ((*b->column(11).as_double_array().value(i))[0], static_cast<double>(v));
            EXPECT_EQ(b->column(12).as_ipv4().get(i), 0x7F000001u);
        }
    }
    EXPECT_EQ(row, 30u);
}

TEST(EgressE2E, EveryTypeWithNullsRawAndZstd) {
    EgressWsServer server([](const server::QueryRequestMsg&) { return every_type_rows(); }, {});
    for (const char* compression : {"compression=raw;", "compression=zstd;compression_level=5;"}) {
        auto reader = Reader::connect(server.conf(compression));
        check_every_type(reader);
    }
    EXPECT_TRUE(server.saw_zstd_batch.load());
    std::lock_guard lock(server.mutex);
    EXPECT_TRUE(server.violations.empty()) << server.violations.front();
}

TEST(EgressE2E, TenMillionRowsWithBoundedCredit) {
    EgressWsServer server(
        [](const server::QueryRequestMsg&) { return long_rows(10'000'000, 16384); }, {});
    auto reader = Reader::connect(server.conf());
    auto cursor = reader.prepare("select id, price from big").initial_credit(1u << 20).execute();
    std::int64_t expected = 0;
    while (auto b = cursor.next_batch()) {
        auto id = b->column(0).as_long();
        for (std::size_t i = 0; i < b->row_count(); ++i) {
            if (id.value(i) != expected) {
                FAIL() << "row " << expected << " out of order: " << id.value(i);
            }
            ++expected;
        }
    }
    EXPECT_EQ(expected, 10'000'000);
    EXPECT_EQ(cursor.terminal()->kind, Terminal::Kind::result_end);
    const auto stats = cursor.stats();
    // One 16384-row batch is ~262 KB; the client holds one frame plus decoder scratch.
    EXPECT_LT(stats.peak_buffered_bytes, 2u << 20);
    // The server never ran more than credit + one batch (row floor) ahead of the client.
    EXPECT_LE(server.peak_outstanding.load(), (1 << 20) + 300'000);
    EXPECT_GT(server.credits.load(), 0u);
}

TEST(EgressE2E, CancelMidStream) {
    EgressWsServer server(
        [](const server::QueryRequestMsg& q) {
            return long_rows(q.sql == "small" ? 10 : 1'000'000, 1000);
        },
        {});
    auto reader = Reader::connect(server.conf());
    auto cursor = reader.prepare("select").initial_credit(64 * 1024).execute();
    ASSERT_TRUE(cursor.next_batch());
    cursor.cancel();
    EXPECT_FALSE(cursor.next_batch());
    EXPECT_EQ(cursor.terminal()->kind, Terminal::Kind::cancelled);
    EXPECT_EQ(server.cancels.load(), 1u);
    auto again = reader.execute("small");  // the connection is reusable
    EXPECT_EQ(again.drain().kind, Terminal::Kind::result_end);
    EXPECT_EQ(server.connections.load(), 1u);
}

TEST(EgressE2E, ExecDoneAndQueryError) {
    EgressWsServer server(
        [](const server::QueryRequestMsg& q) {
            FakeAnswer a;
            if (q.sql.rfind("insert", 0) == 0) {
                a.kind = FakeAnswer::Kind::exec_done;
                a.op_type = 1;
                a.rows_affected = q.binds.size();
            } else {
                a.kind = FakeAnswer::Kind::error;
                a.status = 0x05;
                a.message = "unexpected token: FORM";
            }
            return a;
        },
        {});
    auto reader = Reader::connect(server.conf());
    auto ins =
        reader.prepare("insert into t values ($1, $2)").bind_i64(1).bind_varchar("x").execute();
    auto t = ins.drain();
    EXPECT_EQ(t.kind, Terminal::Kind::exec_done);
    EXPECT_EQ(t.done.rows_affected, 2u);
    auto bad = reader.execute("select * form t");
    try {
        (void)bad.next_batch();
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.error_code(), ErrorCode::server_parse_error);
        EXPECT_EQ(e.message(), "unexpected token: FORM");
    }
    EXPECT_EQ(server.connections.load(), 1u);
}

TEST(EgressE2E, ServerDropMidQueryTriggersFailoverCallbacks) {
    std::atomic<int> calls{0};
    EgressWsServer server(
        [&](const server::QueryRequestMsg&) {
            auto a = long_rows(50'000, 5000);
            if (calls.fetch_add(1) == 0) {
                a.drop_after_batches = 3;
            }
            return a;
        },
        {});
    auto reader =
        Reader::connect(server.conf("failover_backoff_initial_ms=1;failover_backoff_max_ms=2;"));
    int resets = 0;
    int progress = 0;
    std::int64_t rows = 0;
    auto cursor = reader.prepare("select")
                      .on_failover_reset([&](const FailoverResetEvent& ev) {
                          ++resets;
                          EXPECT_EQ(ev.batches_delivered, 3u);
                          rows = 0;
                      })
                      .on_failover_progress([&](const FailoverProgressEvent&) { ++progress; })
                      .execute();
    while (auto b = cursor.next_batch()) {
        rows += static_cast<std::int64_t>(b->row_count());
    }
    EXPECT_EQ(rows, 50'000);
    EXPECT_EQ(resets, 1);
    EXPECT_GE(progress, 3);
    EXPECT_EQ(server.connections.load(), 2u);
    EXPECT_EQ(cursor.stats().failovers, 1u);
}

TEST(EgressE2E, UnreachableEndpoint) {
    try {
        auto reader = Reader::connect("ws::addr=127.0.0.1:1;");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.error_code(), ErrorCode::socket_error);
    }
}

}  // namespace
}  // namespace questdb::egress
