#!/usr/bin/env bash
# kept_checkpoints.sh DIR STEM ATTRIBUTE VALUE... -- READER...
# Checks that DIR holds exactly the kept checkpoints of STEM, one per VALUE, newest first:
# STEM_checkpoint.h5, STEM_checkpoint.1.h5, ...; that `READER... FILE ATTRIBUTE` prints VALUE for
# each; and that no temporary file (*.tmp) is left in DIR. Prints "CHECK FAILED: ..." and exits 1
# otherwise.
set -uo pipefail
if (($# < 5)); then
  echo "CHECK FAILED: usage: see the head of $0"
  exit 1
fi
dir="$1" stem="$2" attribute="$3"
shift 3
values=()
while (($# > 0)) && [[ "$1" != "--" ]]; do
  values+=("$1")
  shift
done
shift
failed=0
expected=("${stem}_checkpoint.h5")
for ((age = 1; age < ${#values[@]}; ++age)); do expected+=("${stem}_checkpoint.${age}.h5"); done
found=$(cd "$dir" && ls -1 | grep -E "^${stem}_checkpoint(\.[0-9]+)?\.h5\$" | sort -V | tr '\n' ' ')
want=$(printf '%s\n' "${expected[@]}" | sort -V | tr '\n' ' ')
echo "kept checkpoints in $dir: $found"
if [[ "$found" != "$want" ]]; then
  echo "CHECK FAILED: expected exactly $want"
  failed=1
fi
for ((age = 0; age < ${#values[@]}; ++age)); do
  file="$dir/${expected[$age]}"
  [[ -e "$file" ]] || continue
  value=$("$@" "$file" "$attribute" 2>&1 | tail -1)
  echo "${expected[$age]}: $attribute $value"
  if [[ "$value" != "${values[$age]}" ]]; then
    echo "CHECK FAILED: ${expected[$age]} has $attribute $value, expected ${values[$age]}"
    failed=1
  fi
done
if ls "$dir" | grep -q '\.tmp$'; then
  echo "CHECK FAILED: temporary files left in $dir: $(ls "$dir" | grep '\.tmp$' | tr '\n' ' ')"
  failed=1
fi
exit "$failed"
