// Latency of flush() in memory store-and-forward mode, sender borrowed from a QuestDb pool
// connected to the in-tree test server in sink mode over loopback.
//
// flush() encodes the batch and appends the frame to the in-memory queue; the delivery thread
// sends it. Each iteration times one flush() of a 1-row or 1,000-row S1 batch with
// steady_clock (the batch is built before the clock starts); every 64 flushes an untimed
// wait(AckLevel::ok) keeps the queue far from its cap, so the figures are the caller's cost, not
// backpressure. The percentiles are reported as counters (microseconds): p50_us, p99_us, p999_us,
// max_us. Target: p99 < 50 us for 1,000 rows.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "bench_common.hpp"
#include "loopback.hpp"
#include "questdb/questdb.hpp"
#include "shapes.hpp"

namespace {

using qdb_bench::ShapeKind;
using questdb::QuestDb;
using questdb::ingress::AckLevel;
using questdb::ingress::Buffer;
using questdb::ingress::Chunk;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kShapeRows = 100'000;
constexpr std::size_t kDrainEvery = 64;
constexpr auto kDrainTimeout = std::chrono::milliseconds(60'000);

void report_percentiles(benchmark::State& state, std::vector<double>& micros, std::size_t batch) {
    if (micros.empty())
        return;
    std::sort(micros.begin(), micros.end());
    auto at = [&](double q) {
        const auto i = static_cast<std::size_t>(q * static_cast<double>(micros.size() - 1));
        return micros[i];
    };
    state.counters["p50_us"] = at(0.50);
    state.counters["p99_us"] = at(0.99);
    state.counters["p999_us"] = at(0.999);
    state.counters["max_us"] = micros.back();
    qdb_bench::report_rows(state, static_cast<double>(batch));
    state.SetLabel("S1 batch=" + std::to_string(batch) + " memory");
}

// prepare(i) fills batch i (untimed by the percentiles; the iteration time includes it),
// flush() is the call measured.
template <typename Prepare, typename Flush, typename Drain>
void time_flushes(benchmark::State& state, std::size_t batch, Prepare prepare, Flush flush,
                  Drain drain) {
    std::vector<double> micros;
    micros.reserve(1 << 20);
    for (std::size_t i = 0; i < 2 * kDrainEvery; ++i) {  // warm-up
        prepare(i);
        flush();
    }
    drain();
    std::size_t i = 0;
    qdb_bench::AllocationMeter allocations;
    for (auto _ : state) {
        prepare(i);
        const auto start = Clock::now();
        flush();
        const auto elapsed = Clock::now() - start;
        if (micros.size() < micros.capacity()) {
            micros.push_back(std::chrono::duration<double, std::micro>(elapsed).count());
        }
        if (++i % kDrainEvery == 0) {
            state.PauseTiming();
            drain();
            state.ResumeTiming();
        }
    }
    allocations.report(state, static_cast<double>(batch));
    report_percentiles(state, micros, batch);
}

std::size_t window(std::size_t i, std::size_t batch) {
    return (i * batch) % (kShapeRows - batch + 1);
}

void BM_FlushColumn(benchmark::State& state) {
    const auto batch = static_cast<std::size_t>(state.range(0));
    const auto& d = qdb_bench::shape(ShapeKind::s1, kShapeRows);
    auto db = QuestDb::connect("ws::addr=" + qdb_bench::sink_server().address() + ";");
    {
        auto sender = db.borrow_column_sender();
        Chunk chunk(d.table);
        time_flushes(
            state, batch,
            [&](std::size_t i) { qdb_bench::fill_chunk(chunk, d, window(i, batch), batch); },
            [&] { sender.flush(chunk); }, [&] { sender.wait(AckLevel::ok, kDrainTimeout); });
    }
    db.close();
}

void BM_FlushRow(benchmark::State& state) {
    const auto batch = static_cast<std::size_t>(state.range(0));
    const auto& d = qdb_bench::shape(ShapeKind::s1, kShapeRows);
    auto db = QuestDb::connect("ws::addr=" + qdb_bench::sink_server().address() + ";");
    {
        auto sender = db.borrow_row_sender();
        Buffer buffer = sender->new_buffer();
        time_flushes(
            state, batch,
            [&](std::size_t i) { qdb_bench::fill_buffer(buffer, d, window(i, batch), batch); },
            [&] { sender->flush(buffer); }, [&] { sender->wait(AckLevel::ok, kDrainTimeout); });
    }
    db.close();
}

// A fixed sample per run: an adaptive iteration count would chase 0.5 s of CPU time through
// thousands of untimed drains, each a loopback round trip.
constexpr benchmark::IterationCount kSamples = 20'000;

BENCHMARK(BM_FlushColumn)
    ->ArgName("batch")
    ->Arg(1)
    ->Arg(1000)
    ->Iterations(kSamples)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_FlushRow)
    ->ArgName("batch")
    ->Arg(1)
    ->Arg(1000)
    ->Iterations(kSamples)
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
