#!/usr/bin/env bash
# test.sh [ctest arguments, e.g. -L unit]: installs what is missing, builds everything (the tests
# too, whatever TARGET says), runs the CTest suite and exits with ctest's status.
#   TEST_JOBS  parallel tests (default 2); the build folder follows setup.sh (PRESET, BUILD_DIR)
#   DRY_RUN=1  print the commands instead of running them
#   TEST_TOOLS=0 do not install the tools of the optional plot and ParaView tests (default 1)
set -euo pipefail
# shellcheck source=SCRIPTDIR/../common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
TARGET=all TEST_TOOLS="${TEST_TOOLS:-1}" bash "$TESSERA_ROOT/jobscripts/local/setup.sh"
build_dir="$(tessera_build_dir)"
cmd=(ctest --test-dir "$build_dir" --output-on-failure -j"${TEST_JOBS:-2}" "$@")
if [[ "${DRY_RUN:-0}" == "1" ]]; then
  tessera_print_cmd "${cmd[@]}"
  exit 0
fi
tessera_say "testing: ctest --test-dir ${build_dir#"$TESSERA_ROOT"/} --output-on-failure -j${TEST_JOBS:-2} $*"
exec "${cmd[@]}"
