// Damage every kind of store-and-forward file at many offsets (flipped bytes, truncation) and
// check that readers keep exactly the valid prefix, never return altered data, and report
// the damage.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>

#include "queue_test_support.hpp"
#include "sf/disk_queue.hpp"
#include "sf/record_file.hpp"
#include "sf/segment_file.hpp"
#include "sf/symbol_dict_file.hpp"

namespace questdb::sf {
namespace {

using test::frame_number;
using test::in_ms;
using test::numbered_frame;

std::vector<std::uint8_t> read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::filesystem::path& path, std::span<const std::uint8_t> bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
}

// A segment image: header, `count` frames of varying sizes, zero tail up to `size`.
struct SegmentImage {
    std::vector<std::uint8_t> bytes;
    std::vector<std::uint64_t> frame_ends;  // offset just past each frame
    std::vector<std::vector<std::uint8_t>> payloads;
};

SegmentImage make_segment_image(std::size_t count, std::size_t size) {
    SegmentImage img;
    img.bytes.assign(size, 0);
    std::uint8_t header[24];
    encode_segment_header({100, 5, 0}, header);
    std::memcpy(img.bytes.data(), header, 24);
    std::uint64_t pos = 24;
    for (std::size_t i = 0; i < count; ++i) {
        auto payload = numbered_frame(100 + i, 9 + (i * 7) % 40);
        std::uint8_t fh[8];
        encode_frame_header(payload, fh);
        std::memcpy(img.bytes.data() + pos, fh, 8);
        std::memcpy(img.bytes.data() + pos + 8, payload.data(), payload.size());
        pos += 8 + payload.size();
        img.frame_ends.push_back(pos);
        img.payloads.push_back(std::move(payload));
    }
    return img;
}

std::vector<std::vector<std::uint8_t>> scan_payloads(std::span<const std::uint8_t> bytes,
                                                     SegmentScan* out = nullptr) {
    std::vector<std::vector<std::uint8_t>> payloads;
    auto scan = scan_segment_bytes(
        bytes, [&](std::uint64_t, std::uint64_t, std::span<const std::uint8_t> p) {
            payloads.emplace_back(p.begin(), p.end());
        });
    EXPECT_TRUE(scan.ok());
    if (out != nullptr && scan.ok()) {
        *out = scan.value();
    }
    return payloads;
}

std::size_t frames_before(const SegmentImage& img, std::uint64_t offset) {
    std::size_t n = 0;
    while (n < img.frame_ends.size() && img.frame_ends[n] <= offset) {
        ++n;
    }
    return n;
}

TEST(SegmentCorruption, AFlippedByteAnywhereInTheFramesKeepsExactlyThePrefixBeforeIt) {
    const auto img = make_segment_image(12, 640);
    const std::uint64_t data_end = img.frame_ends.back();
    for (std::uint64_t at = 24; at < data_end; ++at) {
        auto bytes = img.bytes;
        bytes[at] ^= 0x20;
        SegmentScan scan;
        const auto payloads = scan_payloads(bytes, &scan);
        const std::size_t keep = frames_before(img, at);
        ASSERT_EQ(payloads.size(), keep) << "flip at " << at;
        for (std::size_t i = 0; i < keep; ++i) {
            ASSERT_EQ(payloads[i], img.payloads[i]) << "flip at " << at;
        }
        const std::uint64_t append_at = keep == 0 ? 24 : img.frame_ends[keep - 1];
        EXPECT_EQ(scan.append_offset, append_at) << "flip at " << at;
        EXPECT_EQ(scan.torn_tail_bytes, 640 - append_at) << "flip at " << at;
    }
}

TEST(SegmentCorruption, GarbageInTheZeroTailIsReportedButLosesNothing) {
    const auto img = make_segment_image(5, 400);
    const std::uint64_t data_end = img.frame_ends.back();
    for (std::uint64_t at = data_end; at < 400; ++at) {
        auto bytes = img.bytes;
        bytes[at] = 0x7F;
        SegmentScan scan;
        ASSERT_EQ(scan_payloads(bytes, &scan).size(), 5u) << at;
        // Damage within the next frame header's 8 bytes is a torn tail; further out it is
        // indistinguishable from an unused, clean tail.
        EXPECT_EQ(scan.torn_tail_bytes > 0, at < data_end + 8) << at;
    }
}

TEST(SegmentCorruption, TruncationAtEveryLengthKeepsTheWholeFramesBeforeIt) {
    const auto img = make_segment_image(8, 512);
    for (std::size_t len = 0; len <= img.bytes.size(); ++len) {
        const std::span<const std::uint8_t> prefix(img.bytes.data(), len);
        auto scan = scan_segment_bytes(prefix);
        if (len < 24) {
            EXPECT_FALSE(scan.ok()) << len;
            continue;
        }
        ASSERT_TRUE(scan.ok()) << len;
        EXPECT_EQ(scan.value().frame_count, frames_before(img, len)) << len;
    }
}

TEST(SegmentCorruption, DiskQueueRecoversThePrefixAfterAFlipAtManyOffsets) {
    test::TempDir dir;
    DiskQueueOptions options;
    options.sf_dir = dir.path();
    options.limits = QueueLimits{1 << 20, 8192};
    std::vector<std::uint8_t> pristine;
    std::filesystem::path segment;
    std::vector<std::uint64_t> ends;
    {
        auto q = DiskQueue::open(options);
        ASSERT_TRUE(q.ok());
        for (std::uint64_t i = 0; i < 40; ++i) {
            ASSERT_TRUE(q.value()->append(numbered_frame(i, 20 + i * 3), in_ms(1000)).ok());
        }
    }
    for (const auto& e : std::filesystem::directory_iterator(dir.path() / "default")) {
        if (is_segment_file_name(e.path().filename().string())) {
            segment = e.path();
        }
    }
    pristine = read_file(segment);
    ASSERT_TRUE(scan_segment_bytes(pristine, [&](std::uint64_t, std::uint64_t off,
                                                 std::span<const std::uint8_t> p) {
                    ends.push_back(off + 8 + p.size());
                }).ok());
    ASSERT_EQ(ends.size(), 40u);
    for (std::uint64_t at = 24; at < ends.back(); at += 37) {
        auto bytes = pristine;
        bytes[at] ^= 0x01;
        write_file(segment, bytes);
        auto q = DiskQueue::open(options);
        ASSERT_TRUE(q.ok()) << q.failure().message;
        std::size_t keep = 0;
        while (keep < ends.size() && ends[keep] <= at) {
            ++keep;
        }
        auto frames = test::drain_cursor(*q.value());
        ASSERT_EQ(frames.size(), keep) << "flip at " << at;
        for (std::size_t i = 0; i < keep; ++i) {
            ASSERT_EQ(frame_number(frames[i]), i);
        }
        EXPECT_GT(q.value()->recovery_report().torn_tail_bytes, 0u);
        q.value().reset();  // closes; the next round rewrites the file
    }
}

// ---- manifest and watermark --------------------------------------------------------------

TEST(RecordCorruption, AFlippedByteInTheNewerRecordFallsBackToTheOlderOne) {
    test::TempDir dir;
    {
        auto m = ManifestFile::create(dir.path(), 10, 20, false, nullptr);  // gen 1, slot 1
        ASSERT_TRUE(m.ok());
        ASSERT_TRUE(m.value()->update(15, 30, false).ok());  // gen 2, slot 0
    }
    const auto pristine = read_file(dir.path() / kManifestFileName);
    for (std::size_t at = 0; at < kRecordSize; ++at) {
        auto newer_broken = pristine;
        newer_broken[at] ^= 0x10;
        auto r = select_record(newer_broken, kManifestMagic);
        ASSERT_TRUE(r.has_value()) << at;
        EXPECT_EQ(r->first, 10) << at;
        EXPECT_EQ(r->second, 20) << at;

        auto older_broken = pristine;
        older_broken[kRecordSlotSize + at] ^= 0x10;
        auto r2 = select_record(older_broken, kManifestMagic);
        ASSERT_TRUE(r2.has_value()) << at;
        EXPECT_EQ(r2->first, 15) << at;
        EXPECT_EQ(r2->second, 30) << at;

        auto both = newer_broken;
        both[kRecordSlotSize + at] ^= 0x10;
        EXPECT_FALSE(select_record(both, kManifestMagic).has_value()) << at;
    }
}

TEST(RecordCorruption, AnUnreadableManifestIsSetAsideAndTreatedAsAbsent) {
    test::TempDir dir;
    {
        auto m = ManifestFile::create(dir.path(), 10, 20, false, nullptr);
        ASSERT_TRUE(m.ok());
    }
    const auto pristine = read_file(dir.path() / kManifestFileName);
    for (std::size_t len : {0u, 64u, 4096u, 8191u, 8193u}) {
        auto bytes = pristine;
        bytes.resize(len, 0);
        write_file(dir.path() / kManifestFileName, bytes);
        auto m = ManifestFile::open(dir.path(), nullptr);
        ASSERT_TRUE(m.ok()) << len;
        EXPECT_EQ(m.value(), nullptr) << len;
        EXPECT_TRUE(std::filesystem::exists(dir.path() / "sf-manifest.bin.corrupt")) << len;
    }
}

TEST(RecordCorruption, ADamagedWatermarkFallsBackOrResets) {
    test::TempDir dir;
    {
        auto w = AckWatermarkFile::open(dir.path(), nullptr);
        ASSERT_TRUE(w.ok());
        ASSERT_TRUE(w.value()->write(5).ok());  // gen 1, slot 1
        ASSERT_TRUE(w.value()->write(9).ok());  // gen 2, slot 0
    }
    const auto pristine = read_file(dir.path() / kAckWatermarkFileName);
    for (std::size_t at = 0; at < kRecordSize; at += 3) {
        auto bytes = pristine;
        bytes[at] ^= 0x04;
        write_file(dir.path() / kAckWatermarkFileName, bytes);
        auto w = AckWatermarkFile::open(dir.path(), nullptr);
        ASSERT_TRUE(w.ok());
        EXPECT_EQ(w.value()->value(), 5) << at;
    }
    auto truncated = pristine;
    truncated.resize(16);  // e.g. a legacy 16-byte watermark
    write_file(dir.path() / kAckWatermarkFileName, truncated);
    auto w = AckWatermarkFile::open(dir.path(), nullptr);
    ASSERT_TRUE(w.ok());
    EXPECT_FALSE(w.value()->value().has_value());
    EXPECT_EQ(std::filesystem::file_size(dir.path() / kAckWatermarkFileName), kDualSlotFileSize);
}

// CRC-valid records with values no writer produces (a forged or cross-wired record): each is
// rejected, and the other slot's record is used.
TEST(RecordCorruption, ImplausibleGenerationsAndFsnsAreRejected) {
    auto file_with_newer = [&](std::uint32_t magic, std::uint64_t gen, std::int64_t first,
                               std::int64_t second) {
        std::vector<std::uint8_t> file(kDualSlotFileSize, 0);
        const auto old_record = encode_record(magic, 1, magic == kManifestMagic ? 10 : 5,
                                              magic == kManifestMagic ? 20 : 0);
        std::memcpy(file.data() + kRecordSlotSize, old_record.data(), kRecordSize);
        const auto newer = encode_record(magic, gen, first, second);
        std::memcpy(file.data(), newer.data(), kRecordSize);
        return file;
    };
    constexpr auto kHuge = kMaxPlausibleRecordValue;
    // A generation at INT64_MAX would make the next write's generation wrap negative.
    for (const std::uint64_t gen : {std::uint64_t(kHuge), std::uint64_t(INT64_MAX)}) {
        auto r = select_record(file_with_newer(kManifestMagic, gen, 11, 21), kManifestMagic);
        ASSERT_TRUE(r.has_value());
        EXPECT_EQ(r->generation, 1u) << gen;
    }
    for (const std::int64_t active : {kHuge, std::int64_t{INT64_MAX}}) {
        auto r = select_record(file_with_newer(kManifestMagic, 2, 11, active), kManifestMagic);
        ASSERT_TRUE(r.has_value());
        EXPECT_EQ(r->second, 20) << active;
    }
    for (const std::int64_t acked : {kHuge, std::int64_t{INT64_MAX}, std::int64_t{-2}}) {
        auto r =
            select_record(file_with_newer(kAckWatermarkMagic, 2, acked, 0), kAckWatermarkMagic);
        ASSERT_TRUE(r.has_value());
        EXPECT_EQ(r->first, 5) << acked;
    }
    auto ok =
        select_record(file_with_newer(kAckWatermarkMagic, 2, kHuge - 1, 0), kAckWatermarkMagic);
    ASSERT_TRUE(ok.has_value());
    EXPECT_EQ(ok->first, kHuge - 1) << "the largest plausible value is kept";
}

TEST(RecordCorruption, AManifestHeadBeyondEveryStoredFrameTrimsNothing) {
    test::TempDir dir;
    DiskQueueOptions options;
    options.sf_dir = dir.path();
    options.limits = QueueLimits{1 << 20, 4096};
    {
        auto q = DiskQueue::open(options);
        ASSERT_TRUE(q.ok());
        for (std::uint64_t i = 0; i < 40; ++i) {
            ASSERT_TRUE(q.value()->append(numbered_frame(i, 100), in_ms(1000)).ok());
        }
    }
    // A CRC-valid manifest claiming everything up to FSN 999 was trimmed.
    ASSERT_TRUE(ManifestFile::create(dir.path() / "default", 1000, 1000, false, nullptr).ok());
    auto q = DiskQueue::open(options);
    ASSERT_TRUE(q.ok()) << q.failure().message;
    auto frames = test::drain_cursor(*q.value());
    ASSERT_EQ(frames.size(), 40u) << "no frame was deleted on the manifest's word";
    for (std::size_t i = 0; i < frames.size(); ++i) {
        EXPECT_EQ(frame_number(frames[i]), i);
    }
    const auto& notes = q.value()->recovery_report().notes;
    EXPECT_TRUE(std::any_of(notes.begin(), notes.end(), [](const std::string& n) {
        return n.find("manifest head FSN 1000") != std::string::npos;
    }));
}

TEST(SegmentCorruption, OverlappingSegmentsAreUnreplayableAndLeftAsFound) {
    test::TempDir dir;
    DiskQueueOptions options;
    options.sf_dir = dir.path();
    options.limits = QueueLimits{1 << 20, 4096};
    {
        auto q = DiskQueue::open(options);
        ASSERT_TRUE(q.ok());
        for (std::uint64_t i = 0; i < 10; ++i) {
            ASSERT_TRUE(q.value()->append(numbered_frame(i, 100), in_ms(1000)).ok());
        }
    }
    // A second segment whose base FSN falls inside the first one's frames.
    const auto extra = dir.path() / "default" / segment_file_name(999);
    {
        auto seg = SegmentFile::create(extra, 5, 4096, 1, nullptr);
        ASSERT_TRUE(seg.ok());
        ASSERT_TRUE(seg.value()->write_frame(kSegmentHeaderSize, numbered_frame(5, 16)).ok());
    }
    auto q = DiskQueue::open(options);
    ASSERT_FALSE(q.ok());
    EXPECT_EQ(q.failure().code, ErrorCode::store_resend_required);
    EXPECT_NE(q.failure().message.find("overlap at FSN 5"), std::string::npos)
        << q.failure().message;
    EXPECT_TRUE(std::filesystem::exists(extra)) << "left as found";
}

// ---- symbol dictionary -------------------------------------------------------------------

TEST(SymbolDictCorruption, DamageAnywhereKeepsOnlyWholeChunksBeforeIt) {
    test::TempDir dir;
    const std::vector<std::vector<std::string_view>> chunks = {
        {"a"}, {"bb", "ccc"}, {"dddd"}, {"e", "f", "g"}, {"longer-symbol-name"}};
    std::vector<std::string> all;
    std::vector<std::uint64_t> chunk_ends;
    std::vector<std::size_t> symbols_after;
    {
        auto d = SymbolDictFile::create(dir.path(), nullptr);
        ASSERT_TRUE(d.ok());
        for (const auto& c : chunks) {
            ASSERT_TRUE(d.value().append(c).ok());
            for (auto s : c) {
                all.emplace_back(s);
            }
            chunk_ends.push_back(std::filesystem::file_size(dir.path() / kSymbolDictFileName));
            symbols_after.push_back(all.size());
        }
    }
    const auto pristine = read_file(dir.path() / kSymbolDictFileName);
    auto expected_for = [&](std::uint64_t damage_at) {
        std::size_t n = 0;
        std::uint64_t valid = kSymbolDictHeaderSize;
        for (std::size_t i = 0; i < chunk_ends.size() && chunk_ends[i] <= damage_at; ++i) {
            n = symbols_after[i];
            valid = chunk_ends[i];
        }
        return std::pair{n, valid};
    };
    for (std::size_t at = kSymbolDictHeaderSize; at < pristine.size(); ++at) {
        auto bytes = pristine;
        bytes[at] ^= 0x40;
        const auto parsed = parse_symbol_dict(bytes);
        const auto [n, valid] = expected_for(at);
        ASSERT_EQ(parsed.symbols.size(), n) << "flip at " << at;
        EXPECT_EQ(parsed.valid_length, valid) << "flip at " << at;
        for (std::size_t i = 0; i < n; ++i) {
            ASSERT_EQ(parsed.symbols[i], all[i]);
        }
    }
    for (std::size_t len = kSymbolDictHeaderSize; len <= pristine.size(); ++len) {
        const auto parsed = parse_symbol_dict(std::span(pristine).first(len));
        EXPECT_EQ(parsed.symbols.size(), expected_for(len).first) << "length " << len;
    }
    for (std::size_t at = 0; at < 5; ++at) {  // magic and version
        auto bytes = pristine;
        bytes[at] ^= 0x01;
        EXPECT_FALSE(parse_symbol_dict(bytes).header_ok) << at;
    }
}

TEST(SymbolDictCorruption, OpenTruncatesATornTailAndTheNextAppendContinuesCleanly) {
    test::TempDir dir;
    {
        auto d = SymbolDictFile::create(dir.path(), nullptr);
        ASSERT_TRUE(d.ok());
        const std::string_view one[] = {"x", "y"};
        const std::string_view two[] = {"z"};
        ASSERT_TRUE(d.value().append(one).ok());
        ASSERT_TRUE(d.value().append(two).ok());
    }
    auto bytes = read_file(dir.path() / kSymbolDictFileName);
    bytes.resize(bytes.size() - 2);  // a torn last chunk
    write_file(dir.path() / kSymbolDictFileName, bytes);
    auto d = SymbolDictFile::open(dir.path(), nullptr);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d.value().loaded(), (std::vector<std::string>{"x", "y"}));
    EXPECT_GT(d.value().torn_bytes_dropped(), 0u);
    const std::string_view again[] = {"z", "w"};
    ASSERT_TRUE(d.value().append(again).ok());
    EXPECT_EQ(parse_symbol_dict(read_file(dir.path() / kSymbolDictFileName)).symbols,
              (std::vector<std::string>{"x", "y", "z", "w"}));
}

TEST(SymbolDictCorruption, AFailedAppendLeavesTheFileAsItWas) {
    test::TempDir dir;
    FaultInjector faults;
    auto d = SymbolDictFile::create(dir.path(), &faults);
    ASSERT_TRUE(d.ok());
    const std::string_view one[] = {"keep"};
    ASSERT_TRUE(d.value().append(one).ok());
    const auto before = read_file(dir.path() / kSymbolDictFileName);
    faults.fail_nth_write(1, ENOSPC);
    const std::string_view two[] = {"lost"};
    auto st = d.value().append(two);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.failure().code, ErrorCode::store_error);
    EXPECT_EQ(d.value().size(), 1u);
    EXPECT_EQ(read_file(dir.path() / kSymbolDictFileName), before);
    ASSERT_TRUE(d.value().append(two).ok());
    EXPECT_EQ(parse_symbol_dict(read_file(dir.path() / kSymbolDictFileName)).symbols,
              (std::vector<std::string>{"keep", "lost"}));
}

}  // namespace
}  // namespace questdb::sf
