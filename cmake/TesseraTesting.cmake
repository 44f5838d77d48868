# One way to register tests: tessera_add_test for GoogleTest executables, tessera_add_run_test for
# the real application on a deck. Each is registered once per rank count in RANKS, as
# <name>_np<N>, run through MPIEXEC_EXECUTABLE, with one BLAS thread per rank, and carries the
# label of the build's Kokkos backend (TESSERA_KOKKOS_BACKEND: serial, openmp, ...), so that
# `ctest -L openmp` runs the suite of an OpenMP build; tessera_label_backend_tests gives that label
# to the few tests added with plain add_test.
find_package(GTest REQUIRED)

# Threads per rank of an OpenMP build's tests: more than one, or races stay hidden; few, as up to 4
# ranks share the machine.
set(TESSERA_TEST_OMP_THREADS 2 CACHE STRING "OpenMP threads per rank in the tests of an OpenMP build")
set(TESSERA_TEST_ENVIRONMENT
    OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
    OPENBLAS_NUM_THREADS=1)
if(TESSERA_KOKKOS_BACKEND STREQUAL "openmp")
  # Unbound threads: ranks started with --bind-to none would otherwise pile onto the same cores.
  # Passive waiting: with more threads than free cores, threads spinning between the many small
  # kernels starve the one doing the work (pinn_data_parallel_test: 119 s spinning, 2.8 s passive,
  # 3.2 s on one thread, on 2 busy cores).
  list(APPEND TESSERA_TEST_ENVIRONMENT OMP_NUM_THREADS=${TESSERA_TEST_OMP_THREADS}
       OMP_PROC_BIND=false OMP_WAIT_POLICY=passive)
  set(TESSERA_TEST_THREADS ${TESSERA_TEST_OMP_THREADS})
else()
  list(APPEND TESSERA_TEST_ENVIRONMENT OMP_NUM_THREADS=1)
  set(TESSERA_TEST_THREADS 1)
endif()

# Prefix for a test command whose exit status must count even where a pass regex decides the
# verdict (a pass regex makes CTest ignore the exit status): the script fails with "tessera check
# failed" (TESSERA_CHECK_FAILED, every such test's fail regex) on a non-zero status or a failed
# check. Both were lost in a merge once, and every run test with a pass regex then passed on its
# regex alone, its checks and exit status unread: tests/regression's harness_* tests guard them.
set(TESSERA_CHECK_RUN ${CMAKE_COMMAND} -P ${PROJECT_SOURCE_DIR}/cmake/TesseraCheckRun.cmake --)
set(TESSERA_CHECK_FAILED "tessera check failed")

# tessera_test_properties(<test> <ranks> <labels>): the labels (plus mpi beyond one rank and the
# backend's), the processors CTest reserves (ranks x threads) and the environment of every test.
function(tessera_test_properties name np labels)
  list(APPEND labels ${TESSERA_KOKKOS_BACKEND})
  if(np GREATER 1)
    list(APPEND labels mpi)
  endif()
  math(EXPR processors "${np} * ${TESSERA_TEST_THREADS}")
  set_tests_properties(${name} PROPERTIES LABELS "${labels}" PROCESSORS ${processors}
                       ENVIRONMENT "${TESSERA_TEST_ENVIRONMENT}")
endfunction()

# tessera_label_backend_tests(): adds the backend label to every test of the calling directory that
# lacks it (those added with plain add_test, or whose labels were set again after registration).
# Called at the end of each test directory: CMake before 3.28 sets test properties only there.
function(tessera_label_backend_tests)
  get_property(tests DIRECTORY PROPERTY TESTS)
  foreach(test IN LISTS tests)
    get_test_property(${test} LABELS labels)
    if(NOT labels)
      set(labels "")
    endif()
    if(NOT TESSERA_KOKKOS_BACKEND IN_LIST labels)
      list(APPEND labels ${TESSERA_KOKKOS_BACKEND})
      set_tests_properties(${test} PROPERTIES LABELS "${labels}")
    endif()
  endforeach()
endfunction()

# tessera_collect_programs(<target>): makes the custom target <target> (created on first use) depend
# on every executable of the calling directory. unit_mpi_programs, from tests/unit and tests/mpi,
# is what `ctest -L 'unit|mpi' -LE 'regression|perf'` runs: the OpenMP suite of
# jobscripts/local/test_backends.sh builds it instead of everything.
function(tessera_collect_programs target)
  if(NOT TARGET ${target})
    add_custom_target(${target})
  endif()
  get_property(targets DIRECTORY PROPERTY BUILDSYSTEM_TARGETS)
  foreach(t IN LISTS targets)
    get_target_property(type ${t} TYPE)
    if(type STREQUAL "EXECUTABLE")
      add_dependencies(${target} ${t})
    endif()
  endforeach()
endfunction()

# tessera_mpi_command(<out-var> <ranks> <executable> [args...])
function(tessera_mpi_command out ranks exe)
  set(${out} ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${ranks} --oversubscribe --bind-to none
      ${MPIEXEC_PREFLAGS} ${exe} ${MPIEXEC_POSTFLAGS} ${ARGN} PARENT_SCOPE)
endfunction()

# tessera_add_test(NAME n SOURCES s... [RANKS 1 2 4] [LABELS l...] [TIMEOUT sec])
function(tessera_add_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;RANKS;LABELS" ${ARGN})
  if(NOT T_RANKS)
    set(T_RANKS 1)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_executable(${T_NAME} ${T_SOURCES} ${PROJECT_SOURCE_DIR}/tests/test_main.cpp)
  target_link_libraries(${T_NAME} PRIVATE tessera::tessera GTest::gtest)
  target_compile_options(${T_NAME} PRIVATE -Wall -Wextra
                         $<$<BOOL:${TESSERA_WARNINGS_AS_ERRORS}>:-Werror>)
  target_compile_definitions(${T_NAME} PRIVATE
    TESSERA_SOURCE_DIR="${PROJECT_SOURCE_DIR}" TESSERA_BINARY_DIR="${PROJECT_BINARY_DIR}")
  foreach(np IN LISTS T_RANKS)
    if(np GREATER TESSERA_MPIEXEC_MAX_RANKS)
      continue()
    endif()
    tessera_mpi_command(cmd ${np} $<TARGET_FILE:${T_NAME}>)
    add_test(NAME ${T_NAME}_np${np} COMMAND ${cmd})
    tessera_test_properties(${T_NAME}_np${np} ${np} "${T_LABELS}")
    set_tests_properties(${T_NAME}_np${np} PROPERTIES TIMEOUT ${T_TIMEOUT})
  endforeach()
endfunction()

# tessera_run_log(<out-var> <test name with _np<N>>): where a run test saves its output, for a
# check of another test that compares with it ("label = @<log>").
function(tessera_run_log out name)
  set(${out} ${CMAKE_CURRENT_BINARY_DIR}/logs/${name}.log PARENT_SCOPE)
endfunction()

# tessera_add_run_test(NAME n ARGS a... [RANKS 1 2 4] [LABELS l...] [PASS_REGEX r] [FAIL_REGEX r]
#                      [EXIT_CODE c [ABSENT path]] [CHECKS check...] [TIMEOUT sec])
# Registers <name>_np<N> for each N in RANKS; "@NP@" in ARGS and ABSENT becomes N (an output
# directory per rank count). Runs the tessera application from the test's binary directory through
# cmake/TesseraCheckRun.cmake, which saves the output (tessera_run_log) and fails the test unless
# the run exits with status EXIT_CODE (default 0), leaves no ABSENT path (bad input must not create
# output), and every check in CHECKS holds (the figures a run prints, against bounds: see the
# script).
function(tessera_add_run_test)
  cmake_parse_arguments(T "" "NAME;PASS_REGEX;FAIL_REGEX;EXIT_CODE;ABSENT;TIMEOUT"
                        "ARGS;RANKS;LABELS;CHECKS" ${ARGN})
  if(NOT T_RANKS)
    set(T_RANKS 1)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  if(NOT DEFINED T_EXIT_CODE)
    set(T_EXIT_CODE 0)
  endif()
  foreach(np IN LISTS T_RANKS)
    if(np GREATER TESSERA_MPIEXEC_MAX_RANKS)
      continue()
    endif()
    set(name ${T_NAME}_np${np})
    tessera_run_log(log ${name})
    set(defines -DEXPECT=${T_EXIT_CODE} -DLOG=${log})
    if(T_ABSENT)
      string(REPLACE "@NP@" "${np}" absent "${T_ABSENT}")
      list(APPEND defines -DABSENT=${absent})
    endif()
    set(i 0)
    foreach(check IN LISTS T_CHECKS)
      math(EXPR i "${i} + 1")
      list(APPEND defines "-DCHECK_${i}=${check}")
    endforeach()
    string(REPLACE "@NP@" "${np}" args "${T_ARGS}")
    tessera_mpi_command(cmd ${np} $<TARGET_FILE:tessera_app> ${args})
    add_test(NAME ${name} COMMAND ${CMAKE_COMMAND} ${defines} -P
             ${PROJECT_SOURCE_DIR}/cmake/TesseraCheckRun.cmake -- ${cmd})
    tessera_test_properties(${name} ${np} "${T_LABELS}")
    set_tests_properties(${name} PROPERTIES TIMEOUT ${T_TIMEOUT}
      WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
    if(T_PASS_REGEX)
      set_tests_properties(${name} PROPERTIES PASS_REGULAR_EXPRESSION "${T_PASS_REGEX}")
    endif()
    # A pass regex makes CTest ignore the exit status, so the checker's verdict fails the test by
    # its message.
    set(fail ${TESSERA_CHECK_FAILED} ${T_FAIL_REGEX})
    set_tests_properties(${name} PROPERTIES FAIL_REGULAR_EXPRESSION "${fail}")
  endforeach()
endfunction()
