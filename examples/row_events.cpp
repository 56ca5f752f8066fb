// Row-major ingestion: events arrive one at a time and are appended to a Buffer row by row
// (table, symbols, columns, timestamp). The Buffer keeps its memory across flushes, so a
// steady event stream allocates nothing once warmed up. Optional fields use the `_opt`
// setters: an empty optional leaves the column NULL in that row.
// Usage: example_row_events [connect-string]
#include <optional>
#include <string>

#include "example_support.hpp"

namespace {

struct OrderEvent {
    std::string_view venue;
    std::string_view side;
    std::int64_t order_id;
    double price;
    std::int64_t quantity;
    std::optional<std::string_view> client_tag;  // not every order carries one
};

OrderEvent next_event(std::int64_t i) {
    static constexpr std::string_view kVenues[] = {"XNAS", "XLON", "XTKS"};
    return OrderEvent{
        kVenues[i % 3],   i % 2 == 0 ? "buy" : "sell",
        1000 + i,         99.5 + static_cast<double>(i % 7) * 0.25,
        10 * (1 + i % 5), i % 4 == 0 ? std::optional<std::string_view>("algo-7") : std::nullopt};
}

}  // namespace

int main(int argc, char** argv) {
    using namespace std::chrono_literals;
    return example::run([&] {
        auto db = questdb::QuestDb::connect(example::connect_string(argc, argv));
        const std::string orders = example::unique_table("orders");
        const std::string fills = example::unique_table("fills");

        auto sender = db.borrow_row_sender();
        auto buffer = sender->new_buffer();
        constexpr std::int64_t kEvents = 2500;
        std::int64_t filled = 0;
        for (std::int64_t i = 0; i < kEvents; ++i) {
            const auto e = next_event(i);
            buffer.table(orders)
                .symbol("venue", e.venue)
                .symbol("side", e.side)
                .column_i64("order_id", e.order_id)
                .column_f64("price", e.price)
                .column_i64("quantity", e.quantity)
                .column_str_opt("client_tag", e.client_tag)
                .at(questdb::ingress::TimestampNanos::now());
            if (i % 5 == 0) {  // one buffer may hold rows of several tables
                buffer.table(fills)
                    .symbol("venue", e.venue)
                    .column_i64("order_id", e.order_id)
                    .column_f64("fill_price", e.price)
                    .at(questdb::ingress::TimestampNanos::now());
                ++filled;
            }
            if (buffer.row_count() >= 1000) {
                sender->flush(buffer);  // queued for delivery; the buffer is cleared for reuse
            }
        }
        sender->flush(buffer);
        sender->wait(questdb::ingress::AckLevel::ok, 30s);
        std::cout << "sent " << kEvents << " orders and " << filled << " fills\n";

        example::expect_rows(db, orders, static_cast<std::uint64_t>(kEvents));
        example::expect_rows(db, fills, static_cast<std::uint64_t>(filled));

        // The client tag is NULL in three rows out of four.
        auto reader = db.borrow_reader();
        auto cursor = reader->execute("SELECT order_id, client_tag FROM " + orders + " LIMIT 8");
        while (auto batch = cursor.next_batch()) {
            auto ids = batch->column(0).as_long();
            auto tags = batch->column(1).as_varchar();
            for (std::size_t r = 0; r < batch->row_count(); ++r) {
                const auto id = *ids.get(r);
                example::check(tags.get(r).has_value() == ((id - 1000) % 4 == 0),
                               "client_tag of order " + std::to_string(id));
                std::cout << "  order " << id << " tag " << tags.get(r).value_or("NULL") << "\n";
            }
        }
        std::cout << "read back " << kEvents << " orders and " << filled << " fills\n";
    });
}
