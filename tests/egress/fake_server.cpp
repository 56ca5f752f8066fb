#include "fake_server.hpp"

#include <algorithm>

#include "egress/messages.hpp"
#include "egress/wire_format.hpp"

namespace questdb::egress::test {

FakeConnection::FakeConnection(FakeEndpoint& ep, std::size_t i) : endpoint(ep), index(i) {}

bool FakeConnection::zstd_negotiated() const noexcept {
    return endpoint.zstd;
}

void FakeConnection::pump() {
    auto& ep = endpoint;
    const std::size_t total = ep.columns.empty() ? 0 : ep.columns.front().row_count();
    while (active && !broken) {
        if (bounded && budget <= 0) {
            return;  // paused until CREDIT makes the budget positive
        }
        if (seq > 0 && next_row >= total) {
            Frame f;
            server::encode_result_end(request_id, seq - 1, total, f);
            push(std::move(f));
            active = false;
            return;
        }
        if (batches_sent >= ep.drop_after_batches) {
            broken = true;
            return;
        }
        const std::size_t n = std::min(ep.batch_rows, total - next_row);
        Frame f;
        if (!encoder.encode_batch(request_id, seq, ep.columns, next_row, n, ep.batch_options, f)
                 .ok()) {
            ep.violations.push_back("writer failed");
            return;
        }
        budget -= static_cast<std::int64_t>(f.size());
        push(std::move(f));
        next_row += n;
        ++seq;
        ++batches_sent;
        if (n == 0) {
            next_row = total;  // empty result: seq 0 with the schema only
        }
        std::int64_t outstanding = 0;
        for (const auto& fr : inbox) {
            outstanding += static_cast<std::int64_t>(fr.size());
        }
        ep.peak_outstanding = std::max(ep.peak_outstanding, outstanding);
    }
}

detail::Status FakeConnection::send(std::span<const std::uint8_t> frame) {
    if (closed) {
        return detail::fail(ErrorCode::socket_error, "fake connection is closed");
    }
    auto& ep = endpoint;
    if (broken) {
        return {};  // a dead peer: the bytes vanish; the break shows on receive
    }
    ep.raw_client_frames.emplace_back(frame.begin(), frame.end());
    if (frame.empty() || (frame[0] != 0x10 && frame[0] != 0x14 && frame[0] != 0x15)) {
        ep.violations.push_back("client frame does not start with a client msg_kind");
    }
    auto msg = server::decode_client_message(frame, ep.info.has_query_flags());
    if (!msg) {
        ep.violations.push_back("undecodable client frame: " + msg.failure().message);
        return {};
    }
    if (auto* q = std::get_if<server::QueryRequestMsg>(&msg.value())) {
        ep.queries.push_back(*q);
        if (active) {
            ep.violations.push_back("second QUERY_REQUEST while one is in flight");
        }
        if (q->request_id < 0) {
            ep.violations.push_back("negative request_id");
        }
        if (ep.on_query && ep.on_query(*this, *q)) {
            return {};
        }
        active = true;
        request_id = q->request_id;
        bounded = q->initial_credit > 0;
        budget = static_cast<std::int64_t>(q->initial_credit);
        next_row = 0;
        seq = 0;
        pump();
    } else if (auto* c = std::get_if<server::CancelMsg>(&msg.value())) {
        ep.cancels.push_back(*c);
        if (active && c->request_id == request_id && !ep.ignore_cancel) {
            if (ep.cancel_needs_credit && bounded && budget <= 0) {
                cancel_pending = true;
            } else {
                answer_cancel();
            }
        }
    } else if (auto* cr = std::get_if<server::CreditMsg>(&msg.value())) {
        ep.credits.push_back(*cr);
        if (!active && cr->request_id == request_id) {
            // the terminator is already on its way: a race the client cannot avoid; ignored
        } else if (!active || cr->request_id != request_id) {
            ep.violations.push_back("CREDIT for an inactive request " +
                                    std::to_string(cr->request_id));
        } else if (!bounded) {
            ep.violations.push_back("CREDIT for an unbounded query");
        } else if (cr->additional_bytes == 0) {
            ep.violations.push_back("CREDIT of 0 bytes");
        } else {
            budget += static_cast<std::int64_t>(cr->additional_bytes);
            if (cancel_pending) {
                answer_cancel();
            } else {
                pump();
            }
        }
    }
    return {};
}

void FakeConnection::answer_cancel() {
    Frame f;
    server::encode_query_error(request_id, wire::kStatusCancelled, "cancelled by user", f);
    push(std::move(f));
    active = false;
    cancel_pending = false;
}

detail::Result<std::span<const std::uint8_t>> FakeConnection::receive(std::chrono::milliseconds) {
    if (closed) {
        return detail::fail(ErrorCode::socket_error, "fake connection is closed");
    }
    if (inbox.empty()) {
        if (silent) {
            return detail::fail(ErrorCode::socket_error, "read timed out");
        }
        if (!broken) {
            endpoint.violations.push_back(
                "client waits for a frame that will never come (deadlock)");
        }
        closed = true;
        return detail::fail(ErrorCode::socket_error, "connection reset by peer (fake)");
    }
    current = std::move(inbox.front());
    inbox.pop_front();
    return std::span<const std::uint8_t>(current);
}

ConnectResult FakeConnector::connect(std::size_t i) {
    auto& ep = *endpoints_[i];
    visit_order.push_back(i);
    ++ep.connects;
    ConnectResult r;
    r.verdict = ep.verdict;
    if (ep.verdict != ConnectResult::Verdict::connected) {
        r.failure = detail::fail(ep.fail_code, ep.name + ": refused (fake)");
        return r;
    }
    auto conn = std::make_unique<FakeConnection>(ep, i);
    if (!ep.first_frames.empty()) {
        for (auto& f : ep.first_frames) {
            conn->push(f);
        }
    } else if (ep.send_server_info) {
        Frame f;
        server::encode_server_info(ep.info, f);
        conn->push(std::move(f));
    } else {
        conn->silent = true;
    }
    last = conn.get();
    r.transport = std::move(conn);
    return r;
}

std::vector<server::ResultColumn> id_sym_columns(std::size_t rows, std::size_t symbols) {
    std::vector<server::ResultColumn> cols;
    cols.emplace_back("id", ColumnKind::long_);
    cols.emplace_back("sym", ColumnKind::symbol);
    for (std::size_t r = 0; r < rows; ++r) {
        cols[0].append_i64(static_cast<std::int64_t>(r));
        cols[1].append_bytes("s" + std::to_string(r % symbols));
    }
    return cols;
}

FakeReader::FakeReader(std::size_t n, ReaderSettings settings) {
    for (std::size_t i = 0; i < n; ++i) {
        auto ep = std::make_shared<FakeEndpoint>();
        ep->name = "ep" + std::to_string(i) + ":9000";
        ep->info.node_id = "node" + std::to_string(i);
        ep->columns = id_sym_columns(250);
        endpoints.push_back(ep);
    }
    auto conn = std::make_unique<FakeConnector>(endpoints);
    connector = conn.get();
    ReaderHooks hooks;
    hooks.now = [this] { return clock; };
    hooks.sleep = [this](std::chrono::milliseconds d) {
        sleeps.push_back(d);
        clock += d;
    };
    core = std::make_shared<ReaderCore>(std::move(conn), std::move(settings), std::move(hooks));
}

}  // namespace questdb::egress::test
