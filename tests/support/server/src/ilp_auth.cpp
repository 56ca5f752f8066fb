// ILP/TCP ECDSA verification with OpenSSL 3; see ilp_auth.hpp.

#include "ilp_auth.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include <memory>

namespace questdb::test_server::detail {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const noexcept { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using SigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;

PkeyPtr public_key(const std::vector<unsigned char>& x, const std::vector<unsigned char>& y) {
    if (x.size() != 32 || y.size() != 32) {
        return nullptr;
    }
    std::vector<unsigned char> point{0x04};
    point.insert(point.end(), x.begin(), x.end());
    point.insert(point.end(), y.begin(), y.end());
    ParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bld ||
        !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                          point.size())) {
        return nullptr;
    }
    ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY* key = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
        EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0) {
        return nullptr;
    }
    return PkeyPtr(key);
}

/// Raw r||s (64 bytes, as ring's FIXED signing produces) to DER; DER passes through.
std::vector<unsigned char> to_der(const std::vector<unsigned char>& sig) {
    if (sig.size() != 64) {
        return sig;
    }
    SigPtr s(ECDSA_SIG_new());
    BIGNUM* r = BN_bin2bn(sig.data(), 32, nullptr);
    BIGNUM* ss = BN_bin2bn(sig.data() + 32, 32, nullptr);
    if (!s || !r || !ss || !ECDSA_SIG_set0(s.get(), r, ss)) {
        BN_free(r);
        BN_free(ss);
        return {};
    }
    const int len = i2d_ECDSA_SIG(s.get(), nullptr);
    std::vector<unsigned char> der(static_cast<std::size_t>(len > 0 ? len : 0));
    unsigned char* p = der.data();
    i2d_ECDSA_SIG(s.get(), &p);
    return der;
}

int b64_value(char c) {
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

}  // namespace

std::optional<std::vector<unsigned char>> base64_decode(std::string_view text) {
    while (!text.empty() && (text.back() == '=' || text.back() == '\r')) {
        text.remove_suffix(1);
    }
    std::vector<unsigned char> out;
    unsigned buffer = 0;
    int bits = 0;
    for (char c : text) {
        const int v = b64_value(c);
        if (v < 0) {
            return std::nullopt;
        }
        buffer = (buffer << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<unsigned char>((buffer >> bits) & 0xFF));
        }
    }
    return out;
}

std::string make_challenge(std::size_t size) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::vector<unsigned char> random(size);
    RAND_bytes(random.data(), static_cast<int>(random.size()));
    std::string out;
    for (auto b : random) {
        out.push_back(kAlphabet[b % (sizeof(kAlphabet) - 1)]);
    }
    return out;
}

bool verify_ecdsa_p256(std::string_view x_b64url, std::string_view y_b64url,
                       std::string_view challenge, std::string_view signature_b64) {
    const auto x = base64_decode(x_b64url);
    const auto y = base64_decode(y_b64url);
    const auto sig = base64_decode(signature_b64);
    if (!x || !y || !sig || sig->empty()) {
        return false;
    }
    auto key = public_key(*x, *y);
    if (!key) {
        return false;
    }
    const auto der = to_der(*sig);
    MdCtxPtr md(EVP_MD_CTX_new());
    if (!md || EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, key.get()) <= 0) {
        return false;
    }
    return EVP_DigestVerify(md.get(), der.data(), der.size(),
                            reinterpret_cast<const unsigned char*>(challenge.data()),
                            challenge.size()) == 1;
}

}  // namespace questdb::test_server::detail
