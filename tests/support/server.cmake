# The in-tree QuestDB test server: library questdb_test_server (questdb::test_server), the
# qdb-test-server executable and their own tests. Included from tests/support/CMakeLists.txt.

set(_qts_dir ${CMAKE_CURRENT_LIST_DIR}/server)

add_library(questdb_test_server
    ${_qts_dir}/src/values.cpp
    ${_qts_dir}/src/storage.cpp
    ${_qts_dir}/src/ilp_parser.cpp
    ${_qts_dir}/src/ilp_auth.cpp
    ${_qts_dir}/src/qwp_ingress.cpp
    ${_qts_dir}/src/sessions.cpp
    ${_qts_dir}/src/egress_session.cpp
    ${_qts_dir}/src/sql_query.cpp
    ${_qts_dir}/src/server.cpp)
add_library(questdb::test_server ALIAS questdb_test_server)
set_target_properties(questdb_test_server PROPERTIES
    EXPORT_NAME test_server
    OUTPUT_NAME questdb_test_server)
target_include_directories(questdb_test_server
    PUBLIC
        $<BUILD_INTERFACE:${_qts_dir}/include>
        $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
    PRIVATE
        ${_qts_dir}/src
        ${PROJECT_SOURCE_DIR}/src)
target_compile_features(questdb_test_server PUBLIC cxx_std_20)
target_compile_definitions(questdb_test_server PRIVATE
    BOOST_ASIO_NO_DEPRECATED)
# The server reuses the library's strict QWP decoder (src/qwp), so it links the client.
target_link_libraries(questdb_test_server
    PUBLIC
        questdb::client Threads::Threads
    PRIVATE
        $<BUILD_INTERFACE:questdb_build_options>
        Boost::headers Boost::json OpenSSL::SSL OpenSSL::Crypto zstd::zstd)
if(BUILD_SHARED_LIBS)
    # Internal codec symbols are hidden in a shared libquestdb: compile them in directly.
    get_target_property(_qts_client_sources questdb_client SOURCES)
    foreach(_src IN LISTS _qts_client_sources)
        if(_src MATCHES "/src/(qwp|egress|core)/[^/]+\\.cpp$")
            target_sources(questdb_test_server PRIVATE ${_src})
        endif()
    endforeach()
endif()

add_executable(qdb-test-server ${_qts_dir}/src/main.cpp)
target_link_libraries(qdb-test-server PRIVATE questdb::test_server questdb_build_options
    Boost::headers)
target_compile_definitions(qdb-test-server PRIVATE BOOST_ASIO_NO_DEPRECATED)
if(TARGET questdb_test_tls)
    # `--tls` without --tls-cert/--tls-key generates a throw-away self-signed certificate.
    target_link_libraries(qdb-test-server PRIVATE questdb_test_tls)
    target_compile_definitions(qdb-test-server PRIVATE QDB_TEST_SERVER_HAVE_TLS_CERTS)
endif()

if(QUESTDB_BUILD_TESTS AND EXISTS ${_qts_dir}/tests/CMakeLists.txt)
    include(QuestdbTesting)
    include(${_qts_dir}/tests/CMakeLists.txt)
endif()

if(QUESTDB_INSTALL AND QUESTDB_INSTALL_TEST_SERVER)
    include(GNUInstallDirs)
    install(TARGETS questdb_test_server qdb-test-server
        EXPORT questdbTestServerTargets
        COMPONENT test_server
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
    install(DIRECTORY ${_qts_dir}/include/questdb
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        COMPONENT test_server
        FILES_MATCHING PATTERN "*.hpp")
    install(EXPORT questdbTestServerTargets
        NAMESPACE questdb::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/questdb
        COMPONENT test_server)
endif()
