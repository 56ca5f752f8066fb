#pragma once

// Hand-built Arrow C Data Interface record batches for the tests (no Arrow library), and a
// release-call counter for structs the library exports.
//
// Every column is built with `pad` junk rows in front and `offset = pad`, so each test also
// proves that array offsets are honoured (pad 3 also misaligns the validity bitmaps).

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "questdb/arrow.hpp"

namespace questdb::arrow::test {

struct TestColumn {
    TestColumn() = default;
    TestColumn(std::string n, std::string f) : name(std::move(n)), format(std::move(f)) {}
    std::string name;
    std::string format;
    std::string metadata;
    std::int64_t length = 0;  // logical length (after the offset)
    std::int64_t offset = 0;
    std::int64_t null_count = 0;
    std::vector<std::vector<std::uint8_t>> buffers;  // [0] validity, empty = none
    std::vector<TestColumn> children;
    std::shared_ptr<TestColumn> dictionary;
};

inline void set_validity(TestColumn& c, const std::vector<bool>& valid, std::size_t pad) {
    std::vector<std::uint8_t> bits((pad + valid.size() + 7) / 8, 0);
    std::int64_t nulls = 0;
    for (std::size_t i = 0; i < pad + valid.size(); ++i) {
        // Pad rows alternate so a wrongly aligned bitmap shows.
        const bool on = i < pad ? (i % 2 == 1) : valid[i - pad];
        if (on)
            bits[i / 8] = static_cast<std::uint8_t>(bits[i / 8] | (1u << (i % 8)));
        if (!on && i >= pad)
            ++nulls;
    }
    c.null_count = nulls;
    c.buffers.insert(c.buffers.begin(), nulls > 0 ? bits : std::vector<std::uint8_t>{});
}

/// A fixed-width column: values of T (std::nullopt = NULL, slot zeroed).
template <typename T>
TestColumn fixed(std::string name, std::string format, const std::vector<std::optional<T>>& values,
                 std::size_t pad = 3) {
    TestColumn c{std::move(name), std::move(format)};
    std::vector<std::uint8_t> data(pad * sizeof(T), 0xA5);
    std::vector<bool> valid;
    for (const auto& v : values) {
        const T slot = v.value_or(T{});
        const auto at = data.size();
        data.resize(at + sizeof(T));
        std::memcpy(data.data() + at, &slot, sizeof(T));
        valid.push_back(v.has_value());
    }
    c.length = static_cast<std::int64_t>(values.size());  // logical: the pad is the offset
    c.offset = static_cast<std::int64_t>(pad);
    c.buffers.push_back(std::move(data));
    set_validity(c, valid, pad);
    return c;
}

inline TestColumn bools(std::string name, const std::vector<std::optional<bool>>& values,
                        std::size_t pad = 3) {
    TestColumn c{std::move(name), "b"};
    std::vector<std::uint8_t> bits((pad + values.size() + 7) / 8, 0);
    std::vector<bool> valid;
    for (std::size_t i = 0; i < pad + values.size(); ++i) {
        const bool on = i < pad ? true : values[i - pad].value_or(false);
        if (on)
            bits[i / 8] = static_cast<std::uint8_t>(bits[i / 8] | (1u << (i % 8)));
        if (i >= pad)
            valid.push_back(values[i - pad].has_value());
    }
    c.length = static_cast<std::int64_t>(values.size());  // logical: the pad is the offset
    c.offset = static_cast<std::int64_t>(pad);
    c.buffers.push_back(std::move(bits));
    set_validity(c, valid, pad);
    return c;
}

/// utf8 ("u"), large_utf8 ("U"), binary ("z") or large_binary ("Z").
inline TestColumn strings(std::string name, std::string format,
                          const std::vector<std::optional<std::string>>& values,
                          std::size_t pad = 3) {
    const bool large = format == "U" || format == "Z";
    TestColumn c{std::move(name), std::move(format)};
    std::vector<std::int64_t> offsets{0};
    std::string bytes;
    std::vector<bool> valid;
    for (std::size_t i = 0; i < pad; ++i) {
        bytes += "junk";
        offsets.push_back(static_cast<std::int64_t>(bytes.size()));
    }
    for (const auto& v : values) {
        bytes += v.value_or("");
        offsets.push_back(static_cast<std::int64_t>(bytes.size()));
        valid.push_back(v.has_value());
    }
    std::vector<std::uint8_t> off;
    for (auto o : offsets) {
        if (large) {
            off.insert(off.end(), reinterpret_cast<std::uint8_t*>(&o),
                       reinterpret_cast<std::uint8_t*>(&o) + 8);
        } else {
            auto o32 = static_cast<std::int32_t>(o);
            off.insert(off.end(), reinterpret_cast<std::uint8_t*>(&o32),
                       reinterpret_cast<std::uint8_t*>(&o32) + 4);
        }
    }
    c.length = static_cast<std::int64_t>(values.size());  // logical: the pad is the offset
    c.offset = static_cast<std::int64_t>(pad);
    c.buffers.push_back(std::move(off));
    c.buffers.emplace_back(bytes.begin(), bytes.end());
    set_validity(c, valid, pad);
    return c;
}

/// utf8_view ("vu") or binary_view ("vz"): values up to 12 bytes inline, longer ones spread
/// round-robin over `data_buffers` variadic buffers (each starting with junk, so offsets are
/// not zero). The views of the pad rows point at junk. The view of logical row r is at byte
/// (pad + r) * 16 of buffers[1]; the variadic buffers follow, then their int64 sizes.
inline TestColumn string_views(std::string name, std::string format,
                               const std::vector<std::optional<std::string>>& values,
                               std::size_t data_buffers = 2, std::size_t pad = 3) {
    TestColumn c{std::move(name), std::move(format)};
    std::vector<std::string> data(data_buffers, "junk-junk");
    std::vector<std::uint8_t> views;
    auto add_view = [&](const std::string& v, std::size_t row) {
        std::uint8_t view[16] = {};
        const auto length = static_cast<std::int32_t>(v.size());
        std::memcpy(view, &length, 4);
        if (v.size() <= 12 || data_buffers == 0) {
            std::memcpy(view + 4, v.data(), std::min<std::size_t>(v.size(), 12));
        } else {
            const auto index = static_cast<std::int32_t>(row % data_buffers);
            auto& buffer = data[static_cast<std::size_t>(index)];
            const auto offset = static_cast<std::int32_t>(buffer.size());
            buffer += v;
            std::memcpy(view + 4, v.data(), 4);
            std::memcpy(view + 8, &index, 4);
            std::memcpy(view + 12, &offset, 4);
        }
        views.insert(views.end(), view, view + 16);
    };
    for (std::size_t i = 0; i < pad; ++i)
        add_view(i % 2 == 0 ? "pad" : "pad row that is out of line", i);
    std::vector<bool> valid;
    for (std::size_t r = 0; r < values.size(); ++r) {
        add_view(values[r].value_or(""), pad + r);
        valid.push_back(values[r].has_value());
    }
    c.length = static_cast<std::int64_t>(values.size());
    c.offset = static_cast<std::int64_t>(pad);
    c.buffers.push_back(std::move(views));
    std::vector<std::uint8_t> sizes;
    for (auto& d : data) {
        const auto size = static_cast<std::int64_t>(d.size());
        sizes.insert(sizes.end(), reinterpret_cast<const std::uint8_t*>(&size),
                     reinterpret_cast<const std::uint8_t*>(&size) + 8);
        c.buffers.emplace_back(d.begin(), d.end());
    }
    c.buffers.push_back(std::move(sizes));
    set_validity(c, valid, pad);
    return c;
}

/// Fixed-size binary "w:<width>"; each non-null value has exactly `width` bytes.
inline TestColumn fixed_bytes(std::string name, std::size_t width,
                              const std::vector<std::optional<std::vector<std::uint8_t>>>& values,
                              std::size_t pad = 3) {
    TestColumn c{std::move(name), "w:" + std::to_string(width)};
    std::vector<std::uint8_t> data(pad * width, 0xA5);
    std::vector<bool> valid;
    for (const auto& v : values) {
        if (v)
            data.insert(data.end(), v->begin(), v->end());
        else
            data.resize(data.size() + width, 0);
        valid.push_back(v.has_value());
    }
    c.length = static_cast<std::int64_t>(values.size());  // logical: the pad is the offset
    c.offset = static_cast<std::int64_t>(pad);
    c.buffers.push_back(std::move(data));
    set_validity(c, valid, pad);
    return c;
}

/// list<float64> ("+l"), or fixed_size_list<float64, width> ("+w:<width>") when width > 0.
/// The child array has its own offset (2 junk elements in front).
inline TestColumn list_f64(std::string name,
                           const std::vector<std::optional<std::vector<double>>>& values,
                           std::size_t fixed_width = 0, std::size_t pad = 3) {
    TestColumn c{std::move(name), fixed_width > 0 ? "+w:" + std::to_string(fixed_width) : "+l"};
    std::vector<std::optional<double>> elements{999.0, 998.0};  // the child's own pad
    const std::int64_t child_pad = 2;
    std::vector<std::int32_t> offsets{0};
    std::vector<bool> valid;
    for (std::size_t i = 0; i < pad; ++i) {
        if (fixed_width > 0) {
            for (std::size_t k = 0; k < fixed_width; ++k)
                elements.push_back(-1.0);
        }
        offsets.push_back(offsets.back() + static_cast<std::int32_t>(fixed_width));
    }
    for (const auto& v : values) {
        if (v) {
            for (double d : *v)
                elements.push_back(d);
        } else if (fixed_width > 0) {
            for (std::size_t k = 0; k < fixed_width; ++k)
                elements.push_back(0.0);
        }
        offsets.push_back(static_cast<std::int32_t>(elements.size()) -
                          static_cast<std::int32_t>(child_pad));
        valid.push_back(v.has_value());
    }
    std::vector<std::optional<double>> child_values(elements.begin() + child_pad, elements.end());
    TestColumn child =
        fixed<double>("item", "g", child_values, static_cast<std::size_t>(child_pad));
    c.children.push_back(std::move(child));
    c.length = static_cast<std::int64_t>(values.size());  // logical: the pad is the offset
    c.offset = static_cast<std::int64_t>(pad);
    if (fixed_width == 0) {
        std::vector<std::uint8_t> off(offsets.size() * 4);
        std::memcpy(off.data(), offsets.data(), off.size());
        c.buffers.push_back(std::move(off));
    }
    set_validity(c, valid, pad);
    return c;
}

/// list<list<float64>> ("+l" of "+l"): row r is a matrix given as its rows, or NULL. The
/// inner list has its own offset (2 empty junk lists in front), the leaf too.
inline TestColumn nested_list_f64(
    std::string name, const std::vector<std::optional<std::vector<std::vector<double>>>>& values,
    std::size_t pad = 3) {
    TestColumn c{std::move(name), "+l"};
    std::vector<std::optional<std::vector<double>>> inner_rows;
    std::vector<std::int32_t> offsets(pad + 1, 0);
    std::vector<bool> valid;
    for (const auto& v : values) {
        if (v) {
            for (const auto& row : *v)
                inner_rows.emplace_back(row);
        }
        offsets.push_back(static_cast<std::int32_t>(inner_rows.size()));
        valid.push_back(v.has_value());
    }
    c.children.push_back(list_f64("inner", inner_rows, 0, 2));
    c.length = static_cast<std::int64_t>(values.size());
    c.offset = static_cast<std::int64_t>(pad);
    std::vector<std::uint8_t> off(offsets.size() * 4);
    std::memcpy(off.data(), offsets.data(), off.size());
    c.buffers.push_back(std::move(off));
    set_validity(c, valid, pad);
    return c;
}

/// dictionary-encoded utf8 with index type T ("c", "s", "i", "C", ...).
template <typename T>
TestColumn dictionary(std::string name, std::string index_format,
                      const std::vector<std::string>& dict,
                      const std::vector<std::optional<T>>& codes, std::size_t pad = 3) {
    TestColumn c = fixed<T>(std::move(name), std::move(index_format), codes, pad);
    std::vector<std::optional<std::string>> entries(dict.begin(), dict.end());
    c.dictionary = std::make_shared<TestColumn>(strings("", "u", entries, 1));
    return c;
}

/// Counts release calls of the test's own (borrowed) structs.
inline int& borrowed_release_calls() {
    static int calls = 0;
    return calls;
}

/// Owns the ArrowSchema/ArrowArray tree of a TestColumn list (a "+s" record batch). The
/// library only borrows them; release() here counts calls in borrowed_release_calls().
class TestBatch {
  public:
    explicit TestBatch(std::vector<TestColumn> columns, std::int64_t rows,
                       std::int64_t parent_offset = 0)
        : columns_(std::move(columns)) {
        root_schema_.format = "+s";
        root_schema_.name = "";
        root_array_.length = rows;
        root_array_.offset = parent_offset;
        root_array_.n_buffers = 1;
        root_buffers_.push_back(nullptr);
        root_array_.buffers = root_buffers_.data();
        for (auto& c : columns_) {
            schema_children_.push_back(build_schema(c));
            array_children_.push_back(build_array(c));
        }
        root_schema_.n_children = root_array_.n_children =
            static_cast<std::int64_t>(columns_.size());
        root_schema_.children = schema_children_.data();
        root_array_.children = array_children_.data();
        root_schema_.release = [](ArrowSchema*) { ++borrowed_release_calls(); };
        root_array_.release = [](ArrowArray*) { ++borrowed_release_calls(); };
    }
    TestBatch(const TestBatch&) = delete;
    TestBatch& operator=(const TestBatch&) = delete;

    const ArrowSchema& schema() const { return root_schema_; }
    const ArrowArray& array() const { return root_array_; }
    ArrowSchema& schema() { return root_schema_; }
    ArrowArray& array() { return root_array_; }

  private:
    struct Node {
        ArrowSchema schema{};
        ArrowArray array{};
        std::vector<const void*> buffers;
        std::vector<ArrowSchema*> schema_children;
        std::vector<ArrowArray*> array_children;
    };

    ArrowSchema* build_schema(TestColumn& c) {
        auto& n = node(c);
        n.schema.format = c.format.c_str();
        n.schema.name = c.name.c_str();
        n.schema.metadata = c.metadata.empty() ? nullptr : c.metadata.data();
        n.schema.flags = ARROW_FLAG_NULLABLE;
        for (auto& child : c.children)
            n.schema_children.push_back(build_schema(child));
        n.schema.n_children = static_cast<std::int64_t>(c.children.size());
        n.schema.children = n.schema_children.data();
        n.schema.dictionary = c.dictionary ? build_schema(*c.dictionary) : nullptr;
        n.schema.release = [](ArrowSchema*) { ++borrowed_release_calls(); };
        return &n.schema;
    }
    ArrowArray* build_array(TestColumn& c) {
        auto& n = node(c);
        n.array.length = c.length;
        n.array.offset = c.offset;
        n.array.null_count = c.null_count;
        for (auto& b : c.buffers)
            n.buffers.push_back(b.empty() ? nullptr : b.data());
        n.array.n_buffers = static_cast<std::int64_t>(n.buffers.size());
        n.array.buffers = n.buffers.data();
        for (auto& child : c.children)
            n.array_children.push_back(build_array(child));
        n.array.n_children = static_cast<std::int64_t>(c.children.size());
        n.array.children = n.array_children.data();
        n.array.dictionary = c.dictionary ? build_array(*c.dictionary) : nullptr;
        n.array.release = [](ArrowArray*) { ++borrowed_release_calls(); };
        return &n.array;
    }
    Node& node(TestColumn& c) {
        auto& slot = nodes_[&c];
        if (!slot)
            slot = std::make_unique<Node>();
        return *slot;
    }

    std::vector<TestColumn> columns_;
    std::map<const TestColumn*, std::unique_ptr<Node>> nodes_;
    ArrowSchema root_schema_{};
    ArrowArray root_array_{};
    std::vector<const void*> root_buffers_;
    std::vector<ArrowSchema*> schema_children_;
    std::vector<ArrowArray*> array_children_;
};

/// Wraps every release callback of an exported tree (children and dictionaries too) so each
/// call is counted; a second call of the same struct is recorded as a double release.
class ReleaseCounter {
  public:
    static ReleaseCounter& instance() {
        static ReleaseCounter counter;
        return counter;
    }
    void wrap(ArrowSchema* s) {
        for (std::int64_t i = 0; i < s->n_children; ++i)
            wrap(s->children[i]);
        if (s->dictionary)
            wrap(s->dictionary);
        schemas_[s] = s->release;
        s->release = [](ArrowSchema* x) { instance().on_release(x); };
        ++wrapped;
    }
    void wrap(ArrowArray* a) {
        for (std::int64_t i = 0; i < a->n_children; ++i)
            wrap(a->children[i]);
        if (a->dictionary)
            wrap(a->dictionary);
        arrays_[a] = a->release;
        a->release = [](ArrowArray* x) { instance().on_release(x); };
        ++wrapped;
    }
    void reset() {
        wrapped = calls = unknown = 0;
        schemas_.clear();
        arrays_.clear();
    }
    [[nodiscard]] bool all_released_once() const {
        return unknown == 0 && calls == wrapped && schemas_.empty() && arrays_.empty();
    }
    int wrapped = 0;
    int calls = 0;
    int unknown = 0;  // releases of structs not (or no longer) wrapped: double releases

  private:
    void on_release(ArrowSchema* s) {
        ++calls;
        auto it = schemas_.find(s);
        if (it == schemas_.end()) {
            ++unknown;
            return;
        }
        auto original = it->second;
        schemas_.erase(it);
        original(s);
    }
    void on_release(ArrowArray* a) {
        ++calls;
        auto it = arrays_.find(a);
        if (it == arrays_.end()) {
            ++unknown;
            return;
        }
        auto original = it->second;
        arrays_.erase(it);
        original(a);
    }
    std::map<ArrowSchema*, void (*)(ArrowSchema*)> schemas_;
    std::map<ArrowArray*, void (*)(ArrowArray*)> arrays_;
};

}  // namespace questdb::arrow::test
