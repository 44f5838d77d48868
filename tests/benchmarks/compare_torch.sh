#!/usr/bin/env bash
# compare_torch.sh: times one PINN training iteration (2D Poisson, MLP 2-50x4-1, 4096 interior
# points, Adam, float64, one thread) in Tessera and in PyTorch, and prints both and the ratio
#   speedup_vs_torch=<torch seconds per iteration / tessera seconds per iteration>
#   BUILD_DIR         build folder holding tests/benchmarks/bench_pinn_training (default build)
#   TORCH_ITERATIONS  timed PyTorch iterations (default 200)
#   PYTHON            interpreter with torch (default: python3, else /usr/bin/python3)
# Exits 1 if the Tessera benchmark is not built or prints no figure, 2 if PyTorch is missing.
set -euo pipefail
# shellcheck source=SCRIPTDIR/../../jobscripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../jobscripts/common.sh"
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1

bench="$(tessera_build_dir)/tests/benchmarks/bench_pinn_training"
[[ -x "$bench" ]] ||
  tessera_die "$bench not found: build it with bash jobscripts/local/setup.sh (TESSERA_ENABLE_BENCHMARKS=ON)"

python=""
for candidate in "${PYTHON:-}" python3 /usr/bin/python3; do
  if [[ -n "$candidate" ]] && "$candidate" -c 'import torch' >/dev/null 2>&1; then
    python="$candidate"
    break
  fi
done
if [[ -z "$python" ]]; then
  printf '[tessera] error: PyTorch not found; install it with: apt-get install python3-torch\n' >&2
  exit 2
fi

# field NAME TEXT: the value of NAME=<value> in TEXT.
field() { grep -oE "(^|[[:space:]])$1=[^[:space:]]+" <<<"$2" | tail -n 1 | sed 's/.*=//'; }

tessera_say "Tessera: $bench"
tessera_out="$("$bench" 2>&1)" || { printf '%s\n' "$tessera_out" >&2; tessera_die "bench_pinn_training failed"; }
tessera_s="$(field tessera_seconds_per_iteration "$tessera_out")"
tessera_pps="$(field tessera_points_per_second "$tessera_out")"
[[ -n "$tessera_s" ]] ||
  { printf '%s\n' "$tessera_out" >&2; tessera_die "no tessera_seconds_per_iteration=... line in its output"; }

tessera_say "PyTorch: $python tests/benchmarks/torch_poisson.py"
torch_out="$("$python" "$TESSERA_ROOT/tests/benchmarks/torch_poisson.py" \
  --iterations "${TORCH_ITERATIONS:-200}" 2>&1)" ||
  { printf '%s\n' "$torch_out" >&2; tessera_die "torch_poisson.py failed"; }
torch_s="$(field torch_seconds_per_iteration "$torch_out")"
torch_pps="$(field torch_points_per_second "$torch_out")"
[[ -n "$torch_s" ]] ||
  { printf '%s\n' "$torch_out" >&2; tessera_die "no torch_seconds_per_iteration=... line in its output"; }

printf 'tessera_seconds_per_iteration=%s tessera_points_per_second=%s\n' "$tessera_s" "$tessera_pps"
printf 'torch_seconds_per_iteration=%s torch_points_per_second=%s\n' "$torch_s" "$torch_pps"
awk -v t="$torch_s" -v s="$tessera_s" 'BEGIN {
  if (s <= 0) { print "[tessera] error: non-positive Tessera time" > "/dev/stderr"; exit 1 }
  printf "speedup_vs_torch=%.3f\n", t / s }'
