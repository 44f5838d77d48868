#!/usr/bin/env bash
# fault_injection.sh --signal SIG --after REGEX [--count N | --count A-B] --status S
#                    [--within SECONDS] [--exists PATH]... [--absent PATH]... [--clean DIR]
#                    [--stale-lock PATH] -- COMMAND...
# Runs COMMAND (e.g. mpirun -n 2 tessera DECK ...) in its own process group, waits until its
# output holds the N-th line matching REGEX (A-B: a random N in [A, B], printed), then sends SIG:
# USR1 or TERM to COMMAND itself (as SLURM or a user does to mpirun), KILL to the whole group (a
# node failure: nothing gets to clean up). Echoes the output, then prints "CHECK FAILED: ..." and
# exits 1 unless COMMAND exits with status S within SECONDS (default 60) of the signal and every
# --exists PATH exists afterwards and no --absent PATH does. --clean DIR removes DIR first (the run's output directory: a
# fresh run refuses to replace a checkpoint that an earlier test run left there). --stale-lock
# PATH (with KILL): the killed run's output lock must be left behind, and is then removed, as
# input/README.md tells a user to do after a run killed outright.
set -uo pipefail
signal="" after="" count=1 expect="" within=60 exists=() absent=() clean="" stale_lock=""
while (($# > 0)) && [[ "$1" != "--" ]]; do
  case "$1" in
    --signal) signal="$2" ;;
    --after) after="$2" ;;
    --count) count="$2" ;;
    --status) expect="$2" ;;
    --within) within="$2" ;;
    --exists) exists+=("$2") ;;
    --absent) absent+=("$2") ;;
    --clean) clean="$2" ;;
    --stale-lock) stale_lock="$2" ;;
    *) echo "CHECK FAILED: unknown argument '$1'"; exit 1 ;;
  esac
  shift 2
done
if (($# < 2)) || [[ -z "$signal" || -z "$after" || -z "$expect" ]]; then
  echo "CHECK FAILED: usage: see the head of $0"
  exit 1
fi
shift
if [[ "$count" =~ ^([0-9]+)-([0-9]+)$ ]]; then
  count=$((BASH_REMATCH[1] + RANDOM % (BASH_REMATCH[2] - BASH_REMATCH[1] + 1)))
fi
echo "fault injection: SIG$signal after match $count of '$after'"

[[ -z "$clean" ]] || rm -rf -- "$clean"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
setsid "$@" >"$log" 2>&1 &
pid=$!
failed=0
# Wait for the line (or the command's end: then the signal comes too late, which is a failure).
deadline=$((SECONDS + 600))
while (($(grep -cE -- "$after" "$log") < count)); do
  if ! kill -0 "$pid" 2>/dev/null || ((SECONDS > deadline)); then
    echo "CHECK FAILED: the command ended (or timed out) before match $count of '$after'"
    failed=1
    break
  fi
  sleep 0.05
done
start=$SECONDS
if ((failed == 0)); then
  if [[ "$signal" == "KILL" ]]; then kill -KILL -- "-$pid"; else kill "-$signal" "$pid"; fi
fi
while kill -0 "$pid" 2>/dev/null && ((SECONDS - start <= within)); do sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
  echo "CHECK FAILED: still running ${within} s after SIG$signal"
  kill -KILL -- "-$pid" 2>/dev/null
  failed=1
fi
wait "$pid"
status=$?
cat "$log"
echo "fault injection: exit status $status, $((SECONDS - start)) s after SIG$signal"
if ((status != expect)); then
  echo "CHECK FAILED: exit status $status, expected $expect"
  failed=1
fi
for path in "${exists[@]}"; do
  [[ -e "$path" ]] || { echo "CHECK FAILED: '$path' does not exist"; failed=1; }
done
for path in "${absent[@]}"; do
  [[ ! -e "$path" ]] || { echo "CHECK FAILED: '$path' exists"; failed=1; }
done
if [[ -n "$stale_lock" ]]; then
  [[ -e "$stale_lock" ]] || { echo "CHECK FAILED: no stale lock '$stale_lock'"; failed=1; }
  rm -f -- "$stale_lock"
fi
exit "$failed"
