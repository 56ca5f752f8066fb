#pragma once

/// @file
/// The error model: every failure the library reports to a caller is a questdb::Error
/// carrying an ErrorCode, a message naming the offending table/column/key, and whether
/// the data of the failed call is "in doubt" (it may or may not have reached the server).

#include <string>
#include <string_view>
#include <system_error>

#include "questdb/export.hpp"

namespace questdb {

/// What went wrong. The values are stable; new codes are only ever appended.
///
/// The enum covers both directions (ingest and query) so that one handler serves a whole
/// QuestDb pool. The comment on each code says which calls raise it.
enum class ErrorCode : int {
    // ---- ingest and shared -------------------------------------------------------------
    /// Host name resolution failed (connect, first borrow, ILP sender creation).
    could_not_resolve_addr = 1,
    /// Methods called in the wrong order or on a closed/borrowed-elsewhere object,
    /// e.g. `Buffer::symbol` after a column, `flush` on a sender that must close.
    invalid_api_call,
    /// A network failure (refused, reset, closed). Transient: retrying can succeed.
    socket_error,
    /// The TCP connect exceeded `connect_timeout`.
    connect_timeout,
    /// A string, symbol or name was not valid UTF-8 (setters, binds).
    invalid_utf8,
    /// A table or column name breaks QuestDB's naming rules or `max_name_len` (setters).
    invalid_name,
    /// A timestamp is out of range or of the wrong unit (setters).
    invalid_timestamp,
    /// The server refused the credentials (401/403, ILP/TCP challenge). Terminal.
    auth_error,
    /// TLS handshake or certificate verification failed.
    tls_error,
    /// The server does not speak ILP over HTTP.
    http_not_supported,
    /// The server rejected flushed data (ILP/HTTP error body, QWP error frame).
    server_flush_error,
    /// A connect string or option is invalid: unknown/duplicate key, bad value,
    /// key not valid for the scheme. Raised by parsing, before any I/O.
    config_error,
    /// An array's shape, strides or data are inconsistent (setters).
    array_error,
    /// The server speaks no protocol version this client supports.
    protocol_version_error,
    /// A decimal value, scale or precision is invalid (setters, binds).
    invalid_decimal,
    /// A QWP/WebSocket server rejection or terminal protocol violation on ingest.
    server_rejection,
    /// An Arrow column type cannot be written to QuestDB.
    arrow_unsupported_column_kind,
    /// An Arrow batch failed structural validation before ingest.
    arrow_ingest,
    /// No acknowledgement progress within the deadline of `wait`/`flush`, or a
    /// reconnectable failure; the frames stay queued and may still be delivered.
    failover_retry,
    /// Every endpoint answered, but none had the role `target=` asks for.
    role_mismatch,

    // ---- query (egress) ----------------------------------------------------------------
    /// The HTTP upgrade or WebSocket handshake failed.
    handshake_error,
    /// The server offered an unsupported QWP version, encoding or capability.
    unsupported_server,
    /// The peer sent bytes that break the wire format (bad magic, truncation, bad varint,
    /// unknown type, dictionary miss). Also raised by the strict decoders.
    protocol_error,
    /// A bind parameter was rejected locally before anything was sent.
    invalid_bind,
    /// Server status SCHEMA_MISMATCH (0x03).
    server_schema_mismatch,
    /// Server status PARSE_ERROR (0x05).
    server_parse_error,
    /// Server status INTERNAL_ERROR (0x06).
    server_internal_error,
    /// Server status SECURITY_ERROR (0x08).
    server_security_error,
    /// A client-side limit was hit (SQL or frame too large, too many binds, caps).
    limit_exceeded,
    /// Server status LIMIT_EXCEEDED (0x0B).
    server_limit_exceeded,
    /// The query was cancelled (locally, or server status CANCELLED 0x0A).
    cancelled,
    /// Failover would replay rows already handed to the caller and no reset callback
    /// was installed.
    failover_would_duplicate,
    /// An Arrow stream saw a schema change mid-stream.
    schema_drift,
    /// An Arrow export was asked of a result that has no schema.
    no_schema,
    /// Exporting a batch to Arrow failed.
    arrow_export,
    /// A single encoded batch exceeds what the server accepts in one message.
    batch_too_large,
    /// The persisted symbol dictionary of a store-and-forward slot is unusable; the
    /// data must be re-sent from its source.
    store_resend_required,
    /// The symbol dictionary reached its capacity.
    symbol_dict_full,

    // ---- this library ------------------------------------------------------------------
    /// Server status QUERY_ERROR with a status code this client does not know.
    query_error,
    /// A pool has `pool_max` borrows out; borrowing more is refused.
    pool_exhausted,
    /// The store-and-forward queue stayed full past `sf_append_deadline_millis`;
    /// nothing was dropped, the call may be retried.
    backpressure_timeout,
    /// A store-and-forward file operation failed (disk full, permissions, corruption).
    store_error,
    /// A store-and-forward slot is locked by another sender or process.
    store_slot_in_use,
    /// Server status WRITE_ERROR (0x09); transient.
    server_write_error,
};

/// Broad classes of ErrorCode, for `error.code() == questdb::ErrorCondition::retryable`.
enum class ErrorCondition : int {
    /// Retrying the same call later can succeed (network, backpressure, transient server).
    retryable = 1,
    /// The caller's input was rejected locally; fix the input (names, values, config).
    invalid_input,
    /// The server answered with an error status.
    server_error,
    /// Authentication or TLS failed; retrying with the same settings will not help.
    security,
};

/// The error_category of ErrorCode. Its name is "questdb".
QUESTDB_API const std::error_category& error_category() noexcept;
/// The error_category of ErrorCondition. Its name is "questdb.condition".
QUESTDB_API const std::error_category& error_condition_category() noexcept;

/// Builds a std::error_code from an ErrorCode (found by ADL).
QUESTDB_API std::error_code make_error_code(ErrorCode code) noexcept;
/// Builds a std::error_condition from an ErrorCondition (found by ADL).
QUESTDB_API std::error_condition make_error_condition(ErrorCondition cond) noexcept;

/// The snake_case name of a code, e.g. "config_error". Never throws.
QUESTDB_API std::string_view to_string(ErrorCode code) noexcept;

/// Whether `code` belongs to `cond`.
QUESTDB_API bool is_in_condition(ErrorCode code, ErrorCondition cond) noexcept;

/// The one exception type the library throws.
///
/// `what()` is the message alone (it names the offending table, column or key and never
/// contains secrets). `code()` (inherited) compares equal to an ErrorCode and to an
/// ErrorCondition. Copyable; thread-compatible.
class QUESTDB_API Error : public std::system_error {
public:
    /// @param code what went wrong
    /// @param message human-readable detail; must not contain secrets
    /// @param in_doubt true when data handed to the failing call may have reached the server
    Error(ErrorCode code, std::string message, bool in_doubt = false);

    /// The ErrorCode (the same as `static_cast<ErrorCode>(code().value())`).
    [[nodiscard]] ErrorCode error_code() const noexcept { return code_; }
    /// The message without any prefix.
    [[nodiscard]] const std::string& message() const noexcept { return message_; }
    /// True when the failed call's data may nevertheless have been delivered.
    [[nodiscard]] bool in_doubt() const noexcept { return in_doubt_; }
    /// Shorthand for `code() == ErrorCondition::retryable`.
    [[nodiscard]] bool retryable() const noexcept;

    /// The message (same as message()); valid while the Error lives.
    [[nodiscard]] const char* what() const noexcept override { return message_.c_str(); }

private:
    ErrorCode code_;
    std::string message_;
    bool in_doubt_;
};

}  // namespace questdb

/// @cond INTERNAL
// Lets ErrorCode / ErrorCondition convert to std::error_code / std::error_condition.
template <>
struct std::is_error_code_enum<questdb::ErrorCode> : std::true_type {};
template <>
struct std::is_error_condition_enum<questdb::ErrorCondition> : std::true_type {};
/// @endcond
