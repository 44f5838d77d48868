# cmake -DTESSERA_BUILD=<build dir> -DPREFIX=<dir> -DCONSUMER_BUILD=<dir>
#       -DBINDIR=<dir> -DINCLUDEDIR=<dir> -DLIBDIR=<dir> -P install_and_build.cmake -- <consumer configure arguments...>
# Installs Tessera from TESSERA_BUILD into a fresh PREFIX (`cmake --install`), then configures
# and builds the consumer project next to this script against it, from an empty CONSUMER_BUILD,
# so that nothing of an earlier install or configure is reused. BINDIR, INCLUDEDIR and LIBDIR are
# the build's GNUInstallDirs (relative to the prefix).
include(${CMAKE_CURRENT_LIST_DIR}/../../cmake/TesseraScriptCommand.cmake)
tessera_script_command(configure_args install_and_build\\.cmake)
file(REMOVE_RECURSE "${PREFIX}" "${CONSUMER_BUILD}")

function(step what)
  message("install_consumer: ${what}: ${ARGN}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "install_consumer: ${what} failed (status ${status})")
  endif()
endfunction()

step("install" ${CMAKE_COMMAND} --install "${TESSERA_BUILD}" --prefix "${PREFIX}")
foreach(file ${LIBDIR}/cmake/Tessera/TesseraConfig.cmake ${LIBDIR}/cmake/Tessera/TesseraConfigVersion.cmake
             ${INCLUDEDIR}/tessera/core/version.hpp ${INCLUDEDIR}/tessera/nn/mlp.hpp ${BINDIR}/tessera)
  if(NOT EXISTS "${PREFIX}/${file}")
    message(FATAL_ERROR "install_consumer: cmake --install left no ${PREFIX}/${file}")
  endif()
endforeach()
step("configure" ${CMAKE_COMMAND} -S "${CMAKE_CURRENT_LIST_DIR}" -B "${CONSUMER_BUILD}"
     "-DCMAKE_PREFIX_PATH=${PREFIX}" ${configure_args})
step("build" ${CMAKE_COMMAND} --build "${CONSUMER_BUILD}")
