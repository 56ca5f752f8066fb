// Fuzzes the strict QWP ingress decoder (src/qwp/decoder.cpp), which the test server runs on
// every client frame. Input: byte 0 picks the limits, the rest is a sequence of frames
// (u16 length prefixes) decoded on one connection state, so that a delta dictionary accepted
// by one frame is in place for the next.

#include <algorithm>
#include <array>
#include <cstring>

#include "fuzz_support.hpp"
#include "qwp/decoder.hpp"
#include "qwp/encoder.hpp"

namespace {

using namespace questdb;
using namespace questdb::qwp;

// Frames from the library's own encoder: every layout the senders produce, with nulls,
// with and without Gorilla timestamps.
void write_seeds(fuzz::SeedWriter& seeds) {
    const auto trades = fuzz::fixture("qwp/trades-10rows-replay.hex");
    const auto after = fuzz::fixture("qwp/trades-1row-after-10-symbols.hex");
    fuzz::Bytes both{0};
    fuzz::append_frame(both, trades);
    fuzz::append_frame(both, after);
    seeds.add("fixture-trades-two-frames", both);
    for (const std::uint8_t mode : {0, 1}) {
        fuzz::Bytes one{mode};
        fuzz::append_frame(one, trades);
        seeds.add("fixture-trades-10rows-" + std::to_string(mode), one);
    }

    constexpr std::size_t kRows = 5;
    const std::array<std::int64_t, kRows> longs{1, -2, 3, INT64_MIN, 5};
    const std::array<double, kRows> doubles{0.5, -1.25, 1e300, 0, 3};
    const std::array<std::int64_t, kRows> times{
        1700000000000000, 1700000000000010, 1700000000000020, 1700000000000031, 1700000000000045};
    const std::array<std::int32_t, kRows + 1> offsets{0, 1, 3, 3, 6, 10};
    const char text[] = "abbcccdddd";
    const std::uint8_t validity = 0b10111;  // row 3 is null
    const std::uint8_t bools = 0b01101;
    std::array<ColumnSource, 5> columns{};
    columns[0] = {
        .name = "l", .type = TypeCode::long_, .validity = &validity, .data = longs.data()};
    columns[1] = {.name = "d", .type = TypeCode::double_, .data = doubles.data()};
    columns[2] = {.name = "v",
                  .type = TypeCode::varchar,
                  .layout = ValueLayout::var32,
                  .validity = &validity,
                  .data = text,
                  .offsets = offsets.data()};
    columns[3] = {
        .name = "b", .type = TypeCode::boolean, .layout = ValueLayout::bits, .data = &bools};
    columns[4] = {.name = "", .type = TypeCode::timestamp, .data = times.data()};
    const TableSource table{.name = "t", .row_count = kRows, .columns = columns};
    for (const bool gorilla : {false, true}) {
        SymbolDictionary dict;
        MessageEncoder encoder;
        EncodedFrames frames;
        EncodeOptions options;
        options.gorilla = gorilla;
        if (!encoder.encode(std::span(&table, 1), dict, options, frames).ok()) {
            std::abort();
        }
        fuzz::Bytes input{0};
        for (std::size_t i = 0; i < frames.count(); ++i) {
            fuzz::append_frame(input, frames.frame(i));
        }
        seeds.add(std::string("encoder-mixed-") + (gorilla ? "gorilla" : "raw"), input);
    }
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
    DecodeLimits limits;
    if ((data[0] & 1) != 0) {  // tight limits reach the limit checks with small inputs
        limits.max_rows_per_block = 4;
        limits.max_columns = 3;
        limits.max_name_len = 8;
        limits.max_dictionary_entries = 4;
        limits.max_tables_per_connection = 1;
    }
    IngressDecoderState state;
    fuzz::FrameSplitter frames({data + 1, size - 1});
    std::span<const std::uint8_t> frame;
    while (frames.next(frame)) {
        DecodeErrorKind kind = DecodeErrorKind::none;
        auto message = decode_ingress_message(frame, state, limits, &kind);
        if (!message.ok()) {
            continue;
        }
        // What a server committing the rows relies on: one entry per row in the null vector
        // and in the value vector of the column's kind.
        for (const auto& table : message.value().tables) {
            for (const auto& column : table.columns) {
                const std::size_t values = std::max({column.ints.size(), column.floats.size(),
                                                     column.bytes.size(), column.arrays.size()});
                if (column.nulls.size() != table.row_count || values != table.row_count) {
                    __builtin_trap();
                }
            }
        }
    }
    return 0;
}
