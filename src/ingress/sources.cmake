# ---- QWP encoding side (owner: qwp/ingress encoding): Chunk, Buffer, names, encode adapters --
target_sources(questdb_client PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/names.cpp
    ${CMAKE_CURRENT_LIST_DIR}/chunk.cpp
    ${CMAKE_CURRENT_LIST_DIR}/encode_chunk.cpp
    ${CMAKE_CURRENT_LIST_DIR}/qwp_row_store.cpp
    ${CMAKE_CURRENT_LIST_DIR}/buffer.cpp
    ${CMAKE_CURRENT_LIST_DIR}/encode_buffer.cpp)
# ---- end of the encoding block; sender files live in sources-senders.cmake -----------------
