#include "sf/symbol_dict_file.hpp"

#include <fcntl.h>

#include <boost/endian/conversion.hpp>
#include <cstring>

#include "qwp/wire.hpp"
#include "sf/crc32c.hpp"

namespace questdb::sf {

using detail::Result;
using detail::Status;

namespace {

// Checks that [start, start+bytes) holds exactly `count` well-formed entries and collects them.
bool read_entries(std::span<const std::uint8_t> region, std::uint64_t count,
                  std::vector<std::string>& out) {
    qwp::ByteReader reader(region);
    for (std::uint64_t i = 0; i < count; ++i) {
        std::uint64_t len = 0;
        std::span<const std::uint8_t> text;
        if (!reader.varint(len) || len > kMaxPersistedSymbolBytes ||
            !reader.bytes(static_cast<std::size_t>(len), text)) {
            return false;
        }
        out.emplace_back(reinterpret_cast<const char*>(text.data()), text.size());
    }
    return reader.at_end();
}

}  // namespace

SymbolDictParse parse_symbol_dict(std::span<const std::uint8_t> bytes) {
    SymbolDictParse out;
    if (bytes.size() < kSymbolDictHeaderSize) {
        return out;
    }
    std::uint32_t magic;
    std::memcpy(&magic, bytes.data(), 4);
    if (boost::endian::little_to_native(magic) != kSymbolDictMagic ||
        bytes[4] != kSymbolDictVersion) {
        return out;
    }
    out.header_ok = true;
    std::size_t pos = kSymbolDictHeaderSize;
    out.valid_length = pos;
    while (pos < bytes.size()) {
        qwp::ByteReader reader(bytes.subspan(pos));
        std::uint64_t count = 0;
        std::uint64_t entry_bytes = 0;
        if (!reader.varint(count) || !reader.varint(entry_bytes) || count == 0 ||
            entry_bytes == 0 || entry_bytes > bytes.size()) {
            break;
        }
        const std::size_t entries_at = pos + reader.position();
        const std::size_t chunk_end = entries_at + static_cast<std::size_t>(entry_bytes);
        if (chunk_end + 4 > bytes.size()) {
            break;
        }
        std::uint32_t stored;
        std::memcpy(&stored, bytes.data() + chunk_end, 4);
        if (crc32c(bytes.subspan(pos, chunk_end - pos)) !=
            boost::endian::little_to_native(stored)) {
            break;
        }
        std::vector<std::string> symbols;
        if (!read_entries(bytes.subspan(entries_at, static_cast<std::size_t>(entry_bytes)), count,
                          symbols)) {
            break;
        }
        for (auto& s : symbols) {
            out.symbols.push_back(std::move(s));
        }
        ++out.chunk_count;
        pos = chunk_end + 4;
        out.valid_length = pos;
    }
    return out;
}

void encode_symbol_chunk(std::span<const std::string_view> symbols,
                         std::vector<std::uint8_t>& out) {
    std::uint64_t entry_bytes = 0;
    for (auto s : symbols) {
        entry_bytes += qwp::varint_size(s.size()) + s.size();
    }
    const std::size_t start = out.size();
    qwp::ByteWriter writer(out);
    writer.varint(symbols.size());
    writer.varint(entry_bytes);
    for (auto s : symbols) {
        writer.varint(s.size());
        writer.bytes(s);
    }
    writer.le<std::uint32_t>(crc32c({out.data() + start, out.size() - start}));
}

Result<SymbolDictFile> SymbolDictFile::create(const std::filesystem::path& slot_dir,
                                              FaultInjector* faults) {
    const auto path = slot_dir / kSymbolDictFileName;
    auto fd = open_file(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (!fd) {
        return std::move(fd).failure();
    }
    std::uint8_t header[kSymbolDictHeaderSize] = {};
    const auto magic = boost::endian::native_to_little(kSymbolDictMagic);
    std::memcpy(header, &magic, 4);
    header[4] = kSymbolDictVersion;
    if (auto st = write_at(fd.value().get(), header, sizeof header, 0, path, faults); !st) {
        (void)remove_if_exists(path);
        return std::move(st).failure();
    }
    return SymbolDictFile(path, std::move(fd).value(), faults);
}

Result<SymbolDictFile> SymbolDictFile::open(const std::filesystem::path& slot_dir,
                                            FaultInjector* faults) {
    const auto path = slot_dir / kSymbolDictFileName;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        return create(slot_dir, faults);
    }
    auto fd = open_file(path, O_RDWR);
    if (!fd) {
        return std::move(fd).failure();
    }
    auto size = file_size(fd.value().get(), path);
    if (!size) {
        return std::move(size).failure();
    }
    // An unreadable file (wrong header, or larger than any dictionary a client writes, which
    // must not be read into memory) is kept as ".symbol-dict.corrupt" for inspection, never
    // overwritten: the sender rebuilds the dictionary from the stored frames, or sets the slot
    // aside with the original file in it.
    auto start_fresh = [&](std::uint64_t dropped) -> Result<SymbolDictFile> {
        fd.value().reset();
        quarantine_file(path);
        auto fresh = create(slot_dir, faults);
        if (fresh) {
            fresh.value().recreated_ = true;
            fresh.value().torn_dropped_ = dropped;
        }
        return fresh;
    };
    if (size.value() > kMaxSymbolDictFileBytes) {
        return start_fresh(size.value());
    }
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size.value()));
    if (auto st = read_at(fd.value().get(), bytes.data(), bytes.size(), 0, path); !st) {
        return std::move(st).failure();
    }
    SymbolDictParse parsed = parse_symbol_dict(bytes);
    if (!parsed.header_ok) {
        return start_fresh(bytes.size());
    }
    SymbolDictFile dict(path, std::move(fd).value(), faults);
    if (parsed.valid_length < bytes.size()) {
        if (auto st = truncate_file(dict.fd_.get(), parsed.valid_length, path, faults); !st) {
            return std::move(st).failure();
        }
        dict.torn_dropped_ = bytes.size() - parsed.valid_length;
    }
    dict.append_offset_ = parsed.valid_length;
    dict.count_ = parsed.symbols.size();
    dict.loaded_ = std::move(parsed.symbols);
    return dict;
}

Status SymbolDictFile::append(std::span<const std::string_view> symbols) {
    if (symbols.empty()) {
        return {};
    }
    scratch_.clear();
    encode_symbol_chunk(symbols, scratch_);
    if (auto st =
            write_at(fd_.get(), scratch_.data(), scratch_.size(), append_offset_, path_, faults_);
        !st) {
        // Cut a partial chunk off so the next append starts clean; if that fails too, open()
        // drops the torn chunk on the next start anyway.
        (void)truncate_file(fd_.get(), append_offset_, path_, nullptr);
        return st;
    }
    append_offset_ += scratch_.size();
    count_ += symbols.size();
    return {};
}

Status SymbolDictFile::sync() {
    return sync_file(fd_.get(), path_, faults_);
}

}  // namespace questdb::sf
