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
#include "support/egress_every_type.hpp"

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

void write_seeds(fuzz::SeedWriter& seeds) {
    // A result with every column kind (tests/support), encoded by the test server's writer in
    // the variants the server sends (Gorilla or not, delta dictionary, zstd), then RESULT_END.
    const auto cols = test::every_type_columns(6);
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
