// Store-and-forward append throughput. The baseline for disk mode (sf_dir) is memory mode
// measured in the same run (target: disk >= 70% of memory); memcpy of the same bytes, the
// two CRC32C implementations and the fused checksum-and-copy a disk append does show where the
// time goes.
//
// A consumer thread acknowledges everything as it is published, so the queue trims (and in
// disk mode recycles segment files) at steady state, as under a live server.

#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <memory>
#include <thread>
#include <vector>

#include "sf/crc32c.hpp"
#include "sf/disk_queue.hpp"
#include "sf/frame_queue.hpp"

namespace {

using namespace questdb::sf;

std::vector<std::uint8_t> frame_of(std::size_t size) {
    std::vector<std::uint8_t> frame(size);
    for (std::size_t i = 0; i < size; ++i) {
        frame[i] = static_cast<std::uint8_t>(i * 131 + 7);
    }
    return frame;
}

std::filesystem::path scratch_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "qdb-sf-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        return {};
    }
    return pattern;
}

// Appends on the benchmark thread while a consumer thread acknowledges whatever is published,
// as the delivery thread does; the reported CPU time is the producer's (flush) thread only.
void run_appends(benchmark::State& state, FrameQueue& queue,
                 const std::vector<std::uint8_t>& frame) {
    const auto far = Clock::now() + std::chrono::hours(1);
    std::atomic<bool> stop{false};
    std::thread acker([&] {
        std::int64_t seen = kNoFsn;
        while (!stop.load()) {
            if (queue.wait_for_frames(seen, Clock::now() + std::chrono::milliseconds(10))) {
                seen = queue.published_fsn();
                (void)queue.ack(seen);
            }
        }
    });
    for (auto _ : state) {
        auto fsn = queue.append(frame, far);
        if (!fsn.ok()) {
            state.SkipWithError(fsn.failure().message.c_str());
            break;
        }
    }
    stop = true;
    acker.join();
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * frame.size()));
}

void BM_AppendMemory(benchmark::State& state) {
    const auto frame = frame_of(static_cast<std::size_t>(state.range(0)));
    auto queue =
        MemoryQueue::open({QueueLimits{kDefaultMemoryMaxTotalBytes, kDefaultMaxSegmentBytes}});
    run_appends(state, *queue.value(), frame);
}

void BM_AppendDisk(benchmark::State& state) {
    const auto frame = frame_of(static_cast<std::size_t>(state.range(0)));
    const auto dir = scratch_dir();
    {
        DiskQueueOptions options;
        options.sf_dir = dir;
        options.limits = QueueLimits{kDefaultDiskMaxTotalBytes, kDefaultMaxSegmentBytes};
        auto queue = DiskQueue::open(options);
        if (!queue.ok()) {
            state.SkipWithError(queue.failure().message.c_str());
            return;
        }
        run_appends(state, *queue.value(), frame);
    }
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

void BM_MemcpyBaseline(benchmark::State& state) {
    const auto frame = frame_of(static_cast<std::size_t>(state.range(0)));
    std::vector<std::uint8_t> block(4 << 20);
    std::size_t at = 0;
    for (auto _ : state) {
        if (at + frame.size() > block.size()) {
            at = 0;
        }
        std::memcpy(block.data() + at, frame.data(), frame.size());
        benchmark::DoNotOptimize(block.data());
        at += frame.size();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * frame.size()));
}

void BM_Crc32cAccelerated(benchmark::State& state) {
    const auto frame = frame_of(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) {
        benchmark::DoNotOptimize(crc32c(frame));
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * frame.size()));
    state.SetLabel(crc32c_is_accelerated() ? "sse4.2" : "portable fallback");
}

// What a disk append does to each payload: checksum and copy into the segment in one pass.
void BM_Crc32cAndCopy(benchmark::State& state) {
    const auto frame = frame_of(static_cast<std::size_t>(state.range(0)));
    std::vector<std::uint8_t> block(4 << 20);
    std::size_t at = 0;
    for (auto _ : state) {
        if (at + frame.size() > block.size()) {
            at = 0;
        }
        benchmark::DoNotOptimize(
            Crc32c{}.update_and_copy(block.data() + at, frame.data(), frame.size()).value());
        at += frame.size();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * frame.size()));
}

void BM_Crc32cBoost(benchmark::State& state) {
    const auto frame = frame_of(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) {
        benchmark::DoNotOptimize(crc32c_portable(frame));
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * frame.size()));
}

constexpr std::int64_t kLargeFrame = 45 * 1024;
constexpr std::int64_t kSmallFrame = 1024;

BENCHMARK(BM_MemcpyBaseline)->Arg(kLargeFrame)->Arg(kSmallFrame);
BENCHMARK(BM_Crc32cBoost)->Arg(kLargeFrame)->Arg(kSmallFrame);
BENCHMARK(BM_Crc32cAccelerated)->Arg(kLargeFrame)->Arg(kSmallFrame);
BENCHMARK(BM_Crc32cAndCopy)->Arg(kLargeFrame)->Arg(kSmallFrame);
BENCHMARK(BM_AppendMemory)->Arg(kLargeFrame)->Arg(kSmallFrame);
BENCHMARK(BM_AppendDisk)->Arg(kLargeFrame)->Arg(kSmallFrame);

}  // namespace

BENCHMARK_MAIN();
