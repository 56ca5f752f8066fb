#pragma once

// Buffer internals. A Buffer has one storage backend per protocol; today only QWP rows
// (QwpRowStore). Another backend (ILP lines) slots in as a second member plus a `mode`
// value, and the public setters switch on the mode: a predictable branch, no virtual call
// per value.

#include <memory>
#include <vector>

#include "ilp/line_buffer.hpp"
#include "ingress/qwp_row_store.hpp"
#include "questdb/ingress/buffer.hpp"

namespace questdb::ingress {

struct Buffer::Impl {
    enum class Mode : std::uint8_t { qwp, ilp };

    explicit Impl(const BufferOptions& o) : options(o), qwp(o) {}

    BufferOptions options;
    Mode mode = Mode::qwp;
    QwpRowStore qwp;
    /// Set in ILP mode (Buffer::ilp): the rows live here as ILP lines instead.
    std::unique_ptr<ilp::LineBuffer> ilp;
    /// Flattened nested arrays (Buffer::column_arr_nested), reused across rows.
    std::vector<double> array_f64;
    std::vector<std::int64_t> array_i64;
};

struct BufferAccess {
    static QwpRowStore& qwp(const Buffer& buffer) { return buffer.impl_->qwp; }
    /// The ILP lines of an ILP-mode buffer; nullptr for a QWP buffer.
    static ilp::LineBuffer* ilp(const Buffer& buffer) { return buffer.impl_->ilp.get(); }
};

}  // namespace questdb::ingress
