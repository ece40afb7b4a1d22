#!/usr/bin/env bash
# Brings up (and tears down) a single-node Slurm cluster on this machine, so that a test or CI can
# submit real job arrays with sbatch. Runs as root on Debian/Ubuntu; no systemd needed (daemons are
# started by hand, their pids kept in the state directory).
#
#   scripts/slurm-local.sh start    install what is missing, configure, start, wait until the node is idle
#   scripts/slurm-local.sh stop     stop the daemons this script started, remove the state directory
#   scripts/slurm-local.sh status   one line: "up (N CPUs)" or "down"
#   scripts/slurm-local.sh check    smoke test: a job array, then a job depending on it (afterok)
#   scripts/slurm-local.sh env      prints "export SLURM_CONF=..." for a shell to eval
#
# Everything it writes lives in one state directory, $BULKHEAD_SLURM_DIR (default
# /var/lib/bulkhead-slurm: not /tmp, which may be mounted noexec while slurmd executes batch scripts
# from its spool directory; not the work tree, which tests and git would see). The configuration is
# $STATE/slurm.conf; clients find it through SLURM_CONF, and — only when the machine has no
# /etc/slurm/slurm.conf of its own — through a symlink /etc/slurm/slurm.conf -> $STATE/slurm.conf,
# so that a plain `sbatch` works too. `stop` removes that symlink again (only if it points here).
# What `stop` leaves: the packages, the munge key /etc/munge/munge.key, munged's log directory, and a
# munged that was already running before `start` (it is used, not started). Ports: 6817 (slurmctld)
# and 6818 (slurmd) on this machine; a job array's tasks see SLURM_ARRAY_JOB_ID, _TASK_ID, _TASK_COUNT,
# _TASK_MIN, _TASK_MAX and _TASK_STEP (Slurm 22.05; `check` prints them all).
set -euo pipefail

STATE=${BULKHEAD_SLURM_DIR:-/var/lib/bulkhead-slurm}
CONF=$STATE/slurm.conf
ETC_CONF=/etc/slurm/slurm.conf
NODE=$(hostname -s)
export SLURM_CONF=$CONF

say() { printf 'slurm-local: %s\n' "$*"; }
die() { printf 'slurm-local: error: %s\n' "$*" >&2; exit 1; }

# Is process $1 running? A zombie is not (daemons are reparented to PID 1, which may be slow to
# reap them, and a killed daemon lingers in /proc until then).
running() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# Is the process in pid file $1 running and named $2? (the name check guards against pid reuse)
alive() {
  local pidfile=$1 name=$2 pid
  [ -s "$pidfile" ] || return 1
  pid=$(cat "$pidfile")
  [ -n "$pid" ] && running "$pid" && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ]
}

# Stop the daemons in the given pid files ("pidfile:name" each) together — each takes a second or
# two to exit after SIGTERM, so one after another would add up — and wait (bounded) for them to
# exit; SIGKILL whatever is left after $1 seconds.
stop_daemons() {
  local secs=$1 arg pidfile name pids=() pid i left
  shift
  for arg in "$@"; do
    pidfile=${arg%%:*} name=${arg##*:}
    if alive "$pidfile" "$name"; then
      pid=$(cat "$pidfile")
      say "stopping $name (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
    rm -f "$pidfile"
  done
  for ((i = 0; i < secs * 10; i++)); do
    left=0
    for pid in "${pids[@]}"; do running "$pid" && left=1; done
    [ $left = 0 ] && return 0
    sleep 0.1
  done
  for pid in "${pids[@]}"; do
    if running "$pid"; then
      say "pid $pid did not exit within ${secs}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
}

# One line of the node's state, or nothing if the controller does not answer (bounded by timeout).
node_state() { timeout 15 sinfo -h -n "$NODE" -o %t 2>/dev/null | head -1 | tr -d '*~#!%$@^-' || true; }

is_up() {
  alive "$STATE/slurmctld.pid" slurmctld && alive "$STATE/slurmd.pid" slurmd
}

# --- install ------------------------------------------------------------------------------------
install_packages() {
  local missing=()
  for pkg in munge slurmctld slurmd slurm-client; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing slurm-wlm munge (missing: ${missing[*]})"
  # The packages' maintainer scripts would start munge/slurm through invoke-rc.d; a policy-rc.d that
  # answers 101 ("action forbidden") keeps them from starting daemons this script did not start.
  # Only written if the machine has none, and removed again right after.
  local policy=/usr/sbin/policy-rc.d ours=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 0755 "$policy" && ours=1
  fi
  local log=$STATE/apt.log rc=0
  {
    apt-get update &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends slurm-wlm munge
  } >"$log" 2>&1 || rc=$?
  [ "$ours" = 1 ] && rm -f "$policy"
  [ "$rc" = 0 ] || die "apt-get install slurm-wlm munge failed (exit $rc); log: $log"
}

# --- munge --------------------------------------------------------------------------------------
start_munge() {
  local key=/etc/munge/munge.key
  if [ ! -s "$key" ]; then
    say "creating munge key $key"
    mkdir -p /etc/munge
    if command -v mungekey >/dev/null 2>&1; then
      mungekey --create --keyfile="$key" >/dev/null 2>&1 || die "mungekey --create failed"
    else
      dd if=/dev/urandom of="$key" bs=1 count=1024 status=none
    fi
  fi
  chown munge:munge /etc/munge "$key" && chmod 0700 /etc/munge && chmod 0400 "$key"
  # A munged that already answers (the machine's own) is used as it is and left running by `stop`.
  if timeout 10 munge -n 2>/dev/null | timeout 10 unmunge >/dev/null 2>&1; then
    say "munged already running: using it"
    return 0
  fi
  # Without systemd nothing creates munged's run, log and state directories.
  install -d -o munge -g munge -m 0755 /run/munge
  install -d -o munge -g munge -m 0700 /var/log/munge /var/lib/munge
  local log=/var/log/munge/munged.log pid=/run/munge/munged.pid
  rm -f "$pid"
  # A stale socket from a munged killed earlier makes munged refuse to start; --force overrides it.
  runuser -u munge -- /usr/sbin/munged --force --pid-file="$pid" --log-file="$log" >>"$STATE/munged.out" 2>&1 ||
    die "munged failed to start; logs: $log, $STATE/munged.out"
  local i
  for ((i = 0; i < 50; i++)); do
    [ -s "$pid" ] && break
    sleep 0.1
  done
  [ -s "$pid" ] || die "munged wrote no pid file ($pid); log: $log"
  cp "$pid" "$STATE/munged.pid" # ours: `stop` stops it
  timeout 10 munge -n 2>/dev/null | timeout 10 unmunge >/dev/null 2>&1 ||
    die "munged runs but 'munge -n | unmunge' fails; log: $log"
  say "munged started (pid $(cat "$STATE/munged.pid"))"
}

# --- slurm.conf ---------------------------------------------------------------------------------
write_conf() {
  local cpus mem_mb
  cpus=$(nproc)
  # RealMemory a little below the total (slurmd drains a node that claims more than it has).
  mem_mb=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.95 }' /proc/meminfo)
  mkdir -p "$STATE/ctld" "$STATE/spool"
  cat >"$CONF" <<EOF
# Written by bulkhead's scripts/slurm-local.sh; removed by its 'stop'.
ClusterName=bulkhead
# The controller must be named as this host (slurmctld checks); the address avoids DNS.
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=6817
SlurmdPort=6818
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/slurmctld.log
SlurmdLogFile=$STATE/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups (containers rarely allow them), no accounting daemon.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
# CPUs are the consumable resource, so a task may ask --cpus-per-task.
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
# Schedule soon after submits and completions; a job whose dependency can never be satisfied
# (afterok on a job that failed) is cancelled instead of pending for ever.
SchedulerParameters=bf_interval=1
DependencyParameters=kill_invalid_depend
# No mail on this machine (slurmctld logs an error for a missing mail program).
MailProg=/bin/true
ReturnToService=2
# A job asking more than the node has is rejected at submit, not left pending for ever.
EnforcePartLimits=ALL
# Short timeouts: a test wants answers, not retries.
SlurmctldTimeout=30
SlurmdTimeout=30
MessageTimeout=5
InactiveLimit=0
KillWait=5
MinJobAge=300
Waittime=0
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
  # Plain sbatch/sinfo (without SLURM_CONF) read /etc/slurm/slurm.conf: point it here, but never
  # over a file the machine already has.
  if [ -L "$ETC_CONF" ] || [ ! -e "$ETC_CONF" ]; then
    mkdir -p /etc/slurm
    ln -sfn "$CONF" "$ETC_CONF"
  else
    say "note: $ETC_CONF exists and is not ours: clients need SLURM_CONF=$CONF"
  fi
}

# Fail at once if daemon $1 has died (its pid file is there, it is not), or has written no pid file
# after $2 >= 5 seconds; the error quotes the log's last fatal/error line.
check_daemon() {
  local name=$1 secs=$2 why
  alive "$STATE/$name.pid" "$name" && return 0
  [ -s "$STATE/$name.pid" ] || [ "$secs" -ge 5 ] || return 0
  why=$(grep -E 'fatal|error' "$STATE/$name.log" 2>/dev/null | tail -1 | sed 's/^\[[^]]*\] //' || true)
  die "$name exited${why:+ ($why)}; log: $STATE/$name.log"
}

# --- start / stop / status ----------------------------------------------------------------------
cmd_start() {
  [ "$(id -u)" = 0 ] || die "start must run as root"
  local t0=$SECONDS
  if is_up; then
    say "already up: $(cmd_status)"
    return 0
  fi
  # Leftovers of a start that failed halfway: stop them first, then start clean.
  if [ -d "$STATE" ]; then
    say "state directory $STATE exists but the cluster is not up: cleaning up first"
    cmd_stop >/dev/null
  fi
  mkdir -p "$STATE"
  install_packages
  start_munge
  write_conf

  say "starting slurmctld"
  slurmctld -f "$CONF" >>"$STATE/slurmctld.out" 2>&1 ||
    die "slurmctld failed to start; logs: $STATE/slurmctld.log, $STATE/slurmctld.out"
  say "starting slurmd"
  slurmd -f "$CONF" -N "$NODE" >>"$STATE/slurmd.out" 2>&1 ||
    die "slurmd failed to start; logs: $STATE/slurmd.log, $STATE/slurmd.out"

  # Wait (bounded) for the node to be idle; resume it once if it comes up down or drained.
  local i st="" resumed=0
  for ((i = 0; i < 300; i++)); do # 300 x 0.2 s
    check_daemon slurmctld $((i / 5))
    check_daemon slurmd $((i / 5))
    st=$(node_state)
    case "$st" in
      idle | mix | alloc) break ;;
      down | drain | drng | fail | failg)
        if [ $resumed = 0 ]; then
          say "node $NODE is $st: resuming it"
          timeout 15 scontrol update nodename="$NODE" state=resume >/dev/null 2>&1 || true
          resumed=1
        fi
        ;;
    esac
    sleep 0.2
  done
  case "$st" in
    idle | mix | alloc) ;;
    *) die "node $NODE not idle after 60s (state: ${st:-no answer}); logs: $STATE/slurmctld.log, $STATE/slurmd.log" ;;
  esac
  say "up: node $NODE $st, $(nproc) CPUs, partition debug; SLURM_CONF=$CONF (started in $((SECONDS - t0))s)"
}

cmd_stop() {
  local t0=$SECONDS
  # Jobs still running would outlive slurmd (their slurmstepd is a process of its own): cancel them.
  if alive "$STATE/slurmctld.pid" slurmctld; then
    local i jobs
    jobs=$(timeout 10 squeue -h -o %A 2>/dev/null | tr '\n' ' ' || true)
    # shellcheck disable=SC2086 # one word a job id
    [ -z "$jobs" ] || timeout 10 scancel --full $jobs >/dev/null 2>&1 || true
    for ((i = 0; i < 50; i++)); do
      [ -z "$(timeout 5 squeue -h -o %i 2>/dev/null)" ] && break
      sleep 0.2
    done
  fi
  # munged goes with them: neither daemon needs it to shut down. (A munged that was running before
  # `start` has no pid file here and is left alone.)
  stop_daemons 15 "$STATE/slurmd.pid:slurmd" "$STATE/slurmctld.pid:slurmctld" "$STATE/munged.pid:munged"
  # Step daemons of jobs that scancel did not get to (their working directory is our state dir),
  # with their job scripts (process group of their own).
  local p
  for p in $(pgrep -x slurmstepd 2>/dev/null || true); do
    case "$(readlink "/proc/$p/cwd" 2>/dev/null)" in
      "$STATE" | "$STATE"/*)
        local c
        for c in $(pgrep -P "$p" 2>/dev/null || true); do
          kill -KILL -- "-$(ps -o pgid= -p "$c" | tr -d ' ')" 2>/dev/null || kill -KILL "$c" 2>/dev/null || true
        done
        kill -KILL "$p" 2>/dev/null || true
        ;;
    esac
  done
  if [ -L "$ETC_CONF" ] && [ "$(readlink "$ETC_CONF")" = "$CONF" ]; then
    rm -f "$ETC_CONF"
    rmdir /etc/slurm 2>/dev/null || true
  fi
  rm -rf "$STATE"
  say "stopped in $((SECONDS - t0))s"
}

cmd_status() {
  local cpus
  if is_up && cpus=$(timeout 15 sinfo -h -n "$NODE" -o %c 2>/dev/null) && [ -n "$cpus" ]; then
    echo "up ($cpus CPUs)"
  else
    echo "down"
  fi
}

# --- smoke check: a job array, then a job that depends on it -------------------------------------
cmd_check() {
  is_up || die "cluster is down: run '$0 start' first"
  local dir out arr dep i
  dir=$(mktemp -d /tmp/bulkhead-slurm-check.XXXXXX)
  # shellcheck disable=SC2016 # expanded by the job, not here
  out=$(sbatch --parsable --array=0-3 --output="$dir/arr_%A_%a.out" \
    --wrap 'echo $SLURM_ARRAY_TASK_ID $SLURM_ARRAY_TASK_COUNT $SLURM_ARRAY_TASK_MIN $SLURM_ARRAY_TASK_STEP; env | grep ^SLURM_ | sort >'"$dir"'/env_${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}') ||
    die "sbatch of the array failed"
  arr=${out%%;*}
  dep=$(sbatch --parsable --dependency="afterok:$arr" --output="$dir/dep_%j.out" \
    --wrap "echo after $arr >$dir/after.txt") || die "sbatch of the dependent job failed"
  dep=${dep%%;*}
  say "submitted array $arr and dependent job $dep; outputs in $dir"
  for ((i = 0; i < 120; i++)); do
    [ -z "$(timeout 10 squeue -h -j "$arr,$dep" -o %i 2>/dev/null)" ] && break
    sleep 0.5
  done
  [ $i -lt 120 ] || die "jobs $arr/$dep not finished after 60s (outputs in $dir); squeue: $(timeout 10 squeue -h 2>&1 | head -3 | tr '\n' ';')"
  local t f ok=1
  for t in 0 1 2 3; do
    f=$dir/arr_${arr}_$t.out
    if [ -s "$f" ]; then say "task $t: $(cat "$f")"; else say "task $t: no output ($f)"; ok=0; fi
  done
  if [ "$(cat "$dir/after.txt" 2>/dev/null)" = "after $arr" ]; then say "dependent job $dep ran after the array"; else ok=0; say "dependent job $dep wrote nothing"; fi
  say "SLURM_* variables of task 1 (from $dir/env_${arr}_1):"
  sed 's/^/  /' "$dir/env_${arr}_1" 2>/dev/null || true
  [ $ok = 1 ] || die "smoke check failed; outputs in $dir"
  rm -rf "$dir"
  say "check passed"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  check) cmd_check ;;
  env) echo "export SLURM_CONF=$CONF" ;;
  *)
    echo "usage: $0 start|stop|status|check|env" >&2
    exit 2
    ;;
esac
