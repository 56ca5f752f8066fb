#pragma once

// ILP/TCP ECDSA P-256 challenge/response: the client sends its key id and a newline, the
// server answers a random challenge line, the client returns base64(signature) and a newline;
// the signature (SHA-256, DER or raw r||s) must verify against the configured public key.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace questdb::test_server::detail {

/// Decodes standard or URL-safe base64, padded or not. nullopt on a bad character.
std::optional<std::vector<unsigned char>> base64_decode(std::string_view text);

/// A printable random challenge of `size` characters (no newline).
std::string make_challenge(std::size_t size);

/// Verifies `signature_b64` over `challenge` with the P-256 public key (x, y base64url).
bool verify_ecdsa_p256(std::string_view x_b64url, std::string_view y_b64url,
                       std::string_view challenge, std::string_view signature_b64);

}  // namespace questdb::test_server::detail
