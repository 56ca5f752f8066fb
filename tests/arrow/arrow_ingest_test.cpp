// QuestDb::flush_arrow_batch against the in-tree test server: hand-built C Data Interface
// arrays of every supported type (NULLs, child offsets, a parent offset, max_rows slicing),
// overrides, the rows the server committed, and clear errors for what is unsupported.

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <functional>

#include "arrow_test_batch.hpp"
#include "questdb/db.hpp"
#include "questdb/test_server/server.hpp"

namespace questdb::arrow::test {
namespace {

namespace ts = questdb::test_server;
using std::nullopt;
using std::optional;

constexpr int kRows = 10;
constexpr std::int64_t kBaseNanos = 1'700'000'000'000'000'000LL;

bool is_null_row(int r) {
    return r % 3 == 1;
}

template <typename T>
std::vector<optional<T>> column_of(std::function<T(int)> f, bool nullable = true) {
    std::vector<optional<T>> out;
    for (int r = 0; r < kRows; ++r) {
        out.push_back(nullable && is_null_row(r) ? optional<T>() : optional<T>(f(r)));
    }
    return out;
}

std::vector<std::uint8_t> le_bytes(std::int64_t v, std::size_t width) {
    std::vector<std::uint8_t> out(width, v < 0 ? 0xFF : 0x00);
    std::memcpy(out.data(), &v, 8);
    return out;
}

template <std::size_t N>
std::array<std::uint8_t, N> le_array(std::int64_t v) {
    std::array<std::uint8_t, N> out{};
    const auto bytes = le_bytes(v, N);
    std::copy(bytes.begin(), bytes.end(), out.begin());
    return out;
}

std::vector<std::uint8_t> pattern(int r, std::size_t width) {
    std::vector<std::uint8_t> out(width);
    for (std::size_t i = 0; i < width; ++i)
        out[i] = static_cast<std::uint8_t>(r * 16 + i);
    return out;
}

// One Arrow column with the QuestDB column it must become and the value of row r.
struct Case {
    TestColumn column;
    ts::ColumnType type;
    std::function<ts::Value(int)> expected;
};

ts::Value or_null(int r, ts::Value v) {
    return is_null_row(r) ? ts::Value{} : v;
}

std::vector<Case> every_type() {
    std::vector<Case> cases;
    auto add = [&](TestColumn c, ts::ColumnType t, std::function<ts::Value(int)> e) {
        cases.push_back({std::move(c), t, std::move(e)});
    };
    using CT = ts::ColumnType;
    add(fixed<std::int8_t>("i8", "c", column_of<std::int8_t>([](int r) {
                               return static_cast<std::int8_t>(r - 5);
                           })),
        CT::int_, [](int r) { return or_null(r, std::int64_t{r - 5}); });
    add(fixed<std::int16_t>("i16", "s", column_of<std::int16_t>([](int r) {
                                return static_cast<std::int16_t>(r * 100);
                            })),
        CT::int_, [](int r) { return or_null(r, std::int64_t{r * 100}); });
    add(fixed<std::int32_t>("i32", "i", column_of<std::int32_t>([](int r) { return r * 100000; })),
        CT::long_, [](int r) { return or_null(r, std::int64_t{r * 100000}); });
    add(fixed<std::int64_t>("i64", "l",
                            column_of<std::int64_t>([](int r) { return r * 1'000'000'000'000LL; })),
        CT::long_, [](int r) { return or_null(r, r * 1'000'000'000'000LL); });
    add(fixed<std::uint8_t>("u8", "C", column_of<std::uint8_t>([](int r) {
                                return static_cast<std::uint8_t>(200 + r);
                            })),
        CT::int_, [](int r) { return or_null(r, std::int64_t{200 + r}); });
    add(fixed<std::uint16_t>("u16", "S", column_of<std::uint16_t>([](int r) {
                                 return static_cast<std::uint16_t>(60000 + r);
                             })),
        CT::int_, [](int r) { return or_null(r, std::int64_t{60000 + r}); });
    add(fixed<std::uint32_t>("u32", "I", column_of<std::uint32_t>([](int r) {
                                 return 4'000'000'000u + static_cast<std::uint32_t>(r);
                             })),
        CT::long_, [](int r) { return or_null(r, std::int64_t{4'000'000'000LL + r}); });
    add(fixed<std::uint64_t>("u64", "L", column_of<std::uint64_t>([](int r) {
                                 return static_cast<std::uint64_t>(r) * 7;
                             })),
        CT::long_, [](int r) { return or_null(r, std::int64_t{r * 7}); });
    add(fixed<float>("f32", "f",
                     column_of<float>([](int r) { return static_cast<float>(r) * 0.5f; })),
        CT::float_, [](int r) { return or_null(r, r * 0.5); });
    add(fixed<double>("f64", "g", column_of<double>([](int r) { return r * 1.25; })), CT::double_,
        [](int r) { return or_null(r, r * 1.25); });
    add(bools("flag", column_of<bool>([](int r) { return r % 2 == 0; })), CT::boolean,
        [](int r) { return ts::Value{!is_null_row(r) && r % 2 == 0}; });
    auto text = [](int r) { return "v" + std::to_string(r) + "\xC3\xA9"; };
    add(strings("s_utf8", "u", column_of<std::string>(text)), CT::varchar,
        [=](int r) { return or_null(r, text(r)); });
    add(strings("s_large", "U", column_of<std::string>(text)), CT::varchar,
        [=](int r) { return or_null(r, text(r)); });
    auto blob = [](int r) { return std::string(static_cast<std::size_t>(r), '\x01'); };
    auto blob_value = [=](int r) {
        const auto b = blob(r);
        return or_null(r, ts::Bytes{std::vector<std::uint8_t>(b.begin(), b.end())});
    };
    add(strings("bin", "z", column_of<std::string>(blob)), CT::binary, blob_value);
    add(strings("bin_large", "Z", column_of<std::string>(blob)), CT::binary, blob_value);
    // Views: even rows inline (<= 12 bytes), odd rows in one of two variadic buffers.
    auto view_text = [](int r) {
        return r % 2 == 0 ? "v" + std::to_string(r) + "\xC3\xA9"
                          : "an out-of-line value " + std::to_string(r) + "\xC3\xA9";
    };
    add(string_views("s_view", "vu", column_of<std::string>(view_text)), CT::varchar,
        [=](int r) { return or_null(r, view_text(r)); });
    auto view_blob = [](int r) { return std::string(static_cast<std::size_t>(r) * 3, '\xFE'); };
    add(string_views("bin_view", "vz", column_of<std::string>(view_blob)), CT::binary, [=](int r) {
        const auto b = view_blob(r);
        return or_null(r, ts::Bytes{std::vector<std::uint8_t>(b.begin(), b.end())});
    });
    add(fixed<std::int64_t>(
            "t_s", "tss:", column_of<std::int64_t>([](int r) { return 1'700'000'000LL + r; })),
        CT::timestamp, [](int r) { return or_null(r, (1'700'000'000LL + r) * 1'000'000); });
    add(fixed<std::int64_t>("t_ms", "tsm:UTC",
                            column_of<std::int64_t>([](int r) { return 1'700'000'000'000LL + r; })),
        CT::date, [](int r) { return or_null(r, 1'700'000'000'000LL + r); });
    add(fixed<std::int64_t>("t_us", "tsu:", column_of<std::int64_t>([](int r) {
                                return 1'700'000'000'000'000LL + r;
                            })),
        CT::timestamp, [](int r) { return or_null(r, 1'700'000'000'000'000LL + r); });
    add(fixed<std::int64_t>("t_ns", "tsn:Europe/Paris",
                            column_of<std::int64_t>([](int r) { return kBaseNanos + r; })),
        CT::timestamp_nanos, [](int r) { return or_null(r, kBaseNanos + r); });
    add(fixed<std::int32_t>("d32", "tdD", column_of<std::int32_t>([](int r) { return 19000 + r; })),
        CT::date, [](int r) { return or_null(r, (19000LL + r) * 86'400'000); });
    add(fixed<std::int64_t>("d64", "tdm",
                            column_of<std::int64_t>([](int r) { return 1'600'000'000'000LL + r; })),
        CT::date, [](int r) { return or_null(r, 1'600'000'000'000LL + r); });
    auto unscaled = [](int r) { return std::int64_t{(r - 4) * 12345}; };
    add(fixed<std::array<std::uint8_t, 16>>("dec128", "d:20,2",
                                            column_of<std::array<std::uint8_t, 16>>(
                                                [=](int r) { return le_array<16>(unscaled(r)); })),
        CT::decimal128, [=](int r) {
            return or_null(r, ts::Decimal{le_bytes(unscaled(r), 16), 2});
        });
    add(fixed<std::array<std::uint8_t, 32>>("dec256", "d:40,3,256",
                                            column_of<std::array<std::uint8_t, 32>>(
                                                [=](int r) { return le_array<32>(unscaled(r)); })),
        CT::decimal256, [=](int r) {
            return or_null(r, ts::Decimal{le_bytes(unscaled(r), 32), 3});
        });
    add(fixed<std::int64_t>("dec64", "d:18,4,64", column_of<std::int64_t>(unscaled)), CT::decimal64,
        [=](int r) {
            return or_null(r, ts::Decimal{le_bytes(unscaled(r), 8), 4});
        });
    add(fixed_bytes("uuid", 16,
                    column_of<std::vector<std::uint8_t>>([](int r) { return pattern(r, 16); })),
        CT::uuid, [](int r) { return or_null(r, ts::Bytes{pattern(r, 16)}); });
    add(fixed_bytes("l256", 32,
                    column_of<std::vector<std::uint8_t>>([](int r) { return pattern(r, 32); })),
        CT::long256, [](int r) { return or_null(r, ts::Bytes{pattern(r, 32)}); });
    const std::vector<std::string> dict{"alpha", "beta", "gamma"};
    add(dictionary<std::int8_t>("sym_dict", "c", dict, column_of<std::int8_t>([](int r) {
                                    return static_cast<std::int8_t>(r % 3);
                                })),
        CT::symbol, [=](int r) { return or_null(r, dict[static_cast<std::size_t>(r % 3)]); });
    add(dictionary<std::uint16_t>("sym_dict_u16", "S", dict, column_of<std::uint16_t>([](int r) {
                                      return static_cast<std::uint16_t>(2 - r % 3);
                                  })),
        CT::symbol, [=](int r) { return or_null(r, dict[static_cast<std::size_t>(2 - r % 3)]); });
    auto sym = [](int r) { return std::string("s") + std::to_string(r % 2); };
    add(strings("sym_override", "u", column_of<std::string>(sym)), CT::symbol,
        [=](int r) { return or_null(r, sym(r)); });
    auto long_sym = [](int r) { return "a long symbol value #" + std::to_string(r % 3); };
    add(string_views("sym_view", "vu", column_of<std::string>(long_sym)), CT::symbol,
        [=](int r) { return or_null(r, long_sym(r)); });
    add(dictionary<std::int32_t>("dict_varchar", "i", dict,
                                 column_of<std::int32_t>([](int r) { return r % 3; })),
        CT::varchar, [=](int r) { return or_null(r, dict[static_cast<std::size_t>(r % 3)]); });
    auto arr = [](int r) {
        std::vector<double> v;
        for (int i = 0; i < r % 4; ++i)
            v.push_back(r + i * 0.5);
        return v;
    };
    add(list_f64("arr", column_of<std::vector<double>>(arr)), CT::double_array, [=](int r) {
        const auto v = arr(r);
        return or_null(r, ts::Array{{static_cast<std::uint32_t>(v.size())}, v, {}});
    });
    auto pair = [](int r) { return std::vector<double>{r * 1.0, r * -2.0}; };
    add(list_f64("arr_fixed", column_of<std::vector<double>>(pair), 2), CT::double_array,
        [=](int r) {
            return or_null(r, ts::Array{{2}, pair(r), {}});
        });
    auto matrix = [](int r) {
        std::vector<std::vector<double>> m;
        for (int i = 0; i < 1 + r % 2; ++i)
            m.push_back({r * 10.0 + i, r * 10.0 + i + 0.5});
        return m;
    };
    add(nested_list_f64("arr_2d", column_of<std::vector<std::vector<double>>>(matrix)),
        CT::double_array, [=](int r) {
            std::vector<double> flat;
            for (const auto& row : matrix(r))
                flat.insert(flat.end(), row.begin(), row.end());
            return or_null(r, ts::Array{{static_cast<std::uint32_t>(1 + r % 2), 2}, flat, {}});
        });
    // float16 bit patterns: 0, 1, -2, 0.333..., 2^-24 (subnormal), 65504, pi-ish, 2^-14,
    // -2^-24, 0.5.
    static constexpr std::uint16_t kHalves[kRows] = {0x0000, 0x3C00, 0xC000, 0x3555, 0x0001,
                                                     0x7BFF, 0x4248, 0x0400, 0x8001, 0x3800};
    static constexpr double kHalfValues[kRows] = {0.0,
                                                  1.0,
                                                  -2.0,
                                                  0.333251953125,
                                                  5.9604644775390625e-08,
                                                  65504.0,
                                                  3.140625,
                                                  6.103515625e-05,
                                                  -5.9604644775390625e-08,
                                                  0.5};
    add(fixed<std::uint16_t>("half", "e",
                             column_of<std::uint16_t>([](int r) { return kHalves[r]; })),
        CT::float_, [](int r) { return or_null(r, kHalfValues[r]); });
    add(fixed<std::int32_t>("time_ms", "ttm",
                            column_of<std::int32_t>([](int r) { return r * 1000 + 5; })),
        CT::long_, [](int r) { return or_null(r, std::int64_t{r * 1000 + 5} * 1'000'000); });
    add(fixed<std::int64_t>("time_us", "ttu", column_of<std::int64_t>([](int r) { return r * 7; })),
        CT::long_, [](int r) { return or_null(r, std::int64_t{r * 7} * 1'000); });
    add(fixed<std::int64_t>("dur_s", "tDs", column_of<std::int64_t>([](int r) { return r - 3; })),
        CT::long_, [](int r) { return or_null(r, std::int64_t{r - 3} * 1'000'000'000); });
    add(fixed<std::int64_t>("dur_ns", "tDn", column_of<std::int64_t>([](int r) { return r * 11; })),
        CT::long_, [](int r) { return or_null(r, std::int64_t{r * 11}); });
    add(fixed<std::int8_t>(
            "ob", "c", column_of<std::int8_t>([](int r) { return static_cast<std::int8_t>(-r); })),
        CT::byte, [](int r) { return ts::Value{is_null_row(r) ? 0 : std::int64_t{-r}}; });
    add(fixed<std::int16_t>("osh", "s", column_of<std::int16_t>([](int r) {
                                return static_cast<std::int16_t>(r * 300);
                            })),
        CT::short_, [](int r) { return ts::Value{is_null_row(r) ? 0 : std::int64_t{r * 300}}; });
    add(fixed<std::int32_t>("oi", "i", column_of<std::int32_t>([](int r) { return -r * 1000; })),
        CT::int_, [](int r) { return or_null(r, std::int64_t{-r * 1000}); });
    add(fixed<std::uint16_t>("och", "S", column_of<std::uint16_t>([](int r) {
                                 return static_cast<std::uint16_t>('A' + r);
                             })),
        CT::char_, [](int r) { return ts::Value{is_null_row(r) ? 0 : std::int64_t{'A' + r}}; });
    add(fixed<std::uint32_t>("oip", "I", column_of<std::uint32_t>([](int r) {
                                 return 0x0A000001u + static_cast<std::uint32_t>(r);
                             })),
        CT::ipv4, [](int r) { return or_null(r, std::int64_t{0x0A000001LL + r}); });
    add(fixed<std::int64_t>("geo", "l", column_of<std::int64_t>([](int r) { return r * 1000; })),
        CT::geohash, [](int r) { return or_null(r, std::int64_t{r * 1000}); });
    add(fixed<std::int64_t>(
            "ts", "tsn:UTC",
            column_of<std::int64_t>([](int r) { return kBaseNanos + r * 1000; }, false)),
        CT::timestamp_nanos, [](int r) { return ts::Value{kBaseNanos + r * 1000}; });
    return cases;
}

const std::vector<ColumnOverride> kOverrides{
    ColumnOverride::symbol("sym_override"),
    ColumnOverride::symbol("sym_view"),
    ColumnOverride::not_symbol("dict_varchar"),
    ColumnOverride::byte("ob"),
    ColumnOverride::short_("osh"),
    ColumnOverride::int_("oi"),
    ColumnOverride::char_("och"),
    ColumnOverride::ipv4("oip"),
    ColumnOverride::geohash("geo", 20),
};

struct Fixture : ::testing::Test {
    void SetUp() override {
        server.start();
        db = std::make_unique<QuestDb>(QuestDb::connect("ws::addr=" + server.address() + ";"));
        borrowed_release_calls() = 0;
    }
    ts::Server server;
    std::unique_ptr<QuestDb> db;
};

std::unique_ptr<TestBatch> batch_of(const std::vector<Case>& cases, std::int64_t rows = kRows,
                                    std::int64_t parent_offset = 0) {
    std::vector<TestColumn> columns;
    for (const auto& c : cases)
        columns.push_back(c.column);
    return std::make_unique<TestBatch>(std::move(columns), rows, parent_offset);
}

// Compares the committed table with the cases for rows [first, first + count).
void expect_rows(const ts::Table& table, const std::vector<Case>& cases, int first, int count) {
    ASSERT_TRUE(table.exists());
    ASSERT_EQ(table.row_count(), static_cast<std::size_t>(count));
    for (const auto& c : cases) {
        const std::string name = c.column.name == "ts" ? "timestamp" : c.column.name;
        const auto* column = table.column(name);
        ASSERT_NE(column, nullptr) << name;
        EXPECT_EQ(column->type, c.type) << name << " is " << ts::to_string(column->type);
        for (int i = 0; i < count; ++i) {
            const int r = first + i;
            EXPECT_EQ(table.rows()[static_cast<std::size_t>(i)].at(name), c.expected(r))
                << "column " << name << " row " << r;
        }
    }
    EXPECT_TRUE(table.column("timestamp")->designated_timestamp);
}

TEST_F(Fixture, EveryTypeWithNullsAndOffsets) {
    const auto cases = every_type();
    auto batch = batch_of(cases);
    db->flush_arrow_batch("t", batch->schema(), batch->array(), "ts", kOverrides);
    expect_rows(server.table("t"), cases, 0, kRows);
    EXPECT_EQ(server.table("t").seq_txn(), 1);
    EXPECT_EQ(borrowed_release_calls(), 0) << "the library must never release borrowed structs";
}

TEST_F(Fixture, MaxRowsSlicesCommitAsOneGroup) {
    const auto cases = every_type();
    auto batch = batch_of(cases);
    IngestOptions options;
    options.max_rows = 4;
    db->flush_arrow_batch("t", batch->schema(), batch->array(), "ts", kOverrides,
                          ingress::AckLevel::ok, options);
    expect_rows(server.table("t"), cases, 0, kRows);
    EXPECT_EQ(server.ingress_frames(), 3u);     // 4 + 4 + 2 rows
    EXPECT_EQ(server.table("t").seq_txn(), 1);  // deferred slices commit with the last one
}

TEST_F(Fixture, ParentOffsetSlicesTheRecordBatch) {
    const auto cases = every_type();
    auto batch = batch_of(cases, kRows - 5, 3);  // rows 3..7
    db->flush_arrow_batch("t", batch->schema(), batch->array(), "ts", kOverrides);
    expect_rows(server.table("t"), cases, 3, kRows - 5);
}

TEST_F(Fixture, WithoutTimestampColumnTheServerStampsRows) {
    std::vector<Case> cases;
    cases.push_back({fixed<double>("x", "g", column_of<double>([](int r) { return r * 2.0; })),
                     ts::ColumnType::double_, [](int r) { return or_null(r, r * 2.0); }});
    auto batch = batch_of(cases);
    db->flush_arrow_batch("t", batch->schema(), batch->array());
    const auto table = server.table("t");
    ASSERT_EQ(table.row_count(), static_cast<std::size_t>(kRows));
    for (int r = 0; r < kRows; ++r) {
        EXPECT_EQ(table.rows()[static_cast<std::size_t>(r)].at("x"), cases[0].expected(r));
    }
}

TEST_F(Fixture, EmptyBatchSendsNothing) {
    auto batch = batch_of(every_type(), 0);
    db->flush_arrow_batch("t", batch->schema(), batch->array(), "ts", kOverrides);
    EXPECT_FALSE(server.table("t").exists());
    EXPECT_EQ(server.ingress_frames(), 0u);
}

// Arrow in, QuestDB, Arrow out (fetch_all_arrow), Arrow in again: both tables must hold the
// same columns and rows, which needs the export's type metadata to map every column back.
TEST_F(Fixture, RoundTripThroughQueryResults) {
    auto cases = every_type();
    std::vector<ColumnOverride> overrides = kOverrides;
    overrides.back() = ColumnOverride::geohash("geo", 60);  // the test server reads back 60 bits
    auto batch = batch_of(cases);
    db->flush_arrow_batch("t", batch->schema(), batch->array(), "ts", overrides);
    ArrowSchema schema{};
    ArrowArray array{};
    {
        auto reader = db->borrow_reader();
        auto cursor = reader->execute("select * from t");
        ASSERT_EQ(cursor.fetch_all_arrow(&schema, &array), kRows);
    }
    db->flush_arrow_batch("t2", schema, array, "timestamp");
    release(&schema);
    release(&array);
    const auto a = server.table("t");
    const auto b = server.table("t2");
    ASSERT_EQ(a.columns().size(), b.columns().size());
    for (std::size_t c = 0; c < a.columns().size(); ++c) {
        const auto* other = b.column(a.columns()[c].name);
        ASSERT_NE(other, nullptr) << a.columns()[c].name;
        EXPECT_EQ(other->type, a.columns()[c].type) << a.columns()[c].name;
    }
    ASSERT_EQ(b.row_count(), a.row_count());
    for (std::size_t r = 0; r < a.row_count(); ++r) {
        for (const auto& column : a.columns()) {
            EXPECT_EQ(b.rows()[r].at(column.name), a.rows()[r].at(column.name))
                << column.name << " row " << r;
        }
    }
}

// Writes one int32 field (0 length, 8 buffer index, 12 offset) of the view of logical row
// `row` of a string_views column built with the default pad of 3.
void set_view_field(TestColumn& c, int row, std::size_t field, std::int32_t value) {
    std::memcpy(c.buffers[1].data() + (3 + static_cast<std::size_t>(row)) * 16 + field, &value, 4);
}

TEST_F(Fixture, StringViewsInlineOutOfLineEmptyAndNull) {
    const std::vector<optional<std::string>> text{"",
                                                  "123456789012",   // 12 bytes: inline
                                                  "1234567890123",  // 13 bytes: out of line
                                                  nullopt,
                                                  "\xC3\xA9t\xC3\xA9",
                                                  "the second variadic buffer holds this",
                                                  "",
                                                  "the first variadic buffer holds this",
                                                  nullopt,
                                                  "last"};
    std::vector<optional<std::int64_t>> stamps;
    for (int r = 0; r < kRows; ++r)
        stamps.emplace_back(kBaseNanos + r);
    auto two_buffers = string_views("two", "vu", text, 2, 5);
    // A NULL row's view is never read: point it nowhere.
    std::int32_t junk = 99;
    std::memcpy(two_buffers.buffers[1].data() + (5 + 3) * 16, &junk, 4);
    std::memcpy(two_buffers.buffers[1].data() + (5 + 3) * 16 + 8, &junk, 4);
    std::vector<TestColumn> columns{
        two_buffers, string_views("one", "vu", text, 1), string_views("bytes", "vz", text, 3, 1),
        string_views("not_sym", "vu", text), fixed<std::int64_t>("ts", "tsn:", stamps)};
    std::vector<optional<std::string>> short_text;
    for (const auto& t : text)
        short_text.push_back(t && t->size() <= 12 ? t : nullopt);
    columns.push_back(string_views("inline_only", "vu", short_text, 0));
    ASSERT_EQ(columns.back().buffers.size(), 3u) << "validity, views, (empty) sizes";
    TestBatch batch(std::move(columns), kRows);
    db->flush_arrow_batch("t", batch.schema(), batch.array(), "ts",
                          std::vector{ColumnOverride::not_symbol("not_sym")});
    const auto table = server.table("t");
    ASSERT_EQ(table.row_count(), static_cast<std::size_t>(kRows));
    EXPECT_EQ(table.column("two")->type, ts::ColumnType::varchar);
    EXPECT_EQ(table.column("bytes")->type, ts::ColumnType::binary);
    for (std::size_t r = 0; r < text.size(); ++r) {
        const auto& row = table.rows()[r];
        const ts::Value expected = text[r] ? ts::Value{*text[r]} : ts::Value{};
        EXPECT_EQ(row.at("two"), expected) << "row " << r;
        EXPECT_EQ(row.at("one"), expected) << "row " << r;
        EXPECT_EQ(row.at("not_sym"), expected) << "row " << r;
        EXPECT_EQ(row.at("bytes"), text[r] ? ts::Value{ts::Bytes{std::vector<std::uint8_t>(
                                                 text[r]->begin(), text[r]->end())}}
                                           : ts::Value{})
            << "row " << r;
        EXPECT_EQ(row.at("inline_only"), short_text[r] ? ts::Value{*short_text[r]} : ts::Value{})
            << "row " << r;
    }
}

// ---- errors ----

void expect_error(QuestDb& db, TestColumn column, ErrorCode code,
                  std::vector<std::string> fragments, std::vector<ColumnOverride> overrides = {},
                  std::optional<std::string_view> ts_column = std::nullopt) {
    std::vector<TestColumn> columns{std::move(column)};
    TestBatch batch(std::move(columns), kRows);
    try {
        db.flush_arrow_batch("t", batch.schema(), batch.array(), ts_column, overrides);
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), code) << e.what();
        for (const auto& f : fragments) {
            EXPECT_NE(std::string(e.what()).find(f), std::string::npos)
                << "'" << f << "' not in: " << e.what();
        }
    }
}

TEST_F(Fixture, UnsupportedTypesNameTheColumnAndFormat) {
    expect_error(
        *db, fixed<std::int32_t>("months", "tiM", column_of<std::int32_t>([](int r) { return r; })),
        ErrorCode::arrow_unsupported_column_kind, {"'months'", "'tiM'"});
    expect_error(*db, fixed_bytes("fsb8", 8, column_of<std::vector<std::uint8_t>>([](int r) {
                                      return pattern(r, 8);
                                  })),
                 ErrorCode::arrow_unsupported_column_kind, {"'fsb8'", "'w:8'"});
    // Lists of anything but float64, nested or not, as the Rust client: QuestDB arrays from
    // Arrow are DOUBLE[] only.
    auto ints = list_f64(
        "ilist", column_of<std::vector<double>>([](int) { return std::vector<double>{1}; }));
    ints.children[0].format = "l";
    expect_error(*db, ints, ErrorCode::arrow_unsupported_column_kind, {"'ilist'", "'+l'", "'l'"});
    auto nested = nested_list_f64("nested", column_of<std::vector<std::vector<double>>>([](int) {
                                      return std::vector<std::vector<double>>{{1}};
                                  }));
    nested.children[0].children[0].format = "l";
    expect_error(*db, nested, ErrorCode::arrow_unsupported_column_kind, {"'nested'", "'l'"});
    auto dict = dictionary<std::int32_t>("dbl_dict", "i", {"x"},
                                         column_of<std::int32_t>([](int) { return 0; }));
    dict.dictionary->format = "z";
    expect_error(*db, dict, ErrorCode::arrow_unsupported_column_kind, {"'dbl_dict'"});
    EXPECT_FALSE(server.table("t").exists());
    EXPECT_EQ(server.ingress_connections(), 0u) << "rejected before borrowing a connection";
}

TEST_F(Fixture, RaggedOrNullInnerListsAreRejected) {
    std::vector<std::optional<std::vector<std::vector<double>>>> ragged(kRows,
                                                                        {{{1.0, 2.0}, {3.0}}});
    expect_error(*db, nested_list_f64("m", ragged), ErrorCode::arrow_ingest,
                 {"'m'", "ragged", "row 0"});
    auto with_null_inner = nested_list_f64(
        "m", std::vector<std::optional<std::vector<std::vector<double>>>>(kRows, {{{1.0}, {2.0}}}));
    auto& inner = with_null_inner.children[0];
    // Clear the validity bit of the second inner list of row 0 (inner position 2 + 1).
    std::vector<std::uint8_t> bits((inner.offset + inner.length + 7) / 8, 0xFF);
    bits[0] = static_cast<std::uint8_t>(bits[0] & ~(1u << 3));
    inner.buffers[0] = bits;
    inner.null_count = 1;
    expect_error(*db, with_null_inner, ErrorCode::arrow_ingest, {"'m'", "NULL inner list"});
    EXPECT_FALSE(server.table("t").exists());
}

TEST_F(Fixture, BadOverridesAndTimestampsAreRejected) {
    auto doubles = fixed<double>("x", "g", column_of<double>([](int r) { return r; }));
    expect_error(*db, doubles, ErrorCode::arrow_ingest, {"'x'", "'g'"},
                 {ColumnOverride::symbol("x")});
    expect_error(*db, doubles, ErrorCode::arrow_ingest, {"'nope'"},
                 {ColumnOverride::symbol("nope")});
    expect_error(*db, doubles, ErrorCode::arrow_ingest, {"'x'"},
                 {ColumnOverride::symbol("x"), ColumnOverride::not_symbol("x")});
    expect_error(*db, doubles, ErrorCode::arrow_ingest, {"'x'", "designated"}, {}, "x");
    expect_error(*db, doubles, ErrorCode::arrow_ingest, {"'missing'"}, {}, "missing");
    auto nullable_ts =
        fixed<std::int64_t>("ts", "tsu:", column_of<std::int64_t>([](int r) { return r; }));
    expect_error(*db, nullable_ts, ErrorCode::arrow_ingest, {"'ts'", "NULL"}, {}, "ts");
    auto big = fixed<std::uint64_t>("big", "L", {std::uint64_t{1} << 63});
    TestBatch batch({big}, 1);
    EXPECT_THROW(db->flush_arrow_batch("t", batch.schema(), batch.array()), Error);
    EXPECT_FALSE(server.table("t").exists());
}

TEST_F(Fixture, StringViewsOutOfBoundsOrInvalidAreRejected) {
    const auto long_text = column_of<std::string>(
        [](int r) { return "value number " + std::to_string(r) + " is long"; }, false);
    auto bad_index = string_views("bad_index", "vu", long_text);
    set_view_field(bad_index, 2, 8, 7);
    expect_error(*db, bad_index, ErrorCode::arrow_ingest,
                 {"'bad_index'", "'vu'", "row 2", "buffer index 7"});
    auto negative_index = string_views("neg_index", "vz", long_text);
    set_view_field(negative_index, 0, 8, -1);
    expect_error(*db, negative_index, ErrorCode::arrow_ingest,
                 {"'neg_index'", "'vz'", "row 0", "buffer index -1"});
    auto bad_offset = string_views("bad_offset", "vu", long_text);
    set_view_field(bad_offset, 4, 12, 1000);
    expect_error(*db, bad_offset, ErrorCode::arrow_ingest,
                 {"'bad_offset'", "row 4", "outside data buffer"});
    auto negative_offset = string_views("neg_offset", "vz", long_text);
    set_view_field(negative_offset, 5, 12, -8);
    expect_error(*db, negative_offset, ErrorCode::arrow_ingest,
                 {"'neg_offset'", "row 5", "outside data buffer"});
    auto too_long = string_views("too_long", "vu", long_text);
    set_view_field(too_long, 9, 0, 0x7FFFFFF0);
    expect_error(*db, too_long, ErrorCode::arrow_ingest,
                 {"'too_long'", "row 9", "outside data buffer"});
    auto negative_length = string_views("neg_length", "vu", long_text);
    set_view_field(negative_length, 1, 0, -5);
    expect_error(*db, negative_length, ErrorCode::arrow_ingest,
                 {"'neg_length'", "row 1", "negative length"});
    auto bad_sizes = string_views("bad_sizes", "vu", long_text);
    const std::int64_t negative_size = -1;
    std::memcpy(bad_sizes.buffers.back().data(), &negative_size, 8);
    expect_error(*db, bad_sizes, ErrorCode::arrow_ingest, {"'bad_sizes'", "negative size"});
    auto no_sizes = string_views("no_sizes", "vu", long_text);
    no_sizes.buffers.resize(2);  // validity and views only
    expect_error(*db, no_sizes, ErrorCode::arrow_ingest, {"'no_sizes'", "at least 3 buffers"});

    auto bad_utf8 = column_of<std::string>([](int r) { return "ok " + std::to_string(r); }, false);
    bad_utf8[3] = "bad \xFF";
    expect_error(*db, string_views("utf_inline", "vu", bad_utf8), ErrorCode::invalid_utf8,
                 {"'utf_inline'", "row 3"});
    bad_utf8[3] = "ok";
    bad_utf8[6] = "an out-of-line value cut in a character \xC3";
    expect_error(*db, string_views("utf_out", "vu", bad_utf8), ErrorCode::invalid_utf8,
                 {"'utf_out'", "row 6"});
    expect_error(*db, string_views("utf_sym", "vu", bad_utf8), ErrorCode::invalid_utf8,
                 {"'utf_sym'", "row 6"}, {ColumnOverride::symbol("utf_sym")});
    EXPECT_FALSE(server.table("t").exists());
}

}  // namespace
}  // namespace questdb::arrow::test
