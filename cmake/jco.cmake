# The jco runtime fixtures (/work/shared/components/jco/runtime) under the C++ test host:
# tests/component/jco/*.cpp -> kumo_jco_tests, registered with CTest as `jco.<Suite>.<Test>`.
file(GLOB jco_test_srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/component/jco/*.cpp)
if(jco_test_srcs)
  add_executable(kumo_jco_tests ${jco_test_srcs})
  target_link_libraries(kumo_jco_tests PRIVATE kumo_component GTest::gtest GTest::gtest_main)
  target_compile_definitions(kumo_jco_tests PRIVATE
    KUMO_SOURCE_DIR="${CMAKE_SOURCE_DIR}" KUMO_SHARED_DIR="${CMAKE_SOURCE_DIR}/../shared")
  gtest_discover_tests(kumo_jco_tests TEST_PREFIX "jco." DISCOVERY_TIMEOUT 60)
endif()
