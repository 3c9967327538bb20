# Fuzzing (included from the top-level CMakeLists).
#
# Always: kumo_fuzz_replay, the fuzz target linked with a plain main(), and the CTest tests
# fuzz_regressions (replays tests/wasm/fuzz-regressions/, inputs that once crashed) and
# fuzz_spec_modules (replays the spec tests' modules).
# With -DKUMO_FUZZ=ON and clang (CC=clang CXX=clang++): kumo_fuzz_module and kumo_fuzz_component,
# the libFuzzer binaries, with ASan + UBSan, and the engine libraries instrumented for coverage.
# scripts/fuzz.sh drives them (FUZZ_TARGET=component for the component one).

add_executable(kumo_fuzz_replay ${CMAKE_SOURCE_DIR}/fuzz/fuzz_module.cpp
                                ${CMAKE_SOURCE_DIR}/fuzz/replay_main.cpp)
target_link_libraries(kumo_fuzz_replay PRIVATE kumo_wasm)
add_test(NAME fuzz_regressions
         COMMAND kumo_fuzz_replay ${CMAKE_SOURCE_DIR}/tests/wasm/fuzz-regressions)
set_tests_properties(fuzz_regressions PROPERTIES TIMEOUT 300 LABELS fuzz)
# The same target over every spec-test module (valid, invalid and malformed ones, with dummy
# imports and zero arguments): nothing may crash or hang. A few seconds; fails when the folder
# is missing.
if(NOT DEFINED KUMO_SPECTEST_DIR)
  set(KUMO_SPECTEST_DIR "${CMAKE_SOURCE_DIR}/../shared/spectest")
endif()
add_test(NAME fuzz_spec_modules
         COMMAND kumo_fuzz_replay ${KUMO_SPECTEST_DIR}/wasm-1.0 ${KUMO_SPECTEST_DIR}/wasm-2.0
                 ${KUMO_SPECTEST_DIR}/wasm-3.0)
set_tests_properties(fuzz_spec_modules PROPERTIES TIMEOUT 600 LABELS fuzz)

# Components (fuzz/fuzz_component.cpp: decode + validate + WIT of the world): kumo_fuzz_component_replay
# and the CTest test fuzz_component_corpus over every component spec-test folder, the jco
# components and tests/component/fuzz-regressions/ (inputs that once crashed). Fails when a folder
# is missing.
add_executable(kumo_fuzz_component_replay ${CMAKE_SOURCE_DIR}/fuzz/fuzz_component.cpp
                                          ${CMAKE_SOURCE_DIR}/fuzz/replay_main.cpp)
target_link_libraries(kumo_fuzz_component_replay PRIVATE kumo_wit)
if(NOT DEFINED KUMO_COMPONENTS_DIR)
  set(KUMO_COMPONENTS_DIR "${CMAKE_SOURCE_DIR}/../shared/components")
endif()
file(GLOB kumo_component_spec_dirs LIST_DIRECTORIES true ${KUMO_SPECTEST_DIR}/component-model*)
if(NOT kumo_component_spec_dirs)
  set(kumo_component_spec_dirs ${KUMO_SPECTEST_DIR}/component-model)  # missing: the test fails
endif()
add_test(NAME fuzz_component_corpus
         COMMAND kumo_fuzz_component_replay ${kumo_component_spec_dirs} ${KUMO_COMPONENTS_DIR}/jco
                 ${CMAKE_SOURCE_DIR}/tests/component/fuzz-regressions)
set_tests_properties(fuzz_component_corpus PROPERTIES TIMEOUT 600 LABELS fuzz)

if(KUMO_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "KUMO_FUZZ needs clang: configure with CC=clang CXX=clang++")
  endif()
  set(kumo_fuzz_flags -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -g)
  # The libraries were created above, so instrument them here rather than with add_compile_options.
  foreach(lib kumo_wasm kumo_component kumo_wit kumo_wasi)
    target_compile_options(${lib} PRIVATE ${kumo_fuzz_flags})
  endforeach()
  # Whatever links the instrumented libraries needs the sanitizer runtimes (which also provide the
  # coverage callbacks).
  target_link_options(kumo_wasm INTERFACE -fsanitize=address,undefined)
  add_executable(kumo_fuzz_module ${CMAKE_SOURCE_DIR}/fuzz/fuzz_module.cpp)
  target_compile_options(kumo_fuzz_module PRIVATE -fsanitize=fuzzer,address,undefined
                                                  -fno-omit-frame-pointer -g)
  target_link_options(kumo_fuzz_module PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(kumo_fuzz_module PRIVATE kumo_wasm)

  add_executable(kumo_fuzz_component ${CMAKE_SOURCE_DIR}/fuzz/fuzz_component.cpp)
  target_compile_options(kumo_fuzz_component PRIVATE -fsanitize=fuzzer,address,undefined
                                                     -fno-omit-frame-pointer -g)
  target_link_options(kumo_fuzz_component PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(kumo_fuzz_component PRIVATE kumo_wit)
endif()
