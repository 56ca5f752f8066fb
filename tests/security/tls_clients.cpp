#include "security/tls_clients.hpp"

#include <array>
#include <chrono>

#include "questdb/db.hpp"
#include "questdb/egress/reader.hpp"
#include "questdb/ingress/chunk.hpp"
#include "questdb/ingress/sender.hpp"
#include "questdb/ingress/timestamp.hpp"

namespace questdb::test::security {

namespace ts = questdb::test_server;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t kStampNanos = 1'700'000'000'000'000'000;

std::size_t send_qwp(const std::string& conf) {
    auto db = QuestDb::connect(conf);
    {
        auto sender = db.borrow_column_sender();
        const std::array<std::int64_t, 1> values{1};
        const std::array<std::int64_t, 1> stamps{kStampNanos};
        ingress::Chunk chunk("probe");
        chunk.column_i64("v", values).designated_timestamp_nanos(stamps);
        sender.flush(chunk);
        sender.wait(ingress::AckLevel::ok, 10s);
    }
    db.close();
    return 1;
}

std::size_t read_qwp(const std::string& conf) {
    auto reader = egress::Reader::connect(conf);
    auto cursor = reader.execute(kProbeQuery);
    std::size_t rows = 0;
    while (auto batch = cursor.next_batch()) {
        rows += batch->row_count();
    }
    return rows;
}

std::size_t send_ilp(const std::string& conf) {
    auto sender = ingress::Sender::from_conf(conf);
    auto buffer = sender.new_buffer();
    buffer.table("probe").column_i64("v", 1).at(ingress::TimestampNanos(kStampNanos));
    sender.flush(buffer);
    return 1;
}

}  // namespace

std::string_view name_of(Client client) {
    switch (client) {
        case Client::qwp_sender:
            return "qwp_sender";
        case Client::qwp_reader:
            return "qwp_reader";
        case Client::ilp_https:
            return "ilp_https";
        case Client::ilp_tcps:
            return "ilp_tcps";
    }
    return "?";
}

std::unique_ptr<ts::Server> start_tls_server(const PemPair& leaf, ts::Options options) {
    options.tls_cert_chain_pem = leaf.cert_pem;
    options.tls_private_key_pem = leaf.key_pem;
    if (!options.ilp_tcp_port) {
        options.ilp_tcp_port = 0;
    }
    auto server = std::make_unique<ts::Server>(options);
    ts::QueryResponse answer;
    answer.result.columns = {{"answer", ts::ColumnType::long_}};
    answer.result.rows = {{ts::Value(std::int64_t{42})}};
    server->register_query(std::string(kProbeQuery), answer);
    server->start();
    return server;
}

std::string conf_for(Client client, const ts::Server& server, std::string_view host,
                     std::string_view extra) {
    std::string scheme;
    std::uint16_t port = server.port();
    switch (client) {
        case Client::qwp_sender:
        case Client::qwp_reader:
            scheme = "wss";
            break;
        case Client::ilp_https:
            scheme = "https";
            break;
        case Client::ilp_tcps:
            scheme = "tcps";
            port = server.ilp_tcp_port();
            break;
    }
    return scheme + "::addr=" + std::string(host) + ":" + std::to_string(port) + ";" +
           std::string(extra);
}

std::size_t round_trip(Client client, const std::string& conf) {
    switch (client) {
        case Client::qwp_sender:
            return send_qwp(conf);
        case Client::qwp_reader:
            return read_qwp(conf);
        case Client::ilp_https:
        case Client::ilp_tcps:
            return send_ilp(conf);
    }
    return 0;
}

bool received_anything(const ts::Server& server) {
    return server.ingress_frames() != 0 || server.ilp_http_requests() != 0 ||
           server.ilp_tcp_connections() != 0 || !server.egress_client_frames().empty() ||
           !server.table_names().empty() || server.ingress_connections() != 0 ||
           server.egress_connections() != 0;
}

}  // namespace questdb::test::security
