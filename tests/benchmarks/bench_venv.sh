# shellcheck shell=bash
# Sourced by the benchmark scripts that compare against PyTorch and neuraloperator
# (compare_torch_fno.sh, compare_neuraloperator.sh): the one way they make their Python.
#   VENV    virtual environment with torch, neuraloperator and h5py, made (or completed) here when
#           they do not all import (default ${XDG_CACHE_HOME:-$HOME/.cache}/tessera-bench-venv;
#           pip from the default index, i.e. PyPI: for Linux x86-64 its torch wheel is the
#           CUDA-bundled one, ~5.8 GB installed; it runs on the CPU all the same)
#   PYTHON  interpreter to make the environment with (default python3)
# tessera_bench_python sets `python` to the environment's interpreter; it exits 2 if the packages
# cannot be installed. Needs jobscripts/common.sh sourced first. Nothing in the build or the tests
# needs this environment.

tessera_bench_python() {
  local venv="${VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/tessera-bench-venv}" start
  if ! "$venv/bin/python" -c 'import torch, neuralop, h5py' >/dev/null 2>&1; then
    tessera_say "making $venv (pip install torch neuraloperator h5py from PyPI; several GB)"
    if [[ ! -x "$venv/bin/python" ]]; then
      "${PYTHON:-python3}" -m venv "$venv" || { printf '[tessera] error: python3 -m venv failed\n' >&2; exit 2; }
    fi
    start=$SECONDS
    "$venv/bin/pip" install --quiet torch neuraloperator h5py ||
      { printf '[tessera] error: pip install torch neuraloperator h5py failed\n' >&2; exit 2; }
    tessera_say "installed in $((SECONDS - start)) s, $(du -sh "$venv" | cut -f1) on disk"
  fi
  # shellcheck disable=SC2034  # read by the script that sources this file
  python="$venv/bin/python"
}
