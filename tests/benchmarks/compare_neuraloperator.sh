#!/usr/bin/env bash
# compare_neuraloperator.sh FILE [options]: the peer trained on the same Tessera-generated data
# with the same budget. neuraloperator's FNO and TFNO (neuraloperator_peer.py, in the virtual
# environment of bench_venv.sh) train on FILE, a sample file of run: dataset, with Tessera's
# split, normaliser, loss, optimiser and schedule (the deck's, the epochs and step as given), one
# thread each; with --tessera, Tessera's own `tessera DECK` trains the same models with the same
# overrides. Prints one table: parameters, seconds per epoch, test relative L2 (mean, median,
# max) of each side, and the zero-shot rows with --zero-shot.
#   --problem P       darcy (default: input/darcy_fno.yaml, permeability -> pressure, width 32,
#                     9 points of padding) or navier_stokes (input/navier_stokes_fno2d.yaml: the
#                     autoregressive rollout from omega_t1..omega_t10, width 20, no padding,
#                     every point, 1000 / 200 samples by default)
#   --output RANGE    navier_stokes: the records predicted, one step each (default
#                     omega_t11..omega_t50)
#   --batch B, --lr R batch (default 20) and Adam's learning rate (default 1e-3)
#   --epochs E        epochs (default 12)
#   --lr-step S       learning rate times --lr-factor every S epochs (default 4; the deck: 100)
#   --lr-factor F     (default 0.5)
#   --stride R        every R-th point of the file's grid (darcy's default 5: 421^2 -> 85^2)
#   --train N, --test N   the first N samples train, the next N test (darcy's default 1000, 100;
#                     file order, -operator_split_seed 0)
#   --models LIST     fno,tfno (default both)
#   --rank R          TFNO: Tucker rank as a fraction of the dense spectral weights (default 0.42,
#                     neuraloperator's Darcy example; Tessera's default is 0.1)
#   --float64         torch in float64 (default float32, torch's; Tessera is float64 only)
#   --zero-shot LIST  darcy: strides to evaluate the trained networks at as well, e.g. 3,2
#                     (141^2, 211^2 of a 421^2 file); Tessera: -operator_mode evaluate on its
#                     checkpoint
#   --tessera         also train (and zero-shot evaluate) Tessera; needs BUILD_DIR/apps/tessera
#   BUILD_DIR   build folder holding apps/tessera (default build), for --tessera
#   OUT_DIR     where Tessera's runs, every log and the peer's checkpoints go (default
#               out/compare_neuraloperator): peer_<model>_<dtype>.pt after every epoch; a later
#               run with the same settings continues from it, or only evaluates once all epochs
#               are done (delete it to train afresh)
#   VENV, PYTHON  the environment (bench_venv.sh; made on first use, several GB)
# Exits 1 on a failed run or a missing figure, 2 if the Python packages cannot be installed.
# Nothing here is needed by the build or the tests.
set -euo pipefail
# shellcheck source=SCRIPTDIR/../../jobscripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../jobscripts/common.sh"
# shellcheck source=SCRIPTDIR/bench_venv.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench_venv.sh"
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit 1; }
file="" problem=darcy epochs=12 lr_step=4 lr_factor=0.5 stride="" train=1000 test="" batch=20
lr=1e-3 output=omega_t11..omega_t50 models=fno,tfno rank=0.42 dtype=float32 zero_shot=""
tessera=0
while (($#)); do
  case "$1" in
    --problem) problem="$2"; shift 2 ;;
    --output) output="$2"; shift 2 ;;
    --batch) batch="$2"; shift 2 ;;
    --lr) lr="$2"; shift 2 ;;
    --epochs) epochs="$2"; shift 2 ;;
    --lr-step) lr_step="$2"; shift 2 ;;
    --lr-factor) lr_factor="$2"; shift 2 ;;
    --stride) stride="$2"; shift 2 ;;
    --train) train="$2"; shift 2 ;;
    --test) test="$2"; shift 2 ;;
    --models) models="$2"; shift 2 ;;
    --rank) rank="$2"; shift 2 ;;
    --float64) dtype=float64; shift ;;
    --zero-shot) zero_shot="$2"; shift 2 ;;
    --tessera) tessera=1; shift ;;
    -h | --help) usage ;;
    -*) printf '[tessera] error: unknown option %s\n' "$1" >&2; usage ;;
    *) [[ -z "$file" ]] || usage; file="$1"; shift ;;
  esac
done
[[ -n "$file" ]] || usage
[[ -f "$file" ]] || tessera_die "sample file '$file' not found"
# What each problem's deck sets and the peer must be told: the scheme, fields, network, grid.
case "$problem" in
  darcy)
    deck=input/darcy_fno.yaml stride="${stride:-5}" test="${test:-100}"
    peer_problem=(--scheme direct --input permeability --output pressure --width 32 --padding 9)
    tessera_problem=() ;;
  navier_stokes)
    [[ -z "$zero_shot" ]] || tessera_die "--zero-shot is for --problem darcy"
    deck=input/navier_stokes_fno2d.yaml stride="${stride:-1}" test="${test:-200}"
    peer_problem=(--scheme rollout --input omega_t1..omega_t10 --output "$output" --width 20
      --padding 0)
    tessera_problem=(-operator_output "$output") ;;
  *) tessera_die "--problem $problem: darcy or navier_stokes" ;;
esac
file="$(cd "$(dirname "$file")" && pwd)/$(basename "$file")"

tessera_bench_python  # sets python

# value NAME TEXT: the value of NAME=<value> in TEXT (last match).
value() { grep -oE "(^|[[:space:]])$1=[^[:space:]]+" <<<"$2" | tail -n 1 | sed 's/.*=//'; }
# summary LABEL TEXT: the figure after LABEL in a Tessera summary.
summary() { grep -E "^ +$1 " <<<"$2" | tail -n 1 | awk '{print $NF}'; }
rows=()  # implementation|dtype|grid|parameters|s/epoch|mean|median|max

out_dir="${OUT_DIR:-out/compare_neuraloperator}"
mkdir -p "$out_dir"
out_dir="$(cd "$out_dir" && pwd)"
if ((tessera)); then
  bin="$(tessera_build_dir)/apps/tessera"
  [[ -x "$bin" ]] || tessera_die "$bin not found: build it with cmake --build <build> --target tessera"
  blas="$(ldd "$bin" | grep -oE 'lib(open)?blas[^ ]*\.so[^ ]* => [^ ]+' | head -n 1 | awk '{print $3}')"
  tessera_side="$bin, float64, 1 rank, OMP_NUM_THREADS=1; dgemm from ${blas:-?} ($(readlink -f \
    "${blas:-/dev/null}")), OPENBLAS_NUM_THREADS=1, OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-(unset)}"
  tessera_say "Tessera: $tessera_side"
  for model in ${models//,/ }; do
    args=(-operator_dataset "$file" -operator_subsample "$stride" -operator_train "$train"
      -operator_validation 0 -operator_test "$test" -operator_split_seed 0
      -operator_epochs "$epochs" -operator_lr_step_every "$lr_step"
      -operator_lr_step_factor "$lr_factor" -operator_batch_size "$batch"
      -operator_learning_rate "$lr" -operator_model "$model" "${tessera_problem[@]}"
      -output_directory "$out_dir/tessera_$model" -output_name "${problem}_$model"
      -output_overwrite true)
    [[ "$model" == tfno ]] && args+=(-operator_factorization tucker -operator_rank "$rank")
    tessera_say "$(tessera_print_cmd "$bin" "$deck" "${args[@]}")"
    (cd "$TESSERA_ROOT" && "$bin" "$deck" "${args[@]}") 2>&1 | tee "$out_dir/$model.log" ||
      tessera_die "Tessera $model failed (log $out_dir/$model.log)"
    log="$(<"$out_dir/$model.log")"
    mean="$(summary 'test rel L2 mean' "$log")"
    [[ -n "$mean" ]] || tessera_die "no 'test rel L2 mean' in Tessera's $model summary"
    parameters="$(grep -oE '[0-9,]+ parameters' <<<"$log" | head -n 1 | tr -d , | awk '{print $1}')"
    grid="$(grep -oE "\) on [0-9x]+" <<<"$log" | head -n 1 | awk '{print $3}')"
    rows+=("Tessera ${model^^}|float64|$grid|$parameters|$(summary 'seconds per epoch' "$log")|$mean|$(summary 'test rel L2 median' "$log")|$(summary 'test rel L2 max' "$log")")
    for s in ${zero_shot//,/ }; do
      zargs=(-operator_mode evaluate -operator_checkpoint
        "$out_dir/tessera_$model/${problem}_${model}_checkpoint.h5" -operator_dataset "$file"
        -operator_subsample "$s" -operator_train "$train" -operator_validation 0
        -operator_test "$test" -operator_split_seed 0 -operator_model "$model"
        -output_directory "$out_dir/tessera_$model" -output_name "${problem}_${model}_stride$s"
        -output_overwrite true)
      [[ "$model" == tfno ]] && zargs+=(-operator_factorization tucker -operator_rank "$rank")
      tessera_say "$(tessera_print_cmd "$bin" "$deck" "${zargs[@]}")"
      (cd "$TESSERA_ROOT" && "$bin" "$deck" "${zargs[@]}") 2>&1 |
        tee "$out_dir/${model}_stride$s.log" ||
        tessera_die "Tessera $model evaluation at stride $s failed (log $out_dir/${model}_stride$s.log)"
      log="$(<"$out_dir/${model}_stride$s.log")"
      grid="$(grep -oE "\) on [0-9x]+" <<<"$log" | head -n 1 | awk '{print $3}')"
      rows+=("Tessera ${model^^} zero-shot|float64|$grid|$parameters|-|$(summary 'test rel L2 mean' "$log")|$(summary 'test rel L2 median' "$log")|$(summary 'test rel L2 max' "$log")")
    done
  done
fi

peer=("$python" "$TESSERA_ROOT/tests/benchmarks/neuraloperator_peer.py" "$file" "${peer_problem[@]}"
  --stride "$stride" --train "$train" --test "$test" --epochs "$epochs" --batch "$batch" --lr "$lr"
  --lr-step "$lr_step" --lr-factor "$lr_factor" --models "$models" --rank "$rank" --dtype "$dtype"
  --threads 1 --checkpoint "$out_dir")
[[ -n "$zero_shot" ]] && peer+=(--zero-shot "$zero_shot")
tessera_say "peer: $(tessera_print_cmd "${peer[@]}")"
"${peer[@]}" 2>&1 | tee "$out_dir/peer_${models//,/_}_$dtype.log" ||
  tessera_die "neuraloperator_peer.py failed (log $out_dir/peer_${models//,/_}_$dtype.log)"
peer_out="$(<"$out_dir/peer_${models//,/_}_$dtype.log")"
while read -r line; do
  model="$(value model "$line")"
  label="neuraloperator ${model^^}"
  [[ "$line" == peer_zero_shot* ]] && label+=" zero-shot"
  s="-"
  [[ "$line" == peer\ * ]] && s="$(value seconds_per_epoch "$line")"
  parameters="$(grep -E "^model $model: " <<<"$peer_out" | head -n 1 | awk '{print $3}')"
  rows+=("$label|$(value dtype "$line")|$(value grid "$line")|$parameters|$s|$(value test_rel_l2_mean "$line")|$(value test_rel_l2_median "$line")|$(value test_rel_l2_max "$line")")
done < <(grep -E '^peer(_zero_shot)? ' <<<"$peer_out")
[[ ${#rows[@]} -gt 0 ]] || tessera_die "no figures in the peer's output"

printf '\n%s (%s), every %s point(s), first %s samples train, next %s test; %s epochs, batch %s,\n' \
  "$problem" "$(basename "$file")" "$stride" "$train" "$test" "$epochs" "$batch"
printf 'Adam lr %s weight decay 1e-4, lr x%s every %s epochs; TFNO Tucker rank %s; 1 thread\n' \
  "$lr" "$lr_factor" "$lr_step" "$rank"
[[ "$problem" == navier_stokes ]] &&
  printf 'rollout omega_t1..omega_t10 -> %s; test: relative L2 over all predicted records\n' "$output"
printf '%-34s %-8s %-9s %10s %9s %12s %12s %12s\n' implementation dtype grid parameters \
  s/epoch "test mean" median max
for row in "${rows[@]}"; do
  IFS='|' read -r label dt grid parameters s mean median worst <<<"$row"
  printf '%-34s %-8s %-9s %10s %9s %12s %12s %12s\n' "$label" "$dt" "$grid" "$parameters" "$s" \
    "$mean" "$median" "$worst"
done
printf '\n'
((tessera)) && printf 'Tessera: %s\n' "$tessera_side"
printf 'peer: %s\n' "$(grep -E '^torch ' <<<"$peer_out")"
grep -E '^torch_config:' <<<"$peer_out" | sed 's/^/  /'
