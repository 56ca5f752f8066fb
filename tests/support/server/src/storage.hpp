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
#include <unordered_map>
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
    /// See Server::set_dedup_keys.
    void set_dedup_keys(std::string_view table, std::vector<std::string> keys);
    [[nodiscard]] std::string dump_json() const;

  private:
    struct TableData {
        std::string name;  // as first written; lookups are case-insensitive
        std::vector<Column> columns;
        std::vector<std::vector<Value>> rows;
        std::size_t row_count = 0;
        std::int64_t seq_txn = 0;
        /// Dedup key of each stored row -> its index (only for tables with dedup keys).
        std::unordered_map<std::string, std::size_t> dedup_index;
    };
    using Schemas = std::map<std::string, std::vector<Column>, std::less<>>;

    /// Resolves one block against `schemas` (adding new columns to it). On success fills
    /// `mapping` (block column -> table column index) and returns nullopt.
    [[nodiscard]] static std::optional<CommitError> resolve(const IncomingBlock& block,
                                                            Coercion coercion, Schemas& schemas,
                                                            std::vector<std::size_t>& mapping);
    [[nodiscard]] Schemas schemas_locked() const;
    /// Stores one converted row, replacing the row with the same dedup key if the table has
    /// dedup keys.
    void append_row(TableData& table, std::vector<Value> row);
    /// The dedup key of `row` for `table`, or nullopt when the table has no dedup keys.
    [[nodiscard]] std::optional<std::string> dedup_key(const TableData& table,
                                                       const std::vector<Value>& row) const;
    void rebuild_dedup_index(TableData& table) const;

    const bool sink_;
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::map<std::string, TableData, std::less<>> tables_;
    /// Lower-case table name -> lower-case dedup key columns (the timestamp is implied).
    std::map<std::string, std::vector<std::string>, std::less<>> dedup_keys_;
};

/// Converts `value` written as `from` into a column of type `to`; nullopt if not allowed.
std::optional<Value> coerce(const Value& value, ColumnType from, ColumnType to, Coercion coercion);

/// Current time in the unit of a timestamp column type.
std::int64_t now_in(ColumnType timestamp_type);

}  // namespace questdb::test_server::detail
