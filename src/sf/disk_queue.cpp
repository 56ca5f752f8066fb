#include "sf/disk_queue.hpp"

#include <fcntl.h>

#include <algorithm>
#include <map>

#include "sf/segment_file.hpp"

namespace questdb::sf {

using detail::fail;
using detail::Failure;
using detail::Result;
using detail::Status;

namespace {

// Trimmed segments kept as wiped spares: up to 64 MiB and a quarter of sf_max_total_bytes,
// 2..16 files. Writing into a spare is a copy into pages that are already cached and mapped;
// a fresh file costs page-cache allocation and filesystem block bookkeeping, several times
// more. Acknowledgements arrive in bursts, so a handful of spares is not enough to keep the
// appender off fresh files (bench/sf_bench: 4 spares gave 56% of memory mode for 45 KiB
// frames, 16 gave 94%).
constexpr std::uint64_t kSpareBytes = 64ull << 20;
constexpr std::size_t kMinSpares = 2;

std::size_t spare_budget(std::uint64_t segment_bytes, std::uint64_t max_total_bytes) {
    const std::uint64_t bytes = std::min(kSpareBytes, max_total_bytes / 4);
    const std::uint64_t by_bytes = segment_bytes == 0 ? kMaxSpareSegments : bytes / segment_bytes;
    return static_cast<std::size_t>(
        std::clamp<std::uint64_t>(by_bytes, kMinSpares, kMaxSpareSegments));
}

// One segment file found in the slot during recovery.
struct FoundSegment {
    std::filesystem::path path;
    FileHandle fd;
    SegmentScan scan;
};

// A segment whose header bytes are all zero (or missing) was created but never written: the
// header goes in before any frame, so nothing was lost with it.
bool never_written(std::span<const std::uint8_t> header) {
    return std::all_of(header.begin(), header.end(), [](std::uint8_t b) { return b == 0; });
}

std::string describe_torn(const FoundSegment& s) {
    return "segment " + s.path.filename().string() + ": kept " +
           std::to_string(s.scan.frame_count) + " frame(s), dropped a torn tail of " +
           std::to_string(s.scan.torn_tail_bytes) + " byte(s) at offset " +
           std::to_string(s.scan.append_offset);
}

// The frames a segment with an unreadable header held are known only by what surrounds it:
// the manifest's head (everything below it was acknowledged and trimmed), the ack watermark,
// and the manifest's active segment (the newest one written). An unreadable segment is
// harmless when the kept chain starts at or below the first unacknowledged FSN and ends in
// the segment the manifest was appending to; anything else means unacknowledged frames were
// in it, and the slot is unreplayable.
Status check_nothing_unread_was_unacked(const std::filesystem::path& slot_dir,
                                        const std::vector<std::string>& unreadable,
                                        const std::vector<FoundSegment>& chain,
                                        std::uint64_t head_floor, std::uint64_t manifest_active,
                                        std::optional<std::int64_t> watermark) {
    const auto unreplayable = [&](const std::string& what) {
        return fail(ErrorCode::store_resend_required,
                    "store-and-forward slot " + slot_dir.string() + ": segment " +
                        unreadable.front() + " has an unreadable header and " + what +
                        "; its frames cannot be replayed, refusing to open the slot");
    };
    if (chain.empty()) {
        return unreplayable("no other segment says which frames it held");
    }
    std::int64_t known_acked = static_cast<std::int64_t>(head_floor) - 1;
    if (watermark) {
        known_acked = std::max(known_acked, *watermark);
    }
    const std::uint64_t first = chain.front().scan.header.base_fsn;
    if (static_cast<std::int64_t>(first) > known_acked + 1) {
        return unreplayable("frames " + std::to_string(known_acked + 1) + ".." +
                            std::to_string(first - 1) +
                            ", never acknowledged, are in no readable segment");
    }
    if (manifest_active > chain.back().scan.header.base_fsn) {
        return unreplayable("the segment being appended to (base FSN " +
                            std::to_string(manifest_active) + ") is not among the readable ones");
    }
    return {};
}

}  // namespace

DiskQueue::DiskQueue(DiskQueueOptions options, SlotLock lock)
    : FrameQueue(options.limits),
      options_(std::move(options)),
      lock_(std::move(lock)),
      slot_dir_(lock_.slot_dir()) {}

DiskQueue::~DiskQueue() {
    (void)close();
}

Result<std::unique_ptr<DiskQueue>> DiskQueue::open(DiskQueueOptions options) {
    if (auto st = validate_limits(options.limits); !st) {
        return std::move(st).failure();
    }
    if (options.durability == Durability::periodic && options.sync_interval.count() <= 0) {
        return fail(ErrorCode::config_error, "sf_sync_interval_millis must be positive");
    }
    auto lock = SlotLock::acquire(options.sf_dir, options.sender_id);
    if (!lock) {
        return std::move(lock).failure();
    }
    auto queue = std::make_unique<DiskQueue>(std::move(options), std::move(lock).value());
    if (auto st = queue->recover(); !st) {
        queue->finished_ = true;  // leave every file as found
        return std::move(st).failure();
    }
    if (queue->options_.durability == Durability::periodic) {
        queue->sync_thread_ = std::thread([q = queue.get()] { q->run_sync_thread(); });
    }
    return queue;
}

Status DiskQueue::recover() {
    FaultInjector* const inject = faults();
    // 1. Every segment file: validate the header (quarantine if bad), scan the frames.
    std::vector<FoundSegment> found;
    std::vector<std::string> unreadable_segments;  // headers that are neither valid nor blank
    std::vector<std::filesystem::path> set_aside_unread;
    std::error_code ec;
    std::vector<std::filesystem::path> names;
    for (const auto& entry : std::filesystem::directory_iterator(slot_dir_, ec)) {
        names.push_back(entry.path());
    }
    if (ec) {
        return io_failure("cannot list", slot_dir_, ec.value());
    }
    for (const auto& path : names) {
        const std::string name = path.filename().string();
        if (!is_segment_file_name(name)) {
            continue;
        }
        if (auto gen = segment_generation(name)) {
            next_generation_ = std::max(next_generation_, *gen + 1);
        }
        auto fd = open_file(path, O_RDWR);
        if (!fd) {
            return std::move(fd).failure();
        }
        auto size = file_size(fd.value().get(), path);
        if (!size) {
            return std::move(size).failure();
        }
        if (size.value() > kMaxSegmentFileBytes) {
            return fail(ErrorCode::store_resend_required,
                        "store-and-forward segment " + path.string() + " is " +
                            std::to_string(size.value()) +
                            " bytes, larger than any segment a client writes (" +
                            std::to_string(kMaxSegmentFileBytes) + "); refusing to open the slot");
        }
        std::uint8_t head[kSegmentHeaderSize] = {};
        const auto head_size =
            static_cast<std::size_t>(std::min<std::uint64_t>(size.value(), kSegmentHeaderSize));
        if (head_size > 0) {
            if (auto st = read_at(fd.value().get(), head, head_size, 0, path); !st) {
                return st;
            }
        }
        auto header = decode_segment_header(std::span(head, head_size), path.string());
        if (!header) {
            if (!never_written(std::span(head, head_size))) {
                unreadable_segments.push_back(name);
            }
            report_.notes.push_back(header.failure().message + "; moved aside as .corrupt");
            fd.value().reset();
            set_aside_unread.push_back(path);  // after the checks: a refused slot stays as found
            continue;
        }
        auto scan = scan_segment_fd(fd.value().get(), path);
        if (!scan) {
            return std::move(scan).failure();
        }
        if (scan.value().has_empty_frame) {
            return fail(ErrorCode::store_resend_required,
                        "store-and-forward segment " + path.string() +
                            " holds an empty frame, which no client writes: the slot is "
                            "corrupt; refusing to open it");
        }
        found.push_back({path, std::move(fd).value(), scan.value()});
    }

    // 2. Keep segments holding frames, oldest first; drop empty ones and ones the manifest
    //    says were already trimmed.
    auto manifest = ManifestFile::open(slot_dir_, inject);
    if (!manifest) {
        return std::move(manifest).failure();
    }
    std::uint64_t head_floor = manifest.value() ? manifest.value()->head_base() : 0;
    // 0 without a manifest: no segment is known to have been appended to.
    const std::uint64_t manifest_active = manifest.value() ? manifest.value()->active_base() : 0;
    manifest.value().reset();
    // The manifest's head never passes the segment being appended to, so a head beyond the end
    // of every stored frame contradicts the files: trust the files and delete nothing.
    std::uint64_t stored_end = 0;
    for (const auto& s : found) {
        if (s.scan.frame_count > 0) {
            stored_end = std::max(stored_end, s.scan.header.base_fsn + s.scan.frame_count);
        }
    }
    if (stored_end > 0 && head_floor > stored_end) {
        report_.notes.push_back("manifest head FSN " + std::to_string(head_floor) +
                                " is beyond every stored frame (last FSN " +
                                std::to_string(stored_end - 1) +
                                "); ignored, no segment is trimmed by it");
        head_floor = 0;
    }
    std::vector<FoundSegment> data;
    for (auto& s : found) {
        const bool stale = s.scan.header.base_fsn + s.scan.frame_count <= head_floor;
        if (s.scan.frame_count == 0 || stale) {
            s.fd.reset();
            if (s.scan.torn_tail_bytes > 0) {
                report_.torn_tail_bytes += s.scan.torn_tail_bytes;
                report_.notes.push_back("segment " + s.path.filename().string() +
                                        " held no complete frame; moved aside as .corrupt");
                quarantine_file(s.path);
            } else if (auto st = remove_if_exists(s.path); !st) {
                return st;
            }
            continue;
        }
        data.push_back(std::move(s));
    }
    std::sort(data.begin(), data.end(), [](const FoundSegment& a, const FoundSegment& b) {
        return a.scan.header.base_fsn < b.scan.header.base_fsn;
    });

    // 3. The chain must be contiguous: a gap means frames are missing.
    for (std::size_t i = 1; i < data.size(); ++i) {
        const std::uint64_t expected =
            data[i - 1].scan.header.base_fsn + data[i - 1].scan.frame_count;
        if (data[i].scan.header.base_fsn < expected) {
            return fail(ErrorCode::store_resend_required,
                        "store-and-forward slot " + slot_dir_.string() + ": segments " +
                            data[i - 1].path.filename().string() + " and " +
                            data[i].path.filename().string() + " overlap at FSN " +
                            std::to_string(data[i].scan.header.base_fsn) +
                            "; refusing to open the slot");
        }
        if (data[i].scan.header.base_fsn != expected) {
            return fail(ErrorCode::store_resend_required,
                        "store-and-forward slot " + slot_dir_.string() + ": gap between " +
                            data[i - 1].path.filename().string() + " and " +
                            data[i].path.filename().string() + " (frames " +
                            std::to_string(expected) + ".." +
                            std::to_string(data[i].scan.header.base_fsn - 1) +
                            " are missing); refusing to open the slot");
        }
    }

    // 4. A segment set aside unread may have held frames nobody acknowledged. They are lost
    //    to this slot, and the slot must not carry on as if the rest were whole.
    auto watermark = AckWatermarkFile::open(slot_dir_, inject);
    if (!watermark) {
        return std::move(watermark).failure();
    }
    watermark_ = std::move(watermark).value();
    if (!unreadable_segments.empty()) {
        if (auto st =
                check_nothing_unread_was_unacked(slot_dir_, unreadable_segments, data, head_floor,
                                                 manifest_active, watermark_->value());
            !st) {
            return st;
        }
    }
    for (const auto& path : set_aside_unread) {
        quarantine_file(path);
    }

    // 5. A trailing FLAG_DEFER_COMMIT run has no committing frame: the flush that wrote it
    //    never returned, and the server rolls such rows back. Drop it.
    std::uint64_t next_fsn =
        data.empty() ? 0 : data.back().scan.header.base_fsn + data.back().scan.frame_count;
    std::optional<std::size_t> cut_index;
    for (std::size_t i = data.size(); i-- > 0;) {
        const auto& scan = data[i].scan;
        if (!scan.deferred_tail_fsn) {
            break;
        }
        cut_index = i;
        if (*scan.deferred_tail_fsn != scan.header.base_fsn) {
            break;
        }
    }
    if (cut_index) {
        auto& cut = data[*cut_index];
        const std::uint64_t cut_fsn = *cut.scan.deferred_tail_fsn;
        report_.aborted_group_frames = next_fsn - cut_fsn;
        report_.notes.push_back("dropped " + std::to_string(next_fsn - cut_fsn) +
                                " trailing FLAG_DEFER_COMMIT frame(s) from FSN " +
                                std::to_string(cut_fsn) + ": their group was never committed");
        for (std::size_t i = data.size(); i-- > *cut_index + 1;) {
            data[i].fd.reset();
            if (auto st = remove_if_exists(data[i].path); !st) {
                return st;
            }
            data.pop_back();
        }
        cut.scan.frame_count = cut_fsn - cut.scan.header.base_fsn;
        cut.scan.append_offset = cut.scan.deferred_tail_offset;
        cut.scan.torn_tail_bytes = cut.scan.file_size - cut.scan.append_offset;
        next_fsn = cut_fsn;
        if (cut.scan.frame_count == 0) {
            cut.fd.reset();
            if (auto st = remove_if_exists(cut.path); !st) {
                return st;
            }
            data.pop_back();
        }
    }

    // 6. Open the kept segments; zero torn tails so appends land on clean bytes.
    std::deque<SegmentPtr> segments;
    for (auto& s : data) {
        auto seg = SegmentFile::open(s.path, std::move(s.fd), s.scan, inject);
        if (!seg) {
            return std::move(seg).failure();
        }
        if (s.scan.torn_tail_bytes > 0) {
            if (report_.aborted_group_frames == 0 || &s != &data.back()) {
                report_.notes.push_back(describe_torn(s));
            }
            report_.torn_tail_bytes += s.scan.torn_tail_bytes;
            if (auto st = seg.value()->zero_tail(s.scan.append_offset); !st) {
                return st;
            }
        }
        report_.frames += s.scan.frame_count;
        segments.push_back(std::move(seg).value());
    }
    report_.segments = segments.size();

    // 7. The acknowledged FSN: the watermark, if plausible, else everything below the oldest
    //    kept segment.
    const auto last = static_cast<std::int64_t>(next_fsn) - 1;
    std::int64_t acked =
        segments.empty() ? last : static_cast<std::int64_t>(segments.front()->base_fsn()) - 1;
    if (const auto stored = watermark_->value()) {
        if (*stored > last && !segments.empty()) {
            report_.notes.push_back("ack watermark " + std::to_string(*stored) +
                                    " is beyond the last stored FSN " + std::to_string(last) +
                                    "; ignored (frames may be replayed twice)");
        } else if (!segments.empty()) {
            acked = std::max(acked, *stored);
        }
    }
    if (auto st = watermark_->write(acked); !st) {
        return st;
    }

    // 8. A manifest that describes exactly the kept chain; the symbol dictionary the stored
    //    frames need (a slot without frames starts a fresh one).
    if (!segments.empty()) {
        auto fresh = ManifestFile::create(slot_dir_, segments.front()->base_fsn(),
                                          segments.back()->base_fsn(),
                                          options_.durability == Durability::periodic, inject);
        if (!fresh) {
            return std::move(fresh).failure();
        }
        manifest_ = std::move(fresh).value();
        auto dict = SymbolDictFile::open(slot_dir_, inject);
        if (!dict) {
            return std::move(dict).failure();
        }
        dict_ = std::make_unique<SymbolDictFile>(std::move(dict).value());
        report_.symbol_dict_torn_bytes = dict_->torn_bytes_dropped();
        if (dict_->torn_bytes_dropped() > 0) {
            report_.notes.push_back("symbol dictionary: dropped a torn tail of " +
                                    std::to_string(dict_->torn_bytes_dropped()) + " byte(s)");
        }
    } else {
        if (auto st = remove_if_exists(slot_dir_ / kManifestFileName); !st) {
            return st;
        }
        auto dict = SymbolDictFile::create(slot_dir_, inject);
        if (!dict) {
            return std::move(dict).failure();
        }
        dict_ = std::make_unique<SymbolDictFile>(std::move(dict).value());
    }
    report_.symbols = dict_->size();
    report_.acked_fsn = acked;
    report_.published_fsn = last;
    // Unsigned difference: FSNs read from a corrupt header can be far apart, and int64
    // subtraction would overflow (found by fuzz_sf_recovery).
    report_.unacked_frames =
        last > acked ? static_cast<std::uint64_t>(last) - static_cast<std::uint64_t>(acked) : 0;
    adopt_recovered(std::move(segments), static_cast<std::int64_t>(next_fsn), acked);
    if (options_.durability == Durability::periodic) {
        return sync_directory(slot_dir_);
    }
    return {};
}

Result<FrameQueue::SegmentPtr> DiskQueue::create_segment(std::uint64_t base_fsn,
                                                         std::uint64_t capacity) {
    std::lock_guard lock(files_mutex_);
    const auto path = slot_dir_ / segment_file_name(next_generation_++);
    Result<std::shared_ptr<SegmentFile>> seg = std::shared_ptr<SegmentFile>();
    if (!spares_.empty() && spares_.back()->capacity() == capacity) {
        auto spare = std::move(spares_.back());
        spares_.pop_back();
        if (auto st = spare->reuse_as(path, base_fsn, unix_time_micros()); st) {
            seg = std::move(spare);
        } else {
            (void)remove_if_exists(spare->path());
            return std::move(st).failure();
        }
    } else {
        seg = SegmentFile::create(path, base_fsn, capacity, unix_time_micros(), faults());
        if (!seg) {
            return std::move(seg).failure();
        }
    }
    const bool sync = options_.durability == Durability::periodic;
    Status st;
    if (sync) {
        st = sync_directory(slot_dir_);
    }
    if (st) {
        // Record the new active segment before any frame lands in it.
        if (!manifest_) {
            auto made = ManifestFile::create(slot_dir_, base_fsn, base_fsn, sync, faults());
            if (made) {
                manifest_ = std::move(made).value();
            } else {
                st = std::move(made).failure();
            }
        } else {
            st = manifest_->update(manifest_->head_base(), base_fsn, sync);
        }
    }
    if (!st) {
        seg.value().reset();
        (void)remove_if_exists(path);
        return std::move(st).failure();
    }
    return SegmentPtr(std::move(seg).value());
}

Status DiskQueue::retire_segments(std::vector<SegmentPtr> retired, std::uint64_t new_head_base) {
    const bool sync = options_.durability == Durability::periodic;
    Status result;
    {
        std::lock_guard lock(files_mutex_);
        // The manifest moves past the segments before they disappear, so a crash in between
        // leaves stale files that recovery recognises, never a hole.
        if (manifest_) {
            result = manifest_->update(new_head_base, manifest_->active_base(), sync);
        }
    }
    // Trimmed segments a reader still held last time (the appender that just rotated out of
    // one, a delivery cursor) are reconsidered now that it may have let go.
    std::vector<std::shared_ptr<SegmentFile>> candidates;
    {
        std::lock_guard lock(files_mutex_);
        for (auto it = held_retired_.begin(); it != held_retired_.end();) {
            if (it->use_count() == 1) {
                candidates.push_back(std::move(*it));
                it = held_retired_.erase(it);
            } else {
                ++it;
            }
        }
    }
    for (auto& seg : retired) {
        candidates.push_back(std::static_pointer_cast<SegmentFile>(std::move(seg)));
    }
    for (auto& file : candidates) {
        // Keep trimmed segments as wiped spares (their pages stay cached) up to the budget.
        // One still read elsewhere cannot be wiped yet: keep it aside (its frames are below
        // the manifest head, so recovery drops it if we crash) and retry at the next trim.
        bool keep = false;
        {
            std::lock_guard lock(files_mutex_);
            const bool room = spares_.size() + held_retired_.size() <
                                  spare_budget(file->capacity(), options_.limits.max_total_bytes) &&
                              !closed();
            if (room && file.use_count() > 1) {
                held_retired_.push_back(std::move(file));
                continue;
            }
            keep = room;
        }
        if (keep) {
            if (auto st = file->wipe_for_reuse(options_.durability == Durability::periodic); st) {
                std::lock_guard lock(files_mutex_);
                spares_.push_back(std::move(file));
                continue;
            }
        }
        if (auto st = remove_if_exists(file->path()); !st && result.ok()) {
            result = st;
        }
    }
    if (sync && !retired.empty()) {
        if (auto st = sync_directory(slot_dir_); !st && result.ok()) {
            result = st;
        }
    }
    return result;
}

Status DiskQueue::persist_ack(std::int64_t fsn) {
    return watermark_->write(fsn);
}

Status DiskQueue::check_healthy() const {
    std::lock_guard lock(files_mutex_);
    if (sync_failure_) {
        return fail(ErrorCode::store_error,
                    sync_failure_->message +
                        " (periodic sync failed; frames already stored are kept, new ones are "
                        "refused)");
    }
    return {};
}

const std::vector<std::string>& DiskQueue::recovered_symbols() const noexcept {
    return dict_->loaded();
}

std::uint64_t DiskQueue::persisted_symbol_count() const noexcept {
    return dict_->size();
}

Status DiskQueue::persist_symbols(std::span<const std::string_view> symbols) {
    return dict_->append(symbols);
}

Status DiskQueue::sync() {
    Status result;
    for (const auto& seg : segments_snapshot()) {
        auto* file = static_cast<SegmentFile*>(seg.get());
        if (file->dirty()) {
            if (auto st = file->sync(); !st && result.ok()) {
                result = st;
            }
        }
    }
    if (auto st = watermark_->sync(); !st && result.ok()) {
        result = st;
    }
    if (auto st = dict_->sync(); !st && result.ok()) {
        result = st;
    }
    if (result.ok()) {
        syncs_.fetch_add(1);
    }
    return result;
}

void DiskQueue::run_sync_thread() {
    std::unique_lock lock(sync_mutex_);
    while (!stop_sync_) {
        sync_cv_.wait_for(lock, options_.sync_interval, [&] { return stop_sync_; });
        if (stop_sync_) {
            break;
        }
        lock.unlock();
        auto st = sync();
        if (!st) {
            std::lock_guard files(files_mutex_);
            if (!sync_failure_) {
                sync_failure_ = std::move(st).failure();
            }
        }
        lock.lock();
    }
}

Status DiskQueue::close() {
    if (finished_.exchange(true)) {
        return {};
    }
    mark_closed();
    {
        std::lock_guard lock(sync_mutex_);
        stop_sync_ = true;
    }
    sync_cv_.notify_all();
    if (sync_thread_.joinable()) {
        sync_thread_.join();
    }
    Status result;
    {
        // Spares hold no frames: never leave them behind.
        std::lock_guard lock(files_mutex_);
        for (const auto& spare : spares_) {
            if (auto st = remove_if_exists(spare->path()); !st && result.ok()) {
                result = st;
            }
        }
        spares_.clear();
        // Trimmed (acknowledged) segments: nothing in them is needed any more.
        for (const auto& held : held_retired_) {
            if (auto st = remove_if_exists(held->path()); !st && result.ok()) {
                result = st;
            }
        }
        held_retired_.clear();
    }
    if (published_fsn() == acked_fsn()) {
        // Drained: nothing to replay, so leave an empty slot (orphan scans skip it).
        for (const auto& seg : segments_snapshot()) {
            if (auto st = remove_if_exists(static_cast<SegmentFile*>(seg.get())->path());
                !st && result.ok()) {
                result = st;
            }
        }
        for (const char* name : {kManifestFileName, kAckWatermarkFileName, kSymbolDictFileName}) {
            if (auto st = remove_if_exists(slot_dir_ / name); !st && result.ok()) {
                result = st;
            }
        }
    } else if (options_.durability == Durability::periodic) {
        result = sync();
    }
    lock_.release();
    return result;
}

}  // namespace questdb::sf
