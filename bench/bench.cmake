# Benchmarks (included from the top-level CMakeLists).
#
# kumo_bench_runner: always built; bench/sightglass and bench/kernels/run use it to time wasm
#   modules under Kumo (WASI preview1 + the sightglass bench.start/bench.end imports).
# kumo_micro_bench: Google Benchmark micro-benchmarks in bench/micro/ (option KUMO_BENCH).

add_executable(kumo_bench_runner ${CMAKE_SOURCE_DIR}/bench/kumo_bench_runner.cpp)
target_link_libraries(kumo_bench_runner PRIVATE kumo_wasi)

if(KUMO_BENCH)
  find_package(benchmark CONFIG)
  if(benchmark_FOUND)
    file(GLOB micro_srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/bench/micro/*.cpp)
    add_executable(kumo_micro_bench ${micro_srcs})
    target_include_directories(kumo_micro_bench PRIVATE ${CMAKE_SOURCE_DIR}/bench)
    target_compile_definitions(kumo_micro_bench PRIVATE KUMO_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
    target_link_libraries(kumo_micro_bench PRIVATE kumo_host benchmark::benchmark)
  else()
    message(STATUS "Google Benchmark not found (libbenchmark-dev): no micro-benchmarks")
  endif()
endif()
