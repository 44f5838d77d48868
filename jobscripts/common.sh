# shellcheck shell=bash
# Sourced by the scripts in jobscripts/: repository root, build folder, deck resolution, messages.
# TESSERA_ROOT is the repository this file lives in; BUILD_DIR (default build, build-debug for
# PRESET=debug) is relative to it unless absolute.

TESSERA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

tessera_say() { printf '[tessera] %s\n' "$*"; }
tessera_die() { printf '[tessera] error: %s\n' "$*" >&2; exit 1; }

# The preset setup.sh configures with: PRESET if set, ci when CI=true, release otherwise.
tessera_preset() {
  if [[ -n "${PRESET:-}" ]]; then
    printf '%s\n' "$PRESET"
  elif [[ "${CI:-}" == "true" ]]; then
    printf 'ci\n'
  else
    printf 'release\n'
  fi
}

# Absolute build folder.
tessera_build_dir() {
  local dir="${BUILD_DIR:-}"
  if [[ -z "$dir" ]]; then
    if [[ "$(tessera_preset)" == "debug" ]]; then dir=build-debug; else dir=build; fi
  fi
  [[ "$dir" == /* ]] || dir="$TESSERA_ROOT/$dir"
  printf '%s\n' "$dir"
}

# Measurements (tests/benchmarks): one BLAS and OpenMP thread per rank, mpirun allowed as root.
tessera_benchmark_env() {
  export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
}

# The built application's path; an error when it is not built.
tessera_app_path() {
  local app
  app="$(tessera_build_dir)/apps/tessera"
  [[ -x "$app" ]] || tessera_die "$app not found: build it with bash jobscripts/local/setup.sh"
  printf '%s\n' "$app"
}

# Sets out, the measurement's folder: OUT, or a temporary folder removed when the script exits.
tessera_benchmark_out() {
  if [[ -n "${OUT:-}" ]]; then
    out="$OUT"
  else
    out="$(mktemp -d)"
    trap 'rm -rf "$out"' EXIT
  fi
}

# tessera_resolve_deck DECK: prints DECK as an absolute path, looked up relative to the current
# directory first and the repository root second. A deck found in neither place is an error, except
# under DRY_RUN=1, where it is printed as given with a warning.
tessera_resolve_deck() {
  local deck="$1"
  if [[ -f "$deck" ]]; then
    printf '%s/%s\n' "$(cd "$(dirname "$deck")" && pwd)" "$(basename "$deck")"
  elif [[ "$deck" != /* && -f "$TESSERA_ROOT/$deck" ]]; then
    printf '%s/%s\n' "$TESSERA_ROOT" "$deck"
  elif [[ "${DRY_RUN:-0}" == "1" ]]; then
    printf '[tessera] warning: deck %s not found (dry run, printed as given)\n' "$deck" >&2
    printf '%s\n' "$deck"
  else
    local where="$PWD"
    [[ "$PWD" == "$TESSERA_ROOT" ]] || where+=" and $TESSERA_ROOT"
    tessera_die "deck '$deck' not found (looked in $where)"
  fi
}

# tessera_print_cmd WORD...: prints a command on one line, quoting only words that need it.
tessera_print_cmd() {
  local out="" word
  for word in "$@"; do
    if [[ "$word" =~ ^[A-Za-z0-9_./=:,+@%-]+$ ]]; then out+=" $word"; else out+=" $(printf '%q' "$word")"; fi
  done
  printf '%s\n' "${out# }"
}

# tessera_timed LABEL COMMAND...: runs the command and says how long it took.
tessera_timed() {
  local label="$1" start
  shift
  start=$(date +%s)
  "$@"
  tessera_say "$label took $(($(date +%s) - start)) s"
}
