# Sender cores: server responses, delivery loop, store-and-forward senders and the direct
# sender of flush_arrow_batch (pool side).
target_sources(questdb_client PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/server_response.cpp
    ${CMAKE_CURRENT_LIST_DIR}/in_flight.cpp
    ${CMAKE_CURRENT_LIST_DIR}/upgrade_acceptance.cpp
    ${CMAKE_CURRENT_LIST_DIR}/event_hub.cpp
    ${CMAKE_CURRENT_LIST_DIR}/delivery.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sf_sender_core.cpp
    ${CMAKE_CURRENT_LIST_DIR}/direct_sender.cpp)
