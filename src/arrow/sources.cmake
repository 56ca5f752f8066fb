# Arrow C Data Interface interop: record batches in (flush_arrow_batch), cursors out.
# Ingest is split by type family (see ingest_plan.hpp).
target_sources(questdb_client PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/ingest_plan.cpp
    ${CMAKE_CURRENT_LIST_DIR}/ingest_support.cpp
    ${CMAKE_CURRENT_LIST_DIR}/ingest_classify.cpp
    ${CMAKE_CURRENT_LIST_DIR}/ingest_metadata.cpp
    ${CMAKE_CURRENT_LIST_DIR}/ingest_numeric.cpp
    ${CMAKE_CURRENT_LIST_DIR}/ingest_strings.cpp
    ${CMAKE_CURRENT_LIST_DIR}/ingest_views.cpp
    ${CMAKE_CURRENT_LIST_DIR}/ingest_temporal.cpp
    ${CMAKE_CURRENT_LIST_DIR}/ingest_arrays.cpp
    ${CMAKE_CURRENT_LIST_DIR}/flush_arrow_batch.cpp
    ${CMAKE_CURRENT_LIST_DIR}/export_builder.cpp
    ${CMAKE_CURRENT_LIST_DIR}/cursor_arrow.cpp)
