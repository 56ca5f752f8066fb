# Install rules and the CMake package (questdbConfig.cmake, questdbConfigVersion.cmake).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(QUESTDB_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/questdb")

install(TARGETS questdb_client
    EXPORT questdbTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/questdb
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
    FILES_MATCHING PATTERN "*.hpp" PATTERN "*.h")

install(EXPORT questdbTargets
    NAMESPACE questdb::
    DESTINATION ${QUESTDB_CMAKE_DIR})

configure_package_config_file(
    ${PROJECT_SOURCE_DIR}/cmake/questdbConfig.cmake.in
    ${PROJECT_BINARY_DIR}/questdbConfig.cmake
    INSTALL_DESTINATION ${QUESTDB_CMAKE_DIR})
write_basic_package_version_file(
    ${PROJECT_BINARY_DIR}/questdbConfigVersion.cmake
    VERSION ${PROJECT_VERSION}
    COMPATIBILITY SameMinorVersion)
install(FILES
    ${PROJECT_BINARY_DIR}/questdbConfig.cmake
    ${PROJECT_BINARY_DIR}/questdbConfigVersion.cmake
    ${PROJECT_SOURCE_DIR}/cmake/Findzstd.cmake
    DESTINATION ${QUESTDB_CMAKE_DIR})
