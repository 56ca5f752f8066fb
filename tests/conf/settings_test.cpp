// Typed settings: defaults per scheme, each key landing in its accessor, and the rules
// that involve several keys.

#include <functional>
#include <string>
#include <vector>

#include "conf/conf_test_util.hpp"

namespace {

using namespace questdb::conf;
using namespace std::chrono_literals;
using questdb::conf::test::parses;
using questdb::conf::test::rejects;

constexpr std::uint64_t KiB = 1024;
constexpr std::uint64_t MiB = KiB * 1024;
constexpr std::uint64_t GiB = MiB * 1024;

// ---- defaults ----------------------------------------------------------------------------

TEST(ConfDefaults, WebSocketDefaultsFollowTheReference) {
    const auto c = Config::parse("ws::addr=localhost;");
    const auto& p = c.pool();
    EXPECT_EQ(p.sender_min, 1u);
    EXPECT_EQ(p.sender_max, 4u);
    EXPECT_EQ(p.query_min, 1u);
    EXPECT_EQ(p.query_max, 4u);
    EXPECT_EQ(p.acquire_timeout, 5000ms);
    EXPECT_EQ(p.idle_timeout, 60000ms);
    EXPECT_EQ(p.max_lifetime, 1800000ms);
    EXPECT_EQ(p.housekeeper_interval, 5000ms);
    EXPECT_EQ(p.reap, PoolReap::automatic);
    EXPECT_FALSE(p.lazy_connect);

    const auto& sf = c.store_and_forward();
    EXPECT_FALSE(sf.disk_mode());
    EXPECT_EQ(sf.sender_id, "default");
    EXPECT_EQ(sf.durability, SfDurability::memory);
    EXPECT_EQ(sf.sync_interval, 5000ms);
    EXPECT_EQ(sf.max_segment_bytes, 4 * MiB);
    EXPECT_EQ(sf.max_total_bytes, 128 * MiB);
    EXPECT_EQ(sf.append_deadline, 30000ms);
    EXPECT_EQ(sf.close_flush_timeout, 5000ms);
    EXPECT_FALSE(sf.drain_orphans);
    EXPECT_EQ(sf.max_background_drainers, 4u);
    EXPECT_FALSE(sf.transaction);
    EXPECT_EQ(sf.catch_up_cap_gap_min_escalation_window, 300000ms);

    const auto& r = c.reconnect();
    EXPECT_EQ(r.initial_backoff, 100ms);
    EXPECT_EQ(r.max_backoff, 5000ms);
    EXPECT_EQ(r.max_duration, 300000ms);
    EXPECT_EQ(r.initial_connect_retry, InitialConnectRetry::off);
    EXPECT_FALSE(r.initial_connect_retry_explicit);

    const auto& a = c.auth();
    EXPECT_EQ(a.kind, AuthKind::none);
    EXPECT_FALSE(a.username || a.password || a.token || a.token_x || a.token_y);
    EXPECT_EQ(a.timeout, 15000ms);

    const auto& t = c.tls();
    EXPECT_EQ(t.verify, TlsVerify::on);
    EXPECT_EQ(t.ca, TlsCa::os_roots);
    EXPECT_FALSE(t.roots || t.roots_password);

    const auto& i = c.ilp();
    EXPECT_TRUE(i.auto_flush.enabled);
    EXPECT_EQ(i.auto_flush.rows, 1000u);
    EXPECT_EQ(i.auto_flush.interval, 100ms);
    EXPECT_FALSE(i.auto_flush.bytes.has_value());
    EXPECT_EQ(i.init_buf_size, 64 * KiB);
    EXPECT_EQ(i.max_buf_size, 100 * MiB);
    EXPECT_EQ(i.max_name_len, 127u);
    EXPECT_EQ(i.request_timeout, 30000ms);

    const auto& e = c.egress();
    EXPECT_TRUE(e.failover);
    EXPECT_EQ(e.failover_max_attempts, 8u);
    EXPECT_EQ(e.failover_backoff_initial, 50ms);
    EXPECT_EQ(e.failover_backoff_max, 1000ms);
    EXPECT_EQ(e.failover_max_duration, 30000ms);
    EXPECT_EQ(e.compression, Compression::raw);
    EXPECT_EQ(e.compression_level, 1);
    EXPECT_EQ(e.initial_credit, 0u);
    EXPECT_FALSE(e.max_batch_rows.has_value());
    EXPECT_EQ(e.target, Target::any);
    EXPECT_FALSE(e.zone.has_value());
    EXPECT_EQ(e.query_close_timeout, 5000ms);
    EXPECT_EQ(e.buffer_pool_size, 4u);

    const auto& tr = c.transport();
    EXPECT_FALSE(tr.connect_timeout.has_value());
    EXPECT_EQ(tr.client_id.rfind("questdb-cpp/", 0), 0u) << tr.client_id;
    EXPECT_FALSE(tr.request_durable_ack);
    EXPECT_EQ(tr.durable_ack_keepalive_interval, 200ms);

    const auto& er = c.errors();
    EXPECT_EQ(er.error_inbox_capacity, 256u);
    EXPECT_EQ(er.connection_listener_inbox_capacity, 64u);
    EXPECT_EQ(er.max_frame_rejections, 4u);
    EXPECT_EQ(er.poison_min_escalation_window, 5000ms);
    EXPECT_EQ(er.on_server_error, ErrorPolicy::automatic);
    EXPECT_EQ(er.on_write_error, ErrorPolicy::automatic);
}

TEST(ConfDefaults, IlpDefaultsDependOnTheScheme) {
    const auto http = Config::parse("http::addr=h;");
    EXPECT_EQ(http.ilp().auto_flush.rows, 75000u);
    EXPECT_EQ(http.ilp().auto_flush.interval, 1000ms);
    EXPECT_EQ(http.ilp().request_timeout, 10000ms);
    EXPECT_EQ(http.ilp().request_min_throughput, 102400u);
    EXPECT_EQ(http.ilp().retry_timeout, 10000ms);
    EXPECT_EQ(http.ilp().retry_max_backoff, 1000ms);
    EXPECT_EQ(http.ilp().protocol_version, IlpProtocolVersion::automatic);
    EXPECT_FALSE(http.ilp().bind_interface.has_value());

    const auto tcp = Config::parse("tcp::addr=h;");
    EXPECT_EQ(tcp.ilp().auto_flush.rows, 600u);
    EXPECT_EQ(tcp.ilp().auto_flush.interval, 1000ms);
    EXPECT_EQ(tcp.auth().timeout, 15000ms);
}

TEST(ConfDefaults, DefaultPorts) {
    EXPECT_EQ(default_port(Scheme::ws), 9000);
    EXPECT_EQ(default_port(Scheme::wss), 9000);
    EXPECT_EQ(default_port(Scheme::http), 9000);
    EXPECT_EQ(default_port(Scheme::https), 9000);
    EXPECT_EQ(default_port(Scheme::tcp), 9009);
    EXPECT_EQ(default_port(Scheme::tcps), 9009);
}

// ---- every key lands in its accessor -----------------------------------------------------

struct Mapping {
    std::string conf;
    std::function<void(const Config&)> check;
};

TEST(ConfSettings, EachKeyReachesItsAccessor) {
    const std::vector<Mapping> cases = {
        {"ws::addr=h;sender_pool_min=2;sender_pool_max=9;",
         [](const Config& c) {
             EXPECT_EQ(c.pool().sender_min, 2u);
             EXPECT_EQ(c.pool().sender_max, 9u);
             EXPECT_EQ(c.pool().query_max, 4u);
         }},
        {"ws::addr=h;query_pool_min=0;query_pool_max=7;",
         [](const Config& c) {
             EXPECT_EQ(c.pool().query_min, 0u);
             EXPECT_EQ(c.pool().query_max, 7u);
             EXPECT_EQ(c.pool().sender_max, 4u);
         }},
        {"ws::addr=h;pool_size=3;pool_max=12;",
         [](const Config& c) {
             EXPECT_EQ(c.pool().sender_min, 3u);
             EXPECT_EQ(c.pool().query_min, 3u);
             EXPECT_EQ(c.pool().sender_max, 12u);
             EXPECT_EQ(c.pool().query_max, 12u);
         }},
        {"ws::addr=h;pool_idle_timeout_ms=0;",
         [](const Config& c) { EXPECT_EQ(c.pool().idle_timeout, 0ms); }},
        {"ws::addr=h;idle_timeout_ms=1234;acquire_timeout_ms=0;max_lifetime_ms=0;"
         "housekeeper_interval_ms=17;pool_reap=manual;",
         [](const Config& c) {
             EXPECT_EQ(c.pool().idle_timeout, 1234ms);
             EXPECT_EQ(c.pool().acquire_timeout, 0ms);
             EXPECT_EQ(c.pool().max_lifetime, 0ms);
             EXPECT_EQ(c.pool().housekeeper_interval, 17ms);
             EXPECT_EQ(c.pool().reap, PoolReap::manual);
         }},
        {"ws::addr=h;lazy_connect=true;",
         [](const Config& c) {
             EXPECT_TRUE(c.pool().lazy_connect);
             EXPECT_EQ(c.pool().query_min, 0u);
             EXPECT_EQ(c.reconnect().initial_connect_retry, InitialConnectRetry::async);
             EXPECT_FALSE(c.reconnect().initial_connect_retry_explicit);
         }},
        {"ws::addr=h;lazy_connect=on;initial_connect_retry=async;query_pool_min=0;",
         [](const Config& c) {
             EXPECT_TRUE(c.pool().lazy_connect);
             EXPECT_EQ(c.reconnect().initial_connect_retry, InitialConnectRetry::async);
         }},
        {"ws::addr=h;lazy_connect=OFF;",
         [](const Config& c) {
             EXPECT_FALSE(c.pool().lazy_connect);
             EXPECT_EQ(c.pool().query_min, 1u);
         }},
        {"ws::addr=h;sf_dir=/var/qdb;sender_id=ingest-1_A;sf_durability=periodic;"
         "sf_sync_interval_millis=250;sf_max_segment_bytes=8m;sf_max_total_bytes=1g;"
         "sf_append_deadline_millis=10;close_flush_timeout_millis=0;drain_orphans=on;"
         "max_background_drainers=2;transaction=on;"
         "catch_up_cap_gap_min_escalation_window_millis=0;",
         [](const Config& c) {
             const auto& sf = c.store_and_forward();
             EXPECT_TRUE(sf.disk_mode());
             EXPECT_EQ(sf.dir, "/var/qdb");
             EXPECT_EQ(sf.sender_id, "ingest-1_A");
             EXPECT_EQ(sf.durability, SfDurability::periodic);
             EXPECT_EQ(sf.sync_interval, 250ms);
             EXPECT_EQ(sf.max_segment_bytes, 8 * MiB);
             EXPECT_EQ(sf.max_total_bytes, GiB);
             EXPECT_EQ(sf.append_deadline, 10ms);
             EXPECT_EQ(sf.close_flush_timeout, 0ms);
             EXPECT_TRUE(sf.drain_orphans);
             EXPECT_EQ(sf.max_background_drainers, 2u);
             EXPECT_TRUE(sf.transaction);
             EXPECT_EQ(sf.catch_up_cap_gap_min_escalation_window, 0ms);
             EXPECT_EQ(c.pool().sender_max, 4u) << "one disk slot per pooled sender";
         }},
        {"ws::addr=h;sf_dir=~/x;",
         [](const Config& c) {
             EXPECT_EQ(c.store_and_forward().dir, "~/x");  // Verbatim: no ~ expansion.
             EXPECT_EQ(c.store_and_forward().max_total_bytes, 10 * GiB);
         }},
        {"ws::addr=h;close_flush_timeout_millis=-1;",
         [](const Config& c) { EXPECT_EQ(c.store_and_forward().close_flush_timeout, 0ms); }},
        {"ws::addr=h;sf_max_segment_bytes=100m;",
         [](const Config& c) {
             // The memory default cap never drops below two segments.
             EXPECT_EQ(c.store_and_forward().max_total_bytes, 200 * MiB);
         }},
        {"ws::addr=h;sf_max_total_bytes=1m;sf_max_segment_bytes=512k;sf_append_deadline_millis=5;",
         [](const Config& c) {
             // Memory mode uses the queue cap and the deadline too.
             EXPECT_FALSE(c.store_and_forward().disk_mode());
             EXPECT_EQ(c.store_and_forward().max_total_bytes, MiB);
         }},
        {"ws::addr=h;reconnect_initial_backoff_millis=10;reconnect_max_backoff_millis=20;"
         "reconnect_max_duration_millis=0;",
         [](const Config& c) {
             EXPECT_EQ(c.reconnect().initial_backoff, 10ms);
             EXPECT_EQ(c.reconnect().max_backoff, 20ms);
             EXPECT_EQ(c.reconnect().max_duration, 0ms);
         }},
        {"ws::addr=h;auth_timeout_ms=7;connect_timeout=9;client_id=me/1;request_durable_ack=on;"
         "durable_ack_keepalive_interval_millis=-5;",
         [](const Config& c) {
             EXPECT_EQ(c.auth().timeout, 7ms);
             EXPECT_EQ(c.transport().connect_timeout, 9ms);
             EXPECT_EQ(c.transport().client_id, "me/1");
             EXPECT_TRUE(c.transport().request_durable_ack);
             EXPECT_EQ(c.transport().durable_ack_keepalive_interval, 0ms);
         }},
        {"tcp::addr=h;auth_timeout=33;",
         [](const Config& c) { EXPECT_EQ(c.auth().timeout, 33ms); }},
        {"ws::addr=h;error_inbox_capacity=16;connection_listener_inbox_capacity=1;"
         "max_frame_rejections=1;poison_min_escalation_window_millis=0;"
         "on_server_error=terminal;on_schema_error=retriable;on_parse_error=retriable_other;"
         "on_internal_error=terminal;on_security_error=auto;on_write_error=TERMINAL;",
         [](const Config& c) {
             const auto& e = c.errors();
             EXPECT_EQ(e.error_inbox_capacity, 16u);
             EXPECT_EQ(e.connection_listener_inbox_capacity, 1u);
             EXPECT_EQ(e.max_frame_rejections, 1u);
             EXPECT_EQ(e.poison_min_escalation_window, 0ms);
             EXPECT_EQ(e.on_server_error, ErrorPolicy::terminal);
             EXPECT_EQ(e.on_schema_error, ErrorPolicy::retriable);
             EXPECT_EQ(e.on_parse_error, ErrorPolicy::retriable_other);
             EXPECT_EQ(e.on_internal_error, ErrorPolicy::terminal);
             EXPECT_EQ(e.on_security_error, ErrorPolicy::automatic);
             EXPECT_EQ(e.on_write_error, ErrorPolicy::terminal);
         }},
        {"wss::addr=h;failover=off;failover_max_attempts=1;failover_backoff_initial_ms=0;"
         "failover_backoff_max_ms=0;failover_max_duration_ms=0;compression=auto;"
         "compression_level=22;initial_credit=1048576;max_batch_rows=1048576;target=replica;"
         "zone=  eu-west-1a ;query_close_timeout_ms=1;buffer_pool_size=1;",
         [](const Config& c) {
             const auto& e = c.egress();
             EXPECT_FALSE(e.failover);
             EXPECT_EQ(e.failover_max_attempts, 1u);
             EXPECT_EQ(e.failover_backoff_initial, 0ms);
             EXPECT_EQ(e.failover_backoff_max, 0ms);
             EXPECT_EQ(e.failover_max_duration, 0ms);
             EXPECT_EQ(e.compression, Compression::automatic);
             EXPECT_EQ(e.compression_level, 22);
             EXPECT_EQ(e.initial_credit, MiB);
             EXPECT_EQ(e.max_batch_rows, 1048576u);
             EXPECT_EQ(e.target, Target::replica);
             EXPECT_EQ(e.zone, "eu-west-1a");
             EXPECT_EQ(e.query_close_timeout, 1ms);
             EXPECT_EQ(e.buffer_pool_size, 1u);
         }},
        {"ws::addr=h;compression=zstd;target=primary;",
         [](const Config& c) {
             EXPECT_EQ(c.egress().compression, Compression::zstd);
             EXPECT_EQ(c.egress().target, Target::primary);
         }},
        {"http::addr=h;auto_flush_rows=off;auto_flush_interval=off;auto_flush_bytes=8m;"
         "init_buf_size=1k;max_buf_size=2k;max_name_len=16;protocol_version=2;"
         "request_timeout=1;request_min_throughput=0;retry_timeout=0;"
         "retry_max_backoff_millis=10;bind_interface=0.0.0.0;",
         [](const Config& c) {
             const auto& i = c.ilp();
             EXPECT_TRUE(i.auto_flush.enabled);
             EXPECT_FALSE(i.auto_flush.rows.has_value());
             EXPECT_FALSE(i.auto_flush.interval.has_value());
             EXPECT_EQ(i.auto_flush.bytes, 8 * MiB);
             EXPECT_EQ(i.init_buf_size, KiB);
             EXPECT_EQ(i.max_buf_size, 2 * KiB);
             EXPECT_EQ(i.max_name_len, 16u);
             EXPECT_EQ(i.protocol_version, IlpProtocolVersion::v2);
             EXPECT_EQ(i.request_timeout, 1ms);
             EXPECT_EQ(i.request_min_throughput, 0u);
             EXPECT_EQ(i.retry_timeout, 0ms);
             EXPECT_EQ(i.retry_max_backoff, 10ms);
             EXPECT_EQ(i.bind_interface, "0.0.0.0");
         }},
        {"tcp::addr=h;protocol_version=auto;auto_flush_bytes=0;",
         [](const Config& c) {
             EXPECT_EQ(c.ilp().protocol_version, IlpProtocolVersion::automatic);
             EXPECT_FALSE(c.ilp().auto_flush.bytes.has_value());
         }},
        {"tcps::addr=h;protocol_version=3;",
         [](const Config& c) { EXPECT_EQ(c.ilp().protocol_version, IlpProtocolVersion::v3); }},
        {"http::addr=h;auto_flush=off;",
         [](const Config& c) {
             EXPECT_FALSE(c.ilp().auto_flush.enabled);
             EXPECT_FALSE(c.ilp().auto_flush.rows || c.ilp().auto_flush.interval ||
                          c.ilp().auto_flush.bytes);
         }},
        {"http::addr=h;auto_flush=off;auto_flush_rows=off;",
         [](const Config& c) { EXPECT_FALSE(c.ilp().auto_flush.enabled); }},
        {"ws::addr=h;auto_flush_rows=5;auto_flush_interval=6;",
         [](const Config& c) {
             EXPECT_EQ(c.ilp().auto_flush.rows, 5u);
             EXPECT_EQ(c.ilp().auto_flush.interval, 6ms);
         }},
        {"ws::addr=h;request_timeout=1500;",
         [](const Config& c) { EXPECT_EQ(c.ilp().request_timeout, 1500ms); }},
    };
    for (const auto& m : cases) {
        SCOPED_TRACE(m.conf);
        try {
            m.check(Config::parse(m.conf));
        } catch (const questdb::Error& e) {
            ADD_FAILURE() << "threw: " << e.what();
        }
    }
}

// ---- initial_connect_retry ---------------------------------------------------------------

TEST(ConfReconnect, InitialConnectRetryWordsAndPromotion) {
    struct Case {
        const char* conf;
        InitialConnectRetry mode;
        bool explicit_mode;
    };
    const Case cases[] = {
        {"ws::addr=h;", InitialConnectRetry::off, false},
        {"ws::addr=h;initial_connect_retry=off;", InitialConnectRetry::off, true},
        {"ws::addr=h;initial_connect_retry=false;", InitialConnectRetry::off, true},
        {"ws::addr=h;initial_connect_retry=on;", InitialConnectRetry::sync, true},
        {"ws::addr=h;initial_connect_retry=true;", InitialConnectRetry::sync, true},
        {"ws::addr=h;initial_connect_retry=sync;", InitialConnectRetry::sync, true},
        {"ws::addr=h;initial_connect_retry=ASYNC;", InitialConnectRetry::async, true},
        // Any explicit reconnect_* key promotes to sync ...
        {"ws::addr=h;reconnect_max_backoff_millis=6000;", InitialConnectRetry::sync, false},
        {"ws::addr=h;reconnect_initial_backoff_millis=50;", InitialConnectRetry::sync, false},
        {"ws::addr=h;reconnect_max_duration_millis=120000;", InitialConnectRetry::sync, false},
        // ... unless the mode is explicit.
        {"ws::addr=h;reconnect_max_duration_millis=1;initial_connect_retry=off;",
         InitialConnectRetry::off, true},
        {"ws::addr=h;initial_connect_retry=async;reconnect_max_duration_millis=1;",
         InitialConnectRetry::async, true},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.conf);
        const auto conf = Config::parse(c.conf);
        EXPECT_EQ(conf.reconnect().initial_connect_retry, c.mode);
        EXPECT_EQ(conf.reconnect().initial_connect_retry_explicit, c.explicit_mode);
    }
    EXPECT_TRUE(rejects("ws::addr=h;initial_connect_retry=maybe;",
                        {"'initial_connect_retry'", "'maybe'", "off|false|on|true|sync|async"}));
    EXPECT_TRUE(rejects("http::addr=h;initial_connect_retry=on;", {"not valid for scheme http"}));
}

// ---- cross-key rules ---------------------------------------------------------------------

struct Rule {
    std::string conf;
    std::vector<std::string_view> parts;
};

void expect_rejected(const std::vector<Rule>& rules) {
    for (const auto& r : rules) {
        SCOPED_TRACE(r.conf);
        std::string message;
        EXPECT_TRUE(rejects(r.conf, {}, &message));
        for (auto part : r.parts) {
            EXPECT_NE(message.find(part), std::string::npos) << message << " lacks " << part;
        }
    }
}

TEST(ConfRules, PoolSpellingsAreExclusive) {
    expect_rejected({
        {"ws::addr=h;pool_size=1;sender_pool_min=1;",
         {"'pool_size'", "'sender_pool_min'", "same setting"}},
        {"ws::addr=h;query_pool_min=1;pool_size=1;", {"'pool_size'", "'query_pool_min'"}},
        {"ws::addr=h;pool_max=4;sender_pool_max=4;", {"'pool_max'", "'sender_pool_max'"}},
        {"ws::addr=h;query_pool_max=4;pool_max=4;", {"'pool_max'", "'query_pool_max'"}},
        {"ws::addr=h;pool_idle_timeout_ms=1;idle_timeout_ms=1;",
         {"'pool_idle_timeout_ms'", "'idle_timeout_ms'"}},
        {"ws::addr=h;idle_timeout_ms=1;pool_idle_timeout_ms=1;",
         {"'pool_idle_timeout_ms'", "'idle_timeout_ms'"}},
        {"ws::addr=h;user=a;username=a;password=p;", {"'user'", "'username'"}},
        {"ws::addr=h;username=a;pass=p;password=p;", {"'pass'", "'password'"}},
    });
    // Different settings of the two families combine freely.
    EXPECT_TRUE(parses("ws::addr=h;pool_size=2;sender_pool_max=8;query_pool_max=6;"));
    EXPECT_TRUE(parses("ws::addr=h;sender_pool_min=0;query_pool_min=2;pool_max=3;"));
    EXPECT_TRUE(
        parses("ws::addr=h;pool_size=1;pool_max=1;pool_idle_timeout_ms=5;"
               "pool_reap=manual;initial_connect_retry=on;"));
}

TEST(ConfRules, PoolMinimumsMustNotExceedMaximums) {
    expect_rejected({
        {"ws::addr=h;sender_pool_min=5;sender_pool_max=4;",
         {"'sender_pool_min' (5)", "'sender_pool_max' (4)"}},
        {"ws::addr=h;query_pool_min=9;", {"'query_pool_min' (9)", "'query_pool_max' (4)"}},
        {"ws::addr=h;pool_size=5;", {"'pool_size' (5)", "'sender_pool_max' (4)"}},
        {"ws::addr=h;pool_size=5;pool_max=4;", {"'pool_size' (5)", "'pool_max' (4)"}},
        {"ws::addr=h;sender_pool_max=0;", {"'sender_pool_max'", "'0'"}},
        {"ws::addr=h;pool_max=0;", {"'pool_max'"}},
        {"ws::addr=h;query_pool_max=65537;", {"'query_pool_max'"}},
    });
    EXPECT_TRUE(parses("ws::addr=h;sender_pool_min=4;sender_pool_max=4;"));
}

TEST(ConfRules, DiskModeGivesEveryPooledSenderItsOwnSlot) {
    const auto c = Config::parse("ws::addr=h;sf_dir=/d;");
    EXPECT_EQ(c.pool().sender_max, 4u) << "one slot per pooled sender, as in the reference";
    EXPECT_EQ(c.pool().query_max, 4u);
    EXPECT_EQ(Config::parse("ws::addr=h;sf_dir=/d;sender_pool_max=8;sender_pool_min=2;").pool().sender_max, 8u);
    EXPECT_TRUE(parses("ws::addr=h;sf_dir=/d;pool_max=1;pool_size=1;"));
    EXPECT_TRUE(parses("ws::addr=h;sf_dir=/d;sender_pool_min=0;query_pool_max=16;"));
    // Without sf_dir the cap is free.
    EXPECT_EQ(Config::parse("ws::addr=h;pool_max=2;").pool().sender_max, 2u);
}

TEST(ConfRules, LazyConnectNeedsANonBlockingStart) {
    expect_rejected({
        {"ws::addr=h;lazy_connect=on;initial_connect_retry=on;",
         {"lazy_connect", "initial_connect_retry=on"}},
        {"ws::addr=h;lazy_connect=on;initial_connect_retry=off;", {"initial_connect_retry=off"}},
        {"ws::addr=h;lazy_connect=on;query_pool_min=1;", {"'query_pool_min'", "0"}},
        {"ws::addr=h;lazy_connect=on;pool_size=2;", {"'pool_size'"}},
    });
    EXPECT_TRUE(parses("ws::addr=h;lazy_connect=on;pool_size=0;"));
}

TEST(ConfRules, StoreAndForwardKeysNeedSfDir) {
    for (const char* kv :
         {"sender_id=a", "sf_durability=memory", "sf_durability=periodic",
          "sf_sync_interval_millis=10", "drain_orphans=on", "max_background_drainers=1"}) {
        SCOPED_TRACE(kv);
        const std::string key(kv, std::string_view(kv).find('='));
        EXPECT_TRUE(rejects(std::string("ws::addr=h;") + kv + ";", {"'" + key + "'", "sf_dir"}));
    }
    expect_rejected({
        {"ws::addr=h;sf_dir=/d;sf_sync_interval_millis=10;",
         {"'sf_sync_interval_millis'", "periodic"}},
        {"ws::addr=h;sf_dir=/d;sf_durability=memory;sf_sync_interval_millis=10;", {"periodic"}},
        {"ws::addr=h;sf_max_total_bytes=1m;sf_max_segment_bytes=2m;",
         {"'sf_max_total_bytes'", "'sf_max_segment_bytes'"}},
        {"ws::addr=h;sf_dir=/d;sf_durability=flush;", {"'sf_durability'", "memory|periodic"}},
        {"ws::addr=h;sf_dir=/d;sf_durability=append;", {"'sf_durability'"}},
        {"ws::addr=h;sf_dir=/d;sender_id=a.b;", {"'sender_id'", "'a.b'"}},
        {"ws::addr=h;sf_dir=/d;sender_id=../x;", {"'sender_id'"}},
    });
}

TEST(ConfRules, Credentials) {
    expect_rejected({
        {"ws::addr=h;username=u;", {"'username'", "'password'"}},
        {"ws::addr=h;user=u;", {"'user'", "'password'"}},
        {"ws::addr=h;password=p;", {"'password'", "'username'"}},
        {"http::addr=h;pass=p;", {"'pass'", "'username'"}},
        {"ws::addr=h;token=t;username=u;password=p;", {"'token'", "'username'"}},
        {"https::addr=h;token=t;password=p;username=u;", {"'token'"}},
        {"wss::addr=h;token=t;pass=p;", {"'token'", "'pass'"}},
        {"tcp::addr=h;username=k;", {"ILP/TCP", "'token'", "'token_x'", "'token_y'"}},
        {"tcp::addr=h;username=k;token=d;token_x=x;", {"'token_y'"}},
        {"tcps::addr=h;token=d;", {"'username'"}},
        {"tcp::addr=h;username=k;password=p;", {"'password'", "not valid for scheme tcp"}},
        {"ws::addr=h;username= ;password=p;", {"'username'", "blank"}},
        {"ws::addr=h;token=;", {"'token'", "empty"}},
        {"ws::addr=h;token=\t;", {"control character"}},
    });
    const auto basic = Config::parse("wss::addr=h;user=admin;pass=quest;");
    EXPECT_EQ(basic.auth().kind, AuthKind::basic);
    EXPECT_EQ(basic.auth().username, "admin");
    EXPECT_EQ(basic.auth().password, "quest");
    const auto token = Config::parse("http::addr=h;token=abc;");
    EXPECT_EQ(token.auth().kind, AuthKind::token);
    EXPECT_EQ(token.auth().token, "abc");
    const auto ecdsa = Config::parse("tcps::addr=h;username=kid;token=d;token_x=x;token_y=y;");
    EXPECT_EQ(ecdsa.auth().kind, AuthKind::ecdsa);
    EXPECT_EQ(ecdsa.auth().username, "kid");
    EXPECT_EQ(ecdsa.auth().token, "d");
    EXPECT_EQ(ecdsa.auth().token_x, "x");
    EXPECT_EQ(ecdsa.auth().token_y, "y");
}

TEST(ConfRules, Tls) {
    expect_rejected({
        {"wss::addr=h;tls_roots_password=pw;", {"'tls_roots_password'", "'tls_roots'"}},
        {"wss::addr=h;tls_roots=/r;tls_verify=unsafe_off;",
         {"tls_roots cannot be combined with tls_verify=unsafe_off"}},
        {"https::addr=h;tls_ca=pem_file;", {"pem_file", "'tls_roots'"}},
        {"tcps::addr=h;tls_roots=/r;tls_ca=os_roots;", {"'tls_roots'", "tls_ca=os_roots"}},
        {"https::addr=h;tls_roots=/r;tls_roots_password=pw;",
         {"'tls_roots_password'", "not valid for scheme https", "wss"}},
        {"tcps::addr=h;tls_roots_password=pw;", {"not valid for scheme tcps"}},
        {"wss::addr=h;tls_verify=off;", {"'tls_verify'", "'off'", "on|unsafe_off"}},
    });
    const auto roots = Config::parse("wss::addr=h;tls_roots=/etc/ca.p12;tls_roots_password=pw;");
    EXPECT_EQ(roots.tls().ca, TlsCa::pem_file);
    EXPECT_EQ(roots.tls().roots, "/etc/ca.p12");
    EXPECT_EQ(roots.tls().roots_password, "pw");
    EXPECT_EQ(Config::parse("https::addr=h;tls_roots=/r;tls_ca=pem_file;").tls().ca,
              TlsCa::pem_file);
    EXPECT_EQ(Config::parse("tcps::addr=h;tls_verify=unsafe_off;").tls().verify,
              TlsVerify::unsafe_off);
    EXPECT_EQ(Config::parse("wss::addr=h;tls_ca=webpki_and_os_roots;").tls().ca,
              TlsCa::webpki_and_os_roots);
}

TEST(ConfRules, BuffersAndAutoFlush) {
    expect_rejected({
        {"http::addr=h;init_buf_size=2m;max_buf_size=1m;", {"'init_buf_size'", "'max_buf_size'"}},
        {"http::addr=h;max_buf_size=32k;", {"'init_buf_size' (65536)", "'max_buf_size' (32768)"}},
        {"http::addr=h;auto_flush=off;auto_flush_rows=10;",
         {"auto_flush=off", "auto_flush_rows=10"}},
        {"tcp::addr=h;auto_flush_interval=5;auto_flush=off;", {"auto_flush_interval=5"}},
        {"ws::addr=h;auto_flush=off;auto_flush_bytes=1m;", {"auto_flush_bytes=1m"}},
        {"http::addr=h;init_buf_size=1023;", {"'init_buf_size'", "'1023'"}},
        {"http::addr=h;max_name_len=15;", {"'max_name_len'", "16..65535"}},
        {"http::addr=h;protocol_version=4;", {"'protocol_version'", "auto|1|2|3"}},
        {"ws::addr=h;protocol_version=2;", {"not valid for scheme ws"}},
        {"ws::addr=h;retry_timeout=1;", {"not valid for scheme ws", "http, https"}},
        {"tcp::addr=h;request_timeout=1;", {"not valid for scheme tcp"}},
        {"http::addr=h;request_timeout=0;", {"'request_timeout'", "'0'"}},
        {"http::addr=h;retry_max_backoff_millis=9;", {"'retry_max_backoff_millis'"}},
    });
}

TEST(ConfRules, BackoffOrdering) {
    expect_rejected({
        {"ws::addr=h;reconnect_max_backoff_millis=50;",
         {"'reconnect_max_backoff_millis' (50)", "'reconnect_initial_backoff_millis' (100)"}},
        {"ws::addr=h;reconnect_initial_backoff_millis=6000;", {"(5000)", "(6000)"}},
        {"ws::addr=h;reconnect_initial_backoff_millis=0;", {"'reconnect_initial_backoff_millis'"}},
        {"ws::addr=h;failover_backoff_max_ms=10;",
         {"'failover_backoff_max_ms' (10)", "'failover_backoff_initial_ms' (50)"}},
        {"ws::addr=h;failover_backoff_initial_ms=2000;", {"(1000)", "(2000)"}},
    });
    EXPECT_TRUE(parses("ws::addr=h;failover_backoff_initial_ms=0;failover_backoff_max_ms=0;"));
}

TEST(ConfRules, ChecklistRangesH6) {
    expect_rejected({
        {"ws::addr=h;max_batch_rows=0;", {"'max_batch_rows'", "1..1048576"}},
        {"ws::addr=h;max_batch_rows=1048577;", {"'max_batch_rows'", "'1048577'"}},
        {"ws::addr=h;compression_level=0;", {"'compression_level'", "1..22"}},
        {"ws::addr=h;compression_level=23;", {"'compression_level'"}},
        {"ws::addr=h;failover_max_attempts=0;", {"'failover_max_attempts'"}},
        {"ws::addr=h;failover_backoff_initial_ms=-1;", {"'failover_backoff_initial_ms'"}},
        {"ws::addr=h;failover_max_duration_ms=-1;", {"'failover_max_duration_ms'"}},
        {"ws::addr=h;connect_timeout=0;", {"'connect_timeout'"}},
        {"ws::addr=h;auth_timeout_ms=0;", {"'auth_timeout_ms'"}},
        {"ws::addr=h;initial_credit=-1;", {"'initial_credit'"}},
        {"ws::addr=h;buffer_pool_size=0;", {"'buffer_pool_size'"}},
        {"ws::addr=h;error_inbox_capacity=15;", {"'error_inbox_capacity'", "16"}},
        {"ws::addr=h;max_frame_rejections=0;", {"'max_frame_rejections'"}},
        {"ws::addr=h;query_close_timeout_ms=0;", {"'query_close_timeout_ms'"}},
        {"ws::addr=h;sf_append_deadline_millis=0;", {"'sf_append_deadline_millis'"}},
        {"ws::addr=h;sf_max_segment_bytes=0;", {"'sf_max_segment_bytes'"}},
        {"ws::addr=h;close_flush_timeout_millis=-2;", {"'close_flush_timeout_millis'"}},
    });
}

TEST(ConfRules, ZoneAndTargetAreAcceptedByIngestToo) {
    // One string serves both directions: ingest ignores target/zone but accepts them.
    const auto c = Config::parse(
        "wss::addr=a:9000,b:9000;target=primary;zone=DC-1;sf_dir=/d;sender_id=s;"
        "compression=zstd;failover=on;");
    EXPECT_EQ(c.egress().target, Target::primary);
    EXPECT_EQ(c.egress().zone, "DC-1");
    EXPECT_EQ(c.store_and_forward().sender_id, "s");
}

TEST(ConfRules, ReferenceRecipesParse) {
    const char* recipes[] = {
        "ws::addr=localhost:9000;",
        "wss::addr=questdb.example.com:443;username=admin;password=secret;",
        ("wss::addr=questdb.example.com:443;username=admin;password=secret;"
         "tls_roots=/etc/questdb/ca-roots;tls_roots_password=changeit;"),
        "wss::addr=node-a:9000,node-b:9000;sf_dir=/var/lib/myapp/qdb-sf;sender_id=ingest-1;",
        "wss::addr=node-a:443,node-b:443;target=replica;zone=eu-west-1a;",
        "ws::addr=node-a:9000;reconnect_max_duration_millis=120000;",
        "ws::addr=localhost:9000;username=admin;password=p;;ssw;;rd;",
        "wss::addr=db.example.com:9000;tls_roots=/etc/ssl/ca.pem;",
        "ws::addr=node-a:9000;addr=node-b:9000;addr=node-c:9000;",
        "ws::addr=localhost:9000;sender_pool_max=4;",
        "wss::addr=node-a:9000,node-b:9000,node-c:9000;target=primary;",
        "wss::addr=db.example.com:9000;token=your_bearer_token;",
        "http::addr=localhost:9000;",
        "tcp::addr=localhost:9009;protocol_version=2",
        "https::addr=localhost:9000;username=admin;password=quest;retry_timeout=20000;",
        ("tcps::addr=localhost:9009;username=testUser1;token=5UjEMuA0Pj5pjK8a-fa24dyIf-Es5mYny3oE_"
         "Wmus48;"
         "token_x=fLKYEaoEb9lrn3nkwLDA-M_xnuFOdSt9y0Z7_vWSHLU;"
         "token_y=Dt5tbS1dEDMSYfym3fgMv0B99szno-dFc1rYF9t0aac;"),
        "ws::addr=localhost:9000;drain_orphans=on;sf_dir=/tmp/sf;max_background_drainers=8;",
        "ws::addr=localhost:9000;request_durable_ack=on;durable_ack_keepalive_interval_millis=0;",
        "ws::addr=localhost:9000;close_flush_timeout_millis=0;",
        "ws::addr=localhost:9000;failover=off;",
        "ws::addr=localhost:9000;error_inbox_capacity=1024;",
    };
    for (const char* recipe : recipes) {
        EXPECT_TRUE(parses(recipe));
    }
}

}  // namespace
