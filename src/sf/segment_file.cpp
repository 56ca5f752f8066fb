#include "sf/segment_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <boost/endian/conversion.hpp>
#include <cstdio>
#include <cstring>
#include <vector>

#include "sf/crc32c.hpp"
#include "sf/frame_queue.hpp"

namespace questdb::sf {

using detail::fail;
using detail::Result;
using detail::Status;

namespace {

constexpr std::size_t kScanChunk = std::size_t{64} * 1024;
constexpr std::size_t kQwpHeaderPeek = 12;

template <typename T>
T load_le(const std::uint8_t* p) noexcept {
    T v;
    std::memcpy(&v, p, sizeof v);
    return boost::endian::little_to_native(v);
}

template <typename T>
void store_le(std::uint8_t* p, T v) noexcept {
    v = boost::endian::native_to_little(v);
    std::memcpy(p, &v, sizeof v);
}

using ReadFn = std::function<Status(std::uint8_t*, std::size_t, std::uint64_t)>;

Status header_failure(const std::string& what) {
    return fail(ErrorCode::store_error, "store-and-forward segment " + what);
}

}  // namespace

Result<SegmentHeader> decode_segment_header(std::span<const std::uint8_t> bytes,
                                            const std::string& name) {
    if (bytes.size() < kSegmentHeaderSize) {
        return header_failure(name + " is shorter than its 24-byte header").failure();
    }
    const std::uint8_t* h = bytes.data();
    if (load_le<std::uint32_t>(h) != kSegmentMagic) {
        return header_failure(name + " has no SF01 magic").failure();
    }
    if (h[4] != kSegmentVersion) {
        return header_failure(name + " has unsupported version " + std::to_string(h[4])).failure();
    }
    if ((h[5] & ~kSegmentFlagManifestRequired) != 0) {
        return header_failure(name + " has unknown flags " + std::to_string(h[5])).failure();
    }
    if (load_le<std::uint16_t>(h + 6) != 0) {
        return header_failure(name + " has non-zero reserved header bytes").failure();
    }
    const auto base = load_le<std::int64_t>(h + 8);
    if (base < 0) {
        return header_failure(name + " has a negative base FSN").failure();
    }
    if (static_cast<std::uint64_t>(base) >= kMaxPlausibleFsn) {
        return header_failure(name + " has an implausible base FSN " + std::to_string(base))
            .failure();
    }
    return SegmentHeader{static_cast<std::uint64_t>(base), load_le<std::uint64_t>(h + 16), h[5]};
}

namespace {

Result<SegmentScan> scan(std::uint64_t size, const ReadFn& read, const std::string& name,
                         const FrameVisitor& visit, const std::uint8_t* whole) {
    if (size < kSegmentHeaderSize) {
        return header_failure(name + " is shorter than its 24-byte header").failure();
    }
    std::uint8_t head[kSegmentHeaderSize];
    if (auto st = read(head, sizeof head, 0); !st) {
        return std::move(st).failure();
    }
    auto header = decode_segment_header(head, name);
    if (!header) {
        return std::move(header).failure();
    }
    SegmentScan out;
    out.header = header.value();
    out.file_size = size;

    std::vector<std::uint8_t> chunk(kScanChunk);
    std::uint64_t pos = kSegmentHeaderSize;
    while (pos + kFrameHeaderSize <= size) {
        std::uint8_t fh[kFrameHeaderSize];
        if (auto st = read(fh, sizeof fh, pos); !st) {
            return std::move(st).failure();
        }
        const auto stored_crc = load_le<std::uint32_t>(fh);
        const auto len = load_le<std::int32_t>(fh + 4);
        if (len < 0) {
            break;
        }
        const std::uint64_t payload_at = pos + kFrameHeaderSize;
        const std::uint64_t end = payload_at + static_cast<std::uint64_t>(len);
        if (end > size) {
            break;
        }
        Crc32c crc;
        crc.update(fh + 4, 4);
        std::uint8_t peek[kQwpHeaderPeek] = {};
        const std::size_t peek_len =
            std::min<std::size_t>(kQwpHeaderPeek, static_cast<std::size_t>(len));
        for (std::uint64_t at = payload_at; at < end;) {
            const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(kScanChunk, end - at));
            if (auto st = read(chunk.data(), n, at); !st) {
                return std::move(st).failure();
            }
            if (at == payload_at) {
                std::memcpy(peek, chunk.data(), std::min(peek_len, n));
            }
            crc.update(chunk.data(), n);
            at += n;
        }
        if (crc.value() != stored_crc) {
            break;
        }
        const std::uint64_t fsn = out.header.base_fsn + out.frame_count;
        if (len == 0) {
            out.has_empty_frame = true;
        }
        if (is_deferred_commit_frame({peek, peek_len})) {
            if (!out.deferred_tail_fsn) {
                out.deferred_tail_fsn = fsn;
                out.deferred_tail_offset = pos;
            }
        } else {
            out.deferred_tail_fsn.reset();
        }
        if (visit && whole != nullptr) {
            visit(fsn, pos, {whole + payload_at, static_cast<std::size_t>(len)});
        }
        ++out.frame_count;
        pos = end;
    }
    out.append_offset = pos;
    if (pos < size) {
        std::uint8_t probe[kFrameHeaderSize] = {};
        const auto n =
            static_cast<std::size_t>(std::min<std::uint64_t>(kFrameHeaderSize, size - pos));
        if (auto st = read(probe, n, pos); !st) {
            return std::move(st).failure();
        }
        for (std::size_t i = 0; i < n; ++i) {
            if (probe[i] != 0) {
                out.torn_tail_bytes = size - pos;
                break;
            }
        }
    }
    return out;
}

}  // namespace

void encode_segment_header(const SegmentHeader& header, std::uint8_t (&out)[24]) noexcept {
    std::memset(out, 0, sizeof out);
    store_le<std::uint32_t>(out, kSegmentMagic);
    out[4] = kSegmentVersion;
    out[5] = header.flags;
    store_le<std::uint64_t>(out + 8, header.base_fsn);
    store_le<std::uint64_t>(out + 16, header.created_micros);
}

void encode_frame_header(std::span<const std::uint8_t> payload, std::uint8_t (&out)[8]) noexcept {
    store_le<std::uint32_t>(out + 4, static_cast<std::uint32_t>(payload.size()));
    const std::uint32_t crc = Crc32c{}.update(out + 4, 4).update(payload).value();
    store_le<std::uint32_t>(out, crc);
}

Result<SegmentScan> scan_segment_bytes(std::span<const std::uint8_t> bytes,
                                       const FrameVisitor& visit) {
    const ReadFn read = [&](std::uint8_t* out, std::size_t n, std::uint64_t at) -> Status {
        if (at + n > bytes.size()) {
            return fail(ErrorCode::store_error, "store-and-forward: read past the end");
        }
        std::memcpy(out, bytes.data() + at, n);
        return {};
    };
    return scan(bytes.size(), read, "(in memory)", visit, bytes.data());
}

Result<SegmentScan> scan_segment_fd(int fd, const std::filesystem::path& path) {
    auto size = file_size(fd, path);
    if (!size) {
        return std::move(size).failure();
    }
    const ReadFn read = [&](std::uint8_t* out, std::size_t n, std::uint64_t at) {
        return read_at(fd, out, n, at, path);
    };
    return scan(size.value(), read, path.string(), {}, nullptr);
}

// ---- SegmentFile -------------------------------------------------------------------------

SegmentFile::SegmentFile(const std::filesystem::path& path, FileHandle fd, std::uint64_t base_fsn,
                         std::uint64_t size, std::uint64_t end, std::uint64_t count,
                         std::uint64_t created_micros, FaultInjector* faults)
    : Segment(base_fsn, size, end, count),
      path_(path),
      fd_(std::move(fd)),
      created_micros_(created_micros),
      faults_(faults) {}

SegmentFile::~SegmentFile() {
    if (map_ != nullptr) {
        ::munmap(map_, capacity());
    }
}

Status SegmentFile::map(bool writable) {
    void* p = ::mmap(nullptr, capacity(), writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED,
                     fd_.get(), 0);
    if (p == MAP_FAILED) {
        return io_failure("cannot map", path_, errno);
    }
    map_ = static_cast<std::uint8_t*>(p);
    writable_map_ = writable;
    return {};
}

Result<std::shared_ptr<SegmentFile>> SegmentFile::create(const std::filesystem::path& path,
                                                         std::uint64_t base_fsn, std::uint64_t size,
                                                         std::uint64_t created_micros,
                                                         FaultInjector* faults) {
    auto fd = open_file(path, O_RDWR | O_CREAT | O_EXCL, 0644);
    if (!fd) {
        return std::move(fd).failure();
    }
    auto segment = std::make_shared<SegmentFile>(path, std::move(fd).value(), base_fsn, size,
                                                 kSegmentHeaderSize, 0, created_micros, faults);
    const int raw = segment->fd_.get();
    std::uint8_t header[24];
    encode_segment_header({base_fsn, created_micros, 0}, header);
    bool reserved = false;
    Status st = preallocate(raw, size, path, faults, &reserved);
    if (st) {
        st = write_at(raw, header, sizeof header, 0, path, faults);
    }
    if (st) {
        st = segment->map(reserved);
    }
    if (!st) {
        (void)remove_if_exists(path);
        return std::move(st).failure();
    }
    if (reserved && segment->prefault()) {
        segment->copy_into_map_ = true;
    }
    return segment;
}

bool SegmentFile::prefault() noexcept {
    // One madvise instead of a page fault per 4 KiB page at first write (the blocks are
    // reserved, so this cannot hit a hole). Without it (old kernels), frames go through
    // pwritev, which costs less than faulting pages one at a time.
#ifndef MADV_POPULATE_WRITE
    constexpr int MADV_POPULATE_WRITE = 23;
#endif
    return ::madvise(map_, capacity(), MADV_POPULATE_WRITE) == 0;
}

Result<std::shared_ptr<SegmentFile>> SegmentFile::open(const std::filesystem::path& path,
                                                       FileHandle fd, const SegmentScan& scan,
                                                       FaultInjector* faults) {
    auto segment = std::make_shared<SegmentFile>(
        path, std::move(fd), scan.header.base_fsn, scan.file_size, scan.append_offset,
        scan.frame_count, scan.header.created_micros, faults);
    // Re-reserve blocks: a restored or power-cut file may have lost its allocation.
    bool reserved = false;
    if (auto st = preallocate(segment->fd_.get(), scan.file_size, path, faults, &reserved); !st) {
        return std::move(st).failure();
    }
    if (auto st = segment->map(reserved); !st) {
        return std::move(st).failure();
    }
    // Written by a queue that recycles segments: bytes past the last frame may be old frames.
    segment->stale_tail_ = true;
    return segment;
}

Status SegmentFile::write_frame(std::uint64_t offset, std::span<const std::uint8_t> payload) {
    std::uint8_t header[8];
    dirty_.store(true);
    if (copy_into_map_) {
        if (faults_ != nullptr) {
            if (const int err = faults_->before_write(); err != 0) {
                return io_failure("cannot write", path_, err);
            }
        }
        // One pass over the payload: checksummed while it is copied into the mapping. Payload
        // first, header (with the CRC) last: a frame is only whole once both are.
        store_le<std::uint32_t>(header + 4, static_cast<std::uint32_t>(payload.size()));
        const std::uint32_t crc =
            Crc32c{}
                .update(header + 4, 4)
                .update_and_copy(map_ + offset + kFrameHeaderSize, payload.data(), payload.size())
                .value();
        store_le<std::uint32_t>(header, crc);
        // Zero ahead: the next frame header slot must read as "no frame" before this frame
        // becomes whole, because a recycled segment still holds old frames further on (see
        // wipe_for_reuse) and one of them may start exactly there.
        const std::uint64_t next = offset + kFrameHeaderSize + payload.size();
        std::memset(map_ + next, 0, static_cast<std::size_t>(std::min<std::uint64_t>(
                                        kFrameHeaderSize, capacity() - next)));
        std::memcpy(map_ + offset, header, sizeof header);
        return {};
    }
    if (stale_tail_) {
        // As above, through the file: the zeros land before the frame that they follow.
        static constexpr std::uint8_t kZeros[kFrameHeaderSize] = {};
        const std::uint64_t next = offset + kFrameHeaderSize + payload.size();
        const auto n =
            static_cast<std::size_t>(std::min<std::uint64_t>(kFrameHeaderSize, capacity() - next));
        if (n > 0) {
            if (auto st = write_at(fd_.get(), kZeros, n, next, path_, faults_); !st) {
                return st;
            }
        }
    }
    encode_frame_header(payload, header);
    iovec iov[2] = {{header, sizeof header},
                    {const_cast<std::uint8_t*>(payload.data()), payload.size()}};
    return writev_at(fd_.get(), iov, 2, offset, path_, faults_);
}

Status SegmentFile::zero_tail(std::uint64_t from) {
    if (from >= capacity()) {
        return {};
    }
    dirty_.store(true);
    return zero_range(fd_.get(), from, capacity() - from, path_, faults_);
}

Status SegmentFile::wipe_for_reuse(bool whole) {
    dirty_.store(true);
    if (writable_map_) {
        if (faults_ != nullptr) {
            if (const int err = faults_->before_write(); err != 0) {
                return io_failure("cannot wipe", path_, err);
            }
        }
        // Front first: once the first frame header is zero, recovery sees an empty segment.
        // That is all a process crash needs: every frame written into the spare later zeroes
        // the header slot after it first (write_frame), so a scan never walks from new frames
        // into old ones. Zeroing everything (4 MiB per rotation by default, as many bytes as
        // the frames themselves) is only for periodic durability, where pages reach the disk
        // in no particular order.
        std::memset(map_ + kSegmentHeaderSize, 0,
                    whole ? capacity() - kSegmentHeaderSize
                          : static_cast<std::size_t>(std::min<std::uint64_t>(
                                kFrameHeaderSize, capacity() - kSegmentHeaderSize)));
        copy_into_map_ = true;
        return {};
    }
    return zero_range(fd_.get(), kSegmentHeaderSize, capacity() - kSegmentHeaderSize, path_,
                      faults_);
}

Status SegmentFile::reuse_as(const std::filesystem::path& path, std::uint64_t base_fsn,
                             std::uint64_t created_micros) {
    if (::rename(path_.c_str(), path.c_str()) != 0) {
        return io_failure("cannot rename " + path_.string() + " to", path, errno);
    }
    path_ = path;
    std::uint8_t header[24];
    encode_segment_header({base_fsn, created_micros, 0}, header);
    if (auto st = write_at(fd_.get(), header, sizeof header, 0, path_, faults_); !st) {
        return st;
    }
    created_micros_ = created_micros;
    reset_for_reuse(base_fsn, kSegmentHeaderSize);
    dirty_.store(true);
    return {};
}

Status SegmentFile::sync() {
    dirty_.store(false);
    if (writable_map_ && ::msync(map_, capacity(), MS_SYNC) != 0) {
        dirty_.store(true);
        return io_failure("cannot sync", path_, errno);
    }
    auto st = sync_file(fd_.get(), path_, faults_);
    if (!st) {
        dirty_.store(true);
    }
    return st;
}

std::string segment_file_name(std::uint64_t generation) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "sf-%016llx.sfa", static_cast<unsigned long long>(generation));
    return buf;
}

bool is_segment_file_name(std::string_view name) {
    return name.size() > 7 && name.starts_with("sf-") && name.ends_with(".sfa");
}

std::optional<std::uint64_t> segment_generation(std::string_view name) {
    if (!is_segment_file_name(name) || name.size() != 3 + 16 + 4) {
        return std::nullopt;
    }
    std::uint64_t gen = 0;
    for (char c : name.substr(3, 16)) {
        int v;
        if (c >= '0' && c <= '9') {
            v = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            v = c - 'a' + 10;
        } else {
            return std::nullopt;
        }
        gen = gen << 4 | static_cast<std::uint64_t>(v);
    }
    return gen;
}

}  // namespace questdb::sf
