# One way to register tests: tessera_add_test for GoogleTest executables, tessera_add_run_test for
# the real application on a deck. Each is registered once per rank count in RANKS, as
# <name>_np<N>, run through MPIEXEC_EXECUTABLE, with one BLAS thread per rank.
find_package(GTest REQUIRED)

set(TESSERA_TEST_ENVIRONMENT
    OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1)

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
    set(labels ${T_LABELS})
    if(np GREATER 1)
      list(APPEND labels mpi)
    endif()
    set_tests_properties(${T_NAME}_np${np} PROPERTIES
      LABELS "${labels}" PROCESSORS ${np} TIMEOUT ${T_TIMEOUT}
      ENVIRONMENT "${TESSERA_TEST_ENVIRONMENT}")
  endforeach()
endfunction()

# tessera_add_run_test(NAME n ARGS a... [RANKS 1 2 4] [LABELS l...] [PASS_REGEX r] [FAIL_REGEX r]
#                      [EXIT_CODE c [ABSENT path]] [TIMEOUT sec])
# Runs the tessera application from the test's binary directory. With EXIT_CODE the test passes
# only if the run exits with that status (bad-input tests) and, with ABSENT, leaves no such path.
function(tessera_add_run_test)
  cmake_parse_arguments(T "" "NAME;PASS_REGEX;FAIL_REGEX;EXIT_CODE;ABSENT;TIMEOUT" "ARGS;RANKS;LABELS" ${ARGN})
  if(NOT T_RANKS)
    set(T_RANKS 1)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  foreach(np IN LISTS T_RANKS)
    if(np GREATER TESSERA_MPIEXEC_MAX_RANKS)
      continue()
    endif()
    set(name ${T_NAME}_np${np})
    tessera_mpi_command(cmd ${np} $<TARGET_FILE:tessera_app> ${T_ARGS})
    if(DEFINED T_EXIT_CODE)
      # mpirun reports the first non-zero status of a rank as its own.
      set(absent "")
      if(T_ABSENT)
        set(absent -DABSENT=${T_ABSENT})
      endif()
      add_test(NAME ${name} COMMAND ${CMAKE_COMMAND} -DEXPECT=${T_EXIT_CODE} ${absent} -P
               ${PROJECT_SOURCE_DIR}/cmake/TesseraExpectExit.cmake ${cmd})
    else()
      add_test(NAME ${name} COMMAND ${cmd})
    endif()
    set(labels ${T_LABELS})
    if(np GREATER 1)
      list(APPEND labels mpi)
    endif()
    set_tests_properties(${name} PROPERTIES LABELS "${labels}" PROCESSORS ${np}
      TIMEOUT ${T_TIMEOUT} ENVIRONMENT "${TESSERA_TEST_ENVIRONMENT}"
      WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
    if(T_PASS_REGEX)
      set_tests_properties(${name} PROPERTIES PASS_REGULAR_EXPRESSION "${T_PASS_REGEX}")
    endif()
    # A pass regex makes CTest ignore the exit status, so the exit checker's verdict must fail
    # the test by its message.
    if(DEFINED T_EXIT_CODE)
      list(APPEND T_FAIL_REGEX "expected exit status" "the run created")
    endif()
    if(T_FAIL_REGEX)
      set_tests_properties(${name} PROPERTIES FAIL_REGULAR_EXPRESSION "${T_FAIL_REGEX}")
    endif()
  endforeach()
endfunction()
