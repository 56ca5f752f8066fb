#pragma once

// The test server's committed rows: tables with typed columns, auto-created on first write,
// committed atomically per transaction with a per-table seqTxn, as QuestDB's WAL tables do.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "questdb/test_server/server.hpp"
#include "questdb/test_server/values.hpp"

namespace questdb::test_server::detail {

/// A column as a client sent it. The designated timestamp has an empty name.
struct IncomingColumn {
    std::string name;
    ColumnType type;
    bool designated = false;
    std::uint8_t geohash_bits = 0;  ///< GEOHASH precision, 0 when unknown (ILP) or not geohash
};

/// Rows for one table from one QWP table block or one ILP line. rows[r][c] follows columns.
/// `row_count` is authoritative in sink mode, where `rows` stays empty.
struct IncomingBlock {
    std::string table;
    std::vector<IncomingColumn> columns;
    std::vector<std::vector<Value>> rows;
    std::size_t row_count = 0;
};

/// How strictly values must match existing column types: QWP (exact, only the timestamp
/// units convert) or ILP (QuestDB's ILP cast tables).
enum class Coercion { qwp, ilp };

struct CommitError {
    Status status;
    std::string message;
};

/// Per-table seqTxn reached by a commit, in table-name order.
using CommitResult = std::vector<std::pair<std::string, std::int64_t>>;

class Database {
  public:
    explicit Database(bool sink) : sink_(sink) {}

    /// Checks blocks against the committed schema without committing.
    [[nodiscard]] std::optional<CommitError> validate(const std::vector<IncomingBlock>& blocks,
                                                      Coercion coercion) const;
    /// Commits every block or none; each table touched gets seqTxn + 1.
    [[nodiscard]] std::optional<CommitError> commit(std::vector<IncomingBlock>& blocks,
                                                    Coercion coercion, CommitResult& result);

    [[nodiscard]] Table snapshot(std::string_view name) const;
    [[nodiscard]] std::vector<std::string> names() const;
    [[nodiscard]] std::size_t row_count(std::string_view name) const;
    [[nodiscard]] std::int64_t seq_txn(std::string_view name) const;
    bool wait_for_rows(std::string_view name, std::size_t rows,
                       std::chrono::milliseconds timeout) const;
    void clear();
    [[nodiscard]] std::string dump_json() const;

  private:
    struct TableData {
        std::string name;  // as first written; lookups are case-insensitive
        std::vector<Column> columns;
        std::vector<std::vector<Value>> rows;
        std::size_t row_count = 0;
        std::int64_t seq_txn = 0;
    };
    using Schemas = std::map<std::string, std::vector<Column>, std::less<>>;

    /// Resolves one block against `schemas` (adding new columns to it). On success fills
    /// `mapping` (block column -> table column index) and returns nullopt.
    [[nodiscard]] static std::optional<CommitError> resolve(const IncomingBlock& block,
                                                            Coercion coercion, Schemas& schemas,
                                                            std::vector<std::size_t>& mapping);
    [[nodiscard]] Schemas schemas_locked() const;

    const bool sink_;
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::map<std::string, TableData, std::less<>> tables_;
};

/// Converts `value` written as `from` into a column of type `to`; nullopt if not allowed.
std::optional<Value> coerce(const Value& value, ColumnType from, ColumnType to, Coercion coercion);

/// Current time in the unit of a timestamp column type.
std::int64_t now_in(ColumnType timestamp_type);

}  // namespace questdb::test_server::detail
