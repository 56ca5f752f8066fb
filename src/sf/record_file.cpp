#include "sf/record_file.hpp"

#include <fcntl.h>

#include <boost/endian/conversion.hpp>
#include <cstring>
#include <vector>

#include "sf/crc32c.hpp"

namespace questdb::sf {

using detail::fail;
using detail::Result;
using detail::Status;

namespace {

constexpr std::uint32_t kRecordVersion = 1;
constexpr std::size_t kCrcOffset = 60;

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

Status write_record(int fd, const std::filesystem::path& path, std::uint32_t magic,
                    std::uint64_t generation, std::int64_t first, std::int64_t second,
                    FaultInjector* faults) {
    const auto record = encode_record(magic, generation, first, second);
    return write_at(fd, record.data(), record.size(), (generation & 1) * kRecordSlotSize, path,
                    faults);
}

Result<std::vector<std::uint8_t>> read_whole(int fd, const std::filesystem::path& path) {
    std::vector<std::uint8_t> bytes(kDualSlotFileSize);
    if (auto st = read_at(fd, bytes.data(), bytes.size(), 0, path); !st) {
        return std::move(st).failure();
    }
    return bytes;
}

Status zero_fill_file(int fd, const std::filesystem::path& path, FaultInjector* faults) {
    if (auto st = truncate_file(fd, 0, path, faults); !st) {
        return st;
    }
    return zero_range(fd, 0, kDualSlotFileSize, path, faults);
}

}  // namespace

std::array<std::uint8_t, kRecordSize> encode_record(std::uint32_t magic, std::uint64_t generation,
                                                    std::int64_t first,
                                                    std::int64_t second) noexcept {
    std::array<std::uint8_t, kRecordSize> r{};
    store_le<std::uint32_t>(r.data(), magic);
    store_le<std::uint32_t>(r.data() + 4, kRecordVersion);
    store_le<std::int64_t>(r.data() + 8, static_cast<std::int64_t>(generation));
    store_le<std::int64_t>(r.data() + 16, first);
    store_le<std::int64_t>(r.data() + 24, second);
    store_le<std::uint32_t>(r.data() + kCrcOffset, crc32c({r.data(), kCrcOffset}));
    return r;
}

std::optional<DualSlotRecord> decode_record(std::span<const std::uint8_t> bytes,
                                            std::uint32_t magic) noexcept {
    if (bytes.size() < kRecordSize) {
        return std::nullopt;
    }
    const std::uint8_t* r = bytes.data();
    if (load_le<std::uint32_t>(r) != magic || load_le<std::uint32_t>(r + 4) != kRecordVersion) {
        return std::nullopt;
    }
    if (load_le<std::uint32_t>(r + kCrcOffset) != crc32c({r, kCrcOffset})) {
        return std::nullopt;
    }
    const auto generation = load_le<std::int64_t>(r + 8);
    if (generation <= 0 || generation >= kMaxPlausibleRecordValue) {
        return std::nullopt;
    }
    return DualSlotRecord{static_cast<std::uint64_t>(generation), load_le<std::int64_t>(r + 16),
                          load_le<std::int64_t>(r + 24)};
}

std::optional<DualSlotRecord> select_record(std::span<const std::uint8_t> file,
                                            std::uint32_t magic) noexcept {
    if (file.size() < kDualSlotFileSize) {
        return std::nullopt;
    }
    auto a = decode_record(file.subspan(0, kRecordSize), magic);
    auto b = decode_record(file.subspan(kRecordSlotSize, kRecordSize), magic);
    if (magic == kManifestMagic) {
        auto valid = [](const std::optional<DualSlotRecord>& r) {
            return r && r->first >= 0 && r->second >= r->first &&
                   r->second < kMaxPlausibleRecordValue;
        };
        if (!valid(a))
            a.reset();
        if (!valid(b))
            b.reset();
    } else {
        auto valid = [](const std::optional<DualSlotRecord>& r) {
            return r && r->first >= -1 && r->first < kMaxPlausibleRecordValue;
        };
        if (!valid(a))
            a.reset();
        if (!valid(b))
            b.reset();
    }
    if (a && b) {
        return a->generation > b->generation ? a : b;
    }
    return a ? a : b;
}

// ---- ManifestFile ------------------------------------------------------------------------

ManifestFile::ManifestFile(std::filesystem::path path, FileHandle fd, DualSlotRecord record,
                           FaultInjector* faults)
    : path_(std::move(path)), fd_(std::move(fd)), record_(record), faults_(faults) {}

Result<std::unique_ptr<ManifestFile>> ManifestFile::create(const std::filesystem::path& slot_dir,
                                                           std::uint64_t head_base,
                                                           std::uint64_t active_base, bool sync,
                                                           FaultInjector* faults) {
    const auto path = slot_dir / kManifestFileName;
    auto fd = open_file(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (!fd) {
        return std::move(fd).failure();
    }
    if (auto st = zero_fill_file(fd.value().get(), path, faults); !st) {
        return std::move(st).failure();
    }
    auto manifest =
        std::make_unique<ManifestFile>(path, std::move(fd).value(), DualSlotRecord{}, faults);
    if (auto st = manifest->update(head_base, active_base, sync); !st) {
        return std::move(st).failure();
    }
    return manifest;
}

Result<std::unique_ptr<ManifestFile>> ManifestFile::open(const std::filesystem::path& slot_dir,
                                                         FaultInjector* faults) {
    const auto path = slot_dir / kManifestFileName;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        return std::unique_ptr<ManifestFile>();
    }
    auto fd = open_file(path, O_RDWR);
    if (!fd) {
        return std::move(fd).failure();
    }
    auto size = file_size(fd.value().get(), path);
    if (!size) {
        return std::move(size).failure();
    }
    std::optional<DualSlotRecord> record;
    if (size.value() == kDualSlotFileSize) {
        auto bytes = read_whole(fd.value().get(), path);
        if (!bytes) {
            return std::move(bytes).failure();
        }
        record = select_record(bytes.value(), kManifestMagic);
    }
    if (!record) {
        fd.value().reset();
        quarantine_file(path);
        return std::unique_ptr<ManifestFile>();
    }
    return std::make_unique<ManifestFile>(path, std::move(fd).value(), *record, faults);
}

Status ManifestFile::update(std::uint64_t head_base, std::uint64_t active_base, bool sync) {
    std::lock_guard lock(mutex_);
    if (record_.generation > 0) {
        head_base = std::max<std::uint64_t>(head_base, static_cast<std::uint64_t>(record_.first));
        active_base =
            std::max<std::uint64_t>(active_base, static_cast<std::uint64_t>(record_.second));
        if (head_base == static_cast<std::uint64_t>(record_.first) &&
            active_base == static_cast<std::uint64_t>(record_.second)) {
            return {};
        }
    }
    if (active_base < head_base) {
        active_base = head_base;
    }
    const std::uint64_t generation = record_.generation + 1;
    if (auto st = write_record(fd_.get(), path_, kManifestMagic, generation,
                               static_cast<std::int64_t>(head_base),
                               static_cast<std::int64_t>(active_base), faults_);
        !st) {
        return st;
    }
    if (sync) {
        if (auto st = sync_file(fd_.get(), path_, faults_); !st) {
            return st;
        }
    }
    record_ = {generation, static_cast<std::int64_t>(head_base),
               static_cast<std::int64_t>(active_base)};
    return {};
}

std::uint64_t ManifestFile::head_base() const {
    std::lock_guard lock(mutex_);
    return static_cast<std::uint64_t>(record_.first);
}

std::uint64_t ManifestFile::active_base() const {
    std::lock_guard lock(mutex_);
    return static_cast<std::uint64_t>(record_.second);
}

std::uint64_t ManifestFile::generation() const {
    std::lock_guard lock(mutex_);
    return record_.generation;
}

// ---- AckWatermarkFile --------------------------------------------------------------------

AckWatermarkFile::AckWatermarkFile(std::filesystem::path path, FileHandle fd,
                                   std::optional<DualSlotRecord> record, FaultInjector* faults)
    : path_(std::move(path)), fd_(std::move(fd)), faults_(faults) {
    if (record) {
        generation_ = record->generation;
        value_ = record->first;
    }
}

Result<std::unique_ptr<AckWatermarkFile>> AckWatermarkFile::open(
    const std::filesystem::path& slot_dir, FaultInjector* faults) {
    const auto path = slot_dir / kAckWatermarkFileName;
    auto fd = open_file(path, O_RDWR | O_CREAT, 0644);
    if (!fd) {
        return std::move(fd).failure();
    }
    const int raw = fd.value().get();
    auto size = file_size(raw, path);
    if (!size) {
        return std::move(size).failure();
    }
    std::optional<DualSlotRecord> record;
    if (size.value() == kDualSlotFileSize) {
        auto bytes = read_whole(raw, path);
        if (!bytes) {
            return std::move(bytes).failure();
        }
        record = select_record(bytes.value(), kAckWatermarkMagic);
    } else if (auto st = zero_fill_file(raw, path, faults); !st) {
        // A missing or legacy-sized watermark is only a replay hint: start it over.
        return std::move(st).failure();
    }
    return std::make_unique<AckWatermarkFile>(path, std::move(fd).value(), record, faults);
}

std::optional<std::int64_t> AckWatermarkFile::value() const {
    std::lock_guard lock(mutex_);
    return value_;
}

Status AckWatermarkFile::write(std::int64_t fsn) {
    std::lock_guard lock(mutex_);
    if (fsn < -1) {
        return fail(ErrorCode::invalid_api_call, "store-and-forward: watermark below -1");
    }
    const std::uint64_t generation = generation_ + 1;
    if (auto st = write_record(fd_.get(), path_, kAckWatermarkMagic, generation, fsn, 0, faults_);
        !st) {
        return st;
    }
    generation_ = generation;
    value_ = fsn;
    return {};
}

Status AckWatermarkFile::sync() {
    std::lock_guard lock(mutex_);
    return sync_file(fd_.get(), path_, faults_);
}

}  // namespace questdb::sf
