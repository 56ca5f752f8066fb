// Compressed query results: `compression=zstd` asks the server to compress result batches
// (`compression_level=1..22`, the server may clamp it); `compression=auto` accepts zstd when
// the server offers it. Decompression is transparent: the batches read the same. Worth it
// on slow or metered links; on a fast local link raw is usually quicker.
// Usage: example_zstd_compression [connect-string]   (without a compression key)
#include <vector>

#include "example_support.hpp"

namespace {

struct Pass {
    std::uint64_t rows = 0;
    std::uint64_t wire_bytes = 0;
    double checksum = 0;
};

Pass read_all(questdb::QuestDb& db, const std::string& table) {
    auto reader = db.borrow_reader();
    auto cursor = reader->execute("SELECT * FROM " + table);
    Pass pass;
    while (auto batch = cursor.next_batch()) {
        auto price = batch->column(1).as_double();
        for (std::size_t r = 0; r < batch->row_count(); ++r) {
            pass.checksum += price.get(r).value_or(0);
        }
        pass.rows += batch->row_count();
    }
    pass.wire_bytes = cursor.stats().wire_bytes;
    return pass;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace std::chrono_literals;
    return example::run([&] {
        std::string conf = example::connect_string(argc, argv);
        if (!conf.ends_with(';')) {
            conf += ';';
        }
        auto raw_db = questdb::QuestDb::connect(conf);
        auto zstd_db = questdb::QuestDb::connect(conf + "compression=zstd;compression_level=3;");

        // Repetitive market data compresses well.
        const std::string table = example::unique_table("zstd_demo");
        constexpr std::size_t kRows = 50'000;
        std::vector<std::int64_t> venue_id(kRows), ts(kRows);
        std::vector<double> price(kRows);
        const auto t0 = questdb::ingress::TimestampNanos::now().as_i64();
        for (std::size_t i = 0; i < kRows; ++i) {
            venue_id[i] = static_cast<std::int64_t>(i % 4);
            price[i] = 100.0 + static_cast<double>(i % 16) * 0.25;
            ts[i] = t0 + static_cast<std::int64_t>(i) * 1000;
        }
        {
            auto sender = raw_db.borrow_column_sender();
            questdb::ingress::Chunk chunk(table);
            chunk.column_i64("venue_id", venue_id)
                .column_f64("price", price)
                .designated_timestamp_nanos(ts);
            sender.flush(chunk);
            sender.wait(questdb::ingress::AckLevel::ok, 30s);
        }
        example::expect_rows(raw_db, table, kRows);

        const auto raw = read_all(raw_db, table);
        const auto zstd = read_all(zstd_db, table);
        std::cout << "raw:  " << raw.rows << " rows, " << raw.wire_bytes << " bytes on the wire\n"
                  << "zstd: " << zstd.rows << " rows, " << zstd.wire_bytes << " bytes on the wire ("
                  << (100 * zstd.wire_bytes / std::max<std::uint64_t>(raw.wire_bytes, 1))
                  << "% of raw)\n";
        example::check(raw.rows == kRows && zstd.rows == kRows, "both reads return every row");
        example::check(raw.checksum == zstd.checksum, "both reads return the same values");
        example::check(zstd.wire_bytes < raw.wire_bytes, "zstd batches are smaller");
    });
}
