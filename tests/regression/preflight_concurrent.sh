#!/bin/bash
# preflight_concurrent.sh DIR COMMAND...   (COMMAND: the launcher, the application and its deck)
# Two runs of the same deck into the same DIR at the same time (issue 13, finding 6): the first
# starts; once its lock file exists the second starts, with -output_overwrite true, and must be
# refused (exit status 2, naming the first run's PID) while the first still runs; the first must
# then finish (exit status 0) with its result and no lock or temporary file left.
set -u
dir=$1
shift
rm -rf "$dir"
"$@" -output_directory "$dir" > "$dir.first.log" 2>&1 &
first=$!
for _ in $(seq 600); do
  [[ -e $dir/poisson2d.lock ]] && break
  sleep 0.1
done
[[ -e $dir/poisson2d.lock ]] || { echo "tessera check failed: the first run took no lock"; exit 1; }
holder=$(sed -n 's/^pid //p' "$dir/poisson2d.lock")
"$@" -output_directory "$dir" -output_overwrite true > "$dir.second.log" 2>&1
second=$?
cat "$dir.second.log"
kill -0 $first 2> /dev/null && still_running=yes || still_running=no
wait $first
first_status=$?
cat "$dir.first.log"
failures=""
[[ $still_running == yes ]] || failures+=" the first run ended before the second was refused (inconclusive);"
[[ $second == 2 ]] || failures+=" the second run exited with $second, not 2;"
grep -q "in use by another run (host [^,]*, PID $holder, started" "$dir.second.log" ||
  failures+=" the refusal does not name the first run (PID $holder);"
[[ $first_status == 0 ]] || failures+=" the first run exited with $first_status;"
[[ -f $dir/poisson2d.h5 ]] || failures+=" the first run's result is missing;"
[[ ! -e $dir/poisson2d.lock ]] || failures+=" the lock was left behind;"
ls "$dir"/*.tmp > /dev/null 2>&1 && failures+=" a temporary file was left behind;"
if [[ -n $failures ]]; then
  echo "tessera check failed:$failures"
  exit 1
fi
echo "second run refused while the first ran; the first finished with its result"
