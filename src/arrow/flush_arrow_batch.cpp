// QuestDb::flush_arrow_batch: an Arrow record batch sent synchronously over a direct
// connection from the pool's direct-sender pool (not through a store-and-forward queue), one
// QWP commit group per call, then a blocking wait for its acknowledgement.

#include <algorithm>
#include <chrono>

#include "arrow/ingest_plan.hpp"
#include "pool/pool_state.hpp"
#include "questdb/db.hpp"
#include "questdb/ingress/chunk.hpp"

namespace questdb {
namespace {

constexpr std::size_t kDefaultMaxRows = 100'000;

// Returns the direct sender to its pool on every exit; the pool destroys it (closing the
// socket, which rolls back an open group) unless the batch was fully acknowledged.
class DirectLease {
  public:
    explicit DirectLease(detail::DirectSenderPool& pool)
        : pool_(pool), lease_(detail::value_or_throw(pool.acquire())) {}
    ~DirectLease() { pool_.release(std::move(lease_)); }
    DirectLease(const DirectLease&) = delete;
    DirectLease& operator=(const DirectLease&) = delete;
    ingress::DirectSender& sender() noexcept { return *lease_.core; }

  private:
    detail::DirectSenderPool& pool_;
    detail::DirectSenderPool::Lease lease_;
};

}  // namespace

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
    const bool durable_on = config().transport().request_durable_ack;
    const auto level =
        ack.value_or(durable_on ? ingress::AckLevel::durable : ingress::AckLevel::ok);
    if (level == ingress::AckLevel::durable && !durable_on) {
        throw Error(ErrorCode::invalid_api_call,
                    "flush_arrow_batch: AckLevel::durable needs request_durable_ack=on");
    }
    const auto timeout =
        options.ack_timeout_ms != 0
            ? std::chrono::milliseconds(options.ack_timeout_ms)
            : std::chrono::duration_cast<std::chrono::milliseconds>(config().ilp().request_timeout);
    const std::size_t max_rows = options.max_rows != 0 ? options.max_rows : kDefaultMaxRows;
    DirectLease lease(state_->direct_senders());
    auto& sender = lease.sender();
    for (std::size_t begin = 0; begin < plan.row_count(); begin += max_rows) {
        const std::size_t count = std::min(max_rows, plan.row_count() - begin);
        plan.fill(chunk, begin, count);
        // Every slice but the last defers its commit: the server commits the batch as one
        // group when the last slice arrives.
        const bool last = begin + count == plan.row_count();
        auto status = sender.publish(chunk, last, timeout);
        chunk.clear();  // ends the chunk's borrow of the plan's scratch buffers
        detail::throw_if_error(std::move(status));
    }
    detail::throw_if_error(sender.await_acks(level, timeout));
}

}  // namespace questdb
