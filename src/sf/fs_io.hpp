#pragma once

// Thin POSIX file helpers for the store-and-forward files: positional reads and writes that
// retry short transfers, preallocation, fsync, and a fault-injection hook so tests can make
// "the Nth write" fail (a full disk, an I/O error) without a real full filesystem.

#include <sys/uio.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace questdb::sf {

/// Test hook shared by every file operation of one queue: counts write-like operations
/// (pwrite, preallocation, truncation, fsync) and fails a chosen one.
///
/// Thread-safe. A default-constructed injector never fails anything.
class FaultInjector {
  public:
    /// The `n`th write-like operation from now (1 = the next one) fails with `error`.
    /// With `sticky`, that one and every later one fail until clear() (a disk that stays full).
    void fail_nth_write(std::int64_t n, int error = ENOSPC, bool sticky = false) noexcept;
    /// Stops injecting failures.
    void clear() noexcept;
    /// Called before each write-like operation: 0 to proceed, or the errno to simulate.
    [[nodiscard]] int before_write() noexcept;
    /// How many write-like operations have been attempted since construction.
    [[nodiscard]] std::int64_t writes_seen() const noexcept { return seen_.load(); }

  private:
    std::atomic<std::int64_t> countdown_{0};  // 0 = disarmed
    std::atomic<std::int64_t> seen_{0};
    std::atomic<int> error_{ENOSPC};
    std::atomic<bool> sticky_{false};
    std::atomic<bool> failing_{false};
};

/// An owned file descriptor (closed on destruction). Move-only.
class FileHandle {
  public:
    FileHandle() = default;
    explicit FileHandle(int fd) noexcept : fd_(fd) {}
    FileHandle(FileHandle&& other) noexcept : fd_(other.release()) {}
    FileHandle& operator=(FileHandle&& other) noexcept;
    FileHandle(const FileHandle&) = delete;
    FileHandle& operator=(const FileHandle&) = delete;
    ~FileHandle();

    [[nodiscard]] int get() const noexcept { return fd_; }
    [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
    int release() noexcept {
        const int fd = fd_;
        fd_ = -1;
        return fd;
    }
    void reset() noexcept;

  private:
    int fd_ = -1;
};

/// "<what> <path>: <strerror>" as a store_error Failure.
[[nodiscard]] detail::Failure io_failure(std::string_view what, const std::filesystem::path& path,
                                         int error);

/// Opens `path` with open(2) flags (O_CLOEXEC is added).
[[nodiscard]] detail::Result<FileHandle> open_file(const std::filesystem::path& path, int flags,
                                                   unsigned mode = 0644);

/// Writes all of `size` bytes at `offset`, retrying short writes and EINTR.
[[nodiscard]] detail::Status write_at(int fd, const void* data, std::size_t size,
                                      std::uint64_t offset, const std::filesystem::path& path,
                                      FaultInjector* faults);

/// Gathers `iov` at `offset` (pwritev), retrying short writes and EINTR. Mutates `iov`.
[[nodiscard]] detail::Status writev_at(int fd, iovec* iov, int iov_count, std::uint64_t offset,
                                       const std::filesystem::path& path, FaultInjector* faults);

/// Reads exactly `size` bytes at `offset`; reading past the end of the file is a failure.
[[nodiscard]] detail::Status read_at(int fd, void* data, std::size_t size, std::uint64_t offset,
                                     const std::filesystem::path& path);

/// Writes `size` zero bytes from `offset`.
[[nodiscard]] detail::Status zero_range(int fd, std::uint64_t offset, std::uint64_t size,
                                        const std::filesystem::path& path, FaultInjector* faults);

/// Reserves real blocks for `size` bytes (posix_fallocate), falling back to ftruncate on file
/// systems without preallocation: writes go through pwrite, so a sparse file only means a
/// later write may report ENOSPC, never a SIGBUS.
/// `reserved` (optional) tells whether real blocks were reserved (false after the fallback).
[[nodiscard]] detail::Status preallocate(int fd, std::uint64_t size,
                                         const std::filesystem::path& path, FaultInjector* faults,
                                         bool* reserved = nullptr);

/// ftruncate.
[[nodiscard]] detail::Status truncate_file(int fd, std::uint64_t size,
                                           const std::filesystem::path& path,
                                           FaultInjector* faults);

/// fdatasync.
[[nodiscard]] detail::Status sync_file(int fd, const std::filesystem::path& path,
                                       FaultInjector* faults);

/// fsync of a directory, making created/removed/renamed entries durable.
[[nodiscard]] detail::Status sync_directory(const std::filesystem::path& dir);

/// Size of an open file.
[[nodiscard]] detail::Result<std::uint64_t> file_size(int fd, const std::filesystem::path& path);

/// Reads a whole (small) file.
[[nodiscard]] detail::Result<std::string> read_small_file(const std::filesystem::path& path,
                                                          std::size_t max_bytes);

/// unlink(2); a missing file is not an error.
[[nodiscard]] detail::Status remove_if_exists(const std::filesystem::path& path);

/// Renames `path` to `path + ".corrupt"` (replacing an older one) so an unreadable file is
/// kept for inspection but no longer read; removes it if the rename fails.
void quarantine_file(const std::filesystem::path& path) noexcept;

/// Microseconds since the Unix epoch.
[[nodiscard]] std::uint64_t unix_time_micros() noexcept;

}  // namespace questdb::sf
