# Finds MPI, PETSc, parallel HDF5, Kokkos + Kokkos Kernels and BLAS, and exposes each as one target.
find_package(MPI REQUIRED COMPONENTS C CXX)

# PETSc: Debian's petsc-dev installs a pkg-config file named PETSc.
find_package(PkgConfig REQUIRED)
pkg_check_modules(PETSC REQUIRED IMPORTED_TARGET PETSc>=3.18)
add_library(tessera_petsc INTERFACE)
target_link_libraries(tessera_petsc INTERFACE PkgConfig::PETSC MPI::MPI_C)

# FFTW (double precision, serial plans): the pseudo-spectral reference solvers transform one
# sample on one rank. Debian's libfftw3-dev installs the pkg-config file fftw3.
pkg_check_modules(FFTW REQUIRED IMPORTED_TARGET fftw3)
add_library(tessera_fftw INTERFACE)
target_link_libraries(tessera_fftw INTERFACE PkgConfig::FFTW)

# libyaml (Debian's libyaml-dev, the parser PETSc's YAML options reader is built on): the deck is
# checked for what PETSc accepts silently (duplicate keys, a second document) before it is loaded.
pkg_check_modules(YAML REQUIRED IMPORTED_TARGET yaml-0.1)
add_library(tessera_yaml INTERFACE)
target_link_libraries(tessera_yaml INTERFACE PkgConfig::YAML)

# HDF5 must be the parallel build: Tessera writes every file collectively.
set(HDF5_PREFER_PARALLEL TRUE)
find_package(HDF5 REQUIRED COMPONENTS C)
if(NOT HDF5_IS_PARALLEL)
  message(FATAL_ERROR
    "Tessera needs a parallel (MPI) HDF5, but the HDF5 found at '${HDF5_INCLUDE_DIRS}' is serial.\n"
    "On Debian: apt-get install libhdf5-openmpi-dev, or point HDF5_ROOT at a parallel build.")
endif()
add_library(tessera_hdf5 INTERFACE)
target_include_directories(tessera_hdf5 SYSTEM INTERFACE ${HDF5_INCLUDE_DIRS})
target_compile_definitions(tessera_hdf5 INTERFACE ${HDF5_DEFINITIONS})
target_link_libraries(tessera_hdf5 INTERFACE ${HDF5_LIBRARIES} MPI::MPI_C)

include(TesseraKokkos)
