#pragma once

// Shared by the pool's end-to-end suites: a deterministic batch of rows, the check that a
// table holds exactly those rows, and the fixture that runs one in-process test server.

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "questdb/egress/batch.hpp"
#include "questdb/ingress/chunk.hpp"
#include "questdb/ingress/sf_column_sender.hpp"
#include "questdb/test_server/server.hpp"

namespace questdb::test {

namespace ts = questdb::test_server;
using questdb::ingress::Chunk;

inline constexpr std::int64_t kBaseNanos = 1'700'000'000'000'000'000;

/// Rows id = first..first+count-1: sym = "S<id % 7>", px = id * 0.25, ts = base + id.
/// Owns the column arrays a Chunk borrows.
struct Batch {
    explicit Batch(std::int64_t first, std::size_t count) {
        for (std::size_t i = 0; i < count; ++i) {
            const auto id = first + static_cast<std::int64_t>(i);
            ids.push_back(id);
            prices.push_back(static_cast<double>(id) * 0.25);
            codes.push_back(static_cast<std::int32_t>(id % 7));
            stamps.push_back(kBaseNanos + id);
        }
        for (int s = 0; s < 7; ++s) {
            dict_offsets.push_back(static_cast<std::int32_t>(dict.size()));
            const std::string name = "S" + std::to_string(s);
            dict.insert(dict.end(), name.begin(), name.end());
        }
        dict_offsets.push_back(static_cast<std::int32_t>(dict.size()));
    }
    Chunk& fill(Chunk& chunk) const {
        return chunk.symbol_dict_i32("sym", codes, dict_offsets, dict)
            .column_i64("id", ids)
            .column_f64("px", prices)
            .designated_timestamp_nanos(stamps);
    }
    std::vector<std::int64_t> ids;
    std::vector<double> prices;
    std::vector<std::int32_t> codes;
    std::vector<std::int32_t> dict_offsets;
    std::vector<std::uint8_t> dict;
    std::vector<std::int64_t> stamps;
};

inline void flush_rows(questdb::ingress::SfColumnSender& sender, const std::string& table,
                       std::int64_t first, std::size_t count) {
    Batch batch(first, count);
    Chunk chunk(table);
    batch.fill(chunk);
    sender.flush(chunk);
    EXPECT_TRUE(chunk.is_empty()) << "a successful flush clears the chunk";
}

/// Every id in [0, expected) present exactly as written (duplicates tolerated only when
/// `allow_duplicates`, for frames in flight across a server crash).
inline void expect_rows(const ts::Server& server, const std::string& table, std::int64_t expected,
                        bool allow_duplicates = false) {
    const auto t = server.table(table);
    ASSERT_TRUE(t.exists()) << table;
    std::set<std::int64_t> seen;
    for (const auto& row : t.rows()) {
        const auto id = row.i64("id");
        ASSERT_EQ(row.f64("px"), static_cast<double>(id) * 0.25) << "id " << id;
        ASSERT_EQ(row.str("sym"), "S" + std::to_string(id % 7)) << "id " << id;
        ASSERT_EQ(row.timestamp(), kBaseNanos + id) << "id " << id;
        const bool fresh = seen.insert(id).second;
        if (!allow_duplicates) {
            ASSERT_TRUE(fresh) << "duplicate id " << id;
        }
    }
    ASSERT_EQ(static_cast<std::int64_t>(seen.size()), expected);
    EXPECT_EQ(*seen.begin(), 0);
    EXPECT_EQ(*seen.rbegin(), expected - 1);
}

struct PoolE2E : ::testing::Test {
    ts::Server server;
    void SetUp() override { server.start(); }
    std::string conf(const std::string& extra = "") const {
        return "ws::addr=" + server.address() + ";" + extra;
    }
};

/// The index of the result column `name` in `batch` (a test failure, and 0, if absent).
inline std::size_t column_index(const questdb::egress::BatchView& batch, std::string_view name) {
    for (std::size_t i = 0; i < batch.column_count(); ++i) {
        if (batch.column_name(i) == name) {
            return i;
        }
    }
    ADD_FAILURE() << "no column " << name;
    return 0;
}

}  // namespace questdb::test
