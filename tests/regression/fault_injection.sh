#!/usr/bin/env bash
# fault_injection.sh --signal SIG --after REGEX [--count N | --count A-B] --status S
#                    [--within SECONDS] [--exists PATH]... [--absent PATH]... [--clean DIR]
#                    [--stale-lock PATH] [--to ranks] -- COMMAND...
# Runs COMMAND (e.g. mpirun -n 2 tessera DECK ...) in its own process group, waits until its
# output holds the N-th line matching REGEX (A-B: a random N in [A, B], printed), then sends SIG:
# USR1 or TERM to COMMAND itself (as SLURM or a user does to mpirun), KILL to the whole group and
# to COMMAND's children (a node failure: nothing gets to clean up; mpirun starts every rank in a
# process group of its own, and ranks whose mpirun was killed alone lived on for 2 to 5 s,
# writing checkpoints), then waits until every one of them is gone. Echoes the output, then prints "CHECK FAILED: ..." and
# exits 1 unless COMMAND exits with status S within SECONDS (default 60) of the signal and every
# --exists PATH exists afterwards and no --absent PATH does. --clean DIR removes DIR first (the run's output directory: a
# fresh run refuses to replace a checkpoint that an earlier test run left there). --stale-lock
# PATH (with KILL): the killed run's output lock must be left behind, and is then removed, as
# input/README.md tells a user to do after a run killed outright. --to ranks sends USR1 or TERM
# to the child processes of COMMAND (mpirun's: the ranks) instead, as srun and scancel deliver it
# to every task of a job step.
set -uo pipefail
signal="" after="" count=1 expect="" within=60 exists=() absent=() clean="" stale_lock="" to=""
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
    --to) to="$2" ;;
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
  if [[ "$signal" == "KILL" ]]; then
    ranks=$(ps -o pid= --ppid "$pid")
    # shellcheck disable=SC2086
    kill -KILL -- "-$pid" $ranks
    # Gone or a zombie (reaped by whoever inherits it); at most 10 s.
    for rank in $ranks; do
      while ps -o stat= -p "$rank" | grep -qv Z && ((SECONDS - start < 10)); do sleep 0.05; done
      if ps -o stat= -p "$rank" | grep -qv Z; then
        echo "CHECK FAILED: rank $rank still runs after SIGKILL"
        failed=1
      fi
    done
  elif [[ "$to" == "ranks" ]]; then
    ranks=$(ps -o pid= --ppid "$pid")
    echo "fault injection: SIG$signal to the ranks, PIDs ${ranks//$'\n'/ }"
    # shellcheck disable=SC2086
    kill "-$signal" $ranks
  else
    kill "-$signal" "$pid"
  fi
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
