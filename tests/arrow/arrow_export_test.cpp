// Cursor -> Arrow against the in-tree test server: a registered result of every type with
// NULLs read by next_arrow_batch, fetch_all_arrow and as_arrow_stream; every exported struct
// (children and dictionaries included) released exactly once; a child moved out of its
// parent outlives it (ASan checks the memory).

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "arrow_test_batch.hpp"
#include "questdb/egress/reader.hpp"
#include "questdb/test_server/server.hpp"

namespace questdb::arrow::test {
namespace {

namespace ts = questdb::test_server;
using CT = ts::ColumnType;

constexpr int kRows = 25;

bool null_row(int r) {
    return r % 5 == 2;
}

std::vector<std::uint8_t> le(std::int64_t v, std::size_t width) {
    std::vector<std::uint8_t> out(width, v < 0 ? 0xFF : 0x00);
    std::memcpy(out.data(), &v, 8);
    return out;
}

ts::QueryResponse every_type_result() {
    ts::QueryResponse response;
    response.result.columns = {
        {"b", CT::boolean},
        {"y", CT::byte},
        {"sh", CT::short_},
        {"ch", CT::char_},
        {"i", CT::int_},
        {"l", CT::long_},
        {"f", CT::float_},
        {"d", CT::double_},
        {"sym", CT::symbol},
        {"v", CT::varchar},
        {"bin", CT::binary},
        {"t", CT::timestamp},
        {"tn", CT::timestamp_nanos},
        {"dt", CT::date},
        {"u", CT::uuid},
        {"l256", CT::long256},
        {"g", CT::geohash},
        {"ip", CT::ipv4},
        {"d64", CT::decimal64},
        {"d128", CT::decimal128},
        {"d256", CT::decimal256},
        {"arr", CT::double_array},
        {"arr2", CT::double_array},
        {"larr", CT::long_array},
    };
    for (int r = 0; r < kRows; ++r) {
        std::vector<ts::Value> row;
        const bool n = null_row(r);
        auto nullable = [&](ts::Value v) { row.push_back(n ? ts::Value{} : std::move(v)); };
        row.emplace_back(r % 2 == 0);
        row.emplace_back(std::int64_t{r - 12});
        row.emplace_back(std::int64_t{r * 1000});
        row.emplace_back(std::int64_t{'a' + r});
        nullable(std::int64_t{r * 3});
        nullable(std::int64_t{r} * 1'000'000'007);
        nullable(r * 0.5);
        nullable(r * 0.25);
        nullable(std::string("sym") + std::to_string(r % 3));
        nullable(std::string("text ") + std::to_string(r));
        nullable(ts::Bytes{std::vector<std::uint8_t>(static_cast<std::size_t>(r % 4), 0xEE)});
        nullable(std::int64_t{1'700'000'000'000'000} + r);
        nullable(std::int64_t{1'700'000'000'000'000'000} + r);
        nullable(std::int64_t{1'700'000'000'000} + r);
        std::vector<std::uint8_t> uuid(16, static_cast<std::uint8_t>(r));
        nullable(ts::Bytes{uuid});
        std::vector<std::uint8_t> l256(32, static_cast<std::uint8_t>(r + 1));
        nullable(ts::Bytes{l256});
        nullable(std::int64_t{r * 77});
        nullable(std::int64_t{0x0A000001} + r);
        nullable(ts::Decimal{le(r * 11 - 100, 8), 2});
        nullable(ts::Decimal{le(r * 13 - 100, 16), 3});
        nullable(ts::Decimal{le(r * 17 - 100, 32), 4});
        std::vector<double> d;
        for (int k = 0; k < r % 3; ++k)
            d.push_back(r + k * 0.5);
        nullable(ts::Array{{static_cast<std::uint32_t>(d.size())}, d, {}});
        nullable(ts::Array{{2, 2}, {r * 1.0, r * 2.0, r * 3.0, r * 4.0}, {}});
        nullable(ts::Array{{3}, {}, {r, r + 1, r + 2}});
        response.result.rows.push_back(std::move(row));
    }
    return response;
}

const std::vector<std::string> kFormats{
    "b", "c", "s",         "S",       "i",          "l",       "f",    "g",
    "i", "u", "z",         "tsu:UTC", "tsn:UTC",    "tsm:UTC", "w:16", "w:32",
    "l", "I", "d:18,2,64", "d:38,3",  "d:76,4,256", "+l",      "+l",   "+l"};

// ---- reading an exported Arrow array back into test-server values ----

bool valid(const ArrowArray* a, std::int64_t i) {
    const auto* bits = static_cast<const std::uint8_t*>(a->buffers[0]);
    const auto at = a->offset + i;
    return bits == nullptr || ((bits[at / 8] >> (at % 8)) & 1) != 0;
}

template <typename T>
T value(const ArrowArray* a, std::int64_t i, int buffer = 1) {
    T v;
    std::memcpy(&v,
                static_cast<const std::uint8_t*>(a->buffers[buffer]) + (a->offset + i) * sizeof(T),
                sizeof(T));
    return v;
}

std::string var(const ArrowArray* a, std::int64_t i) {
    const auto b = value<std::int32_t>(a, i);
    const auto e = value<std::int32_t>(a, i + 1);
    return std::string(static_cast<const char*>(a->buffers[2]) + b,
                       static_cast<std::size_t>(e - b));
}

std::vector<std::uint8_t> raw(const ArrowArray* a, std::int64_t i, std::size_t width) {
    const auto* p = static_cast<const std::uint8_t*>(a->buffers[1]) +
                    (a->offset + i) * static_cast<std::int64_t>(width);
    return {p, p + width};
}

ts::Value cell(const ArrowSchema* s, const ArrowArray* a, std::int64_t i) {
    const std::string f = s->format;
    if (f != "b" && f != "c" && f != "s" && f != "S" && !valid(a, i))
        return {};
    if (s->dictionary != nullptr)
        return var(a->dictionary, value<std::int32_t>(a, i));
    if (f == "b")
        return ((static_cast<const std::uint8_t*>(a->buffers[1])[(a->offset + i) / 8] >>
                 ((a->offset + i) % 8)) &
                1) != 0;
    if (f == "c")
        return std::int64_t{value<std::int8_t>(a, i)};
    if (f == "s")
        return std::int64_t{value<std::int16_t>(a, i)};
    if (f == "S")
        return std::int64_t{value<std::uint16_t>(a, i)};
    if (f == "i")
        return std::int64_t{value<std::int32_t>(a, i)};
    if (f == "I")
        return std::int64_t{value<std::uint32_t>(a, i)};
    if (f == "l" || f.rfind("ts", 0) == 0)
        return value<std::int64_t>(a, i);
    if (f == "f")
        return double{value<float>(a, i)};
    if (f == "g")
        return value<double>(a, i);
    if (f == "u")
        return var(a, i);
    if (f == "z") {
        auto t = var(a, i);
        return ts::Bytes{{t.begin(), t.end()}};
    }
    if (f == "w:16")
        return ts::Bytes{raw(a, i, 16)};
    if (f == "w:32")
        return ts::Bytes{raw(a, i, 32)};
    if (f.rfind("d:", 0) == 0) {
        const std::size_t width = f.find(",64") != std::string::npos    ? 8
                                  : f.find(",256") != std::string::npos ? 32
                                                                        : 16;
        const auto scale = std::stoi(f.substr(f.find(',') + 1));
        return ts::Decimal{raw(a, i, width), static_cast<std::uint8_t>(scale)};
    }
    if (f == "+l") {
        ts::Array out;
        const ArrowSchema* level_schema = s;
        const ArrowArray* level = a;
        std::int64_t begin = value<std::int32_t>(level, i), end = value<std::int32_t>(level, i + 1);
        out.shape.push_back(static_cast<std::uint32_t>(end - begin));
        while (std::string(level_schema->children[0]->format) == "+l") {
            level_schema = level_schema->children[0];
            level = level->children[0];
            const auto inner_begin = value<std::int32_t>(level, begin);
            const auto inner_end = value<std::int32_t>(level, end);
            out.shape.push_back(static_cast<std::uint32_t>(
                end > begin ? (inner_end - inner_begin) / (end - begin) : 0));
            begin = inner_begin;
            end = inner_end;
        }
        const ArrowArray* leaf = level->children[0];
        const std::string leaf_format = level_schema->children[0]->format;
        for (auto k = begin; k < end; ++k) {
            if (leaf_format == "g")
                out.doubles.push_back(value<double>(leaf, k));
            else
                out.longs.push_back(value<std::int64_t>(leaf, k));
        }
        return out;
    }
    ADD_FAILURE() << "unexpected format " << f;
    return {};
}

// Checks one exported record batch against rows [first, first + length) of the result.
void expect_batch(const ArrowSchema& schema, const ArrowArray& array,
                  const ts::QueryResponse& expected, int first) {
    ASSERT_EQ(std::string(schema.format), "+s");
    ASSERT_EQ(schema.n_children, static_cast<std::int64_t>(kFormats.size()));
    ASSERT_EQ(array.n_children, schema.n_children);
    for (std::int64_t c = 0; c < schema.n_children; ++c) {
        const auto* s = schema.children[c];
        const auto* a = array.children[c];
        EXPECT_EQ(std::string(s->name), expected.result.columns[static_cast<std::size_t>(c)].name);
        EXPECT_EQ(std::string(s->format), kFormats[static_cast<std::size_t>(c)]) << s->name;
        ASSERT_EQ(a->length, array.length);
        for (std::int64_t i = 0; i < array.length; ++i) {
            const auto& want =
                expected.result
                    .rows[static_cast<std::size_t>(first + i)][static_cast<std::size_t>(c)];
            EXPECT_EQ(cell(s, a, i), want) << "column " << s->name << " row " << first + i;
        }
    }
}

struct Fixture : ::testing::Test {
    void SetUp() override {
        ts::Options options;
        options.max_batch_rows = 10;
        server = std::make_unique<ts::Server>(options);
        server->start();
        server->register_query("select * from everything", expected);
        ReleaseCounter::instance().reset();
    }
    egress::Reader connect() {
        return egress::Reader::connect("ws::addr=" + server->address() + ";");
    }
    ts::QueryResponse expected = every_type_result();
    std::unique_ptr<ts::Server> server;
};

TEST_F(Fixture, NextArrowBatchEveryTypeWithNulls) {
    auto reader = connect();
    auto cursor = reader.execute("select * from everything");
    int row = 0, batches = 0;
    ArrowSchema schema{};
    ArrowArray array{};
    while (cursor.next_arrow_batch(&schema, &array)) {
        ++batches;
        ReleaseCounter::instance().wrap(&schema);
        ReleaseCounter::instance().wrap(&array);
        expect_batch(schema, array, expected, row);
        row += static_cast<int>(array.length);
        release(&schema);
        release(&array);
        EXPECT_EQ(schema.release, nullptr);
        EXPECT_EQ(array.release, nullptr);
    }
    EXPECT_EQ(row, kRows);
    EXPECT_EQ(batches, 3);
    EXPECT_EQ(schema.release, nullptr);
    EXPECT_EQ(array.release, nullptr);
    EXPECT_GT(ReleaseCounter::instance().wrapped, 0);
    EXPECT_TRUE(ReleaseCounter::instance().all_released_once())
        << ReleaseCounter::instance().calls << " calls for " << ReleaseCounter::instance().wrapped
        << " structs, " << ReleaseCounter::instance().unknown << " double";
}

TEST_F(Fixture, FetchAllArrowIsOneBatch) {
    auto reader = connect();
    auto cursor = reader.execute("select * from everything");
    ArrowSchema schema{};
    ArrowArray array{};
    EXPECT_EQ(cursor.fetch_all_arrow(&schema, &array), kRows);
    ReleaseCounter::instance().wrap(&schema);
    ReleaseCounter::instance().wrap(&array);
    EXPECT_EQ(array.length, kRows);
    expect_batch(schema, array, expected, 0);
    release(&schema);
    release(&array);
    EXPECT_TRUE(ReleaseCounter::instance().all_released_once());
}

TEST_F(Fixture, StreamYieldsEveryBatchThenEnds) {
    auto reader = connect();
    ArrowArrayStream stream{};
    {
        auto cursor = reader.execute("select * from everything");
        cursor.as_arrow_stream(&stream);
    }  // the moved-from cursor is gone; the stream owns the query
    ASSERT_NE(stream.release, nullptr);
    ArrowSchema schema{};
    ASSERT_EQ(stream.get_schema(&stream, &schema), 0);
    ReleaseCounter::instance().wrap(&schema);
    int row = 0;
    for (;;) {
        ArrowArray array{};
        ASSERT_EQ(stream.get_next(&stream, &array), 0) << stream.get_last_error(&stream);
        if (array.release == nullptr)
            break;
        ReleaseCounter::instance().wrap(&array);
        expect_batch(schema, array, expected, row);
        row += static_cast<int>(array.length);
        release(&array);
    }
    EXPECT_EQ(row, kRows);
    ArrowArray after{};
    EXPECT_EQ(stream.get_next(&stream, &after), 0);
    EXPECT_EQ(after.release, nullptr);
    release(&schema);
    release(&stream);
    EXPECT_EQ(stream.release, nullptr);
    EXPECT_TRUE(ReleaseCounter::instance().all_released_once());
}

TEST_F(Fixture, StreamReportsQueryErrors) {
    auto reader = connect();
    ArrowArrayStream stream{};
    reader.execute("select nonsense").as_arrow_stream(&stream);
    ArrowSchema schema{};
    EXPECT_EQ(stream.get_schema(&stream, &schema), EIO);
    ASSERT_NE(stream.get_last_error(&stream), nullptr);
    EXPECT_FALSE(std::string(stream.get_last_error(&stream)).empty());
    release(&stream);
}

TEST_F(Fixture, MovedChildOutlivesItsParent) {
    auto reader = connect();
    auto cursor = reader.execute("select * from everything");
    ArrowSchema schema{};
    ArrowArray array{};
    ASSERT_TRUE(cursor.next_arrow_batch(&schema, &array));
    // Move the varchar column and the symbol column (with its dictionary) out of the parents.
    ArrowArray varchar = *array.children[9];
    array.children[9]->release = nullptr;
    ArrowArray symbol = *array.children[8];
    array.children[8]->release = nullptr;
    ArrowSchema symbol_schema = *schema.children[8];
    schema.children[8]->release = nullptr;
    release(&array);
    release(&schema);
    EXPECT_EQ(cell(&symbol_schema, &symbol, 0), expected.result.rows[0][8]);
    EXPECT_EQ(var(&varchar, 1), "text 1");
    release(&varchar);
    release(&symbol);
    release(&symbol_schema);
    EXPECT_EQ(varchar.release, nullptr);
}

TEST_F(Fixture, EmptyResultGivesZeroLengthBatch) {
    ts::QueryResponse empty;
    empty.result.columns = {{"x", CT::long_}};
    server->register_query("select * from nothing", empty);
    auto reader = connect();
    auto cursor = reader.execute("select * from nothing");
    ArrowSchema schema{};
    ArrowArray array{};
    EXPECT_EQ(cursor.fetch_all_arrow(&schema, &array), 0);
    EXPECT_EQ(array.length, 0);
    EXPECT_EQ(std::string(schema.format), "+s");
    release(&schema);
    release(&array);
}

}  // namespace
}  // namespace questdb::arrow::test
