// Compile-time probes: borrows are move-only, so a borrow cannot be shared by copying it
// to another thread or kept after it was returned. If any assertion here stopped holding,
// this file would fail to compile.

#include <gtest/gtest.h>

#include <type_traits>

#include "questdb/questdb.hpp"

namespace {

using questdb::egress::BorrowedReader;
using questdb::ingress::BorrowedRowSender;
using questdb::ingress::SfColumnSender;

static_assert(!std::is_copy_constructible_v<SfColumnSender>);
static_assert(!std::is_copy_assignable_v<SfColumnSender>);
static_assert(std::is_nothrow_move_constructible_v<SfColumnSender>);
static_assert(!std::is_copy_constructible_v<BorrowedRowSender>);
static_assert(!std::is_copy_assignable_v<BorrowedRowSender>);
static_assert(std::is_nothrow_move_constructible_v<BorrowedRowSender>);
static_assert(!std::is_copy_constructible_v<BorrowedReader>);
static_assert(!std::is_copy_assignable_v<BorrowedReader>);
static_assert(std::is_nothrow_move_constructible_v<BorrowedReader>);
// The pool handle itself is a shared, copyable handle.
static_assert(std::is_copy_constructible_v<questdb::QuestDb>);
// Borrows are only made by the pool.
static_assert(!std::is_default_constructible_v<SfColumnSender>);
static_assert(!std::is_default_constructible_v<BorrowedRowSender>);
static_assert(!std::is_default_constructible_v<BorrowedReader>);

TEST(BorrowTraits, BorrowsAreMoveOnlyAndMadeOnlyByThePool) {
    SUCCEED() << "checked at compile time";
}

}  // namespace
