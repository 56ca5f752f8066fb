#include "egress/failover.hpp"

#include <algorithm>
#include <cctype>

namespace questdb::egress {

bool role_matches(TargetRole target, ServerRole role) noexcept {
    switch (target) {
        case TargetRole::any:
            return true;
        case TargetRole::primary:
            return role == ServerRole::primary || role == ServerRole::primary_catchup ||
                   role == ServerRole::standalone;
        case TargetRole::replica:
            return role == ServerRole::replica;
    }
    return false;
}

bool zone_matches(std::string_view wanted, const std::optional<std::string>& zone) noexcept {
    if (!zone || zone->size() != wanted.size()) {
        return false;
    }
    for (std::size_t i = 0; i < wanted.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(wanted[i])) !=
            std::tolower(static_cast<unsigned char>((*zone)[i]))) {
            return false;
        }
    }
    return true;
}

bool is_read_only_sql(std::string_view sql) noexcept {
    std::size_t i = 0;
    while (i < sql.size()) {
        const char c = sql[i];
        if (std::isspace(static_cast<unsigned char>(c)) || c == '(') {
            ++i;
        } else if (sql.substr(i, 2) == "--") {
            const auto nl = sql.find('\n', i);
            i = nl == std::string_view::npos ? sql.size() : nl + 1;
        } else if (sql.substr(i, 2) == "/*") {
            const auto end = sql.find("*/", i + 2);
            i = end == std::string_view::npos ? sql.size() : end + 2;
        } else {
            break;
        }
    }
    std::size_t j = i;
    while (j < sql.size() && std::isalpha(static_cast<unsigned char>(sql[j]))) {
        ++j;
    }
    std::string word(sql.substr(i, j - i));
    std::transform(word.begin(), word.end(), word.begin(),
                   [](unsigned char ch) { return std::tolower(ch); });
    return word == "select" || word == "with" || word == "show" || word == "explain" ||
           word == "values";
}

bool is_failover_trigger(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::socket_error:
        case ErrorCode::connect_timeout:
        case ErrorCode::could_not_resolve_addr:
        case ErrorCode::tls_error:
        case ErrorCode::handshake_error:
        case ErrorCode::protocol_error:
        case ErrorCode::unsupported_server:
        case ErrorCode::protocol_version_error:
        case ErrorCode::role_mismatch:
            return true;
        default:
            return false;
    }
}

FailoverBudget::FailoverBudget(const FailoverSettings& settings, Clock::time_point start,
                               std::uint64_t seed)
    : settings_(settings), start_(start), rng_(seed) {}

std::optional<std::chrono::milliseconds> FailoverBudget::next_delay(Clock::time_point now) {
    using std::chrono::milliseconds;
    if (attempts_ >= settings_.max_attempts) {
        return std::nullopt;
    }
    milliseconds remaining = milliseconds::max();
    if (settings_.max_duration.count() > 0) {
        const auto elapsed = std::chrono::duration_cast<milliseconds>(now - start_);
        if (elapsed >= settings_.max_duration) {
            return std::nullopt;
        }
        remaining = settings_.max_duration - elapsed;
    }
    // attempts_ retries so far k = attempts_ (1-based for the first retry).
    const unsigned shift = std::min<std::uint32_t>(attempts_ - 1, 30);
    const auto cap = std::min<std::int64_t>(settings_.backoff_initial.count() << shift,
                                            settings_.backoff_max.count());
    std::int64_t delay = 0;
    if (cap > 0) {
        delay = static_cast<std::int64_t>(rng_() % static_cast<std::uint64_t>(cap));
    }
    return std::min(milliseconds(delay), remaining);
}

}  // namespace questdb::egress
