#!/usr/bin/env bash
# Builds with the NCCL communicator and runs the communicator checks through NCCL on this machine's
# GPUs (one rank per GPU; one GPU still exercises the staging buffers and ncclAllReduce).
# Usage: scripts/test-nccl.sh        env: BUILD_DIR (default build-nccl), JOBS (default nproc)
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build-nccl}
JOBS=${JOBS:-$(nproc)}
export OMPI_MCA_btl_tcp_if_include=${OMPI_MCA_btl_tcp_if_include:-lo}
export OMPI_MCA_oob_tcp_if_include=${OMPI_MCA_oob_tcp_if_include:-lo}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

GPUS=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU' || true)
if [ "${GPUS:-0}" -lt 1 ]; then
  echo "test-nccl: no GPU visible (nvidia-smi -L lists none); nothing to test" >&2
  exit 1
fi

cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMOM_WITH_NCCL=ON
cmake --build "$BUILD_DIR" -j "$JOBS" --target comm_worker

NP=$GPUS
[ "$NP" -gt 8 ] && NP=8
echo "== NCCL communicator on $NP rank(s), one GPU each"
mpirun --allow-run-as-root --oversubscribe -np "$NP" "$BUILD_DIR/tests/integration/trainer/comm_worker" nccl 60 | tee /tmp/test-nccl.log
for ((r = 0; r < NP; r++)); do
  grep -q "rank $r of $NP ok (nccl)" /tmp/test-nccl.log || { echo "test-nccl: rank $r did not pass" >&2; exit 1; }
done
echo "test-nccl: OK"
