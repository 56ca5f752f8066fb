#pragma once

// Entry points the senders (pool) use to turn a Chunk or a Buffer into QWP frames.
//
//   qwp::MessageEncoder encoder;        // per sender, reused
//   qwp::SymbolDictionary dict;         // per sender (see qwp/symbol_dict.hpp)
//   qwp::EncodedFrames frames;          // reused; clear() before each flush
//   qwp::EncodeOptions opt;             // max_frame_size from X-QWP-Max-Batch-Size
//   auto st = ingress::encode_chunk(encoder, chunk, dict, opt, frames);
//
// On success `frames` gained one or more complete QWP messages (the last one commits, the
// others carry FLAG_DEFER_COMMIT). On failure nothing was appended and the dictionary is
// unchanged. Neither call modifies the Chunk/Buffer: the caller clears it after the frames
// are safely queued.

#include "core/result.hpp"
#include "qwp/encoder.hpp"

namespace questdb::ingress {

class Chunk;
class Buffer;

/// Encodes one chunk. Errors: invalid_api_call (no designated timestamp and no at_now),
/// limit_exceeded, symbol_dict_full.
questdb::detail::Status encode_chunk(qwp::MessageEncoder& encoder, const Chunk& chunk,
                                     qwp::SymbolDictionary& dict, const qwp::EncodeOptions& options,
                                     qwp::EncodedFrames& out);

/// Encodes every complete row of a QWP Buffer (all its tables, in first-use order). Errors:
/// invalid_api_call (a row is still open), limit_exceeded, symbol_dict_full.
questdb::detail::Status encode_buffer(qwp::MessageEncoder& encoder, const Buffer& buffer,
                                      qwp::SymbolDictionary& dict,
                                      const qwp::EncodeOptions& options, qwp::EncodedFrames& out);

}  // namespace questdb::ingress
