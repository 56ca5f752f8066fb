#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "qwp/wire.hpp"

namespace {

using questdb::qwp::ByteReader;
using questdb::qwp::ByteWriter;

TEST(Wire, VarintRoundTripsAtEveryWidth) {
    for (unsigned shift = 0; shift < 64; ++shift) {
        for (std::uint64_t v : {(std::uint64_t{1} << shift) - 1, std::uint64_t{1} << shift}) {
            std::vector<std::uint8_t> buf;
            ByteWriter w(buf);
            w.varint(v);
            EXPECT_EQ(buf.size(), questdb::qwp::varint_size(v));
            ByteReader r(buf);
            std::uint64_t back = 0;
            ASSERT_TRUE(r.varint(back));
            EXPECT_EQ(back, v);
            EXPECT_TRUE(r.at_end());
        }
    }
    std::vector<std::uint8_t> buf;
    ByteWriter(buf).varint(std::numeric_limits<std::uint64_t>::max());
    EXPECT_EQ(buf.size(), 10u);
}

TEST(Wire, VarintRejectsOverlongOverflowAndTruncation) {
    const std::vector<std::uint8_t> eleven = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                              0xFF, 0xFF, 0xFF, 0xFF, 0x01};
    std::uint64_t v = 0;
    EXPECT_FALSE(ByteReader(eleven).varint(v));
    const std::vector<std::uint8_t> overflow = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                                0xFF, 0xFF, 0xFF, 0xFF, 0x02};
    EXPECT_FALSE(ByteReader(overflow).varint(v));
    const std::vector<std::uint8_t> truncated = {0x80, 0x80};
    EXPECT_FALSE(ByteReader(truncated).varint(v));
    const std::vector<std::uint8_t> empty;
    EXPECT_FALSE(ByteReader(empty).varint(v));
}

TEST(Wire, LittleEndianAndBounds) {
    std::vector<std::uint8_t> buf;
    ByteWriter w(buf);
    w.le<std::int64_t>(42);
    w.le<std::uint16_t>(0x0102);
    EXPECT_EQ(buf[0], 42);
    EXPECT_EQ(buf[8], 0x02);
    EXPECT_EQ(buf[9], 0x01);
    ByteReader r(buf);
    std::int64_t a = 0;
    std::uint16_t b = 0;
    std::uint32_t c = 0;
    ASSERT_TRUE(r.le(a));
    ASSERT_TRUE(r.le(b));
    EXPECT_EQ(a, 42);
    EXPECT_EQ(b, 0x0102);
    EXPECT_FALSE(r.le(c));
}

}  // namespace
