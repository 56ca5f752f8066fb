// A disk queue on a real, small filesystem that runs out of space: a tmpfs mounted in a
// private mount namespace of a forked child (so nothing outside the test sees it). The
// injected-ENOSPC tests in disk_queue_test.cpp reach every write path; this one checks that
// the real thing (block reservation, writes into mapped segments) fails the same clear way
// instead of, for example, a SIGBUS from a mapping the filesystem cannot back.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "queue_test_support.hpp"
#include "sf/disk_queue.hpp"

namespace questdb::sf {
namespace {

using test::frame_number;
using test::in_ms;
using test::numbered_frame;

constexpr int kCannotMount = 77;

bool write_text(const char* path, const std::string& text) {
    std::ofstream out(path);
    out << text;
    return static_cast<bool>(out.flush());
}

// Root may unshare the mount namespace directly; anyone else needs a user namespace first.
bool enter_private_mount_namespace() {
    if (::unshare(CLONE_NEWNS) != 0) {
        const auto uid = ::getuid();
        const auto gid = ::getgid();
        if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
            return false;
        }
        (void)write_text("/proc/self/setgroups", "deny");
        if (!write_text("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1") ||
            !write_text("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1")) {
            return false;
        }
    }
    return ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0;
}

// Runs in the child; returns the exit code and writes what went wrong to `why`.
int fill_a_tiny_filesystem(const std::filesystem::path& mount_point, std::string& why) {
    if (!enter_private_mount_namespace() ||
        ::mount("tmpfs", mount_point.c_str(), "tmpfs", 0, "size=256k") != 0) {
        why = std::string("cannot mount a tmpfs in a private mount namespace: ") +
              std::strerror(errno);
        return kCannotMount;
    }
    DiskQueueOptions options;
    options.sf_dir = mount_point / "sf";
    options.sender_id = "default";
    options.limits = QueueLimits{1 << 20, 16 << 10};  // the cap is above what the disk holds
    std::uint64_t accepted = 0;
    {
        auto queue = DiskQueue::open(options);
        if (!queue.ok()) {
            why = "open: " + queue.failure().message;
            return 2;
        }
        auto& q = *queue.value();
        for (;; ++accepted) {
            auto r = q.append(numbered_frame(accepted, 1000), in_ms(0));
            if (r.ok()) {
                continue;
            }
            if (r.failure().code != ErrorCode::store_error ||
                r.failure().message.find("disk is full") == std::string::npos ||
                r.failure().message.find(mount_point.string()) == std::string::npos) {
                why = "unclear failure after " + std::to_string(accepted) +
                      " frames: " + r.failure().message;
                return 3;
            }
            break;
        }
        if (accepted < 20) {
            why = "only " + std::to_string(accepted) + " frames fit in 256 KiB";
            return 4;
        }
        // A second append at the full disk fails the same way and changes nothing.
        if (q.append(numbered_frame(accepted, 1000), in_ms(0)).ok() ||
            q.published_fsn() != static_cast<std::int64_t>(accepted) - 1) {
            why = "a second append at the full disk did not fail cleanly";
            return 5;
        }
    }
    // A new process would see every accepted frame, in order, and nothing else.
    auto queue = DiskQueue::open(options);
    if (!queue.ok()) {
        why = "reopen: " + queue.failure().message;
        return 6;
    }
    auto& q = *queue.value();
    const auto frames = test::drain_cursor(q);
    if (frames.size() != accepted) {
        why = std::to_string(frames.size()) + " frames after reopen, " + std::to_string(accepted) +
              " were accepted";
        return 7;
    }
    for (std::uint64_t i = 0; i < accepted; ++i) {
        if (frame_number(frames[i]) != i) {
            why = "frame " + std::to_string(i) + " is not intact after reopen";
            return 8;
        }
    }
    // Acknowledging frees whole segments, and appends work again.
    if (!q.ack(q.published_fsn()).ok()) {
        why = "ack failed";
        return 9;
    }
    for (std::uint64_t i = accepted; i < accepted + 20; ++i) {
        if (auto r = q.append(numbered_frame(i, 1000), in_ms(1000)); !r.ok()) {
            why = "after the ack, append " + std::to_string(i) + ": " + r.failure().message;
            return 10;
        }
    }
    return 0;
}

TEST(DiskFull, ARealFullFilesystemFailsAppendsClearlyAndKeepsEveryAcceptedFrame) {
    test::TempDir dir;
    const auto mount_point = dir.path() / "tiny";
    std::filesystem::create_directory(mount_point);
    int report[2];
    ASSERT_EQ(::pipe(report), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::close(report[0]);
        std::string why;
        const int code = fill_a_tiny_filesystem(mount_point, why);
        (void)!::write(report[1], why.data(), why.size());
        ::_exit(code);
    }
    ::close(report[1]);
    std::string why;
    char buf[512];
    for (ssize_t n; (n = ::read(report[0], buf, sizeof buf)) > 0;) {
        why.append(buf, static_cast<std::size_t>(n));
    }
    ::close(report[0]);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status))
        << "the child died of signal " << (WIFSIGNALED(status) ? WTERMSIG(status) : 0)
        << " (SIGBUS means a mapping the full disk could not back)";
    if (WEXITSTATUS(status) == kCannotMount) {
        GTEST_SKIP() << "NOT RUN: " << why
                     << ". The injected-ENOSPC tests in sf_disk_queue_test still cover the paths.";
    }
    EXPECT_EQ(WEXITSTATUS(status), 0) << why;
}

}  // namespace
}  // namespace questdb::sf
