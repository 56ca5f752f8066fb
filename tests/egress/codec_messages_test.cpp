// Control messages of the egress codec: header checks (0.1, 0.2, 0.6), SERVER_INFO (A14, A15,
// A18), client frames (B1, B4, B9, B10), terminators (B6, B7, B8, B11, B12, B13), binds (C1-C11).

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "egress/binds.hpp"
#include "egress/messages.hpp"
#include "egress/server_writer.hpp"
#include "test_util.hpp"

namespace questdb::egress {
namespace {

using test::Frame;
using test::hex;
using test::with_header;

TEST(EgressHeader, AcceptsValidHeader) {
    auto frame = with_header(hex("12 01 00 00 00 00 00 00 00 00 02"));
    auto h = wire::decode_header(frame);
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(h.value().payload_length, 11u);
}

TEST(EgressHeader, RejectsBadMagic) {
    auto frame = with_header(hex("12 01 00 00 00 00 00 00 00 00 02"));
    frame[0] = 0x52;
    auto h = wire::decode_header(frame);
    ASSERT_FALSE(h.ok());
    EXPECT_EQ(h.failure().code, ErrorCode::protocol_error);
}

TEST(EgressHeader, RejectsPayloadLengthMismatch) {
    auto frame = with_header(hex("12 01 00 00 00 00 00 00 00 00 02"));
    frame[8] = 12;  // claims one byte more than the WebSocket message holds
    EXPECT_FALSE(wire::decode_header(frame).ok());
    frame[8] = 10;
    EXPECT_FALSE(wire::decode_header(frame).ok());
}

TEST(EgressHeader, RejectsShortFrameWithoutOverRead) {
    for (std::size_t n = 0; n < wire::kHeaderSize; ++n) {
        Frame f(n, 0x51);
        EXPECT_FALSE(wire::decode_header(f).ok()) << n;
    }
}

TEST(EgressHeader, RejectsWrongVersion) {
    auto frame = with_header(hex("12 01 00 00 00 00 00 00 00 00 02"), 0, 0, 2);
    auto h = wire::decode_header(frame, 1);
    ASSERT_FALSE(h.ok());
    EXPECT_NE(h.failure().message.find("version 2"), std::string::npos);
}

TEST(EgressHeader, UnknownAndClientKindsRejected) {
    for (std::uint8_t kind : {0x00, 0x01, 0x10, 0x14, 0x15, 0x19, 0x1F, 0x20, 0xFF}) {
        auto frame = with_header(Frame{kind, 0});
        EXPECT_FALSE(wire::server_msg_kind(frame).ok()) << int(kind);
    }
    for (std::uint8_t kind : {0x11, 0x12, 0x13, 0x16, 0x17, 0x18}) {
        auto frame = with_header(Frame{kind, 0});
        EXPECT_TRUE(wire::server_msg_kind(frame).ok()) << int(kind);
    }
}

TEST(EgressServerInfo, DecodesChecklistVector) {
    auto frame =
        hex("51 57 50 31 01 00 00 00 20 00 00 00 18 02 07 00 00 00 00 00 00 00 03 00 00 00 00 00 "
            "00 00 00 00 00 00 01 "
            "00 63 02 00 6e 31 01 00 7a");
    ASSERT_TRUE(wire::decode_header(frame).ok());
    auto info = wire::decode_server_info(std::span(frame).subspan(12));
    ASSERT_TRUE(info.ok()) << info.failure().message;
    EXPECT_EQ(info.value().role, ServerRole::replica);
    EXPECT_EQ(info.value().epoch, 7u);
    EXPECT_EQ(info.value().capabilities, 3u);
    EXPECT_EQ(info.value().cluster_id, "c");
    EXPECT_EQ(info.value().node_id, "n1");
    EXPECT_EQ(info.value().zone_id, "z");
    EXPECT_TRUE(info.value().has_query_flags());
}

TEST(EgressServerInfo, OversizedNodeIdLengthRejected) {
    auto payload = hex(
        "18 02 07 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 63 FF FF 6e 31");
    auto info = wire::decode_server_info(payload);
    ASSERT_FALSE(info.ok());
    EXPECT_EQ(info.failure().code, ErrorCode::protocol_error);
}

TEST(EgressServerInfo, UnknownCapsAndTrailingBytesTolerated) {
    ServerInfo in;
    in.role = ServerRole::primary;
    in.capabilities = 0x80000001;
    in.zone_id = "eu-1";
    in.epoch = 0;  // A18: epoch 0 is fine
    Frame frame;
    server::encode_server_info(in, frame);
    frame.insert(frame.end(), {1, 2, 3, 4, 5});
    frame[8] += 5;
    ASSERT_TRUE(wire::decode_header(frame).ok());
    auto info = wire::decode_server_info(std::span(frame).subspan(12));
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info.value(), in);
}

TEST(EgressServerInfo, EveryTruncationRejected) {
    ServerInfo in;
    in.capabilities = 1;
    in.cluster_id = "cluster";
    in.node_id = "node";
    in.zone_id = "zone";
    Frame frame;
    server::encode_server_info(in, frame);
    std::span<const std::uint8_t> payload(frame.data() + 12, frame.size() - 12);
    for (std::size_t n = 0; n < payload.size(); ++n) {
        EXPECT_FALSE(wire::decode_server_info(payload.first(n)).ok()) << n;
    }
}

TEST(EgressClientFrames, QueryRequestSpecVector) {
    Frame out;
    wire::QueryRequest q;
    q.request_id = 1;
    q.sql = "SELECT id, value FROM sensors LIMIT 2";
    ASSERT_TRUE(wire::encode_query_request(q, out).ok());
    // The spec's listing says sql_length 0x24 (36) but its own SQL bytes are 37 (0x25) long;
    // the bytes win (documented in docs/QUERY.md).
    Frame expected =
        hex("10 01 00 00 00 00 00 00 00 25 53 45 4C 45 43 54 20 69 64 2C 20 76 61 6C 75 65 20 46 "
            "52 4F 4D 20 73 65 "
            "6E 73 6F 72 73 20 4C 49 4D 49 54 20 32 00 00");
    EXPECT_EQ(out, expected);
    EXPECT_EQ(out[0], 0x10);  // 0.3: no QWP header on client frames
}

TEST(EgressClientFrames, QueryFlagsOnlyWithCapability) {
    Frame out;
    wire::QueryRequest q;
    q.request_id = 3;
    q.sql = "x";
    BindList binds;
    ASSERT_TRUE(binds.add_i64(1).ok());
    q.binds = binds.bytes();
    q.bind_count = binds.count();
    ASSERT_TRUE(wire::encode_query_request(q, out).ok());
    Frame no_flags = out;
    EXPECT_EQ(no_flags.back(), 0x00);  // last byte of the LONG bind value
    q.with_query_flags = true;
    q.query_flags = wire::kQueryFlagResetDict;
    ASSERT_TRUE(wire::encode_query_request(q, out).ok());
    EXPECT_EQ(out.size(), no_flags.size() + 1);
    EXPECT_EQ(out.back(), 0x01);
    // the server side decodes the trailer only when it advertised the capability
    EXPECT_FALSE(server::decode_client_message(out, false).ok());
    auto m = server::decode_client_message(out, true);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(std::get<server::QueryRequestMsg>(m.value()).query_flags, 1u);
}

TEST(EgressClientFrames, SqlAndBindLimits) {
    Frame out{0xAA};
    wire::QueryRequest q;
    std::string big((1u << 20) + 1, 'x');
    q.sql = big;
    auto s = wire::encode_query_request(q, out, 8u << 20);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.failure().code, ErrorCode::limit_exceeded);
    EXPECT_EQ(out, Frame{0xAA});  // nothing written

    BindList binds;
    for (int i = 0; i < 1024; ++i) {
        ASSERT_TRUE(binds.add_i32(i).ok());
    }
    auto over = binds.add_i32(0);
    ASSERT_FALSE(over.ok());
    EXPECT_EQ(over.failure().code, ErrorCode::limit_exceeded);
    EXPECT_EQ(binds.count(), 1024u);

    // H2: a 2.5 MiB binary bind exceeds the client frame cap before any send
    BindList large;
    std::vector<std::uint8_t> blob(2'500'000, 7);
    ASSERT_TRUE(large.add_binary(blob).ok());
    q.sql = "select $1";
    q.binds = large.bytes();
    q.bind_count = large.count();
    auto capped = wire::encode_query_request(q, out);
    ASSERT_FALSE(capped.ok());
    EXPECT_EQ(capped.failure().code, ErrorCode::limit_exceeded);
}

TEST(EgressClientFrames, InvalidUtf8SqlRejected) {
    Frame out;
    wire::QueryRequest q;
    q.sql = "select '\xC3'";
    auto s = wire::encode_query_request(q, out);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.failure().code, ErrorCode::invalid_utf8);
}

TEST(EgressClientFrames, CancelAndCredit) {
    Frame out;
    wire::encode_cancel(7, out);
    EXPECT_EQ(out, hex("14 07 00 00 00 00 00 00 00"));
    wire::encode_credit(7, 65536, out);
    EXPECT_EQ(out, hex("15 07 00 00 00 00 00 00 00 80 80 04"));
    auto m = server::decode_client_message(out, false);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(std::get<server::CreditMsg>(m.value()).additional_bytes, 65536u);
    wire::encode_cancel(9, out);
    auto c = server::decode_client_message(out, false);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(std::get<server::CancelMsg>(c.value()).request_id, 9);
    out.push_back(0);
    EXPECT_FALSE(server::decode_client_message(out, false).ok());  // B9: exactly 9 bytes
}

TEST(EgressClientFrames, HeaderOnClientFrameIsUnknownKind) {
    auto m = server::decode_client_message(hex("51 57 50 31 01 00"), false);
    ASSERT_FALSE(m.ok());
    EXPECT_NE(m.failure().message.find("header"), std::string::npos);
}

TEST(EgressTerminators, ResultEnd) {
    auto r = wire::decode_result_end(hex("12 01 00 00 00 00 00 00 00 00 02"));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().request_id, 1);
    EXPECT_EQ(r.value().end.total_rows, 2u);
    EXPECT_EQ(r.value().end.final_seq, 0u);
}

TEST(EgressTerminators, QueryErrorBoundsChecked) {
    auto bad = wire::decode_query_error(hex("13 01 00 00 00 00 00 00 00 05 FF FF 61 62 63"));
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.failure().code, ErrorCode::protocol_error);
    auto ok = wire::decode_query_error(hex("13 FF FF FF FF FF FF FF FF 2A 03 00 61 62 63"));
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(ok.value().request_id, -1);
    EXPECT_EQ(ok.value().status, 0x2A);
    EXPECT_EQ(ok.value().message, "abc");
}

TEST(EgressTerminators, StatusMapping) {
    EXPECT_EQ(wire::error_code_for_status(0x03), ErrorCode::server_schema_mismatch);
    EXPECT_EQ(wire::error_code_for_status(0x05), ErrorCode::server_parse_error);
    EXPECT_EQ(wire::error_code_for_status(0x06), ErrorCode::server_internal_error);
    EXPECT_EQ(wire::error_code_for_status(0x08), ErrorCode::server_security_error);
    EXPECT_EQ(wire::error_code_for_status(0x0A), ErrorCode::cancelled);
    EXPECT_EQ(wire::error_code_for_status(0x0B), ErrorCode::server_limit_exceeded);
    EXPECT_EQ(wire::error_code_for_status(0x2A), ErrorCode::query_error);
}

TEST(EgressTerminators, ExecDoneAndCacheReset) {
    auto d = wire::decode_exec_done(hex("16 04 00 00 00 00 00 00 00 02 05"));
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d.value().done.op_type, 2);
    EXPECT_EQ(d.value().done.rows_affected, 5u);
    auto r = wire::decode_cache_reset(hex("17 03"));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value(), 3);
    EXPECT_FALSE(wire::decode_cache_reset(hex("17")).ok());
    EXPECT_FALSE(wire::decode_cache_reset(hex("17 01 00")).ok());
}

TEST(EgressTerminators, WriterRoundTrip) {
    Frame f;
    server::encode_result_end(5, 3, 99, f);
    ASSERT_TRUE(wire::decode_header(f).ok());
    EXPECT_EQ(wire::decode_result_end(std::span(f).subspan(12)).value().end, (ResultEnd{3, 99}));
    server::encode_query_error(5, 0x05, "bad sql", f);
    ASSERT_TRUE(wire::decode_header(f).ok());
    EXPECT_EQ(wire::decode_query_error(std::span(f).subspan(12)).value().message, "bad sql");
    server::encode_exec_done(5, 1, 1000, f);
    EXPECT_EQ(wire::decode_exec_done(std::span(f).subspan(12)).value().done, (ExecDone{1, 1000}));
    server::encode_cache_reset(1, f);
    EXPECT_EQ(f, with_header(hex("17 01")));
}

// ---- binds (section C) ----

Frame binds_of(const BindList& b) {
    return Frame(b.bytes().begin(), b.bytes().end());
}

TEST(EgressBinds, Vectors) {
    BindList b;
    ASSERT_TRUE(b.add_null(ColumnKind::long_).ok());
    EXPECT_EQ(binds_of(b), hex("05 01 01"));
    b.clear();
    ASSERT_TRUE(b.add_null(ColumnKind::varchar).ok());
    EXPECT_EQ(binds_of(b), hex("0F 01 01"));
    b.clear();
    ASSERT_TRUE(b.add_bool(true).ok());
    EXPECT_EQ(binds_of(b), hex("01 00 01"));
    b.clear();
    ASSERT_TRUE(b.add_i64(42).ok());
    EXPECT_EQ(binds_of(b), hex("05 00 2A 00 00 00 00 00 00 00"));
    b.clear();
    ASSERT_TRUE(b.add_timestamp_micros(1).ok());
    EXPECT_EQ(binds_of(b), hex("0A 00 01 00 00 00 00 00 00 00"));
    b.clear();
    ASSERT_TRUE(b.add_geohash({0xABCDE, 20}).ok());
    EXPECT_EQ(binds_of(b), hex("0E 00 14 DE BC 0A"));
    b.clear();
    ASSERT_TRUE(b.add_varchar("ab").ok());
    EXPECT_EQ(binds_of(b), hex("0F 00 00 00 00 00 02 00 00 00 61 62"));
    b.clear();
    ASSERT_TRUE(b.add_decimal64({12345, 3}).ok());
    EXPECT_EQ(binds_of(b), hex("13 00 03 39 30 00 00 00 00 00 00"));
    b.clear();
    ASSERT_TRUE(b.add_varchar("\xC3\xA9").ok());  // C8: byte_len counts UTF-8 bytes
    EXPECT_EQ(binds_of(b), hex("0F 00 00 00 00 00 02 00 00 00 C3 A9"));
}

TEST(EgressBinds, LocalValidation) {
    BindList b;
    auto g = b.add_geohash({1, 61});
    ASSERT_FALSE(g.ok());
    EXPECT_EQ(g.failure().code, ErrorCode::invalid_bind);
    EXPECT_FALSE(b.add_geohash({1, 0}).ok());
    auto u = b.add_varchar("\xFF");
    ASSERT_FALSE(u.ok());
    EXPECT_EQ(u.failure().code, ErrorCode::invalid_utf8);
    auto d = b.add_decimal64({1, 19});
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.failure().code, ErrorCode::invalid_decimal);
    EXPECT_EQ(b.count(), 0u);
    EXPECT_TRUE(b.bytes().empty());
}

TEST(EgressBinds, EveryTypeRoundTripsThroughServerDecoder) {
    BindList b;
    ASSERT_TRUE(b.add_bool(true).ok());
    ASSERT_TRUE(b.add_i8(-5).ok());
    ASSERT_TRUE(b.add_i16(-300).ok());
    ASSERT_TRUE(b.add_i32(-70000).ok());
    ASSERT_TRUE(b.add_i64(-1).ok());
    ASSERT_TRUE(b.add_f32(1.5f).ok());
    ASSERT_TRUE(b.add_f64(-2.25).ok());
    ASSERT_TRUE(b.add_char(u'é').ok());
    ASSERT_TRUE(b.add_ipv4(0x7F000001).ok());
    ASSERT_TRUE(b.add_timestamp_micros(1700000000000000).ok());
    ASSERT_TRUE(b.add_timestamp_nanos(1700000000000000000).ok());
    ASSERT_TRUE(b.add_date_millis(1700000000000).ok());
    ASSERT_TRUE(b.add_uuid({0x1111, 0x2222}).ok());
    ASSERT_TRUE(b.add_long256({{1, 2, 3, 4}}).ok());
    ASSERT_TRUE(b.add_decimal64({12345, 3}).ok());
    ASSERT_TRUE(b.add_decimal128({5, -1, 10}).ok());
    ASSERT_TRUE(b.add_decimal256({{9, 8, 7, 6}, 20}).ok());
    ASSERT_TRUE(b.add_geohash({0x3FF, 10}).ok());
    ASSERT_TRUE(b.add_varchar("héllo").ok());
    const std::uint8_t blob[] = {0, 1, 255};
    ASSERT_TRUE(b.add_binary(blob).ok());
    ASSERT_TRUE(b.add_null(ColumnKind::double_).ok());

    wire::QueryRequest q;
    q.request_id = 11;
    q.sql = "select $1";
    q.initial_credit = 1 << 20;
    q.binds = b.bytes();
    q.bind_count = b.count();
    Frame out;
    ASSERT_TRUE(wire::encode_query_request(q, out).ok());
    auto m = server::decode_client_message(out, false);
    ASSERT_TRUE(m.ok()) << m.failure().message;
    const auto& req = std::get<server::QueryRequestMsg>(m.value());
    EXPECT_EQ(req.request_id, 11);
    EXPECT_EQ(req.sql, "select $1");
    EXPECT_EQ(req.initial_credit, 1u << 20);
    ASSERT_EQ(req.binds.size(), 21u);
    EXPECT_FALSE(req.query_flags.has_value());
    const auto& v = req.binds;
    EXPECT_EQ(v[0].i64, 1);
    EXPECT_EQ(v[1].i64, -5);
    EXPECT_EQ(v[2].i64, -300);
    EXPECT_EQ(v[3].i64, -70000);
    EXPECT_EQ(v[4].i64, -1);
    EXPECT_EQ(v[5].f64, 1.5);
    EXPECT_EQ(v[6].f64, -2.25);
    EXPECT_EQ(v[7].i64, 0xE9);
    EXPECT_EQ(v[8].i64, 0x7F000001);
    EXPECT_EQ(v[9].kind, ColumnKind::timestamp);
    EXPECT_EQ(v[10].kind, ColumnKind::timestamp_nanos);
    EXPECT_EQ(v[11].kind, ColumnKind::date);
    EXPECT_EQ(v[11].i64, 1700000000000);
    EXPECT_EQ(v[12].wide[0], 0x1111u);
    EXPECT_EQ(v[12].wide[1], 0x2222u);
    EXPECT_EQ(v[13].wide[3], 4u);
    EXPECT_EQ(v[14].scale, 3);
    EXPECT_EQ(v[14].i64, 12345);
    EXPECT_EQ(v[15].scale, 10);
    EXPECT_EQ(v[15].wide[1], ~0ULL);
    EXPECT_EQ(v[16].wide[3], 6u);
    EXPECT_EQ(v[17].precision, 10);
    EXPECT_EQ(v[17].i64, 0x3FF);
    EXPECT_EQ(v[18].bytes, "héllo");
    EXPECT_EQ(v[19].bytes, std::string("\0\1\xFF", 3));
    EXPECT_TRUE(v[20].is_null);
    EXPECT_EQ(v[20].kind, ColumnKind::double_);
}

}  // namespace
}  // namespace questdb::egress
