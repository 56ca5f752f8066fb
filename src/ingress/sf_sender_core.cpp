#include "ingress/sf_sender_core.hpp"

#include <algorithm>
#include <cstdio>

#include "ingress/encode.hpp"
#include "ingress/event_hub.hpp"
#include "ingress/server_response.hpp"
#include "qwp/decoder.hpp"
#include "sf/disk_queue.hpp"
#include "sf/frame_queue.hpp"
#include "ws/tls.hpp"

namespace questdb::ingress {
namespace {

using Clock = std::chrono::steady_clock;

ws::Credentials credentials_of(const conf::AuthSettings& auth) {
    switch (auth.kind) {
        case conf::AuthKind::basic:
            return ws::Credentials::basic(auth.username.value_or(""), auth.password.value_or(""));
        case conf::AuthKind::token:
            return ws::Credentials::bearer(auth.token.value_or(""));
        default:
            return {};
    }
}

ws::TlsOptions tls_options_of(const conf::TlsSettings& tls) {
    ws::TlsOptions out;
    out.verify =
        tls.verify == conf::TlsVerify::unsafe_off ? ws::TlsVerify::unsafe_off : ws::TlsVerify::on;
    switch (tls.ca) {
        case conf::TlsCa::os_roots:
            out.ca = ws::TlsCa::os_roots;
            break;
        case conf::TlsCa::webpki_roots:
            out.ca = ws::TlsCa::webpki_roots;
            break;
        case conf::TlsCa::webpki_and_os_roots:
            out.ca = ws::TlsCa::webpki_and_os_roots;
            break;
        case conf::TlsCa::pem_file:
            out.ca = ws::TlsCa::pem_file;
            break;
    }
    out.roots_path = tls.roots.value_or("");
    out.roots_password = tls.roots_password;
    return out;
}

::questdb::detail::Result<std::unique_ptr<sf::FrameQueue>> open_queue(
    const SenderCoreOptions& options) {
    const auto& store = options.store;
    if (store.disk_mode()) {
        sf::DiskQueueOptions disk;
        disk.sf_dir = *store.dir;
        disk.sender_id = options.slot_name;
        disk.limits.max_total_bytes = store.max_total_bytes;
        disk.limits.max_segment_bytes = store.max_segment_bytes;
        disk.durability = store.durability == conf::SfDurability::periodic
                              ? sf::Durability::periodic
                              : sf::Durability::memory;
        disk.sync_interval = store.sync_interval;
        auto queue = sf::DiskQueue::open(std::move(disk));
        if (!queue.ok()) {
            return std::move(queue).failure();
        }
        return std::unique_ptr<sf::FrameQueue>(std::move(queue).value());
    }
    sf::MemoryQueueOptions memory;
    memory.limits.max_total_bytes = store.max_total_bytes;
    memory.limits.max_segment_bytes = store.max_segment_bytes;
    auto queue = sf::MemoryQueue::open(memory);
    if (!queue.ok()) {
        return std::move(queue).failure();
    }
    return std::unique_ptr<sf::FrameQueue>(std::move(queue).value());
}

std::optional<RejectionKind> kind_of(conf::ErrorPolicy policy) {
    switch (policy) {
        case conf::ErrorPolicy::terminal:
            return RejectionKind::terminal;
        case conf::ErrorPolicy::retriable:
            return RejectionKind::retriable;
        case conf::ErrorPolicy::retriable_other:
            return RejectionKind::rotate_endpoint;
        case conf::ErrorPolicy::automatic:
            break;
    }
    return std::nullopt;
}

// Precedence (connect-string.md, "Error handling"): the per-category key, then
// on_server_error, then the built-in default of the category.
RejectionPolicy rejection_policy_of(const conf::ErrorHandlingSettings& errors) {
    const auto global = kind_of(errors.on_server_error);
    const auto resolve = [&](conf::ErrorPolicy category) {
        auto kind = kind_of(category);
        return kind ? kind : global;
    };
    RejectionPolicy policy;
    policy.schema = resolve(errors.on_schema_error);
    policy.parse = resolve(errors.on_parse_error);
    policy.internal = resolve(errors.on_internal_error);
    policy.security = resolve(errors.on_security_error);
    policy.write = resolve(errors.on_write_error);
    return policy;
}

}  // namespace

::questdb::detail::Result<SenderCoreOptions> SenderCoreOptions::from_config(
    const conf::Config& config, std::string slot_name) {
    if (!conf::is_qwp(config.scheme())) {
        return ::questdb::detail::fail(ErrorCode::config_error,
                                       "a QuestDb pool needs a ws:: or wss:: connect string, not " +
                                           std::string(conf::to_string(config.scheme())) + "::");
    }
    SenderCoreOptions out;
    auto& delivery = out.delivery;
    for (const auto& e : config.endpoints()) {
        delivery.endpoints.push_back(ws::Endpoint{e.host, e.port});
    }
    const auto& transport = config.transport();
    auto& conn = delivery.connection;
    conn.path = "/write/v4";
    conn.headers.push_back({"X-QWP-Max-Version", "1"});
    conn.headers.push_back({"X-QWP-Client-Id", transport.client_id});
    if (transport.request_durable_ack) {
        conn.headers.push_back({"X-QWP-Request-Durable-Ack", "true"});
        conn.ping_interval = transport.durable_ack_keepalive_interval;
    }
    conn.credentials = credentials_of(config.auth());
    conn.connect_timeout = transport.connect_timeout.value_or(std::chrono::milliseconds(0));
    conn.auth_timeout = config.auth().timeout;
    if (config.is_tls()) {
        auto tls = ws::make_tls_context(tls_options_of(config.tls()));
        if (!tls.ok()) {
            return std::move(tls).failure();
        }
        conn.tls = std::move(tls).value();
    }
    delivery.request_durable_ack = transport.request_durable_ack;
    delivery.backoff_initial = config.reconnect().initial_backoff;
    delivery.backoff_max = config.reconnect().max_backoff;
    delivery.rejection_policy = rejection_policy_of(config.errors());
    delivery.max_frame_rejections = config.errors().max_frame_rejections;
    delivery.poison_window = config.errors().poison_min_escalation_window;
    delivery.max_error_events = config.errors().error_inbox_capacity;
    out.store = config.store_and_forward();
    out.slot_name = std::move(slot_name);
    out.initial_connect = config.reconnect().initial_connect_retry;
    out.reconnect_max_duration = config.reconnect().max_duration;
    return out;
}

::questdb::detail::Result<std::unique_ptr<SfSenderCore>> SfSenderCore::recover(
    const SenderCoreOptions& options) {
    auto queue = open_queue(options);
    if (!queue.ok()) {
        return std::move(queue).failure();
    }
    std::unique_ptr<SfSenderCore> core(new SfSenderCore(options, std::move(queue).value()));
    if (auto seeded = core->seed_recovered_symbols(); !seeded.ok()) {
        // Delivery never started: close the queue now (it keeps every frame) so the slot is
        // unlocked, instead of letting the destructor wait for acknowledgements.
        (void)core->queue_->close();
        return std::move(seeded).failure();
    }
    return core;
}

::questdb::detail::Result<std::unique_ptr<SfSenderCore>> SfSenderCore::open(
    SenderCoreOptions options) {
    auto recovered = recover(options);
    std::optional<Rejection> set_aside_notice;
    std::optional<std::filesystem::path> set_aside_dir;
    if (!recovered.ok() && recovered.failure().code == ErrorCode::store_resend_required &&
        options.store.disk_mode() && options.set_aside_unreplayable) {
        // The reference clients' rule: a slot whose frames cannot be replayed is set aside
        // whole (renamed, marked .failed, nothing deleted) and the sender starts on a fresh
        // slot, so ingestion continues. The loss is reported loudly, never silently.
        const auto reason = recovered.failure().message;
        auto moved = sf::set_slot_aside(*options.store.dir, options.slot_name, reason);
        if (!moved.ok()) {
            return std::move(moved).failure();
        }
        set_aside_dir = moved.value();
        const std::string message = "store-and-forward slot '" + options.slot_name +
                                    "' could not be replayed and was set aside as " +
                                    moved.value().string() +
                                    " (its frames are kept there for an operator and were NOT "
                                    "delivered); continuing on a fresh slot. Reason: " +
                                    reason;
        std::fprintf(stderr, "questdb: DATA LOSS: %s\n", message.c_str());
        Rejection notice;
        notice.status_name = "DATA_LOSS";
        notice.code = ErrorCode::store_resend_required;
        notice.message = message;
        set_aside_notice = std::move(notice);
        recovered = recover(options);
    }
    if (!recovered.ok()) {
        return std::move(recovered).failure();
    }
    auto core = std::move(recovered).value();
    if (set_aside_notice && core->options_.delivery.events) {
        // The error handler hears of the loss too: it is how operators get alerted, and a
        // sender borrowed only to flush may never call poll_qwp_ws_error().
        core->options_.delivery.events->data_lost(*set_aside_notice);
    }
    core->set_aside_notice_ = std::move(set_aside_notice);
    core->set_aside_dir_ = std::move(set_aside_dir);
    core->delivery_->start();
    const auto mode = core->options_.initial_connect;
    if (mode != conf::InitialConnectRetry::async) {
        const bool retry = mode == conf::InitialConnectRetry::sync;
        const auto deadline =
            retry ? Clock::now() + core->options_.reconnect_max_duration : Clock::time_point::max();
        if (auto status = core->delivery_->await_connection(deadline, retry); !status.ok()) {
            // The caller gets the failure now, not after close_flush_timeout_millis spent
            // waiting for acks that no connection will bring; recovered frames stay on disk.
            core->options_.store.close_flush_timeout = std::chrono::milliseconds(0);
            return std::move(status).failure();
        }
    }
    return core;
}

SfSenderCore::SfSenderCore(SenderCoreOptions options, std::unique_ptr<sf::FrameQueue> queue)
    : options_(std::move(options)), queue_(std::move(queue)) {
    delivery_ = std::make_unique<DeliveryLoop>(
        options_.delivery, *queue_,
        [this](std::size_t max, std::vector<std::vector<std::uint8_t>>& out) {
            catch_up(max, out);
        });
    queue_->set_publish_listener([this] { delivery_->kick(); });
}

SfSenderCore::~SfSenderCore() {
    const auto timeout = options_.store.close_flush_timeout;
    if (timeout.count() > 0 && !terminal() && queue_->published_fsn() > queue_->acked_fsn()) {
        // Best effort: what is not acknowledged in time stays in a disk slot for the next
        // sender; in memory mode it is lost, which close_flush_timeout_millis bounds.
        (void)queue_->wait_for_ack(queue_->published_fsn(), timeout);
    }
    delivery_->stop();
    (void)queue_->close();
}

::questdb::detail::Status SfSenderCore::seed_recovered_symbols() {
    auto* disk = dynamic_cast<sf::DiskQueue*>(queue_.get());
    if (disk == nullptr) {
        return {};
    }
    // Frames on disk hold ids, not strings: the dictionary must come back with the same ids,
    // and all of it counts as shipped (catch-up re-registers it on every connection).
    std::vector<std::string> symbols = disk->recovered_symbols();
    const auto& report = disk->recovery_report();
    if (report.symbol_dict_torn_bytes > 0 && report.unacked_frames > 0) {
        auto rebuilt = rebuild_torn_dictionary(std::move(symbols), report.symbol_dict_torn_bytes);
        if (!rebuilt.ok()) {
            return std::move(rebuilt).failure();
        }
        symbols = std::move(rebuilt).value();
    }
    for (const auto& symbol : symbols) {
        auto id = dictionary_.intern(symbol);
        if (!id.ok()) {
            return std::move(id).failure();
        }
    }
    dictionary_.set_sent_watermark(static_cast<std::uint32_t>(dictionary_.size()));
    return persist_new_symbols();  // what the frames restored goes back into .symbol-dict
}

// A host crash can tear the tail of .symbol-dict (it is not fsynced). The stored frames carry
// the deltas that introduced their symbols, so decoding them in order on top of the intact
// prefix restores the lost entries. A frame that still references an id nothing backs (its
// symbol arrived with a frame that was acknowledged and trimmed) makes the slot unreplayable:
// shipping it would write the wrong symbols, so open() sets the slot aside instead.
::questdb::detail::Result<std::vector<std::string>> SfSenderCore::rebuild_torn_dictionary(
    std::vector<std::string> intact_prefix, std::uint64_t torn_bytes) {
    qwp::IngressDecoderState state;
    state.seed_dictionary(std::move(intact_prefix));
    sf::FrameCursor cursor(*queue_);
    sf::FrameView frame;
    while (cursor.next(frame)) {
        auto decoded = qwp::decode_ingress_message(frame.bytes, state);
        if (!decoded.ok()) {
            return ::questdb::detail::fail(
                ErrorCode::store_resend_required,
                "store-and-forward slot '" + options_.slot_name + "' cannot be replayed: its " +
                    ".symbol-dict lost " + std::to_string(torn_bytes) +
                    " torn bytes and stored frame FSN " + std::to_string(frame.fsn) +
                    " is not backed by what survives (" + decoded.failure().message +
                    "); its frames cannot be delivered");
        }
    }
    return std::vector<std::string>(state.dictionary());
}

::questdb::detail::Status SfSenderCore::persist_new_symbols() {
    auto* disk = dynamic_cast<sf::DiskQueue*>(queue_.get());
    if (disk == nullptr || disk->persisted_symbol_count() >= dictionary_.size()) {
        return {};
    }
    symbol_views_.clear();
    for (auto id = disk->persisted_symbol_count(); id < dictionary_.size(); ++id) {
        symbol_views_.push_back(dictionary_.entry(static_cast<std::uint32_t>(id)));
    }
    return disk->persist_symbols(symbol_views_);
}

void SfSenderCore::catch_up(std::size_t max_frame_bytes,
                            std::vector<std::vector<std::uint8_t>>& frames) {
    qwp::EncodedFrames encoded;
    std::lock_guard lock(dictionary_mutex_);
    const auto end = dictionary_.sent_watermark();
    if (end == 0) {
        return;
    }
    if (auto status = qwp::encode_dictionary_catchup(dictionary_, end, max_frame_bytes, encoded);
        !status.ok()) {
        return;  // an entry larger than a frame: the replayed frames will fail loudly instead
    }
    for (std::size_t i = 0; i < encoded.count(); ++i) {
        const auto f = encoded.frame(i);
        frames.emplace_back(f.begin(), f.end());
    }
}

// The dictionary lock is never held while waiting for queue room: the delivery thread takes
// it to build a reconnect's catch-up frames, and only a reconnect frees room after an outage.
// (Holding it through the wait let a producer that retries at once starve the delivery
// thread of the lock: a soak run's memory-mode senders stalled for 140 s.) So each attempt
// encodes and appends under the lock without waiting; a full queue rewinds the dictionary,
// waits for room unlocked, and encodes again. Re-encoding happens only under backpressure.
template <typename Encode>
::questdb::detail::Result<std::optional<std::int64_t>> SfSenderCore::encode_and_append(
    Encode&& encode) {
    const auto started = Clock::now();
    const auto deadline = started + options_.store.append_deadline;
    for (;;) {
        if (auto failure = terminal()) {
            return *std::move(failure);
        }
        std::unique_lock lock(dictionary_mutex_);
        const auto watermark = dictionary_.sent_watermark();
        qwp::EncodeOptions options;
        options.max_frame_size = delivery_->max_frame_bytes();
        options.gorilla = options_.gorilla;
        frames_.clear();
        if (auto status = encode(options); !status.ok()) {
            return std::move(status).failure();
        }
        if (frames_.count() == 0) {
            return std::optional<std::int64_t>{};
        }
        frame_spans_.clear();
        for (std::size_t i = 0; i < frames_.count(); ++i) {
            frame_spans_.push_back(frames_.frame(i));
        }
        // The symbols a frame uses reach the side file before the frame reaches the queue, so
        // a crash can never leave a stored frame naming an id the dictionary file lacks.
        auto status = persist_new_symbols();
        auto fsn =
            status.ok()
                ? queue_->append_group(frame_spans_, std::min(Clock::now(), deadline), started)
                : ::questdb::detail::Result<std::int64_t>(std::move(status).failure());
        if (fsn.ok()) {
            return std::optional<std::int64_t>{fsn.value()};
        }
        // The frames were not stored, so their new symbols were never shipped: rewind the
        // watermark so the next frame's delta ships them (ids stay, matching the side file).
        dictionary_.set_sent_watermark(watermark);
        if (fsn.failure().code != ErrorCode::backpressure_timeout || Clock::now() >= deadline) {
            return std::move(fsn).failure();
        }
        lock.unlock();
        // frames_ stays intact unlocked: only this (the borrowing) thread touches it.
        (void)queue_->wait_for_room(frame_spans_, deadline);
    }
}

::questdb::detail::Result<std::optional<std::int64_t>> SfSenderCore::flush(const Chunk& chunk) {
    return encode_and_append([&](const qwp::EncodeOptions& options) {
        return encode_chunk(encoder_, chunk, dictionary_, options, frames_);
    });
}

::questdb::detail::Result<std::optional<std::int64_t>> SfSenderCore::flush(const Buffer& buffer) {
    return encode_and_append([&](const qwp::EncodeOptions& options) {
        return encode_buffer(encoder_, buffer, dictionary_, options, frames_);
    });
}

::questdb::detail::Status SfSenderCore::wait(AckLevel level, std::chrono::milliseconds timeout) {
    if (level == AckLevel::durable && !options_.delivery.request_durable_ack) {
        return ::questdb::detail::fail(
            ErrorCode::invalid_api_call,
            "AckLevel::durable needs request_durable_ack=on in the connect string");
    }
    const auto target = queue_->published_fsn();
    if (target < 0) {
        return {};
    }
    return delivery_->wait_for(level, target, timeout);
}

namespace {
std::optional<std::uint64_t> fsn_or_none(std::int64_t fsn) {
    return fsn < 0 ? std::nullopt : std::optional<std::uint64_t>(static_cast<std::uint64_t>(fsn));
}
}  // namespace

std::optional<std::uint64_t> SfSenderCore::published_fsn() const noexcept {
    return fsn_or_none(queue_->published_fsn());
}

std::optional<std::uint64_t> SfSenderCore::acked_fsn() const noexcept {
    return fsn_or_none(delivery_->ok_fsn());
}

std::optional<Rejection> SfSenderCore::poll_error() {
    if (set_aside_notice_) {
        auto notice = std::move(set_aside_notice_);
        set_aside_notice_.reset();
        return notice;
    }
    auto event = delivery_->poll_error();
    if (!event) {
        return std::nullopt;
    }
    return to_rejection(std::move(*event));
}

std::optional<::questdb::detail::Failure> SfSenderCore::terminal() const {
    return delivery_->terminal();
}

bool SfSenderCore::must_close() const noexcept {
    return must_close_ || delivery_->terminal().has_value();
}

}  // namespace questdb::ingress
