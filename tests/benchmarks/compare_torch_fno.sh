#!/usr/bin/env bash
# compare_torch_fno.sh: one FNO-2D training step (64^2, width 32, 12 modes, 4 layers, batch 10,
# 1 input + 2 grid channels, padding 0: forward, decoded relative-L2 loss, backward, Adam) in
# Tessera (bench_fno train: float64, and float32 as -operator_precision single runs it) and in
# PyTorch (torch_fno.py: the FNO paper's FNO2d and neuraloperator's FNO, float64 and float32), one
# thread each, and prints one table: seconds per sample, each peer's ratio to Tessera in the same
# dtype, the kernels each side uses.
#   BUILD_DIR   build folder holding tests/benchmarks/bench_fno (default build)
#   VENV        virtual environment with torch, neuraloperator and h5py, made here when missing
#               (bench_venv.sh: default ${XDG_CACHE_HOME:-$HOME/.cache}/tessera-bench-venv; the
#               torch wheel from PyPI is the CUDA-bundled one, ~5.8 GB installed)
#   REPEATS     timed steps per model (default 5, median reported), WARMUP (default 2)
#   PYTHON      interpreter to make the environment with (default python3)
# Exits 1 if bench_fno is not built or prints no figure, 2 if PyTorch cannot be installed.
# Nothing here is needed by the build or the tests.
set -euo pipefail
# shellcheck source=SCRIPTDIR/../../jobscripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../jobscripts/common.sh"
# shellcheck source=SCRIPTDIR/bench_venv.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench_venv.sh"
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
repeats="${REPEATS:-5}" warmup="${WARMUP:-2}"

bench="$(tessera_build_dir)/tests/benchmarks/bench_fno"
[[ -x "$bench" ]] ||
  tessera_die "$bench not found: build it with cmake --build <build> --target bench_fno"

tessera_bench_python  # sets python

# field NAME TEXT: the value of NAME=<value> in TEXT (last match).
field() { grep -oE "(^|[[:space:]])$1=[^[:space:]]+" <<<"$2" | tail -n 1 | sed 's/.*=//'; }

tessera_say "Tessera: $bench train repeats=$repeats warmup=$warmup grid3d="
tessera_out="$("$bench" train repeats="$repeats" warmup="$warmup" grid3d= 2>&1)" ||
  { printf '%s\n' "$tessera_out" >&2; tessera_die "bench_fno failed"; }
# tessera_seconds DTYPE: Tessera's seconds per sample in DTYPE.
tessera_seconds() {
  local line
  line="$(grep "tessera_fno case=fno2d_64 dtype=$1 " <<<"$tessera_out" || true)"
  [[ -n "$line" ]] || { printf '%s\n' "$tessera_out" >&2
    tessera_die "no tessera_fno case=fno2d_64 dtype=$1 line in its output"; }
  field seconds_per_sample "$line"
}
tessera_s64="$(tessera_seconds float64)"
tessera_s32="$(tessera_seconds float32)"

tessera_say "PyTorch: $python tests/benchmarks/torch_fno.py --repeats $repeats --warmup $warmup"
torch_out="$("$python" "$TESSERA_ROOT/tests/benchmarks/torch_fno.py" --repeats "$repeats" \
  --warmup "$warmup" 2>&1)" || { printf '%s\n' "$torch_out" >&2; tessera_die "torch_fno.py failed"; }

printf '%s\n' "$tessera_out" | sed -n '/^tessera_fno case=fno2d_64/,/allreduces/p'
printf '\nFNO-2D 64^2, width 32, modes 12, 4 layers, batch 10, one training step, 1 thread; '
printf 'median of %s steps (shared machine)\n' "$repeats"
printf '%-34s %-8s %14s %22s\n' "implementation" "dtype" "s/sample" "vs Tessera, same dtype"
printf '%-34s %-8s %14s %22s\n' "Tessera (DFT-as-GEMM, Kokkos)" float64 "$tessera_s64" "1.00"
printf '%-34s %-8s %14s %22s\n' "Tessera (DFT-as-GEMM, Kokkos)" float32 "$tessera_s32" "1.00"
while read -r line; do
  model="$(field model "$line")" dtype="$(field dtype "$line")"
  label="PyTorch paper FNO2d (rfft2)"
  [[ "$model" == neuralop ]] && label="neuraloperator FNO"
  if [[ "$line" == *unsupported* ]]; then  # neuraloperator's spectral weights: complex64 only
    printf '%-34s %-8s %14s %22s\n' "$label" "$dtype" "unsupported" "-"
    continue
  fi
  s="$(field seconds_per_sample "$line")"
  t="$tessera_s64"
  [[ "$dtype" == float32 ]] && t="$tessera_s32"
  awk -v l="$label" -v d="$dtype" -v s="$s" -v t="$t" \
    'BEGIN { printf "%-34s %-8s %14s %21.2fx\n", l, d, s, s / t }'
done < <(grep '^torch_fno ' <<<"$torch_out")
printf '\nkernels:\n'
printf '  Tessera: %s\n' "$(grep '^blas:' <<<"$tessera_out")"
printf '  Tessera: truncated DFTs as dense GEMMs (no FFT library), spectral mixing a Kokkos kernel\n'
grep -E '^(torch |neuraloperator|torch_config:)' <<<"$torch_out" | sed 's/^/  /'
printf 'target: Tessera >= 3x faster per core than PyTorch 2.x (ratio column >= 3)\n'
