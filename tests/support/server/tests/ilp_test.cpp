// ILP over HTTP and TCP, and the strict ILP parser, of the test server.

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <cstring>

#include "ilp_auth.hpp"
#include "ilp_parser.hpp"
#include "questdb/test_server/server.hpp"
#include "support/wait_for.hpp"
#include "ws_client.hpp"

namespace questdb::test_server {
namespace {

using namespace testing;
using detail::IlpPrecision;
using questdb::test::wait_for;

std::vector<detail::IncomingBlock> parse_ok(std::string_view text) {
    std::vector<detail::IncomingBlock> blocks;
    std::size_t line = 0;
    std::string error;
    const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(text.data()),
                                              text.size());
    EXPECT_TRUE(detail::parse_ilp_body(bytes, IlpPrecision::nanos, blocks, line, error))
        << error << " at line " << line;
    return blocks;
}

std::string parse_error(std::string_view text, std::size_t* line_out = nullptr) {
    std::vector<detail::IncomingBlock> blocks;
    std::size_t line = 0;
    std::string error;
    const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(text.data()),
                                              text.size());
    EXPECT_FALSE(detail::parse_ilp_body(bytes, IlpPrecision::nanos, blocks, line, error));
    if (line_out)
        *line_out = line;
    return error;
}

TEST(IlpParser, TextTypesTagsAndTimestamp) {
    auto blocks = parse_ok(
        "trades,sym=ETH-USD,side=sell px=2615.54,qty=12i,ok=t,note=\"a \\\"q\\\" b\",ts=5t "
        "1700000000000000123\n");
    ASSERT_EQ(blocks.size(), 1u);
    const auto& b = blocks[0];
    EXPECT_EQ(b.table, "trades");
    ASSERT_EQ(b.columns.size(), 8u);
    EXPECT_EQ(b.columns[0].type, ColumnType::symbol);
    EXPECT_EQ(std::get<std::string>(b.rows[0][0]), "ETH-USD");
    EXPECT_EQ(std::get<double>(b.rows[0][2]), 2615.54);
    EXPECT_EQ(std::get<std::int64_t>(b.rows[0][3]), 12);
    EXPECT_EQ(std::get<bool>(b.rows[0][4]), true);
    EXPECT_EQ(std::get<std::string>(b.rows[0][5]), "a \"q\" b");
    EXPECT_EQ(b.columns[6].type, ColumnType::timestamp);
    EXPECT_TRUE(b.columns[7].designated);
    EXPECT_EQ(std::get<std::int64_t>(b.rows[0][7]), 1700000000000000);  // micros
}

TEST(IlpParser, EscapesInNamesAndTagValues) {
    auto blocks = parse_ok("my\\ table,tag=v\\ 1\\,2\\=3 f=1i\n");
    ASSERT_EQ(blocks.size(), 1u);
    EXPECT_EQ(blocks[0].table, "my table");
    EXPECT_EQ(blocks[0].columns[0].name, "tag");
    EXPECT_EQ(std::get<std::string>(blocks[0].rows[0][0]), "v 1,2=3");
    // QuestDB forbids ',' in column names even when escaped.
    EXPECT_NE(parse_error("t,t\\,ag=v f=1i\n"), "");
}

TEST(IlpParser, BinaryDoubleArrayAndDecimal) {
    std::string line = "t d==";
    line.push_back(16);
    const double d = 1.5;
    line.append(reinterpret_cast<const char*>(&d), 8);
    line += ",a==";
    line.push_back(14);
    line.push_back(10);
    line.push_back(2);
    const std::uint32_t dims[2] = {1, 2};
    line.append(reinterpret_cast<const char*>(dims), 8);
    const double values[2] = {3.0, 10.0};  // 10.0's bytes contain 0x24; 0x0A appears in none
    line.append(reinterpret_cast<const char*>(values), 16);
    line += ",m==";
    line.push_back(23);
    line.push_back(2);                        // scale
    line.push_back(2);                        // length
    line.push_back(static_cast<char>(0xCF));  // -12345 big-endian: 0xCFC7
    line.push_back(static_cast<char>(0xC7));
    line += "\n";
    auto blocks = parse_ok(line);
    ASSERT_EQ(blocks.size(), 1u);
    EXPECT_EQ(std::get<double>(blocks[0].rows[0][0]), 1.5);
    const auto& a = std::get<Array>(blocks[0].rows[0][1]);
    EXPECT_EQ(a.shape, (std::vector<std::uint32_t>{1, 2}));
    EXPECT_EQ(a.doubles, (std::vector<double>{3.0, 10.0}));
    const auto& m = std::get<Decimal>(blocks[0].rows[0][2]);
    EXPECT_EQ(m.to_string(), "-123.45");
    EXPECT_EQ(blocks[0].columns[2].type, ColumnType::decimal64);
}

// Found by fuzz_test_server_ilp: a zero dimension made memcpy read into a null pointer (UB).
TEST(IlpParser, BinaryArrayWithAZeroDimensionIsEmpty) {
    std::string line = "t a==";
    line.push_back(14);
    line.push_back(10);
    line.push_back(2);
    const std::uint32_t dims[2] = {3, 0};
    line.append(reinterpret_cast<const char*>(dims), 8);
    line += "\n";
    auto blocks = parse_ok(line);
    ASSERT_EQ(blocks.size(), 1u);
    const auto& a = std::get<Array>(blocks[0].rows[0][0]);
    EXPECT_EQ(a.shape, (std::vector<std::uint32_t>{3, 0}));
    EXPECT_TRUE(a.doubles.empty());
}

// Found by fuzz_test_server_ilp: scaling a huge minutes timestamp overflowed int64 (UB).
TEST(IlpParser, ATimestampThatOverflowsItsPrecisionIsRejected) {
    const std::string text = "t f=1i 9999999299992999\n";
    const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(text.data()),
                                              text.size());
    std::vector<detail::IncomingBlock> blocks;
    std::size_t line = 0;
    std::string error;
    EXPECT_FALSE(detail::parse_ilp_body(bytes, IlpPrecision::minutes, blocks, line, error));
    EXPECT_NE(error.find("out of range"), std::string::npos) << error;
}

TEST(IlpParser, TextDecimal) {
    auto blocks = parse_ok("t p=-0.05d\n");
    EXPECT_EQ(std::get<Decimal>(blocks[0].rows[0][0]).to_string(), "-0.05");
}

TEST(IlpParser, RejectsMalformedLines) {
    std::size_t line = 0;
    EXPECT_NE(parse_error("t\n"), "");
    EXPECT_NE(parse_error("t f=1i,\n"), "");
    EXPECT_NE(parse_error("t f=12x\n"), "");
    EXPECT_NE(parse_error("t f=\"open\n"), "");
    EXPECT_NE(parse_error("t f=1i 12z\n"), "");
    EXPECT_NE(parse_error("t f=1i\nbad.col f.x=1i\n", &line), "");
    EXPECT_EQ(line, 2u);
    EXPECT_NE(parse_error("t f=1i"), "");  // no trailing newline
    EXPECT_NE(parse_error(",t f=1i\n"), "");
}

class IlpHttpTest : public ::testing::Test {
  protected:
    void SetUp() override { server.start(); }
    Server server;
};

TEST_F(IlpHttpTest, WriteCommitsAndAnswers204) {
    auto res =
        http_request(server.port(), http::verb::post, "/write?precision=n",
                     "cpu,host=a usage=0.5,n=3i 1000000000\ncpu,host=b usage=1.5 2000000000\n");
    EXPECT_EQ(res.result_int(), 204u);
    const Table t = server.table("cpu");
    ASSERT_EQ(t.row_count(), 2u);
    EXPECT_EQ(t.rows()[0].str("host"), "a");
    EXPECT_TRUE(t.rows()[1].is_null("n"));
    EXPECT_EQ(t.rows()[1].timestamp(), 2000000);
    EXPECT_EQ(
        http_request(server.port(), http::verb::post, "/api/v2/write", "x v=1i\n").result_int(),
        204u);
    EXPECT_EQ(server.ilp_http_requests(), 2u);
}

TEST_F(IlpHttpTest, ParseErrorIsAJsonBodyAndCommitsNothing) {
    auto res = http_request(server.port(), http::verb::post, "/write", "cpu v=1i\ncpu v=oops\n");
    EXPECT_EQ(res.result_int(), 400u);
    EXPECT_EQ(std::string(res[http::field::content_type]), "application/json");
    const auto json = boost::json::parse(res.body()).as_object();
    EXPECT_EQ(json.at("code").as_string(), "invalid");
    EXPECT_EQ(json.at("line").as_int64(), 2);
    EXPECT_FALSE(json.at("errorId").as_string().empty());
    EXPECT_NE(std::string(json.at("message").as_string()).find("line 2"), std::string::npos);
    EXPECT_FALSE(server.table("cpu").exists());
}

TEST_F(IlpHttpTest, TypeConflictIsAnError) {
    EXPECT_EQ(http_request(server.port(), http::verb::post, "/write", "t v=1i\n").result_int(),
              204u);
    auto res = http_request(server.port(), http::verb::post, "/write", "t v=\"s\"\n");
    EXPECT_EQ(res.result_int(), 400u);
    EXPECT_NE(res.body().find("'v'"), std::string::npos) << res.body();
    // An integer into the existing DOUBLE column is a legal ILP cast.
    EXPECT_EQ(
        http_request(server.port(), http::verb::post, "/write", "u v=1.5\nu v=2i\n").result_int(),
        204u);
    EXPECT_DOUBLE_EQ(server.table("u").rows()[1].f64("v"), 2.0);
}

TEST_F(IlpHttpTest, DedupKeysUpsertRowsWithTheSameTimestampAndKeys) {
    server.set_dedup_keys("Quotes", {"SYM"});
    const auto post = [&](std::string_view body) {
        return http_request(server.port(), http::verb::post, "/write?precision=n",
                            std::string(body))
            .result_int();
    };
    ASSERT_EQ(post("quotes,sym=a px=1.0 1000\nquotes,sym=b px=2.0 1000\n"
                   "quotes,sym=a px=3.0 2000\nquotes,sym=a px=4.0 1000\n"),
              204u);
    ASSERT_EQ(post("quotes,sym=b px=5.0 1000\nquotes px=6.0 1000\nquotes px=7.0 1000\n"), 204u);
    const Table t = server.table("quotes");
    ASSERT_EQ(t.row_count(), 4u) << "(1000,a) (1000,b) (2000,a) (1000,NULL)";
    EXPECT_EQ(server.row_count("quotes"), 4u);
    EXPECT_DOUBLE_EQ(t.rows()[0].f64("px"), 4.0) << "the later row of one transaction wins";
    EXPECT_DOUBLE_EQ(t.rows()[1].f64("px"), 5.0) << "a later transaction replaces the row";
    EXPECT_DOUBLE_EQ(t.rows()[2].f64("px"), 3.0) << "another timestamp is another row";
    EXPECT_TRUE(t.rows()[3].is_null("sym"));
    EXPECT_DOUBLE_EQ(t.rows()[3].f64("px"), 7.0) << "NULL keys compare equal, as in QuestDB";

    // A table without keys keeps every row.
    ASSERT_EQ(post("plain,sym=a px=1.0 1000\nplain,sym=a px=1.0 1000\n"), 204u);
    EXPECT_EQ(server.row_count("plain"), 2u);
    // Keys set on a table that already has rows index them as they are.
    server.set_dedup_keys("plain", {"sym"});
    ASSERT_EQ(post("plain,sym=a px=9.0 1000\n"), 204u);
    EXPECT_EQ(server.row_count("plain"), 2u);
    EXPECT_DOUBLE_EQ(server.table("plain").rows()[0].f64("px"), 9.0);
}

TEST_F(IlpHttpTest, PingSettingsDumpAnd404) {
    EXPECT_EQ(http_request(server.port(), http::verb::get, "/ping").result_int(), 204u);
    auto settings = http_request(server.port(), http::verb::get, "/settings");
    EXPECT_EQ(settings.result_int(), 200u);
    const auto json = boost::json::parse(settings.body());
    EXPECT_EQ(boost::json::serialize(json.at("config").at("line.proto.support.versions")),
              "[1,2,3]");
    EXPECT_EQ(http_request(server.port(), http::verb::get, "/nope").result_int(), 404u);
    EXPECT_EQ(http_request(server.port(), http::verb::post, "/write", "d v=7i 5\n").result_int(),
              204u);
    auto dump =
        boost::json::parse(http_request(server.port(), http::verb::get, "/test/dump").body());
    EXPECT_EQ(dump.at("tables").at(0).at("name").as_string(), "d");
    EXPECT_EQ(dump.at("tables").at(0).at("rows").at(0).at(0).as_int64(), 7);
}

TEST_F(IlpHttpTest, InjectedFailuresThenSuccess) {
    server.faults().fail_ilp_http(503, "busy", 2);
    EXPECT_EQ(http_request(server.port(), http::verb::post, "/write", "t v=1i\n").result_int(),
              503u);
    EXPECT_EQ(http_request(server.port(), http::verb::post, "/write", "t v=1i\n").result_int(),
              503u);
    EXPECT_EQ(http_request(server.port(), http::verb::post, "/write", "t v=1i\n").result_int(),
              204u);
    EXPECT_EQ(server.row_count("t"), 1u);
    server.faults().fail_ilp_http(400,
                                  R"({"code":"invalid","message":"boom","line":1,"errorId":"x"})");
    auto res = http_request(server.port(), http::verb::post, "/write", "t v=1i\n");
    EXPECT_EQ(res.result_int(), 400u);
    EXPECT_EQ(std::string(res[http::field::content_type]), "application/json");
}

TEST_F(IlpHttpTest, DelayedResponses) {
    server.faults().delay_ilp_http(std::chrono::milliseconds(100));
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(http_request(server.port(), http::verb::post, "/write", "t v=1i\n").result_int(),
              204u);
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100));
}

TEST(IlpHttpAuth, BasicAuthGuardsWriteButNotPing) {
    Options options;
    options.basic_user = "u";
    options.basic_password = "p";
    Server server(options);
    server.start();
    EXPECT_EQ(http_request(server.port(), http::verb::post, "/write", "t v=1i\n").result_int(),
              401u);
    EXPECT_EQ(http_request(server.port(), http::verb::post, "/write", "t v=1i\n",
                           {{"Authorization", "Basic dTpw"}})
                  .result_int(),
              204u);
    EXPECT_EQ(http_request(server.port(), http::verb::get, "/ping").result_int(), 204u);
}

// ---- ILP over TCP ----

tcp::socket connect_tcp(asio::io_context& ioc, std::uint16_t port) {
    tcp::socket socket(ioc);
    socket.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port));
    set_read_timeout(socket);
    return socket;
}

bool closed_by_peer(tcp::socket& socket) {
    char byte;
    beast::error_code ec;
    socket.read_some(asio::buffer(&byte, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
}

TEST(IlpTcp, PlainLinesCommitAndMalformedInputDisconnects) {
    Options options;
    options.ilp_tcp_port = 0;
    Server server(options);
    server.start();
    ASSERT_NE(server.ilp_tcp_port(), 0);
    asio::io_context ioc;
    auto socket = connect_tcp(ioc, server.ilp_tcp_port());
    asio::write(socket, asio::buffer(std::string("t,s=a v=1i 10\nt,s=b v=2")));
    asio::write(socket, asio::buffer(std::string("i 20\n")));
    EXPECT_TRUE(server.wait_for_rows("t", 2));
    asio::write(socket, asio::buffer(std::string("t v=broken\n")));
    EXPECT_TRUE(closed_by_peer(socket));
    EXPECT_EQ(server.row_count("t"), 2u);
}

struct KeyPair {
    EVP_PKEY* key = nullptr;
    std::string x, y;  // base64url
    ~KeyPair() { EVP_PKEY_free(key); }
};

std::string b64url(const unsigned char* data, std::size_t size) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    for (std::size_t i = 0; i < size; i += 3) {
        const unsigned n = (data[i] << 16) | (i + 1 < size ? data[i + 1] << 8 : 0) |
                           (i + 2 < size ? data[i + 2] : 0);
        out.push_back(kAlphabet[(n >> 18) & 63]);
        out.push_back(kAlphabet[(n >> 12) & 63]);
        if (i + 1 < size)
            out.push_back(kAlphabet[(n >> 6) & 63]);
        if (i + 2 < size)
            out.push_back(kAlphabet[n & 63]);
    }
    return out;
}

void generate(KeyPair& kp) {
    kp.key = EVP_EC_gen("P-256");
    ASSERT_NE(kp.key, nullptr);
    unsigned char point[65];
    std::size_t len = 0;
    ASSERT_EQ(
        EVP_PKEY_get_octet_string_param(kp.key, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &len),
        1);
    ASSERT_EQ(len, 65u);
    kp.x = b64url(point + 1, 32);
    kp.y = b64url(point + 33, 32);
}

std::string sign_b64(EVP_PKEY* key, const std::string& challenge) {
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key);
    std::size_t len = 0;
    EVP_DigestSign(md, nullptr, &len, reinterpret_cast<const unsigned char*>(challenge.data()),
                   challenge.size());
    std::vector<unsigned char> sig(len);
    EVP_DigestSign(md, sig.data(), &len, reinterpret_cast<const unsigned char*>(challenge.data()),
                   challenge.size());
    EVP_MD_CTX_free(md);
    std::string out = b64url(sig.data(), len);
    std::replace(out.begin(), out.end(), '-', '+');
    std::replace(out.begin(), out.end(), '_', '/');
    while (out.size() % 4 != 0)
        out.push_back('=');
    return out;
}

std::string read_line(tcp::socket& socket) {
    std::string line;
    asio::read_until(socket, asio::dynamic_buffer(line), '\n');
    line.pop_back();
    return line;
}

TEST(IlpTcp, EcdsaChallengeResponse) {
    KeyPair user, stranger;
    generate(user);
    generate(stranger);
    Options options;
    options.ilp_tcp_port = 0;
    options.ilp_tcp_keys.push_back({"testUser1", user.x, user.y});
    Server server(options);
    server.start();
    asio::io_context ioc;
    {
        auto socket = connect_tcp(ioc, server.ilp_tcp_port());
        asio::write(socket, asio::buffer(std::string("testUser1\n")));
        const auto challenge = read_line(socket);
        EXPECT_EQ(challenge.size(), 512u);
        asio::write(socket, asio::buffer(sign_b64(user.key, challenge) + "\n"));
        asio::write(socket, asio::buffer(std::string("auth v=1i\n")));
        EXPECT_TRUE(server.wait_for_rows("auth", 1));
    }
    {
        auto socket = connect_tcp(ioc, server.ilp_tcp_port());
        asio::write(socket, asio::buffer(std::string("testUser1\n")));
        const auto challenge = read_line(socket);
        asio::write(socket, asio::buffer(sign_b64(stranger.key, challenge) + "\n"));
        asio::write(socket, asio::buffer(std::string("auth v=2i\n")));
        EXPECT_TRUE(closed_by_peer(socket));
    }
    {
        auto socket = connect_tcp(ioc, server.ilp_tcp_port());
        asio::write(socket, asio::buffer(std::string("nobody\n")));
        EXPECT_TRUE(closed_by_peer(socket));
    }
    EXPECT_EQ(server.row_count("auth"), 1u);
    EXPECT_EQ(server.ilp_tcp_connections(), 1u);
}

TEST(IlpAuth, RawRsSignaturesVerifyToo) {
    KeyPair user;
    generate(user);
    const std::string challenge = detail::make_challenge(64);
    // DER from OpenSSL -> raw r||s, as ring's fixed-length signing produces.
    const auto der_b64 = sign_b64(user.key, challenge);
    const auto der = detail::base64_decode(der_b64).value();
    const unsigned char* p = der.data();
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
    ASSERT_NE(sig, nullptr);
    unsigned char raw[64];
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw, 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw + 32, 32);
    ECDSA_SIG_free(sig);
    EXPECT_TRUE(detail::verify_ecdsa_p256(user.x, user.y, challenge, b64url(raw, 64)));
    EXPECT_FALSE(detail::verify_ecdsa_p256(user.x, user.y, challenge + "x", b64url(raw, 64)));
}

}  // namespace
}  // namespace questdb::test_server
