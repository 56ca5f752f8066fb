// Soak with faults (issue 8): four producers — column sender and row sender, memory and disk
// store-and-forward — write rows with a unique key through QuestDb pool borrows, via a
// FaultProxy that delays, fragments, stalls and cuts the traffic and restarts the test
// server. At the end every row whose flush() returned must be committed (duplicates are
// allowed: delivery is at-least-once; losses are not), memory stays bounded, and the figures
// are printed.
//
//   QUESTDB_SOAK_SECONDS   run time (default 120; 60 under ASan, 30 under TSan)
//   QUESTDB_SOAK_SEED      fault RNG seed (default: random, printed for a re-run)
//   QUESTDB_SOAK_RATE      rows per second per producer (default 1000)

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "questdb/db.hpp"
#include "questdb/ingress/chunk.hpp"
#include "questdb/test_server/server.hpp"
#include "support/fault_proxy.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using questdb::Error;
using questdb::ErrorCode;
using questdb::QuestDb;
using questdb::ingress::AckLevel;
using questdb::ingress::Chunk;
using questdb::test::FaultProxy;
using questdb::test::FaultSchedule;
namespace ts = questdb::test_server;
namespace fs = std::filesystem;

#if defined(__SANITIZE_THREAD__)
constexpr int kDefaultSeconds = 30;
constexpr bool kSanitized = true;
#elif defined(__SANITIZE_ADDRESS__)
constexpr int kDefaultSeconds = 60;
constexpr bool kSanitized = true;
#else
constexpr int kDefaultSeconds = 120;
constexpr bool kSanitized = false;
#endif

constexpr std::int64_t kBaseNanos = 1'700'000'000'000'000'000;
constexpr std::size_t kSymbols = 5;

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
    const char* text = std::getenv(name);
    return text != nullptr && *text != '\0' ? std::strtoull(text, nullptr, 10) : fallback;
}

/// Resident set size of this process (client, proxy and test server together).
std::uint64_t rss_bytes() {
    std::ifstream statm("/proc/self/statm");
    std::uint64_t pages = 0;
    std::uint64_t resident = 0;
    statm >> pages >> resident;
    return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

// Row k of every table: key = k, v = k * 0.5, sym = "S<k % 5>", ts = base + k.
double value_of(std::int64_t key) {
    return static_cast<double>(key) * 0.5;
}

enum class Api { column, row };
enum class Store { memory, disk };

/// One producer thread's identity and what it achieved.
struct Producer {
    Producer(Api a, Store s, std::string t) : api(a), store(s), table(std::move(t)) {}
    Api api;
    Store store;
    std::string table;
    std::int64_t flushed_rows = 0;  ///< keys [0, flushed_rows) were flushed (flush returned)
    std::uint64_t flushes = 0;
    std::uint64_t borrows = 0;
    std::uint64_t backpressure_retries = 0;
    std::uint64_t max_backlog_frames = 0;  ///< published minus acked, sampled after flushes
    std::vector<std::string> errors;       ///< anything unexpected
};

/// Column arrays for one batch of keys [first, first + count); a Chunk borrows them.
struct ColumnBatch {
    ColumnBatch() {
        for (std::size_t s = 0; s < kSymbols; ++s) {
            offsets.push_back(static_cast<std::int32_t>(dict.size()));
            const auto name = "S" + std::to_string(s);
            dict.insert(dict.end(), name.begin(), name.end());
        }
        offsets.push_back(static_cast<std::int32_t>(dict.size()));
    }
    void fill(std::int64_t first, std::size_t count, Chunk& chunk) {
        keys.clear();
        values.clear();
        codes.clear();
        stamps.clear();
        for (std::size_t i = 0; i < count; ++i) {
            const auto key = first + static_cast<std::int64_t>(i);
            keys.push_back(key);
            values.push_back(value_of(key));
            codes.push_back(static_cast<std::int32_t>(key % kSymbols));
            stamps.push_back(kBaseNanos + key);
        }
        chunk.symbol_dict_i32("sym", codes, offsets, dict)
            .column_i64("key", keys)
            .column_f64("v", values)
            .designated_timestamp_nanos(stamps);
    }
    std::vector<std::int64_t> keys;
    std::vector<double> values;
    std::vector<std::int32_t> codes;
    std::vector<std::int32_t> offsets;
    std::vector<std::uint8_t> dict;
    std::vector<std::int64_t> stamps;
};

/// Flushes until the queue takes the rows: at the queue cap flush raises
/// backpressure_timeout and leaves the rows untouched, so the same rows are offered again.
template <typename FlushOnce>
bool flush_until_taken(Producer& producer, Clock::time_point give_up, FlushOnce&& flush_once) {
    for (;;) {
        try {
            flush_once();
            return true;
        } catch (const Error& e) {
            if (e.error_code() != ErrorCode::backpressure_timeout || Clock::now() > give_up) {
                throw;
            }
            ++producer.backpressure_retries;
        }
    }
}

/// Signals the producers that faults have stopped, so they can drain.
struct Phase {
    std::mutex mutex;
    std::condition_variable changed;
    bool quiesced = false;
    void announce_quiesced() {
        {
            std::lock_guard lock(mutex);
            quiesced = true;
        }
        changed.notify_all();
    }
    void await_quiesced() {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return quiesced; });
    }
};

struct Soak {
    std::chrono::seconds duration;
    std::uint64_t seed;
    std::uint64_t rate;
    Clock::time_point started;
    Clock::time_point deadline;
    Phase phase;
    std::atomic<std::uint64_t> rss_peak{0};
};

template <typename Sender>
void record_backlog(Producer& producer, const Sender& sender) {
    const auto published = sender.published_fsn();
    const auto acked = sender.acked_fsn();
    if (published) {
        const auto backlog = *published + 1 - (acked ? *acked + 1 : 0);
        producer.max_backlog_frames = std::max(producer.max_backlog_frames, backlog);
    }
}

/// Paces a producer to `rate` rows per second: load shaping, not synchronisation.
void pace(const Soak& soak, std::int64_t rows_so_far) {
    const auto due = soak.started + std::chrono::microseconds(rows_so_far * 1'000'000 /
                                                              static_cast<std::int64_t>(soak.rate));
    std::this_thread::sleep_until(std::min(due, soak.deadline));
}

/// After the faults stop: waits until the server acknowledged everything the producer's
/// connection published (a fresh borrow gets the same pooled connection).
template <typename Sender, typename Borrow>
void drain(Producer& producer, std::optional<Sender>& sender, Borrow&& borrow) {
    try {
        if (!sender)
            sender.emplace(borrow());
        if constexpr (std::is_same_v<Sender, questdb::ingress::SfColumnSender>) {
            sender->wait(AckLevel::ok, 60s);
        } else {
            (*sender)->wait(AckLevel::ok, 60s);
        }
    } catch (const Error& e) {
        producer.errors.push_back(std::string("final drain: ") + e.what());
    }
}

void run_column_producer(Soak& soak, QuestDb& db, Producer& producer, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    ColumnBatch batch;
    std::optional<questdb::ingress::SfColumnSender> sender;
    while (Clock::now() < soak.deadline) {
        try {
            sender.reset();  // back to the pool, then borrow again
            sender.emplace(db.borrow_column_sender());
            ++producer.borrows;
            const auto flushes = std::uniform_int_distribution<int>(1, 40)(rng);
            for (int f = 0; f < flushes && Clock::now() < soak.deadline; ++f) {
                const auto rows = std::uniform_int_distribution<std::size_t>(1, 200)(rng);
                Chunk chunk(producer.table);
                batch.fill(producer.flushed_rows, rows, chunk);
                flush_until_taken(producer, soak.deadline + 30s, [&] { sender->flush(chunk); });
                producer.flushed_rows += static_cast<std::int64_t>(rows);
                ++producer.flushes;
                record_backlog(producer, *sender);
                pace(soak, producer.flushed_rows);
            }
        } catch (const Error& e) {
            producer.errors.push_back(e.what());
            if (producer.errors.size() > 20)
                break;
        }
    }
    soak.phase.await_quiesced();
    drain(producer, sender, [&] { return db.borrow_column_sender(); });
}

void run_row_producer(Soak& soak, QuestDb& db, Producer& producer, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::optional<questdb::ingress::BorrowedRowSender> sender;
    while (Clock::now() < soak.deadline) {
        try {
            sender.reset();
            sender.emplace(db.borrow_row_sender());
            ++producer.borrows;
            auto buffer = (*sender)->new_buffer();
            const auto flushes = std::uniform_int_distribution<int>(1, 40)(rng);
            for (int f = 0; f < flushes && Clock::now() < soak.deadline; ++f) {
                const auto rows = std::uniform_int_distribution<std::int64_t>(1, 200)(rng);
                buffer.clear();
                for (std::int64_t key = producer.flushed_rows; key < producer.flushed_rows + rows;
                     ++key) {
                    buffer.table(producer.table)
                        .symbol("sym",
                                "S" + std::to_string(key % static_cast<std::int64_t>(kSymbols)))
                        .column_i64("key", key)
                        .column_f64("v", value_of(key))
                        .at(questdb::ingress::TimestampNanos(kBaseNanos + key));
                }
                flush_until_taken(producer, soak.deadline + 30s, [&] { (*sender)->flush(buffer); });
                producer.flushed_rows += rows;
                ++producer.flushes;
                record_backlog(producer, **sender);
                pace(soak, producer.flushed_rows);
            }
        } catch (const Error& e) {
            producer.errors.push_back(e.what());
            if (producer.errors.size() > 20)
                break;
        }
    }
    soak.phase.await_quiesced();
    drain(producer, sender, [&] { return db.borrow_row_sender(); });
}

/// What the server committed for one producer's table.
struct Verdict {
    std::uint64_t committed_rows = 0;
    std::uint64_t unique = 0;
    std::uint64_t duplicates = 0;
    std::uint64_t lost = 0;
    std::uint64_t phantoms = 0;  ///< keys never flushed
    std::uint64_t corrupt = 0;   ///< a row whose columns do not match its key
    std::int64_t first_lost = -1;
};

Verdict verify(const ts::Server& server, const Producer& producer) {
    Verdict verdict;
    std::vector<std::uint8_t> seen(static_cast<std::size_t>(producer.flushed_rows), 0);
    const auto table = server.table(producer.table);  // rows() borrows the snapshot
    for (const auto& row : table.rows()) {
        ++verdict.committed_rows;
        const auto key = row.i64("key");
        if (key < 0 || key >= producer.flushed_rows) {
            ++verdict.phantoms;
            continue;
        }
        if (row.f64("v") != value_of(key) ||
            row.str("sym") != "S" + std::to_string(key % static_cast<std::int64_t>(kSymbols)) ||
            row.timestamp() != kBaseNanos + key) {
            ++verdict.corrupt;
        }
        auto& count = seen[static_cast<std::size_t>(key)];
        if (count++ > 0) {
            ++verdict.duplicates;
        } else {
            ++verdict.unique;
        }
    }
    for (std::size_t key = 0; key < seen.size(); ++key) {
        if (seen[key] == 0) {
            if (verdict.lost++ == 0)
                verdict.first_lost = static_cast<std::int64_t>(key);
        }
    }
    return verdict;
}

FaultSchedule soak_schedule() {
    FaultSchedule s;
    s.delay_probability = 0.05;
    s.delay_min = 1ms;
    s.delay_max = 50ms;
    s.fragment_probability = 0.05;
    s.fragment_max_bytes = 64;
    s.stall_probability = 0.005;
    s.stall_min = 200ms;
    s.stall_max = 1500ms;
    s.cut_probability = 0.003;
    s.restart_every_min = 4s;
    s.restart_every_max = 12s;
    s.downtime_min = 0ms;
    s.downtime_max = 2s;
    return s;
}

const char* name_of(Api api, Store store) {
    if (api == Api::column)
        return store == Store::memory ? "column/memory" : "column/disk";
    return store == Store::memory ? "row/memory" : "row/disk";
}

TEST(SoakWithFaults, EveryFlushedRowIsCommittedThroughFaultsAndRestarts) {
    Soak soak;
    soak.duration = std::chrono::seconds(env_number("QUESTDB_SOAK_SECONDS", kDefaultSeconds));
    soak.seed = env_number("QUESTDB_SOAK_SEED", std::random_device{}());
    soak.rate = std::max<std::uint64_t>(1, env_number("QUESTDB_SOAK_RATE", 1000));
    std::printf(
        "soak: %lld s, seed %llu (QUESTDB_SOAK_SEED=%llu re-runs this schedule), %llu rows/s per "
        "producer\n",
        static_cast<long long>(soak.duration.count()), static_cast<unsigned long long>(soak.seed),
        static_cast<unsigned long long>(soak.seed), static_cast<unsigned long long>(soak.rate));

    ts::Server server;
    server.start();
    FaultProxy proxy(server.port(), soak.seed, soak_schedule());
    proxy.set_server_hooks([&] { server.stop(); }, [&] { server.start(); });
    proxy.start();

    const auto dir = fs::temp_directory_path() / ("questdb-soak-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    const std::string common =
        "ws::addr=" + proxy.address() +
        ";reconnect_initial_backoff_millis=10;reconnect_max_backoff_millis=250;"
        "initial_connect_retry=on;sf_append_deadline_millis=1000;";
    // Small queue caps so outages fill them: flush then meets back-pressure, and the disk
    // queue rotates segments often.
    auto memory_db = QuestDb::connect(common + "sf_max_segment_bytes=16k;sf_max_total_bytes=48k;");
    auto column_disk_db = QuestDb::connect(common + "sf_dir=" + (dir / "column").string() +
                                           ";sf_max_segment_bytes=32k;sf_max_total_bytes=256k;");
    auto row_disk_db = QuestDb::connect(common + "sf_dir=" + (dir / "row").string() +
                                        ";sf_max_segment_bytes=32k;sf_max_total_bytes=256k;");

    std::vector<Producer> producers;
    producers.emplace_back(Api::column, Store::memory, "soak_column_memory");
    producers.emplace_back(Api::row, Store::memory, "soak_row_memory");
    producers.emplace_back(Api::column, Store::disk, "soak_column_disk");
    producers.emplace_back(Api::row, Store::disk, "soak_row_disk");
    QuestDb* dbs[] = {&memory_db, &memory_db, &column_disk_db, &row_disk_db};

    const auto rss_baseline = rss_bytes();
    soak.rss_peak = rss_baseline;
    soak.started = Clock::now();
    soak.deadline = soak.started + soak.duration;
    std::atomic<bool> sampling{true};
    std::mutex sample_mutex;
    std::condition_variable sample_stop;
    std::thread sampler([&] {
        std::unique_lock lock(sample_mutex);
        while (!sample_stop.wait_for(lock, 200ms, [&] { return !sampling.load(); })) {
            soak.rss_peak = std::max(soak.rss_peak.load(), rss_bytes());
        }
    });

    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < producers.size(); ++i) {
        threads.emplace_back([&, i] {
            auto& producer = producers[i];
            if (producer.api == Api::column) {
                run_column_producer(soak, *dbs[i], producer, soak.seed + i);
            } else {
                run_row_producer(soak, *dbs[i], producer, soak.seed + i);
            }
        });
    }

    // Faults run until the deadline; then the proxy turns faithful and the producers drain.
    while (Clock::now() < soak.deadline) {
        std::this_thread::sleep_until(soak.deadline);
    }
    proxy.quiesce();
    const auto faults = proxy.counts();
    soak.phase.announce_quiesced();
    for (auto& t : threads)
        t.join();
    const auto drained_after = Clock::now() - soak.deadline;
    {
        std::lock_guard lock(sample_mutex);
        sampling = false;
    }
    sample_stop.notify_all();
    sampler.join();
    const auto rss_peak = soak.rss_peak.load();

    std::uint64_t total_flushed = 0, total_committed = 0, total_duplicates = 0, total_lost = 0;
    for (const auto& producer : producers) {
        const auto verdict = verify(server, producer);
        total_flushed += static_cast<std::uint64_t>(producer.flushed_rows);
        total_committed += verdict.committed_rows;
        total_duplicates += verdict.duplicates;
        total_lost += verdict.lost;
        std::printf(
            "soak: %-13s rows flushed=%lld committed=%llu duplicates=%llu lost=%llu phantoms=%llu "
            "corrupt=%llu flushes=%llu borrows=%llu backpressure_retries=%llu "
            "max_backlog_frames=%llu\n",
            name_of(producer.api, producer.store), static_cast<long long>(producer.flushed_rows),
            static_cast<unsigned long long>(verdict.committed_rows),
            static_cast<unsigned long long>(verdict.duplicates),
            static_cast<unsigned long long>(verdict.lost),
            static_cast<unsigned long long>(verdict.phantoms),
            static_cast<unsigned long long>(verdict.corrupt),
            static_cast<unsigned long long>(producer.flushes),
            static_cast<unsigned long long>(producer.borrows),
            static_cast<unsigned long long>(producer.backpressure_retries),
            static_cast<unsigned long long>(producer.max_backlog_frames));
        for (const auto& error : producer.errors) {
            ADD_FAILURE() << name_of(producer.api, producer.store) << ": " << error;
        }
        EXPECT_GT(producer.flushed_rows, 0) << producer.table;
        EXPECT_EQ(verdict.lost, 0u) << producer.table << ": first lost key " << verdict.first_lost;
        EXPECT_EQ(verdict.phantoms, 0u) << producer.table;
        EXPECT_EQ(verdict.corrupt, 0u) << producer.table;
    }
    const auto reconnects =
        faults.connections > producers.size() ? faults.connections - producers.size() : 0;
    std::printf("soak: faults %s\n", faults.to_string().c_str());
    std::printf(
        "soak: total rows flushed=%llu committed=%llu duplicates=%llu lost=%llu reconnects=%llu "
        "drain=%lld ms rss baseline=%llu MiB peak=%llu MiB\n",
        static_cast<unsigned long long>(total_flushed),
        static_cast<unsigned long long>(total_committed),
        static_cast<unsigned long long>(total_duplicates),
        static_cast<unsigned long long>(total_lost), static_cast<unsigned long long>(reconnects),
        static_cast<long long>(
            std::chrono::duration_cast<std::chrono::milliseconds>(drained_after).count()),
        static_cast<unsigned long long>(rss_baseline >> 20),
        static_cast<unsigned long long>(rss_peak >> 20));
    std::fflush(stdout);

    EXPECT_EQ(total_lost, 0u);
    EXPECT_EQ(faults.restart_failures, 0u);
    // Every kind of fault was exercised (the schedule makes each near-certain for 20 s+).
    if (soak.duration >= 20s) {
        EXPECT_GT(faults.delays, 0u);
        EXPECT_GT(faults.fragments, 0u);
        EXPECT_GT(faults.stalls, 0u);
        EXPECT_GT(faults.cuts, 0u);
        EXPECT_GT(faults.restarts, 0u);
    }
    // Memory: the client's queues are capped (48k + 2 x 256k on disk, page cache); the test
    // server in this process keeps every committed row and frame it received (well under
    // 1 KiB a row). Anything beyond that allowance is a leak or an unbounded queue.
    const std::uint64_t allowance =
        (kSanitized ? 768ull : 256ull) * 1024 * 1024 + total_committed * 1024;
    EXPECT_LT(rss_peak - rss_baseline, allowance)
        << "rss grew by " << ((rss_peak - rss_baseline) >> 20) << " MiB";

    memory_db.close();
    column_disk_db.close();
    row_disk_db.close();
    proxy.stop();
    fs::remove_all(dir);
}

}  // namespace
