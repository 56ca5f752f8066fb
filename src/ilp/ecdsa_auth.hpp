#pragma once

// The ILP/TCP authentication handshake: the client sends its key id and a newline, the
// server answers with a challenge line, the client returns the challenge signed with
// ECDSA P-256 / SHA-256 as base64 of the fixed-size r||s signature and a newline.

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "ilp/sender_config.hpp"

namespace questdb::ilp {

/// A P-256 signing key built from the connect string's `token` (d), `token_x`, `token_y`.
class EcdsaSigner {
  public:
    /// Decodes and checks the key (d must belong to (x, y)). Fails with auth_error whose
    /// message names which part is wrong but never its value.
    static detail::Result<std::shared_ptr<EcdsaSigner>> create(const EcdsaKey& key);

    ~EcdsaSigner();
    EcdsaSigner(const EcdsaSigner&) = delete;
    EcdsaSigner& operator=(const EcdsaSigner&) = delete;

    /// Signs `challenge` and returns base64(r||s) (88 characters, padded).
    [[nodiscard]] detail::Result<std::string> sign(std::string_view challenge) const;

    struct Key;
    explicit EcdsaSigner(std::unique_ptr<Key> key) noexcept;

  private:
    std::unique_ptr<Key> key_;
};

/// Decodes base64url without padding (padding tolerated). Returns false on bad input.
[[nodiscard]] bool decode_base64url(std::string_view text, std::string& out);

/// Standard base64 with padding.
[[nodiscard]] std::string encode_base64(std::span<const unsigned char> bytes);

}  // namespace questdb::ilp
