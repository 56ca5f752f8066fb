#include "egress/zstd_codec.hpp"

#include <zstd.h>

#include <algorithm>
#include <string>

namespace questdb::egress {

using detail::fail;
using detail::Status;

struct ZstdDecompressor::Ctx {
    ZSTD_DCtx* dctx = ZSTD_createDCtx();
    ~Ctx() { ZSTD_freeDCtx(dctx); }
};

ZstdDecompressor::ZstdDecompressor(std::size_t max_output_bytes)
    : ctx_(std::make_unique<Ctx>()), max_output_(max_output_bytes) {}
ZstdDecompressor::~ZstdDecompressor() = default;

Status ZstdDecompressor::decompress(std::span<const std::uint8_t> input,
                                    std::vector<std::uint8_t>& out) {
    if (ctx_->dctx == nullptr) {
        return fail(ErrorCode::protocol_error, "zstd decompression context unavailable");
    }
    ZSTD_DCtx_reset(ctx_->dctx, ZSTD_reset_session_only);
    out.clear();
    if (input.empty()) {
        return fail(ErrorCode::protocol_error, "empty zstd-compressed RESULT_BATCH body");
    }
    ZSTD_inBuffer in{input.data(), input.size(), 0};
    std::size_t produced = 0;
    std::size_t last = 1;
    while (true) {
        if (out.size() - produced < ZSTD_DStreamOutSize()) {
            const std::size_t want =
                std::min(max_output_ + 1, std::max<std::size_t>(out.size() * 2, 64 * 1024));
            if (want <= out.size()) {
                return fail(ErrorCode::limit_exceeded,
                            "decompressed RESULT_BATCH exceeds the cap of " +
                                std::to_string(max_output_) + " bytes");
            }
            out.resize(want);
        }
        ZSTD_outBuffer o{out.data(), out.size(), produced};
        last = ZSTD_decompressStream(ctx_->dctx, &o, &in);
        produced = o.pos;
        if (ZSTD_isError(last)) {
            out.clear();
            return fail(ErrorCode::protocol_error,
                        std::string("corrupt zstd RESULT_BATCH body: ") + ZSTD_getErrorName(last));
        }
        if (produced > max_output_) {
            out.clear();
            return fail(ErrorCode::limit_exceeded, "decompressed RESULT_BATCH exceeds the cap of " +
                                                       std::to_string(max_output_) + " bytes");
        }
        const bool input_done = in.pos == in.size;
        const bool output_room = o.pos < o.size;
        if (input_done && output_room) {
            break;  // all input consumed and the decoder had room to flush everything
        }
    }
    if (last != 0) {
        out.clear();
        return fail(ErrorCode::protocol_error, "truncated zstd RESULT_BATCH body");
    }
    out.resize(produced);
    return {};
}

bool zstd_compress(std::span<const std::uint8_t> input, int level, std::vector<std::uint8_t>& out) {
    out.resize(ZSTD_compressBound(input.size()));
    const std::size_t n = ZSTD_compress(out.data(), out.size(), input.data(), input.size(), level);
    if (ZSTD_isError(n)) {
        out.clear();
        return false;
    }
    out.resize(n);
    return true;
}

}  // namespace questdb::egress
