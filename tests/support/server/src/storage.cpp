// Committed rows, schema resolution and type coercion of the test server.

#include "storage.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <limits>
#include <type_traits>
#include <variant>

namespace questdb::test_server::detail {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

bool is_timestamp_kind(ColumnType t) {
    return t == ColumnType::timestamp || t == ColumnType::timestamp_nanos;
}

bool is_decimal_kind(ColumnType t) {
    return t == ColumnType::decimal64 || t == ColumnType::decimal128 || t == ColumnType::decimal256;
}

std::optional<Value> narrow(std::int64_t v, std::int64_t lo, std::int64_t hi) {
    if (v < lo || v > hi) {
        return std::nullopt;
    }
    return Value{v};
}

std::optional<Value> parse_uuid(const std::string& s) {
    std::string hex;
    for (char c : s) {
        if (c == '-') {
            continue;
        }
        if (!std::isxdigit(static_cast<unsigned char>(c))) {
            return std::nullopt;
        }
        hex.push_back(c);
    }
    if (hex.size() != 32) {
        return std::nullopt;
    }
    // Text is big-endian (hi then lo); storage is lo i64 LE then hi i64 LE.
    Bytes b;
    b.data.resize(16);
    for (std::size_t i = 0; i < 16; ++i) {
        const auto byte = static_cast<std::uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
        b.data[15 - i] = byte;
    }
    return Value{std::move(b)};
}

/// Whether values of type `from` may be written to a column of type `to` (before range checks).
bool castable(ColumnType from, ColumnType to, Coercion coercion) {
    if (from == to || (is_timestamp_kind(from) && is_timestamp_kind(to))) {
        return true;
    }
    if (coercion != Coercion::ilp) {
        return false;
    }
    if (is_decimal_kind(from) && is_decimal_kind(to)) {
        return true;
    }
    switch (from) {
        case ColumnType::long_:
            return to == ColumnType::byte || to == ColumnType::short_ || to == ColumnType::int_ ||
                   to == ColumnType::date || is_timestamp_kind(to) || to == ColumnType::float_ ||
                   to == ColumnType::double_;
        case ColumnType::double_:
            return to == ColumnType::float_;
        case ColumnType::varchar:
        case ColumnType::symbol:
            return to == ColumnType::symbol || to == ColumnType::varchar ||
                   to == ColumnType::char_ || to == ColumnType::uuid;
        default:
            return false;
    }
}

}  // namespace

std::int64_t now_in(ColumnType timestamp_type) {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    return timestamp_type == ColumnType::timestamp_nanos ? ns : ns / 1000;
}

std::optional<Value> coerce(const Value& value, ColumnType from, ColumnType to, Coercion coercion) {
    if (std::holds_alternative<std::monostate>(value) || from == to) {
        return value;
    }
    if (is_timestamp_kind(from) && is_timestamp_kind(to)) {
        const auto v = std::get<std::int64_t>(value);
        if (to == ColumnType::timestamp_nanos) {
            if (v > std::numeric_limits<std::int64_t>::max() / 1000 ||
                v < std::numeric_limits<std::int64_t>::min() / 1000) {
                return std::nullopt;
            }
            return Value{v * 1000};
        }
        return Value{v >= 0 ? v / 1000 : -((-v + 999) / 1000)};
    }
    if (coercion != Coercion::ilp) {
        return std::nullopt;
    }
    if (is_decimal_kind(from) && is_decimal_kind(to)) {
        return value;
    }
    if (from == ColumnType::long_) {
        const auto v = std::get<std::int64_t>(value);
        switch (to) {
            case ColumnType::byte:
                return narrow(v, -128, 127);
            case ColumnType::short_:
                return narrow(v, -32768, 32767);
            case ColumnType::int_:
                return narrow(v, std::numeric_limits<std::int32_t>::min() + 1,
                              std::numeric_limits<std::int32_t>::max());
            case ColumnType::date:
            case ColumnType::timestamp:
            case ColumnType::timestamp_nanos:
                return Value{v};
            case ColumnType::float_:
            case ColumnType::double_:
                return Value{static_cast<double>(v)};
            default:
                return std::nullopt;
        }
    }
    if (from == ColumnType::double_ && to == ColumnType::float_) {
        return value;
    }
    if (from == ColumnType::varchar || from == ColumnType::symbol) {
        const auto& s = std::get<std::string>(value);
        switch (to) {
            case ColumnType::symbol:
            case ColumnType::varchar:
                return value;
            case ColumnType::char_:
                if (s.size() == 1) {
                    return Value{std::int64_t{static_cast<unsigned char>(s[0])}};
                }
                return std::nullopt;
            case ColumnType::uuid:
                return parse_uuid(s);
            default:
                return std::nullopt;
        }
    }
    return std::nullopt;
}

std::optional<CommitError> Database::resolve(const IncomingBlock& block, Coercion coercion,
                                             Schemas& schemas, std::vector<std::size_t>& mapping) {
    const auto key = lower(block.table);
    auto [it, created] = schemas.try_emplace(key);
    auto& columns = it->second;
    mapping.assign(block.columns.size(), 0);
    for (std::size_t c = 0; c < block.columns.size(); ++c) {
        const auto& in = block.columns[c];
        const auto wanted = in.designated ? std::string() : lower(in.name);
        auto found = std::find_if(columns.begin(), columns.end(), [&](const Column& col) {
            return in.designated ? col.designated_timestamp : lower(col.name) == wanted;
        });
        for (std::size_t prev = 0; prev < c; ++prev) {
            const auto& p = block.columns[prev];
            if (p.designated == in.designated && (in.designated || lower(p.name) == wanted)) {
                return CommitError{Status::parse_error, "duplicate column '" + in.name +
                                                            "' in table '" + block.table + "'"};
            }
        }
        if (found == columns.end()) {
            if (in.designated && !created && !columns.empty()) {
                return CommitError{Status::schema_mismatch,
                                   "table '" + block.table + "' has no designated timestamp"};
            }
            columns.push_back(Column{in.designated ? "timestamp" : in.name, in.type, in.designated,
                                     in.geohash_bits});
            mapping[c] = columns.size() - 1;
            continue;
        }
        const bool compatible = castable(in.type, found->type, coercion);
        if (!compatible) {
            return CommitError{Status::schema_mismatch,
                               "column '" + found->name + "' of table '" + block.table + "' is " +
                                   std::string(to_string(found->type)) + ", cannot write " +
                                   std::string(to_string(in.type))};
        }
        if (in.type == ColumnType::geohash && found->type == ColumnType::geohash &&
            in.geohash_bits != 0 && found->geohash_bits != 0 &&
            in.geohash_bits != found->geohash_bits) {
            return CommitError{Status::schema_mismatch, "column '" + found->name + "' of table '" +
                                                            block.table + "' is GEOHASH(" +
                                                            std::to_string(found->geohash_bits) +
                                                            "b), cannot write GEOHASH(" +
                                                            std::to_string(in.geohash_bits) + "b)"};
        }
        mapping[c] = static_cast<std::size_t>(found - columns.begin());
    }
    const bool has_designated = std::any_of(
        columns.begin(), columns.end(), [](const Column& col) { return col.designated_timestamp; });
    if (!has_designated && created) {
        columns.push_back(Column{"timestamp", ColumnType::timestamp, true});
    }
    return std::nullopt;
}

Database::Schemas Database::schemas_locked() const {
    Schemas schemas;
    for (const auto& [key, table] : tables_) {
        schemas.emplace(key, table.columns);
    }
    return schemas;
}

std::optional<CommitError> Database::validate(const std::vector<IncomingBlock>& blocks,
                                              Coercion coercion) const {
    std::lock_guard lock(mutex_);
    auto schemas = schemas_locked();
    std::vector<std::size_t> mapping;
    for (const auto& block : blocks) {
        if (auto err = resolve(block, coercion, schemas, mapping)) {
            return err;
        }
    }
    return std::nullopt;
}

std::optional<CommitError> Database::commit(std::vector<IncomingBlock>& blocks, Coercion coercion,
                                            CommitResult& result) {
    result.clear();
    std::unique_lock lock(mutex_);
    auto schemas = schemas_locked();
    std::vector<std::vector<std::size_t>> mappings(blocks.size());
    for (std::size_t b = 0; b < blocks.size(); ++b) {
        if (auto err = resolve(blocks[b], coercion, schemas, mappings[b])) {
            return err;
        }
    }
    // Convert every value before touching the tables, so a failed cast commits nothing.
    std::vector<std::vector<std::vector<Value>>> converted(blocks.size());
    if (!sink_) {
        for (std::size_t b = 0; b < blocks.size(); ++b) {
            auto& block = blocks[b];
            const auto& columns = schemas.at(lower(block.table));
            auto& out = converted[b];
            out.reserve(block.rows.size());
            for (auto& row : block.rows) {
                std::vector<Value> cells(columns.size());
                for (std::size_t c = 0; c < block.columns.size() && c < row.size(); ++c) {
                    const auto& target = columns[mappings[b][c]];
                    auto v = coerce(row[c], block.columns[c].type, target.type, coercion);
                    if (!v) {
                        return CommitError{Status::schema_mismatch,
                                           "cannot cast value of column '" + target.name +
                                               "' of table '" + block.table + "' to " +
                                               std::string(to_string(target.type))};
                    }
                    cells[mappings[b][c]] = std::move(*v);
                }
                for (std::size_t c = 0; c < columns.size(); ++c) {
                    if (columns[c].designated_timestamp &&
                        std::holds_alternative<std::monostate>(cells[c])) {
                        cells[c] = now_in(columns[c].type);
                    }
                }
                out.push_back(std::move(cells));
            }
        }
    }
    std::map<std::string, std::int64_t> touched;
    for (std::size_t b = 0; b < blocks.size(); ++b) {
        const auto key = lower(blocks[b].table);
        auto [it, created] = tables_.try_emplace(key);
        auto& table = it->second;
        if (created) {
            table.name = blocks[b].table;
        }
        table.columns = schemas.at(key);
        for (auto& row : converted[b]) {
            append_row(table, std::move(row));
        }
        table.row_count = sink_ ? table.row_count + blocks[b].row_count : table.rows.size();
        touched.emplace(key, 0);
    }
    for (auto& [key, seq] : touched) {
        auto& table = tables_.at(key);
        seq = ++table.seq_txn;
        result.emplace_back(table.name, seq);
    }
    lock.unlock();
    changed_.notify_all();
    return std::nullopt;
}

Table Database::snapshot(std::string_view name) const {
    std::lock_guard lock(mutex_);
    auto it = tables_.find(lower(name));
    if (it == tables_.end()) {
        return Table{};
    }
    const auto& data = it->second;
    auto columns = std::make_shared<const std::vector<Column>>(data.columns);
    std::vector<Row> rows;
    rows.reserve(data.rows.size());
    for (const auto& r : data.rows) {
        std::vector<Value> values = r;
        values.resize(columns->size());
        rows.emplace_back(columns, std::move(values));
    }
    return Table(data.name, columns, std::move(rows), data.seq_txn);
}

std::vector<std::string> Database::names() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& [key, table] : tables_) {
        out.push_back(table.name);
    }
    return out;
}

std::size_t Database::row_count(std::string_view name) const {
    std::lock_guard lock(mutex_);
    auto it = tables_.find(lower(name));
    return it == tables_.end() ? 0 : it->second.row_count;
}

std::int64_t Database::seq_txn(std::string_view name) const {
    std::lock_guard lock(mutex_);
    auto it = tables_.find(lower(name));
    return it == tables_.end() ? 0 : it->second.seq_txn;
}

bool Database::wait_for_rows(std::string_view name, std::size_t rows,
                             std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    const auto key = lower(name);
    return changed_.wait_for(lock, timeout, [&] {
        auto it = tables_.find(key);
        return it != tables_.end() && it->second.row_count >= rows;
    });
}

void Database::clear() {
    std::lock_guard lock(mutex_);
    tables_.clear();  // dedup_keys_ stay: they describe tables, not rows
}

namespace {
/// Appends an unambiguous encoding of `v` (type tag, then length-prefixed content).
void append_key_part(const Value& v, std::string& out) {
    out.push_back(static_cast<char>(v.index()));
    const auto raw = [&out](const void* data, std::size_t size) {
        const auto n = static_cast<std::uint64_t>(size);
        out.append(reinterpret_cast<const char*>(&n), sizeof n);
        out.append(static_cast<const char*>(data), size);
    };
    std::visit(
        [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
            } else if constexpr (std::is_same_v<T, std::string>) {
                raw(x.data(), x.size());
            } else if constexpr (std::is_same_v<T, Bytes>) {
                raw(x.data.data(), x.data.size());
            } else if constexpr (std::is_same_v<T, Decimal>) {
                out.push_back(static_cast<char>(x.scale));
                raw(x.unscaled_le.data(), x.unscaled_le.size());
            } else if constexpr (std::is_same_v<T, Array>) {
                raw(x.shape.data(), x.shape.size() * sizeof(std::uint32_t));
                raw(x.doubles.data(), x.doubles.size() * sizeof(double));
                raw(x.longs.data(), x.longs.size() * sizeof(std::int64_t));
            } else {
                raw(&x, sizeof x);
            }
        },
        v);
}
}  // namespace

std::optional<std::string> Database::dedup_key(const TableData& table,
                                               const std::vector<Value>& row) const {
    const auto keys = dedup_keys_.find(lower(table.name));
    if (keys == dedup_keys_.end()) {
        return std::nullopt;
    }
    static const Value null_value;
    const auto cell = [&](std::size_t c) -> const Value& {
        return c < row.size() ? row[c] : null_value;
    };
    std::string key;
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
        if (table.columns[c].designated_timestamp) {
            append_key_part(cell(c), key);
        }
    }
    for (const auto& name : keys->second) {
        const auto it = std::find_if(table.columns.begin(), table.columns.end(),
                                     [&](const Column& col) { return lower(col.name) == name; });
        append_key_part(it == table.columns.end()
                            ? null_value
                            : cell(static_cast<std::size_t>(it - table.columns.begin())),
                        key);
    }
    return key;
}

void Database::append_row(TableData& table, std::vector<Value> row) {
    auto key = dedup_key(table, row);
    if (!key) {
        table.rows.push_back(std::move(row));
        return;
    }
    const auto [it, inserted] = table.dedup_index.try_emplace(std::move(*key), table.rows.size());
    if (inserted) {
        table.rows.push_back(std::move(row));
    } else {
        table.rows[it->second] = std::move(row);  // upsert: the later row wins
    }
}

void Database::rebuild_dedup_index(TableData& table) const {
    table.dedup_index.clear();
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        if (auto key = dedup_key(table, table.rows[r])) {
            table.dedup_index.try_emplace(std::move(*key), r);
        }
    }
}

void Database::set_dedup_keys(std::string_view table, std::vector<std::string> keys) {
    std::lock_guard lock(mutex_);
    for (auto& k : keys) {
        k = lower(k);
    }
    const auto name = lower(table);
    dedup_keys_[name] = std::move(keys);
    if (auto it = tables_.find(name); it != tables_.end()) {
        rebuild_dedup_index(it->second);
    }
}

namespace {
boost::json::value to_json(const Value& v) {
    struct Visitor {
        boost::json::value operator()(std::monostate) const { return nullptr; }
        boost::json::value operator()(bool b) const { return b; }
        boost::json::value operator()(std::int64_t i) const { return i; }
        boost::json::value operator()(double d) const { return d; }
        boost::json::value operator()(const std::string& s) const { return boost::json::string(s); }
        boost::json::value operator()(const Bytes& b) const {
            static constexpr char kDigits[] = "0123456789abcdef";
            std::string hex;
            for (auto byte : b.data) {
                hex.push_back(kDigits[byte >> 4]);
                hex.push_back(kDigits[byte & 0xF]);
            }
            return boost::json::string(hex);
        }
        boost::json::value operator()(const Decimal& d) const {
            return boost::json::string(d.to_string());
        }
        boost::json::value operator()(const Array& a) const {
            boost::json::object o;
            boost::json::array shape;
            for (auto s : a.shape)
                shape.push_back(s);
            boost::json::array values;
            for (auto x : a.doubles)
                values.push_back(x);
            for (auto x : a.longs)
                values.push_back(x);
            o["shape"] = std::move(shape);
            o["values"] = std::move(values);
            return o;
        }
    };
    return std::visit(Visitor{}, v);
}
}  // namespace

std::string Database::dump_json() const {
    std::lock_guard lock(mutex_);
    boost::json::array tables;
    for (const auto& [key, data] : tables_) {
        boost::json::object t;
        t["name"] = data.name;
        t["seqTxn"] = data.seq_txn;
        t["rowCount"] = data.row_count;
        boost::json::array columns;
        for (const auto& c : data.columns) {
            columns.push_back(boost::json::object{{"name", c.name},
                                                  {"type", std::string(to_string(c.type))},
                                                  {"designated", c.designated_timestamp}});
        }
        t["columns"] = std::move(columns);
        boost::json::array rows;
        for (const auto& r : data.rows) {
            boost::json::array row;
            for (std::size_t c = 0; c < data.columns.size(); ++c) {
                row.push_back(c < r.size() ? to_json(r[c]) : nullptr);
            }
            rows.push_back(std::move(row));
        }
        t["rows"] = std::move(rows);
        tables.push_back(std::move(t));
    }
    return boost::json::serialize(boost::json::object{{"tables", std::move(tables)}});
}

}  // namespace questdb::test_server::detail
