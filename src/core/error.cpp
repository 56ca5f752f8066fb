#include "questdb/error.hpp"

#include <array>
#include <string>

namespace questdb {
namespace {

struct CodeInfo {
    ErrorCode code;
    std::string_view name;
    std::string_view description;
};

constexpr std::array kCodes{
    CodeInfo{ErrorCode::could_not_resolve_addr, "could_not_resolve_addr", "could not resolve address"},
    CodeInfo{ErrorCode::invalid_api_call, "invalid_api_call", "invalid API call"},
    CodeInfo{ErrorCode::socket_error, "socket_error", "socket error"},
    CodeInfo{ErrorCode::connect_timeout, "connect_timeout", "connect timed out"},
    CodeInfo{ErrorCode::invalid_utf8, "invalid_utf8", "invalid UTF-8"},
    CodeInfo{ErrorCode::invalid_name, "invalid_name", "invalid table or column name"},
    CodeInfo{ErrorCode::invalid_timestamp, "invalid_timestamp", "invalid timestamp"},
    CodeInfo{ErrorCode::auth_error, "auth_error", "authentication failed"},
    CodeInfo{ErrorCode::tls_error, "tls_error", "TLS error"},
    CodeInfo{ErrorCode::http_not_supported, "http_not_supported", "HTTP not supported"},
    CodeInfo{ErrorCode::server_flush_error, "server_flush_error", "server rejected flushed data"},
    CodeInfo{ErrorCode::config_error, "config_error", "configuration error"},
    CodeInfo{ErrorCode::array_error, "array_error", "array error"},
    CodeInfo{ErrorCode::protocol_version_error, "protocol_version_error", "protocol version error"},
    CodeInfo{ErrorCode::invalid_decimal, "invalid_decimal", "invalid decimal"},
    CodeInfo{ErrorCode::server_rejection, "server_rejection", "server rejection"},
    CodeInfo{ErrorCode::arrow_unsupported_column_kind, "arrow_unsupported_column_kind",
             "unsupported Arrow column kind"},
    CodeInfo{ErrorCode::arrow_ingest, "arrow_ingest", "invalid Arrow batch"},
    CodeInfo{ErrorCode::failover_retry, "failover_retry", "no progress before the deadline"},
    CodeInfo{ErrorCode::role_mismatch, "role_mismatch", "no endpoint with the requested role"},
    CodeInfo{ErrorCode::handshake_error, "handshake_error", "handshake failed"},
    CodeInfo{ErrorCode::unsupported_server, "unsupported_server", "unsupported server"},
    CodeInfo{ErrorCode::protocol_error, "protocol_error", "protocol error"},
    CodeInfo{ErrorCode::invalid_bind, "invalid_bind", "invalid bind parameter"},
    CodeInfo{ErrorCode::server_schema_mismatch, "server_schema_mismatch", "schema mismatch"},
    CodeInfo{ErrorCode::server_parse_error, "server_parse_error", "server parse error"},
    CodeInfo{ErrorCode::server_internal_error, "server_internal_error", "server internal error"},
    CodeInfo{ErrorCode::server_security_error, "server_security_error", "server security error"},
    CodeInfo{ErrorCode::limit_exceeded, "limit_exceeded", "client limit exceeded"},
    CodeInfo{ErrorCode::server_limit_exceeded, "server_limit_exceeded", "server limit exceeded"},
    CodeInfo{ErrorCode::cancelled, "cancelled", "cancelled"},
    CodeInfo{ErrorCode::failover_would_duplicate, "failover_would_duplicate",
             "failover would duplicate rows"},
    CodeInfo{ErrorCode::schema_drift, "schema_drift", "schema changed mid-stream"},
    CodeInfo{ErrorCode::no_schema, "no_schema", "no schema"},
    CodeInfo{ErrorCode::arrow_export, "arrow_export", "Arrow export failed"},
    CodeInfo{ErrorCode::batch_too_large, "batch_too_large", "batch too large"},
    CodeInfo{ErrorCode::store_resend_required, "store_resend_required",
             "store-and-forward data must be re-sent"},
    CodeInfo{ErrorCode::symbol_dict_full, "symbol_dict_full", "symbol dictionary full"},
    CodeInfo{ErrorCode::query_error, "query_error", "query error"},
    CodeInfo{ErrorCode::pool_exhausted, "pool_exhausted", "pool exhausted"},
    CodeInfo{ErrorCode::backpressure_timeout, "backpressure_timeout",
             "store-and-forward queue full past its deadline"},
    CodeInfo{ErrorCode::store_error, "store_error", "store-and-forward file error"},
    CodeInfo{ErrorCode::store_slot_in_use, "store_slot_in_use", "store-and-forward slot in use"},
    CodeInfo{ErrorCode::server_write_error, "server_write_error", "server write error"},
};

const CodeInfo* find(int value) noexcept {
    for (const auto& info : kCodes) {
        if (static_cast<int>(info.code) == value) {
            return &info;
        }
    }
    return nullptr;
}

class CodeCategory final : public std::error_category {
public:
    const char* name() const noexcept override { return "questdb"; }
    std::string message(int value) const override {
        const auto* info = find(value);
        return info ? std::string(info->description) : "unknown questdb error";
    }
    bool equivalent(int value, const std::error_condition& cond) const noexcept override {
        if (cond.category() == error_condition_category()) {
            return is_in_condition(static_cast<ErrorCode>(value),
                                   static_cast<ErrorCondition>(cond.value()));
        }
        return default_error_condition(value) == cond;
    }
};

class ConditionCategory final : public std::error_category {
public:
    const char* name() const noexcept override { return "questdb.condition"; }
    std::string message(int value) const override {
        switch (static_cast<ErrorCondition>(value)) {
            case ErrorCondition::retryable: return "retryable";
            case ErrorCondition::invalid_input: return "invalid input";
            case ErrorCondition::server_error: return "server error";
            case ErrorCondition::security: return "security";
        }
        return "unknown condition";
    }
};

}  // namespace

const std::error_category& error_category() noexcept {
    static const CodeCategory category;
    return category;
}

const std::error_category& error_condition_category() noexcept {
    static const ConditionCategory category;
    return category;
}

std::error_code make_error_code(ErrorCode code) noexcept {
    return {static_cast<int>(code), error_category()};
}

std::error_condition make_error_condition(ErrorCondition cond) noexcept {
    return {static_cast<int>(cond), error_condition_category()};
}

std::string_view to_string(ErrorCode code) noexcept {
    const auto* info = find(static_cast<int>(code));
    return info ? info->name : "unknown";
}

bool is_in_condition(ErrorCode code, ErrorCondition cond) noexcept {
    using C = ErrorCode;
    switch (cond) {
        case ErrorCondition::retryable:
            return code == C::socket_error || code == C::connect_timeout ||
                   code == C::could_not_resolve_addr || code == C::failover_retry ||
                   code == C::backpressure_timeout || code == C::server_internal_error ||
                   code == C::server_write_error || code == C::server_limit_exceeded ||
                   code == C::role_mismatch || code == C::pool_exhausted;
        case ErrorCondition::invalid_input:
            return code == C::invalid_api_call || code == C::invalid_utf8 ||
                   code == C::invalid_name || code == C::invalid_timestamp ||
                   code == C::config_error || code == C::array_error ||
                   code == C::invalid_decimal || code == C::invalid_bind ||
                   code == C::limit_exceeded || code == C::arrow_unsupported_column_kind ||
                   code == C::arrow_ingest || code == C::batch_too_large;
        case ErrorCondition::server_error:
            return code == C::server_flush_error || code == C::server_rejection ||
                   code == C::server_schema_mismatch || code == C::server_parse_error ||
                   code == C::server_internal_error || code == C::server_security_error ||
                   code == C::server_limit_exceeded || code == C::server_write_error ||
                   code == C::query_error || code == C::cancelled;
        case ErrorCondition::security:
            return code == C::auth_error || code == C::tls_error ||
                   code == C::server_security_error;
    }
    return false;
}

Error::Error(ErrorCode code, std::string message, bool in_doubt)
    : std::system_error(make_error_code(code)),
      code_(code),
      message_(std::move(message)),
      in_doubt_(in_doubt) {}

bool Error::retryable() const noexcept { return is_in_condition(code_, ErrorCondition::retryable); }

}  // namespace questdb
