#pragma once

// The production EgressConnector: ws::BlockingConnection to GET /read/v1 with the egress
// upgrade headers (A3-A6), the version/encoding checks of the 101 (A8, A9, Z19) and the
// settings taken from a parsed connect string.

#include <memory>
#include <string>
#include <vector>

#include "egress/reader_core.hpp"
#include "egress/transport.hpp"
#include "questdb/conf.hpp"
#include "questdb/egress/reader.hpp"

namespace questdb::egress {

/// The upgrade headers for the egress endpoint, in send order.
struct EgressUpgradeRequest {
    std::string client_id;
    conf::Compression compression = conf::Compression::raw;
    int compression_level = 1;
    std::optional<std::uint32_t> max_batch_rows;
};
/// (name, value) pairs: X-QWP-Max-Version, X-QWP-Client-Id, [X-QWP-Accept-Encoding],
/// [X-QWP-Max-Batch-Rows].
std::vector<std::pair<std::string, std::string>> egress_upgrade_headers(
    const EgressUpgradeRequest& request);

/// Checks X-QWP-Version (present, 1..1) and X-QWP-Content-Encoding (absent/raw/identity, or
/// zstd only when offered). Sets `zstd` on success.
detail::Status check_egress_upgrade(std::optional<std::string_view> version,
                                    std::optional<std::string_view> content_encoding,
                                    bool zstd_offered, bool& zstd);

/// Reader settings from a connect string plus the embedding options.
ReaderSettings reader_settings_from(const conf::Config& config, const ReaderOptions& options);

/// A connector for the endpoints of `config` (ws or wss).
std::unique_ptr<EgressConnector> make_ws_connector(const conf::Config& config);

}  // namespace questdb::egress
