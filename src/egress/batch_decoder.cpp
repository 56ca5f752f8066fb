#include "egress/batch_decoder.hpp"

#include <bit>
#include <limits>
#include <string>

#include "egress/gorilla_bridge.hpp"
#include "egress/wire_format.hpp"

namespace questdb::egress {

using detail::ColumnData;
using detail::fail;
using detail::Result;
using detail::Status;

namespace {

detail::Failure bad_column(const QuerySchema::Column& def, std::string_view what) {
    return fail(ErrorCode::protocol_error, "RESULT_BATCH column '" + def.name + "' (" +
                                               std::string(to_string(def.kind)) +
                                               "): " + std::string(what));
}

bool is_time(ColumnKind kind) noexcept {
    return kind == ColumnKind::timestamp || kind == ColumnKind::timestamp_nanos ||
           kind == ColumnKind::date;
}

}  // namespace

Result<BatchPrelude> parse_batch_prelude(std::span<const std::uint8_t> payload) {
    qwp::ByteReader r(payload);
    std::uint8_t kind = 0;
    BatchPrelude p;
    if (!r.u8(kind) || kind != static_cast<std::uint8_t>(wire::MsgKind::result_batch) ||
        !r.le(p.request_id) || !r.varint(p.batch_seq)) {
        return fail(ErrorCode::protocol_error, "truncated or malformed RESULT_BATCH prelude");
    }
    p.body = payload.subspan(r.position());
    return p;
}

BatchDecoder::BatchDecoder(std::size_t max_decompressed_bytes) : zstd_(max_decompressed_bytes) {}

std::size_t BatchDecoder::scratch_bytes() const noexcept {
    std::size_t n = plain_.capacity();
    for (const auto& s : scratch_) {
        n += (s.dense.capacity() + s.ids.capacity() + s.array_starts.capacity()) * 4 +
             s.times.capacity() * 8;
    }
    return n;
}

Result<const detail::BatchData*> BatchDecoder::decode(std::uint8_t flags,
                                                      const BatchPrelude& prelude,
                                                      bool zstd_allowed, QuerySchema& schema,
                                                      SymbolDict& dict) {
    std::span<const std::uint8_t> body = prelude.body;
    if ((flags & wire::kFlagZstd) != 0) {
        if (!zstd_allowed) {
            return fail(ErrorCode::protocol_error,
                        "RESULT_BATCH is zstd-compressed but zstd was not negotiated");
        }
        if (auto s = zstd_.decompress(body, plain_); !s) {
            return std::move(s).failure();
        }
        body = plain_;
    }
    qwp::ByteReader r(body);
    if ((flags & wire::kFlagDeltaSymbolDict) != 0) {
        if (auto s = dict.apply_delta(r); !s) {
            return std::move(s).failure();
        }
    }
    std::uint64_t name_len = 0;
    std::uint64_t rows = 0;
    if (!r.varint(name_len) || name_len > wire::kMaxNameBytes ||
        !r.skip(static_cast<std::size_t>(name_len)) || !r.varint(rows)) {
        return fail(ErrorCode::protocol_error, "truncated or malformed RESULT_BATCH table header");
    }
    if (rows > wire::kMaxRowsPerBatch) {
        return fail(ErrorCode::protocol_error, "RESULT_BATCH row_count " + std::to_string(rows) +
                                                   " exceeds the cap of 1048576");
    }
    if (prelude.batch_seq == 0) {
        if (auto s = decode_schema(r, schema); !s) {
            return s.failure();
        }
    } else if (!schema.known) {
        return fail(ErrorCode::protocol_error, "RESULT_BATCH seq " +
                                                   std::to_string(prelude.batch_seq) +
                                                   " arrived before the schema of batch 0");
    }
    const std::size_t n_cols = schema.columns.size();
    if (scratch_.size() < n_cols) {
        scratch_.resize(n_cols);
    }
    columns_.resize(n_cols);
    for (std::size_t i = 0; i < n_cols; ++i) {
        columns_[i] = ColumnData{};
        if (auto s = decode_column(r, flags, static_cast<std::uint32_t>(rows), schema.columns[i],
                                   dict, scratch_[i], columns_[i]);
            !s) {
            return s.failure();
        }
    }
    if (!r.at_end()) {
        return fail(ErrorCode::protocol_error,
                    std::to_string(r.remaining()) +
                        " unexpected trailing bytes after the RESULT_BATCH table block");
    }
    batch_ = detail::BatchData{prelude.request_id, prelude.batch_seq,
                               static_cast<std::uint32_t>(rows), columns_.data(), n_cols};
    return &batch_;
}

Status BatchDecoder::decode_schema(qwp::ByteReader& r, QuerySchema& schema) {
    std::uint64_t count = 0;
    if (!r.varint(count)) {
        return fail(ErrorCode::protocol_error, "truncated RESULT_BATCH column_count");
    }
    if (count > wire::kMaxColumns) {
        return fail(
            ErrorCode::protocol_error,
            "RESULT_BATCH column_count " + std::to_string(count) + " exceeds the cap of 2048");
    }
    schema.clear();
    schema.columns.reserve(static_cast<std::size_t>(count));
    for (std::uint64_t i = 0; i < count; ++i) {
        std::uint64_t len = 0;
        std::span<const std::uint8_t> name;
        std::uint8_t type = 0;
        if (!r.varint(len) || len > wire::kMaxNameBytes ||
            !r.bytes(static_cast<std::size_t>(len), name) || !r.u8(type)) {
            return fail(ErrorCode::protocol_error,
                        "truncated or oversized definition of column " + std::to_string(i));
        }
        std::string column_name(reinterpret_cast<const char*>(name.data()), name.size());
        if (!is_valid_column_kind(type)) {
            return fail(
                ErrorCode::protocol_error,
                "column '" + column_name + "' has unknown type code " + std::to_string(type));
        }
        schema.columns.push_back({std::move(column_name), static_cast<ColumnKind>(type)});
    }
    schema.known = true;
    return {};
}

Status BatchDecoder::decode_nulls(qwp::ByteReader& r, std::uint32_t rows, Scratch& scratch,
                                  ColumnData& out) {
    std::uint8_t null_flag = 0;
    if (!r.u8(null_flag)) {
        return fail(ErrorCode::protocol_error, "truncated null flag");
    }
    out.value_count = rows;
    if (null_flag == 0) {
        return {};
    }
    const std::size_t bitmap_size = (static_cast<std::size_t>(rows) + 7) / 8;
    std::span<const std::uint8_t> bitmap;
    if (!r.bytes(bitmap_size, bitmap)) {
        return fail(ErrorCode::protocol_error, "truncated null bitmap");
    }
    std::uint32_t nulls = 0;
    for (std::size_t i = 0; i < bitmap_size; ++i) {
        std::uint8_t b = bitmap[i];
        if (i + 1 == bitmap_size && (rows & 7) != 0) {
            b &= static_cast<std::uint8_t>((1u << (rows & 7)) -
                                           1);  // bits past row_count are ignored
        }
        nulls += static_cast<std::uint32_t>(std::popcount(b));
    }
    out.value_count = rows - nulls;
    if (nulls == 0) {
        return {};
    }
    out.null_bitmap = bitmap.data();
    scratch.dense.resize(rows);
    std::uint32_t next = 0;
    for (std::uint32_t row = 0; row < rows; ++row) {
        const bool is_null = ((bitmap[row >> 3] >> (row & 7)) & 1) != 0;
        scratch.dense[row] = is_null ? detail::kNullSlot : next;
        next += is_null ? 0 : 1;
    }
    out.dense_index = scratch.dense.data();
    return {};
}

Status BatchDecoder::decode_column(qwp::ByteReader& r, std::uint8_t flags, std::uint32_t rows,
                                   const QuerySchema::Column& def, const SymbolDict& dict,
                                   Scratch& scratch, ColumnData& out) {
    out.kind = def.kind;
    out.name = def.name;
    out.row_count = rows;
    if (auto s = decode_nulls(r, rows, scratch, out); !s) {
        return bad_column(def, s.failure().message);
    }
    const std::size_t n = out.value_count;
    std::span<const std::uint8_t> region;
    switch (def.kind) {
        case ColumnKind::boolean:
            if (!r.bytes((n + 7) / 8, region)) {
                return bad_column(def, "truncated values");
            }
            out.values = region.data();
            return {};
        case ColumnKind::geohash: {
            std::uint64_t precision = 0;
            if (!r.varint(precision) || precision < 1 || precision > wire::kMaxGeohashBits) {
                return bad_column(def, "geohash precision outside 1..60");
            }
            out.param = static_cast<std::uint8_t>(precision);
            out.width = static_cast<std::uint8_t>((precision + 7) / 8);
            if (n > r.remaining() / out.width || !r.bytes(n * out.width, region)) {
                return bad_column(def, "truncated values");
            }
            out.values = region.data();
            return {};
        }
        case ColumnKind::varchar:
        case ColumnKind::binary: {
            if (n + 1 > r.remaining() / 4 || !r.bytes((n + 1) * 4, region)) {
                return bad_column(def, "truncated offsets");
            }
            std::uint32_t prev = detail::load_le<std::uint32_t>(region.data());
            if (prev != 0) {
                return bad_column(def, "first offset is not 0");
            }
            for (std::size_t i = 1; i <= n; ++i) {
                const auto cur = detail::load_le<std::uint32_t>(region.data() + i * 4);
                if (cur < prev) {
                    return bad_column(def, "offsets decrease at value " + std::to_string(i));
                }
                prev = cur;
            }
            std::span<const std::uint8_t> data;
            if (prev > wire::kMaxVarOffset || !r.bytes(prev, data)) {
                return bad_column(def, "offsets run past the frame");
            }
            out.offsets = region.data();
            out.var_data = data.data();
            return {};
        }
        case ColumnKind::symbol: {
            scratch.ids.resize(n);
            const std::size_t dict_size = dict.size();
            for (std::size_t i = 0; i < n; ++i) {
                std::uint64_t id = 0;
                if (!r.varint(id)) {
                    return bad_column(def, "truncated symbol ids");
                }
                if (id >= dict_size) {
                    return bad_column(def, "symbol id " + std::to_string(id) +
                                               " is not in the dictionary of " +
                                               std::to_string(dict_size) + " entries");
                }
                scratch.ids[i] = static_cast<std::uint32_t>(id);
            }
            out.symbol_ids = scratch.ids.data();
            out.symbols = dict.data();
            out.symbol_count = dict_size;
            return {};
        }
        case ColumnKind::double_array:
        case ColumnKind::long_array: {
            const std::uint8_t* base = r.current();
            scratch.array_starts.resize(n);
            for (std::size_t i = 0; i < n; ++i) {
                scratch.array_starts[i] = static_cast<std::uint32_t>(r.current() - base);
                std::uint8_t dims = 0;
                if (!r.u8(dims)) {
                    return bad_column(def, "truncated array header");
                }
                if (dims == 0 || dims > wire::kMaxArrayDims) {
                    return bad_column(def,
                                      "array n_dims " + std::to_string(dims) + " is outside 1..32");
                }
                std::span<const std::uint8_t> dim_bytes;
                if (!r.bytes(std::size_t{dims} * 4, dim_bytes)) {
                    return bad_column(def, "truncated array dimensions");
                }
                bool empty = false;
                for (unsigned d = 0; d < dims; ++d) {
                    const auto len = detail::load_le<std::int32_t>(dim_bytes.data() + d * 4);
                    if (len < 0) {
                        return bad_column(def, "negative array dimension");
                    }
                    empty = empty || len == 0;
                }
                std::size_t count = empty ? 0 : 1;
                const std::size_t max_elements = r.remaining() / 8;
                for (unsigned d = 0; d < dims && count != 0; ++d) {
                    const auto len = static_cast<std::size_t>(
                        detail::load_le<std::int32_t>(dim_bytes.data() + d * 4));
                    if (len > max_elements / count) {
                        return bad_column(def, "array elements run past the frame");
                    }
                    count *= len;
                }
                if (count > r.remaining() / 8 || !r.skip(count * 8)) {
                    return bad_column(def, "array elements run past the frame");
                }
            }
            out.values = base;
            out.array_starts = scratch.array_starts.data();
            return {};
        }
        default:
            break;
    }
    // Fixed-width kinds, including the egress time kinds (TIMESTAMP, TIMESTAMP_NANOS, DATE),
    // which carry an encoding byte under FLAG_GORILLA (unlike ingress DATE).
    out.width = wire::fixed_width(def.kind);
    if (def.kind == ColumnKind::decimal64 || def.kind == ColumnKind::decimal128 ||
        def.kind == ColumnKind::decimal256) {
        if (!r.u8(out.param)) {
            return bad_column(def, "truncated decimal scale");
        }
        if (out.param > wire::kMaxDecimalScale) {
            return bad_column(def, "decimal scale " + std::to_string(out.param) + " exceeds 76");
        }
    }
    if (is_time(def.kind) && (flags & wire::kFlagGorilla) != 0) {
        std::uint8_t encoding = 0;
        if (!r.u8(encoding)) {
            return bad_column(def, "truncated timestamp encoding byte");
        }
        if (encoding == wire::kEncodingGorilla) {
            if (n < 2) {
                return bad_column(def, "Gorilla encoding with fewer than 2 values");
            }
            scratch.times.resize(n);
            if (auto s = gorilla_decode(r, n, scratch.times.data()); !s) {
                return bad_column(def, s.failure().message);
            }
            out.values = reinterpret_cast<const std::uint8_t*>(scratch.times.data());
            return {};
        }
        if (encoding != wire::kEncodingRaw) {
            return bad_column(def, "unknown timestamp encoding " + std::to_string(encoding));
        }
    }
    if (n > r.remaining() / out.width || !r.bytes(n * out.width, region)) {
        return bad_column(def, "truncated values");
    }
    out.values = region.data();
    return {};
}

}  // namespace questdb::egress
