# QuestDb: the pools, leases, the housekeeper and the orphan-slot drainers.
target_sources(questdb_client PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/orphan_drainers.cpp
    ${CMAKE_CURRENT_LIST_DIR}/pool_state.cpp
    ${CMAKE_CURRENT_LIST_DIR}/quest_db.cpp
    ${CMAKE_CURRENT_LIST_DIR}/row_sender_backend.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sf_column_sender.cpp)
