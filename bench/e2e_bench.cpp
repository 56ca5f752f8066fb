// End-to-end ingestion over loopback into the in-tree test server in sink mode (the server
// decodes every frame with the strict decoder and acknowledges it, but stores nothing).
//
// Each iteration sends all rows of a shape (bench/shapes.hpp) in `batch`-row flushes through
// a sender borrowed from a QuestDb pool, then drains with wait(AckLevel::ok): rows/s is wall
// time including the drain. Beside it, in the same run:
//  - BM_RawTcp: a plain socket writer moving the same wire bytes over 127.0.0.1 to a reader
//    that discards them and answers one byte per round (target: column S1 >= 70% of it);
//  - BM_EncodeOnly{Column,Row}: the same batches encoded without a network (issue 4: the
//    column sender end to end >= 50% of encode-only);
//  - memory (mode 0) vs disk (mode 1, sf_dir in the temp dir) store-and-forward
//    (target: disk >= 70% of memory).
// allocs/row counts heap allocations on the flushing thread only (the server runs in-process).

#include <benchmark/benchmark.h>

#include <chrono>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "ingress/encode.hpp"
#include "loopback.hpp"
#include "questdb/questdb.hpp"
#include "shapes.hpp"

namespace {

using namespace std::chrono_literals;
using qdb_bench::ShapeKind;
using questdb::QuestDb;
using questdb::ingress::AckLevel;
using questdb::ingress::Buffer;
using questdb::ingress::Chunk;
namespace qwp = questdb::qwp;

constexpr std::size_t kRows = 1'000'000;
constexpr auto kDrainTimeout = std::chrono::milliseconds(60'000);

struct Params {
    const qdb_bench::ShapeData& data;
    std::size_t batch;
    bool disk;
};

Params params(const benchmark::State& state) {
    return {qdb_bench::shape(static_cast<ShapeKind>(state.range(0)), kRows),
            static_cast<std::size_t>(state.range(1)), state.range(2) != 0};
}

void report(benchmark::State& state, const Params& p, std::size_t wire_bytes) {
    qdb_bench::report_rows(state, static_cast<double>(p.data.rows));
    if (wire_bytes != 0) {
        state.SetBytesProcessed(static_cast<std::int64_t>(wire_bytes) * state.iterations());
    }
    state.SetLabel(std::string(qdb_bench::shape_name(p.data.kind)) +
                   " batch=" + std::to_string(p.batch) + (p.disk ? " disk" : " memory"));
}

std::string connect_string(const Params& p, const qdb_bench::ScratchDir* dir) {
    std::string conf = "ws::addr=" + qdb_bench::sink_server().address() + ";";
    if (p.disk)
        conf += "sf_dir=" + dir->path().string() + ";";
    return conf;
}

// All batches of a shape encoded once (the bytes the senders put on the wire, minus
// WebSocket framing).
struct EncodedBatches {
    qwp::EncodedFrames frames;
    std::vector<std::span<const std::uint8_t>> batches;
};

EncodedBatches encode_all(const Params& p) {
    EncodedBatches out;
    qwp::MessageEncoder encoder;
    qwp::SymbolDictionary dict;
    qwp::EncodeOptions options;
    Chunk chunk(p.data.table);
    std::vector<std::size_t> ends;
    for (std::size_t begin = 0; begin < p.data.rows; begin += p.batch) {
        qdb_bench::fill_chunk(chunk, p.data, begin, std::min(p.batch, p.data.rows - begin));
        (void)questdb::ingress::encode_chunk(encoder, chunk, dict, options, out.frames);
        chunk.clear();
        ends.push_back(out.frames.bytes.size());
    }
    std::size_t from = 0;
    for (auto end : ends) {
        out.batches.emplace_back(out.frames.bytes.data() + from, end - from);
        from = end;
    }
    return out;
}

void BM_E2EColumn(benchmark::State& state) {
    const auto p = params(state);
    std::unique_ptr<qdb_bench::ScratchDir> dir;
    if (p.disk)
        dir = std::make_unique<qdb_bench::ScratchDir>();
    auto db = QuestDb::connect(connect_string(p, dir.get()));
    {
        auto sender = db.borrow_column_sender();
        Chunk chunk(p.data.table);
        auto send_all = [&] {
            for (std::size_t begin = 0; begin < p.data.rows; begin += p.batch) {
                qdb_bench::fill_chunk(chunk, p.data, begin, std::min(p.batch, p.data.rows - begin));
                sender.flush(chunk);
            }
            sender.wait(AckLevel::ok, kDrainTimeout);
        };
        send_all();  // warm-up: connection open, symbols shipped, buffers sized
        qdb_bench::AllocationMeter allocations;
        for (auto _ : state)
            send_all();
        allocations.report(state, static_cast<double>(p.data.rows));
    }
    db.close();
    report(state, p, encode_all(p).frames.bytes.size());
}

void BM_E2ERow(benchmark::State& state) {
    const auto p = params(state);
    std::unique_ptr<qdb_bench::ScratchDir> dir;
    if (p.disk)
        dir = std::make_unique<qdb_bench::ScratchDir>();
    auto db = QuestDb::connect(connect_string(p, dir.get()));
    {
        auto sender = db.borrow_row_sender();
        Buffer buffer = sender->new_buffer();
        auto send_all = [&] {
            for (std::size_t begin = 0; begin < p.data.rows; begin += p.batch) {
                qdb_bench::fill_buffer(buffer, p.data, begin,
                                       std::min(p.batch, p.data.rows - begin));
                sender->flush(buffer);
            }
            sender->wait(AckLevel::ok, kDrainTimeout);
        };
        send_all();
        qdb_bench::AllocationMeter allocations;
        for (auto _ : state)
            send_all();
        allocations.report(state, static_cast<double>(p.data.rows));
    }
    db.close();
    report(state, p, encode_all(p).frames.bytes.size());
}

// The physical baseline: the same wire bytes in the same batches through a plain socket.
void BM_RawTcp(benchmark::State& state) {
    const auto p = params(state);
    const auto encoded = encode_all(p);
    qdb_bench::RawLoopback loopback(encoded.frames.bytes.size());
    for (auto _ : state) {
        if (!loopback.send_round(encoded.batches)) {
            state.SkipWithError("raw loopback failed");
            return;
        }
    }
    report(state, p, encoded.frames.bytes.size());
}

// The same batches encoded with no network: the ceiling for the end-to-end column sender.
void BM_EncodeOnlyColumn(benchmark::State& state) {
    const auto p = params(state);
    qwp::MessageEncoder encoder;
    qwp::SymbolDictionary dict;
    qwp::EncodeOptions options;
    qwp::EncodedFrames frames;
    Chunk chunk(p.data.table);
    std::size_t wire = 0;
    for (auto _ : state) {
        wire = 0;
        for (std::size_t begin = 0; begin < p.data.rows; begin += p.batch) {
            qdb_bench::fill_chunk(chunk, p.data, begin, std::min(p.batch, p.data.rows - begin));
            frames.clear();
            (void)questdb::ingress::encode_chunk(encoder, chunk, dict, options, frames);
            chunk.clear();
            wire += frames.bytes.size();
            benchmark::DoNotOptimize(frames.bytes.data());
        }
    }
    report(state, p, wire);
}

void BM_EncodeOnlyRow(benchmark::State& state) {
    const auto p = params(state);
    qwp::MessageEncoder encoder;
    qwp::SymbolDictionary dict;
    qwp::EncodeOptions options;
    qwp::EncodedFrames frames;
    Buffer buffer;
    std::size_t wire = 0;
    for (auto _ : state) {
        wire = 0;
        for (std::size_t begin = 0; begin < p.data.rows; begin += p.batch) {
            buffer.clear();
            qdb_bench::fill_buffer(buffer, p.data, begin, std::min(p.batch, p.data.rows - begin));
            frames.clear();
            (void)questdb::ingress::encode_buffer(encoder, buffer, dict, options, frames);
            wire += frames.bytes.size();
            benchmark::DoNotOptimize(frames.bytes.data());
        }
    }
    report(state, p, wire);
}

constexpr int kS1 = static_cast<int>(ShapeKind::s1);
constexpr int kTrades = static_cast<int>(ShapeKind::trades);

void common(benchmark::internal::Benchmark* b) {
    b->ArgNames({"shape", "batch", "disk"})->Unit(benchmark::kMillisecond)->UseRealTime();
}
void network_args(benchmark::internal::Benchmark* b) {
    common(b);
    b->Args({kS1, 10'000, 0})->Args({kS1, 1'000, 0})->Args({kTrades, 1'000, 0});
}
void sender_args(benchmark::internal::Benchmark* b) {
    network_args(b);
    b->Args({kS1, 10'000, 1})->Args({kS1, 1'000, 1});
}

BENCHMARK(BM_RawTcp)->Apply(network_args);
BENCHMARK(BM_EncodeOnlyColumn)->Apply(network_args);
BENCHMARK(BM_E2EColumn)->Apply(sender_args);
BENCHMARK(BM_EncodeOnlyRow)->Apply(network_args);
BENCHMARK(BM_E2ERow)->Apply(sender_args);

}  // namespace

BENCHMARK_MAIN();
