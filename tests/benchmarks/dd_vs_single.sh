#!/usr/bin/env bash
# dd_vs_single.sh: where domain decomposition beats one network, at an equal budget. Runs the
# application on the multiscale decks (input/poisson2d_multiscale*.yaml: one network of 2 or 4
# hidden layers, XPINN on 2 x 2, FBPINN on 4 x 4; about 4600 collocation points and 5400
# parameters each, the same optimiser iterations) for each case and prints one table: case,
# method, parameters, points (interior + boundary + interface), relative L2 error against the exact
# solution and against the PETSc reference on the reference grid, training time.
#   BUILD_DIR  build folder holding apps/tessera (default build)
#   CASES      any of smooth multiscale (default both): smooth is the same decks with the fine mode
#              off (a = 0) and the PDE weights 10 times larger (mean f² is 40 times smaller)
#   METHODS    any of single single_deep xpinn fbpinn (default all four); single_deep is the
#              single network's deck with 4 hidden layers of 41 (5331 parameters) instead of 2 of 71
#   NP         ranks per run (default 1; the decomposed runs give the same result on 1, 2 or 4)
#   OUT        folder for the runs' result files (default a temporary folder, removed at the end)
#   EXPECT_ORDER  methods from the smallest error against the exact solution to the largest
#              (e.g. "fbpinn single xpinn"): checked in every case, a line per case says whether
#              it holds
#   EXPECT_MARGIN  factor by which each error of EXPECT_ORDER must lie below the next (default 1;
#              2 asserts an ordering far larger than round-off)
# Extra arguments go to every run, e.g. -train_adam_iterations 200 -reference_points 65.
# Exits 1 if the application is not built, a run fails or prints no error, or EXPECT_ORDER fails.
set -euo pipefail
# shellcheck source=SCRIPTDIR/../../jobscripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../jobscripts/common.sh"
tessera_benchmark_env

app="$(tessera_app_path)"
cases="${CASES:-smooth multiscale}"
methods="${METHODS:-single single_deep xpinn fbpinn}"
np="${NP:-1}"
extra=("$@")
tessera_benchmark_out

# deck METHOD: the deck of a method.
deck() {
  case "$1" in
    single | single_deep) printf '%s\n' "$TESSERA_ROOT/input/poisson2d_multiscale.yaml" ;;
    xpinn | fbpinn) printf '%s\n' "$TESSERA_ROOT/input/poisson2d_multiscale_$1.yaml" ;;
    *) tessera_die "unknown method '$1' (single, single_deep, xpinn, fbpinn)" ;;
  esac
}

# case_options CASE METHOD: the overrides of a method and case. The decks hold the multiscale
# weights; the smooth case scales every PDE-scale weight by 10 (single: residual; XPINN: PDE and
# residual continuity; FBPINN: PDE), keeping the methods' PDE : boundary ratios equal.
case_options() {
  [[ "$2" == single_deep ]] && printf '%s\n' -pinn_width 41 -pinn_depth 4
  case "$1" in
    multiscale) ;;
    smooth)
      printf '%s\n' -poisson_multiscale_amplitude 0
      case "$2" in
        single | single_deep) printf '%s\n' -pinn_residual_weight 1e-2 ;;
        xpinn) printf '%s\n' -dd_pde_weight 1e-2 -dd_residual 1e-2 ;;
        fbpinn) printf '%s\n' -dd_pde_weight 7.5e-3 ;;
      esac
      ;;
    *) tessera_die "unknown case '$1' (smooth, multiscale)" ;;
  esac
}

# budget METHOD LOG: "parameters points" of a run, from its log. Decomposed runs print one
# subdomain's network and points; the totals count every subdomain, every boundary face and (XPINN)
# every interface once.
budget() {
  awk -v method="${1%_deep}" '
    / subdomains/ && match($0, /on [0-9]+ x [0-9]+ subdomains/) {
      split(substr($0, RSTART + 3, RLENGTH), t, " "); sx = t[1]; sy = t[3] }
    /^PINN: MLP/ && match($0, /\([0-9]+ parameters\), [0-9]+ interior \+ [0-9]+ boundary/) {
      split(substr($0, RSTART + 1, RLENGTH), t, /[ ,]+/); p = t[1]; n = t[3] + t[6] }
    /^networks: MLP/ && match($0, /\([0-9]+ parameters\) per subdomain, [0-9]+ interior \+ [0-9]+ per/) {
      split(substr($0, RSTART + 1, RLENGTH), t, /[ ,]+/); pp = t[1]; ni = t[5]; nf = t[8] }
    END {
      if (method != "single") {
        s = sx * sy; faces = 2 * (sx + sy)
        if (method == "xpinn") faces += (sx - 1) * sy + sx * (sy - 1)
        p = pp * s; n = ni * s + nf * faces
      }
      if (p == "" || n == "") exit 1
      print p, n
    }' <<<"$2"
}

# field LABEL LOG: the number after LABEL in the run's summary.
field() { grep -E "^ +$1 " <<<"$2" | head -n 1 | awk '{ print $NF }' | sed 's/,$//'; }

rows=()
order_failed=0
for c in $cases; do
  declare -A error_of=()
  for m in $methods; do
    mapfile -t options < <(case_options "$c" "$m")
    cmd=(mpirun --oversubscribe --bind-to none -n "$np" "$app" "$(deck "$m")"
         ${options[@]+"${options[@]}"} -output_directory "$out/${c}_$m" -output_overwrite true
         ${extra[@]+"${extra[@]}"})
    tessera_say "$(tessera_print_cmd "${cmd[@]}")"
    log="$("${cmd[@]}" 2>&1)" || { printf '%s\n' "$log" >&2; tessera_die "$c $m failed"; }
    label=PINN
    [[ "$m" == fbpinn ]] && label=FBPINN
    exact="$(field "$label vs exact" "$log")"
    reference="$(field "$label vs reference" "$log")"
    seconds="$(grep -E '^ +training ' <<<"$log" | awk '{ print $2 }')"
    read -r parameters points < <(budget "$m" "$log") ||
      { printf '%s\n' "$log" >&2; tessera_die "$c $m: no network or point counts in its log"; }
    [[ -n "$exact" && -n "$reference" ]] ||
      { printf '%s\n' "$log" >&2; tessera_die "$c $m: no errors in its summary"; }
    rows+=("$(printf '%-11s %-11s %10s %7s %16s %16s %10s' "$c" "$m" "$parameters" "$points" \
      "$exact" "$reference" "$seconds")")
    error_of[$m]="$exact"
  done
  if [[ -n "${EXPECT_ORDER:-}" ]]; then
    margin="${EXPECT_MARGIN:-1}"
    previous="" previous_error="" case_failed=0
    for m in $EXPECT_ORDER; do
      [[ -n "${error_of[$m]:-}" ]] || tessera_die "EXPECT_ORDER names '$m', which did not run"
      if [[ -n "$previous" ]] &&
        ! awk -v a="$previous_error" -v b="${error_of[$m]}" -v f="$margin" \
          'BEGIN { exit !(a * f < b) }'; then
        rows+=("# $c: expected $previous ($previous_error) $margin times below $m (${error_of[$m]}): NO")
        case_failed=1 order_failed=1
      fi
      previous="$m" previous_error="${error_of[$m]}"
    done
    ((case_failed)) || rows+=("# $c: error order $(tr ' ' '<' <<<"$EXPECT_ORDER" | sed 's/</ < /g') holds with a margin of $margin")
  fi
  unset error_of
done

printf '# equal budget, %s rank(s), extra options: %s\n' "$np" "${extra[*]:-(none)}"
printf '%-11s %-11s %10s %7s %16s %16s %10s\n' case method parameters points l2_vs_exact \
  l2_vs_reference training_s
printf '%s\n' "${rows[@]}"
((order_failed == 0)) || tessera_die "the expected error order ($EXPECT_ORDER) does not hold"
