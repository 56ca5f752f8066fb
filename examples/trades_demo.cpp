// The demo: streams trades across a few symbols through a pooled column sender in
// 10,000-row chunks (reusing the arrays between flushes) with a progress line, waits for the
// server's acknowledgement, then queries everything back through the reader and prints a
// summary: rows, ingest and read throughput, per-symbol statistics and a few rows.
// Usage: example_trades_demo [connect-string] [rows]   (default 1,000,000 rows)
#include <array>
#include <cinttypes>
#include <cstdio>
#include <map>
#include <span>
#include <string_view>
#include <thread>
#include <vector>

#include "example_support.hpp"

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::array<std::string_view, 4> kSymbols{"BTC-USD", "ETH-USD", "SOL-USD", "XRP-USD"};
constexpr std::array<double, 4> kBasePrice{97'250.0, 3'410.0, 242.5, 1.42};

struct SymbolStats {
    std::uint64_t trades = 0;
    double volume = 0;
    double notional = 0;
    double low = 1e300;
    double high = 0;
};

struct ReadBack {
    std::uint64_t rows = 0;
    std::uint64_t batches = 0;
    std::uint64_t wire_bytes = 0;
    std::map<std::string, SymbolStats, std::less<>> stats;
    std::vector<std::string> first_rows;
};

ReadBack read_back(questdb::QuestDb& db, std::int64_t from_ts) {
    auto reader = db.borrow_reader();
    auto cursor = reader
                      ->prepare(
                          "SELECT sym, price, qty, timestamp FROM demo_trades "
                          "WHERE timestamp >= $1")
                      .bind_timestamp_nanos(from_ts)
                      .execute();
    ReadBack out;
    while (auto batch = cursor.next_batch()) {
        auto sym = batch->column(0).as_symbol();
        auto price = batch->column(1).as_double();
        auto qty = batch->column(2).as_long();
        auto ts = batch->column(3).as_timestamp();
        for (std::size_t r = 0; r < batch->row_count(); ++r) {
            const auto s = sym.get(r).value_or("NULL");
            auto it = out.stats.find(s);
            if (it == out.stats.end()) {
                it = out.stats.emplace(std::string(s), SymbolStats{}).first;
            }
            auto& st = it->second;
            const double p = price.get(r).value_or(0);
            const auto q = static_cast<double>(qty.get(r).value_or(0));
            ++st.trades;
            st.volume += q;
            st.notional += p * q;
            st.low = std::min(st.low, p);
            st.high = std::max(st.high, p);
            if (out.first_rows.size() < 5) {
                char line[160];
                std::snprintf(line, sizeof line, "  %-8.*s %12.4f %6" PRId64 "   ts=%" PRId64,
                              static_cast<int>(s.size()), s.data(), p, qty.get(r).value_or(0),
                              ts.get(r).value_or(0));
                out.first_rows.emplace_back(line);
            }
        }
        out.rows += batch->row_count();
        ++out.batches;
    }
    out.wire_bytes = cursor.stats().wire_bytes;
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace std::chrono_literals;
    const std::int64_t total = argc > 2 ? std::atoll(argv[2]) : 1'000'000;
    constexpr std::size_t kChunkRows = 10'000;
    return example::run([&] {
        auto db = questdb::QuestDb::connect(example::connect_string(argc, argv));

        // The symbol dictionary in Arrow layout: offsets into one byte array.
        std::vector<std::int32_t> dict_offsets{0};
        std::vector<std::uint8_t> dict_bytes;
        for (auto s : kSymbols) {
            dict_bytes.insert(dict_bytes.end(), s.begin(), s.end());
            dict_offsets.push_back(static_cast<std::int32_t>(dict_bytes.size()));
        }
        std::vector<std::int32_t> sym(kChunkRows);
        std::vector<double> price(kChunkRows);
        std::vector<std::int64_t> qty(kChunkRows);
        std::vector<std::int64_t> ts(kChunkRows);

        std::cout << "ingesting " << total << " trades across " << kSymbols.size()
                  << " symbols into demo_trades\n";
        const auto start = Clock::now();
        const auto t0 = questdb::ingress::TimestampNanos::now().as_i64();
        std::uint64_t state = 0x9e3779b97f4a7c15ULL;  // xorshift: a cheap random walk
        auto random = [&state] {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            return state;
        };
        std::array<double, 4> last = kBasePrice;

        auto sender = db.borrow_column_sender();
        questdb::ingress::Chunk chunk("demo_trades");
        std::int64_t sent = 0;
        while (sent < total) {
            const auto n =
                static_cast<std::size_t>(std::min<std::int64_t>(kChunkRows, total - sent));
            for (std::size_t i = 0; i < n; ++i) {
                const auto row = sent + static_cast<std::int64_t>(i);
                const auto s = static_cast<std::size_t>(random() % kSymbols.size());
                const double step = (static_cast<double>(random() % 2001) - 1000.0) / 1e6;
                last[s] *= 1.0 + step;
                sym[i] = static_cast<std::int32_t>(s);
                price[i] = last[s];
                qty[i] = 1 + static_cast<std::int64_t>(random() % 100);
                ts[i] = t0 + row * 1000;  // one trade per microsecond
            }
            chunk.symbol_dict_i32("sym", std::span(sym.data(), n), dict_offsets, dict_bytes)
                .column_f64("price", std::span(price.data(), n))
                .column_i64("qty", std::span(qty.data(), n))
                .designated_timestamp_nanos(std::span(ts.data(), n));
            sender.flush(chunk);
            sent += static_cast<std::int64_t>(n);
            if (sent % 100'000 == 0 || sent == total) {
                const auto acked = sender.acked_fsn();
                std::cout << "\r  flushed " << sent << " / " << total << " rows, acknowledged FSN "
                          << (acked ? std::to_string(*acked) : "-") << "   " << std::flush;
            }
        }
        sender.wait(questdb::ingress::AckLevel::ok, 60s);
        const auto ingest_s = std::chrono::duration<double>(Clock::now() - start).count();
        std::cout << "\n";

        // QuestDB applies acknowledged rows asynchronously: poll until all are visible.
        const auto read_start = Clock::now();
        ReadBack back;
        for (int attempt = 0; attempt < 300; ++attempt) {
            back = read_back(db, t0);
            if (back.rows >= static_cast<std::uint64_t>(total)) {
                break;
            }
            std::this_thread::sleep_for(100ms);
        }
        const auto read_s = std::chrono::duration<double>(Clock::now() - read_start).count();

        std::cout << "\nsummary\n";
        std::printf("  ingested   %" PRId64
                    " rows in %.2f s: %.0f rows/s (%zu-row chunks, "
                    "acknowledged up to FSN %" PRIu64 ")\n",
                    total, ingest_s, static_cast<double>(total) / ingest_s, kChunkRows,
                    *sender.acked_fsn());
        std::printf("  read back  %" PRIu64 " rows in %" PRIu64
                    " batches, %.1f MiB, in %.2f s: "
                    "%.0f rows/s\n",
                    back.rows, back.batches, static_cast<double>(back.wire_bytes) / 1048576.0,
                    read_s, static_cast<double>(back.rows) / read_s);
        std::printf("  %-8s %9s %14s %12s %12s %12s\n", "symbol", "trades", "volume", "vwap", "low",
                    "high");
        for (const auto& [name, st] : back.stats) {
            std::printf("  %-8s %9" PRIu64 " %14.0f %12.4f %12.4f %12.4f\n", name.c_str(),
                        st.trades, st.volume, st.notional / st.volume, st.low, st.high);
        }
        std::cout << "  first rows:\n";
        for (const auto& line : back.first_rows) {
            std::cout << line << "\n";
        }
        example::check(
            back.rows == static_cast<std::uint64_t>(total),
            "read back " + std::to_string(back.rows) + " of " + std::to_string(total) + " rows");
    });
}
