# QuestDb: the pools, leases and the housekeeper.
target_sources(questdb_client PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/pool_state.cpp
    ${CMAKE_CURRENT_LIST_DIR}/quest_db.cpp
    ${CMAKE_CURRENT_LIST_DIR}/row_sender_backend.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sf_column_sender.cpp)
