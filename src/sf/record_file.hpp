#pragma once

// The two small crash-safe record files of a slot. Each is 8192 bytes: two 4096-byte slots,
// each starting with a 64-byte record
//
//   offset 0  u32 magic   ("SFM1" manifest / "AKW1" ack watermark)
//          4  u32 version 1
//          8  i64 generation (> 0; a write of generation g goes to slot g & 1)
//         16  i64 first   (manifest: head base FSN / watermark: acked FSN, -1 = none)
//         24  i64 second  (manifest: active base FSN / watermark: 0)
//         32  28 zero bytes
//         60  u32 crc32c of bytes 0..59
//
// An update rewrites only the older slot, so a torn write leaves the previous record intact;
// a reader takes the valid record with the higher generation.

#include <array>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <span>

#include "core/result.hpp"
#include "sf/fs_io.hpp"

namespace questdb::sf {

inline constexpr std::uint32_t kManifestMagic = 0x314d4653;      // "SFM1"
inline constexpr std::uint32_t kAckWatermarkMagic = 0x31574b41;  // "AKW1"
inline constexpr std::size_t kRecordSize = 64;
inline constexpr std::uint64_t kRecordSlotSize = 4096;
inline constexpr std::uint64_t kDualSlotFileSize = 8192;
/// Generations and FSNs at or above this are corruption (as for segment base FSNs): no writer
/// gets near 2^62, and a generation at INT64_MAX would make the next write's generation wrap
/// negative, so every later update would be silently unreadable.
inline constexpr std::int64_t kMaxPlausibleRecordValue = std::int64_t{1} << 62;
inline constexpr const char* kManifestFileName = "sf-manifest.bin";
inline constexpr const char* kAckWatermarkFileName = ".ack-watermark";

/// A decoded record.
struct DualSlotRecord {
    std::uint64_t generation = 0;
    std::int64_t first = 0;
    std::int64_t second = 0;
};

[[nodiscard]] std::array<std::uint8_t, kRecordSize> encode_record(std::uint32_t magic,
                                                                  std::uint64_t generation,
                                                                  std::int64_t first,
                                                                  std::int64_t second) noexcept;
/// The record in `bytes` (kRecordSize long) if magic, version, CRC and generation check out.
[[nodiscard]] std::optional<DualSlotRecord> decode_record(std::span<const std::uint8_t> bytes,
                                                          std::uint32_t magic) noexcept;
/// The newest valid record of a whole dual-slot file image.
[[nodiscard]] std::optional<DualSlotRecord> select_record(std::span<const std::uint8_t> file,
                                                          std::uint32_t magic) noexcept;

/// sf-manifest.bin: the FSN range of live segments (head base = base of the oldest live
/// segment, active base = base of the segment being appended to). Thread-safe.
class ManifestFile {
  public:
    /// Creates a fresh manifest (replacing any) holding (head, active).
    [[nodiscard]] static detail::Result<std::unique_ptr<ManifestFile>> create(
        const std::filesystem::path& slot_dir, std::uint64_t head_base, std::uint64_t active_base,
        bool sync, FaultInjector* faults);
    /// Opens an existing manifest; nullptr when absent. A file of the wrong size or with no
    /// valid record is renamed to "sf-manifest.bin.corrupt" and treated as absent.
    [[nodiscard]] static detail::Result<std::unique_ptr<ManifestFile>> open(
        const std::filesystem::path& slot_dir, FaultInjector* faults);

    /// Records new bases; each only ever grows. With `sync`, fdatasyncs.
    [[nodiscard]] detail::Status update(std::uint64_t head_base, std::uint64_t active_base,
                                        bool sync);

    [[nodiscard]] std::uint64_t head_base() const;
    [[nodiscard]] std::uint64_t active_base() const;
    [[nodiscard]] std::uint64_t generation() const;

    ManifestFile(std::filesystem::path path, FileHandle fd, DualSlotRecord record,
                 FaultInjector* faults);

  private:
    mutable std::mutex mutex_;
    std::filesystem::path path_;
    FileHandle fd_;
    DualSlotRecord record_;
    FaultInjector* faults_;
};

/// .ack-watermark: the highest acknowledged FSN, so a restart does not replay frames the
/// server already has. Thread-safe.
class AckWatermarkFile {
  public:
    /// Opens the file, creating (or resetting, if its size is wrong) an empty one.
    [[nodiscard]] static detail::Result<std::unique_ptr<AckWatermarkFile>> open(
        const std::filesystem::path& slot_dir, FaultInjector* faults);

    /// The stored FSN (-1 = none acknowledged), or nullopt when no valid record exists.
    [[nodiscard]] std::optional<std::int64_t> value() const;
    /// Stores `fsn` (>= -1) in the next generation.
    [[nodiscard]] detail::Status write(std::int64_t fsn);
    [[nodiscard]] detail::Status sync();

    AckWatermarkFile(std::filesystem::path path, FileHandle fd,
                     std::optional<DualSlotRecord> record, FaultInjector* faults);

  private:
    mutable std::mutex mutex_;
    std::filesystem::path path_;
    FileHandle fd_;
    std::uint64_t generation_ = 0;
    std::optional<std::int64_t> value_;
    FaultInjector* faults_;
};

}  // namespace questdb::sf
