#include "pool/pool_state.hpp"
#include "pool/row_sender_backend.hpp"
#include "questdb/db.hpp"

namespace questdb {

QuestDb::QuestDb(std::shared_ptr<detail::PoolState> state) noexcept : state_(std::move(state)) {}

QuestDb QuestDb::connect(std::string_view conf) { return connect(conf::Config::parse(conf)); }

QuestDb QuestDb::connect(const conf::Config& config) {
    return connect_with_handlers(config, ConnectHandlers{});
}

QuestDb QuestDb::connect_with_handlers(std::string_view conf, ConnectHandlers handlers) {
    return connect_with_handlers(conf::Config::parse(conf), std::move(handlers));
}

QuestDb QuestDb::connect_with_handlers(const conf::Config& config, ConnectHandlers handlers) {
    if (!conf::is_qwp(config.scheme())) {
        throw Error(ErrorCode::config_error,
                    "QuestDb::connect needs a ws:: or wss:: connect string, not " +
                        std::string(conf::to_string(config.scheme())) +
                        ":: (use ingress::Sender::from_conf for ILP)");
    }
    std::shared_ptr<ingress::EventHub> events;
    if (handlers.connection_listener || handlers.error_handler) {
        const auto& errors = config.errors();
        events = std::make_shared<ingress::EventHub>(
            std::move(handlers.connection_listener),
            handlers.connection_event_inbox_capacity != 0
                ? handlers.connection_event_inbox_capacity
                : errors.connection_listener_inbox_capacity,
            std::move(handlers.error_handler),
            handlers.error_inbox_capacity != 0 ? handlers.error_inbox_capacity
                                               : errors.error_inbox_capacity);
    }
    return QuestDb(std::make_shared<detail::PoolState>(config, std::move(events)));
}

QuestDb QuestDb::from_env() { return connect(conf::Config::from_env()); }

ingress::SfColumnSender QuestDb::borrow_column_sender() {
    auto lease = detail::value_or_throw(state_->column_senders().acquire());
    return ingress::SfColumnSender(
        std::make_unique<detail::SenderLease>(state_, state_->column_senders(), std::move(lease)));
}

ingress::BorrowedRowSender QuestDb::borrow_row_sender() {
    auto lease = detail::value_or_throw(state_->row_senders().acquire());
    return ingress::BorrowedRowSender(detail::make_row_sender(
        std::make_unique<detail::SenderLease>(state_, state_->row_senders(), std::move(lease)),
        state_->config()));
}

egress::BorrowedReader QuestDb::borrow_reader() {
    auto lease = detail::value_or_throw(state_->readers().acquire());
    return egress::BorrowedReader(std::make_unique<detail::ReaderLease>(state_, std::move(lease)));
}

ingress::Buffer QuestDb::new_buffer() const {
    ingress::BufferOptions options;
    options.max_name_len = state_->config().ilp().max_name_len;
    options.max_buf_size = static_cast<std::size_t>(state_->config().ilp().max_buf_size);
    return ingress::Buffer(options);
}

std::size_t QuestDb::reap_idle() { return state_->reap_idle(); }

void QuestDb::close() { state_->close(); }

PoolStats QuestDb::stats() const {
    const auto column = state_->column_senders().counts();
    const auto row = state_->row_senders().counts();
    const auto readers = state_->readers().counts();
    const auto direct = state_->direct_senders().counts();
    PoolStats stats{{column.idle, column.in_use},
                    {row.idle, row.in_use},
                    {readers.idle, readers.in_use},
                    {direct.idle, direct.in_use},
                    state_->slots_set_aside()};
    if (const auto* events = state_->events()) {
        const auto counters = events->counters();
        stats.connection_events_delivered = counters.connection_events_delivered;
        stats.connection_events_dropped = counters.connection_events_dropped;
        stats.rejection_events_delivered = counters.rejections_delivered;
        stats.rejection_events_dropped = counters.rejections_dropped;
        stats.handler_exceptions = counters.callback_exceptions;
    }
    return stats;
}

const conf::Config& QuestDb::config() const noexcept { return state_->config(); }

}  // namespace questdb

namespace questdb::egress {

BorrowedReader::BorrowedReader(std::unique_ptr<::questdb::detail::ReaderLease> lease) noexcept
    : lease_(std::move(lease)) {}
BorrowedReader::BorrowedReader(BorrowedReader&&) noexcept = default;
BorrowedReader& BorrowedReader::operator=(BorrowedReader&&) noexcept = default;
BorrowedReader::~BorrowedReader() = default;

Reader* BorrowedReader::operator->() { return &**this; }

Reader& BorrowedReader::operator*() {
    if (!lease_) {
        throw Error(ErrorCode::invalid_api_call, "reader borrow was moved from");
    }
    return lease_->reader();
}

void BorrowedReader::mark_must_close() noexcept {
    if (lease_) {
        lease_->mark_must_close();
    }
}

}  // namespace questdb::egress
