#include "fake_servers.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <stdexcept>

namespace questdb::test::ilp {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using net::awaitable;
using net::use_awaitable;
using tcp = net::ip::tcp;

std::string base64url(const unsigned char* data, std::size_t n) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (std::size_t i = 0; i < n; ++i) {
        acc = (acc << 8) | data[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out.push_back(kAlphabet[(acc >> bits) & 0x3F]);
        }
    }
    if (bits > 0) {
        out.push_back(kAlphabet[(acc << (6 - bits)) & 0x3F]);
    }
    return out;
}

std::string decode_b64(std::string_view text, bool url) {
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
        int v = -1;
        if (c >= 'A' && c <= 'Z')
            v = c - 'A';
        else if (c >= 'a' && c <= 'z')
            v = c - 'a' + 26;
        else if (c >= '0' && c <= '9')
            v = c - '0' + 52;
        else if (c == (url ? '-' : '+'))
            v = 62;
        else if (c == (url ? '_' : '/'))
            v = 63;
        if (v < 0)
            continue;
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xFF));
        }
    }
    return out;
}

void load_identity(net::ssl::context& ctx, const ServerTls& tls) {
    ctx.use_certificate_chain(net::buffer(tls.cert_pem));
    ctx.use_private_key(net::buffer(tls.key_pem), net::ssl::context::pem);
}

/// Verifies a base64 r||s P-256/SHA-256 signature of `message` against public (x, y).
bool verify_signature(const TestEcKey& key, std::string_view message, std::string_view sig_b64) {
    const std::string sig = decode_b64(sig_b64, false);
    if (sig.size() != 64) {
        return false;
    }
    const std::string x = decode_b64(key.x, true);
    const std::string y = decode_b64(key.y, true);
    unsigned char point[65] = {0x04};
    std::copy(x.begin(), x.end(), point + 1 + (32 - x.size()));
    std::copy(y.begin(), y.end(), point + 33 + (32 - y.size()));
    OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point));
    OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
    EVP_PKEY* pkey = nullptr;
    EVP_PKEY_fromdata_init(ctx);
    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params);
    ECDSA_SIG* ecsig = ECDSA_SIG_new();
    ECDSA_SIG_set0(ecsig,
                   BN_bin2bn(reinterpret_cast<const unsigned char*>(sig.data()), 32, nullptr),
                   BN_bin2bn(reinterpret_cast<const unsigned char*>(sig.data()) + 32, 32, nullptr));
    unsigned char* der = nullptr;
    const int der_len = i2d_ECDSA_SIG(ecsig, &der);
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    bool ok = pkey != nullptr &&
              EVP_DigestVerifyInit_ex(md, nullptr, "SHA256", nullptr, nullptr, pkey, nullptr) > 0 &&
              EVP_DigestVerify(md, der, static_cast<std::size_t>(der_len),
                               reinterpret_cast<const unsigned char*>(message.data()),
                               message.size()) == 1;
    EVP_MD_CTX_free(md);
    OPENSSL_free(der);
    ECDSA_SIG_free(ecsig);
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    return ok;
}

}  // namespace

TestEcKey make_test_ec_key() {
    EVP_PKEY* pkey = EVP_EC_gen("P-256");
    if (pkey == nullptr) {
        throw std::runtime_error("EVP_EC_gen failed");
    }
    auto part = [&](const char* name) {
        BIGNUM* bn = nullptr;
        EVP_PKEY_get_bn_param(pkey, name, &bn);
        unsigned char buf[32];
        BN_bn2binpad(bn, buf, 32);
        BN_clear_free(bn);
        return base64url(buf, 32);
    };
    TestEcKey key{part(OSSL_PKEY_PARAM_PRIV_KEY), part(OSSL_PKEY_PARAM_EC_PUB_X),
                  part(OSSL_PKEY_PARAM_EC_PUB_Y)};
    EVP_PKEY_free(pkey);
    return key;
}

// ---- HTTP ----------------------------------------------------------------------------------

struct FakeHttpServer::Impl {
    net::io_context ioc{1};
    tcp::acceptor acceptor{ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)};
    std::optional<net::ssl::context> ssl;
    mutable std::mutex mu;
    std::deque<ScriptedResponse> script;
    std::vector<RecordedRequest> requests;
    std::string settings_json =
        R"({"config":{"line.proto.support.versions":[1,2,3],"cairo.max.file.name.length":127}})";
    std::thread thread;
    std::atomic<std::size_t>* accepted = nullptr;

    template <typename Stream>
    awaitable<void> serve(Stream& stream) {
        beast::flat_buffer buffer;
        for (;;) {
            http::request<http::string_body> req;
            co_await http::async_read(stream, buffer, req, use_awaitable);
            ScriptedResponse answer;
            {
                std::lock_guard lock(mu);
                requests.push_back(
                    RecordedRequest{std::string(req.method_string()), std::string(req.target()),
                                    std::string(req[http::field::authorization]),
                                    std::string(req[http::field::content_type]), req.body()});
                if (!script.empty()) {
                    answer = script.front();
                    script.pop_front();
                } else if (req.method() == http::verb::get) {
                    answer.status = 200;
                    answer.content_type = "application/json";
                    answer.body = settings_json;
                }
            }
            if (answer.hang) {
                net::steady_timer never(stream.get_executor());
                never.expires_at(net::steady_timer::time_point::max());
                co_await never.async_wait(use_awaitable);
            }
            http::response<http::string_body> res{static_cast<http::status>(answer.status), 11};
            if (!answer.content_type.empty()) {
                res.set(http::field::content_type, answer.content_type);
            }
            res.body() = answer.body;
            res.keep_alive(req.keep_alive() && !answer.close_after);
            res.prepare_payload();
            co_await http::async_write(stream, res, use_awaitable);
            if (!res.keep_alive()) {
                co_return;
            }
        }
    }

    awaitable<void> handle(tcp::socket socket) {
        try {
            if (ssl) {
                beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *ssl);
                co_await stream.async_handshake(net::ssl::stream_base::server, use_awaitable);
                co_await serve(stream);
            } else {
                beast::tcp_stream stream(std::move(socket));
                co_await serve(stream);
            }
        } catch (const std::exception&) {
            // the client went away or the handshake failed: end of this connection
        }
    }

    awaitable<void> accept_loop() {
        for (;;) {
            auto socket = co_await acceptor.async_accept(use_awaitable);
            ++*accepted;
            net::co_spawn(ioc, handle(std::move(socket)), net::detached);
        }
    }
};

FakeHttpServer::FakeHttpServer(std::optional<ServerTls> tls) : impl_(std::make_unique<Impl>()) {
    impl_->accepted = &accepted_;
    if (tls) {
        impl_->ssl.emplace(net::ssl::context::tls_server);
        load_identity(*impl_->ssl, *tls);
    }
    port_ = impl_->acceptor.local_endpoint().port();
    net::co_spawn(impl_->ioc, impl_->accept_loop(), net::detached);
    impl_->thread = std::thread([this] {
        try {
            impl_->ioc.run();
        } catch (const std::exception&) {
        }
    });
}

FakeHttpServer::~FakeHttpServer() {
    impl_->ioc.stop();
    impl_->thread.join();
}

void FakeHttpServer::script(ScriptedResponse response) {
    std::lock_guard lock(impl_->mu);
    impl_->script.push_back(std::move(response));
}

void FakeHttpServer::set_settings_json(std::string json) {
    std::lock_guard lock(impl_->mu);
    impl_->settings_json = std::move(json);
}

std::vector<RecordedRequest> FakeHttpServer::requests() const {
    std::lock_guard lock(impl_->mu);
    return impl_->requests;
}

std::size_t FakeHttpServer::request_count() const {
    std::lock_guard lock(impl_->mu);
    return impl_->requests.size();
}

// ---- TCP -----------------------------------------------------------------------------------

struct FakeTcpServer::Impl {
    net::io_context ioc{1};
    tcp::acceptor acceptor{ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)};
    std::optional<net::ssl::context> ssl;
    std::optional<TestEcKey> key;
    std::string key_id;
    mutable std::mutex mu;
    std::string received;
    std::thread thread;
    FakeTcpServer* owner = nullptr;

    template <typename Stream>
    awaitable<void> serve(Stream& stream) {
        std::string pending;
        if (key) {
            const auto n = co_await net::async_read_until(stream, net::dynamic_buffer(pending),
                                                          '\n', use_awaitable);
            const std::string got_id = pending.substr(0, n - 1);
            pending.erase(0, n);
            unsigned char random[48];
            RAND_bytes(random, sizeof(random));
            const std::string challenge = base64url(random, sizeof(random));
            co_await net::async_write(stream, net::buffer(challenge + "\n"), use_awaitable);
            const auto m = co_await net::async_read_until(stream, net::dynamic_buffer(pending),
                                                          '\n', use_awaitable);
            const std::string signature = pending.substr(0, m - 1);
            pending.erase(0, m);
            if (got_id != key_id || !verify_signature(*key, challenge, signature)) {
                ++owner->auth_failures_;
                co_return;  // the server just drops the connection
            }
            ++owner->auth_successes_;
        }
        {
            std::lock_guard lock(mu);
            received += pending;
        }
        char chunk[16384];
        for (;;) {
            const auto n = co_await stream.async_read_some(net::buffer(chunk), use_awaitable);
            std::lock_guard lock(mu);
            received.append(chunk, n);
        }
    }

    awaitable<void> handle(tcp::socket socket) {
        try {
            if (ssl) {
                beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *ssl);
                co_await stream.async_handshake(net::ssl::stream_base::server, use_awaitable);
                co_await serve(stream);
            } else {
                beast::tcp_stream stream(std::move(socket));
                co_await serve(stream);
            }
        } catch (const std::exception&) {
        }
    }

    awaitable<void> accept_loop() {
        for (;;) {
            auto socket = co_await acceptor.async_accept(use_awaitable);
            net::co_spawn(ioc, handle(std::move(socket)), net::detached);
        }
    }
};

FakeTcpServer::FakeTcpServer(std::optional<TestEcKey> auth_key, std::string key_id,
                             std::optional<ServerTls> tls)
    : impl_(std::make_unique<Impl>()) {
    impl_->owner = this;
    impl_->key = std::move(auth_key);
    impl_->key_id = std::move(key_id);
    if (tls) {
        impl_->ssl.emplace(net::ssl::context::tls_server);
        load_identity(*impl_->ssl, *tls);
    }
    port_ = impl_->acceptor.local_endpoint().port();
    net::co_spawn(impl_->ioc, impl_->accept_loop(), net::detached);
    impl_->thread = std::thread([this] {
        try {
            impl_->ioc.run();
        } catch (const std::exception&) {
        }
    });
}

FakeTcpServer::~FakeTcpServer() {
    impl_->ioc.stop();
    impl_->thread.join();
}

std::string FakeTcpServer::received() const {
    std::lock_guard lock(impl_->mu);
    return impl_->received;
}

}  // namespace questdb::test::ilp
