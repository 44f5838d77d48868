#!/usr/bin/env bash
# operator_padding.sh: what the FNO's zero padding buys on a non-periodic problem. Writes a small
# Darcy set of the FNO paper's kind (input/darcy_fno_dataset.yaml: thresholded Gaussian random
# field, u = 0 on the boundary, solved at POINTS^2 and stored whole), then trains the Darcy FNO
# deck (input/darcy_fno.yaml, scaled down) on it once per padding, the same data, split, seed and
# schedule, and prints one table: padding per dimension, test relative L2 (mean over the test
# samples), last training relative L2, seconds per epoch.
#   BUILD_DIR  build folder holding apps/tessera (default build)
#   PADDINGS   the -operator_padding values to compare (default "0 4,4": none, and 4 points on
#              both space axes, about the paper's 9 of 85)
#   POINTS     grid points per side of the data (default 33), SAMPLES (default 140: TRAIN + TEST)
#   TRAIN, TEST, EPOCHS, WIDTH, MODES, BATCH   (defaults 120, 20, 30, 16, 8, 10)
#   NP         ranks per run (default 1)
#   OUT        folder for the data and the runs (default a temporary folder, removed at the end)
# Extra arguments go to every training run, e.g. -operator_layers 2.
# Exits 1 if the application is not built or a run fails or prints no test error.
set -euo pipefail
# shellcheck source=SCRIPTDIR/../../jobscripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../jobscripts/common.sh"
tessera_benchmark_env

app="$(tessera_app_path)"
paddings="${PADDINGS:-0 4,4}"
points="${POINTS:-33}" train="${TRAIN:-120}" test="${TEST:-20}"
samples="${SAMPLES:-$((train + test))}"
epochs="${EPOCHS:-30}" width="${WIDTH:-16}" modes="${MODES:-8}" batch="${BATCH:-10}"
np="${NP:-1}"
extra=("$@")
tessera_benchmark_out
mpi=(mpirun --oversubscribe --bind-to none -n "$np")

data="$out/data/darcy.h5"
if [[ ! -f "$data" ]]; then
  cmd=("${mpi[@]}" "$app" "$TESSERA_ROOT/input/darcy_fno_dataset.yaml" -dataset_samples "$samples"
       -dataset_points "$points" -dataset_subsample 1 -dataset_resume false
       -dataset_progress_every "$samples" -output_directory "$out/data" -output_name darcy
       -output_overwrite true)
  tessera_say "$(tessera_print_cmd "${cmd[@]}")"
  log="$("${cmd[@]}" 2>&1)" || { printf '%s\n' "$log" >&2; tessera_die "the data set failed"; }
fi

# value NAME LOG: the figure after NAME in a run's summary ("  test rel L2 mean   1.2e-01").
value() { awk -v name="$1" 'index($0, name) { v = $NF } END { print v }' <<<"$2"; }

rows=()
for padding in $paddings; do
  cmd=("${mpi[@]}" "$app" "$TESSERA_ROOT/input/darcy_fno.yaml" -operator_dataset "$data"
       -operator_train "$train" -operator_test "$test" -operator_epochs "$epochs"
       -operator_batch_size "$batch" -operator_width "$width" -operator_modes "$modes"
       -operator_padding "$padding" -operator_lr_step_every "$(((epochs + 1) / 2))"
       -operator_checkpoint_every 0 -operator_progress_every "$epochs"
       -output_directory "$out/padding_${padding//,/_}" -output_overwrite true
       ${extra[@]+"${extra[@]}"})
  tessera_say "$(tessera_print_cmd "${cmd[@]}")"
  log="$("${cmd[@]}" 2>&1)" || { printf '%s\n' "$log" >&2; tessera_die "padding $padding failed"; }
  error="$(value "test rel L2 mean" "$log")"
  [[ -n "$error" ]] || { printf '%s\n' "$log" >&2; tessera_die "padding $padding: no test error"; }
  rows+=("$(printf '%10s %18s %18s %12s' "$padding" "$error" \
    "$(value "train rel L2 last" "$log")" "$(value "seconds per epoch" "$log")")")
done

printf '# Darcy FNO, %s^2 grid, %s train / %s test samples, %s epochs, width %s, modes %s, batch %s, %s rank(s)\n' \
  "$points" "$train" "$test" "$epochs" "$width" "$modes" "$batch" "$np"
printf '%10s %18s %18s %12s\n' padding test_rel_L2_mean train_rel_L2_last s_per_epoch
printf '%s\n' "${rows[@]}"
