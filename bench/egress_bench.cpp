// Decode throughput of RESULT_BATCH frames next to memcpy of the same bytes.
//
// Shapes: S1 = ts TIMESTAMP, id LONG, price DOUBLE, sym SYMBOL (8 values), note VARCHAR
// (16 bytes); fixed = ts TIMESTAMP (raw), id LONG, price DOUBLE, qty INT. Each "decode" also
// touches one value per column so the work is not optimised away. Reported counters:
// rows/s and bytes/s (bytes = the frame size), next to BM_Memcpy_* over the same frames.
// Target: decode of the fixed shape >= 50% of memcpy throughput.
//
// Issue 10 shapes (bench/shapes.hpp): BM_DecodeReadShape/<shape> decodes a 65,536-row batch
// of S1 or S2 (Gorilla timestamps, as the server sends them) and reads every value of every
// column through the public views (symbols resolved to text, varchars as string_view);
// BM_MemcpyShape/<shape> copies the same frame bytes. Target: S1 >= 100M rows/s.

#include <benchmark/benchmark.h>

#include <cstring>
#include <vector>

#include "bench_common.hpp"
#include "egress/batch_decoder.hpp"
#include "egress/messages.hpp"
#include "egress/server_writer.hpp"
#include "shapes.hpp"

namespace {

using namespace questdb::egress;

constexpr std::size_t kRows = 65536;

std::vector<std::uint8_t> make_frame(bool s1) {
    std::vector<server::ResultColumn> cols;
    cols.emplace_back("ts", ColumnKind::timestamp);
    cols.emplace_back("id", ColumnKind::long_);
    cols.emplace_back("price", ColumnKind::double_);
    if (s1) {
        cols.emplace_back("sym", ColumnKind::symbol);
        cols.emplace_back("note", ColumnKind::varchar);
    } else {
        cols.emplace_back("qty", ColumnKind::int_);
    }
    for (std::size_t r = 0; r < kRows; ++r) {
        cols[0].append_i64(1'700'000'000'000'000 +
                           static_cast<std::int64_t>(r * 1000 + (r * 7919) % 13));
        cols[1].append_i64(static_cast<std::int64_t>(r));
        cols[2].append_f64(100.0 + static_cast<double>(r % 1000) / 8);
        if (s1) {
            cols[3].append_bytes("SYM-" + std::to_string(r % 8));
            cols[4].append_bytes("note-0123456789a");
        } else {
            cols[3].append_i32(static_cast<std::int32_t>(r % 100));
        }
    }
    server::ResultEncoder enc;
    server::BatchEncodeOptions opts;
    opts.gorilla = s1;  // S1 as the server sends it; the fixed shape raw (zero-copy path)
    std::vector<std::uint8_t> frame;
    (void)enc.encode_batch(1, 0, cols, 0, kRows, opts, frame);
    return frame;
}

void run_decode(benchmark::State& state, bool s1) {
    const auto frame = make_frame(s1);
    BatchDecoder decoder;
    QuerySchema schema;
    SymbolDict dict;
    const auto header = wire::decode_header(frame).value();
    auto prelude = parse_batch_prelude(std::span(frame).subspan(wire::kHeaderSize)).value();
    for (auto _ : state) {
        // Each iteration is batch 0 of a new query on a fresh dictionary, like a first batch.
        schema.clear();
        dict.clear();
        auto r = decoder.decode(header.flags, prelude, false, schema, dict);
        if (!r.ok()) {
            state.SkipWithError(r.failure().message.c_str());
            return;
        }
        const auto* b = r.value();
        benchmark::DoNotOptimize(b->columns[1].values);
        benchmark::DoNotOptimize(b->columns[b->column_count - 1].values);
    }
    state.counters["rows/s"] = benchmark::Counter(static_cast<double>(kRows),
                                                  benchmark::Counter::kIsIterationInvariantRate);
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * frame.size()));
    state.counters["frame_bytes"] = static_cast<double>(frame.size());
}

// Decode, then read every value of every fixed-width column through the public views.
void run_decode_and_read(benchmark::State& state) {
    const auto frame = make_frame(false);
    BatchDecoder decoder;
    QuerySchema schema;
    SymbolDict dict;
    const auto header = wire::decode_header(frame).value();
    auto prelude = parse_batch_prelude(std::span(frame).subspan(wire::kHeaderSize)).value();
    for (auto _ : state) {
        schema.clear();
        auto r = decoder.decode(header.flags, prelude, false, schema, dict);
        if (!r.ok()) {
            state.SkipWithError(r.failure().message.c_str());
            return;
        }
        BatchView b(r.value());
        auto ts = b.column(0).as_timestamp();
        auto id = b.column(1).as_long();
        auto price = b.column(2).as_double();
        auto qty = b.column(3).as_int();
        std::int64_t acc = 0;
        double dacc = 0;
        for (std::size_t i = 0; i < b.row_count(); ++i) {
            acc += ts.value(i) + id.value(i) + qty.value(i);
            dacc += price.value(i);
        }
        benchmark::DoNotOptimize(acc);
        benchmark::DoNotOptimize(dacc);
    }
    state.counters["rows/s"] = benchmark::Counter(static_cast<double>(kRows),
                                                  benchmark::Counter::kIsIterationInvariantRate);
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * frame.size()));
}

void run_memcpy(benchmark::State& state, bool s1) {
    const auto frame = make_frame(s1);
    std::vector<std::uint8_t> dst(frame.size());
    for (auto _ : state) {
        std::memcpy(dst.data(), frame.data(), frame.size());
        benchmark::ClobberMemory();
    }
    state.counters["rows/s"] = benchmark::Counter(static_cast<double>(kRows),
                                                  benchmark::Counter::kIsIterationInvariantRate);
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * frame.size()));
}

void BM_Decode_Fixed(benchmark::State& s) {
    run_decode(s, false);
}
void BM_Memcpy_Fixed(benchmark::State& s) {
    run_memcpy(s, false);
}
void BM_DecodeRead_Fixed(benchmark::State& s) {
    run_decode_and_read(s);
}
void BM_Decode_S1(benchmark::State& s) {
    run_decode(s, true);
}
void BM_Memcpy_S1(benchmark::State& s) {
    run_memcpy(s, true);
}

BENCHMARK(BM_Decode_Fixed);
BENCHMARK(BM_Memcpy_Fixed);
BENCHMARK(BM_DecodeRead_Fixed);
BENCHMARK(BM_Decode_S1);
BENCHMARK(BM_Memcpy_S1);

// ---- Issue 10 shapes -------------------------------------------------------------------

using qdb_bench::ShapeKind;

std::vector<std::uint8_t> make_shape_frame(ShapeKind kind) {
    const auto& d = qdb_bench::shape(kind, kRows);
    std::vector<server::ResultColumn> cols;
    cols.emplace_back("ts", ColumnKind::timestamp);
    cols.emplace_back(d.long_name, ColumnKind::long_);
    for (const auto& c : d.doubles)
        cols.emplace_back(c.name, ColumnKind::double_);
    for (const auto& s : d.symbols)
        cols.emplace_back(s.name, ColumnKind::symbol);
    cols.emplace_back("note", ColumnKind::varchar);
    for (std::size_t r = 0; r < kRows; ++r) {
        std::size_t c = 0;
        cols[c++].append_i64(d.ts[r]);
        cols[c++].append_i64(d.longs[r]);
        for (const auto& dc : d.doubles)
            cols[c++].append_f64(dc.values[r]);
        for (std::size_t s = 0; s < d.symbols.size(); ++s) {
            cols[c++].append_bytes(std::string(d.symbol(s, r)));
        }
        cols[c++].append_bytes(std::string(d.note(r)));
    }
    server::ResultEncoder enc;
    server::BatchEncodeOptions opts;
    opts.gorilla = true;
    std::vector<std::uint8_t> frame;
    (void)enc.encode_batch(1, 0, cols, 0, kRows, opts, frame);
    return frame;
}

// Reads every value of every column through the views; returns a checksum.
std::uint64_t read_all(const BatchView& b) {
    std::uint64_t acc = 0;
    double dacc = 0;
    const std::size_t rows = b.row_count();
    for (std::size_t c = 0; c < b.column_count(); ++c) {
        const auto col = b.column(c);
        switch (col.kind()) {
            case ColumnKind::timestamp: {
                const auto v = col.as_timestamp();
                for (std::size_t i = 0; i < rows; ++i)
                    acc += static_cast<std::uint64_t>(v.value(i));
                break;
            }
            case ColumnKind::long_: {
                const auto v = col.as_long();
                for (std::size_t i = 0; i < rows; ++i)
                    acc += static_cast<std::uint64_t>(v.value(i));
                break;
            }
            case ColumnKind::double_: {
                const auto v = col.as_double();
                for (std::size_t i = 0; i < rows; ++i)
                    dacc += v.value(i);
                break;
            }
            case ColumnKind::symbol: {
                const auto v = col.as_symbol();
                for (std::size_t i = 0; i < rows; ++i)
                    acc += v.resolve(i)->size();
                break;
            }
            case ColumnKind::varchar: {
                const auto v = col.as_varchar();
                for (std::size_t i = 0; i < rows; ++i)
                    acc += v.value(i)->size();
                break;
            }
            default:
                break;
        }
    }
    return acc + static_cast<std::uint64_t>(dacc);
}

void BM_DecodeReadShape(benchmark::State& state) {
    const auto kind = static_cast<ShapeKind>(state.range(0));
    const auto frame = make_shape_frame(kind);
    BatchDecoder decoder;
    QuerySchema schema;
    SymbolDict dict;
    const auto header = wire::decode_header(frame).value();
    auto prelude = parse_batch_prelude(std::span(frame).subspan(wire::kHeaderSize)).value();
    auto decode_and_read = [&] {
        schema.clear();
        dict.clear();
        auto r = decoder.decode(header.flags, prelude, false, schema, dict);
        if (!r.ok()) {
            state.SkipWithError(r.failure().message.c_str());
            return false;
        }
        benchmark::DoNotOptimize(read_all(BatchView(r.value())));
        return true;
    };
    if (!decode_and_read())
        return;  // warm-up
    qdb_bench::AllocationMeter allocations;
    for (auto _ : state) {
        if (!decode_and_read())
            return;
    }
    allocations.report(state, static_cast<double>(kRows));
    qdb_bench::report_rows(state, static_cast<double>(kRows));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * frame.size()));
    state.counters["frame_bytes/row"] = static_cast<double>(frame.size()) / kRows;
    state.SetLabel(qdb_bench::shape_name(kind));
}

void BM_MemcpyShape(benchmark::State& state) {
    const auto kind = static_cast<ShapeKind>(state.range(0));
    const auto frame = make_shape_frame(kind);
    std::vector<std::uint8_t> dst(frame.size());
    for (auto _ : state) {
        std::memcpy(dst.data(), frame.data(), frame.size());
        benchmark::ClobberMemory();
    }
    qdb_bench::report_rows(state, static_cast<double>(kRows));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * frame.size()));
    state.SetLabel(qdb_bench::shape_name(kind));
}

BENCHMARK(BM_MemcpyShape)->ArgName("shape")->Arg(0)->Arg(1);
BENCHMARK(BM_DecodeReadShape)->ArgName("shape")->Arg(0)->Arg(1);

}  // namespace

BENCHMARK_MAIN();
