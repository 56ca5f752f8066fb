#include "ingress/chunk_impl.hpp"
#include "ingress/encode.hpp"

namespace questdb::ingress {

questdb::detail::Status encode_chunk(qwp::MessageEncoder& encoder, const Chunk& chunk,
                                     qwp::SymbolDictionary& dict, const qwp::EncodeOptions& options,
                                     qwp::EncodedFrames& out) {
    auto source = ChunkAccess::table_source(chunk);
    if (!source.ok())
        return std::move(source).failure();
    const qwp::TableSource& table = source.value();
    return encoder.encode({&table, 1}, dict, options, out);
}

}  // namespace questdb::ingress
