#include "ingress/buffer_impl.hpp"
#include "ingress/encode.hpp"

namespace questdb::ingress {

questdb::detail::Status encode_buffer(qwp::MessageEncoder& encoder, const Buffer& buffer,
                                      qwp::SymbolDictionary& dict,
                                      const qwp::EncodeOptions& options, qwp::EncodedFrames& out) {
    if (BufferAccess::ilp(buffer) != nullptr) {
        return questdb::detail::fail(ErrorCode::invalid_api_call,
                                     "an ILP-mode Buffer cannot be sent over QWP; use Buffer()");
    }
    auto sources = BufferAccess::qwp(buffer).table_sources();
    if (!sources.ok())
        return std::move(sources).failure();
    return encoder.encode(sources.value(), dict, options, out);
}

}  // namespace questdb::ingress
