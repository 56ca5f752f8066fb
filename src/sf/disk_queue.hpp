#pragma once

// Disk mode (sf_dir set): the frame queue stored in a locked slot directory
// <sf_dir>/<sender_id>/ so that unacknowledged frames survive a crash of the process.
//
//   sf-<generation>.sfa   segment files (SF01), preallocated to sf_max_segment_bytes
//   sf-manifest.bin       SFM1: base FSN of the oldest and of the active segment
//   .ack-watermark        AKW1: highest acknowledged FSN
//   .symbol-dict          SYD1: symbols referenced by stored frames, by id
//   .lock / .lock.pid     the slot lock (see slot.hpp)
//
// A frame is in the page cache (copied into the segment's shared mapping, or pwritev) before
// append() returns, so it survives SIGKILL. With Durability::periodic a background thread also
// fsyncs every sync_interval, bounding what a host crash or power loss can take.

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "sf/frame_queue.hpp"
#include "sf/record_file.hpp"
#include "sf/slot.hpp"
#include "sf/symbol_dict_file.hpp"

namespace questdb::sf {

class SegmentFile;

/// At most this many trimmed segments are kept as wiped spares for reuse (fewer when the
/// segments are large: the spares hold at most 64 MiB and a quarter of sf_max_total_bytes).
inline constexpr std::size_t kMaxSpareSegments = 16;

/// sf_durability.
enum class Durability {
    memory,    ///< page cache only: survives a process crash, not a host crash
    periodic,  ///< plus fsync every sync_interval (sf_sync_interval_millis)
};

/// Options of the disk-mode queue (the sf_* connect-string keys).
struct DiskQueueOptions {
    std::filesystem::path sf_dir;             ///< sf_dir, used verbatim (no ~ expansion)
    std::string sender_id{kDefaultSenderId};  ///< slot name (pool: pool_slot_name())
    QueueLimits limits{kDefaultDiskMaxTotalBytes, kDefaultMaxSegmentBytes};
    Durability durability = Durability::memory;     ///< sf_durability
    std::chrono::milliseconds sync_interval{5000};  ///< sf_sync_interval_millis
    /// Test hook: makes chosen file writes fail. Must outlive the queue.
    std::shared_ptr<FaultInjector> faults;
};

/// What open() found on disk.
struct RecoveryReport {
    std::size_t segments = 0;                  ///< segment files holding frames that were kept
    std::uint64_t frames = 0;                  ///< frames kept (acknowledged ones included)
    std::uint64_t unacked_frames = 0;          ///< frames to replay
    std::uint64_t torn_tail_bytes = 0;         ///< bytes of torn/corrupt tails zeroed, all segments
    std::uint64_t aborted_group_frames = 0;    ///< FLAG_DEFER_COMMIT tail without commit, dropped
    std::uint64_t symbols = 0;                 ///< symbols loaded from .symbol-dict
    std::uint64_t symbol_dict_torn_bytes = 0;  ///< bytes cut off .symbol-dict
    std::int64_t acked_fsn = kNoFsn;
    std::int64_t published_fsn = kNoFsn;
    /// One human-readable line per notable event (torn tail, quarantined file, watermark
    /// ignored), for logging.
    std::vector<std::string> notes;
};

class DiskQueue final : public FrameQueue {
  public:
    /// Locks the slot (store_slot_in_use if anyone holds it), recovers what is on disk and
    /// returns the queue ready to append and replay. Recovery verifies every frame's CRC,
    /// keeps each segment's valid prefix, zeroes torn tails, drops an aborted
    /// FLAG_DEFER_COMMIT group at the very end, resumes FSNs after the last kept frame and
    /// positions cursors after the ack watermark. Stored frames that cannot be replayed (a
    /// gap between segments, i.e. a missing file, or an empty frame) are
    /// store_resend_required: the slot is left untouched, and a foreground sender sets it
    /// aside (set_slot_aside). Other failures (I/O) are store_error.
    [[nodiscard]] static detail::Result<std::unique_ptr<DiskQueue>> open(DiskQueueOptions options);

    ~DiskQueue() override;

    /// Symbols persisted in .symbol-dict when the queue opened (id = index). The sender seeds
    /// its dictionary from them so frames stored before a restart can be replayed.
    [[nodiscard]] const std::vector<std::string>& recovered_symbols() const noexcept;
    /// Number of symbols persisted so far (the id the next persisted symbol gets).
    [[nodiscard]] std::uint64_t persisted_symbol_count() const noexcept;
    /// Persists new symbols (ids persisted_symbol_count() onwards) as one chunk. Call on the
    /// producer thread before appending the frame that first uses them.
    [[nodiscard]] detail::Status persist_symbols(std::span<const std::string_view> symbols);

    [[nodiscard]] const RecoveryReport& recovery_report() const noexcept { return report_; }
    [[nodiscard]] const std::filesystem::path& slot_dir() const noexcept { return slot_dir_; }

    /// fsyncs every segment written since the last sync, the watermark and the dictionary.
    [[nodiscard]] detail::Status sync();
    /// How many sync() calls completed successfully (the periodic thread's included).
    [[nodiscard]] std::uint64_t syncs_completed() const noexcept { return syncs_.load(); }

    /// Closes the queue: stops the sync thread, syncs (periodic mode), deletes the slot's
    /// data files when everything published is acknowledged (a drained slot is empty), and
    /// releases the slot lock. Unacknowledged frames stay for the next open. Idempotent.
    detail::Status close() override;

    DiskQueue(DiskQueueOptions options, SlotLock lock);

  protected:
    detail::Result<SegmentPtr> create_segment(std::uint64_t base_fsn,
                                              std::uint64_t capacity) override;
    detail::Status retire_segments(std::vector<SegmentPtr> retired,
                                   std::uint64_t new_head_base) override;
    detail::Status persist_ack(std::int64_t fsn) override;
    detail::Status check_healthy() const override;

  private:
    detail::Status recover();
    void run_sync_thread();
    [[nodiscard]] FaultInjector* faults() const noexcept { return options_.faults.get(); }

    DiskQueueOptions options_;
    SlotLock lock_;
    std::filesystem::path slot_dir_;
    RecoveryReport report_;

    mutable std::mutex files_mutex_;  // manifest creation, generation counter, sync failure
    std::unique_ptr<ManifestFile> manifest_;
    std::unique_ptr<AckWatermarkFile> watermark_;
    std::unique_ptr<SymbolDictFile> dict_;
    std::uint64_t next_generation_ = 1;
    std::optional<detail::Failure> sync_failure_;
    std::vector<std::shared_ptr<SegmentFile>> spares_;        // wiped segments kept for reuse
    std::vector<std::shared_ptr<SegmentFile>> held_retired_;  // trimmed, a reader still had it

    std::mutex sync_mutex_;
    std::condition_variable sync_cv_;
    bool stop_sync_ = false;
    std::thread sync_thread_;
    std::atomic<bool> finished_{false};
    std::atomic<std::uint64_t> syncs_{0};
};

}  // namespace questdb::sf
