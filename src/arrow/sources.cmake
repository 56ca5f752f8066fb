# Arrow C Data Interface interop: record batches in (flush_arrow_batch), cursors out.
target_sources(questdb_client PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/ingest_plan.cpp
    ${CMAKE_CURRENT_LIST_DIR}/flush_arrow_batch.cpp
    ${CMAKE_CURRENT_LIST_DIR}/export_builder.cpp
    ${CMAKE_CURRENT_LIST_DIR}/cursor_arrow.cpp)
