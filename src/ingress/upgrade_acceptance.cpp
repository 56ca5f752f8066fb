#include "ingress/upgrade_acceptance.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>

namespace questdb::ingress {
namespace {

bool iequals(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    });
}

std::optional<std::size_t> parse_size(std::string_view text) {
    if (text.empty()) {
        return std::nullopt;
    }
    std::size_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9' || value > (SIZE_MAX - 9) / 10) {
            return std::nullopt;
        }
        value = value * 10 + static_cast<std::size_t>(c - '0');
    }
    return value;
}

}  // namespace

ws::ConnectOutcome validate_ingress_upgrade(const ws::UpgradeResponse& response, bool durable) {
    const auto version = response.header("X-QWP-Version");
    if (!version || *version != "1") {
        return ws::ConnectOutcome::make(
            ws::Verdict::transient, ErrorCode::protocol_version_error,
            version ? "server selected QWP version " + std::string(*version) +
                          ", this client supports version 1"
                    : std::string("server sent no X-QWP-Version header"));
    }
    if (durable) {
        const auto ack = response.header("X-QWP-Durable-Ack");
        if (!ack || !iequals(*ack, "enabled")) {
            return ws::ConnectOutcome::make(
                ws::Verdict::terminal, ErrorCode::server_rejection,
                "request_durable_ack=on, but the server did not confirm durable acks "
                "(no 'X-QWP-Durable-Ack: enabled' in the upgrade response)");
        }
    }
    return ws::ConnectOutcome::success();
}

std::size_t advertised_frame_cap(const ws::UpgradeResponse& response, std::size_t fallback) {
    const auto header = response.header("X-QWP-Max-Batch-Size");
    if (!header) {
        return fallback;
    }
    const auto value = parse_size(*header);
    return value && *value > 0 ? *value : fallback;
}

}  // namespace questdb::ingress
