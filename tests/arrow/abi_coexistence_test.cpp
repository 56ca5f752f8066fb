// questdb/arrow.hpp after another copy of the C Data Interface (as arrow/c/abi.h or nanoarrow
// declare it, guarded by the same macros): the structs are the same types, so a producer's
// structs pass straight into the library.

#include <gtest/gtest.h>

#include <cstdint>
#include <type_traits>

// The producer's header first (a verbatim copy of the spec's declarations).
#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE
#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4
extern "C" {
struct ArrowSchema {
    const char* format;
    const char* name;
    const char* metadata;
    int64_t flags;
    int64_t n_children;
    struct ArrowSchema** children;
    struct ArrowSchema* dictionary;
    void (*release)(struct ArrowSchema*);
    void* private_data;
};
struct ArrowArray {
    int64_t length;
    int64_t null_count;
    int64_t offset;
    int64_t n_buffers;
    int64_t n_children;
    const void** buffers;
    struct ArrowArray** children;
    struct ArrowArray* dictionary;
    void (*release)(struct ArrowArray*);
    void* private_data;
};
}
#endif
#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE
extern "C" {
struct ArrowArrayStream {
    int (*get_schema)(struct ArrowArrayStream*, struct ArrowSchema* out);
    int (*get_next)(struct ArrowArrayStream*, struct ArrowArray* out);
    const char* (*get_last_error)(struct ArrowArrayStream*);
    void (*release)(struct ArrowArrayStream*);
    void* private_data;
};
}
#endif

#include "questdb/questdb.hpp"

namespace {

using FlushArrow = void (questdb::QuestDb::*)(std::string_view, const ArrowSchema&,
                                              const ArrowArray&, std::optional<std::string_view>,
                                              std::span<const questdb::arrow::ColumnOverride>,
                                              std::optional<questdb::ingress::AckLevel>,
                                              const questdb::arrow::IngestOptions&);
static_assert(std::is_same_v<decltype(&questdb::QuestDb::flush_arrow_batch), FlushArrow>);
static_assert(sizeof(ArrowSchema) == 9 * 8 && sizeof(ArrowArray) == 10 * 8);
static_assert(std::is_standard_layout_v<ArrowArrayStream>);

TEST(ArrowAbi, ProducerHeaderFirstCompilesAndReleaseHelperWorks) {
    static int released = 0;
    ArrowArray array{};
    array.release = [](ArrowArray* a) {
        ++released;
        a->release = nullptr;
    };
    questdb::arrow::release(&array);
    questdb::arrow::release(&array);  // already released: no second call
    questdb::arrow::release(static_cast<ArrowArray*>(nullptr));
    EXPECT_EQ(released, 1);
}

}  // namespace
