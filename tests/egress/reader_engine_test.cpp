// The reader engine over scripted in-memory servers (no sockets): handshake and endpoint walk
// (A12-A19, G1-G3), one query in flight and request ids (B2-B4, B8, B13, B14), binds limits
// (C11, C12), CACHE_RESET (D19, D20), credit (E1-E8), cancel (F1-F7), failover (G4-G8).

#include <gtest/gtest.h>

#include "egress/protocol.hpp"
#include "fake_server.hpp"
#include "questdb/egress/reader.hpp"

namespace questdb::egress {
namespace {

using test::FakeReader;
using test::Frame;

ServerInfo info_with(ServerRole role, std::string zone = {}, std::uint32_t caps = 0) {
    ServerInfo i;
    i.role = role;
    i.capabilities = caps;
    if (!zone.empty()) {
        i.capabilities |= kCapZone;
        i.zone_id = zone;
    }
    return i;
}

std::int64_t read_all_ids(Cursor& c, std::vector<std::int64_t>* ids = nullptr) {
    std::int64_t rows = 0;
    while (auto b = c.next_batch()) {
        auto col = b->column(0).as_long();
        for (std::size_t r = 0; r < b->row_count(); ++r) {
            if (ids) {
                ids->push_back(col.value(r));
            }
        }
        rows += static_cast<std::int64_t>(b->row_count());
    }
    return rows;
}

void expect_clean(const FakeReader& f) {
    for (const auto& ep : f.endpoints) {
        EXPECT_TRUE(ep->violations.empty()) << ep->name << ": " << ep->violations.front();
    }
}

// ---- handshake and walk ----------------------------------------------------------------------

TEST(EgressEngine, BindsFirstEndpointAndStreams) {
    FakeReader f(1);
    ASSERT_TRUE(f.core->bind().ok());
    auto reader = f.reader();
    EXPECT_EQ(reader.server_info().node_id, "node0");
    auto c = reader.execute("select * from t");
    std::vector<std::int64_t> ids;
    EXPECT_EQ(read_all_ids(c, &ids), 250);
    for (std::int64_t i = 0; i < 250; ++i) {
        ASSERT_EQ(ids[static_cast<std::size_t>(i)], i);
    }
    ASSERT_TRUE(c.terminal());
    EXPECT_EQ(c.terminal()->kind, Terminal::Kind::result_end);
    EXPECT_EQ(c.terminal()->end.total_rows, 250u);
    expect_clean(f);
}

TEST(EgressEngine, MissingOrBadServerInfoFailsEndpoint) {
    FakeReader f(3);
    Frame end;
    server::encode_result_end(1, 0, 0, end);
    f.ep(0).first_frames = {end};      // A13: another kind first
    f.ep(1).send_server_info = false;  // silent: times out
    ASSERT_TRUE(f.core->bind().ok());
    EXPECT_EQ(f.core->endpoint_name(), "ep2:9000");
}

TEST(EgressEngine, RoleFilterWalk) {
    for (auto [target, expected] :
         {std::pair{TargetRole::replica, 2u}, std::pair{TargetRole::primary, 0u},
          std::pair{TargetRole::any, 0u}}) {
        ReaderSettings s;
        s.target = target;
        FakeReader f(3, s);
        f.ep(0).info = info_with(ServerRole::primary);
        f.ep(1).info = info_with(ServerRole::standalone);
        f.ep(2).info = info_with(ServerRole::replica);
        ASSERT_TRUE(f.core->bind().ok());
        EXPECT_EQ(f.core->bound().endpoint, expected);
    }
    // G1: [down, REPLICA, PRIMARY] with target=primary -> third, visiting in order
    ReaderSettings s;
    s.target = TargetRole::primary;
    FakeReader f(3, s);
    f.ep(0).verdict = ConnectResult::Verdict::transient;
    f.ep(1).info = info_with(ServerRole::replica);
    f.ep(2).info = info_with(ServerRole::primary);
    ASSERT_TRUE(f.core->bind().ok());
    EXPECT_EQ(f.core->bound().endpoint, 2u);
    EXPECT_EQ(f.connector->visit_order, (std::vector<std::size_t>{0, 1, 2}));
}

TEST(EgressEngine, UnknownRoleOnlyForAny) {
    EXPECT_TRUE(role_matches(TargetRole::any, static_cast<ServerRole>(9)));
    EXPECT_FALSE(role_matches(TargetRole::primary, static_cast<ServerRole>(9)));
    EXPECT_FALSE(role_matches(TargetRole::replica, static_cast<ServerRole>(9)));
    EXPECT_TRUE(role_matches(TargetRole::primary, ServerRole::primary_catchup));
}

TEST(EgressEngine, ZonePreference) {
    ReaderSettings s;
    s.zone = "eu-1";
    FakeReader f(2, s);
    f.ep(0).info = info_with(ServerRole::replica, "us-1");
    f.ep(1).info = info_with(ServerRole::replica, "EU-1");
    ASSERT_TRUE(f.core->bind().ok());
    EXPECT_EQ(f.core->bound().endpoint, 1u);
    // kill A (ep1) -> B
    f.ep(1).verdict = ConnectResult::Verdict::transient;
    ASSERT_TRUE(f.core->bind().ok());
    EXPECT_EQ(f.core->bound().endpoint, 0u);
    // target=primary ignores zone tiers
    ReaderSettings p;
    p.zone = "eu-1";
    p.target = TargetRole::primary;
    FakeReader g(2, p);
    g.ep(0).info = info_with(ServerRole::primary, "us-1");
    g.ep(1).info = info_with(ServerRole::primary, "eu-1");
    ASSERT_TRUE(g.core->bind().ok());
    EXPECT_EQ(g.core->bound().endpoint, 0u);
}

TEST(EgressEngine, ConnectOutcomes) {
    FakeReader all_down(2);
    all_down.ep(0).verdict = ConnectResult::Verdict::transient;
    all_down.ep(1).verdict = ConnectResult::Verdict::transient;
    auto s1 = all_down.core->bind();
    ASSERT_FALSE(s1.ok());
    EXPECT_EQ(s1.failure().code, ErrorCode::socket_error);
    EXPECT_NE(s1.failure().message.find("all QWP endpoints unreachable"), std::string::npos);

    ReaderSettings s;
    s.target = TargetRole::replica;
    FakeReader no_role(2, s);
    no_role.ep(1).info.cluster_id = "clusterX";
    auto s2 = no_role.core->bind();
    ASSERT_FALSE(s2.ok());
    EXPECT_EQ(s2.failure().code, ErrorCode::role_mismatch);
    EXPECT_NE(s2.failure().message.find("clusterX"), std::string::npos);

    FakeReader auth(2);
    auth.ep(0).verdict = ConnectResult::Verdict::terminal;
    auth.ep(0).fail_code = ErrorCode::auth_error;
    bool terminal = false;
    auto s3 = auth.core->bind(&terminal);
    ASSERT_FALSE(s3.ok());
    EXPECT_EQ(s3.failure().code, ErrorCode::auth_error);
    EXPECT_TRUE(terminal);
    EXPECT_EQ(auth.ep(1).connects, 0u);
}

TEST(EgressEngine, SecondServerInfoIsProtocolError) {
    QueryProtocol p({});
    Frame si;
    server::encode_server_info({}, si);
    ASSERT_TRUE(p.on_handshake_frame(si).ok());
    EXPECT_FALSE(p.on_frame(si).ok());
}

// ---- request ids, one in flight, flags ---------------------------------------------------------

TEST(EgressEngine, SequentialRequestIdsNeverReused) {
    FakeReader f(1);
    f.ep(0).columns = test::id_sym_columns(1);
    ASSERT_TRUE(f.core->bind().ok());
    auto reader = f.reader();
    for (int i = 0; i < 1000; ++i) {
        auto c = reader.execute("select 1");
        c.drain();
    }
    ASSERT_EQ(f.ep(0).queries.size(), 1000u);
    for (std::size_t i = 0; i < 1000; ++i) {
        EXPECT_EQ(f.ep(0).queries[i].request_id, static_cast<std::int64_t>(i + 1));
    }
    expect_clean(f);
}

TEST(EgressEngine, OneQueryInFlight) {
    FakeReader f(1);
    ASSERT_TRUE(f.core->bind().ok());
    auto reader = f.reader();
    auto c1 = reader.execute("select 1");
    ASSERT_TRUE(c1.next_batch());
    try {
        auto c2 = reader.execute("select 2");
        FAIL() << "second cursor opened";
    } catch (const Error& e) {
        EXPECT_EQ(e.error_code(), ErrorCode::invalid_api_call);
    }
    EXPECT_EQ(f.ep(0).queries.size(), 1u);
    c1.drain();
    auto c3 = reader.execute("select 3");
    c3.drain();
    EXPECT_EQ(f.ep(0).queries.size(), 2u);
    expect_clean(f);
}

TEST(EgressEngine, QueryFlagsFollowEachServerInfo) {
    FakeReader f(2);
    f.ep(0).info.capabilities = kCapQueryFlags;
    f.ep(0).drop_after_batches = 1;
    ASSERT_TRUE(f.core->bind().ok());
    auto c = f.reader()
                 .prepare("select * from t")
                 .reset_symbol_dictionary()
                 .on_failover_reset([](const FailoverResetEvent&) {})
                 .execute();
    EXPECT_EQ(read_all_ids(c), 100 + 250);  // the first attempt's batch is delivered again
    ASSERT_EQ(f.ep(0).queries.size(), 1u);
    EXPECT_EQ(f.ep(0).queries[0].query_flags, 1u);
    ASSERT_EQ(f.ep(1).queries.size(), 1u);
    EXPECT_FALSE(f.ep(1).queries[0].query_flags.has_value());  // A19: node 2 lacks the cap
    expect_clean(f);
}

TEST(EgressEngine, UnknownStatusThenNormalQuery) {
    FakeReader f(1);
    f.ep(0).on_query = [](test::FakeConnection& c, const server::QueryRequestMsg& q) {
        if (q.sql != "bad") {
            return false;
        }
        Frame e;
        server::encode_query_error(q.request_id, 0x2A, "strange failure", e);
        c.push(e);
        return true;
    };
    ASSERT_TRUE(f.core->bind().ok());
    auto reader = f.reader();
    auto bad = reader.execute("bad");
    try {
        (void)bad.next_batch();
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.error_code(), ErrorCode::query_error);
        EXPECT_EQ(e.message(), "strange failure");
    }
    auto good = reader.execute("good");
    EXPECT_EQ(read_all_ids(good), 250);
    EXPECT_EQ(f.ep(0).connects, 1u);  // connection stayed usable
}

TEST(EgressEngine, BindMismatchIsQueryErrorWithoutFailover) {
    FakeReader f(2);
    f.ep(0).on_query = [](test::FakeConnection& c, const server::QueryRequestMsg& q) {
        Frame e;
        server::encode_query_error(q.request_id, wire::kStatusSchemaMismatch,
                                   "bind $1 type mismatch", e);
        c.push(e);
        return true;
    };
    ASSERT_TRUE(f.core->bind().ok());
    auto c = f.reader().prepare("select $1").bind_i64(1).execute();
    try {
        (void)c.next_batch();
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.error_code(), ErrorCode::server_schema_mismatch);
    }
    EXPECT_EQ(f.ep(1).connects, 0u);
    EXPECT_TRUE(f.core->connected());
}

TEST(EgressEngine, LocalBindLimitsSendNothing) {
    FakeReader f(1);
    ASSERT_TRUE(f.core->bind().ok());
    auto reader = f.reader();
    auto q = reader.prepare("select 1");
    for (int i = 0; i < 1024; ++i) {
        q.bind_i32(i);
    }
    EXPECT_THROW(q.bind_i32(0), Error);
    EXPECT_TRUE(f.ep(0).raw_client_frames.empty());
    std::string huge((1u << 20) + 1, ' ');
    try {
        auto c = reader.execute(huge);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.error_code(), ErrorCode::limit_exceeded);
    }
    EXPECT_TRUE(f.ep(0).raw_client_frames.empty());
    EXPECT_EQ(f.ep(0).connects, 1u);  // no failover for a local error
}

TEST(EgressEngine, UnknownKindMidStreamFailsOver) {
    for (bool failover : {true, false}) {
        ReaderSettings s;
        s.failover.enabled = failover;
        FakeReader f(2, s);
        f.ep(0).on_query = [](test::FakeConnection& c, const server::QueryRequestMsg&) {
            c.push(test::Frame{0x51, 0x57, 0x50, 0x31, 1, 0, 0, 0, 1, 0, 0, 0, 0x19});
            return true;
        };
        ASSERT_TRUE(f.core->bind().ok());
        auto c = f.reader().execute("select 1");
        if (failover) {
            EXPECT_EQ(read_all_ids(c), 250);
            EXPECT_EQ(c.stats().failovers, 1u);
        } else {
            try {
                (void)c.next_batch();
                FAIL();
            } catch (const Error& e) {
                EXPECT_EQ(e.error_code(), ErrorCode::protocol_error);
            }
            EXPECT_EQ(f.ep(1).connects, 0u);
        }
    }
}

TEST(EgressEngine, ExactlyOneTerminator) {
    QueryProtocol p({});
    Frame si;
    server::encode_server_info({}, si);
    ASSERT_TRUE(p.on_handshake_frame(si).ok());
    Frame out;
    ASSERT_TRUE(p.begin_query({1, "x", nullptr, 0, false}, out).ok());
    Frame end;
    server::encode_result_end(1, 0, 0, end);
    auto cols = test::id_sym_columns(1);
    server::ResultEncoder enc;
    Frame batch;
    ASSERT_TRUE(enc.encode_batch(1, 0, cols, 0, 1, {}, batch).ok());
    ASSERT_TRUE(p.on_frame(batch).ok());
    ASSERT_TRUE(p.on_frame(end).ok());
    EXPECT_FALSE(p.on_frame(batch).ok());  // B14: a batch after its terminator
    EXPECT_FALSE(p.on_frame(end).ok());
    Frame other;
    server::encode_exec_done(7, 0, 0, other);
    EXPECT_FALSE(p.on_frame(other).ok());  // never issued
    // a second query while one is active is refused locally
    ASSERT_TRUE(p.begin_query({2, "x", nullptr, 0, false}, out).ok());
    EXPECT_FALSE(p.begin_query({3, "x", nullptr, 0, false}, out).ok());
}

TEST(EgressEngine, BatchSeqMustIncrease) {
    QueryProtocol p({});
    Frame si;
    server::encode_server_info({}, si);
    ASSERT_TRUE(p.on_handshake_frame(si).ok());
    Frame out;
    ASSERT_TRUE(p.begin_query({1, "x", nullptr, 0, false}, out).ok());
    auto cols = test::id_sym_columns(4);
    server::ResultEncoder enc;
    Frame b0, b2;
    ASSERT_TRUE(enc.encode_batch(1, 0, cols, 0, 2, {}, b0).ok());
    ASSERT_TRUE(enc.encode_batch(1, 2, cols, 2, 2, {}, b2).ok());
    ASSERT_TRUE(p.on_frame(b0).ok());
    EXPECT_FALSE(p.on_frame(b2).ok());
}

// ---- CACHE_RESET
// ---------------------------------------------------------------------------------

TEST(EgressEngine, CacheResetAtBoundaryOnly) {
    QueryProtocol p({});
    Frame si, reset;
    server::encode_server_info({}, si);
    server::encode_cache_reset(0x03, reset);
    ASSERT_TRUE(p.on_handshake_frame(si).ok());
    auto cols = test::id_sym_columns(4);
    server::ResultEncoder enc;
    Frame out, b0, b1, end;
    ASSERT_TRUE(p.begin_query({1, "x", nullptr, 0, false}, out).ok());
    ASSERT_TRUE(enc.encode_batch(1, 0, cols, 0, 4, {}, b0).ok());
    ASSERT_TRUE(p.on_frame(b0).ok());
    server::encode_result_end(1, 0, 4, end);
    ASSERT_TRUE(p.on_frame(end).ok());
    EXPECT_EQ(p.dictionary().size(), 3u);
    // after the terminator: allowed, clears (reserved bits ignored)
    ASSERT_TRUE(p.on_frame(reset).ok());
    EXPECT_EQ(p.dictionary().size(), 0u);
    enc.reset_dictionary();
    // spec sequence: QUERY_REQUEST(42), CACHE_RESET, RESULT_BATCH(deltaStart 0)
    ASSERT_TRUE(p.begin_query({42, "x", nullptr, 0, false}, out).ok());
    ASSERT_TRUE(p.on_frame(reset).ok());
    ASSERT_TRUE(enc.encode_batch(42, 0, cols, 0, 2, {}, b0).ok());
    ASSERT_TRUE(p.on_frame(b0).ok());
    // between seq 0 and seq 1: flagged
    EXPECT_FALSE(p.on_frame(reset).ok());
    (void)b1;
}

TEST(EgressEngine, ResetDictFlagClearsLocally) {
    QueryProtocol p({});
    ServerInfo info;
    info.capabilities = kCapQueryFlags;
    Frame si;
    server::encode_server_info(info, si);
    ASSERT_TRUE(p.on_handshake_frame(si).ok());
    auto cols = test::id_sym_columns(3);
    server::ResultEncoder enc;
    Frame out, b0, end;
    ASSERT_TRUE(p.begin_query({1, "x", nullptr, 0, false}, out).ok());
    ASSERT_TRUE(enc.encode_batch(1, 0, cols, 0, 3, {}, b0).ok());
    ASSERT_TRUE(p.on_frame(b0).ok());
    server::encode_result_end(1, 0, 3, end);
    ASSERT_TRUE(p.on_frame(end).ok());
    ASSERT_EQ(p.dictionary().size(), 3u);
    ASSERT_TRUE(p.begin_query({2, "x", nullptr, 0, true}, out).ok());
    EXPECT_EQ(p.dictionary().size(), 0u);
    EXPECT_EQ(out.back(), 0x01);
}

// ---- credit ----------------------------------------------------------------------------------

TEST(EgressEngine, UnboundedSendsNoCredit) {
    FakeReader f(1);
    ASSERT_TRUE(f.core->bind().ok());
    auto c = f.reader().prepare("select").initial_credit(0).execute();
    ASSERT_TRUE(c.next_batch());
    EXPECT_THROW(c.add_credit(1), Error);  // credit makes no sense for an unbounded query
    EXPECT_EQ(read_all_ids(c), 150);
    EXPECT_TRUE(f.ep(0).credits.empty());
    c.add_credit(1);  // after the terminator: a no-op, nothing sent
    EXPECT_TRUE(f.ep(0).credits.empty());
}

TEST(EgressEngine, SmallCreditLargeBatchesComplete) {
    FakeReader f(1);
    f.ep(0).columns = test::id_sym_columns(5000);
    f.ep(0).batch_rows = 500;  // ~5 KB per batch, 10 batches
    ASSERT_TRUE(f.core->bind().ok());
    auto c = f.reader().prepare("select").initial_credit(1000).execute();
    EXPECT_EQ(c.credit_granted_total(), 1000u);
    std::vector<std::int64_t> ids;
    EXPECT_EQ(read_all_ids(c, &ids), 5000);
    EXPECT_EQ(c.stats().batches, 10u);
    // E3: grants = released batch sizes; every grant names the active id (E5)
    ASSERT_FALSE(f.ep(0).credits.empty());
    for (const auto& cr : f.ep(0).credits) {
        EXPECT_EQ(cr.request_id, 1);
        EXPECT_GT(cr.additional_bytes, 0u);
    }
    // row floor: at most one batch beyond the credit is ever outstanding
    EXPECT_LT(f.ep(0).peak_outstanding, 1000 + 6000);
    expect_clean(f);  // includes: no CREDIT after RESULT_END (E6), no deadlock
}

TEST(EgressEngine, CreditOfOneWithHugeBatch) {
    FakeReader f(1);
    f.ep(0).columns = test::id_sym_columns(200000);
    f.ep(0).batch_rows = 200000;
    ASSERT_TRUE(f.core->bind().ok());
    auto c = f.reader().prepare("select").initial_credit(1).execute();
    EXPECT_EQ(read_all_ids(c), 200000);
    expect_clean(f);
}

TEST(EgressEngine, ExplicitAddCredit) {
    FakeReader f(1);
    f.ep(0).columns = test::id_sym_columns(1000);
    ASSERT_TRUE(f.core->bind().ok());
    auto c = f.reader().prepare("select").initial_credit(100).execute();
    ASSERT_TRUE(c.next_batch());
    c.add_credit(1 << 20);
    EXPECT_GE(c.credit_granted_total(), 100u + (1u << 20));
    c.add_credit(0);  // never sends a 0 grant
    EXPECT_EQ(read_all_ids(c), 900);
    expect_clean(f);
}

// ---- cancel ------------------------------------------------------------------------------------

TEST(EgressEngine, CancelDrainsAndConnectionStaysUsable) {
    FakeReader f(1);
    f.ep(0).ignore_cancel = true;  // the query races to RESULT_END
    ASSERT_TRUE(f.core->bind().ok());
    auto reader = f.reader();
    auto c = reader.execute("select");
    ASSERT_TRUE(c.next_batch());
    c.cancel();
    EXPECT_FALSE(c.next_batch());  // later batches are dropped
    ASSERT_TRUE(c.terminal());
    EXPECT_EQ(c.terminal()->kind, Terminal::Kind::result_end);
    ASSERT_EQ(f.ep(0).cancels.size(), 1u);
    EXPECT_EQ(f.ep(0).cancels[0].request_id, c.request_id());
    EXPECT_EQ(f.ep(0).raw_client_frames[1].size(), 9u);  // B9
    auto again = reader.execute("select");
    EXPECT_EQ(read_all_ids(again), 250);
    expect_clean(f);
}

TEST(EgressEngine, CancelAcknowledgedWithoutFailover) {
    FakeReader f(2);
    f.ep(0).columns = test::id_sym_columns(100000);
    ASSERT_TRUE(f.core->bind().ok());
    auto c = f.reader().prepare("select").initial_credit(2000).execute();
    ASSERT_TRUE(c.next_batch());
    c.cancel();  // F7: paused on credit; this server answers CANCEL without credit
    EXPECT_FALSE(c.next_batch());
    EXPECT_EQ(c.terminal()->kind, Terminal::Kind::cancelled);
    EXPECT_EQ(f.ep(1).connects, 0u);  // F3
    expect_clean(f);
}

TEST(EgressEngine, CancelOfCreditPausedQueryNudgesWithOneByte) {
    FakeReader f(1);
    f.ep(0).columns = test::id_sym_columns(100000);
    f.ep(0).cancel_needs_credit = true;  // as QuestDB: a paused stream sees CANCEL on CREDIT
    ASSERT_TRUE(f.core->bind().ok());
    auto c = f.reader().prepare("select").initial_credit(2000).execute();
    ASSERT_TRUE(c.next_batch());  // the server overdrew the credit and paused
    const auto granted = c.credit_granted_total();
    const auto credits_before = f.ep(0).credits.size();
    c.cancel();
    EXPECT_FALSE(c.next_batch());  // no deadlock: the nudge lets the server answer
    EXPECT_EQ(c.terminal()->kind, Terminal::Kind::cancelled);
    ASSERT_EQ(f.ep(0).credits.size(), credits_before + 1);
    EXPECT_EQ(f.ep(0).credits.back().additional_bytes, 1u);
    EXPECT_EQ(f.ep(0).credits.back().request_id, c.request_id());
    EXPECT_EQ(c.credit_granted_total(), granted);  // the nudge is not a grant
    expect_clean(f);
}

TEST(EgressEngine, CancelOfUnboundedQuerySendsNoCredit) {
    FakeReader f(1);
    f.ep(0).ignore_cancel = true;
    ASSERT_TRUE(f.core->bind().ok());
    auto c = f.reader().execute("select");
    ASSERT_TRUE(c.next_batch());
    c.cancel();
    EXPECT_FALSE(c.next_batch());
    EXPECT_TRUE(f.ep(0).credits.empty());  // E1 holds during a cancel too
    expect_clean(f);
}

TEST(EgressEngine, DroppedBatchDictionaryStillApplies) {
    FakeReader f(1);
    f.ep(0).ignore_cancel = true;
    std::vector<server::ResultColumn> cols;
    cols.emplace_back("sym", ColumnKind::symbol);
    for (int i = 0; i < 13; ++i) {
        cols[0].append_bytes("v" + std::to_string(i));
    }
    f.ep(0).columns = cols;
    f.ep(0).batch_rows = 10;  // batch 1 registers ids 10-12
    ASSERT_TRUE(f.core->bind().ok());
    auto reader = f.reader();
    auto c = reader.execute("select");
    ASSERT_TRUE(c.next_batch());
    c.cancel();
    EXPECT_FALSE(c.next_batch());
    // next query uses id 11 without re-sending it (same connection encoder)
    std::vector<server::ResultColumn> only11;
    only11.emplace_back("sym", ColumnKind::symbol);
    only11[0].append_bytes("v11");
    f.ep(0).columns = only11;
    auto c2 = reader.execute("select");
    auto b = c2.next_batch();
    ASSERT_TRUE(b);
    EXPECT_EQ(b->column(0).as_symbol().id(0), 11u);
    EXPECT_EQ(b->column(0).as_symbol().resolve(0), "v11");
    c2.drain();
}

TEST(EgressEngine, LateCancelIsHarmless) {
    FakeReader f(1);
    ASSERT_TRUE(f.core->bind().ok());
    auto c = f.reader().execute("select");
    c.drain();
    c.cancel();
    EXPECT_FALSE(c.next_batch());
    EXPECT_TRUE(f.ep(0).cancels.empty());
}

TEST(EgressEngine, CancelLatchedAcrossFailover) {
    FakeReader f(2);
    f.ep(0).drop_after_batches = 0;  // dies before any batch
    ASSERT_TRUE(f.core->bind().ok());
    auto c = f.reader()
                 .prepare("select")
                 .initial_credit(100)  // the replacement server pauses, so CANCEL wins
                 .on_failover_reset([](const FailoverResetEvent&) {})
                 .execute();
    c.cancel();
    EXPECT_FALSE(c.next_batch());
    ASSERT_EQ(f.ep(1).cancels.size(), 1u);
    EXPECT_EQ(f.ep(1).cancels[0].request_id, f.ep(1).queries[0].request_id);
    EXPECT_EQ(c.terminal()->kind, Terminal::Kind::cancelled);
}

TEST(EgressEngine, AbandonedCursorBoundedDrain) {
    ReaderSettings s;
    s.close_timeout = std::chrono::milliseconds(5000);
    FakeReader f(1, s);
    f.ep(0).ignore_cancel = true;
    f.ep(0).columns = test::id_sym_columns(100000);
    ASSERT_TRUE(f.core->bind().ok());
    auto reader = f.reader();
    {
        auto c = reader.prepare("select").initial_credit(1000).execute();
        ASSERT_TRUE(c.next_batch());
        f.connector->last->silent = true;  // server ignores CANCEL and goes silent
    }
    EXPECT_FALSE(f.core->connected());  // closed, never reused
    EXPECT_EQ(f.ep(0).cancels.size(), 1u);
}

// ---- failover --------------------------------------------------------------------------------

TEST(EgressEngine, DropMidStreamReplaysWithCallbacks) {
    FakeReader f(2);
    f.ep(0).drop_after_batches = 2;
    f.ep(0).info.capabilities = 0;
    ASSERT_TRUE(f.core->bind().ok());
    std::vector<std::string> log;
    std::int64_t rows_at_reset = -1;
    std::int64_t rows = 0;
    auto c = f.reader()
                 .prepare("select")
                 .initial_credit(4096)
                 .on_failover_reset([&](const FailoverResetEvent& ev) {
                     log.push_back("reset:" + ev.server_info.node_id);
                     rows_at_reset = rows;
                     EXPECT_EQ(ev.batches_delivered, 2u);
                     rows = 0;  // the app drops partial rows
                 })
                 .on_failover_progress([&](const FailoverProgressEvent& ev) {
                     log.push_back("progress:" + std::to_string(static_cast<int>(ev.phase)));
                 })
                 .execute();
    std::vector<std::int64_t> seqs;
    while (auto b = c.next_batch()) {
        seqs.push_back(static_cast<std::int64_t>(b->batch_seq()));
        rows += static_cast<std::int64_t>(b->row_count());
    }
    EXPECT_EQ(rows, 250);
    EXPECT_EQ(rows_at_reset, 200);
    EXPECT_EQ(seqs, (std::vector<std::int64_t>{0, 1, 0, 1, 2}));  // G6: seq restarts at 0
    ASSERT_GE(log.size(), 5u);
    EXPECT_EQ(log.front(), "progress:0");
    EXPECT_NE(std::find(log.begin(), log.end(), "reset:node1"), log.end());
    ASSERT_EQ(f.ep(1).queries.size(), 1u);
    EXPECT_EQ(f.ep(1).queries[0].initial_credit, 4096u);  // E8
    EXPECT_EQ(c.stats().failovers, 1u);
}

TEST(EgressEngine, NoResetCallbackMeansNoSilentDuplicates) {
    FakeReader f(2);
    f.ep(0).drop_after_batches = 1;
    ASSERT_TRUE(f.core->bind().ok());
    auto c = f.reader().execute("select");
    ASSERT_TRUE(c.next_batch());
    try {
        (void)c.next_batch();
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.error_code(), ErrorCode::failover_would_duplicate);
    }
    EXPECT_EQ(f.ep(1).connects, 0u);
}

TEST(EgressEngine, QueryErrorNeverFailsOver) {
    FakeReader f(2);
    f.ep(0).on_query = [](test::FakeConnection& c, const server::QueryRequestMsg& q) {
        Frame e;
        server::encode_query_error(q.request_id, wire::kStatusInternalError, "disk on fire", e);
        c.push(e);
        return true;
    };
    ASSERT_TRUE(f.core->bind().ok());
    auto c = f.reader().execute("select");
    EXPECT_THROW((void)c.next_batch(), Error);
    EXPECT_EQ(f.ep(1).connects, 0u);
}

TEST(EgressEngine, BudgetExhaustedAfterMaxAttempts) {
    FakeReader f(2);
    for (auto& ep : f.endpoints) {
        ep->drop_after_batches = 0;
    }
    ASSERT_TRUE(f.core->bind().ok());
    auto c =
        f.reader().prepare("select").on_failover_reset([](const FailoverResetEvent&) {}).execute();
    try {
        (void)c.next_batch();
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.error_code(), ErrorCode::socket_error);
        EXPECT_NE(e.message().find("gave up after 8 attempts"), std::string::npos);
    }
    EXPECT_EQ(f.ep(0).queries.size() + f.ep(1).queries.size(), 8u);
    ASSERT_EQ(f.sleeps.size(), 7u);
    std::chrono::milliseconds total{0};
    for (std::size_t k = 0; k < f.sleeps.size(); ++k) {
        const auto cap = std::min<std::int64_t>(50LL << k, 1000);
        EXPECT_LT(f.sleeps[k].count(), cap) << k;
        total += f.sleeps[k];
    }
    EXPECT_LT(total.count(), 30000);
}

TEST(EgressEngine, BudgetDurationCap) {
    FailoverSettings s;
    s.max_duration = std::chrono::milliseconds(100);
    s.max_attempts = 1000;
    const auto t0 = std::chrono::steady_clock::time_point{};
    FailoverBudget b(s, t0, 1);
    auto d = b.next_delay(t0 + std::chrono::milliseconds(90));
    ASSERT_TRUE(d);
    EXPECT_LE(d->count(), 10);
    EXPECT_FALSE(b.next_delay(t0 + std::chrono::milliseconds(100)));
}

TEST(EgressEngine, AuthDuringFailoverIsTerminal) {
    FakeReader f(3);
    f.ep(0).drop_after_batches = 0;
    ASSERT_TRUE(f.core->bind().ok());
    f.ep(1).verdict = ConnectResult::Verdict::terminal;
    f.ep(1).fail_code = ErrorCode::auth_error;
    auto c =
        f.reader().prepare("select").on_failover_reset([](const FailoverResetEvent&) {}).execute();
    try {
        (void)c.next_batch();
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.error_code(), ErrorCode::auth_error);
    }
    EXPECT_EQ(f.ep(2).connects, 0u);
    EXPECT_EQ(f.ep(1).connects, 1u);
}

TEST(EgressEngine, ReplayPolicySelectOnly) {
    EXPECT_TRUE(is_read_only_sql("  -- c\n /* x */ (SELECT 1)"));
    EXPECT_TRUE(is_read_only_sql("with a as (select 1) select * from a"));
    EXPECT_FALSE(is_read_only_sql("insert into t values (1)"));
    FakeReader f(2);
    f.ep(0).drop_after_batches = 0;
    ASSERT_TRUE(f.core->bind().ok());
    auto c = f.reader()
                 .prepare("insert into t select * from u")
                 .replay_policy(ReplayPolicy::select_only)
                 .on_failover_reset([](const FailoverResetEvent&) {})
                 .execute();
    EXPECT_THROW((void)c.next_batch(), Error);
    EXPECT_EQ(f.ep(1).connects, 0u);
}

TEST(EgressEngine, ExecDoneAndEmptyResult) {
    FakeReader f(1);
    f.ep(0).on_query = [](test::FakeConnection& c, const server::QueryRequestMsg& q) {
        if (q.sql.rfind("insert", 0) != 0) {
            return false;
        }
        Frame d;
        server::encode_exec_done(q.request_id, 2, 5, d);
        c.push(d);
        return true;
    };
    ASSERT_TRUE(f.core->bind().ok());
    auto reader = f.reader();
    auto ins = reader.execute("insert into t values (1)");
    auto t = ins.drain();
    EXPECT_EQ(t.kind, Terminal::Kind::exec_done);
    EXPECT_EQ(t.done.rows_affected, 5u);
    EXPECT_EQ(t.done.op_type, 2);
    f.ep(0).columns = test::id_sym_columns(0);
    auto empty = reader.execute("select");
    auto b = empty.next_batch();
    ASSERT_TRUE(b);
    EXPECT_EQ(b->row_count(), 0u);
    EXPECT_EQ(b->column_count(), 2u);
    EXPECT_FALSE(empty.next_batch());
}

TEST(EgressEngine, ConnectionLevelErrorFailsQuery) {
    FakeReader f(1);
    f.ep(0).on_query = [](test::FakeConnection& c, const server::QueryRequestMsg&) {
        Frame e;
        server::encode_query_error(-1, wire::kStatusParseError, "malformed header", e);
        c.push(e);
        c.broken = true;
        return true;
    };
    ASSERT_TRUE(f.core->bind().ok());
    auto c = f.reader().execute("select");
    EXPECT_THROW((void)c.next_batch(), Error);
    EXPECT_FALSE(f.core->connected());
}

}  // namespace
}  // namespace questdb::egress
