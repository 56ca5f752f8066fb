// ILP encode rows/s next to the QWP Buffer encode of the same rows, in the same run.
//
// Rows: table "trades", one of 10 symbols, two doubles, one long, a nanosecond designated
// timestamp, 100,000 rows per iteration. Baseline: memcpy of the ILP text those rows
// produce (the floor for any encoder that writes that many bytes).

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "ingress/encode.hpp"
#include "questdb/ingress/buffer.hpp"

namespace {

using questdb::ingress::Buffer;
using questdb::ingress::ProtocolVersion;
using questdb::ingress::TimestampNanos;
namespace qwp = questdb::qwp;

constexpr std::size_t kRows = 100'000;

struct Rows {
    std::vector<std::string> symbols;
    std::vector<int> codes;
    std::vector<double> bid;
    std::vector<double> ask;
    std::vector<std::int64_t> qty;
    std::vector<std::int64_t> ts;
};

const Rows& rows() {
    static const Rows r = [] {
        Rows out;
        for (int s = 0; s < 10; ++s) {
            out.symbols.push_back("SYM-" + std::to_string(s));
        }
        std::uint64_t x = 88172645463325252ULL;
        for (std::size_t i = 0; i < kRows; ++i) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            out.codes.push_back(static_cast<int>(x % 10));
            out.bid.push_back(100.0 + static_cast<double>(x % 100000) / 1000.0);
            out.ask.push_back(out.bid.back() + 0.25);
            out.qty.push_back(static_cast<std::int64_t>(x % 5000));
            out.ts.push_back(1700000000000000000 + static_cast<std::int64_t>(i) * 1000);
        }
        return out;
    }();
    return r;
}

void fill(Buffer& buffer) {
    const auto& r = rows();
    for (std::size_t i = 0; i < kRows; ++i) {
        buffer.table("trades")
            .symbol("sym", r.symbols[static_cast<std::size_t>(r.codes[i])])
            .column_f64("bid", r.bid[i])
            .column_f64("ask", r.ask[i])
            .column_i64("qty", r.qty[i])
            .at(TimestampNanos(r.ts[i]));
    }
}

void report(benchmark::State& state, std::size_t bytes_per_iteration) {
    state.counters["rows/s"] = benchmark::Counter(static_cast<double>(kRows),
                                                  benchmark::Counter::kIsIterationInvariantRate);
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes_per_iteration));
    state.counters["bytes/row"] =
        static_cast<double>(bytes_per_iteration) / static_cast<double>(kRows);
}

void ilp_encode(benchmark::State& state, ProtocolVersion version) {
    Buffer buffer = Buffer::ilp(version);
    std::size_t bytes = 0;
    for (auto _ : state) {
        buffer.clear();
        fill(buffer);
        bytes = buffer.ilp_text().size();
        benchmark::DoNotOptimize(buffer.ilp_text().data());
    }
    report(state, bytes);
}

void BM_IlpTextEncode_V1(benchmark::State& state) {
    ilp_encode(state, ProtocolVersion::v1);
}
void BM_IlpBinaryEncode_V2(benchmark::State& state) {
    ilp_encode(state, ProtocolVersion::v2);
}

void BM_QwpBufferBuildAndEncode(benchmark::State& state) {
    qwp::MessageEncoder encoder;
    qwp::SymbolDictionary dict;
    qwp::EncodedFrames frames;
    qwp::EncodeOptions options;
    Buffer buffer;
    std::size_t bytes = 0;
    for (auto _ : state) {
        buffer.clear();
        fill(buffer);
        frames.clear();
        auto st = questdb::ingress::encode_buffer(encoder, buffer, dict, options, frames);
        if (!st) {
            state.SkipWithError(st.failure().message.c_str());
            break;
        }
        bytes = frames.bytes.size();
        benchmark::DoNotOptimize(frames.bytes.data());
    }
    report(state, bytes);
}

void BM_MemcpyOfIlpText(benchmark::State& state) {
    Buffer buffer = Buffer::ilp(ProtocolVersion::v1);
    fill(buffer);
    const std::string source(buffer.ilp_text());
    std::string target(source.size(), '\0');
    for (auto _ : state) {
        std::memcpy(target.data(), source.data(), source.size());
        benchmark::DoNotOptimize(target.data());
        benchmark::ClobberMemory();
    }
    report(state, source.size());
}

BENCHMARK(BM_MemcpyOfIlpText)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_IlpTextEncode_V1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_IlpBinaryEncode_V2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_QwpBufferBuildAndEncode)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
