#!/usr/bin/env bash
# stale_temporaries.sh plant DIR STEM
# stale_temporaries.sh check DIR STEM LOG
# plant: puts into DIR two temporary files as runs killed outright leave them (unique_temporary_path,
# src/io/output_directory.hpp): `<STEM>_checkpoint.h5.<this host>.<PID>.tmp` of a PID that no
# longer runs, and `<STEM>.h5.elsewhere.1.tmp` of another host. check: after a run of STEM in DIR
# (its output in LOG) the first is gone and LOG names it as removed, the second is still there and
# LOG reports it, and no other temporary file of this host is left. Prints "CHECK FAILED: ..." and
# exits 1 otherwise.
set -uo pipefail
mode="$1" dir="$2" stem="$3"
host="$(hostname)"
host="${host%%.*}"
host="${host:0:32}"
host="${host//[^A-Za-z0-9_-]/_}"
other="$dir/$stem.h5.elsewhere.1.tmp"
if [[ "$mode" == "plant" ]]; then
  dead="$(bash -c 'echo $$')"  # a PID that has just ended
  touch "$dir/${stem}_checkpoint.h5.$host.$dead.tmp" "$other" || exit 1
  ls -l "$dir"
  exit 0
fi
log="$4"
failed=0
grep -E "removed '[^']*/${stem}_checkpoint\.h5\.$host\.[0-9]+\.tmp', the temporary file of a run \(PID [0-9]+ on this host\) that no longer runs" "$log" ||
  { echo "CHECK FAILED: $log names no removed temporary file"; failed=1; }
grep -F "left '$other', the temporary file of a run on host elsewhere (PID 1)" "$log" ||
  { echo "CHECK FAILED: $log does not report '$other'"; failed=1; }
[[ -e "$other" ]] || { echo "CHECK FAILED: '$other' of another host was removed"; failed=1; }
left="$(find "$dir" -maxdepth 1 -name "*.$host.*.tmp")"
[[ -z "$left" ]] || { echo "CHECK FAILED: temporary files left: $left"; failed=1; }
exit "$failed"
