# cmake -DEXPECT=<status> [-DABSENT=<path>] -P TesseraExpectExit.cmake <command...>
# Runs the command, echoes its output, and fails unless it exits with status EXPECT and, with
# ABSENT, unless <path> does not exist afterwards (bad input must not create output).
include(${CMAKE_CURRENT_LIST_DIR}/TesseraScriptCommand.cmake)
tessera_script_command(cmd TesseraExpectExit\\.cmake)
execute_process(COMMAND ${cmd} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(DEFINED ABSENT AND EXISTS "${ABSENT}")
  message(FATAL_ERROR "the run created '${ABSENT}', which it must not")
endif()
if(NOT "${status}" STREQUAL "${EXPECT}")
  message(FATAL_ERROR "expected exit status ${EXPECT}, got '${status}'")
endif()
