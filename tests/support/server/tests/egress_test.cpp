// QWP egress endpoint of the test server, decoded with the library's strict egress decoders.

#include <gtest/gtest.h>

#include "egress/batch_decoder.hpp"
#include "egress/messages.hpp"
#include "egress/symbol_dict.hpp"
#include "questdb/test_server/server.hpp"
#include "sql_query.hpp"
#include "support/fixtures.hpp"
#include "ws_client.hpp"

namespace questdb::test_server {
namespace {

using namespace testing;
namespace ew = questdb::egress::wire;
using questdb::test::load_hex_fixture;

/// A decoded server frame.
struct Frame {
    ew::MsgKind kind{};
    std::int64_t request_id = 0;
    std::uint64_t batch_seq = 0;
    std::uint32_t rows = 0;
    std::vector<std::int64_t> longs;   // first LONG column of a batch
    std::vector<std::string> symbols;  // first SYMBOL column of a batch
    std::uint8_t status = 0;
    std::string message;
    std::uint64_t rows_affected = 0;
    std::uint8_t op_type = 0;
    std::size_t wire_size = 0;
    std::uint8_t flags = 0;
};

class EgressClient {
  public:
    explicit EgressClient(std::uint16_t port, std::map<std::string, std::string> headers = {})
        : ws_(port, "/read/v1", std::move(headers)) {}

    WsClient& ws() { return ws_; }

    Frame next() {
        auto bytes = ws_.read();
        if (!bytes)
            throw std::runtime_error("connection closed: " + ws_.error().message());
        Frame f;
        f.wire_size = bytes->size();
        auto header = ew::decode_header(*bytes);
        if (!header.ok())
            throw std::runtime_error(header.failure().message);
        f.flags = header.value().flags;
        const std::span<const std::uint8_t> payload(bytes->data() + 12, bytes->size() - 12);
        f.kind = static_cast<ew::MsgKind>(payload[0]);
        switch (f.kind) {
            case ew::MsgKind::server_info: {
                auto info = ew::decode_server_info(payload);
                if (!info.ok())
                    throw std::runtime_error(info.failure().message);
                info_ = info.value();
                break;
            }
            case ew::MsgKind::result_batch: {
                auto prelude = egress::parse_batch_prelude(payload);
                if (!prelude.ok())
                    throw std::runtime_error(prelude.failure().message);
                if (prelude.value().batch_seq == 0)
                    schema_.clear();
                auto batch = decoder_.decode(f.flags, prelude.value(), true, schema_, dict_);
                if (!batch.ok())
                    throw std::runtime_error(batch.failure().message);
                const auto* b = batch.value();
                f.request_id = b->request_id;
                f.batch_seq = b->batch_seq;
                f.rows = b->row_count;
                for (std::size_t c = 0; c < b->column_count; ++c) {
                    const auto& col = b->columns[c];
                    if (col.kind == egress::ColumnKind::long_ && f.longs.empty()) {
                        for (std::uint32_t r = 0; r < col.row_count; ++r) {
                            if (egress::detail::bitmap_null(col, r)) {
                                f.longs.push_back(std::numeric_limits<std::int64_t>::min());
                                continue;
                            }
                            f.longs.push_back(egress::detail::load_le<std::int64_t>(
                                col.values + 8 * egress::detail::value_index(col, r)));
                        }
                    }
                    if (col.kind == egress::ColumnKind::symbol && f.symbols.empty()) {
                        for (std::uint32_t r = 0; r < col.row_count; ++r) {
                            f.symbols.emplace_back(
                                col.symbols[col.symbol_ids[egress::detail::value_index(col, r)]]);
                        }
                    }
                }
                break;
            }
            case ew::MsgKind::result_end: {
                auto end = ew::decode_result_end(payload);
                if (!end.ok())
                    throw std::runtime_error(end.failure().message);
                f.request_id = end.value().request_id;
                f.rows_affected = end.value().end.total_rows;
                break;
            }
            case ew::MsgKind::query_error: {
                auto err = ew::decode_query_error(payload);
                if (!err.ok())
                    throw std::runtime_error(err.failure().message);
                f.request_id = err.value().request_id;
                f.status = err.value().status;
                f.message = err.value().message;
                break;
            }
            case ew::MsgKind::exec_done: {
                auto done = ew::decode_exec_done(payload);
                if (!done.ok())
                    throw std::runtime_error(done.failure().message);
                f.request_id = done.value().request_id;
                f.op_type = done.value().done.op_type;
                f.rows_affected = done.value().done.rows_affected;
                break;
            }
            case ew::MsgKind::cache_reset:
                dict_.clear();
                break;
            default:
                throw std::runtime_error("unexpected msg kind");
        }
        return f;
    }

    void query(std::int64_t id, std::string_view sql, std::uint64_t credit = 0,
               std::optional<std::uint64_t> flags = std::nullopt) {
        ew::QueryRequest request;
        request.request_id = id;
        request.sql = sql;
        request.initial_credit = credit;
        request.with_query_flags = flags.has_value();
        request.query_flags = flags.value_or(0);
        std::vector<std::uint8_t> frame;
        ASSERT_TRUE(ew::encode_query_request(request, frame).ok());
        ws_.send(frame);
    }
    void cancel(std::int64_t id) {
        std::vector<std::uint8_t> frame;
        ew::encode_cancel(id, frame);
        ws_.send(frame);
    }
    void credit(std::int64_t id, std::uint64_t bytes) {
        std::vector<std::uint8_t> frame;
        ew::encode_credit(id, bytes, frame);
        ws_.send(frame);
    }
    /// Reads to the terminator; returns every frame including it.
    std::vector<Frame> drain() {
        std::vector<Frame> frames;
        for (;;) {
            frames.push_back(next());
            const auto k = frames.back().kind;
            if (k == ew::MsgKind::result_end || k == ew::MsgKind::query_error ||
                k == ew::MsgKind::exec_done) {
                return frames;
            }
        }
    }
    const egress::ServerInfo& info() const { return info_; }

  private:
    WsClient ws_;
    egress::ServerInfo info_;
    egress::QuerySchema schema_;
    egress::SymbolDict dict_;
    egress::BatchDecoder decoder_;
};

class EgressTest : public ::testing::Test {
  protected:
    void SetUp() override {
        Options options;
        options.max_batch_rows = 4;
        options.zone_id = "eu-1";
        options.role = 1;
        server = std::make_unique<Server>(options);
        server->start();
        WsClient writer(server->port());
        writer.send(load_hex_fixture("qwp/trades-10rows-replay.hex"));
        ASSERT_EQ(parse_response(writer.read().value()).status, 0);
    }
    std::unique_ptr<Server> server;
};

TEST_F(EgressTest, ServerInfoComesFirst) {
    EgressClient client(server->port());
    ASSERT_TRUE(client.ws().upgraded());
    EXPECT_EQ(client.ws().header("X-QWP-Version"), "1");
    const auto f = client.next();
    EXPECT_EQ(f.kind, ew::MsgKind::server_info);
    EXPECT_EQ(client.info().role, egress::ServerRole::primary);
    EXPECT_EQ(client.info().zone_id, std::optional<std::string>("eu-1"));
    EXPECT_TRUE(client.info().has_query_flags());
    EXPECT_EQ(client.info().node_id, "test-node");
}

TEST_F(EgressTest, SelectStreamsCommittedRowsInBatches) {
    EgressClient client(server->port());
    client.next();
    client.query(1, "SELECT * FROM trades");
    auto frames = client.drain();
    ASSERT_EQ(frames.size(), 4u);  // 4 + 4 + 2 rows, then RESULT_END
    std::vector<std::int64_t> qty;
    std::vector<std::string> syms;
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(frames[i].kind, ew::MsgKind::result_batch);
        EXPECT_EQ(frames[i].batch_seq, i);
        qty.insert(qty.end(), frames[i].longs.begin(), frames[i].longs.end());
        syms.insert(syms.end(), frames[i].symbols.begin(), frames[i].symbols.end());
    }
    EXPECT_EQ(qty, (std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
    EXPECT_EQ(syms.at(9), "SYM_009");
    EXPECT_EQ(frames[3].kind, ew::MsgKind::result_end);
    EXPECT_EQ(frames[3].rows_affected, 10u);
}

TEST_F(EgressTest, ColumnsWhereAndLimit) {
    EgressClient client(server->port());
    client.next();
    client.query(2,
                 "select qty from trades where timestamp >= 1700000000000000003 and "
                 "timestamp < 1700000000000000009 limit 4");
    auto frames = client.drain();
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0].longs, (std::vector<std::int64_t>{3, 4, 5, 6}));
    client.query(3, "SELECT nope FROM trades");
    auto error = client.drain();
    EXPECT_EQ(error.back().kind, ew::MsgKind::query_error);
    EXPECT_EQ(error.back().status, 0x05);
    client.query(4, "SELECT * FROM missing");
    EXPECT_EQ(client.drain().back().status, 0x05);
    client.query(5, "SELECT * FROM trades LIMIT 0");  // still usable after errors
    auto empty = client.drain();
    EXPECT_EQ(empty.front().rows, 0u);
    EXPECT_EQ(empty.back().kind, ew::MsgKind::result_end);
}

TEST_F(EgressTest, RegisteredResultsErrorsAndExecDone) {
    QueryResponse rows;
    rows.result.columns = {{"n", ColumnType::long_, false}};
    rows.result.rows = {{std::int64_t{42}}, {std::monostate{}}};
    server->register_query("SELECT magic()", rows);
    QueryResponse failing;
    failing.error = {Status::limit_exceeded, "timeout"};
    server->register_query("SELECT slow()", failing);
    EgressClient client(server->port());
    client.next();
    client.query(1, "  SELECT magic();");
    auto frames = client.drain();
    EXPECT_EQ(frames[0].rows, 2u);
    EXPECT_EQ(frames[0].longs.at(0), 42);
    client.query(2, "SELECT slow()");
    auto err = client.drain().back();
    EXPECT_EQ(err.status, 0x0B);
    EXPECT_EQ(err.message, "timeout");
    client.query(3, "CREATE TABLE x (a INT)");
    auto done = client.drain().back();
    EXPECT_EQ(done.kind, ew::MsgKind::exec_done);
    EXPECT_EQ(done.request_id, 3);
}

TEST_F(EgressTest, CreditPausesAndResumes) {
    EgressClient client(server->port());
    client.next();
    client.query(7, "SELECT * FROM trades", 1);  // 1 byte: exactly one batch (row floor)
    auto first = client.next();
    EXPECT_EQ(first.kind, ew::MsgKind::result_batch);
    // The first batch overdrew the budget (row floor): granting back exactly its size makes
    // the budget 1 byte, which releases exactly one more batch.
    client.credit(7, first.wire_size);
    EXPECT_EQ(client.next().batch_seq, 1u);
    client.credit(7, 1'000'000);
    auto rest = client.drain();
    EXPECT_EQ(rest.size(), 2u);
    const auto frames = server->egress_client_frames();
    ASSERT_EQ(frames.size(), 3u);
    EXPECT_EQ(frames[1][0], 0x15);
}

TEST_F(EgressTest, CancelEndsTheQueryWithCancelled) {
    EgressClient client(server->port());
    client.next();
    client.query(9, "SELECT * FROM trades", 1);
    EXPECT_EQ(client.next().kind, ew::MsgKind::result_batch);
    client.cancel(9);
    auto end = client.drain().back();
    EXPECT_EQ(end.kind, ew::MsgKind::query_error);
    EXPECT_EQ(end.status, 0x0A);
    client.cancel(9);  // inactive id: silently dropped
    client.query(10, "SELECT qty FROM trades LIMIT 1");
    EXPECT_EQ(client.drain().front().longs.at(0), 0);
}

TEST_F(EgressTest, ResetDictFlagSendsCacheReset) {
    EgressClient client(server->port());
    client.next();
    client.query(1, "SELECT sym FROM trades LIMIT 1", 0, ew::kQueryFlagResetDict);
    auto frames = client.drain();
    EXPECT_EQ(frames.front().kind, ew::MsgKind::cache_reset);
    EXPECT_EQ(frames.at(1).symbols.at(0), "SYM_000");
}

TEST_F(EgressTest, ZstdIsNegotiatedAndUsed) {
    EgressClient client(server->port(), {{"X-QWP-Accept-Encoding", "zstd;level=12,raw"}});
    EXPECT_EQ(client.ws().header("X-QWP-Content-Encoding"), "zstd;level=9");
    client.next();
    client.query(1, "SELECT * FROM trades");
    auto frames = client.drain();
    EXPECT_EQ(frames.back().rows_affected, 10u);
    EgressClient raw(server->port(), {{"X-QWP-Accept-Encoding", "raw"}});
    EXPECT_EQ(raw.ws().header("X-QWP-Content-Encoding"), "");
}

TEST_F(EgressTest, MalformedClientFrameIsAConnectionError) {
    EgressClient client(server->port());
    client.next();
    client.ws().send({0x51, 0x57, 0x50, 0x31});  // a QWP header where msg_kind belongs
    auto err = client.next();
    EXPECT_EQ(err.kind, ew::MsgKind::query_error);
    EXPECT_EQ(err.request_id, -1);
    EXPECT_FALSE(client.ws().read().has_value());
}

TEST(SqlSubset, Parses) {
    auto p = detail::parse_sql("SELECT a, \"b\" FROM t WHERE ts > 5 AND ts <= 9 LIMIT 3;");
    ASSERT_EQ(p.kind, detail::SqlKind::select) << p.error;
    EXPECT_EQ(p.select.columns, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(p.select.ts_min, 6);
    EXPECT_EQ(p.select.ts_max, 9);
    EXPECT_EQ(p.select.limit, 3u);
    EXPECT_EQ(detail::parse_sql("insert into t values(1)").kind, detail::SqlKind::ddl_dml);
    EXPECT_EQ(detail::parse_sql("SELECT FROM t").kind, detail::SqlKind::invalid);
    EXPECT_EQ(detail::parse_sql("SELECT * FROM t WHERE a > b").kind, detail::SqlKind::invalid);
}

TEST(SqlSubset, IntegerBindsReplacePlaceholders) {
    const std::vector<std::optional<std::int64_t>> binds{5, std::nullopt, -7};
    EXPECT_EQ(detail::substitute_integer_binds("SELECT * FROM t WHERE ts >= $1 AND ts < $3", binds),
              "SELECT * FROM t WHERE ts >= 5 AND ts < -7");
    // Non-integer or missing binds and placeholders inside quotes stay as they are.
    EXPECT_EQ(detail::substitute_integer_binds("SELECT '$1' FROM t WHERE a = $2 LIMIT $9", binds),
              "SELECT '$1' FROM t WHERE a = $2 LIMIT $9");
    const auto p = detail::parse_sql(
        detail::substitute_integer_binds("SELECT * FROM t WHERE ts >= $1 LIMIT $1", binds));
    ASSERT_EQ(p.kind, detail::SqlKind::select) << p.error;
    EXPECT_EQ(p.select.ts_min, 5);
    EXPECT_EQ(p.select.limit, 5u);
}

}  // namespace
}  // namespace questdb::test_server
