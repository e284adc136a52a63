#!/usr/bin/env bash
# mom-train under a real Slurm: starts a private single-node cluster (scripts/slurm/local-cluster.sh),
# trains the ngram router on generated labeled JSONL as one plain process and as 2 tasks of
# `srun --mpi=pmix` and of `sbatch scripts/slurm/train.sbatch`, and checks that
#   - both Slurm runs see 2 ranks and end with the parameters of the 1-process run (max abs
#     difference < 2e-5 after each of 2 epochs, same split), while another seed differs (> 1e-3);
#   - a bad --data_path fails the srun step and the sbatch job non-zero, with the trainer's message.
# Usage: tests/slurm_test.sh [path/to/mom-train]   (default: $MOM_BIN, else build/trainer/mom-train)
# Exit 0: pass; 1: fail; 77: skipped (Slurm/munge not installed, or not root). Keeps its files on
# failure when MOM_KEEP=1.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
CLUSTER=$ROOT/scripts/slurm/local-cluster.sh
SBATCH_SCRIPT=$ROOT/scripts/slurm/train.sbatch
MOM_BIN=$(realpath "${1:-${MOM_BIN:-$ROOT/build/trainer/mom-train}}")
export PATH=$PATH:/usr/sbin:/sbin  # slurmd, slurmctld, munged
STEP_TIMEOUT=${MOM_SLURM_STEP_TIMEOUT:-120}

say() { echo "slurm_test: $*"; }
fail() { say "FAIL: $*"; exit 1; }

for c in slurmctld slurmd srun sbatch sinfo munged python3; do
  command -v "$c" >/dev/null 2>&1 || { say "SKIP: $c not installed (scripts/install-deps.sh installs Slurm and munge)"; exit 77; }
done
# The private cluster runs its daemons as the caller; slurmd must be root to start job steps.
[ "$(id -u)" -eq 0 ] || { say "SKIP: needs root (slurmd)"; exit 77; }
[ -x "$MOM_BIN" ] || fail "no mom-train at $MOM_BIN"

# An enclosing Slurm job (ctest run inside an allocation) must not leak into the private cluster.
while IFS= read -r v; do unset "$v"; done < <(env | sed -n 's/^\(\(SLURM\|SBATCH\|SALLOC\|SRUN\|PMIX\|PMI\)_[A-Za-z0-9_]*\)=.*/\1/p')
# Open MPI as root on loopback, as scripts/test.sh sets it for the mpirun tests.
export OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo

WORK=$(mktemp -d /tmp/mom-slurm-test.XXXXXX)
chmod 755 "$WORK"  # munged wants the folders above its socket searchable by all
cleanup() {
  local rc=$?
  "$CLUSTER" stop "$WORK/cluster" >/dev/null 2>&1 || true
  if [ $rc -ne 0 ]; then
    for f in "$WORK"/cluster/log/*.log; do [ -s "$f" ] && { echo "----- tail of $f"; tail -n 15 "$f"; }; done
  fi
  if [ $rc -ne 0 ] && [ "${MOM_KEEP:-0}" = 1 ]; then say "files kept in $WORK"; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
start_time=$SECONDS

exports=$("$CLUSTER" start "$WORK/cluster") || fail "the private cluster did not start (local-cluster.sh says why above)"
eval "$exports"
[ -n "${SLURM_CONF:-}" ] || fail "local-cluster.sh printed no SLURM_CONF"
say "cluster up in $((SECONDS - start_time)) s: $(sinfo -h -o '%P %t %D %c' | head -n 1) (partition state nodes cpus)"

# Labeled JSONL (docs/labeled_format.md): three topics, each answered best by one model, so there
# is something to learn; deterministic.
python3 - "$WORK/labeled.jsonl" <<'EOF'
import json, random, sys
rng = random.Random(1)
models = [(1, "meta-llama/Llama-3.2-1B-Instruct"), (6, "google/gemma-2-2b-it"), (7, "google/gemma-2-9b-it")]
topics = [["sum", "number", "equation", "prime", "integer", "fraction", "angle", "algebra"],
          ["king", "war", "empire", "century", "treaty", "revolution", "dynasty", "battle"],
          ["atom", "energy", "physics", "electron", "force", "mass", "quantum", "gravity"]]
filler = ["which", "of", "the", "following", "is", "most", "likely", "true", "about", "a"]
k = written = 0
with open(sys.argv[1], "w") as out:
    while written < 300:
        k += 1
        t = rng.randrange(3)
        words = [rng.choice(topics[t] if w % 2 == 0 or rng.random() < 0.3 else filler) for w in range(10)]
        correct = [rng.random() < (0.9 if m == t else 0.3) for m in range(3)]
        label = t if correct[t] else next((m for m in range(3) if correct[m]), -1)
        if label < 0:
            continue  # nobody right: the labeler drops it
        out.write(json.dumps({
            "text": f"Question {k}: " + " ".join(words), "dataset": "mmlu" if k % 2 else "arc", "task": "t",
            "doc_id": k, "kind": "multiple_choice", "label": {"id": models[label][0], "name": models[label][1]},
            "unsolved": False,
            "models": [{"id": i, "name": n, "correct": c, "confidence": 0.5, "absent": False}
                       for (i, n), c in zip(models, correct)]}) + "\n")
        written += 1
EOF

# Largest absolute difference between the tensors of two model.safetensors (same names, dtypes
# and shapes required; float tensors compared as numbers, others byte for byte).
max_diff() {
  python3 - "$1" "$2" <<'EOF'
import array, json, struct, sys
def load(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    header.pop("__metadata__", None)
    return {k: (v["dtype"], v["shape"], blob[8 + n + v["data_offsets"][0]:8 + n + v["data_offsets"][1]])
            for k, v in header.items()}
a, b = load(sys.argv[1]), load(sys.argv[2])
if sorted(a) != sorted(b):
    sys.exit(f"tensor names differ: {sorted(a)} vs {sorted(b)}")
worst = 0.0
for name in a:
    (dt, shape, x), (dt2, shape2, y) = a[name], b[name]
    if (dt, shape) != (dt2, shape2):
        sys.exit(f"{name}: {dt}{shape} vs {dt2}{shape2}")
    codes = {"F32": "f", "F64": "d"}
    if dt in codes:
        xs, ys = array.array(codes[dt], x), array.array(codes[dt], y)
        worst = max([worst] + [abs(p - q) for p, q in zip(xs, ys)])
    elif x != y:
        worst = float("inf")
print(f"{worst:.3g}" if worst else "0")
EOF
}

# Submits scripts/slurm/train.sbatch as 2 tasks on the node with LOG as its output and mom-train
# arguments ARGS..., waits for the job and returns its exit code (124 when it does not end in time).
# Polls itself: `sbatch --wait` also works, but checks only every few seconds.
sbatch_wait() {
  local log=$1 id state code
  shift
  id=$(MOM_BIN="$MOM_BIN" sbatch --parsable -N 1 -n 2 --overcommit -o "$log" "$SBATCH_SCRIPT" "$@") || return 1
  id=${id%%;*}
  local deadline=$((SECONDS + STEP_TIMEOUT))
  while [ $SECONDS -lt $deadline ]; do
    state=$(scontrol -o show job "$id" 2>/dev/null) || state=""
    case "$(echo "$state" | grep -o 'JobState=[A-Z_]*')" in
      JobState=PENDING | JobState=CONFIGURING | JobState=RUNNING | JobState=COMPLETING | "") sleep 0.3 ;;
      *)
        code=$(echo "$state" | sed -n 's/.* ExitCode=\([0-9]*\):\([0-9]*\).*/\1 \2/p')
        say "sbatch job $id: $(echo "$state" | grep -o 'JobState=[A-Z_]*') ExitCode=${code// /:}"
        [ "$code" = "0 0" ] && return 0
        return 1
        ;;
    esac
  done
  scancel "$id" 2>/dev/null || true
  return 124
}

# Checks DIR's checkpoints against the 1-process run's.
same_as_one_rank() {
  local dir=$1 what=$2 epoch d
  for epoch in 1 2; do
    d=$(max_diff "$WORK/n1/checkpoint-epoch-$epoch/model.safetensors" "$dir/checkpoint-epoch-$epoch/model.safetensors") ||
      fail "$what: checkpoints not comparable: $d"
    python3 -c "import sys; sys.exit(0 if float('$d') < 2e-5 else 1)" ||
      fail "$what: epoch $epoch parameters differ from 1 process by $d (limit 2e-5)"
    say "$what epoch $epoch: max abs difference to 1 process $d"
  done
  cmp -s "$WORK/n1/split.json" "$dir/split.json" || fail "$what: split.json differs from 1 process"
}

DATA=$WORK/labeled.jsonl
MODEL=(--model_name ngram --ngram_buckets 4096 --ngram_dim 16 --data_path "$DATA" --batch_size 24
       --gradient_accumulation_steps 2 --test_size 0.2 --objective multilabel --bucket_mb 0.05)
COMMON=("${MODEL[@]}" --epochs 2)
cd "$WORK"

t=$SECONDS
timeout "$STEP_TIMEOUT" "$MOM_BIN" "${COMMON[@]}" --seed 5 --output_dir "$WORK/n1" >n1.log 2>&1 ||
  { cat n1.log; fail "1-process training failed"; }
say "1 process: $((SECONDS - t)) s"

# 2 tasks, direct launch by srun (Open MPI gets its rank and size from Slurm's PMIx server).
t=$SECONDS
timeout "$STEP_TIMEOUT" srun --mpi=pmix -N 1 -n 2 --overcommit --kill-on-bad-exit=1 \
  "$MOM_BIN" "${COMMON[@]}" --seed 5 --output_dir "$WORK/srun2" >srun2.log 2>&1 ||
  { cat srun2.log; fail "srun -n 2 training failed"; }
grep -q "rank 0 of 2" srun2.log || { cat srun2.log; fail "srun -n 2: mom-train did not see 2 ranks"; }
say "srun -n 2: $((SECONDS - t)) s"
same_as_one_rank "$WORK/srun2" "srun -n 2"

# The same through the batch script, as a user submits it.
t=$SECONDS
sbatch_wait "$WORK/sbatch2.log" "${COMMON[@]}" --seed 5 --output_dir "$WORK/sbatch2" ||
  { cat sbatch2.log; fail "sbatch train.sbatch -n 2 failed"; }
grep -q "rank 0 of 2" sbatch2.log || { cat sbatch2.log; fail "sbatch -n 2: mom-train did not see 2 ranks"; }
say "sbatch -n 2: $((SECONDS - t)) s"
same_as_one_rank "$WORK/sbatch2" "sbatch -n 2"

# Another seed must give other parameters, or the comparisons above prove nothing.
timeout "$STEP_TIMEOUT" "$MOM_BIN" "${MODEL[@]}" --epochs 1 --seed 6 --output_dir "$WORK/n1b" >n1b.log 2>&1 ||
  { cat n1b.log; fail "1-process training with seed 6 failed"; }
d=$(max_diff "$WORK/n1/checkpoint-epoch-1/model.safetensors" "$WORK/n1b/checkpoint-epoch-1/model.safetensors")
python3 -c "import sys; sys.exit(0 if float('$d') > 1e-3 else 1)" || fail "seeds 5 and 6 give the same parameters ($d)"
say "seed 6 vs seed 5: max abs difference $d"

# Failures reach the caller: the step and the job end non-zero, with the trainer's message.
rc=0
timeout "$STEP_TIMEOUT" srun --mpi=pmix -N 1 -n 2 --overcommit --kill-on-bad-exit=1 \
  "$MOM_BIN" --model_name ngram --data_path "$WORK/missing.jsonl" --output_dir "$WORK/bad" >bad.log 2>&1 || rc=$?
{ [ $rc -ne 0 ] && [ $rc -ne 124 ]; } || { cat bad.log; fail "srun with a missing --data_path: exit $rc, want a failure"; }
grep -q "missing.jsonl: no such file" bad.log || { cat bad.log; fail "srun failure without the trainer's message"; }
grep -q "srun: error:.*Exited with exit code" bad.log || { cat bad.log; fail "srun did not report the failed tasks"; }
say "srun with a missing --data_path: exit $rc, $(grep -m 1 -o 'rank [0-9] of 2: training failed: .*' bad.log)"

rc=0
sbatch_wait "$WORK/sbatch-bad.log" --model_name ngram --data_path "$WORK/missing.jsonl" --output_dir "$WORK/bad2" || rc=$?
{ [ $rc -ne 0 ] && [ $rc -ne 124 ]; } || { cat sbatch-bad.log; fail "sbatch with a missing --data_path: exit $rc, want a failure"; }
grep -q "missing.jsonl: no such file" sbatch-bad.log || { cat sbatch-bad.log; fail "sbatch failure without the trainer's message"; }
say "sbatch with a missing --data_path: exit $rc"

say "PASS in $((SECONDS - start_time)) s"
