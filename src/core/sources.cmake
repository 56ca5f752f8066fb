target_sources(questdb_client PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/background_thread.cpp
    ${CMAKE_CURRENT_LIST_DIR}/error.cpp
    ${CMAKE_CURRENT_LIST_DIR}/version.cpp)
