// Arrow ingest encode throughput: an Arrow C Data Interface record batch classified and
// mapped onto a Chunk (what QuestDb::flush_arrow_batch does before sending) and encoded into
// QWP frames, next to a Chunk built directly from the same buffers and encoded, and a memcpy
// of the same column bytes, all in the same run. Shape as encode_bench: 1M rows of SYMBOL
// (dictionary<int32, utf8>, 100 entries), two DOUBLEs, one LONG and a TIMESTAMP_NANOS
// designated timestamp. "Sliced" adds max_rows = 100'000 (ten messages).
//
//   ./arrow_bench --benchmark_counters_tabular=true

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "arrow/ingest_plan.hpp"
#include "ingress/encode.hpp"
#include "questdb/arrow.hpp"
#include "questdb/ingress/chunk.hpp"

namespace {

using questdb::ingress::Chunk;
namespace qwp = questdb::qwp;

constexpr std::size_t kRows = 1'000'000;

struct Columns {
    std::vector<std::int32_t> codes;
    std::vector<std::int32_t> dict_offsets{0};
    std::vector<std::uint8_t> dict_bytes;
    std::vector<double> bid, ask;
    std::vector<std::int64_t> qty, ts;

    Columns() {
        for (int i = 0; i < 100; ++i) {
            const auto s = "SYM-" + std::to_string(1000 + i);
            dict_bytes.insert(dict_bytes.end(), s.begin(), s.end());
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

// The same buffers exported as a "+s" record batch (borrowed, never released by the library).
struct ArrowBatch {
    ArrowSchema leaf_schemas[5]{}, dict_schema{}, schema{};
    ArrowArray leaf_arrays[5]{}, dict_array{}, array{};
    ArrowSchema* schema_children[5]{};
    ArrowArray* array_children[5]{};
    const void* buffers[5][2]{};
    const void* dict_buffers[3]{};
    const void* struct_buffers[1]{nullptr};

    ArrowBatch() {
        const auto& c = columns();
        const char* names[5] = {"sym", "bid", "ask", "qty", "ts"};
        const char* formats[5] = {"i", "g", "g", "l", "tsn:UTC"};
        const void* data[5] = {c.codes.data(), c.bid.data(), c.ask.data(), c.qty.data(),
                               c.ts.data()};
        for (int i = 0; i < 5; ++i) {
            leaf_schemas[i].format = formats[i];
            leaf_schemas[i].name = names[i];
            leaf_schemas[i].release = [](ArrowSchema*) {};
            buffers[i][1] = data[i];
            leaf_arrays[i].length = kRows;
            leaf_arrays[i].n_buffers = 2;
            leaf_arrays[i].buffers = buffers[i];
            leaf_arrays[i].release = [](ArrowArray*) {};
            schema_children[i] = &leaf_schemas[i];
            array_children[i] = &leaf_arrays[i];
        }
        dict_schema.format = "u";
        dict_schema.name = "";
        dict_schema.release = [](ArrowSchema*) {};
        dict_buffers[1] = c.dict_offsets.data();
        dict_buffers[2] = c.dict_bytes.data();
        dict_array.length = static_cast<std::int64_t>(c.dict_offsets.size() - 1);
        dict_array.n_buffers = 3;
        dict_array.buffers = dict_buffers;
        dict_array.release = [](ArrowArray*) {};
        leaf_schemas[0].dictionary = &dict_schema;
        leaf_arrays[0].dictionary = &dict_array;
        schema.format = "+s";
        schema.name = "";
        schema.n_children = 5;
        schema.children = schema_children;
        schema.release = [](ArrowSchema*) {};
        array.length = kRows;
        array.n_buffers = 1;
        array.buffers = struct_buffers;
        array.n_children = 5;
        array.children = array_children;
        array.release = [](ArrowArray*) {};
    }
};

constexpr std::size_t kInputBytes = kRows * (4 + 8 + 8 + 8 + 8);

void report(benchmark::State& state, std::size_t wire_bytes) {
    state.counters["rows/s"] = benchmark::Counter(static_cast<double>(kRows) * state.iterations(),
                                                  benchmark::Counter::kIsRate);
    state.SetBytesProcessed(static_cast<std::int64_t>(kInputBytes) * state.iterations());
    if (wire_bytes > 0) {
        state.counters["wire_bytes/row"] = static_cast<double>(wire_bytes) / kRows;
    }
}

void BM_Memcpy(benchmark::State& state) {
    const auto& c = columns();
    std::vector<std::uint8_t> out(kInputBytes);
    for (auto _ : state) {
        std::uint8_t* p = out.data();
        std::memcpy(p, c.codes.data(), kRows * 4);
        std::memcpy(p + kRows * 4, c.bid.data(), kRows * 8);
        std::memcpy(p + kRows * 12, c.ask.data(), kRows * 8);
        std::memcpy(p + kRows * 20, c.qty.data(), kRows * 8);
        std::memcpy(p + kRows * 28, c.ts.data(), kRows * 8);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    report(state, 0);
}

void BM_ChunkEncode(benchmark::State& state) {
    const auto& c = columns();
    qwp::MessageEncoder encoder;
    qwp::SymbolDictionary dict;
    qwp::EncodedFrames frames;
    qwp::EncodeOptions options;
    std::size_t wire = 0;
    for (auto _ : state) {
        Chunk chunk("trades");
        chunk.symbol_dict_i32("sym", c.codes, c.dict_offsets, c.dict_bytes)
            .column_f64("bid", c.bid)
            .column_f64("ask", c.ask)
            .column_i64("qty", c.qty)
            .designated_timestamp_nanos(c.ts);
        frames.clear();
        auto st = questdb::ingress::encode_chunk(encoder, chunk, dict, options, frames);
        if (!st)
            state.SkipWithError(st.failure().message.c_str());
        wire = frames.bytes.size();
        benchmark::DoNotOptimize(frames.bytes.data());
    }
    report(state, wire);
}

void arrow_encode(benchmark::State& state, std::size_t max_rows) {
    static const ArrowBatch batch;
    qwp::MessageEncoder encoder;
    qwp::SymbolDictionary dict;
    qwp::EncodedFrames frames;
    qwp::EncodeOptions options;
    std::size_t wire = 0;
    for (auto _ : state) {
        auto plan = questdb::arrow::detail::IngestPlan::make(batch.schema, batch.array, "ts", {});
        frames.clear();
        for (std::size_t begin = 0; begin < kRows; begin += max_rows) {
            Chunk chunk("trades");
            plan.fill(chunk, begin, std::min(max_rows, kRows - begin));
            auto st = questdb::ingress::encode_chunk(encoder, chunk, dict, options, frames);
            if (!st)
                state.SkipWithError(st.failure().message.c_str());
        }
        wire = frames.bytes.size();
        benchmark::DoNotOptimize(frames.bytes.data());
    }
    report(state, wire);
}

void BM_ArrowEncode(benchmark::State& state) {
    arrow_encode(state, kRows);
}
void BM_ArrowEncode_Sliced(benchmark::State& state) {
    arrow_encode(state, 100'000);
}

}  // namespace

BENCHMARK(BM_Memcpy)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ChunkEncode)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ArrowEncode)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ArrowEncode_Sliced)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
