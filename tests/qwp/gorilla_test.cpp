#include "qwp/gorilla.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "support/fixtures.hpp"

namespace {

namespace gorilla = questdb::qwp::gorilla;

std::vector<std::uint8_t> encode(const std::vector<std::int64_t>& v) {
    const auto size = gorilla::encoded_size(v);
    EXPECT_TRUE(size.has_value());
    std::vector<std::uint8_t> out(size.value_or(0));
    EXPECT_EQ(gorilla::encode(v, out.data()), out.size());
    return out;
}

std::vector<std::int64_t> decode(const std::vector<std::uint8_t>& bytes, std::size_t n) {
    std::vector<std::int64_t> out(n);
    const auto used = gorilla::decode(bytes, n, out.data());
    EXPECT_TRUE(used.has_value());
    EXPECT_EQ(used.value_or(0), bytes.size());
    return out;
}

// Timestamps 0, 1000, 2000 + dod: exactly one delta-of-delta equal to `dod`.
std::vector<std::int64_t> with_dod(std::int64_t dod) {
    return {0, 1000, 2000 + dod};
}

TEST(Gorilla, ChecklistVectorD10) {
    const auto bytes = encode({1000, 2000, 3000, 4005});
    EXPECT_EQ(questdb::test::to_hex(bytes.data(), bytes.size()),
              "e803000000000000d0070000000000002a00");
    EXPECT_EQ(decode(bytes, 4), (std::vector<std::int64_t>{1000, 2000, 3000, 4005}));
    const auto minus_one = encode({1000, 2000, 3000, 3999});
    EXPECT_EQ(questdb::test::to_hex(minus_one.data() + 16, 2), "fa03");
    EXPECT_EQ(decode(minus_one, 4), (std::vector<std::int64_t>{1000, 2000, 3000, 3999}));
}

TEST(Gorilla, EveryBucketBoundaryRoundTripsWithExpectedSize) {
    struct Case {
        std::int64_t dod;
        std::size_t bits;
    };
    const Case cases[] = {
        {0, 1},      {1, 9},     {-1, 9},     {63, 9},         {-64, 9},        {64, 12},
        {-65, 12},   {255, 12},  {-256, 12},  {256, 16},       {-257, 16},      {2047, 16},
        {-2048, 16}, {2048, 36}, {-2049, 36}, {INT32_MAX, 36}, {INT32_MIN, 36},
    };
    for (const auto& c : cases) {
        const auto values = with_dod(c.dod);
        const auto bytes = encode(values);
        EXPECT_EQ(bytes.size(), 16 + (c.bits + 7) / 8) << "dod " << c.dod;
        EXPECT_EQ(decode(bytes, values.size()), values) << "dod " << c.dod;
    }
}

TEST(Gorilla, PastThirtyTwoBitsFallsBack) {
    EXPECT_FALSE(gorilla::encoded_size(with_dod(std::int64_t{INT32_MAX} + 1)).has_value());
    EXPECT_FALSE(gorilla::encoded_size(with_dod(std::int64_t{INT32_MIN} - 1)).has_value());
    EXPECT_FALSE(
        gorilla::encoded_size(std::vector<std::int64_t>{0, 1, std::int64_t{1} << 40}).has_value());
}

TEST(Gorilla, TwoValuesAreSixteenRawBytes) {
    const auto bytes = encode({5, -7});
    EXPECT_EQ(bytes.size(), 16u);
    EXPECT_EQ(decode(bytes, 2), (std::vector<std::int64_t>{5, -7}));
}

TEST(Gorilla, ExtremesWrapWithoutUndefinedBehaviour) {
    const std::int64_t mx = std::numeric_limits<std::int64_t>::max();
    const std::int64_t mn = std::numeric_limits<std::int64_t>::min();
    const std::vector<std::int64_t> v = {mx, mn, mn + 1, mn + 2};  // delta wraps to 1
    const auto bytes = encode(v);
    EXPECT_EQ(decode(bytes, v.size()), v);
}

TEST(Gorilla, RandomSequencesRoundTrip) {
    std::mt19937_64 rng(42);
    for (int round = 0; round < 300; ++round) {
        const std::size_t n = 2 + rng() % 400;
        std::vector<std::int64_t> v(n);
        std::int64_t t = static_cast<std::int64_t>(rng() % 1'000'000'000'000);
        const int spread = static_cast<int>(rng() % 5);
        for (auto& x : v) {
            const std::int64_t jitter[] = {0, 50, 200, 2000, 1'000'000};
            t +=
                1000 + static_cast<std::int64_t>(rng() % (2 * jitter[spread] + 1)) - jitter[spread];
            x = t;
        }
        const auto size = gorilla::encoded_size(v);
        ASSERT_TRUE(size.has_value());
        std::vector<std::uint8_t> bytes(*size);
        gorilla::encode(v, bytes.data());
        EXPECT_EQ(decode(bytes, n), v);
    }
}

TEST(Gorilla, DecodeRejectsTruncationAndTooFewValues) {
    auto bytes = encode({1000, 2000, 3000, 4005});
    std::vector<std::int64_t> out(4);
    for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
        std::vector<std::uint8_t> shorter(bytes.begin(), bytes.begin() + cut);
        EXPECT_FALSE(gorilla::decode(shorter, 4, out.data()).has_value()) << cut;
    }
    EXPECT_FALSE(gorilla::decode(bytes, 1, out.data()).has_value());
    EXPECT_FALSE(gorilla::decode(bytes, 0, out.data()).has_value());
}

}  // namespace
