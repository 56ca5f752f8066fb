// The on-disk formats against the Java reference client's fixtures, in both directions: we
// read their bytes correctly, and what we write for the same logical content equals them.

#include <fcntl.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <random>

#include "queue_test_support.hpp"
#include "sf/crc32c.hpp"
#include "sf/record_file.hpp"
#include "sf/segment_file.hpp"
#include "sf/symbol_dict_file.hpp"
#include "support/fixtures.hpp"

namespace questdb::sf {
namespace {

using questdb::test::load_hex_fixture;

std::vector<std::uint8_t> read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::filesystem::path& path, std::span<const std::uint8_t> bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
}

std::span<const std::uint8_t> as_bytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string as_string(std::span<const std::uint8_t> b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// ---- CRC32C ------------------------------------------------------------------------------

TEST(Crc32c, MatchesTheCastagnoliCheckValue) {
    EXPECT_EQ(crc32c(as_bytes("123456789")), 0xE3069283u);
    EXPECT_EQ(crc32c_portable(as_bytes("123456789")), 0xE3069283u);
    EXPECT_EQ(crc32c({}), 0u);
}

TEST(Crc32c, IncrementalAndAcceleratedAgreeWithBoost) {
    std::mt19937 rng(1);
    for (std::size_t size : {1u, 7u, 8u, 9u, 63u, 64u, 767u, 768u, 769u, 1000u, 24575u, 24576u,
                             24583u, 45000u, 100003u}) {
        std::vector<std::uint8_t> data(size);
        for (auto& b : data) {
            b = static_cast<std::uint8_t>(rng());
        }
        const std::uint32_t expected = crc32c_portable(data);
        EXPECT_EQ(crc32c(data), expected) << size;
        const std::size_t split = size / 3;
        Crc32c inc;
        inc.update(data.data(), split).update(data.data() + split, size - split);
        EXPECT_EQ(inc.value(), expected) << size;
    }
}

// ---- SF01 segments -----------------------------------------------------------------------

TEST(Crc32c, UpdateAndCopyChecksumsAndCopiesInOnePass) {
    // Sizes around the lane boundaries (3 x 8192 and 3 x 256) and odd tails.
    for (const std::size_t size :
         {0u, 1u, 7u, 8u, 9u, 767u, 768u, 769u, 1000u, 24575u, 24576u, 24577u, 46080u, 100003u}) {
        std::vector<std::uint8_t> src(size);
        for (std::size_t i = 0; i < size; ++i) {
            src[i] = static_cast<std::uint8_t>(i * 37 + size);
        }
        std::vector<std::uint8_t> dst(size + 2, 0xEE);
        const auto crc = Crc32c{}.update("ab", 2).update_and_copy(dst.data() + 1, src.data(), size);
        const auto expected = Crc32c{}.update("ab", 2).update(src).value();
        EXPECT_EQ(crc.value(), expected) << size;
        EXPECT_TRUE(std::equal(src.begin(), src.end(), dst.begin() + 1)) << size;
        EXPECT_EQ(dst.front(), 0xEE) << "nothing before dst";
        EXPECT_EQ(dst.back(), 0xEE) << "nothing after dst + size";
    }
}

TEST(SegmentFormat, ReadsTheJavaTwoFrameSegment) {
    const auto bytes = load_hex_fixture("sf/java-two-frame.sfa.hex");
    ASSERT_EQ(bytes.size(), 64u);
    std::vector<std::string> payloads;
    std::vector<std::uint64_t> fsns;
    auto scan = scan_segment_bytes(
        bytes, [&](std::uint64_t fsn, std::uint64_t, std::span<const std::uint8_t> payload) {
            fsns.push_back(fsn);
            payloads.push_back(as_string(payload));
        });
    ASSERT_TRUE(scan.ok()) << scan.failure().message;
    EXPECT_EQ(scan.value().header.base_fsn, 42u);
    EXPECT_EQ(scan.value().header.created_micros, 1234567890123u);
    EXPECT_EQ(scan.value().frame_count, 2u);
    EXPECT_EQ(scan.value().append_offset, 50u);
    EXPECT_EQ(scan.value().torn_tail_bytes, 0u);
    EXPECT_EQ(payloads, (std::vector<std::string>{"one", "two-two"}));
    EXPECT_EQ(fsns, (std::vector<std::uint64_t>{42, 43}));
}

TEST(SegmentFormat, ReadsTheJavaTornTailSegment) {
    const auto bytes = load_hex_fixture("sf/java-two-frame-torn-tail.sfa.hex");
    std::vector<std::string> payloads;
    auto scan = scan_segment_bytes(
        bytes, [&](std::uint64_t, std::uint64_t, std::span<const std::uint8_t> payload) {
            payloads.push_back(as_string(payload));
        });
    ASSERT_TRUE(scan.ok());
    EXPECT_EQ(payloads, (std::vector<std::string>{"one"}));
    EXPECT_EQ(scan.value().append_offset, 35u);
    EXPECT_EQ(scan.value().torn_tail_bytes, 29u);
}

TEST(SegmentFormat, WritesTheJavaTwoFrameSegmentByteForByte) {
    test::TempDir dir;
    const auto path = dir.path() / segment_file_name(0);
    auto seg = SegmentFile::create(path, 42, 64, 1234567890123, nullptr);
    ASSERT_TRUE(seg.ok()) << seg.failure().message;
    ASSERT_TRUE(seg.value()->write_frame(24, as_bytes("one")).ok());
    ASSERT_TRUE(seg.value()->write_frame(35, as_bytes("two-two")).ok());
    EXPECT_EQ(questdb::test::to_hex(read_file(path).data(), 64),
              questdb::test::to_hex(load_hex_fixture("sf/java-two-frame.sfa.hex").data(), 64));
}

TEST(SegmentFormat, RecoversTheTornFixtureFromAFileAndZeroesTheTail) {
    test::TempDir dir;
    const auto path = dir.path() / segment_file_name(7);
    write_file(path, load_hex_fixture("sf/java-two-frame-torn-tail.sfa.hex"));
    auto fd = open_file(path, O_RDWR);
    ASSERT_TRUE(fd.ok());
    auto scan = scan_segment_fd(fd.value().get(), path);
    ASSERT_TRUE(scan.ok());
    EXPECT_EQ(scan.value().frame_count, 1u);
    EXPECT_EQ(scan.value().append_offset, 35u);
    EXPECT_EQ(scan.value().torn_tail_bytes, 29u);
    auto seg = SegmentFile::open(path, std::move(fd).value(), scan.value(), nullptr);
    ASSERT_TRUE(seg.ok());
    ASSERT_TRUE(seg.value()->zero_tail(35).ok());
    const auto after = read_file(path);
    ASSERT_EQ(after.size(), 64u);
    for (std::size_t i = 35; i < 64; ++i) {
        EXPECT_EQ(after[i], 0) << i;
    }
    auto rescan = scan_segment_bytes(after);
    ASSERT_TRUE(rescan.ok());
    EXPECT_EQ(rescan.value().frame_count, 1u);
    EXPECT_EQ(rescan.value().torn_tail_bytes, 0u);
}

TEST(SegmentFormat, RejectsBadHeaders) {
    auto bytes = load_hex_fixture("sf/java-two-frame.sfa.hex");
    EXPECT_FALSE(scan_segment_bytes(std::span(bytes).first(23)).ok());
    auto bad_magic = bytes;
    bad_magic[0] ^= 1;
    EXPECT_FALSE(scan_segment_bytes(bad_magic).ok());
    auto bad_version = bytes;
    bad_version[4] = 2;
    EXPECT_EQ(scan_segment_bytes(bad_version).failure().code, ErrorCode::store_error);
    auto manifest_flag = bytes;
    manifest_flag[5] = kSegmentFlagManifestRequired;  // Rust writes it; we accept it
    EXPECT_TRUE(scan_segment_bytes(manifest_flag).ok());
    auto negative = bytes;
    negative[15] = 0x80;
    EXPECT_FALSE(scan_segment_bytes(negative).ok());
}

TEST(SegmentFormat, FileNamesFollowTheGenerationScheme) {
    EXPECT_EQ(segment_file_name(1), "sf-0000000000000001.sfa");
    EXPECT_EQ(segment_file_name(0xabc), "sf-0000000000000abc.sfa");
    EXPECT_EQ(segment_generation("sf-0000000000000abc.sfa"), 0xabcu);
    EXPECT_FALSE(segment_generation("sf-initial.sfa").has_value());
    EXPECT_TRUE(is_segment_file_name("sf-initial.sfa"));
    EXPECT_FALSE(is_segment_file_name(".symbol-dict"));
    EXPECT_FALSE(is_segment_file_name("sf-manifest.bin"));
}

// ---- SFM1 manifest and AKW1 watermark ----------------------------------------------------

TEST(RecordFormat, DecodesTheJavaManifestAndWatermarkRecords) {
    auto manifest =
        decode_record(load_hex_fixture("sf/java-sf-manifest-record.hex"), kManifestMagic);
    ASSERT_TRUE(manifest.has_value());
    EXPECT_EQ(manifest->generation, 1u);
    EXPECT_EQ(manifest->first, 10);
    EXPECT_EQ(manifest->second, 20);
    auto watermark =
        decode_record(load_hex_fixture("sf/java-ack-watermark-record.hex"), kAckWatermarkMagic);
    ASSERT_TRUE(watermark.has_value());
    EXPECT_EQ(watermark->generation, 1u);
    EXPECT_EQ(watermark->first, 42);
    // A record is only valid under its own magic.
    EXPECT_FALSE(
        decode_record(load_hex_fixture("sf/java-sf-manifest-record.hex"), kAckWatermarkMagic));
}

std::vector<std::uint8_t> dual_slot_image_with_record_in_slot_1(const std::string& fixture) {
    std::vector<std::uint8_t> image(kDualSlotFileSize, 0);
    const auto record = load_hex_fixture(fixture);
    std::copy(record.begin(), record.end(), image.begin() + kRecordSlotSize);
    return image;
}

TEST(RecordFormat, WritesTheJavaManifestFileByteForByte) {
    test::TempDir dir;
    auto manifest = ManifestFile::create(dir.path(), 10, 20, true, nullptr);
    ASSERT_TRUE(manifest.ok()) << manifest.failure().message;
    EXPECT_EQ(read_file(dir.path() / kManifestFileName),
              dual_slot_image_with_record_in_slot_1("sf/java-sf-manifest-record.hex"));
    manifest.value().reset();
    auto reopened = ManifestFile::open(dir.path(), nullptr);
    ASSERT_TRUE(reopened.ok());
    ASSERT_NE(reopened.value(), nullptr);
    EXPECT_EQ(reopened.value()->head_base(), 10u);
    EXPECT_EQ(reopened.value()->active_base(), 20u);
}

TEST(RecordFormat, ReadsAJavaManifestFile) {
    test::TempDir dir;
    write_file(dir.path() / kManifestFileName,
               dual_slot_image_with_record_in_slot_1("sf/java-sf-manifest-record.hex"));
    auto manifest = ManifestFile::open(dir.path(), nullptr);
    ASSERT_TRUE(manifest.ok());
    ASSERT_NE(manifest.value(), nullptr);
    EXPECT_EQ(manifest.value()->generation(), 1u);
    EXPECT_EQ(manifest.value()->head_base(), 10u);
    EXPECT_EQ(manifest.value()->active_base(), 20u);
    // The next update goes to slot 0 with generation 2 and bases only grow.
    ASSERT_TRUE(manifest.value()->update(5, 30, false).ok());
    EXPECT_EQ(manifest.value()->head_base(), 10u);
    EXPECT_EQ(manifest.value()->active_base(), 30u);
    const auto image = read_file(dir.path() / kManifestFileName);
    auto slot0 = decode_record(std::span(image).first(kRecordSize), kManifestMagic);
    ASSERT_TRUE(slot0.has_value());
    EXPECT_EQ(slot0->generation, 2u);
}

TEST(RecordFormat, WritesAndReadsTheJavaWatermarkFile) {
    test::TempDir dir;
    auto watermark = AckWatermarkFile::open(dir.path(), nullptr);
    ASSERT_TRUE(watermark.ok());
    EXPECT_FALSE(watermark.value()->value().has_value());
    ASSERT_TRUE(watermark.value()->write(42).ok());
    EXPECT_EQ(read_file(dir.path() / kAckWatermarkFileName),
              dual_slot_image_with_record_in_slot_1("sf/java-ack-watermark-record.hex"));
    watermark.value().reset();
    auto reopened = AckWatermarkFile::open(dir.path(), nullptr);
    ASSERT_TRUE(reopened.ok());
    EXPECT_EQ(reopened.value()->value(), 42);
}

// ---- SYD1 symbol dictionary --------------------------------------------------------------

TEST(SymbolDictFormat, ReadsTheJavaTwoChunkDictionary) {
    auto parsed = parse_symbol_dict(load_hex_fixture("sf/java-two-chunk.symbol-dict.hex"));
    EXPECT_TRUE(parsed.header_ok);
    EXPECT_EQ(parsed.symbols, (std::vector<std::string>{"one", "two", "three"}));
    EXPECT_EQ(parsed.chunk_count, 2u);
    EXPECT_EQ(parsed.valid_length, 34u);
}

TEST(SymbolDictFormat, KeepsTheValidPrefixOfTheJavaTornDictionary) {
    auto parsed =
        parse_symbol_dict(load_hex_fixture("sf/java-two-chunk-torn-tail.symbol-dict.hex"));
    EXPECT_TRUE(parsed.header_ok);
    EXPECT_EQ(parsed.symbols, (std::vector<std::string>{"one"}));
    EXPECT_EQ(parsed.valid_length, 18u);
}

TEST(SymbolDictFormat, WritesTheJavaTwoChunkDictionaryByteForByte) {
    test::TempDir dir;
    auto dict = SymbolDictFile::create(dir.path(), nullptr);
    ASSERT_TRUE(dict.ok());
    const std::string_view first[] = {"one"};
    const std::string_view second[] = {"two", "three"};
    ASSERT_TRUE(dict.value().append(first).ok());
    ASSERT_TRUE(dict.value().append(second).ok());
    EXPECT_EQ(dict.value().size(), 3u);
    EXPECT_EQ(read_file(dir.path() / kSymbolDictFileName),
              load_hex_fixture("sf/java-two-chunk.symbol-dict.hex"));
}

TEST(SymbolDictFormat, OpeningTheTornFileTruncatesItAndAppendsContinueAfterThePrefix) {
    test::TempDir dir;
    write_file(dir.path() / kSymbolDictFileName,
               load_hex_fixture("sf/java-two-chunk-torn-tail.symbol-dict.hex"));
    auto dict = SymbolDictFile::open(dir.path(), nullptr);
    ASSERT_TRUE(dict.ok()) << dict.failure().message;
    EXPECT_EQ(dict.value().loaded(), (std::vector<std::string>{"one"}));
    EXPECT_EQ(dict.value().torn_bytes_dropped(), 16u);
    EXPECT_EQ(std::filesystem::file_size(dir.path() / kSymbolDictFileName), 18u);
    const std::string_view again[] = {"two", "three"};
    ASSERT_TRUE(dict.value().append(again).ok());
    EXPECT_EQ(read_file(dir.path() / kSymbolDictFileName),
              load_hex_fixture("sf/java-two-chunk.symbol-dict.hex"));
}

TEST(SymbolDictFormat, ABadHeaderStartsAFreshDictionary) {
    test::TempDir dir;
    auto bytes = load_hex_fixture("sf/java-two-chunk.symbol-dict.hex");
    bytes[0] ^= 0xFF;
    write_file(dir.path() / kSymbolDictFileName, bytes);
    auto dict = SymbolDictFile::open(dir.path(), nullptr);
    ASSERT_TRUE(dict.ok());
    EXPECT_TRUE(dict.value().recreated());
    EXPECT_EQ(dict.value().size(), 0u);
    EXPECT_EQ(std::filesystem::file_size(dir.path() / kSymbolDictFileName), 8u);
    const auto kept = dir.path() / (std::string(kSymbolDictFileName) + ".corrupt");
    ASSERT_TRUE(std::filesystem::exists(kept)) << "the unreadable file is kept, not overwritten";
    EXPECT_EQ(std::filesystem::file_size(kept), bytes.size());
}

TEST(SymbolDictFormat, AnOversizedFileIsKeptAsideAndNotLoaded) {
    test::TempDir dir;
    auto bytes = load_hex_fixture("sf/java-two-chunk.symbol-dict.hex");
    write_file(dir.path() / kSymbolDictFileName, bytes);
    const std::uint64_t huge = kMaxSymbolDictFileBytes + 1;
    std::filesystem::resize_file(dir.path() / kSymbolDictFileName, huge);  // sparse
    auto dict = SymbolDictFile::open(dir.path(), nullptr);
    ASSERT_TRUE(dict.ok()) << dict.failure().message;
    EXPECT_TRUE(dict.value().recreated());
    EXPECT_EQ(dict.value().size(), 0u);
    EXPECT_EQ(dict.value().torn_bytes_dropped(), huge);
    const auto kept = dir.path() / (std::string(kSymbolDictFileName) + ".corrupt");
    EXPECT_EQ(std::filesystem::file_size(kept), huge);
}

}  // namespace
}  // namespace questdb::sf
