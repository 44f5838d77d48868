#!/usr/bin/env bash
# les_scaling.sh: the LES benchmark (bench_les, 3D Taylor–Green at Re = 1600) on 1 and 2 ranks
# for n = 32 and 64, printed as one table: time per step, ns per cell and step, parallel
# efficiency against 1 rank, pressure iterations per solve (mean, max) and the fraction of the
# time in the pressure solve.
#   BUILD_DIR  build folder holding tests/benchmarks/bench_les (default build)
#   RANKS      rank counts (default "1 2")
#   SIZES      cells per direction (default "32 64")
#   STEPS      timed steps per run (default 5)
# Extra arguments go to bench_les, e.g. -les_pc_type gamg or -les_subgrid_model dynamic; without
# them the solver's defaults apply (CG with geometric multigrid, no subgrid model).
# Exits 1 if the benchmark is not built or prints no figures.
set -euo pipefail
# shellcheck source=SCRIPTDIR/../../jobscripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../jobscripts/common.sh"
tessera_benchmark_env

bench="$(tessera_build_dir)/tests/benchmarks/bench_les"
[[ -x "$bench" ]] ||
  tessera_die "$bench not found: build it with bash jobscripts/local/setup.sh (TESSERA_ENABLE_BENCHMARKS=ON)"
ranks="${RANKS:-1 2}"
sizes="${SIZES:-32 64}"
steps="${STEPS:-5}"
extra=("$@")

# field NAME LINE: the value of NAME=<value> in LINE.
field() { grep -oE "(^|[[:space:]])$1=[^[:space:]]+" <<<"$2" | tail -n 1 | sed 's/.*=//'; }

lines=()
for np in $ranks; do
  cmd=(mpirun --oversubscribe --bind-to none -n "$np" "$bench" "$(tr ' ' ',' <<<"$sizes")" "$steps"
       ${extra[@]+"${extra[@]}"})
  tessera_say "$(tessera_print_cmd "${cmd[@]}")"
  out="$("${cmd[@]}" 2>&1)" || { printf '%s\n' "$out" >&2; tessera_die "bench_les failed on $np ranks"; }
  mapfile -t found < <(grep '^les_tgv3d ' <<<"$out")
  [[ ${#found[@]} -gt 0 ]] || { printf '%s\n' "$out" >&2; tessera_die "no les_tgv3d lines on $np ranks"; }
  lines+=("${found[@]}")
done

printf '# 3D Taylor-Green, Re 1600, %s steps, bench_les options: %s\n' "$steps" "${extra[*]:-(defaults)}"
printf '%6s %8s %14s %16s %11s %13s %12s %14s\n' ranks cells s_per_step ns_per_cell_step \
  efficiency iters_mean iters_max pressure_frac
declare -A serial
for line in "${lines[@]}"; do
  np="$(field ranks "$line")" cells="$(field cells "$line")" s="$(field seconds_per_step "$line")"
  [[ "$np" == 1 ]] && serial[$cells]="$s"
  efficiency="$(awk -v t1="${serial[$cells]:-}" -v t="$s" -v p="$np" \
    'BEGIN { if (t1 == "") print "-"; else printf "%.2f", t1 / (p * t) }')"
  printf '%6s %8s %14s %16s %11s %13s %12s %14s\n' "$np" "$cells" "$s" \
    "$(field ns_per_cell_step "$line")" "$efficiency" "$(field pressure_iterations_mean "$line")" \
    "$(field pressure_iterations_max "$line")" "$(field pressure_fraction "$line")"
done
