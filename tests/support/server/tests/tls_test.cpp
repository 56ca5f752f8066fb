// Every endpoint of the test server speaks TLS when given (run-time generated) PEM material.

#include <gtest/gtest.h>

#include "questdb/test_server/server.hpp"
#include "support/fixtures.hpp"
#include "support/tls_certs.hpp"
#include "ws_client.hpp"

namespace questdb::test_server {
namespace {

using namespace testing;
namespace ssl = asio::ssl;

class TlsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto pem = questdb::test::make_self_signed("127.0.0.1");
        Options options;
        options.tls_cert_chain_pem = pem.cert_pem;
        options.tls_private_key_pem = pem.key_pem;
        options.ilp_tcp_port = 0;
        server = std::make_unique<Server>(options);
        server->start();
        client_ctx.set_verify_mode(ssl::verify_peer);
        client_ctx.add_certificate_authority(asio::buffer(pem.cert_pem));
    }

    std::unique_ptr<Server> server;
    ssl::context client_ctx{ssl::context::tls_client};
    asio::io_context ioc;
};

TEST_F(TlsTest, IngressOverWss) {
    websocket::stream<beast::ssl_stream<tcp::socket>> ws(ioc, client_ctx);
    auto& socket = beast::get_lowest_layer(ws);
    socket.connect(tcp::endpoint(asio::ip::address_v4::loopback(), server->port()));
    set_read_timeout(socket);
    ws.next_layer().handshake(ssl::stream_base::client);
    ws.handshake("127.0.0.1", "/write/v4");
    ws.binary(true);
    ws.write(asio::buffer(questdb::test::load_hex_fixture("qwp/trades-10rows-replay.hex")));
    beast::flat_buffer buffer;
    ws.read(buffer);
    const auto* p = static_cast<const std::uint8_t*>(buffer.data().data());
    EXPECT_EQ(parse_response({p, p + buffer.size()}).status, 0);
    EXPECT_EQ(server->row_count("trades"), 10u);
}

TEST_F(TlsTest, IlpOverHttpsAndTcps) {
    {
        beast::ssl_stream<tcp::socket> stream(ioc, client_ctx);
        stream.next_layer().connect(
            tcp::endpoint(asio::ip::address_v4::loopback(), server->port()));
        set_read_timeout(stream.next_layer());
        stream.handshake(ssl::stream_base::client);
        http::request<http::string_body> req{http::verb::post, "/write", 11};
        req.set(http::field::host, "127.0.0.1");
        req.body() = "t v=1i\n";
        req.prepare_payload();
        http::write(stream, req);
        beast::flat_buffer buffer;
        http::response<http::string_body> res;
        http::read(stream, buffer, res);
        EXPECT_EQ(res.result_int(), 204u);
    }
    {
        beast::ssl_stream<tcp::socket> stream(ioc, client_ctx);
        stream.next_layer().connect(
            tcp::endpoint(asio::ip::address_v4::loopback(), server->ilp_tcp_port()));
        stream.handshake(ssl::stream_base::client);
        asio::write(stream, asio::buffer(std::string("t v=2i\n")));
        EXPECT_TRUE(server->wait_for_rows("t", 2));
    }
}

TEST_F(TlsTest, PlainClientIsNotServed) {
    WsClient plain(server->port());
    EXPECT_FALSE(plain.upgraded());
    EXPECT_EQ(server->ingress_connections(), 0u);
}

TEST(TlsOptions, BadPemFailsStart) {
    Options options;
    options.tls_cert_chain_pem = "not a certificate";
    options.tls_private_key_pem = "not a key";
    Server server(options);
    EXPECT_THROW(server.start(), std::runtime_error);
}

}  // namespace
}  // namespace questdb::test_server
