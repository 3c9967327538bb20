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
