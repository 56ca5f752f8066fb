#pragma once

// Small scriptable ILP servers on 127.0.0.1 for the sender tests: an HTTP server answering
// each request from a script (status, content type, body, or "hang"), and a TCP server that
// optionally runs the ECDSA challenge and records every byte it receives. Each runs one
// thread that serves connections one at a time.

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace questdb::test::ilp {

/// TLS identity of a fake server (PEM).
struct ServerTls {
    std::string cert_pem;
    std::string key_pem;
};

struct ScriptedResponse {
    unsigned status = 204;
    std::string content_type;
    std::string body;
    bool hang = false;         // never answer (until the server stops)
    bool close_after = false;  // close the connection after answering
};

struct RecordedRequest {
    std::string method;
    std::string target;
    std::string authorization;
    std::string content_type;
    std::string body;
};

class FakeHttpServer {
  public:
    explicit FakeHttpServer(std::optional<ServerTls> tls = std::nullopt);
    ~FakeHttpServer();

    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
    /// Queues the answer to the next request; when the script is empty the server answers
    /// 204 (POST) or the settings document (GET /settings).
    void script(ScriptedResponse response);
    /// The JSON document served for GET /settings when no script entry is queued.
    void set_settings_json(std::string json);
    [[nodiscard]] std::vector<RecordedRequest> requests() const;
    [[nodiscard]] std::size_t request_count() const;
    [[nodiscard]] std::size_t connections_accepted() const noexcept { return accepted_; }

    struct Impl;

  private:
    std::unique_ptr<Impl> impl_;
    std::uint16_t port_ = 0;
    std::atomic<std::size_t> accepted_{0};
};

/// The public half of an ECDSA P-256 key and its private scalar, all base64url unpadded.
struct TestEcKey {
    std::string d;
    std::string x;
    std::string y;
};
/// A fresh random P-256 key.
TestEcKey make_test_ec_key();

class FakeTcpServer {
  public:
    /// With `auth_key`, each connection must pass the challenge for key id `key_id`
    /// signed by that key, else the server closes it.
    explicit FakeTcpServer(std::optional<TestEcKey> auth_key = std::nullopt,
                           std::string key_id = "testUser1",
                           std::optional<ServerTls> tls = std::nullopt);
    ~FakeTcpServer();

    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
    /// Everything received after authentication, over all connections.
    [[nodiscard]] std::string received() const;
    [[nodiscard]] std::size_t auth_failures() const noexcept { return auth_failures_; }
    [[nodiscard]] std::size_t auth_successes() const noexcept { return auth_successes_; }

    struct Impl;

  private:
    std::unique_ptr<Impl> impl_;
    std::uint16_t port_ = 0;
    std::atomic<std::size_t> auth_failures_{0};
    std::atomic<std::size_t> auth_successes_{0};
};

}  // namespace questdb::test::ilp
