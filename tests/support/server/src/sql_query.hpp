#pragma once

// The tiny SQL subset the egress endpoint answers from committed rows:
//   SELECT * | col[, col...] FROM table [WHERE ts-cond [AND ts-cond...]] [LIMIT n]
// where ts-cond is `<designated ts column> (>=|>|<=|<|=) <integer>` in the column's unit.
// Statements starting with CREATE/INSERT/UPDATE/DELETE/DROP/ALTER/TRUNCATE/... are DDL/DML.

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace questdb::test_server::detail {

struct SelectQuery {
    std::vector<std::string> columns;  ///< empty = *
    std::string table;
    std::string ts_column;  ///< the column named in WHERE (checked against the table later)
    std::int64_t ts_min = std::numeric_limits<std::int64_t>::min();  ///< inclusive
    std::int64_t ts_max = std::numeric_limits<std::int64_t>::max();  ///< inclusive
    std::optional<std::uint64_t> limit;
};

enum class SqlKind { select, ddl_dml, invalid };

struct ParsedSql {
    SqlKind kind = SqlKind::invalid;
    SelectQuery select;
    std::string error;
    std::uint8_t op_type =
        0;  ///< for ddl_dml: our own discriminator (1 DDL, 2 INSERT, 3 UPDATE, 4 other)
};

ParsedSql parse_sql(std::string_view sql);

/// Replaces each `$N` outside quotes with the decimal text of `integer_binds[N-1]` when that
/// bind is an integer (BYTE..LONG, TIMESTAMP, DATE) and not NULL, so the subset above can
/// filter and limit by bound values. Other placeholders stay and fail parsing as before.
std::string substitute_integer_binds(std::string_view sql,
                                     const std::vector<std::optional<std::int64_t>>& integer_binds);

}  // namespace questdb::test_server::detail
