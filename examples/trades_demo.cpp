// The demo: streams a million trades across a few symbols through a pooled column sender in
// 10,000-row chunks (reusing the arrays between flushes), printing progress, then waits for
// the server's acknowledgement and prints a summary.
// Usage: example_trades_demo [connect-string] [rows]
#include <questdb/questdb.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

int main(int argc, char** argv) {
    using namespace std::chrono_literals;
    using Clock = std::chrono::steady_clock;
    const std::string conf = argc > 1 ? argv[1]
                             : std::getenv("QDB_CLIENT_CONF") ? std::getenv("QDB_CLIENT_CONF")
                                                              : "ws::addr=localhost:9000;";
    const std::int64_t total = argc > 2 ? std::atoll(argv[2]) : 1'000'000;
    constexpr std::size_t kChunkRows = 10'000;
    constexpr std::array<std::string_view, 4> kSymbols{"BTC-USD", "ETH-USD", "SOL-USD", "XRP-USD"};
    try {
        auto db = questdb::QuestDb::connect(conf);
        auto sender = db.borrow_column_sender();

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

        const auto start = Clock::now();
        const auto t0 = questdb::ingress::TimestampNanos::now().as_i64();
        questdb::ingress::Chunk chunk("demo_trades");
        std::int64_t sent = 0;
        while (sent < total) {
            const auto n = static_cast<std::size_t>(std::min<std::int64_t>(kChunkRows, total - sent));
            for (std::size_t i = 0; i < n; ++i) {
                const auto row = sent + static_cast<std::int64_t>(i);
                sym[i] = static_cast<std::int32_t>(row % kSymbols.size());
                price[i] = 100.0 + static_cast<double>(row % 1000) * 0.01;
                qty[i] = 1 + row % 50;
                ts[i] = t0 + row * 1000;
            }
            chunk.symbol_dict_i32("sym", std::span(sym.data(), n), dict_offsets, dict_bytes)
                .column_f64("price", std::span(price.data(), n))
                .column_i64("qty", std::span(qty.data(), n))
                .designated_timestamp_nanos(std::span(ts.data(), n));
            sender.flush(chunk);
            sent += static_cast<std::int64_t>(n);
            if (sent % 200'000 == 0 || sent == total) {
                std::cout << "  flushed " << sent << " / " << total << " rows\n";
            }
        }
        sender.wait(questdb::ingress::AckLevel::ok, 30s);
        const auto seconds = std::chrono::duration<double>(Clock::now() - start).count();
        std::cout << "ingested " << total << " trades in " << seconds << " s ("
                  << static_cast<std::int64_t>(static_cast<double>(total) / seconds)
                  << " rows/s), acknowledged up to FSN " << *sender.acked_fsn() << "\n";
        return 0;
    } catch (const questdb::Error& e) {
        std::cerr << "error (" << questdb::to_string(e.error_code()) << "): " << e.what() << "\n";
        return 1;
    }
}
