#!/usr/bin/env bash
# Builds Kokkos (core, containers, algorithms) and Kokkos Kernels for one backend from Debian's
# trilinos 13.2 source package, through Trilinos's own CMake, as the very libraries Debian's Trilinos
# links (libtrilinos_kokkoscore.so.13.2 and so on). Debian's PETSc loads Trilinos ML, whose Teuchos
# needs libtrilinos_kokkoscore.so.13.2: with Tessera linked to these libraries the dynamic loader
# finds that SONAME already loaded, so one Kokkos runtime serves the whole process (a standalone
# Kokkos next to Debian's makes two, and the process aborts at exit).
# Safe to run again: an install whose stamp names the same source version and options is kept.
#   BACKEND         openmp (default; Serial is built too, as Debian's Teuchos and ML expect it) or
#                   cuda (CUDA 11.8 from Debian's non-free nvidia-cuda-toolkit with g++-11 as host
#                   compiler, machine code for Ampere sm_80 and Hopper sm_90; Kokkos 3.4.1 does not
#                   compile with CUDA 12 or 13, whatever else is on the PATH)
#   KERNELS_ETI     1 (default): Kokkos Kernels instantiates Tessera's BLAS calls in its library;
#                   0: nothing instantiated, the calls compile in Tessera's own files (the CUDA
#                   compile check in CI: minutes instead of the Kernels' CUDA build)
#   PREFIX          install prefix (default /opt/tessera-kokkos-$BACKEND)
#   KOKKOS_SRC_DIR  where the source package is downloaded and built (default ~/.cache/tessera-kokkos-src)
#   JOBS            parallel build jobs (default: nproc)
# Then: CMAKE_ARGS=-DKokkos_ROOT=$PREFIX BUILD_DIR=build-$BACKEND bash jobscripts/local/setup.sh
set -euo pipefail
# shellcheck source=SCRIPTDIR/../common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

BACKEND="${BACKEND:-openmp}"
PREFIX="${PREFIX:-/opt/tessera-kokkos-$BACKEND}"
KOKKOS_SRC_DIR="${KOKKOS_SRC_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tessera-kokkos-src}"
JOBS="${JOBS:-$(nproc)}"
SOURCE_PACKAGE=trilinos
SOURCE_VERSION=13.2.0-4
SOURCE_TREE="$KOKKOS_SRC_DIR/trilinos-13.2.0"

KERNELS_ETI="${KERNELS_ETI:-1}"
eti=OFF
[[ "$KERNELS_ETI" == "1" ]] && eti=ON
case "$BACKEND" in
  openmp) backend_args=(-DTrilinos_ENABLE_OpenMP=ON -DKokkos_ENABLE_OPENMP=ON
                        -DKokkosKernels_INST_EXECSPACE_OPENMP="$eti"
                        -DKokkosKernels_INST_MEMSPACE_HOSTSPACE="$eti") ;;
  cuda)
    if ! /usr/bin/nvcc --version 2>/dev/null | grep -q 'release 11\.8'; then
      tessera_die "BACKEND=cuda needs Debian's CUDA 11.8: bash jobscripts/local/install_cuda_toolkit.sh"
    fi
    command -v g++-11 >/dev/null || tessera_die "BACKEND=cuda needs g++-11 (apt-get install g++-11)"
    cuda_compiler="$PREFIX/bin/tessera-nvcc"
    # Kokkos 3.4.1 knows no Hopper architecture, and its initialisation aborts where its kernels
    # run on another major compute capability than they were built for (CudaInternal::initialize:
    # the PTX of sm_80 JITs on Hopper as compute capability 8.0, "not supported by CUDA!").
    # nvcc_wrapper takes one -arch flag; nvcc adds the second target from NVCC_APPEND_FLAGS, so
    # every object carries sm_80 and sm_90 code.
    cuda_targets="-gencode=arch=compute_90,code=sm_90"
    # CMake's FindCUDA would take a newer CUDA's runtime from /usr/local/lib, searched before
    # /usr/lib/x86_64-linux-gnu: ignored, so that 11.8's is found.
    backend_args=(-DTPL_ENABLE_CUDA=ON -DCUDA_TOOLKIT_ROOT_DIR=/usr -DKokkos_ENABLE_CUDA=ON
                  -DCMAKE_IGNORE_PATH=/usr/local/lib
                  -DKokkos_ENABLE_CUDA_LAMBDA=ON -DKokkos_ARCH_AMPERE80=ON
                  -DCMAKE_CXX_COMPILER="$cuda_compiler"
                  -DKokkosKernels_INST_EXECSPACE_CUDA="$eti"
                  -DKokkosKernels_INST_MEMSPACE_CUDASPACE="$eti") ;;
  *) tessera_die "unknown BACKEND '$BACKEND' (openmp, cuda)" ;;
esac

# Only what Tessera calls: KokkosBlas on double, LayoutLeft, host memory, instantiated for the
# backend's execution space (Serial, the default execution space of no Tessera build here, gets
# none). No ordinal or offset type, so none of the sparse kernels Tessera never calls is
# instantiated: they made up three quarters of the Kernels build. Whatever else a caller needs
# compiles in the caller from the headers.
blas_lib=/usr/lib/x86_64-linux-gnu/libblas.so
lapack_lib=/usr/lib/x86_64-linux-gnu/liblapack.so
options=(
  -DCMAKE_BUILD_TYPE=Release
  -DCMAKE_INSTALL_PREFIX="$PREFIX"
  -DCMAKE_INSTALL_LIBDIR=lib
  -DCMAKE_INSTALL_RPATH="\$ORIGIN"
  -DBUILD_SHARED_LIBS=ON
  -DTrilinos_LIBRARY_NAME_PREFIX=trilinos_
  -DTrilinos_ENABLE_ALL_PACKAGES=OFF
  -DTrilinos_ENABLE_ALL_OPTIONAL_PACKAGES=OFF
  -DTrilinos_ENABLE_Kokkos=ON
  -DTrilinos_ENABLE_KokkosKernels=ON
  -DTrilinos_ENABLE_TESTS=OFF
  -DTrilinos_ENABLE_EXAMPLES=OFF
  -DTrilinos_ENABLE_Fortran=OFF
  -DTrilinos_ENABLE_DEVELOPMENT_MODE=OFF
  -DTrilinos_ASSERT_MISSING_PACKAGES=OFF
  -DTrilinos_ENABLE_EXPLICIT_INSTANTIATION=ON
  -DTPL_ENABLE_MPI=OFF
  -DTPL_ENABLE_BLAS=ON -DTPL_BLAS_LIBRARIES="$blas_lib"
  -DTPL_ENABLE_LAPACK=ON -DTPL_LAPACK_LIBRARIES="$lapack_lib"
  -DKokkos_ENABLE_SERIAL=ON
  -DKokkosKernels_ADD_DEFAULT_ETI=OFF
  -DKokkosKernels_INST_DOUBLE="$eti"
  -DKokkosKernels_INST_FLOAT=OFF
  -DKokkosKernels_INST_COMPLEX_DOUBLE=OFF
  -DKokkosKernels_INST_COMPLEX_FLOAT=OFF
  -DKokkosKernels_INST_ORDINAL_INT=OFF
  -DKokkosKernels_INST_ORDINAL_INT64_T=OFF
  -DKokkosKernels_INST_OFFSET_INT=OFF
  -DKokkosKernels_INST_OFFSET_SIZE_T=OFF
  -DKokkosKernels_INST_LAYOUTLEFT="$eti"
  -DKokkosKernels_INST_LAYOUTRIGHT=OFF
  -DKokkosKernels_INST_EXECSPACE_SERIAL=OFF
  "${backend_args[@]}"
)
stamp_file="$PREFIX/.tessera-kokkos-stamp"
stamp="$SOURCE_PACKAGE $SOURCE_VERSION $(printf '%s\n' "${options[@]}" "${cuda_targets:-}" |
  sha256sum | cut -c1-16)"

if [[ -f "$stamp_file" && "$(cat "$stamp_file")" == "$stamp" ]]; then
  tessera_say "Kokkos ($BACKEND) at $PREFIX is up to date ($stamp); nothing to build"
  exit 0
fi


download() {
  mkdir -p "$KOKKOS_SRC_DIR"
  if [[ -f "$SOURCE_TREE/packages/kokkos-kernels/CMakeLists.txt" ]]; then
    tessera_say "source: $SOURCE_TREE already unpacked"
    return
  fi
  # apt-get source needs a deb-src line; the Debian images here carry only binary ones.
  if ! apt-get source --print-uris -qq "$SOURCE_PACKAGE=$SOURCE_VERSION" >/dev/null 2>&1; then
    [[ "$(id -u)" == "0" ]] || tessera_die "no deb-src entry for bookworm main and not root; add one and run apt-get update"
    tessera_say "adding a deb-src entry for bookworm main"
    printf '%s\n' 'Types: deb-src' 'URIs: http://deb.debian.org/debian' 'Suites: bookworm' \
      'Components: main' 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' \
      >/etc/apt/sources.list.d/tessera-deb-src.sources
    apt-get update -q
  fi
  (cd "$KOKKOS_SRC_DIR" && apt-get source -q --download-only "$SOURCE_PACKAGE=$SOURCE_VERSION")
  # dpkg-source applies Debian's patches, among them the SONAME with major.minor (.so.13.2).
  (cd "$KOKKOS_SRC_DIR" && dpkg-source -x "${SOURCE_PACKAGE}_$SOURCE_VERSION.dsc" "$SOURCE_TREE")
}

# write_cuda_compiler: $PREFIX/bin/tessera-nvcc, Kokkos's nvcc_wrapper pinned to Debian's CUDA 11.8,
# g++-11, sm_80 and sm_90, and $PREFIX/tessera-toolchain.cmake, which makes it Tessera's compiler.
# The pins are needed because a newer CUDA may be installed too: first on the PATH (nvcc would run its
# cudafe++ and ptxas, which do not match 11.8's headers), and with its
# headers linked into /usr/local/include, which the host compiler searches before /usr/include
# (CUDA 13's cuda_fp16.h breaks Kokkos 3.4.1's half_t). cuda-11.8-include/ links the 11.8 headers
# those links shadow and comes first with -I.
write_cuda_compiler() {
  local overlay="$PREFIX/cuda-11.8-include" entry name
  mkdir -p "$PREFIX/bin" "$overlay"
  for entry in /usr/local/include/*; do
    name="$(basename "$entry")"
    [[ -e "/usr/include/$name" ]] && ln -sfn "/usr/include/$name" "$overlay/$name"
  done
  cat >"$cuda_compiler" <<WRAPPER
#!/usr/bin/env bash
# Written by jobscripts/local/build_kokkos.sh: nvcc_wrapper with Debian's CUDA 11.8 and g++-11.
# nvcc runs cudafe++, ptxas, fatbinary from the PATH: Debian's are in /usr/bin.
export CUDA_ROOT=/usr NVCC_WRAPPER_DEFAULT_COMPILER=g++-11 PATH="/usr/bin:\$PATH"
export NVCC_APPEND_FLAGS="$cuda_targets"
wrapper="$PREFIX/bin/nvcc_wrapper"  # installed with Kokkos; the source's while Kokkos builds
[[ -x "\$wrapper" ]] || wrapper="$SOURCE_TREE/packages/kokkos/bin/nvcc_wrapper"
exec "\$wrapper" -arch=sm_80 -I"$overlay" "\$@"
WRAPPER
  chmod +x "$cuda_compiler"
  printf '%s\n' "set(CMAKE_CXX_COMPILER \"$cuda_compiler\")" >"$PREFIX/tessera-toolchain.cmake"
}
[[ "$BACKEND" == "cuda" ]] && write_cuda_compiler

build_dir="$KOKKOS_SRC_DIR/build-$BACKEND"
tessera_timed "source download and unpack" download
# Other options or another prefix than the last build's: TriBITS refuses to reconfigure a build
# folder for another install prefix, so start from an empty one.
rm -rf "$build_dir"
mkdir -p "$build_dir"
configure() {
  cmake -S "$SOURCE_TREE" -B "$build_dir" "${options[@]}" >"$build_dir/configure.log" 2>&1 ||
    { tail -40 "$build_dir/configure.log" >&2; tessera_die "configure failed (log: $build_dir/configure.log)"; }
}
tessera_timed "configure" configure
tessera_timed "Kokkos build (core, containers, algorithms)" \
  cmake --build "$build_dir" -j"$JOBS" --target Kokkos_libs
tessera_timed "Kokkos Kernels build" cmake --build "$build_dir" -j"$JOBS" --target KokkosKernels_libs
rm -f "$stamp_file"
tessera_timed "install" cmake --install "$build_dir" >"$build_dir/install.log"
printf '%s\n' "$stamp" >"$stamp_file"
tessera_say "installed Kokkos ($BACKEND) in $PREFIX: configure Tessera with CMAKE_ARGS=-DKokkos_ROOT=$PREFIX"
