#!/usr/bin/env bash
# submit.sh [DECK] [-option value ...]: submits cpu.sbatch (gpu.sbatch with GPU=1: one rank per
# GPU) for DECK (default input/poisson2d.yaml) with the given overrides. sbatch options come from
# the environment:
#   NODES, NTASKS_PER_NODE, TIME (HH:MM:SS), PARTITION, ACCOUNT, JOB_NAME, QOS
#   GPU=1         GPU nodes: gpu.sbatch (4 ranks per node, one GPU each, unless NTASKS_PER_NODE)
#   SBATCH_EXTRA  further sbatch options, split on spaces
#   RESTART_OPTION, MAX_REQUEUES  passed to cpu.sbatch (requeue on a stop signal, see there)
#   DRY_RUN=1     print the sbatch command instead of submitting
set -euo pipefail
# shellcheck source=SCRIPTDIR/../common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

deck="input/poisson2d.yaml"
if (($# > 0)) && [[ "$1" != -* ]]; then
  deck="$1"
  shift
fi
deck="$(tessera_resolve_deck "$deck")"

cmd=(sbatch --export="ALL,TESSERA_ROOT=$TESSERA_ROOT")
[[ -n "${NODES:-}" ]] && cmd+=(--nodes="$NODES")
[[ -n "${NTASKS_PER_NODE:-}" ]] && cmd+=(--ntasks-per-node="$NTASKS_PER_NODE")
[[ -n "${TIME:-}" ]] && cmd+=(--time="$TIME")
[[ -n "${PARTITION:-}" ]] && cmd+=(--partition="$PARTITION")
[[ -n "${ACCOUNT:-}" ]] && cmd+=(--account="$ACCOUNT")
[[ -n "${QOS:-}" ]] && cmd+=(--qos="$QOS")
[[ -n "${JOB_NAME:-}" ]] && cmd+=(--job-name="$JOB_NAME")
if [[ -n "${SBATCH_EXTRA:-}" ]]; then
  read -r -a extra <<<"$SBATCH_EXTRA"
  cmd+=("${extra[@]}")
fi
job=cpu.sbatch
[[ "${GPU:-0}" == "1" ]] && job=gpu.sbatch
cmd+=("$TESSERA_ROOT/jobscripts/slurm/$job" "$deck" "$@")

if [[ "${DRY_RUN:-0}" == "1" ]]; then
  tessera_print_cmd "${cmd[@]}"
  exit 0
fi
command -v sbatch >/dev/null 2>&1 || tessera_die "sbatch not found: this is not a SLURM login node"
exec "${cmd[@]}"
