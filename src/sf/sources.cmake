target_sources(questdb_client PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/crc32c.cpp
    ${CMAKE_CURRENT_LIST_DIR}/fs_io.cpp
    ${CMAKE_CURRENT_LIST_DIR}/frame_queue.cpp)
