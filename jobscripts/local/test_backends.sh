#!/usr/bin/env bash
# test_backends.sh: the Kokkos backend matrix, after the Serial suite (test.sh); CI runs both.
#  openmp  builds Kokkos and Kokkos Kernels with OpenMP from Debian's trilinos source as the
#          libraries Debian's Trilinos links (build_kokkos.sh; an up-to-date install is kept), builds
#          Tessera and the unit and MPI test programs against them in build-openmp and runs those
#          suites with 2 OpenMP threads per rank (ctest -L 'unit|mpi' -LE 'regression|perf'; the
#          tests set the threads).
#  cuda    installs Debian's CUDA 11.8 and g++-11 (install_cuda_toolkit.sh), builds Kokkos for CUDA
#          (Ampere sm_80 and Hopper sm_90) from the same source with no Kokkos Kernels
#          instantiations, then compiles and links the library and the application in build-cuda
#          and checks that it carries sm_80 and sm_90 machine code. No GPU here: nothing runs.
#          The whole build, tests and Kernels instantiations included: docs/building.md, "CUDA".
#   BACKENDS  which of them, in order (default "openmp cuda")
#   JOBS      parallel build jobs (default: nproc); TEST_JOBS parallel tests (default 2)
#   DRY_RUN=1 print the commands instead of running them
set -euo pipefail
# shellcheck source=SCRIPTDIR/../common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
local_dir="$TESSERA_ROOT/jobscripts/local"

# run_step LABEL COMMAND...: runs (or under DRY_RUN=1 prints) the command and says how long it took.
run_step() {
  if [[ "${DRY_RUN:-0}" == "1" ]]; then
    tessera_print_cmd "${@:2}"
    return
  fi
  tessera_timed "$@"
}

openmp() {
  local prefix=/opt/tessera-kokkos-openmp
  run_step "Kokkos OpenMP" env BACKEND=openmp PREFIX="$prefix" bash "$local_dir/build_kokkos.sh"
  run_step "Tessera OpenMP build" env BUILD_DIR=build-openmp TARGET=unit_mpi_programs \
    CMAKE_ARGS="-DKokkos_ROOT=$prefix" bash "$local_dir/setup.sh"
  run_step "OpenMP unit and MPI suites" ctest --test-dir "$TESSERA_ROOT/build-openmp" \
    --output-on-failure -j"${TEST_JOBS:-2}" -L 'unit|mpi' -LE 'regression|perf'
}

# check_gpu_code BINARY ARCH...: BINARY carries machine code for every ARCH (Debian's cuobjdump, of
# CUDA 11.8). Kokkos 3.4.1 aborts at start-up on a GPU of another major compute capability than
# its code's, so an H100 or H200 needs sm_90 code, not sm_80's PTX (build_kokkos.sh).
check_gpu_code() {
  local binary="$1" listing arch
  listing="$(/usr/bin/cuobjdump --list-elf "$binary")" || tessera_die "cuobjdump cannot read $binary"
  for arch in "${@:2}"; do
    grep -q "\.$arch\.cubin\$" <<<"$listing" ||
      tessera_die "$binary carries no $arch machine code: Kokkos would abort on such a GPU"
  done
  tessera_say "$binary carries machine code for ${*:2}"
}

cuda() {
  local prefix=/opt/tessera-kokkos-cuda
  run_step "CUDA 11.8 toolkit" bash "$local_dir/install_cuda_toolkit.sh"
  run_step "Kokkos CUDA" env BACKEND=cuda KERNELS_ETI=0 PREFIX="$prefix" \
    bash "$local_dir/build_kokkos.sh"
  run_step "Tessera CUDA compile and link (library, application)" env BUILD_DIR=build-cuda \
    TARGET=tessera_app SKIP_APT=1 \
    CMAKE_ARGS="-DCMAKE_TOOLCHAIN_FILE=$prefix/tessera-toolchain.cmake -DKokkos_ROOT=$prefix" \
    bash "$local_dir/setup.sh"
  run_step "GPU machine code" check_gpu_code "$TESSERA_ROOT/build-cuda/apps/tessera" sm_80 sm_90
}

read -r -a backends <<<"${BACKENDS:-openmp cuda}"
for backend in "${backends[@]}"; do
  case "$backend" in
    openmp | cuda) tessera_say "backend $backend"; "$backend" ;;
    *) tessera_die "unknown backend '$backend' in BACKENDS (openmp, cuda)" ;;
  esac
done
