// Public Reader / ReaderQuery / Cursor: thin glue over ReaderCore and QueryExecution that
// converts internal failures to questdb::Error at the API boundary.

#include "questdb/egress/reader.hpp"

#include "egress/reader_core.hpp"

namespace questdb::egress {

using detail::throw_failure;
using detail::throw_if_error;

// ---- Cursor ---------------------------------------------------------------------------------

Cursor::Cursor(std::unique_ptr<QueryExecution> impl) noexcept : impl_(std::move(impl)) {}
Cursor::Cursor(Cursor&&) noexcept = default;
Cursor& Cursor::operator=(Cursor&&) noexcept = default;
Cursor::~Cursor() = default;

namespace {
QueryExecution& live(const std::unique_ptr<QueryExecution>& impl) {
    if (!impl) {
        throw Error(ErrorCode::invalid_api_call, "use of a moved-from Cursor");
    }
    return *impl;
}
}  // namespace

std::optional<BatchView> Cursor::next_batch() {
    auto r = live(impl_).next();
    if (!r) {
        throw_failure(std::move(r).failure());
    }
    if (r.value() == nullptr) {
        return std::nullopt;
    }
    return BatchView(r.value());
}

Terminal Cursor::drain() {
    while (next_batch()) {
    }
    return *impl_->terminal();
}

std::optional<Terminal> Cursor::terminal() const {
    return impl_ ? impl_->terminal() : std::nullopt;
}

void Cursor::cancel() noexcept {
    if (impl_) {
        impl_->request_cancel();
    }
}

std::int64_t Cursor::request_id() const noexcept {
    return impl_ ? impl_->request_id() : -1;
}

void Cursor::add_credit(std::uint64_t bytes) {
    throw_if_error(live(impl_).add_credit(bytes));
}

std::uint64_t Cursor::credit_granted_total() const noexcept {
    return impl_ ? impl_->credit_granted_total() : 0;
}

CursorStats Cursor::stats() const noexcept {
    return impl_ ? impl_->stats() : CursorStats{};
}

// ---- ReaderQuery ----------------------------------------------------------------------------

struct ReaderQuery::State {
    std::shared_ptr<ReaderCore> core;
    QueryParams params;
};

ReaderQuery::ReaderQuery(std::unique_ptr<State> state) noexcept : state_(std::move(state)) {}
ReaderQuery::ReaderQuery(ReaderQuery&&) noexcept = default;
ReaderQuery& ReaderQuery::operator=(ReaderQuery&&) noexcept = default;
ReaderQuery::~ReaderQuery() = default;

#define QDB_BIND(method, call)                     \
    ReaderQuery& ReaderQuery::method {             \
        throw_if_error(state_->params.binds.call); \
        return *this;                              \
    }

QDB_BIND(bind_bool(bool v), add_bool(v))
QDB_BIND(bind_i8(std::int8_t v), add_i8(v))
QDB_BIND(bind_i16(std::int16_t v), add_i16(v))
QDB_BIND(bind_i32(std::int32_t v), add_i32(v))
QDB_BIND(bind_i64(std::int64_t v), add_i64(v))
QDB_BIND(bind_f32(float v), add_f32(v))
QDB_BIND(bind_f64(double v), add_f64(v))
QDB_BIND(bind_varchar(std::string_view v), add_varchar(v))
QDB_BIND(bind_binary(std::span<const std::uint8_t> v), add_binary(v))
QDB_BIND(bind_timestamp_micros(std::int64_t v), add_timestamp_micros(v))
QDB_BIND(bind_timestamp_nanos(std::int64_t v), add_timestamp_nanos(v))
QDB_BIND(bind_date_millis(std::int64_t v), add_date_millis(v))
QDB_BIND(bind_uuid(Uuid v), add_uuid(v))
QDB_BIND(bind_long256(const Long256& v), add_long256(v))
QDB_BIND(bind_char(char16_t v), add_char(v))
QDB_BIND(bind_ipv4(std::uint32_t v), add_ipv4(v))
QDB_BIND(bind_decimal64(Decimal64 v), add_decimal64(v))
QDB_BIND(bind_decimal128(Decimal128 v), add_decimal128(v))
QDB_BIND(bind_decimal256(const Decimal256& v), add_decimal256(v))
QDB_BIND(bind_geohash(Geohash v), add_geohash(v))
QDB_BIND(bind_null(ColumnKind kind), add_null(kind))
#undef QDB_BIND

ReaderQuery& ReaderQuery::initial_credit(std::uint64_t bytes) {
    state_->params.initial_credit = bytes;
    return *this;
}
ReaderQuery& ReaderQuery::reset_symbol_dictionary(bool on) {
    state_->params.reset_dictionary = on;
    return *this;
}
ReaderQuery& ReaderQuery::replay_policy(ReplayPolicy policy) {
    state_->params.replay = policy;
    return *this;
}
ReaderQuery& ReaderQuery::on_failover_reset(
    std::function<void(const FailoverResetEvent&)> callback) {
    state_->params.on_reset = std::move(callback);
    return *this;
}
ReaderQuery& ReaderQuery::on_failover_progress(
    std::function<void(const FailoverProgressEvent&)> callback) {
    state_->params.on_progress = std::move(callback);
    return *this;
}

Cursor ReaderQuery::execute() {
    if (!state_) {
        throw Error(ErrorCode::invalid_api_call, "use of a moved-from ReaderQuery");
    }
    auto exec = std::make_unique<QueryExecution>(state_->core, std::move(state_->params));
    state_.reset();
    throw_if_error(exec->start());
    return Cursor(std::move(exec));
}

// ---- Reader ---------------------------------------------------------------------------------

Reader::Reader(std::shared_ptr<ReaderCore> core) noexcept : core_(std::move(core)) {}
Reader::Reader(Reader&&) noexcept = default;
Reader& Reader::operator=(Reader&&) noexcept = default;
Reader::~Reader() = default;

ReaderQuery Reader::prepare(std::string_view sql) {
    if (!core_) {
        throw Error(ErrorCode::invalid_api_call, "use of a moved-from Reader");
    }
    auto state = std::make_unique<ReaderQuery::State>();
    state->core = core_;
    state->params.sql = std::string(sql);
    state->params.initial_credit = core_->settings().initial_credit;
    state->params.replay = core_->settings().failover.replay;
    return ReaderQuery(std::move(state));
}

Cursor Reader::execute(std::string_view sql) {
    return prepare(sql).execute();
}

ServerInfo Reader::server_info() const {
    if (!core_ || !core_->connected()) {
        throw Error(ErrorCode::invalid_api_call, "the reader is not connected");
    }
    return *core_->bound().protocol->server_info();
}

std::string Reader::server_version() const {
    const ServerInfo info = server_info();
    static const char* roles[] = {"STANDALONE", "PRIMARY", "REPLICA", "PRIMARY_CATCHUP"};
    const auto r = static_cast<unsigned>(info.role);
    std::string text = r < 4 ? roles[r] : "ROLE_" + std::to_string(r);
    text += " " + info.cluster_id + "/" + info.node_id;
    if (info.zone_id) {
        text += " zone " + *info.zone_id;
    }
    return text;
}

std::string Reader::current_endpoint() const {
    return core_ ? core_->endpoint_name() : std::string();
}

bool Reader::is_connected() const noexcept {
    return core_ && core_->connected();
}

}  // namespace questdb::egress
