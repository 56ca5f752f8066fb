#pragma once

// The batches that the disk pool tests flush, shared by the tests and by the flusher process
// they spawn (pool_disk_flusher): batch b holds ids b*50 .. b*50+49 of table "disk", with
// symbol "S<id % 5>" and designated timestamp base + id.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "questdb/ingress/chunk.hpp"
#include "questdb/ingress/sf_column_sender.hpp"

namespace questdb::test {

inline constexpr std::size_t kRowsPerBatch = 50;

inline void flush_batch(ingress::SfColumnSender& sender, std::int64_t batch) {
    std::vector<std::int64_t> ids, stamps;
    std::vector<std::int32_t> codes;
    for (std::size_t i = 0; i < kRowsPerBatch; ++i) {
        const auto id =
            batch * static_cast<std::int64_t>(kRowsPerBatch) + static_cast<std::int64_t>(i);
        ids.push_back(id);
        stamps.push_back(1'700'000'000'000'000'000 + id);
        codes.push_back(static_cast<std::int32_t>(id % 5));
    }
    const std::vector<std::int32_t> offsets{0, 2, 4, 6, 8, 10};
    const std::string dict = "S0S1S2S3S4";
    ingress::Chunk chunk("disk");
    chunk
        .symbol_dict_i32("sym", codes, offsets,
                         std::span(reinterpret_cast<const std::uint8_t*>(dict.data()), dict.size()))
        .column_i64("id", ids)
        .designated_timestamp_nanos(stamps);
    sender.flush(chunk);
}

/// What the flusher writes to its report pipe after each flush() returned.
struct FlushReport {
    std::int64_t batch;
    std::uint64_t fsn;             ///< published_fsn() after the flush
    std::uint64_t acked_plus_one;  ///< acked_fsn() + 1, 0 when nothing is acknowledged yet
};

/// The file descriptor on which the flusher writes its reports.
inline constexpr int kFlushReportFd = 3;

}  // namespace questdb::test
