#pragma once

// QWP ingress message encoder: turns TableSources (from a Chunk or a Buffer) into one or more
// complete QWP messages (12-byte header + payload), ready to be sent as WebSocket binary
// frames or stored by store-and-forward.
//
// Usage by a sender (one MessageEncoder + one SymbolDictionary per sender; neither is
// thread-safe, both are reused across flushes so steady-state encoding allocates nothing):
//
//   qwp::EncodedFrames frames;            // reused
//   frames.clear();
//   status = encoder.encode(tables, dict, options, frames);     // or encode_chunk/buffer
//   for (i < frames.count()) queue.append(frames.frame(i));
//
// A logical batch larger than options.max_frame_size is split by rows (and by tables) into
// several frames; every frame but the last carries FLAG_DEFER_COMMIT, so the server commits
// the batch atomically when the last frame arrives. New symbols are shipped once, in the
// first frame (or, when they would not leave room for rows, in leading dictionary-only
// frames with flags 0x09); see SymbolDictionary for the sent watermark.
//
// After a reconnect, before replaying anything, send encode_dictionary_catchup(dict,
// dict.sent_watermark(), max, frames): the whole dictionary as table-less 0x09 frames.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/result.hpp"
#include "qwp/symbol_dict.hpp"
#include "qwp/table_source.hpp"
#include "qwp/types.hpp"

namespace questdb::qwp {

/// std::allocator that leaves new elements uninitialised on resize (bytes are always written
/// right after growing, so zero-filling would only cost a second pass over memory).
template <typename T>
struct DefaultInitAllocator : std::allocator<T> {
    using std::allocator<T>::allocator;
    template <typename U>
    struct rebind {
        using other = DefaultInitAllocator<U>;
    };
    template <typename U>
    void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
        ::new (static_cast<void*>(p)) U;
    }
    template <typename U, typename... Args>
    void construct(U* p, Args&&... args) {
        std::allocator_traits<std::allocator<T>>::construct(static_cast<std::allocator<T>&>(*this),
                                                            p, std::forward<Args>(args)...);
    }
};

using ByteVector = std::vector<std::uint8_t, DefaultInitAllocator<std::uint8_t>>;

/// Frames laid back to back in one byte vector (reused across encodes).
struct EncodedFrames {
    struct Range {
        std::size_t offset;
        std::size_t size;
    };
    ByteVector bytes;
    std::vector<Range> frames;

    void clear() noexcept {
        bytes.clear();
        frames.clear();
    }
    [[nodiscard]] std::size_t count() const noexcept { return frames.size(); }
    [[nodiscard]] std::span<const std::uint8_t> frame(std::size_t i) const noexcept {
        return {bytes.data() + frames[i].offset, frames[i].size};
    }
};

enum class SymbolMode : std::uint8_t {
    /// Ship only ids >= dict.sent_watermark(), then advance the watermark (live connection).
    delta,
    /// Every frame re-ships ids 0..(highest id it references) from delta_start 0, so it
    /// decodes on a fresh connection without catch-up (store-and-forward replay frames; this
    /// is what shared/testdata/qwp/trades-1row-after-10-symbols.hex holds). The watermark is
    /// left unchanged.
    self_contained,
};

struct EncodeOptions {
    /// Largest frame, i.e. whole QWP message including its 12-byte header (the WebSocket
    /// payload). Use the server's X-QWP-Max-Batch-Size (the spec suggests ~90% of it for
    /// auto-flush triggers; this cap may be the full value) or the local budget (~1.9 MiB
    /// when the header is absent). Must be at least 64 bytes.
    std::size_t max_frame_size = kHeaderSize + kMaxMessageSize;
    /// Set FLAG_GORILLA: TIMESTAMP/TIMESTAMP_NANOS columns with >= 3 values are Gorilla
    /// encoded when every delta-of-delta fits 32 bits, else written raw. Off by default so the
    /// bytes equal the reference clients' (their fixtures use flags 0x08).
    bool gorilla = false;
    SymbolMode symbol_mode = SymbolMode::delta;
    /// Rows per table block (the server accepts at most 1,000,000).
    std::size_t max_rows_per_block = kMaxRowsPerBlock;
};

/// Reusable encoder state (scratch vectors). Not thread-safe; one per sender.
class MessageEncoder {
  public:
    MessageEncoder();
    ~MessageEncoder();
    MessageEncoder(const MessageEncoder&) = delete;
    MessageEncoder& operator=(const MessageEncoder&) = delete;

    /// Appends the frames of one logical batch holding `tables` (in order) to `out`.
    /// Tables with zero rows are skipped; if every table is empty nothing is appended.
    /// Interns new symbols into `dict`. On failure `out` and `dict` are left as they were.
    /// Errors: limit_exceeded (a single row or dictionary entry cannot fit max_frame_size,
    /// or max_frame_size is too small), symbol_dict_full, invalid_api_call (bad input).
    detail::Status encode(std::span<const TableSource> tables, SymbolDictionary& dict,
                          const EncodeOptions& options, EncodedFrames& out);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Appends frames re-registering dictionary ids [0, end_id) on a fresh connection: table_count
/// 0, flags FLAG_DELTA_SYMBOL_DICT | FLAG_DEFER_COMMIT (0x09), contiguous delta_start, each
/// frame at most max_frame_size bytes. Nothing is appended when end_id is 0.
/// Errors: limit_exceeded when one entry alone cannot fit a frame.
detail::Status encode_dictionary_catchup(const SymbolDictionary& dict, std::uint32_t end_id,
                                         std::size_t max_frame_size, EncodedFrames& out);

/// Appends an empty message with FLAG_DEFER_COMMIT clear (flags 0x08, no tables, empty delta):
/// it commits whatever earlier deferred frames left pending.
void append_commit_frame(EncodedFrames& out);

}  // namespace questdb::qwp
