# ---- QWP encoding side (owner: qwp/ingress encoding): Chunk, Buffer, names, encode adapters --
target_sources(questdb_client PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/names.cpp
    ${CMAKE_CURRENT_LIST_DIR}/chunk.cpp
    ${CMAKE_CURRENT_LIST_DIR}/encode_chunk.cpp)
# ---- end of the encoding block; sender files live in sources-senders.cmake -----------------
