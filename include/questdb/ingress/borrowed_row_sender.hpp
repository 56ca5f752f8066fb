#pragma once

/// @file
/// `BorrowedRowSender`: the row-major store-and-forward sender borrowed from a QuestDb pool.

#include <utility>

#include "questdb/ingress/sender.hpp"

namespace questdb {
class QuestDb;
}

namespace questdb::ingress {

/// A row sender borrowed with `QuestDb::borrow_row_sender()`. `->` and `*` reach the
/// `Sender`: `new_buffer()`, `flush(Buffer&)`, `flush_and_keep`, `flush_and_get_fsn`,
/// `published_fsn()`, `acked_fsn()`, `wait(AckLevel, timeout)`, `poll_qwp_ws_error()`,
/// `must_close()`.
///
/// As with `SfColumnSender`, `flush` encodes and appends to the store-and-forward queue and
/// returns without a network round trip; `wait` blocks until the server acknowledged.
/// `transactional_flush` refuses a buffer spanning several tables and otherwise flushes it
/// as one frame group, which the server commits atomically.
///
/// Lifetime and threads: returned to its pool on destruction; bound to the borrowing thread
/// (any use from another thread throws `invalid_api_call`). Move-only.
class BorrowedRowSender {
public:
    /// Moves the borrow; the moved-from object only may be destroyed or assigned to.
    BorrowedRowSender(BorrowedRowSender&&) noexcept = default;
    /// Returns the current borrow (if any) and takes over `other`.
    BorrowedRowSender& operator=(BorrowedRowSender&&) noexcept = default;
    BorrowedRowSender(const BorrowedRowSender&) = delete;
    BorrowedRowSender& operator=(const BorrowedRowSender&) = delete;
    ~BorrowedRowSender() = default;

    /// The borrowed sender. Never throws; the sender checks the calling thread.
    Sender* operator->() noexcept { return &sender_; }
    /// The borrowed sender (read-only).
    const Sender* operator->() const noexcept { return &sender_; }
    /// The borrowed sender.
    Sender& operator*() noexcept { return sender_; }
    /// The borrowed sender (read-only).
    const Sender& operator*() const noexcept { return sender_; }

private:
    friend class questdb::QuestDb;
    explicit BorrowedRowSender(Sender sender) noexcept : sender_(std::move(sender)) {}
    Sender sender_;
};

}  // namespace questdb::ingress
