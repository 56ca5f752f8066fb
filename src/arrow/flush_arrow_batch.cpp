// QuestDb::flush_arrow_batch: an Arrow record batch through a borrowed column sender, one
// QWP message per slice, then a blocking wait for the acknowledgement.

#include <algorithm>
#include <chrono>

#include "arrow/ingest_plan.hpp"
#include "questdb/db.hpp"
#include "questdb/ingress/chunk.hpp"

namespace questdb {
namespace {
constexpr std::size_t kDefaultMaxRows = 100'000;
}

void QuestDb::flush_arrow_batch(std::string_view table, const ArrowSchema& schema,
                                const ArrowArray& array,
                                std::optional<std::string_view> timestamp_column,
                                std::span<const arrow::ColumnOverride> overrides,
                                std::optional<ingress::AckLevel> ack,
                                const arrow::IngestOptions& options) {
    // Classify first: an unsupported column fails before anything is borrowed or sent.
    auto plan = arrow::detail::IngestPlan::make(schema, array, timestamp_column, overrides);
    ingress::Chunk chunk(table);
    if (plan.row_count() == 0) {
        return;
    }
    const auto level =
        ack.value_or(config().transport().request_durable_ack ? ingress::AckLevel::durable
                                                              : ingress::AckLevel::ok);
    const auto timeout =
        options.ack_timeout_ms != 0
            ? std::chrono::milliseconds(options.ack_timeout_ms)
            : std::chrono::duration_cast<std::chrono::milliseconds>(config().ilp().request_timeout);
    const std::size_t max_rows = options.max_rows != 0 ? options.max_rows : kDefaultMaxRows;
    auto sender = borrow_column_sender();
    for (std::size_t begin = 0; begin < plan.row_count(); begin += max_rows) {
        plan.fill(chunk, begin, std::min(max_rows, plan.row_count() - begin));
        sender.flush(chunk);  // clears the chunk, ending its borrow of the plan's scratch
    }
    sender.wait(level, timeout);
}

}  // namespace questdb
