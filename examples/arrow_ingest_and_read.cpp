// Ingests an Arrow record batch (built by hand through the Arrow C Data Interface, so no
// Arrow library is needed; any Arrow implementation can export the same structs) and reads
// the table back as Arrow.
//
//   example_arrow_ingest_and_read [connect string]
//
// The connect string comes from argv[1], else QDB_CLIENT_CONF, else ws::addr=localhost:9000;
// Exits non-zero on failure.

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <questdb/questdb.hpp>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr std::int64_t kRows = 4;

// The buffers of the batch below; the ArrowSchema/ArrowArray structs point into them.
struct TradesBatch {
    std::vector<double> price{101.5, 101.75, 0.0, 102.0};
    std::vector<std::uint8_t> price_validity{0b1011};  // row 2 is NULL
    std::vector<std::int32_t> symbol_offsets{0, 7, 14, 21, 28};
    std::string symbol_bytes = "BTC-USDETH-USDBTC-USDSOL-USD";
    std::vector<std::int64_t> ts;

    ArrowSchema price_schema{}, symbol_schema{}, ts_schema{}, schema{};
    ArrowArray price_array{}, symbol_array{}, ts_array{}, array{};
    ArrowSchema* schema_children[3]{&price_schema, &symbol_schema, &ts_schema};
    ArrowArray* array_children[3]{&price_array, &symbol_array, &ts_array};
    const void* price_buffers[2]{};
    const void* symbol_buffers[3]{};
    const void* ts_buffers[2]{};
    const void* struct_buffers[1]{nullptr};

    TradesBatch() {
        const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
        for (std::int64_t i = 0; i < kRows; ++i)
            ts.push_back(now + i);
        // The producer owns these buffers; release only marks the struct released.
        auto leaf = [](ArrowSchema& s, const char* format, const char* name) {
            s.format = format;
            s.name = name;
            s.flags = ARROW_FLAG_NULLABLE;
            s.release = [](ArrowSchema* x) { x->release = nullptr; };
        };
        leaf(price_schema, "g", "price");
        leaf(symbol_schema, "u", "symbol");
        leaf(ts_schema, "tsn:UTC", "ts");
        schema.format = "+s";
        schema.name = "";
        schema.n_children = 3;
        schema.children = schema_children;
        schema.release = [](ArrowSchema* x) { x->release = nullptr; };

        price_buffers[0] = price_validity.data();
        price_buffers[1] = price.data();
        symbol_buffers[1] = symbol_offsets.data();
        symbol_buffers[2] = symbol_bytes.data();
        ts_buffers[1] = ts.data();
        auto column = [](ArrowArray& a, std::int64_t nulls, std::int64_t n_buffers,
                         const void** buffers) {
            a.length = kRows;
            a.null_count = nulls;
            a.n_buffers = n_buffers;
            a.buffers = buffers;
            a.release = [](ArrowArray* x) { x->release = nullptr; };
        };
        column(price_array, 1, 2, price_buffers);
        column(symbol_array, 0, 3, symbol_buffers);
        column(ts_array, 0, 2, ts_buffers);
        column(array, 0, 1, struct_buffers);
        array.n_children = 3;
        array.children = array_children;
    }
};

int run(const std::string& conf) {
    auto db = questdb::QuestDb::connect(conf);
    TradesBatch batch;
    const questdb::arrow::ColumnOverride overrides[] = {
        questdb::arrow::ColumnOverride::symbol("symbol")};
    // Blocks until the server acknowledged the rows.
    db.flush_arrow_batch("arrow_example", batch.schema, batch.array, "ts", overrides);
    std::cout << "ingested " << kRows << " rows from an Arrow batch\n";

    // A real server makes acknowledged rows visible to queries shortly after; poll briefly.
    std::int64_t rows = 0;
    for (int attempt = 0; attempt < 50 && rows < kRows; ++attempt) {
        if (attempt > 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        auto reader = db.borrow_reader();
        auto cursor = reader->execute("select * from arrow_example");
        ArrowSchema schema{};
        ArrowArray array{};
        rows = cursor.fetch_all_arrow(&schema, &array);
        if (rows >= kRows) {
            std::cout << "read back " << rows << " rows as one Arrow batch of " << schema.n_children
                      << " columns:";
            for (std::int64_t c = 0; c < schema.n_children; ++c) {
                std::cout << ' ' << schema.children[c]->name << " (" << schema.children[c]->format
                          << ')';
            }
            std::cout << '\n';
        }
        questdb::arrow::release(&array);  // the consumer releases what it received
        questdb::arrow::release(&schema);
    }
    if (rows < kRows) {
        std::cerr << "expected at least " << kRows << " rows, read " << rows << '\n';
        return 1;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::string conf = "ws::addr=localhost:9000;";
    if (argc > 1) {
        conf = argv[1];
    } else if (const char* env = std::getenv("QDB_CLIENT_CONF"); env != nullptr && *env) {
        conf = env;
    }
    try {
        return run(conf);
    } catch (const questdb::Error& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 1;
    }
}
