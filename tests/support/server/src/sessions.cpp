// Network sessions of the test server: the HTTP router (ILP/HTTP, /ping, /settings,
// /test/dump, WebSocket upgrades), the QWP ingress WebSocket session and the ILP/TCP session.
// Every session is a C++20 coroutine on its own strand; TLS wraps the same code.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json.hpp>
#include <cctype>
#include <deque>

#include "egress_session.hpp"
#include "ilp_auth.hpp"
#include "ilp_parser.hpp"
#include "qwp_ingress.hpp"
#include "server_impl.hpp"
#include "session_common.hpp"

namespace questdb::test_server::detail {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view path_of(std::string_view target) {
    return target.substr(0, target.find('?'));
}

std::string query_param(std::string_view target, std::string_view key) {
    const auto q = target.find('?');
    if (q == std::string_view::npos)
        return {};
    auto rest = target.substr(q + 1);
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const auto pair = rest.substr(0, amp);
        const auto eq = pair.find('=');
        if (pair.substr(0, eq) == key && eq != std::string_view::npos) {
            return std::string(pair.substr(eq + 1));
        }
        if (amp == std::string_view::npos)
            break;
        rest = rest.substr(amp + 1);
    }
    return {};
}

RequestInfo info_of(const HttpRequest& req) {
    RequestInfo info;
    info.method = std::string(req.method_string());
    info.target = std::string(req.target());
    for (const auto& field : req) {
        info.headers[lower(field.name_string())] = std::string(field.value());
    }
    return info;
}

/// nullopt when the request may proceed, else the status to refuse it with.
std::optional<http::status> check_auth(const Options& options, const HttpRequest& req) {
    const bool basic = options.basic_user.has_value();
    const bool bearer = options.token.has_value();
    if (!basic && !bearer)
        return std::nullopt;
    const auto it = req.find(http::field::authorization);
    if (it == req.end())
        return http::status::unauthorized;
    const std::string_view value = it->value();
    if (basic && value.size() > 6 && lower(value.substr(0, 6)) == "basic ") {
        const auto decoded = base64_decode(value.substr(6));
        const std::string expected =
            *options.basic_user + ":" + options.basic_password.value_or("");
        if (decoded && std::string(decoded->begin(), decoded->end()) == expected) {
            return std::nullopt;
        }
        return http::status::unauthorized;
    }
    if (bearer && value.size() > 7 && lower(value.substr(0, 7)) == "bearer ") {
        if (value.substr(7) == *options.token)
            return std::nullopt;
        return http::status::unauthorized;
    }
    return http::status::unauthorized;
}

HttpResponse make_response(const HttpRequest& req, http::status status, std::string body,
                           std::string_view content_type = "text/plain") {
    HttpResponse res{status, req.version()};
    res.set(http::field::server, "questdb-test-server");
    if (!body.empty())
        res.set(http::field::content_type, content_type);
    res.body() = std::move(body);
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    return res;
}

std::string ilp_error_json(std::string_view message, std::int64_t line) {
    static std::atomic<std::uint64_t> error_counter{0};
    boost::json::object o;
    o["code"] = "invalid";
    o["message"] = message;
    o["line"] = line;
    o["errorId"] = "qdbtest-" + std::to_string(++error_counter);
    return boost::json::serialize(o);
}

std::string settings_json(const Options& options) {
    boost::json::object config;
    config["release.type"] = "OSS";
    config["release.version"] = "test-server";
    config["line.proto.support.versions"] = boost::json::array{1, 2, 3};
    config["ilp.proto.transports"] = boost::json::array{"http", "tcp"};
    config["cairo.max.file.name.length"] = 127;
    config["qwp.max.version"] = options.max_qwp_version;
    boost::json::object root;
    root["config"] = std::move(config);
    root["preferences.version"] = 0;
    root["preferences"] = boost::json::object{};
    return boost::json::serialize(root);
}

std::optional<IlpPrecision> parse_precision(std::string_view p) {
    if (p.empty() || p == "n" || p == "ns")
        return IlpPrecision::nanos;
    if (p == "u" || p == "us")
        return IlpPrecision::micros;
    if (p == "ms")
        return IlpPrecision::millis;
    if (p == "s")
        return IlpPrecision::seconds;
    if (p == "m")
        return IlpPrecision::minutes;
    if (p == "h")
        return IlpPrecision::hours;
    return std::nullopt;
}

template <class Executor>
awaitable<void> sleep_for(Executor ex, std::chrono::milliseconds d) {
    if (d.count() <= 0)
        co_return;
    asio::steady_timer t(ex, d);
    co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
}

// ---------------------------------------------------------------------------------------
// ILP over HTTP

HttpResponse handle_ilp_write(Server::Impl& impl, const HttpRequest& req) {
    impl.ilp_http_requests.fetch_add(1);
    if (auto failure = impl.faults.take_ilp_failure()) {
        const bool json = !failure->body.empty() && failure->body.front() == '{';
        return make_response(req, static_cast<http::status>(failure->status), failure->body,
                             json ? "application/json" : "text/plain");
    }
    const auto precision = parse_precision(query_param(req.target(), "precision"));
    if (!precision) {
        return make_response(req, http::status::bad_request, ilp_error_json("invalid precision", 0),
                             "application/json");
    }
    const auto& body = req.body();
    std::vector<IncomingBlock> blocks;
    std::size_t error_line = 0;
    std::string error;
    const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(body.data()),
                                              body.size());
    if (!parse_ilp_body(bytes, *precision, blocks, error_line, error)) {
        return make_response(req, http::status::bad_request,
                             ilp_error_json("failed to parse line protocol:errors encountered on "
                                            "line(s):\nerror in line " +
                                                std::to_string(error_line) + ": " + error,
                                            static_cast<std::int64_t>(error_line)),
                             "application/json");
    }
    CommitResult committed;
    if (auto err = impl.db.commit(blocks, Coercion::ilp, committed)) {
        return make_response(req, http::status::bad_request,
                             ilp_error_json("failed to parse line protocol:errors encountered on "
                                            "line(s):\nerror in line 1: " +
                                                err->message,
                                            1),
                             "application/json");
    }
    return make_response(req, http::status::no_content, {});
}

// ---------------------------------------------------------------------------------------
// QWP ingress over WebSocket

struct Outgoing {
    std::vector<std::uint8_t> bytes;
    std::chrono::steady_clock::time_point ready_at;
    CommitResult committed;
};

template <class Stream>
struct IngressSession {
    IngressSession(Stream&& stream, Server::Impl& impl, std::uint8_t version, bool durable)
        : ws(std::move(stream)),
          wake(ws.get_executor()),
          ready(ws.get_executor(), 1),
          impl(impl),
          protocol(impl.db, impl.faults, version, impl.options.sink),
          durable(durable) {}

    websocket::stream<Stream> ws;
    // The writer sleeps on `wake` only when it has a time to wake at (an ack delay, a stall,
    // the durable-ack period); otherwise on `ready`, which the reader signals per frame.
    // Re-arming a timer per frame cost a timerfd_settime syscall per acknowledgement.
    asio::steady_timer wake;
    asio::experimental::channel<void(boost::system::error_code)> ready;
    Server::Impl& impl;
    IngressConnection protocol;
    const bool durable;
    std::deque<Outgoing> out;
    bool closed = false;
    bool writing = false;
    std::map<std::string, std::int64_t> ok_marks;       // seqTxn per table acked with OK
    std::map<std::string, std::int64_t> durable_marks;  // seqTxn per table durably acked

    void close_abruptly() {
        closed = true;
        beast::error_code ignored;
        beast::get_lowest_layer(ws).socket().shutdown(asio::ip::tcp::socket::shutdown_both,
                                                      ignored);
        beast::get_lowest_layer(ws).socket().close(ignored);
        wake_writer();
    }

    void wake_writer() {
        wake.cancel();
        (void)ready.try_send(boost::system::error_code{});  // full: a wake-up is already due
    }

    CommitResult durable_delta() {
        CommitResult delta;
        for (const auto& [table, seq] : ok_marks) {
            auto& sent = durable_marks[table];
            if (seq > sent) {
                sent = seq;
                delta.emplace_back(table, seq);
            }
        }
        return delta;
    }
};

template <class Stream>
awaitable<void> ingress_writer(std::shared_ptr<IngressSession<Stream>> s) {
    using clock = std::chrono::steady_clock;
    const auto durable_period = s->impl.options.durable_ack_interval;
    auto next_durable = clock::now() + durable_period;
    while (!s->closed) {
        const auto now = clock::now();
        const bool stalled = s->impl.faults.acks_stalled();
        if (!s->out.empty() && !stalled && s->out.front().ready_at <= now) {
            Outgoing item = std::move(s->out.front());
            s->out.pop_front();
            s->writing = true;
            auto [ec, n] = co_await s->ws.async_write(asio::buffer(item.bytes),
                                                      asio::as_tuple(asio::use_awaitable));
            s->writing = false;
            if (ec) {
                s->close_abruptly();
                break;
            }
            for (const auto& [table, seq] : item.committed) {
                auto& mark = s->ok_marks[table];
                mark = std::max(mark, seq);
            }
            continue;
        }
        if (s->durable && now >= next_durable) {
            next_durable = now + durable_period;
            if (!stalled && !s->impl.faults.durable_stalled()) {
                auto delta = s->durable_delta();
                if (!delta.empty()) {
                    auto bytes = encode_durable_ack(delta);
                    s->writing = true;
                    auto [ec, n] = co_await s->ws.async_write(asio::buffer(bytes),
                                                              asio::as_tuple(asio::use_awaitable));
                    s->writing = false;
                    if (ec) {
                        s->close_abruptly();
                        break;
                    }
                }
            }
            continue;
        }
        auto wake_at = clock::time_point::max();
        if (!s->out.empty()) {
            wake_at = stalled ? now + std::chrono::milliseconds(2) : s->out.front().ready_at;
        }
        if (s->durable)
            wake_at = std::min(wake_at, next_durable);
        if (wake_at == clock::time_point::max()) {
            co_await s->ready.async_receive(asio::as_tuple(asio::use_awaitable));
            continue;
        }
        s->wake.expires_at(wake_at);
        co_await s->wake.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

template <class Stream>
awaitable<void> ingress_reader(std::shared_ptr<IngressSession<Stream>> s) {
    auto& impl = s->impl;
    auto ex = s->ws.get_executor();
    beast::flat_buffer buffer;  // reused: keeps its capacity across frames
    while (!s->closed) {
        co_await sleep_for(ex, impl.faults.slow_read());
        if (impl.faults.take_drop_mid(s->protocol.next_sequence())) {
            std::array<std::uint8_t, 8> part{};
            co_await s->ws.async_read_some(asio::buffer(part), asio::as_tuple(asio::use_awaitable));
            s->close_abruptly();
            break;
        }
        buffer.clear();
        auto [ec, n] = co_await s->ws.async_read(buffer, asio::as_tuple(asio::use_awaitable));
        if (ec) {
            break;  // Close, disconnect, or 1009 (Beast closes with too_big on its own)
        }
        impl.ingress_frames.fetch_add(1);
        const std::span<const std::uint8_t> frame(
            static_cast<const std::uint8_t*>(buffer.data().data()), buffer.size());
        if (!impl.options.sink) {
            impl.log_ingress_payload(std::vector<std::uint8_t>(frame.begin(), frame.end()));
        }
        IngressReply reply = s->ws.got_text() ? s->protocol.reject_frame(Status::parse_error,
                                                                         "text frames are not QWP")
                                              : s->protocol.on_frame(frame);
        s->out.push_back(Outgoing{std::move(reply.bytes),
                                  std::chrono::steady_clock::now() + impl.faults.ack_delay(),
                                  std::move(reply.committed)});
        s->wake_writer();
        if (impl.faults.take_drop_after(s->protocol.next_sequence())) {
            while (!s->closed && (!s->out.empty() || s->writing)) {
                co_await sleep_for(ex, std::chrono::milliseconds(1));
            }
            s->close_abruptly();
            break;
        }
    }
    s->closed = true;
    s->wake_writer();
    s->protocol.on_disconnect();
}

std::uint8_t negotiate_version(Server::Impl& impl, const HttpRequest& req, bool& ok) {
    ok = true;
    unsigned client_max = 1;
    if (auto it = req.find("X-QWP-Max-Version"); it != req.end()) {
        const std::string v(it->value());
        if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos || v.size() > 3 ||
            std::stoul(v) == 0) {
            ok = false;
            return 0;
        }
        client_max = static_cast<unsigned>(std::stoul(v));
    }
    if (auto forced = impl.faults.forced_version()) {
        return static_cast<std::uint8_t>(*forced);
    }
    return static_cast<std::uint8_t>(std::min<unsigned>(client_max, impl.options.max_qwp_version));
}

template <class Stream>
awaitable<void> serve_ingress(Server::Impl& impl, Stream& stream, HttpRequest req,
                              std::uint8_t version) {
    const auto requested = req.find("X-QWP-Request-Durable-Ack");
    const bool durable =
        impl.options.durable_ack && requested != req.end() && lower(requested->value()) == "true";
    auto s = std::make_shared<IngressSession<Stream>>(std::move(stream), impl, version, durable);
    beast::get_lowest_layer(s->ws).expires_never();
    s->ws.read_message_max(impl.options.recv_buffer_size);
    s->ws.binary(true);
    s->ws.auto_fragment(false);
    std::size_t max_batch = std::min<std::size_t>(
        impl.options.recv_buffer_size > 14 ? impl.options.recv_buffer_size - 14 : 0,
        16 * 1024 * 1024);
    const auto advertised = impl.faults.advertised_max_batch();
    if (advertised)
        max_batch = *advertised;
    s->ws.set_option(websocket::stream_base::decorator([=](websocket::response_type& res) {
        res.set(http::field::server, "questdb-test-server");
        res.set("X-QWP-Version", std::to_string(version));
        if (max_batch != 0)
            res.set("X-QWP-Max-Batch-Size", std::to_string(max_batch));
        if (durable)
            res.set("X-QWP-Durable-Ack", "enabled");
    }));
    // Counted before the 101 goes out: a client that has read it must find it counted
    // (counting after async_accept raced with the client's next look at the counter).
    impl.ingress_connections.fetch_add(1);
    auto [ec] = co_await s->ws.async_accept(req, asio::as_tuple(asio::use_awaitable));
    if (ec) {
        impl.ingress_connections.fetch_sub(1);
        co_return;
    }
    asio::co_spawn(s->ws.get_executor(), ingress_writer(s), asio::detached);
    co_await ingress_reader(s);
}

// ---------------------------------------------------------------------------------------
// HTTP router

template <class Stream>
awaitable<bool> write_response(Stream& stream, HttpResponse res) {
    auto [ec, n] = co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
    co_return !ec && res.keep_alive();
}

template <class Stream>
awaitable<void> http_session(Server::Impl& impl, Stream& stream) {
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(std::size_t{1} << 30);
        beast::get_lowest_layer(stream).expires_never();
        auto [ec, n] =
            co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
        if (ec)
            co_return;
        HttpRequest req = parser.release();
        impl.log_request(info_of(req));
        const auto path = path_of(req.target());
        const bool ingress_path = path == "/write/v4" || path == "/api/v4/write";
        const bool egress_path = path == "/read/v1" || path == "/api/v1/read";

        if (path != "/ping") {
            if (auto denied = check_auth(impl.options, req)) {
                auto res = make_response(req, *denied, "Unauthorized");
                res.set(http::field::www_authenticate, "Basic realm=\"questdb\"");
                if (!co_await write_response(stream, std::move(res)))
                    co_return;
                continue;
            }
        }
        if (websocket::is_upgrade(req)) {
            if (!ingress_path && !egress_path) {
                auto res = make_response(req, http::status::not_found, "Not Found");
                res.keep_alive(false);
                co_await write_response(stream, std::move(res));
                co_return;
            }
            if (auto refusal = impl.faults.take_refusal()) {
                auto res =
                    make_response(req, static_cast<http::status>(refusal->status), refusal->body);
                for (const auto& [k, v] : refusal->headers)
                    res.set(k, v);
                res.keep_alive(false);
                co_await write_response(stream, std::move(res));
                co_return;
            }
            bool version_ok = true;
            const auto version = negotiate_version(impl, req, version_ok);
            if (!version_ok) {
                auto res = make_response(req, http::status::bad_request, "bad X-QWP-Max-Version");
                res.keep_alive(false);
                co_await write_response(stream, std::move(res));
                co_return;
            }
            if (ingress_path) {
                co_await serve_ingress(impl, stream, std::move(req), version);
            } else {
                co_await serve_egress(impl, stream, std::move(req), version);
            }
            co_return;
        }
        HttpResponse res;
        if (ingress_path || egress_path) {
            res = make_response(req, http::status::upgrade_required, "WebSocket upgrade required");
            res.set(http::field::upgrade, "websocket");
        } else if (path == "/ping" &&
                   (req.method() == http::verb::get || req.method() == http::verb::head)) {
            res = make_response(req, http::status::no_content, {});
            res.set("X-Influxdb-Version", "v2.7.4");
        } else if (path == "/settings" && req.method() == http::verb::get) {
            res = make_response(req, http::status::ok, settings_json(impl.options),
                                "application/json");
        } else if ((path == "/write" || path == "/api/v2/write") &&
                   req.method() == http::verb::post) {
            co_await sleep_for(stream.get_executor(), impl.faults.ilp_delay());
            res = handle_ilp_write(impl, req);
        } else if (path == "/test/dump" && req.method() == http::verb::get) {
            res = make_response(req, http::status::ok, impl.db.dump_json(), "application/json");
        } else {
            res = make_response(req, http::status::not_found, "Not Found");
        }
        if (!co_await write_response(stream, std::move(res)))
            co_return;
    }
}

// ---------------------------------------------------------------------------------------
// ILP over TCP

template <class Stream>
awaitable<bool> ilp_tcp_authenticate(Server::Impl& impl, Stream& stream, std::string& buffer) {
    auto [ec1, n1] = co_await asio::async_read_until(stream, asio::dynamic_buffer(buffer, 4096),
                                                     '\n', asio::as_tuple(asio::use_awaitable));
    if (ec1)
        co_return false;
    const std::string key_id = buffer.substr(0, n1 - 1);
    buffer.erase(0, n1);
    const IlpTcpKey* key = nullptr;
    for (const auto& k : impl.options.ilp_tcp_keys) {
        if (k.key_id == key_id)
            key = &k;
    }
    if (key == nullptr)
        co_return false;
    const std::string challenge = make_challenge(512);
    const std::string line = challenge + "\n";
    auto [ec2, n2] =
        co_await asio::async_write(stream, asio::buffer(line), asio::as_tuple(asio::use_awaitable));
    if (ec2)
        co_return false;
    auto [ec3, n3] = co_await asio::async_read_until(stream, asio::dynamic_buffer(buffer, 4096),
                                                     '\n', asio::as_tuple(asio::use_awaitable));
    if (ec3)
        co_return false;
    const std::string signature = buffer.substr(0, n3 - 1);
    buffer.erase(0, n3);
    co_return verify_ecdsa_p256(key->public_x_b64url, key->public_y_b64url, challenge, signature);
}

template <class Stream>
awaitable<void> ilp_tcp_session(Server::Impl& impl, Stream& stream) {
    std::string buffer;
    beast::get_lowest_layer(stream).expires_never();
    if (!impl.options.ilp_tcp_keys.empty() &&
        !co_await ilp_tcp_authenticate(impl, stream, buffer)) {
        co_return;  // QuestDB just disconnects a client that fails the challenge
    }
    impl.ilp_tcp_connections.fetch_add(1);
    std::vector<char> chunk(64 * 1024);
    for (;;) {
        std::vector<IncomingBlock> blocks;
        std::size_t pos = 0;
        bool malformed = false;
        while (pos < buffer.size()) {
            IncomingBlock block;
            const std::span<const std::uint8_t> rest(
                reinterpret_cast<const std::uint8_t*>(buffer.data()) + pos, buffer.size() - pos);
            const auto r = parse_ilp_line(rest, IlpPrecision::nanos, block);
            if (r.outcome == IlpParseOutcome::incomplete)
                break;
            if (r.outcome == IlpParseOutcome::error) {
                malformed = true;
                break;
            }
            pos += r.consumed;
            if (!r.blank)
                blocks.push_back(std::move(block));
        }
        buffer.erase(0, pos);
        if (!blocks.empty()) {
            CommitResult committed;
            if (impl.db.commit(blocks, Coercion::ilp, committed)) {
                co_return;  // a cast error: QuestDB drops the connection
            }
        }
        if (malformed)
            co_return;
        auto [ec, n] = co_await stream.async_read_some(asio::buffer(chunk),
                                                       asio::as_tuple(asio::use_awaitable));
        if (ec)
            co_return;
        buffer.append(chunk.data(), n);
    }
}

// ---------------------------------------------------------------------------------------
// Accepting

enum class Listener { http, ilp_tcp };

awaitable<void> session(Server::Impl& impl, asio::ip::tcp::socket socket, Listener kind) {
    try {
        beast::tcp_stream plain(std::move(socket));
        if (impl.ssl) {
            beast::ssl_stream<beast::tcp_stream> tls(std::move(plain), *impl.ssl);
            beast::get_lowest_layer(tls).expires_after(std::chrono::seconds(30));
            auto [ec] = co_await tls.async_handshake(asio::ssl::stream_base::server,
                                                     asio::as_tuple(asio::use_awaitable));
            if (ec)
                co_return;
            if (kind == Listener::http) {
                co_await http_session(impl, tls);
            } else {
                co_await ilp_tcp_session(impl, tls);
            }
        } else if (kind == Listener::http) {
            co_await http_session(impl, plain);
        } else {
            co_await ilp_tcp_session(impl, plain);
        }
    } catch (const std::exception&) {
        // A session failure never takes the server down.
    }
}

awaitable<void> accept_loop(Server::Impl& impl, asio::ip::tcp::acceptor& acceptor, Listener kind) {
    for (;;) {
        asio::ip::tcp::socket socket(asio::make_strand(*impl.ioc));
        auto [ec] = co_await acceptor.async_accept(socket, asio::as_tuple(asio::use_awaitable));
        if (ec) {
            if (ec == asio::error::operation_aborted || !acceptor.is_open())
                co_return;
            continue;
        }
        // QuestDB's own dispatcher turns Nagle off on every accepted socket. With it on, each
        // small OK waits for the client's ACK of the previous one, and a client holding a
        // full in-flight window sends no data to carry that ACK: small-batch ingestion stalls
        // on delayed ACKs (12 M rows/s instead of 33 M for 1,000-row batches).
        boost::system::error_code ignored;
        socket.set_option(asio::ip::tcp::no_delay(true), ignored);
        auto ex = socket.get_executor();
        asio::co_spawn(ex, session(impl, std::move(socket), kind), asio::detached);
    }
}

}  // namespace

void start_accepting(Server::Impl& impl) {
    asio::co_spawn(*impl.ioc, accept_loop(impl, *impl.http_acceptor, Listener::http),
                   asio::detached);
    if (impl.ilp_acceptor) {
        asio::co_spawn(*impl.ioc, accept_loop(impl, *impl.ilp_acceptor, Listener::ilp_tcp),
                       asio::detached);
    }
}

}  // namespace questdb::test_server::detail
