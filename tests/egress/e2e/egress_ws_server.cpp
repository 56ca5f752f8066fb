#include "egress_ws_server.hpp"

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/beast/websocket.hpp>

#include "egress/wire_format.hpp"

namespace questdb::egress::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

struct EgressWsServer::Impl {
    EgressWsServer& owner;
    Handler handler;
    Options options;
    asio::io_context io;
    tcp::acceptor acceptor{io};
    std::thread accept_thread;
    std::mutex threads_mutex;
    std::vector<std::thread> sessions;
    std::atomic<bool> stopping{false};

    Impl(EgressWsServer& o, Handler h, Options opts)
        : owner(o), handler(std::move(h)), options(std::move(opts)) {}

    void violation(std::string what) {
        std::lock_guard lock(owner.mutex);
        owner.violations.push_back(std::move(what));
    }

    void serve(tcp::socket socket) {
        try {
            beast::flat_buffer buffer;
            http::request<http::string_body> req;
            http::read(socket, buffer, req);
            if (req.target() != "/read/v1") {
                http::response<http::string_body> res{http::status::not_found, req.version()};
                res.prepare_payload();
                http::write(socket, res);
                return;
            }
            const std::string accept(req["X-QWP-Accept-Encoding"]);
            const bool zstd = options.zstd && accept.find("zstd") != std::string::npos;
            if (req["X-QWP-Max-Version"] != "1") {
                violation("X-QWP-Max-Version is not 1");
            }
            websocket::stream<tcp::socket> ws(std::move(socket));
            ws.set_option(websocket::stream_base::decorator([zstd](websocket::response_type& res) {
                res.set("X-QWP-Version", "1");
                if (zstd) {
                    res.set("X-QWP-Content-Encoding", "zstd;level=3");
                }
            }));
            ws.read_message_max(4u << 20);
            ws.binary(true);
            ws.accept(req);
            ++owner.connections;
            std::vector<std::uint8_t> frame;
            server::encode_server_info(options.info, frame);
            ws.write(asio::buffer(frame));
            run(ws, zstd);
        } catch (const std::exception&) {
            // client went away
        }
    }

    bool read_client(websocket::stream<tcp::socket>& ws, server::ClientMessage& msg) {
        beast::flat_buffer in;
        beast::error_code ec;
        ws.read(in, ec);
        if (ec) {
            return false;
        }
        const auto data = in.cdata();
        std::span<const std::uint8_t> bytes(static_cast<const std::uint8_t*>(data.data()),
                                            data.size());
        if (bytes.empty() || (bytes[0] != 0x10 && bytes[0] != 0x14 && bytes[0] != 0x15)) {
            violation("client frame does not start with a client msg_kind");
        }
        auto decoded = server::decode_client_message(bytes, options.info.has_query_flags());
        if (!decoded) {
            violation("undecodable client frame: " + decoded.failure().message);
            return false;
        }
        msg = std::move(decoded.value());
        return true;
    }

    void run(websocket::stream<tcp::socket>& ws, bool zstd) {
        server::ResultEncoder encoder;
        server::ClientMessage msg;
        std::int64_t last_request = -1;
        while (read_client(ws, msg)) {
            auto* q = std::get_if<server::QueryRequestMsg>(&msg);
            if (q == nullptr) {
                if (std::holds_alternative<server::CancelMsg>(msg)) {
                    ++owner.cancels;  // late cancel: silently dropped (F4)
                } else if (std::get<server::CreditMsg>(msg).request_id != last_request) {
                    // A CREDIT for the query just ended is a race the client cannot avoid
                    // (e.g. the 1-byte nudge after CANCEL); any other is a client bug.
                    violation("CREDIT outside a query");
                }
                continue;
            }
            ++owner.queries;
            last_request = q->request_id;
            if (!answer(ws, encoder, *q, zstd)) {
                return;
            }
        }
    }

    // Returns false when the connection must end.
    bool answer(websocket::stream<tcp::socket>& ws, server::ResultEncoder& encoder,
                const server::QueryRequestMsg& q, bool zstd) {
        FakeAnswer a = handler(q);
        std::vector<std::uint8_t> frame;
        if (a.kind == FakeAnswer::Kind::error) {
            server::encode_query_error(q.request_id, a.status, a.message, frame);
            ws.write(asio::buffer(frame));
            return true;
        }
        if (a.kind == FakeAnswer::Kind::exec_done) {
            server::encode_exec_done(q.request_id, a.op_type, a.rows_affected, frame);
            ws.write(asio::buffer(frame));
            return true;
        }
        const bool bounded = q.initial_credit > 0;
        std::int64_t budget = static_cast<std::int64_t>(q.initial_credit);
        std::int64_t outstanding = 0;
        std::size_t next = 0;
        std::uint64_t seq = 0;
        server::BatchEncodeOptions opts;
        opts.zstd = zstd;
        auto cols = a.make_columns();
        while (seq == 0 || next < a.total_rows) {
            while (bounded && budget <= 0) {  // paused: wait for CREDIT or CANCEL
                server::ClientMessage m;
                if (!read_client(ws, m)) {
                    return false;
                }
                if (auto* c = std::get_if<server::CreditMsg>(&m)) {
                    ++owner.credits;
                    if (c->request_id != q.request_id || c->additional_bytes == 0) {
                        violation("bad CREDIT");
                    }
                    budget += static_cast<std::int64_t>(c->additional_bytes);
                    outstanding -= static_cast<std::int64_t>(c->additional_bytes);
                } else if (std::holds_alternative<server::CancelMsg>(m)) {
                    ++owner.cancels;
                    server::encode_query_error(q.request_id, wire::kStatusCancelled, "cancelled",
                                               frame);
                    ws.write(asio::buffer(frame));
                    return true;
                } else {
                    violation("QUERY_REQUEST while a query is in flight");
                    return false;
                }
            }
            if (seq >= a.drop_after_batches) {
                beast::get_lowest_layer(ws).close();  // abrupt TCP drop mid-query
                return false;
            }
            const std::size_t n = std::min(a.batch_rows, a.total_rows - next);
            a.fill(next, n, cols);
            if (!encoder.encode_batch(q.request_id, seq, cols, 0, n, opts, frame).ok()) {
                violation("writer failed");
                return false;
            }
            if ((frame[5] & wire::kFlagZstd) != 0) {
                owner.saw_zstd_batch = true;
            }
            ws.write(asio::buffer(frame));
            budget -= static_cast<std::int64_t>(frame.size());
            outstanding += static_cast<std::int64_t>(frame.size());
            if (bounded) {
                std::int64_t peak = owner.peak_outstanding.load();
                while (outstanding > peak &&
                       !owner.peak_outstanding.compare_exchange_weak(peak, outstanding)) {
                }
            }
            next += n;
            ++seq;
        }
        server::encode_result_end(q.request_id, seq - 1, a.total_rows, frame);
        ws.write(asio::buffer(frame));
        // Credits sent after the client released the last batches may still arrive; they are
        // read (and ignored) by run() as out-of-query CREDITs, which is a race, not a fault.
        return drain_late_credits(ws, q.request_id);
    }

    bool drain_late_credits(websocket::stream<tcp::socket>&, std::int64_t) { return true; }
};

EgressWsServer::EgressWsServer(Handler handler, Options options)
    : impl_(std::make_unique<Impl>(*this, std::move(handler), std::move(options))) {
    auto& acc = impl_->acceptor;
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    acc.open(ep.protocol());
    acc.set_option(asio::socket_base::reuse_address(true));
    acc.bind(ep);
    acc.listen();
    port_ = acc.local_endpoint().port();
    impl_->accept_thread = std::thread([impl = impl_.get()] {
        while (!impl->stopping) {
            beast::error_code ec;
            tcp::socket socket(impl->io);
            impl->acceptor.accept(socket, ec);
            if (ec || impl->stopping) {
                return;
            }
            std::lock_guard lock(impl->threads_mutex);
            impl->sessions.emplace_back(
                [impl, s = std::move(socket)]() mutable { impl->serve(std::move(s)); });
        }
    });
}

EgressWsServer::~EgressWsServer() {
    impl_->stopping = true;
    beast::error_code ec;
    // Wake the blocking accept() with a connection, and close the acceptor only after the
    // accept thread is gone: an Asio socket must not be closed by one thread while another
    // is inside accept() on it (ThreadSanitizer reported that race).
    try {
        asio::io_context io;
        tcp::socket s(io);
        s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
    } catch (...) {
    }
    impl_->accept_thread.join();
    impl_->acceptor.close(ec);
    std::lock_guard lock(impl_->threads_mutex);
    for (auto& t : impl_->sessions) {
        t.join();
    }
}

std::string EgressWsServer::conf(const std::string& extra) const {
    return "ws::addr=127.0.0.1:" + std::to_string(port_) + ";" + extra;
}

}  // namespace questdb::egress::test
