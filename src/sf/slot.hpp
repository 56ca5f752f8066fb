#pragma once

// Slot directories under sf_dir: naming, the exclusive lock, and finding orphaned slots.
//
//   <sf_dir>/<sender_id>/.lock       flock(LOCK_EX) held while a queue owns the slot
//   <sf_dir>/<sender_id>/.lock.pid   "<pid>\n" of the holder (diagnostic only)
//   <sf_dir>/<sender_id>/.failed     a drainer gave up on the slot (reason text)

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "sf/fs_io.hpp"

namespace questdb::sf {

inline constexpr std::string_view kDefaultSenderId = "default";
inline constexpr const char* kLockFileName = ".lock";
inline constexpr const char* kLockPidFileName = ".lock.pid";
inline constexpr const char* kFailedFileName = ".failed";
/// A slot that cannot be replayed is renamed to "<sender_id>.unreplayable-<n>" (the reference
/// clients' name; the '.' keeps it out of orphan scans, which only take valid sender ids).
inline constexpr std::string_view kUnreplayableInfix = ".unreplayable-";
/// How many "<sender_id>.unreplayable-<n>" names are tried (n = 0..63) before giving up.
inline constexpr int kMaxSetAsideNames = 64;

/// sender_id rule: non-empty, only [A-Za-z0-9_-].
[[nodiscard]] bool is_valid_sender_id(std::string_view sender_id) noexcept;

/// The slot name a QuestDb pool gives its i-th sender: "<base>-ingest-<index>" (the Rust, C
/// and C++ clients' scheme; Java uses "<base>-<index>").
[[nodiscard]] std::string pool_slot_name(std::string_view base, std::size_t index);

/// An exclusively locked slot directory; the lock is released on destruction (and by the
/// kernel if the process dies). Move-only.
class SlotLock {
  public:
    /// Creates `sf_dir` (only that leaf, its parent must exist) and `<sf_dir>/<sender_id>`
    /// if missing, then takes the lock. A slot held by anyone else — another process or
    /// another queue of this process — fails with store_slot_in_use naming the holder's pid.
    /// `~` is not expanded.
    [[nodiscard]] static detail::Result<SlotLock> acquire(const std::filesystem::path& sf_dir,
                                                          std::string_view sender_id);
    /// Locks an existing slot directory (orphan draining); never creates it.
    [[nodiscard]] static detail::Result<SlotLock> acquire_existing(
        const std::filesystem::path& slot_dir);

    SlotLock(SlotLock&&) noexcept = default;
    SlotLock& operator=(SlotLock&&) noexcept = default;
    ~SlotLock();

    [[nodiscard]] const std::filesystem::path& slot_dir() const noexcept { return slot_dir_; }
    /// Unlocks now (idempotent).
    void release() noexcept;

  private:
    SlotLock(std::filesystem::path slot_dir, FileHandle fd)
        : slot_dir_(std::move(slot_dir)), fd_(std::move(fd)) {}
    std::filesystem::path slot_dir_;
    FileHandle fd_;
};

/// A slot under sf_dir that holds stored frames and that nobody has locked.
struct OrphanSlot {
    std::string sender_id;
    std::filesystem::path slot_dir;
};

/// Lists sibling slots of `sf_dir` that contain at least one segment file, carry no `.failed`
/// marker, are not named in `exclude`, and are not locked right now (probed with a
/// non-blocking lock that is released at once). A missing sf_dir yields an empty list.
[[nodiscard]] detail::Result<std::vector<OrphanSlot>> find_orphan_slots(
    const std::filesystem::path& sf_dir, std::span<const std::string> exclude = {});

/// Writes `<slot_dir>/.failed` with `reason`, so later orphan scans skip the slot. The marker
/// appears atomically (staged as `.failed.tmp`, synced, renamed): whoever sees it reads the
/// whole reason.
[[nodiscard]] detail::Status mark_slot_failed(const std::filesystem::path& slot_dir,
                                              std::string_view reason);

/// Sets an unreplayable slot aside for an operator: takes the slot's lock, renames
/// `<sf_dir>/<sender_id>` to the lowest free `<sender_id>.unreplayable-<n>` (never replacing
/// anything), writes `.failed` with `reason` inside it, and releases the lock. Nothing is
/// deleted. Returns the new directory. Fails (leaving the slot where it was) with
/// store_slot_in_use when someone holds the slot, or store_error when no name is free or the
/// rename fails.
[[nodiscard]] detail::Result<std::filesystem::path> set_slot_aside(
    const std::filesystem::path& sf_dir, std::string_view sender_id, std::string_view reason);

}  // namespace questdb::sf
