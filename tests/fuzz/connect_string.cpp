// Fuzzes the connect-string parser and validator (src/conf) through its public entry point
// Config::parse. Any input either parses or throws questdb::Error(config_error); a parsed
// configuration prints (secrets redacted) to a string that parses back to the same string.

#include <cstdlib>
#include <string_view>

#include "fuzz_support.hpp"
#include "questdb/conf.hpp"
#include "questdb/error.hpp"

namespace {

using namespace questdb;

void write_seeds(fuzz::SeedWriter& seeds) {
    const char* examples[] = {
        "ws::addr=localhost:9000;",
        "wss::addr=db1:9000,db2:9001;addr=[::1]:9002;username=admin;password=quest;tls_verify=on;",
        "ws::addr=localhost:9000;sf_dir=/tmp/sf;sf_max_bytes=1048576;sf_durability=periodic;"
        "sf_sync_interval_millis=100;request_durable_ack=on;",
        "ws::addr=h:1;pool_max_senders=4;pool_idle_timeout_ms=1000;reconnect_max_duration_millis=5;"
        "auto_flush_rows=100;auto_flush_interval=20;compression=zstd;compression_level=3;",
        "http::addr=localhost:9000;token=abc;;def;protocol_version=2;retry_timeout=100;"
        "request_min_throughput=1024;request_timeout=500;init_buf_size=1024;max_buf_size=65536;",
        "https::addr=localhost:9000;tls_roots=/etc/"
        "ca.pem;tls_roots_password=x;tls_ca=webpki_roots;",
        "tcp::addr=localhost:9009;username=kid;token=5UjEMuA0Pj5pjK8a-fa24dyIf-Es5mYny3oE_Wmus48;"
        "token_x=fLKYEaoEb9lrn3nkwLDA-M_xnuFOdSt9y0Z7_vWSHLU;token_y=Dt5tbS1dEDMSYfym3fgMv0B99szno-"
        "dFc1rYF9t0aac;",
        "tcps::addr=localhost:9009;bind_interface=0.0.0.0;",
        "qwpws::addr=localhost:9000;max_name_len=127;",
    };
    int n = 0;
    for (const char* example : examples) {
        seeds.add("conf-" + std::to_string(n++), std::string_view(example));
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::write_seeds_if_asked(write_seeds);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::string printed;
    bool has_secret = false;
    try {
        const auto config = conf::Config::parse(text);
        printed = config.to_string();
        for (const auto& key : conf::known_keys()) {
            has_secret = has_secret || (key.secret && config.contains(key.name));
            (void)config.find(key.name);
        }
        (void)config.endpoints();
    } catch (const Error& e) {
        if (e.error_code() != ErrorCode::config_error) {
            std::abort();
        }
        return 0;
    }
    if (has_secret) {
        return 0;  // "[redacted]" need not be a valid value for the key (e.g. an ECDSA key)
    }
    try {
        const auto again = conf::Config::parse(printed);
        if (again.to_string() != printed) {
            std::abort();  // printing is not stable
        }
    } catch (const Error&) {
        std::abort();  // a configuration printed to a string that does not parse back
    }
    return 0;
}
