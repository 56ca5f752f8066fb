#include "ws/upgrade.hpp"

#include <boost/beast/core/detail/base64.hpp>
#include <cctype>

namespace questdb::ws {

namespace {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

std::string base64(std::string_view raw) {
    namespace b64 = boost::beast::detail::base64;
    std::string out(b64::encoded_size(raw.size()), '\0');
    out.resize(b64::encode(out.data(), raw.data(), raw.size()));
    return out;
}

/// A server-supplied body, made safe to quote in one line of an error message.
std::string printable_excerpt(std::string_view body) {
    std::string out;
    for (const char c : body.substr(0, 200)) {
        const auto u = static_cast<unsigned char>(c);
        out.push_back(u >= 0x20 && u < 0x7f ? c : ' ');
    }
    while (!out.empty() && out.back() == ' ') {
        out.pop_back();
    }
    return out;
}

std::string status_text(const UpgradeResponse& response) {
    std::string text = "HTTP " + std::to_string(response.status);
    if (!response.reason.empty()) {
        text += " " + response.reason;
    }
    const auto excerpt = printable_excerpt(response.body);
    if (!excerpt.empty()) {
        text += ": " + excerpt;
    }
    return text;
}

}  // namespace

std::string Endpoint::to_string() const {
    const bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Credentials Credentials::basic(std::string username, std::string password) {
    Credentials c;
    c.kind = Kind::basic;
    c.username = std::move(username);
    c.password = std::move(password);
    return c;
}

Credentials Credentials::bearer(std::string token) {
    Credentials c;
    c.kind = Kind::bearer;
    c.token = std::move(token);
    return c;
}

std::string authorization_value(const Credentials& credentials) {
    switch (credentials.kind) {
        case Credentials::Kind::none:
            return {};
        case Credentials::Kind::basic:
            return "Basic " + base64(credentials.username + ":" + credentials.password);
        case Credentials::Kind::bearer:
            return "Bearer " + credentials.token;
    }
    return {};
}

std::optional<std::string_view> UpgradeResponse::header(std::string_view name) const {
    for (const auto& h : headers) {
        if (iequals(h.name, name)) {
            return std::string_view(h.value);
        }
    }
    return std::nullopt;
}

bool ConnectOutcome::role_reject_is_transient() const noexcept {
    return verdict == Verdict::role_reject && iequals(role, "PRIMARY_CATCHUP");
}

detail::Status ConnectOutcome::status() const {
    if (ok()) {
        return {};
    }
    return failure;
}

ConnectOutcome ConnectOutcome::make(Verdict verdict, ErrorCode code, std::string message) {
    ConnectOutcome outcome;
    outcome.verdict = verdict;
    outcome.failure = detail::fail(code, std::move(message));
    return outcome;
}

ConnectOutcome classify_rejected_upgrade(const UpgradeResponse& response, const Endpoint& endpoint,
                                         std::string_view path) {
    const std::string where = endpoint.to_string();
    ConnectOutcome outcome;
    if (response.status == 401 || response.status == 403) {
        outcome = ConnectOutcome::make(
            Verdict::terminal, ErrorCode::auth_error,
            "authentication rejected by " + where + " (" + status_text(response) + ")");
    } else if (const auto role = response.header("X-QuestDB-Role");
               response.status == 421 && role && !role->empty()) {
        outcome.verdict = Verdict::role_reject;
        outcome.role = std::string(*role);
        outcome.zone = std::string(response.header("X-QuestDB-Zone").value_or(""));
        std::string message = where + " rejected the connection for its role " + outcome.role;
        if (!outcome.zone.empty()) {
            message += " (zone " + outcome.zone + ")";
        }
        message += " (HTTP 421)";
        outcome.failure = detail::fail(ErrorCode::role_mismatch, std::move(message));
    } else {
        outcome = ConnectOutcome::make(Verdict::transient, ErrorCode::handshake_error,
                                       "WebSocket upgrade to " + where + std::string(path) +
                                           " was refused with " + status_text(response));
    }
    outcome.http_status = response.status;
    return outcome;
}

}  // namespace questdb::ws
