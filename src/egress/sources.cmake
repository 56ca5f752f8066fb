# Query (egress) client: codec, views, protocol engine, reader; plus the server-side writer
# used by the in-tree test server.
target_sources(questdb_client PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/messages.cpp
    ${CMAKE_CURRENT_LIST_DIR}/binds.cpp
    ${CMAKE_CURRENT_LIST_DIR}/symbol_dict.cpp
    ${CMAKE_CURRENT_LIST_DIR}/zstd_codec.cpp
    ${CMAKE_CURRENT_LIST_DIR}/gorilla_bridge.cpp
    ${CMAKE_CURRENT_LIST_DIR}/batch_decoder.cpp
    ${CMAKE_CURRENT_LIST_DIR}/column_view.cpp
    ${CMAKE_CURRENT_LIST_DIR}/server_writer.cpp
    ${CMAKE_CURRENT_LIST_DIR}/protocol.cpp
    ${CMAKE_CURRENT_LIST_DIR}/failover.cpp
    ${CMAKE_CURRENT_LIST_DIR}/reader_core.cpp
    ${CMAKE_CURRENT_LIST_DIR}/reader.cpp
    ${CMAKE_CURRENT_LIST_DIR}/ws_connector.cpp)
