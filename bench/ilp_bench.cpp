// ILP encode rows/s next to the QWP Buffer encode of the same rows, in the same run.
//
// Rows: table "trades", one of 10 symbols, two doubles, one long, a nanosecond designated
// timestamp, 100,000 rows per iteration. Baseline: memcpy of the ILP text those rows
// produce (the floor for any encoder that writes that many bytes).
//
// Issue 10 (S1 shape, bench/shapes.hpp), all in the same run:
//  - BM_S1Encode/<proto>: 100,000 S1 rows built and encoded as ILP v1 text (proto 1), ILP v2
//    binary doubles (proto 2) and QWP (proto 0, Buffer build + encode), beside
//    BM_S1MemcpyIlp (memcpy of the ILP v1 bytes). Target: ILP v1 >= 10M rows/s.
//  - BM_S1EndToEnd/<proto>: 1,000,000 S1 rows in 10,000-row flushes into the in-tree test
//    server (sink mode) over loopback: ILP/HTTP v1 and v2 (synchronous: each flush waits for
//    the 204) and QWP through the pool's row sender (proto 0) and column sender (proto 3),
//    including the final wait(AckLevel::ok). Wall time. Target: QWP >= 3x ILP/HTTP.
//  - BM_S1EndToEndIlpDrain/<proto>: the same ILP/HTTP flushes into a plain-socket server that
//    answers 204 without parsing (loopback.hpp): the client-bound ILP figure, since the test
//    server's strict ILP parser is far slower than the client.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "ingress/encode.hpp"
#include "loopback.hpp"
#include "questdb/ingress/buffer.hpp"
#include "questdb/questdb.hpp"
#include "shapes.hpp"

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

// ---- Issue 10: S1 -----------------------------------------------------------------------

using qdb_bench::ShapeKind;

constexpr std::size_t kS1EncodeRows = 100'000;
constexpr std::size_t kS1EndToEndRows = 1'000'000;
constexpr std::size_t kS1Batch = 10'000;
constexpr int kQwpRow = 0;
constexpr int kQwpColumn = 3;

const char* proto_name(int proto) {
    switch (proto) {
        case 1:
            return "ILP v1 text";
        case 2:
            return "ILP v2 binary";
        case kQwpColumn:
            return "QWP column";
        default:
            return "QWP row";
    }
}

void BM_S1Encode(benchmark::State& state) {
    const int proto = static_cast<int>(state.range(0));
    const auto& d = qdb_bench::shape(ShapeKind::s1, kS1EncodeRows);
    qwp::MessageEncoder encoder;
    qwp::SymbolDictionary dict;
    qwp::EncodedFrames frames;
    qwp::EncodeOptions options;
    Buffer buffer =
        proto == 0 ? Buffer() : Buffer::ilp(proto == 1 ? ProtocolVersion::v1 : ProtocolVersion::v2);
    std::size_t bytes = 0;
    auto once = [&] {
        buffer.clear();
        qdb_bench::fill_buffer(buffer, d, 0, d.rows);
        if (proto == 0) {
            frames.clear();
            (void)questdb::ingress::encode_buffer(encoder, buffer, dict, options, frames);
            bytes = frames.bytes.size();
            benchmark::DoNotOptimize(frames.bytes.data());
        } else {
            bytes = buffer.ilp_text().size();
            benchmark::DoNotOptimize(buffer.ilp_text().data());
        }
    };
    once();  // warm-up
    qdb_bench::AllocationMeter allocations;
    for (auto _ : state)
        once();
    allocations.report(state, static_cast<double>(d.rows));
    qdb_bench::report_rows(state, static_cast<double>(d.rows));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
    state.counters["bytes/row"] = static_cast<double>(bytes) / static_cast<double>(d.rows);
    state.SetLabel(proto_name(proto));
}

void BM_S1MemcpyIlp(benchmark::State& state) {
    const auto& d = qdb_bench::shape(ShapeKind::s1, kS1EncodeRows);
    Buffer buffer = Buffer::ilp(ProtocolVersion::v1);
    qdb_bench::fill_buffer(buffer, d, 0, d.rows);
    const std::string source(buffer.ilp_text());
    std::string target(source.size(), '\0');
    for (auto _ : state) {
        std::memcpy(target.data(), source.data(), source.size());
        benchmark::DoNotOptimize(target.data());
        benchmark::ClobberMemory();
    }
    qdb_bench::report_rows(state, static_cast<double>(d.rows));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * source.size()));
}

// ILP/HTTP end to end: synchronous flushes, each waiting for the server's 204.
template <typename Batches>
void send_ilp(benchmark::State& state, int proto, const std::string& address, Batches&& batches,
              const qdb_bench::ShapeData& d) {
    auto sender = questdb::ingress::Sender::from_conf(
        "http::addr=" + address + ";protocol_version=" + std::to_string(proto) + ";");
    Buffer buffer = sender.new_buffer();
    auto send_all = [&] {
        batches([&](std::size_t begin) {
            qdb_bench::fill_buffer(buffer, d, begin, kS1Batch);
            sender.flush(buffer);
        });
    };
    send_all();
    for (auto _ : state)
        send_all();
}

void BM_S1EndToEnd(benchmark::State& state) {
    using questdb::ingress::AckLevel;
    const int proto = static_cast<int>(state.range(0));
    const auto& d = qdb_bench::shape(ShapeKind::s1, kS1EndToEndRows);
    const auto address = qdb_bench::sink_server().address();
    const auto drain = std::chrono::milliseconds(60'000);
    auto batches = [&](auto&& flush_one) {
        for (std::size_t begin = 0; begin < d.rows; begin += kS1Batch)
            flush_one(begin);
    };
    if (proto == 1 || proto == 2) {
        send_ilp(state, proto, address, batches, d);
    } else {
        auto db = questdb::QuestDb::connect("ws::addr=" + address + ";");
        if (proto == kQwpColumn) {
            auto sender = db.borrow_column_sender();
            questdb::ingress::Chunk chunk(d.table);
            auto send_all = [&] {
                batches([&](std::size_t begin) {
                    qdb_bench::fill_chunk(chunk, d, begin, kS1Batch);
                    sender.flush(chunk);
                });
                sender.wait(AckLevel::ok, drain);
            };
            send_all();
            for (auto _ : state)
                send_all();
        } else {
            auto sender = db.borrow_row_sender();
            Buffer buffer = sender->new_buffer();
            auto send_all = [&] {
                batches([&](std::size_t begin) {
                    qdb_bench::fill_buffer(buffer, d, begin, kS1Batch);
                    sender->flush(buffer);
                });
                sender->wait(AckLevel::ok, drain);
            };
            send_all();
            for (auto _ : state)
                send_all();
        }
        db.close();
    }
    qdb_bench::report_rows(state, static_cast<double>(d.rows));
    state.SetLabel(proto_name(proto));
}

// ILP/HTTP into a server that only reads each request and answers 204 (loopback.hpp): what
// the ILP client itself can do, which the test server's ILP parser hides.
void BM_S1EndToEndIlpDrain(benchmark::State& state) {
    const int proto = static_cast<int>(state.range(0));
    const auto& d = qdb_bench::shape(ShapeKind::s1, kS1EndToEndRows);
    qdb_bench::HttpDrain server;
    send_ilp(
        state, proto, server.address(),
        [&](auto&& flush_one) {
            for (std::size_t begin = 0; begin < d.rows; begin += kS1Batch)
                flush_one(begin);
        },
        d);
    qdb_bench::report_rows(state, static_cast<double>(d.rows));
    state.SetLabel(std::string(proto_name(proto)) + " into an HTTP drain");
}

BENCHMARK(BM_S1MemcpyIlp)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_S1Encode)->ArgName("proto")->Arg(1)->Arg(2)->Arg(0)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_S1EndToEnd)
    ->ArgName("proto")
    ->Arg(1)
    ->Arg(2)
    ->Arg(kQwpRow)
    ->Arg(kQwpColumn)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_S1EndToEndIlpDrain)
    ->ArgName("proto")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
