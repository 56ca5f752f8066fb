// pool_disk_flusher <connect string> <first batch>
//
// The process that pool_disk_test SIGKILLs at a random moment: it borrows a column sender,
// flushes batch after batch from <first batch> on, and after each flush() returns writes a
// FlushReport to fd 3. It runs until killed; exit status 2 means a flush threw (the message
// goes to stderr), 3 that the report pipe broke, 64 a usage error.
//
// It is a program of its own, started with posix_spawn, rather than a fork() of the test: a
// forked child of the multithreaded test (the test server's threads run there) inherits any
// lock another thread held at the fork, and the sender it then starts can deadlock on it.

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>

#include "disk_batches.hpp"
#include "questdb/db.hpp"

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s <connect string> <first batch>\n", argv[0]);
        return 64;
    }
    try {
        auto db = questdb::QuestDb::connect(argv[1]);
        auto sender = db.borrow_column_sender();
        for (std::int64_t b = std::strtoll(argv[2], nullptr, 10);; ++b) {
            questdb::test::flush_batch(sender, b);
            const auto acked = sender.acked_fsn();
            const questdb::test::FlushReport report{b, sender.published_fsn().value_or(0),
                                                    acked ? *acked + 1 : 0};
            if (::write(questdb::test::kFlushReportFd, &report, sizeof report) != sizeof report) {
                return 3;
            }
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "pool_disk_flusher: %s\n", e.what());
        return 2;
    }
}
