// Small helpers shared by the examples (not part of the library): where the connect string
// comes from, a check that fails the program, and reading a table back through the reader.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <questdb/questdb.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

namespace example {

/// The connect string: argv[1], else QDB_CLIENT_CONF, else `fallback`.
inline std::string connect_string(int argc, char** argv,
                                  std::string_view fallback = "ws::addr=localhost:9000;") {
    if (argc > 1 && argv[1][0] != '\0') {
        return argv[1];
    }
    if (const char* env = std::getenv("QDB_CLIENT_CONF"); env != nullptr && *env != '\0') {
        return env;
    }
    return std::string(fallback);
}

/// Fails the example (main catches it and exits non-zero) when `ok` is false.
inline void check(bool ok, const std::string& what) {
    if (!ok) {
        throw std::runtime_error("check failed: " + what);
    }
}

/// A table name unique to this run, so that repeated runs against a real QuestDB do not mix.
inline std::string unique_table(std::string_view base) {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return std::string(base) + "_" +
           std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
}

/// Counts the rows `SELECT * FROM table` returns (streaming every batch).
inline std::uint64_t count_rows(questdb::QuestDb& db, const std::string& table) {
    auto reader = db.borrow_reader();
    auto cursor = reader->execute("SELECT * FROM " + table);
    std::uint64_t rows = 0;
    while (auto batch = cursor.next_batch()) {
        rows += batch->row_count();
    }
    return rows;
}

/// Waits until `table` holds `expected` rows. QuestDB applies acknowledged (WAL-committed)
/// rows to the table asynchronously, so a read right after `wait` may briefly see fewer.
inline void expect_rows(questdb::QuestDb& db, const std::string& table, std::uint64_t expected,
                        std::chrono::seconds timeout = std::chrono::seconds(30)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::uint64_t seen = 0;
    for (;;) {
        try {
            seen = count_rows(db, table);
        } catch (const questdb::Error&) {
            // The table may not be visible yet on a real server.
            if (std::chrono::steady_clock::now() >= deadline) {
                throw;
            }
        }
        if (seen >= expected || std::chrono::steady_clock::now() >= deadline) {
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    check(seen == expected,
          table + " holds " + std::to_string(seen) + " rows, expected " + std::to_string(expected));
}

/// Runs `body`, printing a questdb::Error with its code; returns the process exit status.
template <typename Body>
int run(Body&& body) {
    try {
        body();
        return 0;
    } catch (const questdb::Error& e) {
        std::cerr << "error (" << questdb::to_string(e.error_code()) << "): " << e.what() << "\n";
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
    }
    return 1;
}

}  // namespace example
