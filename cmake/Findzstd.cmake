# Finds libzstd and defines the imported target zstd::zstd.
# Prefers zstd's own CMake package (Debian ships one), else falls back to a plain search.
find_package(zstd CONFIG QUIET NO_MODULE)
if(zstd_FOUND AND (TARGET zstd::libzstd_shared OR TARGET zstd::libzstd_static))
    if(NOT TARGET zstd::zstd)
        add_library(zstd::zstd INTERFACE IMPORTED)
        if(TARGET zstd::libzstd_shared)
            target_link_libraries(zstd::zstd INTERFACE zstd::libzstd_shared)
        else()
            target_link_libraries(zstd::zstd INTERFACE zstd::libzstd_static)
        endif()
    endif()
    return()
endif()

find_path(zstd_INCLUDE_DIR zstd.h)
find_library(zstd_LIBRARY NAMES zstd libzstd)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(zstd REQUIRED_VARS zstd_LIBRARY zstd_INCLUDE_DIR)
if(zstd_FOUND AND NOT TARGET zstd::zstd)
    add_library(zstd::zstd UNKNOWN IMPORTED)
    set_target_properties(zstd::zstd PROPERTIES
        IMPORTED_LOCATION "${zstd_LIBRARY}"
        INTERFACE_INCLUDE_DIRECTORIES "${zstd_INCLUDE_DIR}")
endif()
mark_as_advanced(zstd_INCLUDE_DIR zstd_LIBRARY)
