#pragma once

// The SF01 segment file: one block of the disk queue.
//
//   offset 0   u32 magic "SF01" (0x31304653 little-endian)
//          4   u8  version 1
//          5   u8  flags (bit 0: the slot has a manifest; we write 0 like the Java client)
//          6   u16 reserved 0
//          8   i64 base FSN (FSN of the first frame)
//         16   u64 creation time, microseconds since the epoch
//         24   frames: [u32 crc32c][u32 payload length][payload], CRC over length || payload
//   then zero bytes up to the preallocated file size.
//
// Recovery walks frames until the first one that does not check out (a negative or
// overlong length, a CRC mismatch); that frame's offset is the append offset. Non-zero bytes
// there are a torn tail (a write cut short by a crash), reported and zeroed.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>

#include "core/result.hpp"
#include "sf/fs_io.hpp"
#include "sf/segment.hpp"

namespace questdb::sf {

inline constexpr std::uint32_t kSegmentMagic = 0x31304653;  // "SF01"
inline constexpr std::uint8_t kSegmentVersion = 1;
inline constexpr std::uint8_t kSegmentFlagManifestRequired = 0x01;
/// Base FSNs at or above this are treated as corruption: no writer gets near 2^62 frames,
/// and keeping FSN arithmetic far from INT64_MAX means recovery never overflows.
inline constexpr std::uint64_t kMaxPlausibleFsn = std::uint64_t{1} << 62;

/// No client writes a segment larger than this (sf_max_segment_bytes is capped at 2 GiB). A
/// bigger file is not trusted: re-reserving its blocks on recovery could fill the disk.
inline constexpr std::uint64_t kMaxSegmentFileBytes = std::uint64_t{1} << 31;

struct SegmentHeader {
    std::uint64_t base_fsn = 0;
    std::uint64_t created_micros = 0;
    std::uint8_t flags = 0;
};

/// The 24 header bytes.
void encode_segment_header(const SegmentHeader& header, std::uint8_t (&out)[24]) noexcept;
/// The 8 frame-header bytes ([crc32c][len]) of `payload`.
void encode_frame_header(std::span<const std::uint8_t> payload, std::uint8_t (&out)[8]) noexcept;

/// Validates and decodes the 24 header bytes (magic, version, known flags, zero reserved,
/// base FSN in [0, kMaxPlausibleFsn)); a store_error names what is wrong.
[[nodiscard]] detail::Result<SegmentHeader> decode_segment_header(
    std::span<const std::uint8_t> bytes, const std::string& name);

/// What a scan of a segment found.
struct SegmentScan {
    SegmentHeader header;
    std::uint64_t frame_count = 0;
    /// Offset just past the last valid frame: where the next frame goes.
    std::uint64_t append_offset = 0;
    /// Bytes from append_offset to the end of the file when any of the first bytes there is
    /// non-zero (a torn or corrupt frame); 0 for a clean zero-filled tail.
    std::uint64_t torn_tail_bytes = 0;
    std::uint64_t file_size = 0;
    /// A frame with an empty payload was found (never written by a client: corruption).
    bool has_empty_frame = false;
    /// FSN and offset of the first frame of the trailing run of FLAG_DEFER_COMMIT frames (a
    /// split whose committing frame is missing), if the last valid frame is deferred.
    std::optional<std::uint64_t> deferred_tail_fsn;
    std::uint64_t deferred_tail_offset = 0;
};

/// Called for each valid frame of an in-memory scan: FSN, offset of its frame header, payload.
using FrameVisitor =
    std::function<void(std::uint64_t, std::uint64_t, std::span<const std::uint8_t>)>;

/// Scans segment bytes held in memory (fixtures, tests). A bad header is a store_error.
[[nodiscard]] detail::Result<SegmentScan> scan_segment_bytes(std::span<const std::uint8_t> bytes,
                                                             const FrameVisitor& visit = {});

/// Scans an open segment file with plain reads (never through a mapping, so an unreadable
/// sector is an error, not a SIGBUS).
[[nodiscard]] detail::Result<SegmentScan> scan_segment_fd(int fd,
                                                          const std::filesystem::path& path);

/// An open segment file, read through a shared mapping. Frames are copied into the mapping
/// when its blocks are reserved and its pages faulted in (fresh segments prefaulted at
/// creation, recycled spares), else written with pwritev.
class SegmentFile final : public detail_queue::Segment {
  public:
    /// Creates `path` (which must not exist), preallocates `size` bytes and writes the header.
    /// On failure nothing is left behind.
    [[nodiscard]] static detail::Result<std::shared_ptr<SegmentFile>> create(
        const std::filesystem::path& path, std::uint64_t base_fsn, std::uint64_t size,
        std::uint64_t created_micros, FaultInjector* faults);

    /// Opens an existing segment for appending after `scan` (from scan_segment_fd).
    [[nodiscard]] static detail::Result<std::shared_ptr<SegmentFile>> open(
        const std::filesystem::path& path, FileHandle fd, const SegmentScan& scan,
        FaultInjector* faults);

    ~SegmentFile() override;

    detail::Status write_frame(std::uint64_t offset,
                               std::span<const std::uint8_t> payload) override;
    [[nodiscard]] const std::uint8_t* data() const noexcept override { return map_; }

    /// Zeroes [from, capacity): drops a torn tail so the next frame lands on clean bytes.
    [[nodiscard]] detail::Status zero_tail(std::uint64_t from);

    /// Turns a trimmed segment into a spare that recovery sees as empty: zeroes the first
    /// frame header, and with `whole` every frame after it too (front first, so a crash at
    /// any point leaves an empty segment). Without `whole` the old frames stay behind the
    /// zeroed header; write_frame zeroes the header slot after each new frame before the
    /// frame is whole, so a scan stops at the new frames' end. Good for a process crash;
    /// periodic durability (fsync, host crash) wipes whole segments. Either way the pages
    /// stay in the page cache, which makes later writes several times cheaper than into a
    /// fresh file.
    [[nodiscard]] detail::Status wipe_for_reuse(bool whole);
    /// Reuses a wiped spare as a new segment: renames it to `path` and writes a header for
    /// `base_fsn`. Only for a segment nobody else references.
    [[nodiscard]] detail::Status reuse_as(const std::filesystem::path& path, std::uint64_t base_fsn,
                                          std::uint64_t created_micros);
    /// fdatasync.
    [[nodiscard]] detail::Status sync();
    /// Whether frames were written since the last sync().
    [[nodiscard]] bool dirty() const noexcept { return dirty_.load(); }

    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
    [[nodiscard]] std::uint64_t created_micros() const noexcept { return created_micros_; }

    SegmentFile(const std::filesystem::path& path, FileHandle fd, std::uint64_t base_fsn,
                std::uint64_t size, std::uint64_t end, std::uint64_t count,
                std::uint64_t created_micros, FaultInjector* faults);

  private:
    [[nodiscard]] detail::Status map(bool writable);
    /// Faults every page of the writable mapping in with one call; false if unsupported.
    [[nodiscard]] bool prefault() noexcept;

    std::filesystem::path path_;
    FileHandle fd_;
    std::uint8_t* map_ = nullptr;
    bool writable_map_ = false;   // blocks reserved: stores through the mapping are safe
    bool copy_into_map_ = false;  // pages reserved and faulted in: copying into the map is cheapest
    bool stale_tail_ = false;     // opened by recovery: old frames may follow the last one
    std::uint64_t created_micros_;
    FaultInjector* faults_;
    std::atomic<bool> dirty_{false};
};

/// "sf-<generation as 16 lowercase hex digits>.sfa", the name the reference clients use.
[[nodiscard]] std::string segment_file_name(std::uint64_t generation);
/// The generation of a segment file name, or nullopt for other names.
[[nodiscard]] std::optional<std::uint64_t> segment_generation(std::string_view file_name);
/// Whether `file_name` is a segment file ("sf-*.sfa").
[[nodiscard]] bool is_segment_file_name(std::string_view file_name);

}  // namespace questdb::sf
