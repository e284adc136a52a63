#!/usr/bin/env bash
# A private single-node Slurm cluster (munged + slurmctld + slurmd) for tests and local trials of
# `srun`/`sbatch`: every file (slurm.conf, munge key and socket, state, spool, logs, pid files)
# lives under DIR, the daemons listen on free ports of 127.0.0.1, and nothing in /etc is used, so
# it can run next to a system Slurm and several can run at once.
#
# Usage: scripts/slurm/local-cluster.sh start|stop|status DIR
#   start   starts the daemons (a running cluster in DIR is left alone), waits until `sinfo` shows
#           the node idle, and prints `export SLURM_CONF=DIR/slurm.conf` on stdout:
#             eval "$(scripts/slurm/local-cluster.sh start /tmp/mom-slurm)"
#             srun -n 2 mom-train ...        # MpiDefault=pmix
#   stop    cancels its jobs and stops the daemons; does nothing when nothing runs
#   status  prints the daemons' state and `sinfo`; exits 0 only when all three run
# env: MOM_SLURM_TIMEOUT seconds to wait for each daemon (default 30)
#
# Needs Debian's slurmd, slurmctld, slurm-client and munge (scripts/install-deps.sh), and python3
# to pick free ports. Made for root in a container (SlurmUser/SlurmdUser = the caller,
# proctrack/linuxproc, task/none: no cgroups, no systemd). The node is what `slurmd -C` reports.
set -euo pipefail

usage() { echo "usage: $0 start|stop|status DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
action=$1
case "$action" in start | stop | status) ;; *) usage ;; esac

log() { echo "local-cluster: $*" >&2; }
die() { log "error: $*"; exit 1; }

TIMEOUT=${MOM_SLURM_TIMEOUT:-30}
export PATH=$PATH:/usr/sbin:/sbin  # slurmd, slurmctld, munged, mungekey
if [ "$action" = start ]; then mkdir -p "$2"; fi
if [ ! -d "$2" ]; then
  [ "$action" = stop ] && { log "$2 does not exist: nothing to stop"; exit 0; }
  die "$2 does not exist"
fi
DIR=$(cd "$2" && pwd -P)
CONF=$DIR/slurm.conf
SOCKET=$DIR/munge/munge.socket
DAEMONS=(munged slurmctld slurmd)

# Never let an enclosing job's or another cluster's settings leak into ours.
while IFS= read -r v; do unset "$v"; done < <(env | sed -n 's/^\(\(SLURM\|SBATCH\|SALLOC\|SRUN\)_[A-Za-z0-9_]*\)=.*/\1/p')
export SLURM_CONF=$CONF

pid_file() { echo "$DIR/run/$1.pid"; }
log_file() { echo "$DIR/log/$1.log"; }

# The pid of DAEMON when it runs from this DIR (its command line names a file under DIR), else "".
daemon_pid() {
  local file pid
  file=$(pid_file "$1")
  [ -s "$file" ] || return 0
  pid=$(tr -dc 0-9 <"$file")
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 0
  case "$(cat "/proc/$pid/comm" 2>/dev/null)" in "$1"*) ;; *) return 0 ;; esac
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$DIR/" && echo "$pid"
  return 0
}

# What went wrong with DAEMON: names it and its log file, shows the log's end, exits 1.
fail_daemon() {
  local name=$1 why=$2 file
  file=$(log_file "$name")
  log "error: $name $why; its log is $file"
  for f in "$file" "$DIR/log/$name.stderr"; do
    [ -s "$f" ] && { echo "----- tail of $f" >&2; tail -n 25 "$f" >&2; }
  done
  if [ "$action" = start ]; then
    do_stop >/dev/null 2>&1  # no half-started cluster left behind
    log "stopped what had started; the logs stay in $DIR/log"
  fi
  exit 1
}

# Waits until COMMAND succeeds; fails DAEMON if it dies or TIMEOUT passes.
wait_for() {
  local name=$1 what=$2
  shift 2
  local start=$SECONDS
  while ! "$@" >/dev/null 2>&1; do
    check_alive "$name" "$start"
    [ $((SECONDS - start)) -lt "$TIMEOUT" ] || fail_daemon "$name" "$what within ${TIMEOUT}s"
    sleep 0.2
  done
}

# Fails DAEMON when it has no live process 3 s after START (it writes its pid file once daemonized).
check_alive() {
  [ -n "$(daemon_pid "$1")" ] || [ $((SECONDS - $2)) -lt 3 ] || fail_daemon "$1" "is not running (it died or never started)"
}

node_of() { local x=${1#NodeName=}; echo "${x%% *}"; }
node_name() { node_of "$(grep -m 1 '^NodeName=' "$CONF")"; }
node_state() { timeout 10 sinfo -h -N -n "$(node_name)" -o %T 2>/dev/null | head -n 1; }
node_idle() { case "$(node_state)" in idle | mixed | allocated) return 0 ;; *) return 1 ;; esac; }
munge_ok() { munge -n -S "$SOCKET" | unmunge -S "$SOCKET"; }
# PID runs (a zombie does not: in a container whose pid 1 does not reap, exited daemons stay so).
running() { local s; s=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null); [ -n "$s" ] && [ "$s" != Z ]; }

# The slurmstepd processes of this cluster (they inherit slurmd's SLURM_CONF).
stepd_pids() {
  local p
  for p in /proc/[0-9]*; do
    case "$(cat "$p/comm" 2>/dev/null)" in slurmstepd*) ;; *) continue ;; esac
    running "${p#/proc/}" && tr '\0' '\n' <"$p/environ" 2>/dev/null | grep -qxF "SLURM_CONF=$CONF" && echo "${p#/proc/}"
  done
  return 0
}

do_stop() {
  if [ -n "$(daemon_pid slurmctld)" ]; then
    # Running jobs first, so that no slurmstepd outlives slurmd.
    timeout 10 scancel --quiet --user "$(id -un)" 2>/dev/null || true
    local deadline=$((SECONDS + 10))
    while [ -n "$(timeout 5 squeue -h -o %i 2>/dev/null)" ] && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  fi
  # A job is over before its step daemons are: after a failed step, slurmstepd winds PMIx down for
  # a few seconds more. Let them finish while slurmd is there.
  local deadline=$((SECONDS + 15))
  while [ -n "$(stepd_pids)" ] && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  # SIGTERM to all three at once (each takes 1-2 s to exit), SIGKILL to any still there after 10 s.
  local name pid pids=() names=()
  for name in slurmd slurmctld munged; do
    pid=$(daemon_pid "$name")
    if [ -n "$pid" ]; then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
      names+=("$name")
    fi
  done
  local i waited=0
  for i in "${!pids[@]}"; do
    while running "${pids[$i]}" && [ $waited -lt 50 ]; do
      sleep 0.2
      waited=$((waited + 1))
    done
    if running "${pids[$i]}"; then
      log "${names[$i]} (pid ${pids[$i]}) ignored SIGTERM for 10 s: SIGKILL"
      kill -KILL "${pids[$i]}" 2>/dev/null || true
    fi
    log "stopped ${names[$i]} (pid ${pids[$i]})"
  done
  for pid in $(stepd_pids); do
    log "slurmstepd (pid $pid) still there: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  done
  for name in "${DAEMONS[@]}"; do rm -f "$(pid_file "$name")"; done
  rm -f "$SOCKET" "$SOCKET.lock"
}

do_status() {
  local all=0 name pid
  for name in "${DAEMONS[@]}"; do
    pid=$(daemon_pid "$name")
    if [ -n "$pid" ]; then echo "$name: running (pid $pid)"; else echo "$name: not running"; all=1; fi
  done
  if [ $all -eq 0 ]; then
    echo "SLURM_CONF=$CONF"
    timeout 10 sinfo || all=1
  fi
  return $all
}

free_ports() {
  python3 -c '
import socket
s = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])'
}

write_conf() {
  local ctld_port=$1 slurmd_port=$2 node user
  # The node as slurmd sees it (name, sockets, cores, threads), without RealMemory: a configured
  # memory above what slurmd measures would drain the node.
  node=$(slurmd -C 2>/dev/null | grep '^NodeName=' | sed 's/ RealMemory=[0-9]*//') || true
  [ -n "$node" ] || die "'slurmd -C' printed no NodeName line"
  user=$(id -un)
  cat >"$CONF" <<EOF
# Written by scripts/slurm/local-cluster.sh: a private single-node cluster; everything under $DIR.
ClusterName=momlocal
SlurmctldHost=$(node_of "$node")(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCKET
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
TmpFS=$DIR/tmp
SlurmctldPidFile=$(pid_file slurmctld)
SlurmdPidFile=$(pid_file slurmd)
SlurmctldLogFile=$(log_file slurmctld)
SlurmdLogFile=$(log_file slurmd)
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SwitchType=switch/none
MpiDefault=pmix
MailProg=/bin/true
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
MinJobAge=30
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=local Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
}

do_start() {
  local name missing=()
  for name in munged munge unmunge mungekey slurmctld slurmd sinfo scontrol squeue scancel python3; do
    command -v "$name" >/dev/null 2>&1 || missing+=("$name")
  done
  [ ${#missing[@]} -eq 0 ] || die "missing ${missing[*]} (Debian: apt-get install slurmd slurmctld slurm-client munge)"
  # Unix socket paths are limited to 108 bytes (munge's, and PMIx's under TmpFS).
  [ ${#SOCKET} -le 90 ] || die "DIR is too long for a unix socket path ($SOCKET); use a shorter one"

  if do_status >/dev/null 2>&1; then
    log "already running in $DIR"
    printf 'export SLURM_CONF=%q\n' "$CONF"
    return 0
  fi
  do_stop 2>/dev/null  # what is left of an earlier start in this DIR

  mkdir -p "$DIR/munge" "$DIR/state" "$DIR/spool" "$DIR/tmp" "$DIR/log" "$DIR/run"
  # munged: key readable by its owner only; the socket's folder must be searchable by all.
  chmod 755 "$DIR" "$DIR/munge"
  if [ ! -s "$DIR/munge/munge.key" ]; then
    mungekey --create --keyfile="$DIR/munge/munge.key" 2>"$DIR/log/mungekey.stderr" ||
      die "mungekey failed: $(cat "$DIR/log/mungekey.stderr")"
  fi
  chmod 600 "$DIR/munge/munge.key"
  read -r ctld_port slurmd_port < <(free_ports)
  write_conf "$ctld_port" "$slurmd_port"

  log "munged (socket $SOCKET)"
  munged --force --key-file="$DIR/munge/munge.key" --socket="$SOCKET" --pid-file="$(pid_file munged)" \
    --log-file="$(log_file munged)" --seed-file="$DIR/munge/munged.seed" 2>"$DIR/log/munged.stderr" ||
    fail_daemon munged "failed to start (exit $?)"
  wait_for munged "did not answer on its socket" munge_ok

  log "slurmctld (port $ctld_port)"
  # -c: start from empty state (no jobs or node states of an earlier run in this DIR).
  slurmctld -c -f "$CONF" 2>"$DIR/log/slurmctld.stderr" || fail_daemon slurmctld "failed to start (exit $?)"
  wait_for slurmctld "did not answer 'scontrol ping'" sh -c 'timeout 5 scontrol ping | grep -q UP'

  log "slurmd (port $slurmd_port, node $(node_name))"
  slurmd -f "$CONF" 2>"$DIR/log/slurmd.stderr" || fail_daemon slurmd "failed to start (exit $?)"
  local start=$SECONDS
  until node_idle; do
    check_alive slurmd "$start"
    if [ $((SECONDS - start)) -ge "$TIMEOUT" ]; then
      log "node state: '$(node_state)'; reason: $(timeout 5 sinfo -h -R -o %E 2>/dev/null)"
      fail_daemon slurmd "did not bring node $(node_name) to idle within ${TIMEOUT}s"
    fi
    sleep 0.2
  done
  log "node $(node_name) idle; logs in $DIR/log"
  printf 'export SLURM_CONF=%q\n' "$CONF"
}

case "$action" in
  start) do_start ;;
  stop) do_stop ;;
  status) do_status ;;
esac
