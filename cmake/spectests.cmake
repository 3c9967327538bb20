# WebAssembly spec tests: one CTest per wast2json script, each running `kumo wast SCRIPT`
# (e.g. `ctest -R spectest.wasm-2.0.simd_lane`), so that failures are readable and scripts run
# in parallel with `ctest -j`.
#
#  - required suites (wasm-1.0, wasm-2.0, and the component-model suites component-model,
#    component-model-ref, component-model-wasmtime) must pass; if their folder is missing, a test named
#    after the suite runs `kumo wast` on the missing folder and FAILS, so a broken checkout
#    never looks green;
#  - informational suites (wasm-3.0*, threads, exception-handling-legacy) report failures as
#    "skipped" (exit code 77 -> SKIP_RETURN_CODE) and carry the label `informational`, so they
#    never fail CI but their results stay visible (`ctest -L informational --output-on-failure`);
#  - component-model-ref-async is informational too, and the runner skips all of its commands
#    ("needs the async component model (WASI 0.3 era)"): with `--skip-exit-code 77` its tests show
#    as skipped in CTest, never as passed.
#
# `cmake --build <dir> --target spectest-summary` prints one summary line per suite instead.
# The suites run with the default tier (the baseline compiling tier on x86-64); the required ones
# run once more with the interpreter alone (spectest-interp.*).

set(KUMO_SPECTEST_DIR "${CMAKE_SOURCE_DIR}/../shared/spectest" CACHE PATH
    "Folder holding the wast2json-converted spec test suites")

# `kumo version` reports the project version (kept here because this file belongs to the CLI);
# `kumo wast` uses the source tree's assembled text modules when --assembled is not given.
target_compile_definitions(kumo_cli PRIVATE KUMO_VERSION="${PROJECT_VERSION}"
                           KUMO_DEFAULT_ASSEMBLED_DIR="${CMAKE_SOURCE_DIR}/tests/spectest-assembled")

# Binaries for the few text-format modules the converter could not assemble
# (tests/spectest-assembled/build.sh).
set(KUMO_ASSEMBLED_DIR "${CMAKE_SOURCE_DIR}/tests/spectest-assembled")

set(KUMO_SPECTEST_TIMEOUT 300 CACHE STRING "Seconds allowed per spec-test script")

# Extra arguments after `required` are passed to `kumo wast`.
function(kumo_spectest_suite suite required)
  set(dir "${KUMO_SPECTEST_DIR}/${suite}")
  file(GLOB_RECURSE scripts CONFIGURE_DEPENDS "${dir}/*.json")
  list(SORT scripts)
  if(NOT scripts)
    if(required)
      message(WARNING "spec tests: no scripts in ${dir}; test spectest.${suite} will fail")
      add_test(NAME spectest.${suite} COMMAND kumo wast "${dir}")
      set_tests_properties(spectest.${suite} PROPERTIES LABELS "spectest")
    endif()
    return()
  endif()
  foreach(script IN LISTS scripts)
    get_filename_component(name "${script}" NAME_WE)
    set(test spectest.${suite}.${name})
    if(required)
      add_test(NAME ${test} COMMAND kumo wast --timeout ${KUMO_SPECTEST_TIMEOUT}
                                    --assembled "${KUMO_ASSEMBLED_DIR}" "${script}")
      set_tests_properties(${test} PROPERTIES LABELS "spectest;spectest.${suite}")
    else()
      add_test(NAME ${test}
               COMMAND kumo wast --timeout ${KUMO_SPECTEST_TIMEOUT} --fail-exit-code 77 ${ARGN} "${script}")
      set_tests_properties(${test} PROPERTIES LABELS "spectest;spectest.${suite};informational"
                                              SKIP_RETURN_CODE 77)
    endif()
    # kumo's own per-file timeout fires first and names the command that hung.
    math(EXPR ctest_timeout "${KUMO_SPECTEST_TIMEOUT} + 30")
    set_tests_properties(${test} PROPERTIES TIMEOUT ${ctest_timeout})
  endforeach()
endfunction()

set(kumo_required_suites wasm-1.0 wasm-2.0 component-model component-model-ref component-model-wasmtime)
file(GLOB kumo_informational_suites LIST_DIRECTORIES true RELATIVE "${KUMO_SPECTEST_DIR}"
     "${KUMO_SPECTEST_DIR}/wasm-3.0*")
list(APPEND kumo_informational_suites threads exception-handling-legacy)
list(SORT kumo_informational_suites)

foreach(suite IN LISTS kumo_required_suites)
  kumo_spectest_suite(${suite} TRUE)
endforeach()
foreach(suite IN LISTS kumo_informational_suites)
  kumo_spectest_suite(${suite} FALSE)
endforeach()
kumo_spectest_suite(component-model-ref-async FALSE --skip-exit-code 77)

# The required suites again with the interpreter alone (--tier interp): the default runs most
# functions as machine code (docs/compiler-tier.md), and no result may differ between the two.
# One test per suite; a missing folder fails like above.
foreach(suite IN LISTS kumo_required_suites)
  add_test(NAME spectest-interp.${suite}
           COMMAND kumo wast --quiet --tier interp --timeout ${KUMO_SPECTEST_TIMEOUT}
                   --assembled "${KUMO_ASSEMBLED_DIR}" "${KUMO_SPECTEST_DIR}/${suite}")
  set_tests_properties(spectest-interp.${suite} PROPERTIES LABELS "spectest;spectest-interp"
                                                         TIMEOUT 900)
endforeach()

set(kumo_summary_commands)
foreach(suite IN LISTS kumo_required_suites kumo_informational_suites ITEMS component-model-ref-async)
  list(APPEND kumo_summary_commands
       COMMAND ${CMAKE_COMMAND} -E echo "== ${suite}"
       COMMAND $<TARGET_FILE:kumo> wast --quiet --jobs 2 --fail-exit-code 0
               --assembled "${KUMO_ASSEMBLED_DIR}" "${KUMO_SPECTEST_DIR}/${suite}")
endforeach()
add_custom_target(spectest-summary ${kumo_summary_commands}
                  DEPENDS kumo USES_TERMINAL
                  COMMENT "Spec-test suites: passed / failed / skipped commands")
