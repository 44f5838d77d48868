# Kokkos and Kokkos Kernels, from either of two sources:
#  - a standalone Kokkos 4.x install (-DKokkos_ROOT=... -DKokkosKernels_ROOT=...), which exports
#    Kokkos::kokkos and Kokkos::kokkoskernels;
#  - Debian's Trilinos 13.2 packages (Kokkos 3.4.1), whose Kokkos::kokkos carries the include path
#    <prefix>/lib/include, which does not exist (the headers are in <prefix>/include/trilinos), and
#    whose Kokkos Kernels target is the plain imported library trilinos_kokkoskernels.
# Both end up behind one interface target, tessera::kokkos. Included by TesseraDependencies.cmake.
# Kokkos Kernels is looked for next to Kokkos first: a Kernels built for another Kokkos (Debian's,
# found on the system path) would not link with it.
if(DEFINED Kokkos_ROOT AND NOT DEFINED KokkosKernels_ROOT)
  set(KokkosKernels_ROOT "${Kokkos_ROOT}")
endif()
tessera_find_package(Kokkos)
tessera_find_package(KokkosKernels)

# The backend of Kokkos's default execution space (Kokkos picks the first enabled device of this
# list), which names the test label of this build: serial, openmp, ...
set(TESSERA_KOKKOS_BACKEND "")
foreach(device IN ITEMS CUDA HIP SYCL OPENMPTARGET OPENMP THREADS SERIAL)
  if(device IN_LIST Kokkos_DEVICES)
    string(TOLOWER ${device} TESSERA_KOKKOS_BACKEND)
    break()
  endif()
endforeach()
if(NOT TESSERA_KOKKOS_BACKEND)
  message(FATAL_ERROR "Kokkos ${Kokkos_VERSION} names no device Tessera knows (Kokkos_DEVICES: "
                      "'${Kokkos_DEVICES}')")
endif()

# A Kokkos core library other than Debian's (a standalone Kokkos 4.x) where Debian's exists:
# Debian's PETSc loads it through Trilinos ML, a second Kokkos runtime in the process. The build
# then makes src/kokkos_bridge/ into a library under Debian's name, which Tessera's programs load
# first (src/CMakeLists.txt). TESSERA_KOKKOS_BRIDGE_VERSION: that name's version, or "" for none.
set(TESSERA_KOKKOS_BRIDGE_VERSION "")
if(TARGET Kokkos::kokkoscore AND NOT TARGET trilinos_kokkoskernels)
  get_target_property(kokkos_core Kokkos::kokkoscore LOCATION)
  find_library(debian_kokkos_core NAMES trilinos_kokkoscore NO_CACHE)
  if(debian_kokkos_core AND NOT kokkos_core MATCHES "trilinos_kokkoscore")
    file(REAL_PATH "${debian_kokkos_core}" debian_kokkos_core)
    if(debian_kokkos_core MATCHES "libtrilinos_kokkoscore\\.so\\.([0-9.]+)$")
      set(TESSERA_KOKKOS_BRIDGE_VERSION ${CMAKE_MATCH_1})
      message(STATUS "Kokkos: ${kokkos_core} stands in for ${debian_kokkos_core} as well "
                     "(src/kokkos_bridge)")
    endif()
  endif()
endif()

add_library(tessera::kokkos INTERFACE IMPORTED)

# Replace include directories that do not exist by the ones the package config variables name.
function(tessera_repair_includes target fallback_dirs)
  get_target_property(dirs ${target} INTERFACE_INCLUDE_DIRECTORIES)
  if(NOT dirs)
    set(dirs "")
  endif()
  set(kept "")
  set(dropped FALSE)
  foreach(dir IN LISTS dirs)
    if(dir MATCHES "^\\$<" OR EXISTS "${dir}")
      list(APPEND kept "${dir}")
    else()
      set(dropped TRUE)
    endif()
  endforeach()
  if(dropped)
    foreach(dir IN LISTS fallback_dirs)
      get_filename_component(dir "${dir}" ABSOLUTE)
      if(NOT EXISTS "${dir}")
        message(FATAL_ERROR "Kokkos: neither the include path of ${target} nor '${dir}' exists")
      endif()
      list(APPEND kept "${dir}")
    endforeach()
    message(STATUS "Kokkos: replaced missing include path of ${target} by ${fallback_dirs}")
    set_target_properties(${target} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${kept}")
  endif()
endfunction()

tessera_repair_includes(Kokkos::kokkos "${Kokkos_INCLUDE_DIRS}")

if(TARGET Kokkos::kokkoskernels)
  target_link_libraries(tessera::kokkos INTERFACE Kokkos::kokkoskernels Kokkos::kokkos)
elseif(TARGET trilinos_kokkoskernels)
  target_include_directories(tessera::kokkos SYSTEM INTERFACE ${KokkosKernels_INCLUDE_DIRS})
  target_link_libraries(tessera::kokkos INTERFACE trilinos_kokkoskernels Kokkos::kokkos)
else()
  tessera_dependency_missing("Kokkos Kernels was found but exports neither Kokkos::kokkoskernels "
                             "nor trilinos_kokkoskernels; set KokkosKernels_ROOT to a Kokkos Kernels install.")
endif()
message(STATUS "Kokkos ${Kokkos_VERSION} (devices: ${Kokkos_DEVICES}, default: "
               "${TESSERA_KOKKOS_BACKEND}), Kokkos Kernels ${KokkosKernels_VERSION}")
