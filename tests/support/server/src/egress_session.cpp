// QWP egress endpoint (/read/v1, /api/v1/read): SERVER_INFO first, then one query at a time
// answered from committed rows, registered results, or EXEC_DONE for DDL/DML, streamed as
// RESULT_BATCH frames under byte credits, with CANCEL, CACHE_RESET and zstd. Frames are
// encoded by the library's server-side egress writer (src/egress/server_writer.hpp).

#include "egress_session.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <cctype>
#include <cstring>
#include <deque>

#include "egress/server_writer.hpp"
#include "egress/wire_format.hpp"
#include "sql_query.hpp"

namespace questdb::test_server::detail {
namespace {

namespace ew = questdb::egress::wire;
namespace es = questdb::egress::server;
using questdb::egress::ColumnKind;

constexpr std::int64_t kConnectionLevel = -1;

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    const auto e = s.find_last_not_of(" \t\r\n;");
    return b == std::string_view::npos ? std::string() : std::string(s.substr(b, e - b + 1));
}

/// The first acceptable token of X-QWP-Accept-Encoding: nullopt = raw, else the zstd level.
std::optional<int> choose_encoding(std::string_view header) {
    while (!header.empty()) {
        const auto comma = header.find(',');
        const auto token = lower(trim(header.substr(0, comma)));
        if (token == "raw" || token == "identity")
            return std::nullopt;
        if (token.rfind("zstd", 0) == 0) {
            int level = 3;
            const auto eq = token.find("level=");
            if (eq != std::string::npos)
                level = std::atoi(token.c_str() + eq + 6);
            return std::clamp(level, 1, 9);
        }
        if (comma == std::string_view::npos)
            break;
        header.remove_prefix(comma + 1);
    }
    return std::nullopt;
}

void append_value(es::ResultColumn& out, const Value& v, ColumnType type) {
    if (std::holds_alternative<std::monostate>(v)) {
        out.append_null();
        return;
    }
    switch (type) {
        case ColumnType::boolean:
            out.append_bool(std::get<bool>(v));
            return;
        case ColumnType::byte:
            out.append_i8(static_cast<std::int8_t>(std::get<std::int64_t>(v)));
            return;
        case ColumnType::short_:
            out.append_i16(static_cast<std::int16_t>(std::get<std::int64_t>(v)));
            return;
        case ColumnType::char_:
            out.append_char(static_cast<char16_t>(std::get<std::int64_t>(v)));
            return;
        case ColumnType::int_:
            out.append_i32(static_cast<std::int32_t>(std::get<std::int64_t>(v)));
            return;
        case ColumnType::ipv4:
            out.append_ipv4(static_cast<std::uint32_t>(std::get<std::int64_t>(v)));
            return;
        case ColumnType::geohash:
            out.append_geohash(static_cast<std::uint64_t>(std::get<std::int64_t>(v)));
            return;
        case ColumnType::float_:
            out.append_f32(static_cast<float>(std::get<double>(v)));
            return;
        case ColumnType::double_:
            out.append_f64(std::get<double>(v));
            return;
        case ColumnType::symbol:
        case ColumnType::varchar:
            out.append_bytes(std::get<std::string>(v));
            return;
        case ColumnType::binary: {
            const auto& b = std::get<Bytes>(v).data;
            out.append_bytes(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
            return;
        }
        case ColumnType::uuid:
        case ColumnType::long256:
            out.append_raw(std::get<Bytes>(v).data.data(), out.width());
            return;
        case ColumnType::decimal64:
        case ColumnType::decimal128:
        case ColumnType::decimal256: {
            auto bytes = std::get<Decimal>(v).unscaled_le;
            const std::uint8_t fill = !bytes.empty() && (bytes.back() & 0x80) ? 0xFF : 0x00;
            bytes.resize(out.width(), fill);
            out.append_raw(bytes.data(), out.width());
            return;
        }
        case ColumnType::double_array:
        case ColumnType::long_array: {
            const auto& a = std::get<Array>(v);
            std::vector<std::int32_t> shape(a.shape.begin(), a.shape.end());
            if (type == ColumnType::double_array) {
                out.append_double_array(shape, a.doubles);
            } else {
                out.append_long_array(shape, a.longs);
            }
            return;
        }
        default:
            out.append_i64(std::get<std::int64_t>(v));
            return;
    }
}

std::uint8_t column_param(const Column& column, const std::vector<std::vector<Value>>& rows,
                          std::size_t index) {
    if (column.type == ColumnType::geohash)
        return column.geohash_bits != 0 ? column.geohash_bits : 60;
    for (const auto& r : rows) {
        if (const auto* d = std::get_if<Decimal>(&r[index]))
            return d->scale;
    }
    return 0;
}

std::vector<es::ResultColumn> to_result_columns(const std::vector<Column>& columns,
                                                const std::vector<std::vector<Value>>& rows) {
    std::vector<es::ResultColumn> out;
    for (std::size_t c = 0; c < columns.size(); ++c) {
        out.emplace_back(columns[c].name, static_cast<ColumnKind>(columns[c].type),
                         column_param(columns[c], rows, c));
        for (const auto& r : rows)
            append_value(out.back(), r[c], columns[c].type);
    }
    return out;
}

/// Answer for one QUERY_REQUEST: rows to stream, or a terminator to send at once.
struct Answer {
    std::vector<es::ResultColumn> columns;
    std::size_t rows = 0;
    std::optional<std::pair<Status, std::string>> error;
    std::optional<std::pair<std::uint8_t, std::uint64_t>> exec_done;
};

Answer answer_from_table(Server::Impl& impl, const SelectQuery& q) {
    Answer a;
    const Table t = impl.db.snapshot(q.table);
    if (!t.exists()) {
        a.error = {Status::parse_error, "table does not exist [table=" + q.table + "]"};
        return a;
    }
    std::vector<std::size_t> picks;
    std::vector<Column> columns;
    if (q.columns.empty()) {
        for (std::size_t i = 0; i < t.columns().size(); ++i)
            picks.push_back(i);
    } else {
        for (const auto& name : q.columns) {
            std::size_t i = 0;
            while (i < t.columns().size() && lower(t.columns()[i].name) != lower(name))
                ++i;
            if (i == t.columns().size()) {
                a.error = {Status::parse_error, "Invalid column: " + name};
                return a;
            }
            picks.push_back(i);
        }
    }
    for (auto i : picks)
        columns.push_back(t.columns()[i]);
    std::optional<std::size_t> ts_index;
    if (!q.ts_column.empty()) {
        for (std::size_t i = 0; i < t.columns().size(); ++i) {
            if (t.columns()[i].designated_timestamp &&
                lower(t.columns()[i].name) == lower(q.ts_column)) {
                ts_index = i;
            }
        }
        if (!ts_index) {
            a.error = {Status::parse_error,
                       "WHERE filters only the designated timestamp of '" + q.table + "'"};
            return a;
        }
    }
    std::vector<std::vector<Value>> rows;
    for (const auto& row : t.rows()) {
        if (q.limit && rows.size() >= *q.limit)
            break;
        if (ts_index) {
            const auto* ts = std::get_if<std::int64_t>(&row.values()[*ts_index]);
            if (ts == nullptr || *ts < q.ts_min || *ts > q.ts_max)
                continue;
        }
        std::vector<Value> picked;
        for (auto i : picks)
            picked.push_back(row.values()[i]);
        rows.push_back(std::move(picked));
    }
    a.rows = rows.size();
    a.columns = to_result_columns(columns, rows);
    return a;
}

Answer answer(Server::Impl& impl, const std::string& sql) {
    if (auto registered = impl.find_query(trim(sql))) {
        Answer a;
        a.error = registered->error;
        a.exec_done = registered->exec_done;
        if (!a.error && !a.exec_done) {
            a.rows = registered->result.rows.size();
            a.columns = to_result_columns(registered->result.columns, registered->result.rows);
        }
        return a;
    }
    const auto parsed = parse_sql(sql);
    Answer a;
    switch (parsed.kind) {
        case SqlKind::invalid:
            a.error = {Status::parse_error, parsed.error};
            break;
        case SqlKind::ddl_dml:
            a.exec_done = {parsed.op_type, 0};
            break;
        case SqlKind::select:
            a = answer_from_table(impl, parsed.select);
            break;
    }
    return a;
}

struct ActiveQuery {
    std::int64_t id = 0;
    Answer answer;
    std::size_t next_row = 0;
    std::uint64_t next_seq = 0;
    bool bounded = false;
    std::int64_t budget = 0;
};

template <class Stream>
struct EgressSession {
    EgressSession(Stream&& stream, Server::Impl& impl, std::uint8_t version)
        : ws(std::move(stream)), wake(ws.get_executor()), impl(impl), version(version) {}

    websocket::stream<Stream> ws;
    asio::steady_timer wake;
    Server::Impl& impl;
    const std::uint8_t version;
    std::optional<int> zstd_level;
    std::size_t batch_rows = 1000;
    es::ResultEncoder encoder;
    std::deque<std::vector<std::uint8_t>> control;  // frames to send before any batch
    std::optional<ActiveQuery> active;
    bool close_after_control = false;
    bool closed = false;

    void queue(std::vector<std::uint8_t> frame) {
        control.push_back(std::move(frame));
        wake.cancel();
    }
    void query_error(std::int64_t id, Status status, std::string_view message) {
        std::vector<std::uint8_t> frame;
        es::encode_query_error(id, static_cast<std::uint8_t>(status), message, frame, version);
        queue(std::move(frame));
    }
};

template <class Stream>
awaitable<void> egress_writer(std::shared_ptr<EgressSession<Stream>> s) {
    std::vector<std::uint8_t> frame;
    while (!s->closed) {
        if (!s->control.empty()) {
            frame = std::move(s->control.front());
            s->control.pop_front();
            auto [ec, n] = co_await s->ws.async_write(asio::buffer(frame),
                                                      asio::as_tuple(asio::use_awaitable));
            if (ec)
                break;
            if (s->control.empty() && s->close_after_control) {
                co_await s->ws.async_close(websocket::close_code::protocol_error,
                                           asio::as_tuple(asio::use_awaitable));
                break;
            }
            continue;
        }
        auto& q = s->active;
        const bool held = q && s->impl.faults.egress_held(q->next_seq);
        if (q && !held && (!q->bounded || q->budget > 0)) {
            const std::size_t n = std::min(s->batch_rows, q->answer.rows - q->next_row);
            if (n > 0 || q->next_seq == 0) {
                es::BatchEncodeOptions options;
                options.zstd = s->zstd_level.has_value();
                options.zstd_level = s->zstd_level.value_or(3);
                auto status = s->encoder.encode_batch(q->id, q->next_seq, q->answer.columns,
                                                      q->next_row, n, options, frame);
                if (!status.ok()) {
                    s->query_error(q->id, Status::internal_error, status.failure().message);
                    q.reset();
                    continue;
                }
                q->next_row += n;
                ++q->next_seq;
                q->budget -= static_cast<std::int64_t>(frame.size());
                auto [ec, written] = co_await s->ws.async_write(
                    asio::buffer(frame), asio::as_tuple(asio::use_awaitable));
                if (ec)
                    break;
                continue;  // CANCEL may have arrived meanwhile
            }
            es::encode_result_end(q->id, q->next_seq == 0 ? 0 : q->next_seq - 1, q->answer.rows,
                                  frame, s->version);
            q.reset();
            auto [ec, written] = co_await s->ws.async_write(asio::buffer(frame),
                                                            asio::as_tuple(asio::use_awaitable));
            if (ec)
                break;
            continue;
        }
        // A held query polls the fault switch (nothing else wakes this session on release).
        if (held) {
            s->wake.expires_after(std::chrono::milliseconds(5));
        } else {
            s->wake.expires_at(std::chrono::steady_clock::time_point::max());
        }
        co_await s->wake.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    s->closed = true;
    beast::error_code ignored;
    beast::get_lowest_layer(s->ws).socket().close(ignored);
}

template <class Stream>
void on_query(EgressSession<Stream>& s, es::QueryRequestMsg& request) {
    if (s.active) {
        s.query_error(request.request_id, Status::parse_error,
                      "a query is already running on this connection");
        return;
    }
    if (request.query_flags && (*request.query_flags & ew::kQueryFlagResetDict) != 0) {
        s.encoder.reset_dictionary();
        std::vector<std::uint8_t> frame;
        es::encode_cache_reset(ew::kResetMaskDict, frame, s.version);
        s.queue(std::move(frame));
    }
    std::vector<std::optional<std::int64_t>> integer_binds;
    for (const auto& bind : request.binds) {
        const bool integer = bind.kind == ColumnKind::byte || bind.kind == ColumnKind::short_ ||
                             bind.kind == ColumnKind::int_ || bind.kind == ColumnKind::long_ ||
                             bind.kind == ColumnKind::timestamp ||
                             bind.kind == ColumnKind::timestamp_nanos ||
                             bind.kind == ColumnKind::date;
        integer_binds.push_back(integer && !bind.is_null ? std::optional(bind.i64) : std::nullopt);
    }
    Answer a = answer(s.impl, request.binds.empty()
                                  ? request.sql
                                  : substitute_integer_binds(request.sql, integer_binds));
    if (a.error) {
        s.query_error(request.request_id, a.error->first, a.error->second);
        return;
    }
    if (a.exec_done) {
        std::vector<std::uint8_t> frame;
        es::encode_exec_done(request.request_id, a.exec_done->first, a.exec_done->second, frame,
                             s.version);
        s.queue(std::move(frame));
        return;
    }
    ActiveQuery q;
    q.id = request.request_id;
    q.answer = std::move(a);
    q.bounded = request.initial_credit != 0;
    q.budget = static_cast<std::int64_t>(request.initial_credit);
    s.active = std::move(q);
    s.wake.cancel();
}

template <class Stream>
awaitable<void> egress_reader(std::shared_ptr<EgressSession<Stream>> s) {
    while (!s->closed) {
        beast::flat_buffer buffer;
        auto [ec, n] = co_await s->ws.async_read(buffer, asio::as_tuple(asio::use_awaitable));
        if (ec)
            break;
        const std::span<const std::uint8_t> bytes(
            static_cast<const std::uint8_t*>(buffer.data().data()), buffer.size());
        s->impl.log_egress_frame(std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
        auto decoded = es::decode_client_message(bytes, s->impl.options.query_flags_capability);
        if (!decoded.ok()) {
            // A connection-level error: report with request_id -1, then close.
            s->query_error(kConnectionLevel, Status::parse_error, decoded.failure().message);
            s->close_after_control = true;
            break;
        }
        auto& message = decoded.value();
        if (auto* request = std::get_if<es::QueryRequestMsg>(&message)) {
            on_query(*s, *request);
        } else if (auto* cancel = std::get_if<es::CancelMsg>(&message)) {
            if (s->active && s->active->id == cancel->request_id) {
                s->active.reset();
                s->query_error(cancel->request_id, Status::cancelled, "cancelled by the client");
            }
        } else if (auto* credit = std::get_if<es::CreditMsg>(&message)) {
            if (s->active && s->active->id == credit->request_id) {
                s->active->budget += static_cast<std::int64_t>(credit->additional_bytes);
                s->wake.cancel();
            }
        }
    }
    if (!s->close_after_control)
        s->closed = true;
    s->wake.cancel();
}

template <class Stream>
awaitable<void> serve(Server::Impl& impl, Stream& stream, HttpRequest req, std::uint8_t version) {
    auto s = std::make_shared<EgressSession<Stream>>(std::move(stream), impl, version);
    beast::get_lowest_layer(s->ws).expires_never();
    s->ws.binary(true);
    s->ws.read_message_max(impl.options.recv_buffer_size);
    s->batch_rows = std::max<std::size_t>(1, impl.options.max_batch_rows);
    if (auto it = req.find("X-QWP-Max-Batch-Rows"); it != req.end()) {
        const auto v = std::strtoull(std::string(it->value()).c_str(), nullptr, 10);
        if (v > 0)
            s->batch_rows = std::min<std::size_t>(s->batch_rows, v);
    }
    if (auto it = req.find("X-QWP-Accept-Encoding"); it != req.end()) {
        s->zstd_level = choose_encoding(it->value());
    }
    const auto level = s->zstd_level;
    s->ws.set_option(websocket::stream_base::decorator([=](websocket::response_type& res) {
        res.set(http::field::server, "questdb-test-server");
        res.set("X-QWP-Version", std::to_string(version));
        if (level)
            res.set("X-QWP-Content-Encoding", "zstd;level=" + std::to_string(*level));
    }));
    // Counted before the 101 goes out: a client that has read it must find it counted
    // (counting after async_accept raced with the client's next look at the counter).
    impl.egress_connections.fetch_add(1);
    auto [ec] = co_await s->ws.async_accept(req, asio::as_tuple(asio::use_awaitable));
    if (ec) {
        impl.egress_connections.fetch_sub(1);
        co_return;
    }

    questdb::egress::ServerInfo info;
    info.role = static_cast<questdb::egress::ServerRole>(impl.options.role);
    info.epoch = impl.options.epoch;
    info.capabilities =
        (impl.options.query_flags_capability ? questdb::egress::kCapQueryFlags : 0) |
        (impl.options.zone_id ? questdb::egress::kCapZone : 0);
    info.server_wall_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
    info.cluster_id = impl.options.cluster_id;
    info.node_id = impl.options.node_id;
    info.zone_id = impl.options.zone_id;
    std::vector<std::uint8_t> frame;
    es::encode_server_info(info, frame, version);
    s->queue(std::move(frame));

    asio::co_spawn(s->ws.get_executor(), egress_writer(s), asio::detached);
    co_await egress_reader(s);
}

}  // namespace

awaitable<void> serve_egress(Server::Impl& impl, PlainStream& stream, HttpRequest req,
                             std::uint8_t version) {
    co_await serve(impl, stream, std::move(req), version);
}

awaitable<void> serve_egress(Server::Impl& impl, TlsStream& stream, HttpRequest req,
                             std::uint8_t version) {
    co_await serve(impl, stream, std::move(req), version);
}

}  // namespace questdb::test_server::detail
