#pragma once

// The four TLS-speaking clients of the library, each driven through one small round trip
// against the in-tree test server, so a test can be written once and run for all of them:
// the QWP/WebSocket column sender (wss, through the QuestDb pool), the QWP query reader
// (wss), the ILP/HTTP sender (https) and the ILP/TCP sender (tcps).

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "questdb/test_server/server.hpp"
#include "support/tls_certs.hpp"

namespace questdb::test::security {

enum class Client { qwp_sender, qwp_reader, ilp_https, ilp_tcps };

/// Name for parameterised test names ("qwp_sender", ...).
std::string_view name_of(Client client);
inline std::ostream& operator<<(std::ostream& out, Client client) {
    return out << name_of(client);
}

/// The SQL text the reader round trip asks for; the server answers it with one row.
inline constexpr std::string_view kProbeQuery = "select 42 as answer";

/// A test server on 127.0.0.1 whose every endpoint (HTTP/WebSocket and ILP/TCP) speaks TLS
/// with `leaf`; it answers kProbeQuery.
std::unique_ptr<questdb::test_server::Server> start_tls_server(
    const PemPair& leaf, questdb::test_server::Options options = {});

/// The connect string of `client` for `server` with the address host `host`
/// (`wss::addr=host:port;` ...), followed by `extra` (e.g. "tls_roots=/x.pem;").
std::string conf_for(Client client, const questdb::test_server::Server& server,
                     std::string_view host, std::string_view extra);

/// Connects with `conf` and makes one round trip: one row ("probe", column v = 1) written
/// and acknowledged (senders), or kProbeQuery read back (reader). Throws whatever the
/// library throws; returns the number of rows written or read (1).
std::size_t round_trip(Client client, const std::string& conf);

/// Whether `server` saw any application data from a client: ingested frames or ILP
/// requests or rows, egress requests, or an authenticated ILP/TCP connection.
bool received_anything(const questdb::test_server::Server& server);

}  // namespace questdb::test::security
