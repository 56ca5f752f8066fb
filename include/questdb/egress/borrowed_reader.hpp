#pragma once

/// @file
/// `BorrowedReader`: a query reader borrowed from a QuestDb pool.

#include <memory>

#include "questdb/egress/reader.hpp"
#include "questdb/export.hpp"

namespace questdb {
class QuestDb;
namespace detail {
class ReaderLease;
}
}  // namespace questdb

namespace questdb::egress {

/// A reader borrowed with `QuestDb::borrow_reader()`; `->` and `*` reach the `Reader`
/// (`prepare(sql)`, `execute(sql)`, `server_info()` ...). Drain or cancel every cursor
/// before the borrow ends: a reader returned mid-query is closed, not recycled.
///
/// Lifetime and threads: returned to its pool on destruction (a disconnected reader is
/// closed instead); bound to the borrowing thread — reaching the Reader from another thread
/// throws `Error` with `invalid_api_call`. Move-only.
class QUESTDB_API BorrowedReader {
public:
    /// Moves the borrow; the moved-from object only may be destroyed or assigned to.
    BorrowedReader(BorrowedReader&&) noexcept;
    /// Returns the current borrow (if any) and takes over `other`.
    BorrowedReader& operator=(BorrowedReader&&) noexcept;
    BorrowedReader(const BorrowedReader&) = delete;
    BorrowedReader& operator=(const BorrowedReader&) = delete;
    ~BorrowedReader();

    /// The reader. @throws Error invalid_api_call from another thread or after a move.
    Reader* operator->();
    /// The reader. @throws Error invalid_api_call from another thread or after a move.
    Reader& operator*();

    /// Forces the reader to be closed instead of recycled when the borrow ends.
    void mark_must_close() noexcept;

private:
    friend class questdb::QuestDb;
    explicit BorrowedReader(std::unique_ptr<::questdb::detail::ReaderLease> lease) noexcept;
    std::unique_ptr<::questdb::detail::ReaderLease> lease_;
};

}  // namespace questdb::egress
