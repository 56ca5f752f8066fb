#pragma once

// .symbol-dict: the slot's persisted symbol dictionary, so frames on disk (which reference
// symbols by id) can be replayed on a fresh connection after a restart.
//
//   offset 0  u32 magic "SYD1" (0x31445953 little-endian)
//          4  u8  version 1
//          5  3 reserved zero bytes
//          8  chunks: [entryCount varint][entryBytes varint][entries][u32 crc32c]
//             entries = entryCount x [len varint][utf8 bytes], entryBytes long in total;
//             the CRC covers both varints and the entries.
//
// Symbol id i is the i-th entry across all chunks. One append() writes one chunk (the new
// symbols of one frame), before the frame that uses them is stored. Loading stops at the first
// chunk that is incomplete, fails its CRC or is inconsistent, and truncates the file there.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "sf/fs_io.hpp"

namespace questdb::sf {

inline constexpr std::uint32_t kSymbolDictMagic = 0x31445953;  // "SYD1"
inline constexpr std::uint8_t kSymbolDictVersion = 1;
inline constexpr std::size_t kSymbolDictHeaderSize = 8;
inline constexpr const char* kSymbolDictFileName = ".symbol-dict";
/// Longest symbol accepted on load (matches the reference clients' cap).
inline constexpr std::uint64_t kMaxPersistedSymbolBytes = 1u << 20;

/// A larger .symbol-dict is not read (it would be loaded into memory whole): it is set aside
/// as unreadable.
inline constexpr std::uint64_t kMaxSymbolDictFileBytes = std::uint64_t{1} << 30;
/// What parsing a side-file image found.
struct SymbolDictParse {
    bool header_ok = false;            ///< magic and version matched
    std::vector<std::string> symbols;  ///< every symbol of the valid chunks, in id order
    std::uint64_t valid_length = 0;    ///< bytes up to the end of the last valid chunk
    std::size_t chunk_count = 0;
};

/// Parses a whole side-file image.
[[nodiscard]] SymbolDictParse parse_symbol_dict(std::span<const std::uint8_t> bytes);

/// Appends one encoded chunk for `symbols` to `out`.
void encode_symbol_chunk(std::span<const std::string_view> symbols, std::vector<std::uint8_t>& out);

/// The open side-file. Single writer (the producer); not thread-safe.
class SymbolDictFile {
  public:
    /// Opens `<slot_dir>/.symbol-dict`, loading its valid chunks and truncating a torn tail.
    /// A missing file is created empty. A too short, wrong-magic, wrong-version or oversized
    /// (> kMaxSymbolDictFileBytes) file is renamed ".symbol-dict.corrupt" (kept, never
    /// overwritten) and a fresh empty one is started (recreated(), torn_bytes_dropped()).
    [[nodiscard]] static detail::Result<SymbolDictFile> open(const std::filesystem::path& slot_dir,
                                                             FaultInjector* faults);
    /// Creates a new empty side-file, replacing any existing one.
    [[nodiscard]] static detail::Result<SymbolDictFile> create(
        const std::filesystem::path& slot_dir, FaultInjector* faults);

    /// Appends `symbols` as one chunk (ids size() .. size()+n-1). Empty input writes nothing.
    /// On failure the file is cut back to where it was and size() is unchanged.
    [[nodiscard]] detail::Status append(std::span<const std::string_view> symbols);
    [[nodiscard]] detail::Status sync();

    /// Number of symbols stored (the next id).
    [[nodiscard]] std::uint64_t size() const noexcept { return count_; }
    /// Symbols loaded at open (ids 0..n-1); appends are not added here.
    [[nodiscard]] const std::vector<std::string>& loaded() const noexcept { return loaded_; }
    /// Bytes dropped from the end at open because they were torn or corrupt.
    [[nodiscard]] std::uint64_t torn_bytes_dropped() const noexcept { return torn_dropped_; }
    /// True when open() found an unusable file and started a fresh one.
    [[nodiscard]] bool recreated() const noexcept { return recreated_; }
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

  private:
    SymbolDictFile(std::filesystem::path path, FileHandle fd, FaultInjector* faults)
        : path_(std::move(path)), fd_(std::move(fd)), faults_(faults) {}

    std::filesystem::path path_;
    FileHandle fd_;
    FaultInjector* faults_;
    std::uint64_t append_offset_ = kSymbolDictHeaderSize;
    std::uint64_t count_ = 0;
    std::vector<std::string> loaded_;
    std::uint64_t torn_dropped_ = 0;
    bool recreated_ = false;
    std::vector<std::uint8_t> scratch_;
};

}  // namespace questdb::sf
