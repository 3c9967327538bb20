# Smoke tests of `kumo` commands on real components (included from the top-level CMakeLists).
set(kumo_jco_dir "${CMAKE_SOURCE_DIR}/../shared/components/jco")

add_test(NAME cli.inspect.wit
         COMMAND kumo inspect "${kumo_jco_dir}/runtime/numbers.component.wasm")
set_tests_properties(cli.inspect.wit PROPERTIES
  PASS_REGULAR_EXPRESSION "interface test {.*roundtrip-u8: func\\(a: u8\\) -> u8;.*export test:numbers/test;|export test:numbers/test;.*roundtrip-u8: func\\(a: u8\\) -> u8;")

add_test(NAME cli.inspect.json
         COMMAND kumo inspect -o json "${kumo_jco_dir}/runtime/resources.component.wasm")
set_tests_properties(cli.inspect.json PROPERTIES PASS_REGULAR_EXPRESSION "\"kind\": \"component\"")

# Bad input: a clear message naming the file, and a non-zero exit status.
add_test(NAME cli.inspect.bad_input COMMAND kumo inspect "${CMAKE_SOURCE_DIR}/README.md")
set_tests_properties(cli.inspect.bad_input PROPERTIES WILL_FAIL TRUE)
add_test(NAME cli.inspect.bad_input_message COMMAND kumo inspect "${CMAKE_SOURCE_DIR}/README.md")
set_tests_properties(cli.inspect.bad_input_message PROPERTIES
  PASS_REGULAR_EXPRESSION "README.md: not a WebAssembly binary")

# kumo validate on components: every real component validates; a truncated one is rejected with
# the offset named.
add_test(NAME cli.validate.components
         COMMAND kumo validate "${kumo_jco_dir}/runtime/numbers.component.wasm"
                 "${kumo_jco_dir}/misc/hello_stdout.component.wasm"
                 "${CMAKE_SOURCE_DIR}/tests/components/wasm/http_hello.component.wasm"
                 "${CMAKE_SOURCE_DIR}/tests/components/wasm/js_hello.component.wasm")
add_test(NAME cli.validate.bad_component
         COMMAND kumo validate "${CMAKE_SOURCE_DIR}/tests/component/fuzz-regressions/README.md")
set_tests_properties(cli.validate.bad_component PROPERTIES WILL_FAIL TRUE)

# kumo run on a WASI 0.2 command component (built by jco from a Rust program).
add_test(NAME cli.run.component_hello
         COMMAND kumo run "${kumo_jco_dir}/misc/hello_stdout.component.wasm")
set_tests_properties(cli.run.component_hello PROPERTIES
  PASS_REGULAR_EXPRESSION "writing to stdout: hello, world")
