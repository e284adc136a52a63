#!/usr/bin/env bash
# Installs every Debian package MOM needs to build, test, benchmark and run its demo. Idempotent.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  libtorch-dev python3-torch libopenblas0-openmp
  libopenmpi-dev openmpi-bin
  slurmd slurmctld slurm-client munge libpmix-dev  # slurm_test: srun/sbatch on a private cluster; mpi/pmix dlopens libpmix.so
  libzmq3-dev cppzmq-dev
  libhiredis-dev redis-server
  libprotobuf-dev protobuf-compiler
  libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev
  libsimdjson-dev nlohmann-json3-dev libcli11-dev
  libpcre2-dev libicu-dev zlib1g-dev libdeflate-dev
  libcpp-httplib-dev libssl-dev
  python3 gzip
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
