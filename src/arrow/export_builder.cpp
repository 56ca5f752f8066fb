#include "arrow/export_builder.hpp"

#include <cstring>
#include <limits>
#include <memory>
#include <utility>

#include "questdb/error.hpp"

namespace questdb::arrow::detail {
namespace {

using egress::ColumnKind;

// ---- owned structs ----------------------------------------------------------------------

struct OwnedArray {
    std::vector<std::vector<std::uint8_t>> buffers;
    std::vector<const void*> pointers;
    std::vector<ArrowArray> children;
    std::vector<ArrowArray*> child_pointers;
    ArrowArray dictionary{};
    bool has_dictionary = false;
};

struct OwnedSchema {
    std::string format;
    std::string name;
    std::string metadata;
    std::vector<ArrowSchema> children;
    std::vector<ArrowSchema*> child_pointers;
    ArrowSchema dictionary{};
    bool has_dictionary = false;
};

// The release callback of an exported ArrowArray or ArrowSchema: releases the children and
// the dictionary through their own callbacks, then frees what this struct owns.
template <typename Owned, typename Exported>
void release_owned(Exported* exported) {
    auto* owned = static_cast<Owned*>(exported->private_data);
    for (auto* child : owned->child_pointers) {
        questdb::arrow::release(child);
    }
    if (owned->has_dictionary) {
        questdb::arrow::release(&owned->dictionary);
    }
    delete owned;
    exported->release = nullptr;
    exported->private_data = nullptr;
}

void release_array(ArrowArray* array) {
    release_owned<OwnedArray>(array);
}
void release_schema(ArrowSchema* schema) {
    release_owned<OwnedSchema>(schema);
}

// `buffers[i]` empty and `null_first` -> a null validity pointer (no nulls).
void publish_array(ArrowArray* out, std::unique_ptr<OwnedArray> owned, std::int64_t length,
                   std::int64_t null_count) {
    owned->pointers.clear();
    for (std::size_t i = 0; i < owned->buffers.size(); ++i) {
        const bool absent_validity = i == 0 && null_count == 0;
        owned->pointers.push_back(absent_validity ? nullptr : owned->buffers[i].data());
    }
    owned->child_pointers.clear();
    for (auto& child : owned->children) {
        owned->child_pointers.push_back(&child);
    }
    out->length = length;
    out->null_count = null_count;
    out->offset = 0;
    out->n_buffers = static_cast<std::int64_t>(owned->pointers.size());
    out->n_children = static_cast<std::int64_t>(owned->children.size());
    out->buffers = owned->pointers.data();
    out->children = owned->child_pointers.empty() ? nullptr : owned->child_pointers.data();
    out->dictionary = owned->has_dictionary ? &owned->dictionary : nullptr;
    out->release = &release_array;
    out->private_data = owned.release();
}

void publish_schema(ArrowSchema* out, std::unique_ptr<OwnedSchema> owned, std::int64_t flags) {
    owned->child_pointers.clear();
    for (auto& child : owned->children) {
        owned->child_pointers.push_back(&child);
    }
    out->format = owned->format.c_str();
    out->name = owned->name.c_str();
    out->metadata = owned->metadata.empty() ? nullptr : owned->metadata.data();
    out->flags = flags;
    out->n_children = static_cast<std::int64_t>(owned->children.size());
    out->children = owned->child_pointers.empty() ? nullptr : owned->child_pointers.data();
    out->dictionary = owned->has_dictionary ? &owned->dictionary : nullptr;
    out->release = &release_schema;
    out->private_data = owned.release();
}

ArrowSchema leaf_schema(std::string format, std::string name, std::int64_t flags) {
    ArrowSchema s{};
    auto owned = std::make_unique<OwnedSchema>();
    owned->format = std::move(format);
    owned->name = std::move(name);
    publish_schema(&s, std::move(owned), flags);
    return s;
}

// Arrow's metadata encoding: int32 pair count, then per pair int32 length + bytes, twice.
void append_i32(std::string& out, std::int32_t v) {
    char b[4];
    std::memcpy(b, &v, 4);
    out.append(b, 4);
}
std::string encode_metadata(const std::vector<std::pair<std::string, std::string>>& pairs) {
    if (pairs.empty()) {
        return {};
    }
    std::string out;
    append_i32(out, static_cast<std::int32_t>(pairs.size()));
    for (const auto& [k, v] : pairs) {
        append_i32(out, static_cast<std::int32_t>(k.size()));
        out += k;
        append_i32(out, static_cast<std::int32_t>(v.size()));
        out += v;
    }
    return out;
}

template <typename T>
std::vector<std::uint8_t> as_bytes(const std::vector<T>& v) {
    std::vector<std::uint8_t> out(v.size() * sizeof(T));
    if (!v.empty()) {
        std::memcpy(out.data(), v.data(), out.size());
    }
    return out;
}

void set_bit(std::vector<std::uint8_t>& bits, std::int64_t index, bool on) {
    const auto i = static_cast<std::size_t>(index);
    if (bits.size() <= i / 8) {
        bits.push_back(0);
    }
    if (on) {
        bits[i / 8] = static_cast<std::uint8_t>(bits[i / 8] | (1u << (i % 8)));
    }
}

std::int32_t checked_offset(std::size_t v, const std::string& column) {
    if (v > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
        throw Error(ErrorCode::arrow_export,
                    "column '" + column + "' outgrows 32-bit Arrow offsets (2 GiB)");
    }
    return static_cast<std::int32_t>(v);
}

// Format string and metadata of a QuestDB kind (the element format for arrays).
std::string format_of(ColumnKind kind, std::uint8_t param) {
    switch (kind) {
        case ColumnKind::boolean:
            return "b";
        case ColumnKind::byte:
            return "c";
        case ColumnKind::short_:
            return "s";
        case ColumnKind::char_:
            return "S";
        case ColumnKind::int_:
            return "i";
        case ColumnKind::long_:
            return "l";
        case ColumnKind::geohash:
            return "l";
        case ColumnKind::float_:
            return "f";
        case ColumnKind::double_:
            return "g";
        case ColumnKind::ipv4:
            return "I";
        case ColumnKind::symbol:
            return "i";  // dictionary keys
        case ColumnKind::timestamp:
            return "tsu:UTC";
        case ColumnKind::timestamp_nanos:
            return "tsn:UTC";
        case ColumnKind::date:
            return "tsm:UTC";
        case ColumnKind::uuid:
            return "w:16";
        case ColumnKind::long256:
            return "w:32";
        case ColumnKind::varchar:
            return "u";
        case ColumnKind::binary:
            return "z";
        case ColumnKind::decimal64:
            return "d:18," + std::to_string(param) + ",64";
        case ColumnKind::decimal128:
            return "d:38," + std::to_string(param);
        case ColumnKind::decimal256:
            return "d:76," + std::to_string(param) + ",256";
        case ColumnKind::double_array:
            return "g";
        case ColumnKind::long_array:
            return "l";
    }
    return "n";
}

std::vector<std::pair<std::string, std::string>> metadata_of(ColumnKind kind, std::uint8_t param) {
    switch (kind) {
        case ColumnKind::byte:
            return {{"questdb.column_type", "byte"}};
        case ColumnKind::short_:
            return {{"questdb.column_type", "short"}};
        case ColumnKind::char_:
            return {{"questdb.column_type", "char"}};
        case ColumnKind::int_:
            return {{"questdb.column_type", "int"}};
        case ColumnKind::ipv4:
            return {{"questdb.column_type", "ipv4"}};
        case ColumnKind::symbol:
            return {{"questdb.column_type", "symbol"}};
        case ColumnKind::geohash:
            return {{"questdb.column_type", "geohash"},
                    {"questdb.geohash_bits", std::to_string(param)}};
        case ColumnKind::uuid:
            return {{"ARROW:extension:name", "arrow.uuid"}};
        default:
            return {};
    }
}

bool is_array(ColumnKind kind) {
    return kind == ColumnKind::double_array || kind == ColumnKind::long_array;
}

}  // namespace

// ---- ColumnBuilder ------------------------------------------------------------------------

ColumnBuilder::ColumnBuilder(std::string name, ColumnKind kind, std::uint8_t param)
    : name_(std::move(name)), kind_(kind), param_(param) {}

void ColumnBuilder::push_validity(bool valid) {
    set_bit(validity_, length_, valid);
    if (!valid) {
        ++nulls_;
    }
    ++length_;
}

template <typename T>
void ColumnBuilder::push_value(const T& v) {
    const auto at = data_.size();
    data_.resize(at + sizeof(T));
    std::memcpy(data_.data() + at, &v, sizeof(T));
}

void ColumnBuilder::append_array_row(const egress::ColumnView& view, std::size_t row) {
    auto push = [&](const auto& ref) {
        if (ndim_ == 0) {
            ndim_ = ref.n_dims();
            levels_.assign(ndim_, std::vector<std::int32_t>{0});
            // Rows appended before (all NULL) are empty lists at the top level.
            levels_[0].assign(static_cast<std::size_t>(length_) + 1, 0);
        }
        if (ref.n_dims() != ndim_) {
            throw Error(ErrorCode::arrow_export, "column '" + name_ + "' mixes arrays of " +
                                                     std::to_string(ndim_) + " and " +
                                                     std::to_string(ref.n_dims()) + " dimensions");
        }
        std::size_t lists = 1;
        for (std::size_t d = 0; d < ndim_; ++d) {
            const auto extent = static_cast<std::size_t>(ref.dim(d));
            auto& level = levels_[d];
            for (std::size_t l = 0; l < lists; ++l) {
                level.push_back(
                    checked_offset(static_cast<std::size_t>(level.back()) + extent, name_));
            }
            lists *= extent;
        }
        const auto bytes = ref.bytes();
        data_.insert(data_.end(), reinterpret_cast<const std::uint8_t*>(bytes.data()),
                     reinterpret_cast<const std::uint8_t*>(bytes.data()) + bytes.size());
        push_validity(true);
    };
    const bool null = view.is_null(row);
    if (null) {
        if (ndim_ > 0) {
            levels_[0].push_back(levels_[0].back());
        }
        push_validity(false);
        return;
    }
    if (kind_ == ColumnKind::double_array) {
        push(*view.as_double_array().value(row));
    } else {
        push(*view.as_long_array().value(row));
    }
}

void ColumnBuilder::append(const egress::ColumnView& view, std::size_t rows) {
    for (std::size_t r = 0; r < rows; ++r) {
        const bool null = view.is_null(r);
        switch (kind_) {
            case ColumnKind::boolean:
                set_bit(data_, length_, view.as_bool().value(r));
                push_validity(!null);
                continue;
            case ColumnKind::varchar:
            case ColumnKind::binary: {
                if (offsets_.empty())
                    offsets_.push_back(0);
                if (!null) {
                    const auto* p = kind_ == ColumnKind::varchar
                                        ? reinterpret_cast<const std::uint8_t*>(
                                              view.as_varchar().value(r)->data())
                                        : reinterpret_cast<const std::uint8_t*>(
                                              view.as_binary().value(r)->data());
                    const auto n = kind_ == ColumnKind::varchar ? view.as_varchar().value(r)->size()
                                                                : view.as_binary().value(r)->size();
                    data_.insert(data_.end(), p, p + n);
                }
                offsets_.push_back(checked_offset(data_.size(), name_));
                push_validity(!null);
                continue;
            }
            case ColumnKind::symbol: {
                std::int32_t key = 0;
                if (!null) {
                    const auto sym = view.as_symbol();
                    const auto id = *sym.id(r);
                    if (key_of_id_.size() <= id)
                        key_of_id_.resize(id + 1, -1);
                    if (key_of_id_[id] < 0) {
                        const auto text = *sym.resolve(r);
                        dict_bytes_.insert(dict_bytes_.end(), text.begin(), text.end());
                        key_of_id_[id] = static_cast<std::int32_t>(dict_offsets_.size() - 1);
                        dict_offsets_.push_back(checked_offset(dict_bytes_.size(), name_));
                    }
                    key = key_of_id_[id];
                }
                push_value(key);
                push_validity(!null);
                continue;
            }
            case ColumnKind::double_array:
            case ColumnKind::long_array:
                append_array_row(view, r);
                continue;
            default:
                break;
        }
        // Fixed width: a NULL row keeps a zeroed slot.
        switch (kind_) {
            case ColumnKind::byte:
                push_value(null ? std::int8_t{0} : view.as_byte().value(r));
                break;
            case ColumnKind::short_:
                push_value(null ? std::int16_t{0} : view.as_short().value(r));
                break;
            case ColumnKind::char_:
                push_value(null ? char16_t{0} : view.as_char().value(r));
                break;
            case ColumnKind::int_:
                push_value(view.as_int().get(r).value_or(0));
                break;
            case ColumnKind::long_:
                push_value(view.as_long().get(r).value_or(0));
                break;
            case ColumnKind::float_:
                push_value(view.as_float().get(r).value_or(0.0f));
                break;
            case ColumnKind::double_:
                push_value(view.as_double().get(r).value_or(0.0));
                break;
            case ColumnKind::ipv4:
                push_value(view.as_ipv4().get(r).value_or(0u));
                break;
            case ColumnKind::timestamp:
            case ColumnKind::timestamp_nanos:
            case ColumnKind::date:
                push_value(view.as_timestamp().get(r).value_or(0));
                break;
            case ColumnKind::geohash: {
                const auto g = view.as_geohash().get(r);
                push_value(g ? static_cast<std::int64_t>(g->bits) : std::int64_t{0});
                break;
            }
            case ColumnKind::uuid: {
                const auto u = view.as_uuid().get(r).value_or(egress::Uuid{});
                push_value(u.lo);
                push_value(u.hi);
                break;
            }
            case ColumnKind::long256: {
                const auto l = view.as_long256().get(r).value_or(egress::Long256{});
                for (auto limb : l.limbs)
                    push_value(limb);
                break;
            }
            case ColumnKind::decimal64: {
                const auto d = view.as_decimal64().get(r);
                push_value(d ? d->unscaled : std::int64_t{0});
                break;
            }
            case ColumnKind::decimal128: {
                const auto d = view.as_decimal128().get(r).value_or(egress::Decimal128{});
                push_value(d.lo);
                push_value(d.hi);
                break;
            }
            case ColumnKind::decimal256: {
                const auto d = view.as_decimal256().get(r).value_or(egress::Decimal256{});
                for (auto limb : d.limbs)
                    push_value(limb);
                break;
            }
            default:
                break;
        }
        push_validity(!null);
    }
}

void ColumnBuilder::finish_array(ArrowArray* out) {
    auto owned = std::make_unique<OwnedArray>();
    owned->buffers.push_back(std::move(validity_));
    if (kind_ == ColumnKind::varchar || kind_ == ColumnKind::binary) {
        if (offsets_.empty())
            offsets_.push_back(0);
        owned->buffers.push_back(as_bytes(offsets_));
        owned->buffers.push_back(std::move(data_));
    } else if (is_array(kind_)) {
        const std::size_t dims = ndim_ == 0 ? 1 : ndim_;
        if (ndim_ == 0) {
            levels_.assign(1, std::vector<std::int32_t>(static_cast<std::size_t>(length_) + 1, 0));
        }
        // Innermost first: the leaf values, then each list level wrapping the one below.
        ArrowArray inner{};
        {
            auto leaf = std::make_unique<OwnedArray>();
            leaf->buffers.push_back({});
            leaf->buffers.push_back(std::move(data_));
            const auto count = static_cast<std::int64_t>(leaf->buffers[1].size() / 8);
            publish_array(&inner, std::move(leaf), count, 0);
        }
        for (std::size_t d = dims; d-- > 1;) {
            auto level = std::make_unique<OwnedArray>();
            level->buffers.push_back({});
            level->buffers.push_back(as_bytes(levels_[d]));
            level->children.push_back(inner);
            const auto len = static_cast<std::int64_t>(levels_[d].size() - 1);
            inner = ArrowArray{};
            publish_array(&inner, std::move(level), len, 0);
        }
        owned->buffers.push_back(as_bytes(levels_[0]));
        owned->children.push_back(inner);
        for (auto& level : levels_)
            level.assign(1, 0);
    } else if (kind_ == ColumnKind::symbol) {
        owned->buffers.push_back(std::move(data_));
        auto dict = std::make_unique<OwnedArray>();
        dict->buffers.push_back({});
        dict->buffers.push_back(as_bytes(dict_offsets_));
        dict->buffers.push_back(dict_bytes_);
        const auto entries = static_cast<std::int64_t>(dict_offsets_.size() - 1);
        publish_array(&owned->dictionary, std::move(dict), entries, 0);
        owned->has_dictionary = true;
    } else {
        owned->buffers.push_back(std::move(data_));
    }
    publish_array(out, std::move(owned), length_, nulls_);
    validity_ = {};
    data_ = {};
    offsets_.clear();
    length_ = 0;
    nulls_ = 0;
}

void ColumnBuilder::make_schema(ArrowSchema* out) const {
    auto owned = std::make_unique<OwnedSchema>();
    owned->name = name_;
    owned->metadata = encode_metadata(metadata_of(kind_, param_));
    if (is_array(kind_)) {
        const std::size_t dims = ndim_ == 0 ? 1 : ndim_;
        ArrowSchema inner = leaf_schema(format_of(kind_, param_), "item", ARROW_FLAG_NULLABLE);
        for (std::size_t d = 1; d < dims; ++d) {
            auto level = std::make_unique<OwnedSchema>();
            level->format = "+l";
            level->name = "item";
            level->children.push_back(inner);
            inner = ArrowSchema{};
            publish_schema(&inner, std::move(level), 0);
        }
        owned->format = "+l";
        owned->children.push_back(inner);
        owned->metadata = encode_metadata({{"questdb.array_dim", std::to_string(dims)}});
    } else if (kind_ == ColumnKind::symbol) {
        owned->format = "i";
        owned->dictionary = leaf_schema("u", "", 0);
        owned->has_dictionary = true;
    } else {
        owned->format = format_of(kind_, param_);
    }
    publish_schema(out, std::move(owned), ARROW_FLAG_NULLABLE);
}

// ---- BatchBuilder -------------------------------------------------------------------------

namespace {
std::uint8_t param_of(const egress::ColumnView& view, std::size_t rows) {
    // Scale and precision are per column; read them from the first non-NULL value.
    for (std::size_t r = 0; r < rows; ++r) {
        if (view.is_null(r))
            continue;
        switch (view.kind()) {
            case ColumnKind::decimal64:
                return view.as_decimal64().get(r)->scale;
            case ColumnKind::decimal128:
                return view.as_decimal128().get(r)->scale;
            case ColumnKind::decimal256:
                return view.as_decimal256().get(r)->scale;
            case ColumnKind::geohash:
                return view.as_geohash().get(r)->precision;
            default:
                return 0;
        }
    }
    return 0;
}
}  // namespace

void BatchBuilder::append(const egress::BatchView& batch) {
    if (!initialised_) {
        for (std::size_t c = 0; c < batch.column_count(); ++c) {
            const auto view = batch.column(c);
            columns_.emplace_back(std::string(view.name()), view.kind(),
                                  param_of(view, batch.row_count()));
        }
        initialised_ = true;
    }
    if (batch.column_count() != columns_.size()) {
        throw Error(ErrorCode::arrow_export, "a result batch changed its column count");
    }
    for (std::size_t c = 0; c < columns_.size(); ++c) {
        const auto view = batch.column(c);
        if (view.kind() != columns_[c].kind() || view.name() != columns_[c].name()) {
            throw Error(ErrorCode::arrow_export,
                        "a result batch changed column '" + columns_[c].name() + "'");
        }
        columns_[c].append(view, batch.row_count());
    }
    rows_ += static_cast<std::int64_t>(batch.row_count());
}

void BatchBuilder::finish_array(ArrowArray* out) {
    auto owned = std::make_unique<OwnedArray>();
    owned->buffers.push_back({});
    owned->children.resize(columns_.size());
    for (std::size_t c = 0; c < columns_.size(); ++c) {
        columns_[c].finish_array(&owned->children[c]);
    }
    publish_array(out, std::move(owned), rows_, 0);
    rows_ = 0;
}

void BatchBuilder::make_schema(ArrowSchema* out) const {
    auto owned = std::make_unique<OwnedSchema>();
    owned->format = "+s";
    owned->children.resize(columns_.size());
    for (std::size_t c = 0; c < columns_.size(); ++c) {
        columns_[c].make_schema(&owned->children[c]);
    }
    publish_schema(out, std::move(owned), 0);
}

}  // namespace questdb::arrow::detail
