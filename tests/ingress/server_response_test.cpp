#include "ingress/server_response.hpp"

#include <gtest/gtest.h>

#include "support/fixtures.hpp"

namespace {

using questdb::ErrorCode;
using questdb::ingress::classify_rejection;
using questdb::ingress::parse_server_response;
using questdb::ingress::RejectionKind;
using questdb::ingress::ServerResponse;
using questdb::test::from_hex;

TEST(ServerResponse, OkWithNoTablesDecodesWithoutAHeader) {  // checklist 0.4
    ServerResponse r;
    ASSERT_TRUE(parse_server_response(from_hex("00 07 00 00 00 00 00 00 00 00 00"), r).ok());
    EXPECT_TRUE(r.is_ok());
    EXPECT_EQ(r.sequence, 7);
    EXPECT_TRUE(r.tables.empty());
}

TEST(ServerResponse, OkWithTablesAndDurableAck) {  // checklist G15
    ServerResponse r;
    // OK seq 1, one table "tr" seqTxn 5
    ASSERT_TRUE(parse_server_response(
                    from_hex("00 01 00 00 00 00 00 00 00 01 00 02 00 74 72 05 00 00 00 00 00 00 00"), r)
                    .ok());
    ASSERT_EQ(r.tables.size(), 1u);
    EXPECT_EQ(r.tables[0].table, "tr");
    EXPECT_EQ(r.tables[0].seq_txn, 5);
    // durable ack: no sequence
    ASSERT_TRUE(parse_server_response(from_hex("02 01 00 01 00 74 09 00 00 00 00 00 00 00"), r).ok());
    EXPECT_TRUE(r.is_durable_ack());
    EXPECT_EQ(r.sequence, -1);
    EXPECT_EQ(r.tables[0].table, "t");
    EXPECT_EQ(r.tables[0].seq_txn, 9);
}

TEST(ServerResponse, ErrorCarriesTheMessage) {
    ServerResponse r;
    ASSERT_TRUE(parse_server_response(from_hex("05 03 00 00 00 00 00 00 00 03 00 62 61 64"), r).ok());
    EXPECT_TRUE(r.is_error());
    EXPECT_EQ(r.status, 0x05);
    EXPECT_EQ(r.sequence, 3);
    EXPECT_EQ(r.message, "bad");
}

TEST(ServerResponse, MalformedFramesAreProtocolErrors) {
    ServerResponse r;
    for (const char* hex : {"", "00 01 00", "00 01 00 00 00 00 00 00 00 01 00 05 00 74",
                            "05 03 00 00 00 00 00 00 00 FF FF 62", "00 07 00 00 00 00 00 00 00 00 00 99",
                            "02 01"}) {
        auto status = parse_server_response(from_hex(hex), r);
        ASSERT_FALSE(status.ok()) << hex;
        EXPECT_EQ(status.failure().code, ErrorCode::protocol_error) << hex;
    }
}

TEST(ServerResponse, EncodeRoundTrips) {
    for (ServerResponse in : {ServerResponse{0x00, 42, {{"trades", 11}, {"x", -1}}, ""},
                              ServerResponse{0x02, -1, {{"t", 3}}, ""},
                              ServerResponse{0x03, 9, {}, "column 'px' is LONG, not DOUBLE"}}) {
        std::vector<std::uint8_t> bytes;
        questdb::ingress::encode_server_response(in, bytes);
        ServerResponse out;
        ASSERT_TRUE(parse_server_response(bytes, out).ok());
        EXPECT_EQ(out.status, in.status);
        EXPECT_EQ(out.sequence, in.sequence);
        EXPECT_EQ(out.message, in.message);
        ASSERT_EQ(out.tables.size(), in.tables.size());
        for (std::size_t i = 0; i < in.tables.size(); ++i) {
            EXPECT_EQ(out.tables[i].table, in.tables[i].table);
            EXPECT_EQ(out.tables[i].seq_txn, in.tables[i].seq_txn);
        }
    }
}

TEST(ServerResponse, ClassificationFollowsTheClientBehaviourSpec) {  // checklist G13
    EXPECT_EQ(classify_rejection(0x03), RejectionKind::terminal);
    EXPECT_EQ(classify_rejection(0x05), RejectionKind::terminal);
    EXPECT_EQ(classify_rejection(0x08), RejectionKind::terminal);
    EXPECT_EQ(classify_rejection(0x06), RejectionKind::retriable);
    EXPECT_EQ(classify_rejection(0x09), RejectionKind::retriable);
    EXPECT_EQ(classify_rejection(0x2A), RejectionKind::retriable) << "unknown status";
    EXPECT_EQ(classify_rejection(0x0C), RejectionKind::rotate_endpoint);
    EXPECT_EQ(classify_rejection(0x0D), RejectionKind::dictionary_gap);
    EXPECT_EQ(questdb::ingress::status_name(0x0D), "DICTIONARY_GAP");
    EXPECT_EQ(questdb::ingress::status_name(0x2A), "STATUS_0x2A");
    EXPECT_EQ(questdb::ingress::error_code_for_status(0x03), ErrorCode::server_schema_mismatch);
}

TEST(ServerResponse, PoliciesOverrideOnlyTheirOwnCategory) {
    questdb::ingress::RejectionPolicy policy;
    policy.schema = RejectionKind::retriable;
    policy.internal = RejectionKind::terminal;
    policy.write = RejectionKind::rotate_endpoint;
    EXPECT_EQ(classify_rejection(0x03, policy), RejectionKind::retriable);
    EXPECT_EQ(classify_rejection(0x06, policy), RejectionKind::terminal);
    EXPECT_EQ(classify_rejection(0x09, policy), RejectionKind::rotate_endpoint);
    EXPECT_EQ(classify_rejection(0x05, policy), RejectionKind::terminal) << "parse keeps its default";
    EXPECT_EQ(classify_rejection(0x08, policy), RejectionKind::terminal) << "security keeps its default";
    policy.parse = RejectionKind::retriable;
    policy.security = RejectionKind::retriable;
    EXPECT_EQ(classify_rejection(0x05, policy), RejectionKind::retriable);
    EXPECT_EQ(classify_rejection(0x08, policy), RejectionKind::retriable);
    // Outside the five categories nothing can be overridden: unknown fails open, NOT_WRITABLE
    // rotates, DICTIONARY_GAP re-registers.
    EXPECT_EQ(classify_rejection(0x2A, policy), RejectionKind::retriable);
    EXPECT_EQ(classify_rejection(0x0C, policy), RejectionKind::rotate_endpoint);
    EXPECT_EQ(classify_rejection(0x0D, policy), RejectionKind::dictionary_gap);
}

}  // namespace
