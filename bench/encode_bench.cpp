// QWP ingress encode throughput, each figure next to a memcpy of the same column bytes in the
// same run. Shape (issue 3): 1M rows of SYMBOL (100 distinct values), two DOUBLEs, one LONG
// and a TIMESTAMP_NANOS designated timestamp. "Numeric" drops the symbol column.
//
//   ./encode_bench --benchmark_counters_tabular=true

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "ingress/encode.hpp"
#include "questdb/ingress/buffer.hpp"
#include "questdb/ingress/chunk.hpp"

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

void BM_Memcpy_Mixed(benchmark::State& state) { memcpy_columns(state, true); }
void BM_Memcpy_Numeric(benchmark::State& state) { memcpy_columns(state, false); }

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
        if (!st) state.SkipWithError(st.failure().message.c_str());
        out_bytes = frames.bytes.size();
        benchmark::DoNotOptimize(frames.bytes.data());
    }
    report(state, input_bytes(with_symbol));
    state.counters["wire_bytes/row"] = static_cast<double>(out_bytes) / kRows;
    state.counters["frames"] = static_cast<double>(frames.count());
}

void BM_ChunkEncode_Mixed(benchmark::State& state) { chunk_encode(state, true); }
void BM_ChunkEncode_Numeric(benchmark::State& state) { chunk_encode(state, false); }

// Builds the rows through the row API and encodes them: the whole user-visible cost.
void BM_BufferBuildAndEncode_Mixed(benchmark::State& state) {
    const auto& c = columns();
    qwp::MessageEncoder encoder;
    qwp::SymbolDictionary dict;
    qwp::EncodedFrames frames;
    qwp::EncodeOptions options;
    Buffer buffer;
    for (auto _ : state) {
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
        if (!st) state.SkipWithError(st.failure().message.c_str());
        benchmark::DoNotOptimize(frames.bytes.data());
    }
    report(state, input_bytes(true));
}

BENCHMARK(BM_Memcpy_Numeric)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ChunkEncode_Numeric)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Memcpy_Mixed)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ChunkEncode_Mixed)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BufferBuildAndEncode_Mixed)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
