#!/usr/bin/env bash
# requeue_test.sh: runs jobscripts/slurm/cpu.sbatch outside SLURM, with stand-ins for srun and
# scontrol on PATH, sends the batch shell SIGUSR1 as SLURM's --signal=B:USR1@... does, and checks
# that the shell forwards it to srun and acts on the status srun returns:
#   requeue   RESTART_OPTION=dd_restart: srun gets `-dd_restart latest`; status 3 -> requeue
#   plain     RESTART_OPTION unset: status 3 is the job's status, no requeue
# Prints "CHECK FAILED: ..." and exits 1 on any difference.
set -uo pipefail
case_name="${1:?usage: requeue_test.sh requeue|plain}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/build/apps"
# srun: prints its command, then waits; SIGUSR1 ends it with tessera's "stopped" status 3.
cat >"$work/bin/srun" <<'STUB'
#!/usr/bin/env bash
echo "srun $*"
sleep 30 &
sleeper=$!
trap 'echo "srun: SIGUSR1 forwarded"; kill "$sleeper"; exit 3' USR1
wait "$sleeper"
echo "srun: no signal came"
exit 0
STUB
printf '#!/usr/bin/env bash\necho "scontrol $*"\n' >"$work/bin/scontrol"
printf '#!/usr/bin/env bash\nexit 0\n' >"$work/build/apps/tessera"
chmod +x "$work/bin/srun" "$work/bin/scontrol" "$work/build/apps/tessera"

restart=""
[[ "$case_name" == "requeue" ]] && restart="dd_restart"
env -u DRY_RUN -u SLURM_RESTART_COUNT -u MAX_REQUEUES PATH="$work/bin:$PATH" \
  BUILD_DIR="$work/build" TESSERA_ROOT="$root" SLURM_JOB_ID=42 RESTART_OPTION="$restart" \
  bash "$root/jobscripts/slurm/cpu.sbatch" input/poisson2d.yaml -pinn_width 8 >"$work/out" 2>&1 &
job=$!
for _ in $(seq 100); do
  grep -q "^srun " "$work/out" && break
  sleep 0.1
done
sleep 0.2  # srun's trap is set right after its first line
kill -USR1 "$job"
wait "$job"
status=$?
cat "$work/out"

failed=0
expect() {  # expect PATTERN [absent]
  if [[ "${2:-}" == "absent" ]]; then
    ! grep -qE -- "$1" "$work/out" || { echo "CHECK FAILED: output matches '$1'"; failed=1; }
  else
    grep -qE -- "$1" "$work/out" || { echo "CHECK FAILED: output does not match '$1'"; failed=1; }
  fi
}
expect "srun: SIGUSR1 forwarded"
if [[ "$case_name" == "requeue" ]]; then
  expect "^srun --cpu-bind=cores .*apps/tessera .*input/poisson2d\.yaml -pinn_width 8 -dd_restart latest$"
  expect "^scontrol requeue 42$"
  ((status == 0)) || { echo "CHECK FAILED: status $status after requeueing, expected 0"; failed=1; }
else
  expect "scontrol" absent
  expect "latest" absent
  ((status == 3)) || { echo "CHECK FAILED: status $status, expected srun's 3"; failed=1; }
fi
exit "$failed"
