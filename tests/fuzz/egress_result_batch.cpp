// Fuzzes the query client's handling of server frames: the egress protocol engine
// (src/egress/protocol.cpp) with its strict RESULT_BATCH decoder (batch_decoder.cpp, zstd,
// Gorilla, delta symbol dictionary) and the control messages, then reads every value of every
// accepted batch through the public zero-copy views, as an application would. The engine has
// completed a real SERVER_INFO handshake and has one query in flight; the input is the
// sequence of server frames that follow (u16 length prefixes). Byte 0 picks zstd.

#include <cstring>

#include "egress/protocol.hpp"
#include "egress/server_writer.hpp"
#include "fuzz_support.hpp"
#include "questdb/egress/batch.hpp"

namespace {

using namespace questdb;
using namespace questdb::egress;

std::uint64_t sink = 0;

template <class Column>
void touch_rows(const Column& column) {
    for (std::size_t row = 0; row < column.row_count(); ++row) {
        sink += column.get(row).has_value() ? 1 : 0;
    }
}

template <class T>
void touch_arrays(const ArrayColumn<T>& column) {
    for (std::size_t row = 0; row < column.row_count(); ++row) {
        if (auto array = column.get(row)) {
            for (std::size_t d = 0; d < array->n_dims(); ++d) {
                sink += static_cast<std::uint64_t>(array->dim(d));
            }
            for (std::size_t i = 0; i < array->size(); ++i) {
                sink += array->is_null_element(i) ? 1 : 0;
            }
        }
    }
}

void touch_varlen(const VarcharColumn& column) {
    for (std::size_t row = 0; row < column.row_count(); ++row) {
        if (auto v = column.get(row)) {
            for (const char c : *v) {
                sink += static_cast<unsigned char>(c);
            }
        }
    }
}

void touch_column(const ColumnView& c) {
    for (std::size_t row = 0; row < c.row_count(); ++row) {
        sink += c.is_null(row) ? 1 : 0;
    }
    switch (c.kind()) {
        case ColumnKind::boolean:
            return touch_rows(c.as_bool());
        case ColumnKind::byte:
            return touch_rows(c.as_byte());
        case ColumnKind::short_:
            return touch_rows(c.as_short());
        case ColumnKind::char_:
            return touch_rows(c.as_char());
        case ColumnKind::int_:
            return touch_rows(c.as_int());
        case ColumnKind::long_:
            return touch_rows(c.as_long());
        case ColumnKind::float_:
            return touch_rows(c.as_float());
        case ColumnKind::double_:
            return touch_rows(c.as_double());
        case ColumnKind::ipv4:
            return touch_rows(c.as_ipv4());
        case ColumnKind::timestamp:
        case ColumnKind::timestamp_nanos:
        case ColumnKind::date:
            return touch_rows(c.as_timestamp());
        case ColumnKind::uuid:
            return touch_rows(c.as_uuid());
        case ColumnKind::long256:
            return touch_rows(c.as_long256());
        case ColumnKind::decimal64:
            return touch_rows(c.as_decimal64());
        case ColumnKind::decimal128:
            return touch_rows(c.as_decimal128());
        case ColumnKind::decimal256:
            return touch_rows(c.as_decimal256());
        case ColumnKind::geohash:
            return touch_rows(c.as_geohash());
        case ColumnKind::varchar:
            return touch_varlen(c.as_varchar());
        case ColumnKind::binary:
            return touch_rows(c.as_binary());
        case ColumnKind::symbol: {
            const auto symbols = c.as_symbol();
            for (std::size_t row = 0; row < symbols.row_count(); ++row) {
                if (auto s = symbols.resolve(row)) {
                    sink += s->size();
                }
            }
            return;
        }
        case ColumnKind::double_array:
            return touch_arrays(c.as_double_array());
        case ColumnKind::long_array:
            return touch_arrays(c.as_long_array());
    }
}

constexpr std::int64_t kRequestId = 1;

// A result with every column kind, encoded by the test server's writer in the variants the
// server sends (Gorilla or not, delta dictionary, zstd), followed by RESULT_END.
std::vector<server::ResultColumn> every_kind_columns() {
    using server::ResultColumn;
    std::vector<ResultColumn> cols;
    cols.emplace_back("b", ColumnKind::boolean);
    cols.emplace_back("i8", ColumnKind::byte);
    cols.emplace_back("i16", ColumnKind::short_);
    cols.emplace_back("c", ColumnKind::char_);
    cols.emplace_back("i32", ColumnKind::int_);
    cols.emplace_back("i64", ColumnKind::long_);
    cols.emplace_back("f32", ColumnKind::float_);
    cols.emplace_back("f64", ColumnKind::double_);
    cols.emplace_back("sym", ColumnKind::symbol);
    cols.emplace_back("ts", ColumnKind::timestamp);
    cols.emplace_back("tsn", ColumnKind::timestamp_nanos);
    cols.emplace_back("d", ColumnKind::date);
    cols.emplace_back("u", ColumnKind::uuid);
    cols.emplace_back("l256", ColumnKind::long256);
    cols.emplace_back("g", ColumnKind::geohash, 20);
    cols.emplace_back("v", ColumnKind::varchar);
    cols.emplace_back("bin", ColumnKind::binary);
    cols.emplace_back("ip", ColumnKind::ipv4);
    cols.emplace_back("da", ColumnKind::double_array);
    cols.emplace_back("la", ColumnKind::long_array);
    cols.emplace_back("d64", ColumnKind::decimal64, 2);
    cols.emplace_back("d128", ColumnKind::decimal128, 4);
    cols.emplace_back("d256", ColumnKind::decimal256, 6);
    for (int row = 0; row < 6; ++row) {
        const bool null = row == 3;
        for (auto& col : cols) {
            if (null && col.kind() != ColumnKind::boolean) {
                col.append_null();
                continue;
            }
            switch (col.kind()) {
                case ColumnKind::boolean:
                    col.append_bool(row % 2 == 0);
                    break;
                case ColumnKind::byte:
                    col.append_i8(static_cast<std::int8_t>(row));
                    break;
                case ColumnKind::short_:
                    col.append_i16(static_cast<std::int16_t>(-row));
                    break;
                case ColumnKind::char_:
                    col.append_char(u'a');
                    break;
                case ColumnKind::int_:
                    col.append_i32(row * 1000);
                    break;
                case ColumnKind::float_:
                    col.append_f32(0.5f * static_cast<float>(row));
                    break;
                case ColumnKind::double_:
                    col.append_f64(1.25 * row);
                    break;
                case ColumnKind::symbol:
                    col.append_bytes(row % 2 ? "AAPL" : "MSFT");
                    break;
                case ColumnKind::timestamp:
                case ColumnKind::timestamp_nanos:
                case ColumnKind::date:
                    col.append_i64(1700000000000000 + row * 17 + row * row);
                    break;
                case ColumnKind::uuid:
                    col.append_uuid({});
                    break;
                case ColumnKind::long256:
                    col.append_long256({});
                    break;
                case ColumnKind::geohash:
                    col.append_geohash(0x12345);
                    break;
                case ColumnKind::varchar:
                case ColumnKind::binary:
                    col.append_bytes(std::string(static_cast<std::size_t>(row), 'x'));
                    break;
                case ColumnKind::ipv4:
                    col.append_ipv4(0x7f000001);
                    break;
                case ColumnKind::double_array: {
                    const std::int32_t shape[] = {2};
                    const double values[] = {1.0, 2.0};
                    col.append_double_array(shape, values);
                    break;
                }
                case ColumnKind::long_array: {
                    const std::int32_t shape[] = {1, 2};
                    const std::int64_t values[] = {7, 8};
                    col.append_long_array(shape, values);
                    break;
                }
                case ColumnKind::decimal128:
                    col.append_decimal128(12345, 0);
                    break;
                case ColumnKind::decimal256:
                    col.append_decimal256({1, 0, 0, 0});
                    break;
                default:
                    col.append_i64(row);
                    break;  // long, decimal64
            }
        }
    }
    return cols;
}

void write_seeds(fuzz::SeedWriter& seeds) {
    const auto cols = every_kind_columns();
    int n = 0;
    for (const bool gorilla : {false, true}) {
        for (const bool zstd : {false, true}) {
            server::ResultEncoder encoder;
            server::BatchEncodeOptions options;
            options.gorilla = gorilla;
            options.zstd = zstd;
            fuzz::Bytes input{static_cast<std::uint8_t>(zstd ? 1 : 0)};
            std::vector<std::uint8_t> frame;
            if (!encoder.encode_batch(kRequestId, 0, cols, 0, 3, options, frame).ok()) {
                std::abort();
            }
            fuzz::append_frame(input, frame);
            if (!encoder.encode_batch(kRequestId, 1, cols, 3, 3, options, frame).ok()) {
                std::abort();
            }
            fuzz::append_frame(input, frame);
            server::encode_result_end(kRequestId, 1, 6, frame);
            fuzz::append_frame(input, frame);
            seeds.add("every-kind-" + std::to_string(n++), input);
        }
    }
    fuzz::Bytes control{0};
    std::vector<std::uint8_t> frame;
    server::encode_cache_reset(0x3, frame);
    fuzz::append_frame(control, frame);
    server::encode_exec_done(kRequestId, 1, 42, frame);
    fuzz::append_frame(control, frame);
    seeds.add("cache-reset-exec-done", control);
    fuzz::Bytes error{0};
    server::encode_query_error(kRequestId, 0x05, "bad sql", frame);
    fuzz::append_frame(error, frame);
    seeds.add("query-error", error);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::write_seeds_if_asked(write_seeds);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    QueryProtocol::Options options;
    options.zstd_negotiated = (data[0] & 1) != 0;
    options.max_decompressed_bytes = 1u << 20;  // keep decompression bombs cheap
    QueryProtocol protocol(options);
    std::vector<std::uint8_t> out;
    server::encode_server_info({}, out);
    if (!protocol.on_handshake_frame(out).ok()) {
        __builtin_trap();
    }
    QueryProtocol::QuerySpec spec;
    spec.request_id = kRequestId;
    spec.sql = "select * from t";
    if (!protocol.begin_query(spec, out).ok()) {
        __builtin_trap();
    }
    fuzz::FrameSplitter frames({data + 1, size - 1});
    std::span<const std::uint8_t> frame;
    while (frames.next(frame)) {
        auto event = protocol.on_frame(frame);
        if (!event.ok()) {
            return 0;  // a connection-level error: the reader drops the connection
        }
        if (event.value().kind == InboundEvent::Kind::batch) {
            const BatchView batch(event.value().batch);
            for (std::size_t i = 0; i < batch.column_count(); ++i) {
                touch_column(batch.column(i));
            }
            protocol.on_batch_released(event.value().wire_bytes, out);
        }
    }
    return 0;
}
