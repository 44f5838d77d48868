#!/usr/bin/env bash
# check_output.sh PATTERN... -- COMMAND...: runs COMMAND, echoes its output, and prints
# "CHECK FAILED: ..." (and exits 1) unless it exits with 0 and its output matches every
# extended regular expression PATTERN.
set -uo pipefail
patterns=()
while (($# > 0)) && [[ "$1" != "--" ]]; do
  patterns+=("$1")
  shift
done
(($# > 1)) || { echo "CHECK FAILED: usage: check_output.sh PATTERN... -- COMMAND..."; exit 1; }
shift
output="$("$@" 2>&1)"
status=$?
printf '%s\n' "$output"
failed=0
if ((status != 0)); then
  echo "CHECK FAILED: '$*' exited with status $status"
  failed=1
fi
for pattern in "${patterns[@]}"; do
  if ! grep -qE -- "$pattern" <<<"$output"; then
    echo "CHECK FAILED: output does not match '$pattern'"
    failed=1
  fi
done
exit "$failed"
