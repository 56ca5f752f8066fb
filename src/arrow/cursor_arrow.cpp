// Cursor -> Arrow: next_arrow_batch, fetch_all_arrow and the ArrowArrayStream adapter.

#include <cerrno>
#include <exception>
#include <memory>
#include <string>

#include "arrow/export_builder.hpp"
#include "questdb/arrow.hpp"
#include "questdb/egress/reader.hpp"

namespace questdb::egress {

bool Cursor::next_arrow_batch(ArrowSchema* schema, ArrowArray* array) {
    if (schema == nullptr || array == nullptr) {
        throw Error(ErrorCode::invalid_api_call, "next_arrow_batch: null output pointer");
    }
    auto batch = next_batch();
    if (!batch) {
        schema->release = nullptr;
        array->release = nullptr;
        return false;
    }
    arrow::detail::BatchBuilder builder;
    builder.append(*batch);
    ArrowSchema s{};
    builder.make_schema(&s);
    builder.finish_array(array);  // noexcept apart from allocation
    *schema = s;
    return true;
}

std::int64_t Cursor::fetch_all_arrow(ArrowSchema* schema, ArrowArray* array) {
    if (schema == nullptr || array == nullptr) {
        throw Error(ErrorCode::invalid_api_call, "fetch_all_arrow: null output pointer");
    }
    arrow::detail::BatchBuilder builder;
    while (auto batch = next_batch()) {
        builder.append(*batch);
    }
    const auto rows = builder.rows();
    ArrowSchema s{};
    builder.make_schema(&s);
    builder.finish_array(array);
    *schema = s;
    return rows;
}

namespace {

// The stream's private data: the cursor, the schema (fixed by the first batch) and a batch
// read ahead by get_schema().
struct StreamState {
    explicit StreamState(Cursor&& c) : cursor(std::move(c)) {}
    Cursor cursor;
    arrow::detail::BatchBuilder builder;
    bool read_ahead = false;  // builder holds an unexported batch
    bool finished = false;
    std::string last_error;
};

StreamState& state_of(ArrowArrayStream* stream) {
    return *static_cast<StreamState*>(stream->private_data);
}

// Pulls one batch into the builder; false at the end.
bool pull(StreamState& s) {
    if (s.finished) {
        return false;
    }
    auto batch = s.cursor.next_batch();
    if (!batch) {
        s.finished = true;
        return false;
    }
    s.builder.append(*batch);
    return true;
}

int get_schema(ArrowArrayStream* stream, ArrowSchema* out) {
    auto& s = state_of(stream);
    try {
        if (!s.builder.has_columns() && !s.finished) {
            s.read_ahead = pull(s);
        }
        s.builder.make_schema(out);
        return 0;
    } catch (const std::exception& e) {
        s.last_error = e.what();
        return EIO;
    }
}

int get_next(ArrowArrayStream* stream, ArrowArray* out) {
    auto& s = state_of(stream);
    try {
        if (!s.read_ahead && !pull(s)) {
            out->release = nullptr;  // end of stream
            return 0;
        }
        s.read_ahead = false;
        s.builder.finish_array(out);
        return 0;
    } catch (const std::exception& e) {
        s.last_error = e.what();
        return EIO;
    }
}

const char* get_last_error(ArrowArrayStream* stream) {
    auto& s = state_of(stream);
    return s.last_error.empty() ? nullptr : s.last_error.c_str();
}

void release_stream(ArrowArrayStream* stream) {
    delete static_cast<StreamState*>(stream->private_data);
    stream->private_data = nullptr;
    stream->release = nullptr;
}

}  // namespace

void Cursor::as_arrow_stream(ArrowArrayStream* stream) {
    if (stream == nullptr) {
        throw Error(ErrorCode::invalid_api_call, "as_arrow_stream: null output pointer");
    }
    auto state = std::make_unique<StreamState>(std::move(*this));
    stream->get_schema = &get_schema;
    stream->get_next = &get_next;
    stream->get_last_error = &get_last_error;
    stream->release = &release_stream;
    stream->private_data = state.release();
}

}  // namespace questdb::egress
