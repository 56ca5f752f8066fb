// The egress endpoint's SQL subset; see sql_query.hpp.

#include "sql_query.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace questdb::test_server::detail {
namespace {

std::string upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

std::vector<std::string> tokenize(std::string_view sql) {
    std::vector<std::string> tokens;
    std::size_t i = 0;
    while (i < sql.size()) {
        const char c = sql[i];
        if (std::isspace(static_cast<unsigned char>(c)) || c == ';') {
            ++i;
        } else if (c == ',' || c == '*' || c == '(' || c == ')') {
            tokens.emplace_back(1, c);
            ++i;
        } else if (c == '<' || c == '>' || c == '=' || c == '!') {
            std::size_t j = i + 1;
            if (j < sql.size() && sql[j] == '=')
                ++j;
            tokens.emplace_back(sql.substr(i, j - i));
            i = j;
        } else if (c == '"' || c == '\'') {
            const auto end = sql.find(c, i + 1);
            if (end == std::string_view::npos) {
                tokens.emplace_back(sql.substr(i));
                break;
            }
            tokens.emplace_back(sql.substr(i, end - i + 1));
            i = end + 1;
        } else {
            std::size_t j = i;
            while (j < sql.size() && !std::isspace(static_cast<unsigned char>(sql[j])) &&
                   std::string_view(",*()<>=!;").find(sql[j]) == std::string_view::npos) {
                ++j;
            }
            tokens.emplace_back(sql.substr(i, j - i));
            i = j;
        }
    }
    return tokens;
}

std::string unquote(const std::string& t) {
    if (t.size() >= 2 && (t.front() == '"' || t.front() == '\'') && t.back() == t.front()) {
        return t.substr(1, t.size() - 2);
    }
    return t;
}

bool to_i64(const std::string& t, std::int64_t& v) {
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    return ec == std::errc() && p == t.data() + t.size();
}

ParsedSql invalid(std::string message) {
    ParsedSql p;
    p.error = std::move(message);
    return p;
}

}  // namespace

ParsedSql parse_sql(std::string_view sql) {
    const auto tokens = tokenize(sql);
    if (tokens.empty())
        return invalid("empty query");
    const auto first = upper(tokens[0]);
    if (first == "CREATE" || first == "DROP" || first == "ALTER" || first == "TRUNCATE" ||
        first == "RENAME") {
        ParsedSql p;
        p.kind = SqlKind::ddl_dml;
        p.op_type = 1;
        return p;
    }
    if (first == "INSERT" || first == "UPDATE" || first == "DELETE") {
        ParsedSql p;
        p.kind = SqlKind::ddl_dml;
        p.op_type = first == "INSERT" ? 2 : (first == "UPDATE" ? 3 : 4);
        return p;
    }
    if (first != "SELECT")
        return invalid("unsupported statement '" + tokens[0] + "'");
    ParsedSql p;
    p.kind = SqlKind::select;
    auto& q = p.select;
    std::size_t i = 1;
    if (i < tokens.size() && tokens[i] == "*") {
        ++i;
    } else {
        while (i < tokens.size()) {
            if (upper(tokens[i]) == "FROM")
                return invalid("missing column after ','");
            q.columns.push_back(unquote(tokens[i++]));
            if (i < tokens.size() && tokens[i] == ",") {
                ++i;
                continue;
            }
            break;
        }
    }
    if (i >= tokens.size() || upper(tokens[i]) != "FROM")
        return invalid("expected FROM");
    if (++i >= tokens.size())
        return invalid("expected a table name");
    q.table = unquote(tokens[i++]);
    if (i < tokens.size() && upper(tokens[i]) == "WHERE") {
        ++i;
        for (;;) {
            if (i + 2 >= tokens.size())
                return invalid("incomplete WHERE");
            const auto column = unquote(tokens[i]);
            const auto op = tokens[i + 1];
            std::int64_t v = 0;
            if (!to_i64(tokens[i + 2], v))
                return invalid("WHERE needs an integer timestamp");
            if (!q.ts_column.empty() && q.ts_column != column) {
                return invalid("WHERE may only filter the designated timestamp");
            }
            q.ts_column = column;
            if (op == ">=")
                q.ts_min = std::max(q.ts_min, v);
            else if (op == ">")
                q.ts_min = std::max(q.ts_min, v + 1);
            else if (op == "<=")
                q.ts_max = std::min(q.ts_max, v);
            else if (op == "<")
                q.ts_max = std::min(q.ts_max, v - 1);
            else if (op == "=") {
                q.ts_min = std::max(q.ts_min, v);
                q.ts_max = std::min(q.ts_max, v);
            } else {
                return invalid("unsupported operator " + op);
            }
            i += 3;
            if (i < tokens.size() && upper(tokens[i]) == "AND") {
                ++i;
                continue;
            }
            break;
        }
    }
    if (i < tokens.size() && upper(tokens[i]) == "LIMIT") {
        std::int64_t n = 0;
        if (i + 1 >= tokens.size() || !to_i64(tokens[i + 1], n) || n < 0) {
            return invalid("LIMIT needs a non-negative integer");
        }
        q.limit = static_cast<std::uint64_t>(n);
        i += 2;
    }
    if (i != tokens.size())
        return invalid("unexpected '" + tokens[i] + "'");
    return p;
}

std::string substitute_integer_binds(
    std::string_view sql, const std::vector<std::optional<std::int64_t>>& integer_binds) {
    std::string out;
    char quote = 0;
    for (std::size_t i = 0; i < sql.size(); ++i) {
        const char c = sql[i];
        if (quote != 0) {
            quote = c == quote ? 0 : quote;
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == '$' && i + 1 < sql.size() &&
                   std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
            std::size_t j = i + 1;
            std::size_t n = 0;
            while (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j])) && n < 100000)
                n = n * 10 + static_cast<std::size_t>(sql[j++] - '0');
            if (n >= 1 && n <= integer_binds.size() && integer_binds[n - 1]) {
                out += std::to_string(*integer_binds[n - 1]);
                i = j - 1;
                continue;
            }
        }
        out += c;
    }
    return out;
}

}  // namespace questdb::test_server::detail
