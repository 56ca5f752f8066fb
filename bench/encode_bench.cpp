// QWP ingress encode throughput, each figure next to a memcpy in the same run.
//
// Issue 10 shapes (bench/shapes.hpp): BM_Encode{Chunk,Buffer}/<shape> encode S1, S2 and
// trades through the column and row APIs; BM_MemcpyOutput/<shape> copies the same number of
// wire bytes the encoder produced (the floor for writing that output). Reported: rows/s,
// bytes/s of wire output, wire_bytes/row and allocs/row (heap allocations per row once warm).
//
// Issue 3 shape (kept for continuity): 1M rows of SYMBOL (100 distinct values), two DOUBLEs,
// one LONG and a TIMESTAMP_NANOS designated timestamp; "Numeric" drops the symbol column;
// the baseline copies the same input column bytes.
//
//   ./encode_bench --benchmark_counters_tabular=true

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "ingress/encode.hpp"
#include "questdb/ingress/buffer.hpp"
#include "questdb/ingress/chunk.hpp"
#include "shapes.hpp"

namespace {

using questdb::ingress::Buffer;
using questdb::ingress::Chunk;
using questdb::ingress::TimestampNanos;
namespace qwp = questdb::qwp;

constexpr std::size_t kRows = 1'000'000;

struct Columns {
    std::vector<std::int32_t> codes;
    std::vector<std::int32_t> dict_offsets{0};
    std::vector<std::uint8_t> dict_bytes;
    std::vector<std::string> symbols;
    std::vector<double> bid, ask;
    std::vector<std::int64_t> qty, ts;

    Columns() {
        for (int i = 0; i < 100; ++i) {
            symbols.push_back("SYM-" + std::to_string(1000 + i));
            dict_bytes.insert(dict_bytes.end(), symbols.back().begin(), symbols.back().end());
            dict_offsets.push_back(static_cast<std::int32_t>(dict_bytes.size()));
        }
        std::uint64_t x = 88172645463325252ULL;
        for (std::size_t r = 0; r < kRows; ++r) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            codes.push_back(static_cast<std::int32_t>(x % 100));
            bid.push_back(100.0 + static_cast<double>(x % 10000) / 100.0);
            ask.push_back(bid.back() + 0.01);
            qty.push_back(static_cast<std::int64_t>(x % 5000));
            ts.push_back(1'700'000'000'000'000'000LL + static_cast<std::int64_t>(r) * 1000);
        }
    }
};

const Columns& columns() {
    static const Columns c;
    return c;
}

std::size_t input_bytes(bool with_symbol) {
    return kRows * ((with_symbol ? 4 : 0) + 8 + 8 + 8 + 8);
}

void report(benchmark::State& state, std::size_t bytes_per_iteration) {
    state.counters["rows/s"] = benchmark::Counter(static_cast<double>(kRows) * state.iterations(),
                                                  benchmark::Counter::kIsRate);
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes_per_iteration) * state.iterations());
}

// Baseline: copy the input column bytes once (what a zero-work encoder would cost).
void memcpy_columns(benchmark::State& state, bool with_symbol) {
    const auto& c = columns();
    std::vector<std::uint8_t> out(input_bytes(with_symbol));
    for (auto _ : state) {
        std::uint8_t* p = out.data();
        if (with_symbol) {
            std::memcpy(p, c.codes.data(), kRows * 4);
            p += kRows * 4;
        }
        std::memcpy(p, c.bid.data(), kRows * 8);
        std::memcpy(p + kRows * 8, c.ask.data(), kRows * 8);
        std::memcpy(p + kRows * 16, c.qty.data(), kRows * 8);
        std::memcpy(p + kRows * 24, c.ts.data(), kRows * 8);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    report(state, input_bytes(with_symbol));
}

void BM_Memcpy_Mixed(benchmark::State& state) {
    memcpy_columns(state, true);
}
void BM_Memcpy_Numeric(benchmark::State& state) {
    memcpy_columns(state, false);
}

void chunk_encode(benchmark::State& state, bool with_symbol) {
    const auto& c = columns();
    qwp::MessageEncoder encoder;
    qwp::SymbolDictionary dict;
    qwp::EncodedFrames frames;
    qwp::EncodeOptions options;  // 16 MiB frames: 1M rows split into a few DEFER_COMMIT frames
    std::size_t out_bytes = 0;
    for (auto _ : state) {
        Chunk chunk("trades");
        if (with_symbol) {
            chunk.symbol_dict_i32("sym", c.codes, c.dict_offsets, c.dict_bytes);
        }
        chunk.column_f64("bid", c.bid)
            .column_f64("ask", c.ask)
            .column_i64("qty", c.qty)
            .designated_timestamp_nanos(c.ts);
        frames.clear();
        auto st = questdb::ingress::encode_chunk(encoder, chunk, dict, options, frames);
        if (!st)
            state.SkipWithError(st.failure().message.c_str());
        out_bytes = frames.bytes.size();
        benchmark::DoNotOptimize(frames.bytes.data());
    }
    report(state, input_bytes(with_symbol));
    state.counters["wire_bytes/row"] = static_cast<double>(out_bytes) / kRows;
    state.counters["frames"] = static_cast<double>(frames.count());
}

void BM_ChunkEncode_Mixed(benchmark::State& state) {
    chunk_encode(state, true);
}
void BM_ChunkEncode_Numeric(benchmark::State& state) {
    chunk_encode(state, false);
}

// Builds the rows through the row API and encodes them: the whole user-visible cost.
void BM_BufferBuildAndEncode_Mixed(benchmark::State& state) {
    const auto& c = columns();
    qwp::MessageEncoder encoder;
    qwp::SymbolDictionary dict;
    qwp::EncodedFrames frames;
    qwp::EncodeOptions options;
    Buffer buffer;
    auto build_and_encode = [&] {
        buffer.clear();
        for (std::size_t r = 0; r < kRows; ++r) {
            buffer.table("trades")
                .symbol("sym", c.symbols[static_cast<std::size_t>(c.codes[r])])
                .column_f64("bid", c.bid[r])
                .column_f64("ask", c.ask[r])
                .column_i64("qty", c.qty[r])
                .at(TimestampNanos(c.ts[r]));
        }
        frames.clear();
        auto st = questdb::ingress::encode_buffer(encoder, buffer, dict, options, frames);
        if (!st)
            state.SkipWithError(st.failure().message.c_str());
        benchmark::DoNotOptimize(frames.bytes.data());
    };
    build_and_encode();  // warm-up: column storage and frames sized, symbols shipped
    qdb_bench::AllocationMeter allocations;
    for (auto _ : state)
        build_and_encode();
    allocations.report(state, static_cast<double>(kRows));
    report(state, input_bytes(true));
}

BENCHMARK(BM_Memcpy_Numeric)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ChunkEncode_Numeric)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Memcpy_Mixed)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ChunkEncode_Mixed)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BufferBuildAndEncode_Mixed)->Unit(benchmark::kMillisecond);

// ---- Issue 10 shapes -------------------------------------------------------------------

using qdb_bench::ShapeKind;

std::size_t shape_rows(ShapeKind kind) {
    return kind == ShapeKind::s2 ? 250'000 : 1'000'000;
}

struct ShapeEncoder {
    qwp::MessageEncoder encoder;
    qwp::SymbolDictionary dict;  // kept across iterations: symbols ship once, like a sender
    qwp::EncodedFrames frames;
    qwp::EncodeOptions options;
};

bool encode_shape_chunk(benchmark::State& state, ShapeEncoder& e, Chunk& chunk,
                        const qdb_bench::ShapeData& d) {
    qdb_bench::fill_chunk(chunk, d, 0, d.rows);
    e.frames.clear();
    auto st = questdb::ingress::encode_chunk(e.encoder, chunk, e.dict, e.options, e.frames);
    chunk.clear();
    if (!st)
        state.SkipWithError(st.failure().message.c_str());
    return static_cast<bool>(st);
}

bool encode_shape_buffer(benchmark::State& state, ShapeEncoder& e, Buffer& buffer,
                         const qdb_bench::ShapeData& d) {
    buffer.clear();
    qdb_bench::fill_buffer(buffer, d, 0, d.rows);
    e.frames.clear();
    auto st = questdb::ingress::encode_buffer(e.encoder, buffer, e.dict, e.options, e.frames);
    if (!st)
        state.SkipWithError(st.failure().message.c_str());
    return static_cast<bool>(st);
}

void report_shape(benchmark::State& state, const qdb_bench::ShapeData& d, std::size_t wire) {
    qdb_bench::report_rows(state, static_cast<double>(d.rows));
    state.SetBytesProcessed(static_cast<std::int64_t>(wire) * state.iterations());
    state.counters["wire_bytes/row"] = static_cast<double>(wire) / static_cast<double>(d.rows);
    state.SetLabel(qdb_bench::shape_name(d.kind));
}

// Column API: the chunk borrows the shape's columns; one encode of every row per iteration.
void BM_EncodeChunk(benchmark::State& state) {
    const auto kind = static_cast<ShapeKind>(state.range(0));
    const auto& d = qdb_bench::shape(kind, shape_rows(kind));
    ShapeEncoder e;
    Chunk chunk(d.table);
    if (!encode_shape_chunk(state, e, chunk, d))
        return;  // warm-up: buffers sized, symbols shipped
    qdb_bench::AllocationMeter allocations;
    for (auto _ : state) {
        if (!encode_shape_chunk(state, e, chunk, d))
            return;
        benchmark::DoNotOptimize(e.frames.bytes.data());
    }
    allocations.report(state, static_cast<double>(d.rows));
    report_shape(state, d, e.frames.bytes.size());
}

// Row API: every row built through Buffer, then encoded (the whole user-visible cost).
void BM_EncodeBuffer(benchmark::State& state) {
    const auto kind = static_cast<ShapeKind>(state.range(0));
    const auto& d = qdb_bench::shape(kind, shape_rows(kind));
    ShapeEncoder e;
    Buffer buffer;
    if (!encode_shape_buffer(state, e, buffer, d))
        return;
    qdb_bench::AllocationMeter allocations;
    for (auto _ : state) {
        if (!encode_shape_buffer(state, e, buffer, d))
            return;
        benchmark::DoNotOptimize(e.frames.bytes.data());
    }
    allocations.report(state, static_cast<double>(d.rows));
    report_shape(state, d, e.frames.bytes.size());
}

// Baseline: memcpy of as many bytes as the Chunk encoder writes for the shape.
void BM_MemcpyOutput(benchmark::State& state) {
    const auto kind = static_cast<ShapeKind>(state.range(0));
    const auto& d = qdb_bench::shape(kind, shape_rows(kind));
    ShapeEncoder e;
    Chunk chunk(d.table);
    // Twice: the second output is the warm one (symbols already shipped), as timed above.
    if (!encode_shape_chunk(state, e, chunk, d) || !encode_shape_chunk(state, e, chunk, d)) {
        return;
    }
    std::vector<std::uint8_t> source(e.frames.bytes.begin(), e.frames.bytes.end());
    std::vector<std::uint8_t> target(source.size());
    for (auto _ : state) {
        std::memcpy(target.data(), source.data(), source.size());
        benchmark::DoNotOptimize(target.data());
        benchmark::ClobberMemory();
    }
    report_shape(state, d, source.size());
}

void shape_args(benchmark::internal::Benchmark* b) {
    b->ArgName("shape");
    for (auto k : {ShapeKind::s1, ShapeKind::s2, ShapeKind::trades}) {
        b->Arg(static_cast<int>(k));
    }
    b->Unit(benchmark::kMillisecond);
}

BENCHMARK(BM_MemcpyOutput)->Apply(shape_args);
BENCHMARK(BM_EncodeChunk)->Apply(shape_args);
BENCHMARK(BM_EncodeBuffer)->Apply(shape_args);

}  // namespace

BENCHMARK_MAIN();
