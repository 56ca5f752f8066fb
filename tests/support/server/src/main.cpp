// qdb-test-server: runs the in-tree QuestDB test server on 127.0.0.1 until SIGINT/SIGTERM.
// Prints "http=<port>" (and "ilp_tcp=<port>") on stdout once it accepts connections; GET
// /test/dump returns every table as JSON, and SIGUSR1 prints the same JSON on stdout.

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "questdb/test_server/server.hpp"
#ifdef QDB_TEST_SERVER_HAVE_TLS_CERTS
#include "support/tls_certs.hpp"
#endif

namespace {

volatile std::sig_atomic_t g_signal = 0;

void on_signal(int sig) {
    g_signal = sig;
}

[[noreturn]] void usage(const std::string& error) {
    std::cerr << "qdb-test-server: " << error << "\n"
              << "usage: qdb-test-server [--port N] [--ilp-tcp-port N] [--tls --tls-cert PEM "
                 "--tls-key PEM]\n"
                 "                       [--auth user:pass] [--token T] [--sink] [--durable-ack]\n"
                 "                       [--recv-buffer BYTES] [--ilp-key KID:X:Y]\n";
    std::exit(2);
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        usage("cannot read " + path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::uint16_t parse_port(const std::string& text) {
    char* end = nullptr;
    const long v = std::strtol(text.c_str(), &end, 10);
    if (end == text.c_str() || *end != '\0' || v < 0 || v > 65535)
        usage("bad port " + text);
    return static_cast<std::uint16_t>(v);
}

}  // namespace

int main(int argc, char** argv) {
    questdb::test_server::Options options;
    bool tls = false;
    std::string cert_path, key_path;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc)
                usage(arg + " needs a value");
            return argv[++i];
        };
        if (arg == "--port") {
            options.port = parse_port(value());
        } else if (arg == "--ilp-tcp-port") {
            options.ilp_tcp_port = parse_port(value());
        } else if (arg == "--tls") {
            tls = true;
        } else if (arg == "--tls-cert") {
            cert_path = value();
        } else if (arg == "--tls-key") {
            key_path = value();
        } else if (arg == "--auth") {
            const auto v = value();
            const auto colon = v.find(':');
            if (colon == std::string::npos)
                usage("--auth wants user:pass");
            options.basic_user = v.substr(0, colon);
            options.basic_password = v.substr(colon + 1);
        } else if (arg == "--token") {
            options.token = value();
        } else if (arg == "--sink") {
            options.sink = true;
        } else if (arg == "--durable-ack") {
            options.durable_ack = true;
        } else if (arg == "--recv-buffer") {
            options.recv_buffer_size = std::stoul(value());
        } else if (arg == "--ilp-key") {
            const auto v = value();
            const auto a = v.find(':');
            const auto b = v.find(':', a == std::string::npos ? a : a + 1);
            if (a == std::string::npos || b == std::string::npos)
                usage("--ilp-key wants KID:X:Y");
            options.ilp_tcp_keys.push_back(
                {v.substr(0, a), v.substr(a + 1, b - a - 1), v.substr(b + 1)});
        } else if (arg == "--help" || arg == "-h") {
            usage("help");
        } else {
            usage("unknown argument " + arg);
        }
    }
    std::string generated_cert_path;
    if (tls && (cert_path.empty() || key_path.empty())) {
#ifdef QDB_TEST_SERVER_HAVE_TLS_CERTS
        // A throw-away self-signed certificate for 127.0.0.1; clients trust the printed file.
        const auto pem = questdb::test::make_self_signed("127.0.0.1");
        options.tls_cert_chain_pem = pem.cert_pem;
        options.tls_private_key_pem = pem.key_pem;
        generated_cert_path = "/tmp/qdb-test-server-" + std::to_string(::getpid()) + ".pem";
        std::ofstream(generated_cert_path) << pem.cert_pem;
#else
        usage("--tls needs --tls-cert and --tls-key");
#endif
    } else if (tls) {
        options.tls_cert_chain_pem = read_file(cert_path);
        options.tls_private_key_pem = read_file(key_path);
    }
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    std::signal(SIGUSR1, on_signal);

    questdb::test_server::Server server(options);
    try {
        server.start();
    } catch (const std::exception& e) {
        std::cerr << "qdb-test-server: " << e.what() << "\n";
        return 1;
    }
    std::cout << "http=" << server.port() << "\n";
    if (server.ilp_tcp_port() != 0)
        std::cout << "ilp_tcp=" << server.ilp_tcp_port() << "\n";
    if (!generated_cert_path.empty())
        std::cout << "tls_cert=" << generated_cert_path << "\n";
    std::cout << "ready" << std::endl;
    for (;;) {
        // Signals only set a flag; the main thread polls it (no work is timed by this loop).
        ::pause();
        const int sig = g_signal;
        g_signal = 0;
        if (sig == SIGUSR1) {
            std::cout << server.dump_json() << std::endl;
        } else if (sig == SIGINT || sig == SIGTERM) {
            break;
        }
    }
    server.stop();
    if (!generated_cert_path.empty())
        std::remove(generated_cert_path.c_str());
    return 0;
}
