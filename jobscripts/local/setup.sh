#!/usr/bin/env bash
# Installs the Debian packages Tessera needs (only those missing), then configures and builds.
# Safe to run again: with everything installed it touches neither apt nor a finished build.
#   PRESET     CMake preset: release (default), ci (default when CI=true; warnings are errors), debug
#   BUILD_DIR  build folder (default: the preset's, build or build-debug)
#   TARGET     what to build, CMake targets split on spaces (default all: library, app and every
#              test); quickstart.sh builds tessera_app, the application, alone
#   JOBS       parallel build jobs (default: nproc)
#   CMAKE_ARGS extra configure arguments, split on spaces (e.g. -DKokkos_ROOT=/opt/kokkos)
#   SKIP_APT=1 do not check or install Debian packages (clusters, non-Debian systems)
#   DRY_RUN=1  print the apt, configure and build commands instead of running them
#   TEST_TOOLS=1 also install what the optional tests use (test.sh sets it): python3-matplotlib and
#              python3-h5py (tessera-plot), paraview and python3-paraview (pvpython opens the XDMF)
set -euo pipefail
# shellcheck source=SCRIPTDIR/../common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
cd "$TESSERA_ROOT"

PACKAGES=(libopenmpi-dev openmpi-bin petsc-dev libhdf5-openmpi-dev libtrilinos-kokkos-dev
          libtrilinos-kokkos-kernels-dev libopenblas-dev libfftw3-dev libyaml-dev pkg-config cmake g++ make libgtest-dev
          googletest python3)
if [[ "${TEST_TOOLS:-0}" == "1" ]]; then
  PACKAGES+=(python3-matplotlib python3-h5py paraview python3-paraview)
fi

install_missing_packages() {
  if [[ "${SKIP_APT:-0}" == "1" ]]; then
    tessera_say "SKIP_APT=1: not checking Debian packages"
    return
  fi
  if ! command -v dpkg-query >/dev/null 2>&1; then
    tessera_say "no dpkg-query (not Debian): install MPI, PETSc, parallel HDF5, Kokkos, GoogleTest yourself"
    return
  fi
  local missing=() pkg
  for pkg in "${PACKAGES[@]}"; do
    if [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" != "install ok installed" ]]; then
      missing+=("$pkg")
    fi
  done
  if ((${#missing[@]} == 0)); then
    tessera_say "Debian packages: all ${#PACKAGES[@]} installed"
    return
  fi
  local sudo=()
  if [[ "$(id -u)" != "0" ]]; then
    if command -v sudo >/dev/null 2>&1; then
      tessera_say "not root: using sudo to install packages"
      sudo=(sudo)
    elif [[ "${DRY_RUN:-0}" != "1" ]]; then
      tessera_die "missing packages ${missing[*]}; not root and no sudo. Ask an administrator to run: apt-get install ${missing[*]}  (or rerun with SKIP_APT=1 if they are installed elsewhere)"
    fi
  fi
  local update=(${sudo[@]+"${sudo[@]}"} apt-get update -q)
  local install=(${sudo[@]+"${sudo[@]}"} env DEBIAN_FRONTEND=noninteractive
                 apt-get install -y -q --no-install-recommends "${missing[@]}")
  if [[ "${DRY_RUN:-0}" == "1" ]]; then
    tessera_print_cmd "${update[@]}"
    tessera_print_cmd "${install[@]}"
    return
  fi
  tessera_say "installing ${#missing[@]} missing packages: ${missing[*]}"
  "${update[@]}"
  "${install[@]}"
}

configure() {
  local preset build_dir
  preset="$(tessera_preset)"
  build_dir="$(tessera_build_dir)"
  local log="$build_dir/configure.log" extra=() args
  read -r -a extra <<<"${CMAKE_ARGS:-}"
  # Presets (CMakePresets.json, schema 3) need CMake 3.21; older CMake gets the same cache entries.
  if cmake --list-presets >/dev/null 2>&1 && [[ -z "${BUILD_DIR:-}" ]]; then
    args=(-S "$TESSERA_ROOT" --preset "$preset")
  else
    args=(-S "$TESSERA_ROOT" -B "$build_dir" -DTESSERA_ENABLE_TESTS=ON)
    case "$preset" in
      release) args+=(-DCMAKE_BUILD_TYPE=Release -DTESSERA_WARNINGS_AS_ERRORS=OFF) ;;
      ci) args+=(-DCMAKE_BUILD_TYPE=Release -DTESSERA_WARNINGS_AS_ERRORS=ON) ;;
      debug) args+=(-DCMAKE_BUILD_TYPE=Debug -DTESSERA_WARNINGS_AS_ERRORS=OFF) ;;
      *) tessera_die "unknown PRESET '$preset' (release, ci or debug)" ;;
    esac
  fi
  args+=(${extra[@]+"${extra[@]}"})
  if [[ "${DRY_RUN:-0}" == "1" ]]; then
    tessera_print_cmd cmake "${args[@]}"
    return
  fi
  tessera_say "configuring: cmake ${args[*]}"
  mkdir -p "$build_dir"
  cmake "${args[@]}" >"$log" 2>&1 || { cat "$log" >&2; tessera_die "configure failed (log: $log)"; }
}

build() {
  local build_dir jobs targets=()
  build_dir="$(tessera_build_dir)"
  jobs="${JOBS:-$(nproc)}"
  read -r -a targets <<<"${TARGET:-all}"
  ((${#targets[@]} > 0)) || targets=(all)
  local cmd=(cmake --build "$build_dir" -j"$jobs" --target "${targets[@]}")
  if [[ "${DRY_RUN:-0}" == "1" ]]; then
    tessera_print_cmd "${cmd[@]}"
    return
  fi
  tessera_say "building: cmake --build ${build_dir#"$TESSERA_ROOT"/} -j$jobs --target ${targets[*]}"
  "${cmd[@]}"
  tessera_say "built: ${targets[*]} in ${build_dir#"$TESSERA_ROOT"/} (the application: apps/tessera)"
}

install_missing_packages
configure
build
