#include "sf/slot.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "sf/segment_file.hpp"

namespace questdb::sf {

using detail::fail;
using detail::Result;
using detail::Status;

namespace {

Status ensure_directory(const std::filesystem::path& dir, std::string_view role) {
    if (::mkdir(dir.c_str(), 0755) == 0) {
        return {};
    }
    const int err = errno;
    struct stat st {};
    if (err == EEXIST && ::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
        return {};
    }
    if (err == ENOENT) {
        return fail(ErrorCode::store_error,
                    "store-and-forward: cannot create " + std::string(role) + " " + dir.string() +
                        ": its parent directory does not exist (only the last path component "
                        "is created)");
    }
    return io_failure("cannot create " + std::string(role), dir, err == EEXIST ? ENOTDIR : err);
}

std::string lock_holder(const std::filesystem::path& slot_dir) {
    auto text = read_small_file(slot_dir / kLockPidFileName, 64);
    if (!text) {
        return "unknown";
    }
    std::string pid = text.value();
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == '\r' || pid.back() == ' ')) {
        pid.pop_back();
    }
    return pid.empty() ? "unknown" : "pid=" + pid;
}

Result<FileHandle> lock_slot(const std::filesystem::path& slot_dir) {
    auto fd = open_file(slot_dir / kLockFileName, O_RDWR | O_CREAT, 0644);
    if (!fd) {
        return std::move(fd).failure();
    }
    int rc;
    do {
        rc = ::flock(fd.value().get(), LOCK_EX | LOCK_NB);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
        if (errno == EWOULDBLOCK) {
            return fail(ErrorCode::store_slot_in_use,
                        "store-and-forward slot " + slot_dir.string() +
                            " is already in use (holder " + lock_holder(slot_dir) +
                            "); give each sender its own sender_id, or stop the other sender");
        }
        return io_failure("cannot lock", slot_dir / kLockFileName, errno);
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    auto pid_fd = open_file(slot_dir / kLockPidFileName, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (pid_fd) {
        (void)write_at(pid_fd.value().get(), pid.data(), pid.size(), 0, slot_dir, nullptr);
    }
    return std::move(fd).value();
}

}  // namespace

bool is_valid_sender_id(std::string_view id) noexcept {
    return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
    });
}

std::string pool_slot_name(std::string_view base, std::size_t index) {
    std::string name(base);
    name += "-ingest-";
    name += std::to_string(index);
    return name;
}

Result<SlotLock> SlotLock::acquire(const std::filesystem::path& sf_dir,
                                   std::string_view sender_id) {
    if (sf_dir.empty()) {
        return fail(ErrorCode::config_error, "sf_dir must not be empty");
    }
    if (!is_valid_sender_id(sender_id)) {
        return fail(ErrorCode::config_error,
                    "sender_id '" + std::string(sender_id) +
                        "' is invalid: use only letters, digits, '_' and '-'");
    }
    if (auto st = ensure_directory(sf_dir, "sf_dir"); !st) {
        return std::move(st).failure();
    }
    const auto slot_dir = sf_dir / std::string(sender_id);
    if (auto st = ensure_directory(slot_dir, "slot directory"); !st) {
        return std::move(st).failure();
    }
    return acquire_existing(slot_dir);
}

Result<SlotLock> SlotLock::acquire_existing(const std::filesystem::path& slot_dir) {
    struct stat st {};
    if (::stat(slot_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        return fail(ErrorCode::store_error,
                    "store-and-forward slot directory " + slot_dir.string() + " does not exist");
    }
    auto locked = lock_slot(slot_dir);
    if (!locked) {
        return std::move(locked).failure();
    }
    return SlotLock(slot_dir, std::move(locked).value());
}

SlotLock::~SlotLock() {
    release();
}

void SlotLock::release() noexcept {
    if (fd_.valid()) {
        ::flock(fd_.get(), LOCK_UN);
        fd_.reset();
    }
}

Result<std::vector<OrphanSlot>> find_orphan_slots(const std::filesystem::path& sf_dir,
                                                  std::span<const std::string> exclude) {
    std::vector<OrphanSlot> out;
    std::error_code ec;
    std::filesystem::directory_iterator it(sf_dir, ec);
    if (ec) {
        if (ec == std::errc::no_such_file_or_directory) {
            return out;
        }
        return io_failure("cannot list", sf_dir, ec.value());
    }
    for (const auto& entry : it) {
        std::error_code entry_ec;
        if (!entry.is_directory(entry_ec)) {
            continue;
        }
        const std::string name = entry.path().filename().string();
        if (!is_valid_sender_id(name) ||
            std::find(exclude.begin(), exclude.end(), name) != exclude.end()) {
            continue;
        }
        if (std::filesystem::exists(entry.path() / kFailedFileName, entry_ec)) {
            continue;
        }
        bool has_segments = false;
        for (const auto& file : std::filesystem::directory_iterator(entry.path(), entry_ec)) {
            if (is_segment_file_name(file.path().filename().string())) {
                has_segments = true;
                break;
            }
        }
        if (!has_segments) {
            continue;
        }
        auto fd = open_file(entry.path() / kLockFileName, O_RDWR | O_CREAT, 0644);
        if (!fd) {
            continue;
        }
        if (::flock(fd.value().get(), LOCK_EX | LOCK_NB) != 0) {
            continue;  // someone owns it
        }
        ::flock(fd.value().get(), LOCK_UN);
        out.push_back({name, entry.path()});
    }
    std::sort(out.begin(), out.end(),
              [](const OrphanSlot& a, const OrphanSlot& b) { return a.sender_id < b.sender_id; });
    return out;
}

// The marker appears whole or not at all (written aside, synced, renamed into place): a
// reader that sees `.failed` (the next pool's orphan scan, an operator, a monitoring script)
// must find the reason in it, and a crash while marking must not leave an empty marker.
Status mark_slot_failed(const std::filesystem::path& slot_dir, std::string_view reason) {
    const auto path = slot_dir / kFailedFileName;
    auto staging = path;
    staging += ".tmp";
    {
        auto fd = open_file(staging, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (!fd) {
            return std::move(fd).failure();
        }
        if (auto written =
                write_at(fd.value().get(), reason.data(), reason.size(), 0, staging, nullptr);
            !written) {
            return written;
        }
        if (auto synced = sync_file(fd.value().get(), staging, nullptr); !synced) {
            return synced;
        }
    }
    if (::rename(staging.c_str(), path.c_str()) != 0) {
        return io_failure("cannot rename " + staging.string() + " to", path, errno);
    }
    return sync_directory(slot_dir);
}

namespace {

// rename(2) that never replaces an existing target (rename() would silently replace an
// empty directory). Returns 0 or an errno.
int rename_no_replace(const std::filesystem::path& from, const std::filesystem::path& to) {
#ifdef RENAME_NOREPLACE
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) {
        return 0;
    }
    if (errno != EINVAL && errno != ENOSYS) {
        return errno;
    }
#endif
    // No RENAME_NOREPLACE here: a link-free check, racy only against another process setting
    // aside a slot of the same name, which the slot lock we hold rules out.
    struct stat st {};
    if (::lstat(to.c_str(), &st) == 0) {
        return EEXIST;
    }
    return ::rename(from.c_str(), to.c_str()) == 0 ? 0 : errno;
}

}  // namespace

Result<std::filesystem::path> set_slot_aside(const std::filesystem::path& sf_dir,
                                             std::string_view sender_id, std::string_view reason) {
    const auto slot_dir = sf_dir / std::string(sender_id);
    auto lock = SlotLock::acquire_existing(slot_dir);
    if (!lock) {
        return std::move(lock).failure();
    }
    for (int n = 0; n < kMaxSetAsideNames; ++n) {
        auto target =
            sf_dir / (std::string(sender_id) + std::string(kUnreplayableInfix) + std::to_string(n));
        const int err = rename_no_replace(slot_dir, target);
        if (err == EEXIST || err == ENOTEMPTY) {
            continue;
        }
        if (err != 0) {
            return io_failure("cannot set aside unreplayable slot " + slot_dir.string() + " as",
                              target, err);
        }
        // The lock's inode moved with the directory, so we still own it while writing this.
        if (auto marked = mark_slot_failed(target, reason); !marked) {
            std::fprintf(stderr, "questdb: cannot write %s/.failed: %s\n", target.c_str(),
                         marked.failure().message.c_str());
        }
        (void)sync_directory(sf_dir);
        return target;
    }
    return fail(ErrorCode::store_error,
                "store-and-forward slot " + slot_dir.string() +
                    " cannot be replayed and cannot be set aside: every name " +
                    std::string(sender_id) + std::string(kUnreplayableInfix) + "0.." +
                    std::to_string(kMaxSetAsideNames - 1) +
                    " is taken. Its frames stay where they are; move the slot directory away "
                    "by hand. Reason: " +
                    std::string(reason));
}

}  // namespace questdb::sf
