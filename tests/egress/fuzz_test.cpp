// Fuzz-style robustness: every truncation and random corruptions of valid frames must give a
// clean error (or a valid decode), never a crash or over-read. Run under ASan/UBSan in CI.

#include <gtest/gtest.h>

#include <random>

#include "egress/messages.hpp"
#include "egress/server_writer.hpp"
#include "questdb/egress/batch.hpp"
#include "test_util.hpp"

namespace questdb::egress {
namespace {

using test::BatchHarness;
using test::Frame;

std::vector<server::ResultColumn> sample_columns() {
    std::vector<server::ResultColumn> cols;
    cols.emplace_back("ts", ColumnKind::timestamp);
    cols.emplace_back("id", ColumnKind::long_);
    cols.emplace_back("sym", ColumnKind::symbol);
    cols.emplace_back("s", ColumnKind::varchar);
    cols.emplace_back("a", ColumnKind::double_array);
    cols.emplace_back("g", ColumnKind::geohash, 33);
    cols.emplace_back("d", ColumnKind::decimal128, 4);
    cols.emplace_back("b", ColumnKind::boolean);
    for (int r = 0; r < 50; ++r) {
        if (r % 7 == 6) {
            for (std::size_t c = 0; c < cols.size() - 1; ++c) {
                cols[c].append_null();
            }
            cols.back().append_bool(true);
            continue;
        }
        cols[0].append_i64(1'000'000 + r * 10);
        cols[1].append_i64(r);
        cols[2].append_bytes("k" + std::to_string(r % 5));
        cols[3].append_bytes(std::string(static_cast<std::size_t>(r % 9), 'v'));
        const std::int32_t shape[] = {2, r % 3};
        std::vector<double> v(static_cast<std::size_t>(2 * (r % 3)), 0.25);
        cols[4].append_double_array(shape, v);
        cols[5].append_geohash(static_cast<std::uint64_t>(r));
        cols[6].append_decimal128(static_cast<std::uint64_t>(r), 0);
        cols[7].append_bool(r % 2 == 0);
    }
    return cols;
}

// Touch every value so a bad pointer would be caught by ASan.
std::size_t consume(const BatchView& b) {
    std::size_t sum = 0;
    for (std::size_t c = 0; c < b.column_count(); ++c) {
        auto col = b.column(c);
        for (std::size_t r = 0; r < b.row_count(); ++r) {
            sum += col.is_null(r) ? 1 : 0;
            switch (col.kind()) {
                case ColumnKind::varchar:
                    sum += col.as_varchar().value(r).value_or("").size();
                    break;
                case ColumnKind::symbol:
                    sum += col.as_symbol().resolve(r).value_or("").size();
                    break;
                case ColumnKind::double_array: {
                    auto a = col.as_double_array().value(r);
                    if (a && a->size() > 0) {
                        sum += static_cast<std::size_t>((*a)[a->size() - 1] > 0);
                    }
                    break;
                }
                case ColumnKind::timestamp:
                    sum += static_cast<std::size_t>(col.as_timestamp().value(r));
                    break;
                case ColumnKind::long_:
                    sum += static_cast<std::size_t>(col.as_long().value(r));
                    break;
                default:
                    break;
            }
        }
    }
    return sum;
}

std::vector<Frame> valid_frames() {
    auto cols = sample_columns();
    std::vector<Frame> frames;
    for (bool zstd : {false, true}) {
        server::ResultEncoder enc;
        server::BatchEncodeOptions opts;
        opts.zstd = zstd;
        Frame f;
        EXPECT_TRUE(enc.encode_batch(1, 0, cols, 0, 50, opts, f).ok());
        frames.push_back(f);
    }
    return frames;
}

TEST(EgressFuzz, EveryTruncationIsAnError) {
    for (const auto& frame : valid_frames()) {
        for (std::size_t n = 0; n < frame.size(); ++n) {
            Frame cut(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(n));
            if (n >= 12) {
                cut[8] = static_cast<std::uint8_t>(n - 12);  // keep the header consistent
                cut[9] = static_cast<std::uint8_t>((n - 12) >> 8);
                cut[10] = 0;
                cut[11] = 0;
            }
            BatchHarness h;
            auto r = h.decode(cut);
            EXPECT_FALSE(r.ok()) << "prefix of " << n << " bytes decoded";
        }
    }
}

TEST(EgressFuzz, RandomCorruptionNeverCrashes) {
    std::mt19937_64 rng(12345);
    std::size_t decoded = 0;
    std::size_t rejected = 0;
    for (const auto& frame : valid_frames()) {
        for (int iter = 0; iter < 3000; ++iter) {
            Frame f = frame;
            const int flips = 1 + static_cast<int>(rng() % 4);
            for (int k = 0; k < flips; ++k) {
                const std::size_t at = 12 + rng() % (f.size() - 12);
                f[at] = static_cast<std::uint8_t>(rng());
            }
            BatchHarness h;
            auto r = h.decode(f);
            if (r.ok()) {
                ++decoded;
                consume(BatchView(r.value()));
            } else {
                ++rejected;
                EXPECT_TRUE(r.failure().code == ErrorCode::protocol_error ||
                            r.failure().code == ErrorCode::limit_exceeded);
            }
        }
    }
    EXPECT_GT(rejected, 0u);
    SUCCEED() << decoded << " corrupted frames still decoded";
}

TEST(EgressFuzz, ControlMessagesNeverCrash) {
    std::mt19937_64 rng(777);
    for (int iter = 0; iter < 20000; ++iter) {
        Frame f(rng() % 40);
        for (auto& b : f) {
            b = static_cast<std::uint8_t>(rng());
        }
        if (!f.empty()) {
            f[0] = static_cast<std::uint8_t>(0x11 + rng() % 8);
        }
        (void)wire::decode_server_info(f);
        (void)wire::decode_result_end(f);
        (void)wire::decode_query_error(f);
        (void)wire::decode_exec_done(f);
        (void)wire::decode_cache_reset(f);
        (void)parse_batch_prelude(f);
        (void)server::decode_client_message(f, rng() % 2 == 0);
    }
}

}  // namespace
}  // namespace questdb::egress
