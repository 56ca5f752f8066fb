#include "egress/server_writer.hpp"

#include <cstring>
#include <string>

#include "egress/gorilla_bridge.hpp"
#include "egress/wire_format.hpp"
#include "egress/zstd_codec.hpp"
#include "qwp/wire.hpp"

namespace questdb::egress::server {

using detail::fail;
using detail::Result;
using detail::Status;

namespace {

std::size_t slot_width(ColumnKind kind, std::uint8_t param) {
    switch (kind) {
        case ColumnKind::boolean:
            return 1;
        case ColumnKind::geohash:
            return (param + 7u) / 8u;
        default:
            return wire::fixed_width(kind);
    }
}

bool is_time(ColumnKind kind) {
    return kind == ColumnKind::timestamp || kind == ColumnKind::timestamp_nanos ||
           kind == ColumnKind::date;
}

void write_header(std::vector<std::uint8_t>& out, std::uint8_t version, std::uint8_t flags,
                  std::uint16_t tables) {
    out.clear();
    qwp::ByteWriter w(out);
    w.le(wire::kMagic);
    w.u8(version);
    w.u8(flags);
    w.le(tables);
    w.le(std::uint32_t{0});  // payload_length, patched by finish()
}

void finish(std::vector<std::uint8_t>& out) {
    qwp::ByteWriter(out).patch_le<std::uint32_t>(
        8, static_cast<std::uint32_t>(out.size() - wire::kHeaderSize));
}

void u16_string(qwp::ByteWriter& w, std::string_view s) {
    w.le(static_cast<std::uint16_t>(s.size()));
    w.bytes(s);
}

}  // namespace

ResultColumn::ResultColumn(std::string name, ColumnKind kind, std::uint8_t param)
    : name_(std::move(name)), kind_(kind), param_(param), width_(slot_width(kind, param)) {}

void ResultColumn::push_fixed(const void* data, std::size_t size) {
    nulls_.push_back(0);
    const auto at = fixed_.size();
    fixed_.resize(at + width_, 0);
    std::memcpy(fixed_.data() + at, data, std::min(size, width_));
    if (width_ == 0) {
        var_.emplace_back();
    }
}

void ResultColumn::append_null() {
    nulls_.push_back(1);
    fixed_.resize(fixed_.size() + width_, 0);
    if (width_ == 0) {
        var_.emplace_back();
    }
}
void ResultColumn::append_bool(bool v) {
    const std::uint8_t b = v ? 1 : 0;
    push_fixed(&b, 1);
}
void ResultColumn::append_i8(std::int8_t v) {
    push_fixed(&v, 1);
}
void ResultColumn::append_i16(std::int16_t v) {
    push_fixed(&v, 2);
}
void ResultColumn::append_char(char16_t v) {
    push_fixed(&v, 2);
}
void ResultColumn::append_i32(std::int32_t v) {
    push_fixed(&v, 4);
}
void ResultColumn::append_i64(std::int64_t v) {
    push_fixed(&v, 8);
}
void ResultColumn::append_f32(float v) {
    push_fixed(&v, 4);
}
void ResultColumn::append_f64(double v) {
    push_fixed(&v, 8);
}
void ResultColumn::append_ipv4(std::uint32_t v) {
    push_fixed(&v, 4);
}
void ResultColumn::append_uuid(Uuid v) {
    const std::uint64_t words[2] = {v.lo, v.hi};
    push_fixed(words, 16);
}
void ResultColumn::append_long256(const Long256& v) {
    push_fixed(v.limbs.data(), 32);
}
void ResultColumn::append_decimal128(std::uint64_t lo, std::int64_t hi) {
    const std::uint64_t words[2] = {lo, static_cast<std::uint64_t>(hi)};
    push_fixed(words, 16);
}
void ResultColumn::append_decimal256(const std::array<std::uint64_t, 4>& limbs) {
    push_fixed(limbs.data(), 32);
}
void ResultColumn::append_geohash(std::uint64_t bits) {
    push_fixed(&bits, width_);
}
void ResultColumn::append_raw(const void* data, std::size_t size) {
    push_fixed(data, size);
}

void ResultColumn::append_bytes(std::string_view v) {
    nulls_.push_back(0);
    var_.emplace_back(v);
}

template <typename T>
void ResultColumn::push_array(std::span<const std::int32_t> shape, std::span<const T> values) {
    std::vector<std::uint8_t> body;
    qwp::ByteWriter w(body);
    w.u8(static_cast<std::uint8_t>(shape.size()));
    for (auto d : shape) {
        w.le(d);
    }
    for (auto v : values) {
        w.le(v);
    }
    nulls_.push_back(0);
    var_.emplace_back(reinterpret_cast<const char*>(body.data()), body.size());
}
void ResultColumn::append_double_array(std::span<const std::int32_t> shape,
                                       std::span<const double> values) {
    push_array(shape, values);
}
void ResultColumn::append_long_array(std::span<const std::int32_t> shape,
                                     std::span<const std::int64_t> values) {
    push_array(shape, values);
}

void ResultEncoder::reset_dictionary() noexcept {
    symbols_.clear();
}

void ResultEncoder::encode_column(const ResultColumn& c, std::size_t first, std::size_t count,
                                  bool gorilla) {
    qwp::ByteWriter w(body_);
    std::size_t nulls = 0;
    for (std::size_t i = 0; i < count; ++i) {
        nulls += c.is_null(first + i) ? 1 : 0;
    }
    if (nulls == 0) {
        w.u8(0);
    } else {
        w.u8(1);
        const auto at = body_.size();
        body_.resize(at + (count + 7) / 8, 0);
        for (std::size_t i = 0; i < count; ++i) {
            if (c.is_null(first + i)) {
                body_[at + i / 8] |= static_cast<std::uint8_t>(1u << (i % 8));
            }
        }
    }
    auto for_values = [&](auto&& fn) {
        for (std::size_t i = 0; i < count; ++i) {
            if (!c.is_null(first + i)) {
                fn(first + i);
            }
        }
    };
    switch (c.kind()) {
        case ColumnKind::boolean: {
            packed_.clear();
            std::size_t k = 0;
            for_values([&](std::size_t row) {
                if (k % 8 == 0) {
                    packed_.push_back(0);
                }
                if (*c.slot(row) != 0) {
                    packed_.back() |= static_cast<std::uint8_t>(1u << (k % 8));
                }
                ++k;
            });
            w.bytes(packed_.data(), packed_.size());
            return;
        }
        case ColumnKind::varchar:
        case ColumnKind::binary: {
            std::uint32_t offset = 0;
            w.le(offset);
            for_values([&](std::size_t row) {
                offset += static_cast<std::uint32_t>(c.var(row).size());
                w.le(offset);
            });
            for_values([&](std::size_t row) { w.bytes(c.var(row)); });
            return;
        }
        case ColumnKind::symbol:
            for_values([&](std::size_t row) {
                const auto& text = c.var(row);
                auto it = symbols_.find(text);
                if (it == symbols_.end()) {
                    it = symbols_.emplace(text, static_cast<std::uint32_t>(symbols_.size())).first;
                    new_symbols_.push_back(text);
                }
                w.varint(it->second);
            });
            return;
        case ColumnKind::double_array:
        case ColumnKind::long_array:
            for_values([&](std::size_t row) { w.bytes(c.var(row)); });
            return;
        case ColumnKind::geohash:
            w.varint(c.param());
            break;
        case ColumnKind::decimal64:
        case ColumnKind::decimal128:
        case ColumnKind::decimal256:
            w.u8(c.param());
            break;
        default:
            break;
    }
    if (is_time(c.kind()) && gorilla) {
        times_.clear();
        for_values([&](std::size_t row) {
            std::int64_t v;
            std::memcpy(&v, c.slot(row), 8);
            times_.push_back(v);
        });
        packed_.clear();
        if (times_.size() >= 3 && gorilla_encode(times_.data(), times_.size(), packed_) &&
            packed_.size() < times_.size() * 8) {
            w.u8(wire::kEncodingGorilla);
            w.bytes(packed_.data(), packed_.size());
            return;
        }
        w.u8(wire::kEncodingRaw);
    }
    for_values([&](std::size_t row) { w.bytes(c.slot(row), c.width()); });
}

Status ResultEncoder::encode_batch(std::int64_t request_id, std::uint64_t batch_seq,
                                   std::span<const ResultColumn> columns, std::size_t first_row,
                                   std::size_t row_count, const BatchEncodeOptions& options,
                                   std::vector<std::uint8_t>& out) {
    for (const auto& c : columns) {
        if (c.row_count() < first_row + row_count) {
            return fail(ErrorCode::invalid_api_call,
                        "result column '" + c.name() + "' has too few rows");
        }
    }
    const std::size_t dict_before = symbols_.size();
    new_symbols_.clear();
    std::vector<std::uint8_t> table;
    body_.clear();
    {
        qwp::ByteWriter w(body_);
        w.varint(0);  // anonymous table
        w.varint(row_count);
        if (batch_seq == 0) {
            w.varint(columns.size());
            for (const auto& c : columns) {
                w.varint(c.name().size());
                w.bytes(c.name());
                w.u8(static_cast<std::uint8_t>(c.kind()));
            }
        }
    }
    for (const auto& c : columns) {
        encode_column(c, first_row, row_count, options.gorilla);
    }
    table.swap(body_);
    body_.clear();
    bool with_dict = options.delta_symbol_dict || !new_symbols_.empty();
    if (with_dict) {
        qwp::ByteWriter w(body_);
        const std::uint64_t start = delta_start_override_.value_or(dict_before);
        w.varint(start);
        w.varint(new_symbols_.size());
        for (const auto& s : new_symbols_) {
            w.varint(s.size());
            w.bytes(s);
        }
    }
    body_.insert(body_.end(), table.begin(), table.end());

    std::uint8_t flags = 0;
    if (options.gorilla) {
        flags |= wire::kFlagGorilla;
    }
    if (with_dict) {
        flags |= wire::kFlagDeltaSymbolDict;
    }
    std::vector<std::uint8_t> compressed;
    const bool use_zstd = options.zstd && zstd_compress(body_, options.zstd_level, compressed) &&
                          compressed.size() < body_.size();
    if (use_zstd) {
        flags |= wire::kFlagZstd;
    }
    write_header(out, wire::kVersion, flags, 1);
    qwp::ByteWriter w(out);
    w.u8(static_cast<std::uint8_t>(wire::MsgKind::result_batch));
    w.le(request_id);
    w.varint(batch_seq);
    const auto& payload = use_zstd ? compressed : body_;
    w.bytes(payload.data(), payload.size());
    finish(out);
    return {};
}

void encode_server_info(const ServerInfo& info, std::vector<std::uint8_t>& out,
                        std::uint8_t version) {
    write_header(out, version, 0, 0);
    qwp::ByteWriter w(out);
    w.u8(static_cast<std::uint8_t>(wire::MsgKind::server_info));
    w.u8(static_cast<std::uint8_t>(info.role));
    w.le(info.epoch);
    w.le(info.capabilities);
    w.le(info.server_wall_ns);
    u16_string(w, info.cluster_id);
    u16_string(w, info.node_id);
    if ((info.capabilities & kCapZone) != 0) {
        u16_string(w, info.zone_id.value_or(""));
    }
    finish(out);
}

void encode_result_end(std::int64_t request_id, std::uint64_t final_seq, std::uint64_t total_rows,
                       std::vector<std::uint8_t>& out, std::uint8_t version) {
    write_header(out, version, 0, 0);
    qwp::ByteWriter w(out);
    w.u8(static_cast<std::uint8_t>(wire::MsgKind::result_end));
    w.le(request_id);
    w.varint(final_seq);
    w.varint(total_rows);
    finish(out);
}

void encode_query_error(std::int64_t request_id, std::uint8_t status, std::string_view message,
                        std::vector<std::uint8_t>& out, std::uint8_t version) {
    write_header(out, version, 0, 0);
    qwp::ByteWriter w(out);
    w.u8(static_cast<std::uint8_t>(wire::MsgKind::query_error));
    w.le(request_id);
    w.u8(status);
    u16_string(w, message.substr(0, 0xFFFF));
    finish(out);
}

void encode_exec_done(std::int64_t request_id, std::uint8_t op_type, std::uint64_t rows_affected,
                      std::vector<std::uint8_t>& out, std::uint8_t version) {
    write_header(out, version, 0, 0);
    qwp::ByteWriter w(out);
    w.u8(static_cast<std::uint8_t>(wire::MsgKind::exec_done));
    w.le(request_id);
    w.u8(op_type);
    w.varint(rows_affected);
    finish(out);
}

void encode_cache_reset(std::uint8_t reset_mask, std::vector<std::uint8_t>& out,
                        std::uint8_t version) {
    write_header(out, version, 0, 0);
    qwp::ByteWriter w(out);
    w.u8(static_cast<std::uint8_t>(wire::MsgKind::cache_reset));
    w.u8(reset_mask);
    finish(out);
}

namespace {

detail::Failure bad_bind(std::size_t index, std::string_view what) {
    return fail(ErrorCode::protocol_error,
                "QUERY_REQUEST bind $" + std::to_string(index + 1) + ": " + std::string(what));
}

Status decode_bind(qwp::ByteReader& r, std::size_t index, BindValue& b) {
    std::uint8_t type = 0;
    std::uint8_t null_flag = 0;
    if (!r.u8(type) || !r.u8(null_flag)) {
        return bad_bind(index, "truncated");
    }
    if (!is_valid_column_kind(type) ||
        type == static_cast<std::uint8_t>(ColumnKind::double_array) ||
        type == static_cast<std::uint8_t>(ColumnKind::long_array)) {
        return bad_bind(index, "unsupported type code " + std::to_string(type));
    }
    b.kind = static_cast<ColumnKind>(type);
    if (null_flag != 0) {
        std::uint8_t bitmap = 0;
        if (!r.u8(bitmap)) {
            return bad_bind(index, "truncated null bitmap");
        }
        if ((bitmap & 1) != 0) {
            b.is_null = true;
            return {};
        }
    }
    auto read_int = [&](std::size_t width, bool sign) -> bool {
        std::uint64_t v = 0;
        std::span<const std::uint8_t> bytes;
        if (!r.bytes(width, bytes)) {
            return false;
        }
        std::memcpy(&v, bytes.data(), width);
        if (sign && width < 8 && ((v >> (width * 8 - 1)) & 1) != 0) {
            v |= ~0ULL << (width * 8);
        }
        b.i64 = static_cast<std::int64_t>(v);
        return true;
    };
    bool ok = true;
    switch (b.kind) {
        case ColumnKind::boolean:
        case ColumnKind::byte:
            ok = read_int(1, b.kind == ColumnKind::byte);
            break;
        case ColumnKind::short_:
            ok = read_int(2, true);
            break;
        case ColumnKind::char_:
            ok = read_int(2, false);
            break;
        case ColumnKind::int_:
            ok = read_int(4, true);
            break;
        case ColumnKind::ipv4:
            ok = read_int(4, false);
            break;
        case ColumnKind::long_:
        case ColumnKind::timestamp:
        case ColumnKind::timestamp_nanos:
        case ColumnKind::date:
            ok = read_int(8, true);
            break;
        case ColumnKind::float_: {
            float f = 0;
            ok = r.le(f);
            b.f64 = f;
            break;
        }
        case ColumnKind::double_:
            ok = r.le(b.f64);
            break;
        case ColumnKind::decimal64:
            ok = r.u8(b.scale) && read_int(8, true);
            break;
        case ColumnKind::uuid:
        case ColumnKind::decimal128:
        case ColumnKind::long256:
        case ColumnKind::decimal256: {
            const bool decimal =
                b.kind == ColumnKind::decimal128 || b.kind == ColumnKind::decimal256;
            const std::size_t limbs =
                (b.kind == ColumnKind::uuid || b.kind == ColumnKind::decimal128) ? 2 : 4;
            ok = !decimal || r.u8(b.scale);
            for (std::size_t i = 0; ok && i < limbs; ++i) {
                ok = r.le(b.wide[i]);
            }
            break;
        }
        case ColumnKind::geohash: {
            std::uint64_t precision = 0;
            ok = r.varint(precision) && precision >= 1 && precision <= wire::kMaxGeohashBits;
            if (ok) {
                b.precision = static_cast<std::uint8_t>(precision);
                ok = read_int((precision + 7) / 8, false);
            }
            break;
        }
        case ColumnKind::varchar:
        case ColumnKind::symbol:
        case ColumnKind::binary: {
            std::uint32_t first = 0;
            std::uint32_t end = 0;
            std::span<const std::uint8_t> bytes;
            ok = r.le(first) && first == 0 && r.le(end) && r.bytes(end, bytes);
            if (ok) {
                b.bytes.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
            }
            break;
        }
        default:
            ok = false;
    }
    if (!ok) {
        return bad_bind(index, "truncated or malformed value");
    }
    return {};
}

}  // namespace

Result<ClientMessage> decode_client_message(std::span<const std::uint8_t> frame,
                                            bool query_flags_advertised) {
    qwp::ByteReader r(frame);
    std::uint8_t kind = 0;
    if (!r.u8(kind)) {
        return fail(ErrorCode::protocol_error, "empty client frame");
    }
    switch (static_cast<wire::MsgKind>(kind)) {
        case wire::MsgKind::cancel: {
            CancelMsg m;
            if (!r.le(m.request_id) || !r.at_end()) {
                return fail(ErrorCode::protocol_error, "CANCEL must be exactly 9 bytes");
            }
            return ClientMessage{m};
        }
        case wire::MsgKind::credit: {
            CreditMsg m;
            if (!r.le(m.request_id) || !r.varint(m.additional_bytes) || !r.at_end()) {
                return fail(ErrorCode::protocol_error, "malformed CREDIT");
            }
            return ClientMessage{m};
        }
        case wire::MsgKind::query_request: {
            QueryRequestMsg m;
            std::uint64_t sql_len = 0;
            std::span<const std::uint8_t> sql;
            std::uint64_t binds = 0;
            if (!r.le(m.request_id) || !r.varint(sql_len) || sql_len > wire::kMaxSqlBytes ||
                !r.bytes(static_cast<std::size_t>(sql_len), sql) || !r.varint(m.initial_credit) ||
                !r.varint(binds)) {
                return fail(ErrorCode::protocol_error, "malformed QUERY_REQUEST");
            }
            if (binds > wire::kMaxBinds) {
                return fail(ErrorCode::protocol_error, "QUERY_REQUEST has more than 1024 binds");
            }
            m.sql.assign(reinterpret_cast<const char*>(sql.data()), sql.size());
            m.binds.resize(static_cast<std::size_t>(binds));
            for (std::size_t i = 0; i < m.binds.size(); ++i) {
                if (auto s = decode_bind(r, i, m.binds[i]); !s) {
                    return std::move(s).failure();
                }
            }
            if (!r.at_end()) {
                std::uint64_t flags = 0;
                if (!query_flags_advertised) {
                    return fail(
                        ErrorCode::protocol_error,
                        "QUERY_REQUEST carries query_flags but CAP_QUERY_FLAGS was not advertised");
                }
                if (!r.varint(flags) || !r.at_end()) {
                    return fail(ErrorCode::protocol_error,
                                "malformed QUERY_REQUEST query_flags trailer");
                }
                m.query_flags = flags;
            }
            return ClientMessage{std::move(m)};
        }
        default:
            return fail(ErrorCode::protocol_error,
                        "unknown client msg_kind " + std::to_string(kind) +
                            (kind == 0x51 ? " (a QWP header on a client frame?)" : ""));
    }
}

}  // namespace questdb::egress::server
