# cmake --install: the library, its headers (src/'s layout under include/tessera/, as the sources
# include them: "nn/mlp.hpp"), the application bin/tessera, and the package files with which
# another project's find_package(Tessera) links tessera::tessera and finds its dependencies.
include(CMakePackageConfigHelpers)
set(TESSERA_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/Tessera)

install(TARGETS tessera EXPORT TesseraTargets)
# The installed application keeps the run path to its dependencies outside the system folders
# (a Kokkos_ROOT, a module's PETSc) that the build tree's copy has.
set_target_properties(tessera_app PROPERTIES INSTALL_RPATH_USE_LINK_PATH TRUE)
if(TARGET tessera_kokkos_bridge)
  install(TARGETS tessera_kokkos_bridge EXPORT TesseraTargets)
  set_target_properties(tessera_app PROPERTIES INSTALL_RPATH "${CMAKE_INSTALL_FULL_LIBDIR}")
endif()
install(TARGETS tessera_app)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/src/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/tessera
        FILES_MATCHING PATTERN "*.hpp")
install(FILES ${PROJECT_BINARY_DIR}/src/core/version.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/tessera/core)

install(EXPORT TesseraTargets NAMESPACE tessera:: DESTINATION ${TESSERA_INSTALL_CMAKEDIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/TesseraConfig.cmake.in
  ${PROJECT_BINARY_DIR}/TesseraConfig.cmake INSTALL_DESTINATION ${TESSERA_INSTALL_CMAKEDIR})
# 0.x: a new minor version may change the interface.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/TesseraConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/TesseraConfig.cmake
              ${PROJECT_BINARY_DIR}/TesseraConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/TesseraDependencies.cmake
              ${PROJECT_SOURCE_DIR}/cmake/TesseraKokkos.cmake
        DESTINATION ${TESSERA_INSTALL_CMAKEDIR})
