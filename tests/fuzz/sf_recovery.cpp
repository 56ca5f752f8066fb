// Fuzzes store-and-forward recovery from arbitrary file contents: the input becomes the files
// of one slot directory (segments, manifest, ack watermark, symbol dictionary), then
// DiskQueue::open (src/sf/disk_queue.cpp) recovers it, the consumer replays every frame it
// kept, and the queue acknowledges, appends and closes as a sender would. Recovery must never
// crash, never return a frame outside a file, and leave a slot that opens again.
//
// Input: records [u16 length][kind byte][bytes] (see FrameSplitter); `kind % 8` picks the file:
// 0/1/5 segments sf-...01/02/03.sfa, 2/6 sf-manifest.bin record in slot 0/1, 3/7 .ack-watermark
// record in slot 0/1 (record files are padded to their 8192 bytes), 4 .symbol-dict.

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "fuzz_support.hpp"
#include "sf/disk_queue.hpp"
#include "sf/record_file.hpp"
#include "sf/segment_file.hpp"
#include "sf/symbol_dict_file.hpp"

namespace {

using namespace questdb;
using namespace questdb::sf;
namespace fs = std::filesystem;

volatile std::uint64_t sink = 0;  // keeps the reads of recovered bytes

fs::path base_dir() {
    static const fs::path dir = [] {
        auto d = fs::temp_directory_path() / ("questdb-fuzz-sf-" + std::to_string(::getpid()));
        fs::create_directories(d);
        // A plain buffer: the handler runs after static objects are destroyed.
        static char path[512];
        std::snprintf(path, sizeof path, "%s", d.c_str());
        std::atexit([] {
            std::error_code ignored;
            fs::remove_all(fs::path(path), ignored);
        });
        return d;
    }();
    return dir;
}

void write_file(const fs::path& path, std::span<const std::uint8_t> bytes, std::uint64_t at,
                std::uint64_t pad_to) {
    fuzz::Bytes image(std::max<std::uint64_t>(pad_to, at + bytes.size()), 0);
    std::copy(bytes.begin(), bytes.end(), image.begin() + static_cast<std::ptrdiff_t>(at));
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(image.data()),
              static_cast<std::streamsize>(image.size()));
}

void place(const fs::path& slot, std::uint8_t kind, std::span<const std::uint8_t> bytes) {
    switch (kind % 8) {
        case 0:
            return write_file(slot / segment_file_name(1), bytes, 0, 0);
        case 1:
            return write_file(slot / segment_file_name(2), bytes, 0, 0);
        case 5:
            return write_file(slot / segment_file_name(3), bytes, 0, 0);
        case 2:
            return write_file(slot / kManifestFileName, bytes, 0, kDualSlotFileSize);
        case 6:
            return write_file(slot / kManifestFileName, bytes, kRecordSlotSize, kDualSlotFileSize);
        case 3:
            return write_file(slot / ".ack-watermark", bytes, 0, kDualSlotFileSize);
        case 7:
            return write_file(slot / ".ack-watermark", bytes, kRecordSlotSize, kDualSlotFileSize);
        default:
            return write_file(slot / ".symbol-dict", bytes, 0, 0);
    }
}

void add_record(fuzz::Bytes& input, std::uint8_t kind, std::span<const std::uint8_t> bytes) {
    fuzz::Bytes tagged{kind};
    tagged.insert(tagged.end(), bytes.begin(), bytes.end());
    fuzz::append_frame(input, tagged);
}

// The Java client's files (shared/testdata/sf) and a queue this library wrote itself.
void write_seeds(fuzz::SeedWriter& seeds) {
    const auto segment = fuzz::fixture("sf/java-two-frame.sfa.hex");
    const auto torn = fuzz::fixture("sf/java-two-frame-torn-tail.sfa.hex");
    const auto dict = fuzz::fixture("sf/java-two-chunk.symbol-dict.hex");
    const auto dict_torn = fuzz::fixture("sf/java-two-chunk-torn-tail.symbol-dict.hex");
    const auto manifest = fuzz::fixture("sf/java-sf-manifest-record.hex");
    const auto watermark = fuzz::fixture("sf/java-ack-watermark-record.hex");
    fuzz::Bytes java;
    add_record(java, 0, segment);
    add_record(java, 4, dict);
    seeds.add("java-segment-dict", java);
    fuzz::Bytes java_torn;
    add_record(java_torn, 0, torn);
    add_record(java_torn, 4, dict_torn);
    seeds.add("java-torn", java_torn);
    fuzz::Bytes records;
    add_record(records, 6, manifest);
    add_record(records, 7, watermark);
    add_record(records, 0, segment);
    seeds.add("java-records", records);

    // Our own slot after a few appends, an ack and persisted symbols.
    const auto dir = base_dir() / "seed";
    fs::remove_all(dir);
    {
        DiskQueueOptions options;
        options.sf_dir = dir;
        options.limits = {64 * 1024, 1024};
        auto queue = DiskQueue::open(options);
        if (!queue.ok()) {
            std::abort();
        }
        const std::string_view symbols[] = {"AAPL", "MSFT"};
        (void)queue.value()->persist_symbols(symbols);
        for (int i = 0; i < 40; ++i) {
            const fuzz::Bytes frame(static_cast<std::size_t>(20 + i), static_cast<std::uint8_t>(i));
            (void)queue.value()->append(frame, Deadline::clock::now() + std::chrono::seconds(1));
        }
        (void)queue.value()->ack(5);
        // Not closed: close() deletes a drained slot, and a crash leaves the files as they are.
        const auto slot = queue.value()->slot_dir();
        fuzz::Bytes own;
        for (const auto& entry : fs::directory_iterator(slot)) {
            const auto name = entry.path().filename().string();
            std::ifstream in(entry.path(), std::ios::binary);
            fuzz::Bytes bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
            if (name == segment_file_name(1)) {
                add_record(own, 0, bytes);
            } else if (name == segment_file_name(2)) {
                add_record(own, 1, bytes);
            } else if (name == kManifestFileName) {
                add_record(own, 2, bytes);
            } else if (name == ".ack-watermark") {
                add_record(own, 3, bytes);
            } else if (name == ".symbol-dict") {
                add_record(own, 4, bytes);
            }
        }
        seeds.add("own-slot", own);
        (void)queue.value()->close();
    }
    fs::remove_all(dir);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::write_seeds_if_asked(write_seeds);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const fs::path sf_dir = base_dir() / "run";
    fs::remove_all(sf_dir);
    const fs::path slot = sf_dir / "default";
    fs::create_directories(slot);
    fuzz::FrameSplitter records({data, size});
    std::span<const std::uint8_t> record;
    while (records.next(record)) {
        if (!record.empty()) {
            place(slot, record[0], record.subspan(1));
        }
    }
    DiskQueueOptions options;
    options.sf_dir = sf_dir;
    options.limits = {64 * 1024, 1024};
    for (int round = 0; round < 2; ++round) {  // what recovery leaves must open again
        auto opened = DiskQueue::open(options);
        if (!opened.ok()) {
            break;
        }
        auto& queue = *opened.value();
        std::uint64_t bytes = 0;
        {
            auto cursor = queue.cursor();
            FrameView frame;
            while (cursor.next(frame)) {
                for (const auto b : frame.bytes) {
                    bytes += b;
                }
            }
        }
        for (const auto& symbol : queue.recovered_symbols()) {
            bytes += symbol.size();
        }
        sink = sink + bytes;
        const std::uint8_t payload[] = {1, 2, 3};
        if (queue.append(payload, Deadline::clock::now()).ok()) {
            (void)queue.ack(queue.published_fsn() - 1);
        }
        (void)queue.close();
    }
    fs::remove_all(sf_dir);
    return 0;
}
