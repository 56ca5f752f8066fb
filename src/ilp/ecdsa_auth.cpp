#include "ilp/ecdsa_auth.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <array>
#include <cstdint>

namespace questdb::ilp {
namespace {

using detail::fail;

template <typename T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const noexcept { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_clear_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using SigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;

detail::Failure key_error(const std::string& what) {
    return fail(ErrorCode::auth_error, "Misconfigured ILP/TCP authentication key: " + what +
                                           ". Check `token`, `token_x` and `token_y` for a typo.");
}

}  // namespace

struct EcdsaSigner::Key {
    PkeyPtr pkey;
};

EcdsaSigner::EcdsaSigner(std::unique_ptr<Key> key) noexcept : key_(std::move(key)) {}
EcdsaSigner::~EcdsaSigner() = default;

bool decode_base64url(std::string_view text, std::string& out) {
    out.clear();
    std::uint32_t acc = 0;
    int bits = 0;
    while (!text.empty() && text.back() == '=') {
        text.remove_suffix(1);
    }
    for (const char c : text) {
        int v;
        if (c >= 'A' && c <= 'Z') {
            v = c - 'A';
        } else if (c >= 'a' && c <= 'z') {
            v = c - 'a' + 26;
        } else if (c >= '0' && c <= '9') {
            v = c - '0' + 52;
        } else if (c == '-' || c == '+') {
            v = 62;
        } else if (c == '_' || c == '/') {
            v = 63;
        } else {
            return false;
        }
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xFF));
        }
    }
    return bits < 6;  // a dangling single sextet is malformed
}

std::string encode_base64(std::span<const unsigned char> bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                                  static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

detail::Result<std::shared_ptr<EcdsaSigner>> EcdsaSigner::create(const EcdsaKey& key) {
    if (key.key_id.find('\n') != std::string::npos) {
        return fail(ErrorCode::auth_error, "Bad ILP/TCP key id: must not contain a newline");
    }
    std::string d;
    std::string x;
    std::string y;
    if (!decode_base64url(key.d, d) || d.empty() || d.size() > 32) {
        return key_error("the private key (`token`) is not a base64url P-256 scalar");
    }
    if (!decode_base64url(key.x, x) || x.empty() || x.size() > 32) {
        return key_error("public key x (`token_x`) is not base64url of at most 32 bytes");
    }
    if (!decode_base64url(key.y, y) || y.empty() || y.size() > 32) {
        return key_error("public key y (`token_y`) is not base64url of at most 32 bytes");
    }
    // SEC 1 uncompressed point: 0x04 || X (32 bytes) || Y (32 bytes), left-padded.
    std::array<unsigned char, 65> point{};
    point[0] = 0x04;
    std::copy(x.begin(), x.end(), point.begin() + 1 + (32 - x.size()));
    std::copy(y.begin(), y.end(), point.begin() + 33 + (32 - y.size()));

    BnPtr priv(BN_bin2bn(reinterpret_cast<const unsigned char*>(d.data()),
                         static_cast<int>(d.size()), nullptr));
    std::fill(d.begin(), d.end(), '\0');
    ParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!priv || !bld ||
        !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv.get()) ||
        !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                          point.size())) {
        return key_error("could not assemble the key");
    }
    ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY* raw = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
        EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_KEYPAIR, params.get()) <= 0) {
        return key_error("the public key is not a point on P-256");
    }
    PkeyPtr pkey(raw);
    PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) <= 0 ||
        EVP_PKEY_pairwise_check(check.get()) <= 0) {
        return key_error("the private key does not match the public key");
    }
    auto k = std::make_unique<Key>();
    k->pkey = std::move(pkey);
    return std::make_shared<EcdsaSigner>(std::move(k));
}

detail::Result<std::string> EcdsaSigner::sign(std::string_view challenge) const {
    MdCtxPtr md(EVP_MD_CTX_new());
    std::size_t der_len = 0;
    if (!md ||
        EVP_DigestSignInit_ex(md.get(), nullptr, "SHA256", nullptr, nullptr, key_->pkey.get(),
                              nullptr) <= 0 ||
        EVP_DigestSign(md.get(), nullptr, &der_len,
                       reinterpret_cast<const unsigned char*>(challenge.data()),
                       challenge.size()) <= 0) {
        return fail(ErrorCode::auth_error, "Could not sign the ILP/TCP auth challenge");
    }
    std::string der(der_len, '\0');
    if (EVP_DigestSign(md.get(), reinterpret_cast<unsigned char*>(der.data()), &der_len,
                       reinterpret_cast<const unsigned char*>(challenge.data()),
                       challenge.size()) <= 0) {
        return fail(ErrorCode::auth_error, "Could not sign the ILP/TCP auth challenge");
    }
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    SigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
    if (!sig) {
        return fail(ErrorCode::auth_error, "Could not encode the ILP/TCP auth signature");
    }
    const BIGNUM* r = nullptr;
    const BIGNUM* s = nullptr;
    ECDSA_SIG_get0(sig.get(), &r, &s);
    std::array<unsigned char, 64> fixed{};
    if (BN_bn2binpad(r, fixed.data(), 32) != 32 || BN_bn2binpad(s, fixed.data() + 32, 32) != 32) {
        return fail(ErrorCode::auth_error, "Could not encode the ILP/TCP auth signature");
    }
    return encode_base64(fixed);
}

}  // namespace questdb::ilp
