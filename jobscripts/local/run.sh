#!/usr/bin/env bash
# run.sh [DECK] [-option value ...]: runs build/apps/tessera on NP ranks of this machine.
# DECK defaults to input/poisson2d.yaml; it is looked up in the current directory, then in the
# repository. Everything after it is passed to tessera as command-line overrides.
#   NP         MPI ranks (default 2); more ranks than cores oversubscribe and leave ranks unbound
#   MPIEXEC    launcher (default mpirun, Open MPI)
#   BUILD_DIR  build folder holding apps/tessera (default build)
#   OMP_NUM_THREADS  threads per rank of a Kokkos OpenMP build (default 1)
#   DRY_RUN=1  print the command instead of running it
# To stop a run with a checkpoint (exit status 3; continue with the run's restart option `latest`),
# send SIGUSR1 to mpirun: `kill -USR1 <mpirun's PID>`. Ctrl-C or SIGTERM to mpirun (Open MPI 4.1)
# kills the ranks within about 2 s and exits with status 1 (input/README.md, "Stopping,
# checkpoints and restarts").
set -euo pipefail
# shellcheck source=SCRIPTDIR/../common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

np="${NP:-2}"
[[ "$np" =~ ^[1-9][0-9]*$ ]] || tessera_die "NP must be a positive integer, got '$np'"
cores="$(nproc)"

deck="input/poisson2d.yaml"
if (($# > 0)) && [[ "$1" != -* ]]; then
  deck="$1"
  shift
fi
deck="$(tessera_resolve_deck "$deck")"

export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
cmd=("${MPIEXEC:-mpirun}" -n "$np")
if [[ "$(id -u)" == "0" ]]; then
  # Open MPI refuses to start as root without both of these.
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  cmd+=(--allow-run-as-root)
fi
if ((np > cores)); then
  cmd+=(--oversubscribe --bind-to none)
else
  cmd+=(--bind-to core)
fi
exe="$(tessera_build_dir)/apps/tessera"
cmd+=("$exe" "$deck" "$@")

if [[ "${DRY_RUN:-0}" == "1" ]]; then
  tessera_print_cmd OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS="$OMP_NUM_THREADS" "${cmd[@]}"
  exit 0
fi
[[ -x "$exe" ]] || tessera_die "$exe not built yet: run bash jobscripts/local/setup.sh"
exec "${cmd[@]}"
