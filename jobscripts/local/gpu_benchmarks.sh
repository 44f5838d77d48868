#!/usr/bin/env bash
# gpu_benchmarks.sh: one command for a GPU machine: builds the CUDA version of the application and
# the neural-core and training benchmarks (unless BUILD_DIR already holds them), then runs them and
# prints their figures: the PINN training step (MLP 2-50x4-1, 4096 points, Adam), the FNO training
# step (FNO-2D 64^2 width 32, 12 modes, batch 10; FNO-3D 32^3 and 64^3) and the XPINN weak scaling
# over the GPUs (one rank per GPU), then the default deck end to end. Kokkos takes each rank's
# device 0, so ranks beyond one need one visible GPU each (SLURM: gpu.sbatch binds them).
#   BUILD_DIR   the CUDA build (default build-cuda); a build made elsewhere can be carried in
#   NP          ranks for the scaling figure and the deck (default: the GPUs nvidia-smi lists, max 4)
#   ITERATIONS  PINN training iterations timed (default 200)
#   DRY_RUN=1   print the commands instead of running them
# Building needs what test_backends.sh's CUDA step needs (Debian's CUDA 11.8 and g++-11, the
# trilinos source); on a machine without a registry, build here and carry BUILD_DIR and
# /opt/tessera-kokkos-cuda along.
set -euo pipefail
# shellcheck source=SCRIPTDIR/../common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
tessera_benchmark_env
export BUILD_DIR="${BUILD_DIR:-build-cuda}"
build_dir="$(tessera_build_dir)"
local_dir="$TESSERA_ROOT/jobscripts/local"
prefix=/opt/tessera-kokkos-cuda
dry() { [[ "${DRY_RUN:-0}" == "1" ]]; }
step() {
  if dry; then tessera_print_cmd "$@"; else "$@"; fi
}

gpus=1
if command -v nvidia-smi >/dev/null 2>&1; then
  gpus="$( (nvidia-smi --list-gpus 2>/dev/null || true) | wc -l)"
  dry || nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || true
fi
np="${NP:-$((gpus < 4 ? (gpus > 0 ? gpus : 1) : 4))}"
[[ "$np" =~ ^[1-9][0-9]*$ ]] || tessera_die "NP must be a positive integer, got '$np'"

if [[ ! -x "$build_dir/tests/benchmarks/bench_fno" ]] || dry; then
  step bash "$local_dir/install_cuda_toolkit.sh"
  step env BACKEND=cuda PREFIX="$prefix" bash "$local_dir/build_kokkos.sh"
  step env TARGET="tessera_app bench_pinn_training bench_fno bench_dd_pinn" SKIP_APT=1 \
    CMAKE_ARGS="-DCMAKE_TOOLCHAIN_FILE=$prefix/tessera-toolchain.cmake -DKokkos_ROOT=$prefix" \
    bash "$local_dir/setup.sh"
fi
bench="$build_dir/tests/benchmarks"
mpi=(mpirun -n "$np")
[[ "$(id -u)" == "0" ]] && mpi+=(--allow-run-as-root)
tessera_say "PINN training step (one GPU)"
step "$bench/bench_pinn_training" "${ITERATIONS:-200}"
tessera_say "FNO training step (one GPU): FNO-2D 64^2, FNO-3D 32^3 and 64^3"
step "$bench/bench_fno" train grid3d=32,64 detail=1
tessera_say "XPINN weak scaling, one subdomain per GPU, $np ranks"
step "${mpi[@]}" "$bench/bench_dd_pinn" 400
tessera_say "default deck end to end on $np ranks"
step "${mpi[@]}" "$build_dir/apps/tessera" "$TESSERA_ROOT/input/poisson2d.yaml" \
  -output_directory "$build_dir/gpu_benchmarks" -output_overwrite true
