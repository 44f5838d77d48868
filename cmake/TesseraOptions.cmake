# Every build option of Tessera, in one place.
option(TESSERA_ENABLE_TESTS "Build the GoogleTest/CTest suite" ON)
option(TESSERA_ENABLE_BENCHMARKS "Build the benchmarks (Google Benchmark not required)" ON)
option(TESSERA_WARNINGS_AS_ERRORS "Treat compiler warnings as errors (CI builds)" OFF)
set(TESSERA_MPIEXEC_MAX_RANKS 4 CACHE STRING "Largest rank count used by MPI tests")

if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE Release CACHE STRING "Build type" FORCE)
endif()
