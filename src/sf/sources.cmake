# Store-and-forward: CRC32C, the on-disk formats (SF01 segments, SFM1 manifest, AKW1 ack
# watermark, SYD1 symbol dictionary), slots and locks, and the memory/disk frame queues.
target_sources(questdb_client PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/crc32c.cpp
    ${CMAKE_CURRENT_LIST_DIR}/fs_io.cpp
    ${CMAKE_CURRENT_LIST_DIR}/frame_queue.cpp
    ${CMAKE_CURRENT_LIST_DIR}/segment_file.cpp
    ${CMAKE_CURRENT_LIST_DIR}/record_file.cpp
    ${CMAKE_CURRENT_LIST_DIR}/symbol_dict_file.cpp
    ${CMAKE_CURRENT_LIST_DIR}/slot.cpp
    ${CMAKE_CURRENT_LIST_DIR}/disk_queue.cpp)
