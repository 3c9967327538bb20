# Fuzzing (included from the top-level CMakeLists).
#
# Always: kumo_fuzz_replay, the fuzz target linked with a plain main(), and the CTest tests
# fuzz_regressions (replays tests/wasm/fuzz-regressions/, inputs that once crashed) and
# fuzz_spec_modules (replays the spec tests' modules).
# With -DKUMO_FUZZ=ON and clang (CC=clang CXX=clang++): kumo_fuzz_module, the libFuzzer binary,
# with ASan + UBSan, and the engine libraries instrumented for coverage. scripts/fuzz.sh drives it.

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

if(KUMO_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "KUMO_FUZZ needs clang: configure with CC=clang CXX=clang++")
  endif()
  set(kumo_fuzz_flags -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -g)
  # The libraries were created above, so instrument them here rather than with add_compile_options.
  foreach(lib kumo_wasm kumo_wasi)
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
endif()
