#pragma once

// One store-and-forward sender: the state behind a borrowed column or row sender. It owns the
// frame queue (memory, or a disk slot), the sender-scoped symbol dictionary, the encoder and
// the delivery loop. Producers (the borrowing thread) encode on flush and append to the
// queue; the delivery loop sends in the background.
//
// Lifetime: created by the pool on a borrow below the cap, recycled between borrows, and
// destroyed when reaped, when the pool closes, or when it must close. Destruction drains for
// up to close_flush_timeout, then stops the delivery thread.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>

#include "core/result.hpp"
#include "ingress/delivery.hpp"
#include "qwp/encoder.hpp"
#include "qwp/symbol_dict.hpp"
#include "questdb/conf.hpp"
#include "questdb/ingress/ack_level.hpp"
#include "questdb/ingress/rejection.hpp"

namespace questdb::sf {
class FrameQueue;
}

namespace questdb::ingress {

class Chunk;
class Buffer;

/// Everything a sender core needs, resolved from a connect string.
struct SenderCoreOptions {
    DeliveryOptions delivery;
    conf::StoreAndForwardSettings store;
    /// The slot directory name under store.dir (disk mode), e.g. "default-ingest-0".
    std::string slot_name;
    conf::InitialConnectRetry initial_connect = conf::InitialConnectRetry::off;
    std::chrono::milliseconds reconnect_max_duration{300000};
    bool gorilla = false;
    /// Disk mode: a slot whose stored frames cannot be replayed (store_resend_required from
    /// recovery) is set aside as `<slot>.unreplayable-<n>` and the sender opens a fresh slot
    /// (foreground senders). False leaves the slot and fails (orphan drainers, which mark
    /// it `.failed` instead).
    bool set_aside_unreplayable = true;

    /// Builds the options of pool slot `slot_name` from a parsed ws/wss configuration.
    static ::questdb::detail::Result<SenderCoreOptions> from_config(const conf::Config& config,
                                                         std::string slot_name);
};

class SfSenderCore {
public:
    /// Opens the queue, starts the delivery loop and, unless initial_connect is async, waits
    /// for the first connection (off: one walk over the endpoints; sync: retry up to
    /// reconnect_max_duration). Errors: the connect failure, config/store errors.
    static ::questdb::detail::Result<std::unique_ptr<SfSenderCore>> open(SenderCoreOptions options);

    ~SfSenderCore();
    SfSenderCore(const SfSenderCore&) = delete;
    SfSenderCore& operator=(const SfSenderCore&) = delete;

    /// Where an unreplayable slot was moved when this sender opened, if it was (see
    /// SenderCoreOptions::set_aside_unreplayable). poll_error() reports it first, once, as a
    /// DATA_LOSS event with code store_resend_required.
    [[nodiscard]] const std::optional<std::filesystem::path>& set_aside_dir() const noexcept {
        return set_aside_dir_;
    }

    /// Encodes `chunk` (or every complete row of `buffer`) as one logical batch and appends its
    /// frames as one group. Returns the FSN of the last frame, or nullopt when there were no
    /// rows. On failure nothing was appended and the dictionary is as it was; the caller
    /// clears its chunk/buffer only on success.
    ::questdb::detail::Result<std::optional<std::int64_t>> flush(const Chunk& chunk);
    ::questdb::detail::Result<std::optional<std::int64_t>> flush(const Buffer& buffer);

    /// Blocks until everything published so far is acknowledged at `level` (see
    /// DeliveryLoop::wait_for for `timeout`).
    ::questdb::detail::Status wait(AckLevel level, std::chrono::milliseconds timeout);

    [[nodiscard]] std::optional<std::uint64_t> published_fsn() const noexcept;
    [[nodiscard]] std::optional<std::uint64_t> acked_fsn() const noexcept;
    std::optional<Rejection> poll_error();

    /// The latched terminal failure, if any (the sender is then unusable).
    [[nodiscard]] std::optional<::questdb::detail::Failure> terminal() const;
    [[nodiscard]] bool must_close() const noexcept;
    void mark_must_close() noexcept { must_close_ = true; }

    /// For tests and diagnostics.
    [[nodiscard]] DeliveryLoop& delivery() noexcept { return *delivery_; }
    [[nodiscard]] sf::FrameQueue& queue() noexcept { return *queue_; }

private:
    SfSenderCore(SenderCoreOptions options, std::unique_ptr<sf::FrameQueue> queue);
    /// Opens the queue and seeds the dictionary from it; the delivery loop is not started.
    static ::questdb::detail::Result<std::unique_ptr<SfSenderCore>> recover(
        const SenderCoreOptions& options);
    ::questdb::detail::Status seed_recovered_symbols();
    ::questdb::detail::Result<std::vector<std::string>> rebuild_torn_dictionary(
        std::vector<std::string> intact_prefix, std::uint64_t torn_bytes);
    ::questdb::detail::Status persist_new_symbols();
    void catch_up(std::size_t max_frame_bytes, std::vector<std::vector<std::uint8_t>>& frames);
    template <typename Encode>
    ::questdb::detail::Result<std::optional<std::int64_t>> encode_and_append(Encode&& encode);

    SenderCoreOptions options_;
    std::unique_ptr<sf::FrameQueue> queue_;
    // Guards the dictionary: the producer interns under it, the delivery thread reads it
    // to build catch-up frames after a reconnect.
    std::mutex dictionary_mutex_;
    qwp::SymbolDictionary dictionary_;
    qwp::MessageEncoder encoder_;
    qwp::EncodedFrames frames_;
    std::vector<std::span<const std::uint8_t>> frame_spans_;
    std::vector<std::string_view> symbol_views_;
    std::unique_ptr<DeliveryLoop> delivery_;
    bool must_close_ = false;
    std::optional<Rejection> set_aside_notice_;
    std::optional<std::filesystem::path> set_aside_dir_;
};

}  // namespace questdb::ingress
