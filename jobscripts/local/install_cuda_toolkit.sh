#!/usr/bin/env bash
# Installs Debian's CUDA 11.8 toolkit (nvidia-cuda-toolkit, from bookworm's non-free component) and
# g++-11, the newest GCC that CUDA 11.8 accepts as host compiler: what BACKEND=cuda
# jobscripts/local/build_kokkos.sh builds Kokkos 3.4.1 with (it does not compile with CUDA 12 or 13).
# No GPU is needed to compile and link. About 1.6 GB to download. Safe to run again.
#   DRY_RUN=1  print the commands instead of running them
set -euo pipefail
# shellcheck source=SCRIPTDIR/../common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

packages=(nvidia-cuda-toolkit g++-11)
if /usr/bin/nvcc --version 2>/dev/null | grep -q 'release 11\.8' && command -v g++-11 >/dev/null; then
  tessera_say "CUDA 11.8 ($(command -v /usr/bin/nvcc)) and g++-11 are installed; nothing to do"
  exit 0
fi
sources=/etc/apt/sources.list.d/tessera-non-free.sources
if [[ "${DRY_RUN:-0}" == "1" ]]; then
  tessera_print_cmd tee "$sources"
  tessera_print_cmd apt-get update
  tessera_print_cmd apt-get install -y --no-install-recommends "${packages[@]}"
  exit 0
fi
[[ "$(id -u)" == "0" ]] || tessera_die "installing Debian packages needs root"
# libcuda1 (the driver's library, which the toolkit's packages depend on) and the toolkit live in
# contrib and non-free; the Debian images here list main only.
if ! apt-cache policy nvidia-cuda-toolkit 2>/dev/null | grep -q 'Candidate: 11\.8'; then
  tessera_say "adding bookworm contrib and non-free ($sources)"
  printf '%s\n' 'Types: deb' 'URIs: http://deb.debian.org/debian' 'Suites: bookworm bookworm-updates' \
    'Components: contrib non-free' 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' \
    >"$sources"
  apt-get update -q
fi
start=$(date +%s)
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${packages[@]}"
tessera_say "CUDA 11.8 toolkit and g++-11 installed in $(($(date +%s) - start)) s"
