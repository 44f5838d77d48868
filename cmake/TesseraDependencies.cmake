# Finds MPI, PETSc, FFTW, libyaml, parallel HDF5, Kokkos + Kokkos Kernels and BLAS, and exposes each
# as one imported target tessera::<name>. Tessera's build includes this file, and so does the
# installed TesseraConfig.cmake: a project's find_package(Tessera) finds them the same way and
# recreates the same targets, which the exported tessera::tessera names (pkg-config's imported
# targets cannot be exported, so they are found again where they are used).
#
# In the build a missing dependency is a configure error; under find_package(Tessera)
# (Tessera_FINDING_CONFIG) it makes Tessera not found, with the reason, as find_dependency does.
include(CMakeFindDependencyMacro)

# tessera_dependency_missing(<message>...): the parts are concatenated. Under find_package(Tessera)
# it ends this file; TesseraConfig.cmake checks Tessera_FOUND.
macro(tessera_dependency_missing)
  string(CONCAT _tessera_missing ${ARGV})
  if(Tessera_FINDING_CONFIG)
    set(Tessera_FOUND FALSE)
    set(Tessera_NOT_FOUND_MESSAGE "${_tessera_missing}")
    return()
  endif()
  message(FATAL_ERROR "${_tessera_missing}")
endmacro()

# tessera_find_package(<find_package arguments>)
macro(tessera_find_package)
  if(Tessera_FINDING_CONFIG)
    find_dependency(${ARGN})
  else()
    find_package(${ARGN} REQUIRED)
  endif()
endmacro()

# tessera_pkg_config(<prefix> <module spec>): pkg-config's module as PkgConfig::<prefix>.
macro(tessera_pkg_config prefix spec)
  pkg_check_modules(${prefix} QUIET IMPORTED_TARGET ${spec})
  if(NOT ${prefix}_FOUND)
    tessera_dependency_missing(
      "pkg-config found no '${spec}' (PKG_CONFIG_PATH: '$ENV{PKG_CONFIG_PATH}')")
  endif()
endmacro()

# MPI, PETSc and HDF5 are C libraries, found through the C compiler.
if(NOT CMAKE_C_COMPILER_LOADED)
  tessera_dependency_missing(
    "Tessera needs the C language enabled for MPI, PETSc and HDF5: project(<name> LANGUAGES C CXX)")
endif()
tessera_find_package(MPI COMPONENTS C CXX)
tessera_find_package(PkgConfig)

# PETSc: Debian's petsc-dev installs a pkg-config file named PETSc.
tessera_pkg_config(PETSC PETSc>=3.18)
add_library(tessera::petsc INTERFACE IMPORTED)
target_link_libraries(tessera::petsc INTERFACE PkgConfig::PETSC MPI::MPI_C)

# FFTW (double precision, serial plans): the pseudo-spectral reference solvers transform one
# sample on one rank. Debian's libfftw3-dev installs the pkg-config file fftw3.
tessera_pkg_config(FFTW fftw3)
add_library(tessera::fftw INTERFACE IMPORTED)
target_link_libraries(tessera::fftw INTERFACE PkgConfig::FFTW)

# libyaml (Debian's libyaml-dev, the parser PETSc's YAML options reader is built on): the deck is
# checked for what PETSc accepts silently (duplicate keys, a second document) before it is loaded.
tessera_pkg_config(YAML yaml-0.1)
add_library(tessera::yaml INTERFACE IMPORTED)
target_link_libraries(tessera::yaml INTERFACE PkgConfig::YAML)

# HDF5 must be the parallel build: Tessera writes every file collectively.
set(HDF5_PREFER_PARALLEL TRUE)
tessera_find_package(HDF5 COMPONENTS C)
if(NOT HDF5_IS_PARALLEL)
  tessera_dependency_missing(
    "Tessera needs a parallel (MPI) HDF5, but the HDF5 found at '${HDF5_INCLUDE_DIRS}' is serial.\n"
    "On Debian: apt-get install libhdf5-openmpi-dev, or point HDF5_ROOT at a parallel build.")
endif()
add_library(tessera::hdf5 INTERFACE IMPORTED)
target_include_directories(tessera::hdf5 SYSTEM INTERFACE ${HDF5_INCLUDE_DIRS})
target_compile_definitions(tessera::hdf5 INTERFACE ${HDF5_DEFINITIONS})
target_link_libraries(tessera::hdf5 INTERFACE ${HDF5_LIBRARIES} MPI::MPI_C)

# Last: a dependency missing in it ends that file, and with it this one.
include(${CMAKE_CURRENT_LIST_DIR}/TesseraKokkos.cmake)
