// QWP ingress connection logic; see qwp_ingress.hpp.

#include "qwp_ingress.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <cstring>

#include "qwp/wire.hpp"

namespace questdb::test_server::detail {
namespace {

void put_table_entries(qwp::ByteWriter& w, const CommitResult& tables) {
    w.le(static_cast<std::uint16_t>(tables.size()));
    for (const auto& [name, seq_txn] : tables) {
        w.le(static_cast<std::uint16_t>(name.size()));
        w.bytes(name);
        w.le(seq_txn);
    }
}

// QuestDB stores NULL as a sentinel in these types, so a value equal to the sentinel reads
// back as NULL: NaN for FLOAT/DOUBLE, the minimum for INT, LONG, DATE and the timestamps.
bool is_null_sentinel(const qwp::DecodedColumn& c, std::size_t row) {
    using qwp::TypeCode;
    switch (c.type) {
        case TypeCode::float_:
        case TypeCode::double_:
            return std::isnan(c.floats[row]);
        case TypeCode::int_:
            return c.ints[row] == std::numeric_limits<std::int32_t>::min();
        case TypeCode::long_:
        case TypeCode::date:
        case TypeCode::timestamp:
        case TypeCode::timestamp_nanos:
            return c.ints[row] == std::numeric_limits<std::int64_t>::min();
        default:
            return false;
    }
}

Value cell(const qwp::DecodedColumn& c, std::size_t row) {
    using qwp::TypeCode;
    if (c.is_null(row) || is_null_sentinel(c, row)) {
        return std::monostate{};
    }
    switch (c.type) {
        case TypeCode::boolean:
            return c.ints[row] != 0;
        case TypeCode::float_:
        case TypeCode::double_:
            return c.floats[row];
        case TypeCode::varchar:
        case TypeCode::symbol:
            return c.bytes[row];
        case TypeCode::binary:
        case TypeCode::uuid:
        case TypeCode::long256:
            return Bytes{std::vector<std::uint8_t>(c.bytes[row].begin(), c.bytes[row].end())};
        case TypeCode::decimal64: {
            Decimal d;
            d.scale = c.scale;
            d.unscaled_le.resize(8);
            const std::int64_t v = c.ints[row];
            std::memcpy(d.unscaled_le.data(), &v, 8);  // little-endian hosts only
            return d;
        }
        case TypeCode::decimal128:
        case TypeCode::decimal256:
            return Decimal{std::vector<std::uint8_t>(c.bytes[row].begin(), c.bytes[row].end()),
                           c.scale};
        case TypeCode::double_array:
        case TypeCode::long_array: {
            const auto& a = c.arrays[row];
            Array out;
            out.shape.assign(a.shape.begin(), a.shape.end());
            out.doubles = a.doubles;
            out.longs = a.longs;
            return out;
        }
        default:
            return c.ints[row];
    }
}

}  // namespace

std::vector<std::uint8_t> encode_ok(std::uint64_t seq, const CommitResult& tables) {
    std::vector<std::uint8_t> out;
    qwp::ByteWriter w(out);
    w.u8(static_cast<std::uint8_t>(Status::ok));
    w.le(static_cast<std::int64_t>(seq));
    put_table_entries(w, tables);
    return out;
}

std::vector<std::uint8_t> encode_error(std::uint64_t seq, Status status, std::string_view message) {
    std::vector<std::uint8_t> out;
    qwp::ByteWriter w(out);
    w.u8(static_cast<std::uint8_t>(status));
    w.le(static_cast<std::int64_t>(seq));
    const auto len = std::min<std::size_t>(message.size(), 0xFFFF);
    w.le(static_cast<std::uint16_t>(len));
    w.bytes(message.substr(0, len));
    return out;
}

std::vector<std::uint8_t> encode_durable_ack(const CommitResult& tables) {
    std::vector<std::uint8_t> out;
    qwp::ByteWriter w(out);
    w.u8(static_cast<std::uint8_t>(Status::durable_ack));
    put_table_entries(w, tables);
    return out;
}

IngressConnection::IngressConnection(Database& db, FaultState& faults, std::uint8_t version,
                                     bool sink)
    : db_(db), faults_(faults), sink_(sink) {
    limits_.version = version;
}

IngressReply IngressConnection::error(std::uint64_t seq, Status status, std::string_view message) {
    // A rejected frame aborts the open deferred group: its rows can no longer commit whole.
    pending_.clear();
    return IngressReply{encode_error(seq, status, message), {}};
}

IngressReply IngressConnection::ok(std::uint64_t seq, const CommitResult& committed) {
    return IngressReply{encode_ok(seq, committed), committed};
}

void IngressConnection::convert(const qwp::DecodedMessage& message,
                                std::vector<IncomingBlock>& out) const {
    for (const auto& t : message.tables) {
        IncomingBlock block;
        block.table = t.name;
        block.row_count = t.row_count;
        for (const auto& c : t.columns) {
            block.columns.push_back(
                IncomingColumn{c.name, static_cast<ColumnType>(c.type),
                               c.name.empty() && (c.type == qwp::TypeCode::timestamp ||
                                                  c.type == qwp::TypeCode::timestamp_nanos),
                               c.geohash_bits});
        }
        if (!sink_) {
            block.rows.resize(t.row_count);
            for (std::size_t r = 0; r < t.row_count; ++r) {
                auto& row = block.rows[r];
                row.reserve(t.columns.size());
                for (const auto& c : t.columns) {
                    row.push_back(cell(c, r));
                }
            }
        }
        out.push_back(std::move(block));
    }
}

IngressReply IngressConnection::on_frame(std::span<const std::uint8_t> frame) {
    const std::uint64_t seq = next_seq_++;
    if (auto answer = faults_.take_answer(seq)) {
        if (answer->first == Status::dictionary_gap) {
            decoder_state_.reset();  // as if the server had lost the connection's dictionary
        }
        if (answer->first == Status::ok) {
            return ok(seq, {});
        }
        return error(seq, answer->first, answer->second);
    }
    qwp::DecodeErrorKind kind = qwp::DecodeErrorKind::none;
    // Sink mode validates every byte with the same strict decoder but keeps no row values.
    auto decoded =
        qwp::decode_ingress_message(frame, decoder_state_, limits_, &kind,
                                    sink_ ? qwp::DecodeDepth::schema : qwp::DecodeDepth::values);
    if (!decoded.ok()) {
        return error(seq,
                     kind == qwp::DecodeErrorKind::dictionary_gap ? Status::dictionary_gap
                                                                  : Status::parse_error,
                     decoded.failure().message);
    }
    const auto& message = decoded.value();
    std::vector<IncomingBlock> blocks;
    convert(message, blocks);
    for (const auto& b : blocks) {
        if (b.columns.empty() && b.row_count > 0) {
            return error(seq, Status::parse_error,
                         "table '" + b.table + "' has rows but no columns");
        }
    }
    if (auto err = db_.validate(blocks, Coercion::qwp)) {
        return error(seq, err->status, err->message);
    }
    for (auto& b : blocks) {
        pending_.push_back(std::move(b));
    }
    if (message.defer_commit()) {
        return ok(seq, {});  // appended, not committed: no seqTxn yet
    }
    std::vector<IncomingBlock> group;
    group.swap(pending_);
    // Blocks without rows commit nothing (a catch-up frame or an empty forcing commit).
    std::erase_if(group, [](const IncomingBlock& b) { return b.row_count == 0; });
    CommitResult committed;
    if (!group.empty()) {
        if (auto err = db_.commit(group, Coercion::qwp, committed)) {
            return error(seq, err->status, err->message);
        }
    }
    return ok(seq, committed);
}

}  // namespace questdb::test_server::detail
