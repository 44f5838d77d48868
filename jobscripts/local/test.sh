#!/usr/bin/env bash
# test.sh [ctest arguments, e.g. -L unit]: installs what is missing, builds, runs the CTest suite
# and exits with ctest's status.
#   TEST_JOBS  parallel tests (default 2); the build folder follows setup.sh (PRESET, BUILD_DIR)
set -euo pipefail
# shellcheck source=SCRIPTDIR/../common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
bash "$TESSERA_ROOT/jobscripts/local/setup.sh"
build_dir="$(tessera_build_dir)"
tessera_say "testing: ctest --test-dir ${build_dir#"$TESSERA_ROOT"/} --output-on-failure -j${TEST_JOBS:-2} $*"
exec ctest --test-dir "$build_dir" --output-on-failure -j"${TEST_JOBS:-2}" "$@"
