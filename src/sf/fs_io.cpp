#include "sf/fs_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>

namespace questdb::sf {

using detail::fail;
using detail::Failure;
using detail::Result;
using detail::Status;

void FaultInjector::fail_nth_write(std::int64_t n, int error, bool sticky) noexcept {
    error_.store(error);
    sticky_.store(sticky);
    failing_.store(false);
    countdown_.store(n < 1 ? 1 : n);
}

void FaultInjector::clear() noexcept {
    countdown_.store(0);
    failing_.store(false);
}

int FaultInjector::before_write() noexcept {
    seen_.fetch_add(1);
    if (failing_.load()) {
        return error_.load();
    }
    std::int64_t left = countdown_.load();
    while (left > 0) {
        if (countdown_.compare_exchange_weak(left, left - 1)) {
            if (left == 1) {
                if (sticky_.load()) {
                    failing_.store(true);
                }
                return error_.load();
            }
            return 0;
        }
    }
    return 0;
}

FileHandle& FileHandle::operator=(FileHandle&& other) noexcept {
    if (this != &other) {
        reset();
        fd_ = other.release();
    }
    return *this;
}

FileHandle::~FileHandle() {
    reset();
}

void FileHandle::reset() noexcept {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

Failure io_failure(std::string_view what, const std::filesystem::path& path, int error) {
    std::string message = "store-and-forward: ";
    message.append(what);
    message.append(" ");
    message.append(path.string());
    message.append(": ");
    message.append(std::strerror(error));
    if (error == ENOSPC || error == EDQUOT) {
        message.append(" (the disk is full; every frame accepted before this one is kept)");
    }
    return fail(ErrorCode::store_error, std::move(message));
}

namespace {

int injected(FaultInjector* faults) {
    return faults != nullptr ? faults->before_write() : 0;
}

}  // namespace

Result<FileHandle> open_file(const std::filesystem::path& path, int flags, unsigned mode) {
    int fd;
    do {
        fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        return io_failure("cannot open", path, errno);
    }
    return FileHandle(fd);
}

Status write_at(int fd, const void* data, std::size_t size, std::uint64_t offset,
                const std::filesystem::path& path, FaultInjector* faults) {
    iovec iov{const_cast<void*>(data), size};
    return writev_at(fd, &iov, 1, offset, path, faults);
}

Status writev_at(int fd, iovec* iov, int iov_count, std::uint64_t offset,
                 const std::filesystem::path& path, FaultInjector* faults) {
    if (const int err = injected(faults); err != 0) {
        return io_failure("cannot write", path, err);
    }
    while (iov_count > 0) {
        const ssize_t n = ::pwritev(fd, iov, iov_count, static_cast<off_t>(offset));
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return io_failure("cannot write", path, errno);
        }
        if (n == 0) {
            return io_failure("cannot write", path, EIO);
        }
        offset += static_cast<std::uint64_t>(n);
        auto left = static_cast<std::size_t>(n);
        while (iov_count > 0 && left >= iov->iov_len) {
            left -= iov->iov_len;
            ++iov;
            --iov_count;
        }
        if (iov_count > 0) {
            iov->iov_base = static_cast<char*>(iov->iov_base) + left;
            iov->iov_len -= left;
        }
    }
    return {};
}

Status read_at(int fd, void* data, std::size_t size, std::uint64_t offset,
               const std::filesystem::path& path) {
    auto* out = static_cast<char*>(data);
    while (size > 0) {
        const ssize_t n = ::pread(fd, out, size, static_cast<off_t>(offset));
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return io_failure("cannot read", path, errno);
        }
        if (n == 0) {
            return fail(ErrorCode::store_error,
                        "store-and-forward: " + path.string() + " is shorter than expected");
        }
        out += n;
        size -= static_cast<std::size_t>(n);
        offset += static_cast<std::uint64_t>(n);
    }
    return {};
}

Status zero_range(int fd, std::uint64_t offset, std::uint64_t size,
                  const std::filesystem::path& path, FaultInjector* faults) {
    static const std::array<char, 64 * 1024> kZeros{};
    while (size > 0) {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(size, kZeros.size()));
        if (auto st = write_at(fd, kZeros.data(), n, offset, path, faults); !st) {
            return st;
        }
        offset += n;
        size -= n;
    }
    return {};
}

Status preallocate(int fd, std::uint64_t size, const std::filesystem::path& path,
                   FaultInjector* faults, bool* reserved) {
    if (reserved != nullptr) {
        *reserved = false;
    }
    if (const int err = injected(faults); err != 0) {
        return io_failure("cannot preallocate", path, err);
    }
    int rc;
    do {
        rc = ::posix_fallocate(fd, 0, static_cast<off_t>(size));
    } while (rc == EINTR);
    if (rc == 0) {
        if (reserved != nullptr) {
            *reserved = true;
        }
        return {};
    }
    if (rc != EOPNOTSUPP && rc != EINVAL && rc != ENOSYS) {
        return io_failure("cannot preallocate", path, rc);
    }
    if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
        return io_failure("cannot size", path, errno);
    }
    return {};
}

Status truncate_file(int fd, std::uint64_t size, const std::filesystem::path& path,
                     FaultInjector* faults) {
    if (const int err = injected(faults); err != 0) {
        return io_failure("cannot truncate", path, err);
    }
    if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
        return io_failure("cannot truncate", path, errno);
    }
    return {};
}

Status sync_file(int fd, const std::filesystem::path& path, FaultInjector* faults) {
    if (const int err = injected(faults); err != 0) {
        return io_failure("cannot sync", path, err);
    }
    if (::fdatasync(fd) != 0) {
        return io_failure("cannot sync", path, errno);
    }
    return {};
}

Status sync_directory(const std::filesystem::path& dir) {
    auto handle = open_file(dir, O_RDONLY | O_DIRECTORY);
    if (!handle) {
        return std::move(handle).failure();
    }
    if (::fsync(handle.value().get()) != 0) {
        return io_failure("cannot sync directory", dir, errno);
    }
    return {};
}

Result<std::uint64_t> file_size(int fd, const std::filesystem::path& path) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        return io_failure("cannot stat", path, errno);
    }
    return static_cast<std::uint64_t>(st.st_size);
}

Result<std::string> read_small_file(const std::filesystem::path& path, std::size_t max_bytes) {
    auto handle = open_file(path, O_RDONLY);
    if (!handle) {
        return std::move(handle).failure();
    }
    std::string out(max_bytes, '\0');
    std::size_t got = 0;
    while (got < max_bytes) {
        const ssize_t n = ::read(handle.value().get(), out.data() + got, max_bytes - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return io_failure("cannot read", path, errno);
        }
        if (n == 0) {
            break;
        }
        got += static_cast<std::size_t>(n);
    }
    out.resize(got);
    return out;
}

Status remove_if_exists(const std::filesystem::path& path) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
        return io_failure("cannot remove", path, errno);
    }
    return {};
}

void quarantine_file(const std::filesystem::path& path) noexcept {
    std::filesystem::path target = path;
    target += ".corrupt";
    if (::rename(path.c_str(), target.c_str()) != 0) {
        ::unlink(path.c_str());
    }
}

std::uint64_t unix_time_micros() noexcept {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
}

}  // namespace questdb::sf
