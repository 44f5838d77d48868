#!/usr/bin/env bash
# quickstart.sh [-option value ...]: installs what is missing, builds the application alone (the
# test tree is most of a full build: test.sh builds it), and trains the default 2D Poisson deck
# (input/poisson2d.yaml) on 2 ranks. Arguments are passed on as overrides. DRY_RUN=1 prints the
# commands instead of running them.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TARGET=tessera_app bash "$here/setup.sh"
printf '[tessera] running input/poisson2d.yaml on 2 ranks (results in out/poisson2d/)\n'
# The quick start is meant to be run again: it replaces its own earlier result. Decks run through
# run.sh keep the protection (output_overwrite: false) unless they say otherwise.
NP=2 exec bash "$here/run.sh" input/poisson2d.yaml -output_overwrite true "$@"
