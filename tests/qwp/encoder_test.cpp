#include "qwp/encoder.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "qwp/decoder.hpp"
#include "qwp/wire.hpp"
#include "support/fixtures.hpp"

namespace {

using namespace questdb::qwp;
using questdb::ErrorCode;

constexpr std::int64_t kBase = 1700000000000000000LL;

// The shared fixture's logical input as column sources.
struct Trades {
    std::vector<std::int32_t> codes;
    std::vector<std::int32_t> dict_offsets;
    std::string dict_bytes;
    std::vector<std::int64_t> qty;
    std::vector<double> px;
    std::vector<std::int64_t> ts;
    std::vector<ColumnSource> columns;

    void build() {
        dict_offsets = {0};
        dict_bytes.clear();
        for (int i = 0; i < 10; ++i) {
            dict_bytes += "SYM_00" + std::to_string(i);
            dict_offsets.push_back(static_cast<std::int32_t>(dict_bytes.size()));
        }
        ColumnSource sym;
        sym.name = "sym";
        sym.type = TypeCode::symbol;
        sym.layout = ValueLayout::symbol_codes;
        sym.data = codes.data();
        sym.code_width = 4;
        sym.offsets = dict_offsets.data();
        sym.offset_width = 4;
        sym.dict_bytes = reinterpret_cast<const std::uint8_t*>(dict_bytes.data());
        sym.dict_size = 10;
        ColumnSource q;
        q.name = "qty";
        q.type = TypeCode::long_;
        q.data = qty.data();
        ColumnSource p;
        p.name = "px";
        p.type = TypeCode::double_;
        p.data = px.data();
        ColumnSource t;
        t.name = "";
        t.type = TypeCode::timestamp_nanos;
        t.data = ts.data();
        columns = {sym, q, p, t};
    }
    TableSource table() const { return {"trades", qty.size(), columns}; }
};

Trades ten_rows() {
    Trades t;
    for (int i = 0; i < 10; ++i) {
        t.codes.push_back(i);
        t.qty.push_back(i);
        t.px.push_back(100.0 + i);
        t.ts.push_back(kBase + i);
    }
    t.build();
    return t;
}

std::string hex(std::span<const std::uint8_t> s) {
    return questdb::test::to_hex(s.data(), s.size());
}

TEST(Encoder, MatchesJavaAndRustFixturesByteForByte) {
    MessageEncoder enc;
    SymbolDictionary dict;
    EncodedFrames out;
    auto first = ten_rows();
    const TableSource t1 = first.table();
    ASSERT_TRUE(enc.encode({&t1, 1}, dict, {}, out).ok());
    ASSERT_EQ(out.count(), 1u);
    const auto fixture1 = questdb::test::load_hex_fixture("qwp/trades-10rows-replay.hex");
    EXPECT_EQ(hex(out.frame(0)), hex(fixture1));
    EXPECT_EQ(dict.sent_watermark(), 10u);

    // Second fixture: one row (SYM_009) as a self-contained replay frame.
    Trades second;
    second.codes = {9};
    second.qty = {99};
    second.px = {999.5};
    second.ts = {kBase + 1000};
    second.build();
    const TableSource t2 = second.table();
    out.clear();
    EncodeOptions replay;
    replay.symbol_mode = SymbolMode::self_contained;
    ASSERT_TRUE(enc.encode({&t2, 1}, dict, replay, out).ok());
    const auto fixture2 = questdb::test::load_hex_fixture("qwp/trades-1row-after-10-symbols.hex");
    EXPECT_EQ(hex(out.frame(0)), hex(fixture2));
    EXPECT_EQ(dict.size(), 10u);

    // The same row in delta mode ships no dictionary entries.
    out.clear();
    ASSERT_TRUE(enc.encode({&t2, 1}, dict, {}, out).ok());
    IngressDecoderState state;
    ASSERT_TRUE(decode_ingress_message(fixture1, state).ok());
    auto msg = decode_ingress_message(out.frame(0), state);
    ASSERT_TRUE(msg.ok()) << msg.failure().message;
    EXPECT_EQ(msg.value().delta_start, 10u);
    EXPECT_EQ(msg.value().delta_count, 0u);
    EXPECT_EQ(msg.value().tables[0].columns[0].bytes[0], "SYM_009");
}

TEST(Encoder, SplitsLargeBatchWithDeferCommitOnAllButLast) {
    Trades big;
    const int rows = 5000;
    for (int i = 0; i < rows; ++i) {
        big.codes.push_back(i % 10);
        big.qty.push_back(i);
        big.px.push_back(i * 0.5);
        big.ts.push_back(kBase + i);
    }
    big.build();
    const TableSource t = big.table();
    MessageEncoder enc;
    SymbolDictionary dict;
    EncodedFrames out;
    EncodeOptions opt;
    opt.max_frame_size = 4096;
    opt.gorilla = true;
    ASSERT_TRUE(enc.encode({&t, 1}, dict, opt, out).ok());
    ASSERT_GT(out.count(), 10u);
    IngressDecoderState state;
    std::size_t decoded_rows = 0;
    for (std::size_t i = 0; i < out.count(); ++i) {
        const auto f = out.frame(i);
        EXPECT_LE(f.size(), 4096u);
        const bool last = i + 1 == out.count();
        EXPECT_EQ((f[5] & kFlagDeferCommit) != 0, !last) << i;
        EXPECT_EQ(f[5] & kFlagGorilla, kFlagGorilla);
        auto msg = decode_ingress_message(f, state);
        ASSERT_TRUE(msg.ok()) << msg.failure().message;
        for (const auto& table : msg.value().tables) {
            for (std::size_t r = 0; r < table.row_count; ++r, ++decoded_rows) {
                EXPECT_EQ(table.columns[1].ints[r], static_cast<std::int64_t>(decoded_rows));
                EXPECT_EQ(table.columns[0].bytes[r], "SYM_00" + std::to_string(decoded_rows % 10));
                EXPECT_EQ(table.columns[3].ints[r],
                          kBase + static_cast<std::int64_t>(decoded_rows));
            }
        }
    }
    EXPECT_EQ(decoded_rows, static_cast<std::size_t>(rows));
}

TEST(Encoder, HugeDictionaryGoesAheadInDictionaryOnlyFrames) {
    std::vector<std::int32_t> codes;
    std::vector<std::int32_t> offsets{0};
    std::string bytes;
    for (int i = 0; i < 2000; ++i) {
        bytes += "symbol-value-number-" + std::to_string(i);
        offsets.push_back(static_cast<std::int32_t>(bytes.size()));
        codes.push_back(i);
    }
    ColumnSource sym;
    sym.name = "s";
    sym.type = TypeCode::symbol;
    sym.layout = ValueLayout::symbol_codes;
    sym.data = codes.data();
    sym.code_width = 4;
    sym.offsets = offsets.data();
    sym.dict_bytes = reinterpret_cast<const std::uint8_t*>(bytes.data());
    sym.dict_size = 2000;
    const TableSource t{"t", codes.size(), {&sym, 1}};
    MessageEncoder enc;
    SymbolDictionary dict;
    EncodedFrames out;
    EncodeOptions opt;
    opt.max_frame_size = 4096;
    ASSERT_TRUE(enc.encode({&t, 1}, dict, opt, out).ok());
    IngressDecoderState state;
    std::size_t dict_only = 0;
    std::size_t rows = 0;
    for (std::size_t i = 0; i < out.count(); ++i) {
        auto msg = decode_ingress_message(out.frame(i), state);
        ASSERT_TRUE(msg.ok()) << i << ": " << msg.failure().message;
        if (msg.value().tables.empty()) {
            ++dict_only;
            EXPECT_EQ(out.frame(i)[5], 0x09);
        }
        for (const auto& tb : msg.value().tables) {
            for (std::size_t r = 0; r < tb.row_count; ++r, ++rows) {
                EXPECT_EQ(tb.columns[0].bytes[r], "symbol-value-number-" + std::to_string(rows));
            }
        }
    }
    EXPECT_GT(dict_only, 0u);
    EXPECT_EQ(rows, 2000u);
    EXPECT_EQ(state.dictionary().size(), 2000u);
}

TEST(Encoder, CatchUpFramesReRegisterTheWholeDictionary) {
    SymbolDictionary dict;
    std::string big(1000, 'x');
    for (int i = 0; i < 3000; ++i) {
        ASSERT_TRUE(dict.intern(big + std::to_string(i)).ok());
    }
    EncodedFrames out;
    ASSERT_TRUE(encode_dictionary_catchup(dict, 3000, 1 << 20, out).ok());
    EXPECT_GE(out.count(), 3u);
    IngressDecoderState state;
    std::uint64_t expected_start = 0;
    for (std::size_t i = 0; i < out.count(); ++i) {
        const auto f = out.frame(i);
        EXPECT_LE(f.size(), std::size_t{1} << 20);
        EXPECT_EQ(f[5], 0x09);
        EXPECT_EQ(f[6] | f[7], 0);
        auto msg = decode_ingress_message(f, state);
        ASSERT_TRUE(msg.ok()) << msg.failure().message;
        EXPECT_EQ(msg.value().delta_start, expected_start);
        expected_start += msg.value().delta_count;
    }
    EXPECT_EQ(expected_start, 3000u);
    EXPECT_EQ(state.dictionary()[2999], big + "2999");
    EncodedFrames none;
    ASSERT_TRUE(encode_dictionary_catchup(dict, 0, 4096, none).ok());
    EXPECT_EQ(none.count(), 0u);
    EXPECT_EQ(encode_dictionary_catchup(dict, 10, 512, none).failure().code,
              ErrorCode::limit_exceeded);
    EXPECT_EQ(none.count(), 0u);
}

TEST(Encoder, CommitFrameIsEmptyAndDecodes) {
    EncodedFrames out;
    append_commit_frame(out);
    IngressDecoderState state;
    auto msg = decode_ingress_message(out.frame(0), state);
    ASSERT_TRUE(msg.ok());
    EXPECT_FALSE(msg.value().defer_commit());
    EXPECT_TRUE(msg.value().tables.empty());
}

TEST(Encoder, RowTooLargeFailsAndLeavesStateUntouched) {
    std::string payload(10000, 'a');
    std::vector<std::int32_t> offs{0, 10000};
    ColumnSource v;
    v.name = "v";
    v.type = TypeCode::varchar;
    v.layout = ValueLayout::var32;
    v.data = payload.data();
    v.offsets = offs.data();
    const TableSource t{"t", 1, {&v, 1}};
    MessageEncoder enc;
    SymbolDictionary dict;
    EncodedFrames out;
    append_commit_frame(out);
    EncodeOptions opt;
    opt.max_frame_size = 4096;
    auto st = enc.encode({&t, 1}, dict, opt, out);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.failure().code, ErrorCode::limit_exceeded);
    EXPECT_NE(st.failure().message.find("table 't'"), std::string::npos);
    EXPECT_EQ(out.count(), 1u);
    EXPECT_EQ(out.bytes.size(), 14u);
}

// The timestamp section of a one-column table: [null flag][encoding byte][values...].
std::vector<std::uint8_t> timestamp_section(const std::vector<std::int64_t>& ts, bool gorilla) {
    ColumnSource c;
    c.name = "";
    c.type = TypeCode::timestamp;
    c.data = ts.data();
    const TableSource t{"t", ts.size(), {&c, 1}};
    MessageEncoder enc;
    SymbolDictionary dict;
    EncodedFrames out;
    EncodeOptions opt;
    opt.gorilla = gorilla;
    EXPECT_TRUE(enc.encode({&t, 1}, dict, opt, out).ok());
    const auto f = out.frame(0);
    EXPECT_EQ((f[5] & kFlagGorilla) != 0, gorilla);
    // header 12, delta 00 00, name 01 't', rows, cols 01, schema 00 0A
    const std::size_t at = 12 + 2 + 2 + varint_size(ts.size()) + 1 + 2;
    return {f.begin() + static_cast<std::ptrdiff_t>(at), f.end()};
}

TEST(Encoder, GorillaChoiceFollowsTheReference) {
    // >= 3 values whose delta-of-deltas fit 32 bits: Gorilla (checklist D10 vector).
    EXPECT_EQ(hex(timestamp_section({1000, 2000, 3000, 4005}, true)),
              "0001e803000000000000d0070000000000002a00");
    // 2 values: uncompressed even under FLAG_GORILLA (the reference needs > 2 values).
    EXPECT_EQ(hex(timestamp_section({5, 6}, true)), "000005000000000000000600000000000000");
    // A delta-of-delta past 32 bits: uncompressed fallback.
    EXPECT_EQ(timestamp_section({0, 1, std::int64_t{1} << 40}, true)[1], kTimestampUncompressed);
    // No FLAG_GORILLA: no encoding byte at all.
    EXPECT_EQ(timestamp_section({1, 2, 3}, false).size(), 1u + 24u);
}

TEST(Encoder, WatermarkResetReShipsFromZero) {
    auto first = ten_rows();
    const TableSource t = first.table();
    MessageEncoder enc;
    SymbolDictionary dict;
    EncodedFrames out;
    ASSERT_TRUE(enc.encode({&t, 1}, dict, {}, out).ok());
    dict.reset_sent_watermark();
    EncodedFrames again;
    ASSERT_TRUE(enc.encode({&t, 1}, dict, {}, again).ok());
    EXPECT_EQ(hex(again.frame(0)), hex(out.frame(0)));
}

// Checklist H4: at most 1,000,000 rows per table block. The cap is an option so that the split
// is visible on ten rows; the default is the server's limit.
TEST(Encoder, ATableLongerThanTheRowCapIsSplitIntoBlocksOfOneFrame) {
    EXPECT_EQ(EncodeOptions{}.max_rows_per_block, 1'000'000u);
    const Trades ten = ten_rows();
    const TableSource t = ten.table();
    MessageEncoder enc;
    SymbolDictionary dict;
    EncodedFrames out;
    EncodeOptions opt;
    opt.max_rows_per_block = 3;
    ASSERT_TRUE(enc.encode({&t, 1}, dict, opt, out).ok());
    ASSERT_EQ(out.count(), 1u) << "blocks split, the frame does not";
    IngressDecoderState state;
    auto msg = decode_ingress_message(out.frame(0), state);
    ASSERT_TRUE(msg.ok()) << msg.failure().message;
    std::vector<std::size_t> block_rows;
    std::vector<std::int64_t> qty;
    for (const auto& table : msg.value().tables) {
        EXPECT_EQ(table.name, "trades");
        block_rows.push_back(table.row_count);
        qty.insert(qty.end(), table.columns[1].ints.begin(),
                   table.columns[1].ints.begin() + static_cast<std::ptrdiff_t>(table.row_count));
    }
    EXPECT_EQ(block_rows, (std::vector<std::size_t>{3, 3, 3, 1}));
    EXPECT_EQ(qty, ten.qty) << "rows stay in order across blocks";
}

// Checklist H4: at most 65,535 table blocks per message; the next block opens a new frame of
// the same batch (which defers its commit to the last frame).
TEST(Encoder, MoreTableBlocksThanAMessageHoldsOpenANewFrame) {
    const Trades one = [] {
        Trades t;
        t.codes.push_back(1);
        t.qty.push_back(7);
        t.px.push_back(1.5);
        t.ts.push_back(kBase);
        t.build();
        return t;
    }();
    constexpr std::size_t kTables = kMaxTablesPerMessage + 1;
    std::vector<std::string> names;
    names.reserve(kTables);
    std::vector<TableSource> tables;
    tables.reserve(kTables);
    for (std::size_t i = 0; i < kTables; ++i) {
        names.push_back("t" + std::to_string(i));
    }
    for (std::size_t i = 0; i < kTables; ++i) {
        tables.push_back({names[i], 1, one.columns});
    }
    MessageEncoder enc;
    SymbolDictionary dict;
    EncodedFrames out;
    EncodeOptions opt;
    opt.max_frame_size = 16u << 20;
    ASSERT_TRUE(enc.encode(tables, dict, opt, out).ok());
    ASSERT_EQ(out.count(), 2u);
    EXPECT_EQ(out.frame(0)[5] & kFlagDeferCommit, kFlagDeferCommit);
    EXPECT_EQ(out.frame(1)[5] & kFlagDeferCommit, 0);
    IngressDecoderState state;
    DecodeLimits limits;  // the server's 10,000 tables per connection is not this test's limit
    limits.max_tables_per_connection = kTables;
    auto first = decode_ingress_message(out.frame(0), state, limits);
    ASSERT_TRUE(first.ok()) << first.failure().message;
    EXPECT_EQ(first.value().tables.size(), kMaxTablesPerMessage);
    auto second = decode_ingress_message(out.frame(1), state, limits);
    ASSERT_TRUE(second.ok()) << second.failure().message;
    ASSERT_EQ(second.value().tables.size(), 1u);
    EXPECT_EQ(second.value().tables[0].name, names.back());
}

}  // namespace
