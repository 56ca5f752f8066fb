#pragma once

// Buffer internals. A Buffer has one storage backend per protocol; today only QWP rows
// (QwpRowStore). Another backend (ILP lines) slots in as a second member plus a `mode`
// value, and the public setters switch on the mode: a predictable branch, no virtual call
// per value.

#include "ingress/qwp_row_store.hpp"
#include "questdb/ingress/buffer.hpp"

namespace questdb::ingress {

struct Buffer::Impl {
    enum class Mode : std::uint8_t { qwp };

    explicit Impl(const BufferOptions& o) : options(o), qwp(o) {}

    BufferOptions options;
    Mode mode = Mode::qwp;
    QwpRowStore qwp;
};

struct BufferAccess {
    static QwpRowStore& qwp(const Buffer& buffer) { return buffer.impl_->qwp; }
};

}  // namespace questdb::ingress
