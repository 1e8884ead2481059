#!/usr/bin/env bash
# Runs README.md's Slurm job-array script on a real single-node Slurm cluster.
#
#  1. Installs munge, slurmctld, slurmd and slurm-client with apt-get if they are missing.
#  2. Writes a one-node slurm.conf (this host, its CPUs, one partition, no cgroups, every
#     state directory, log and socket under a temporary directory, free TCP ports), creates
#     a munge key, and starts munged, slurmctld and slurmd as plain daemons (no systemd);
#     waits until sinfo shows the node idle. Everything is stopped on exit.
#  3. Builds expctl and takes the sbatch script from README.md: the ```bash block of the
#     "Clusters" section. The one textual substitution is the output directory
#     (/shared/runs -> a temporary directory); the spec file (adding.yaml) is written into
#     the submission directory, and expctl is found through PATH, which sbatch passes on.
#     A few #SBATCH options are overridden on sbatch's command line (which takes precedence
#     over #SBATCH lines): --array (the number of shards), --cpus-per-task=1 and --mem, so
#     the shards fit on a small machine.
#  4. Shards: submits .ci/slurm/shards.yaml as a 3-task array, waits for it, and checks
#     that the shards' trial directories together equal an unsharded local run of the
#     same spec, file for file (wall-clock fields removed; attempts.jsonl not compared).
#  5. Preemption: submits .ci/slurm/preempt.yaml as a 2-task array, requeues task 0
#     (scontrol requeue <job>_0) once its long trial has checkpointed, lets the requeued
#     task start at once (Slurm would hold it for about two minutes), and checks that
#     the first attempt ended "interrupted" (SIGTERM: checkpoint, no result), that a
#     second attempt resumed at that checkpoint's step (> 0), and that the final files
#     equal an unsharded local run.
#
# On failure the last line printed is "slurm test FAILED: " and the reason, after the tails
# of the daemons' logs and the job outputs.
#
# Runs as root. Not root: outside CI it exits 0 with one line saying why; with CI set it
# fails. Set EXPCTL_SLURM_KEEP=1 to keep the temporary directory (configuration, logs).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
export PATH="/usr/local/go/bin:$HOME/go/bin:$PATH"
# fail MESSAGE: ends the test. The message goes to stderr, since fail may run inside a
# command substitution, and to $work/failure, which cleanup prints as the last line.
fail() {
  echo "slurm test FAILED: $*" >&2
  [ -n "${work:-}" ] && [ -d "$work" ] && echo "$*" >>"$work/failure"
  exit 1
}

if [ "$(id -u)" -ne 0 ]; then
  if [ -n "${CI:-}" ]; then
    echo "slurm test: must run as root in CI (it installs and starts Slurm)"; exit 1
  fi
  echo "slurm test skipped: not root (it installs and starts munge and Slurm daemons)"; exit 0
fi

# The README's sbatch script: the ```bash block after the "Clusters" heading.
readme_script() {
  awk '/^### Clusters: Slurm/ {sec = 1} sec && /^```bash$/ {on = 1; next} on && /^```$/ {exit} on {print}' \
    "$repo/README.md"
}
script=$(readme_script)
grep -q '^#SBATCH --array=' <<<"$script" || fail "no sbatch script with #SBATCH --array in README.md's Clusters section"
[ "$(grep -c '/shared/runs' <<<"$script")" -eq 1 ] || fail "README.md's sbatch script should name /shared/runs once"
grep -q 'expctl run sweep adding.yaml ' <<<"$script" || fail "README.md's sbatch script should run 'expctl run sweep adding.yaml'"

t0=$(date +%s)
pkgs=(munge slurmctld slurmd slurm-client)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "installed in $(($(date +%s) - t0))s"
fi
work=$(mktemp -d /tmp/expctl-slurm.XXXXXX)
chmod 0755 "$work"
cleanup() {
  local rc=$? f pid alive daemons=()
  set +e
  if [ -n "${SLURM_CONF:-}" ] && [ -f "$SLURM_CONF" ]; then
    # cancel what is left and give its processes a few seconds to end
    scancel --quiet --user=root 2>/dev/null
    for _ in $(seq 20); do [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break; sleep 0.5; done
  fi
  for f in "$work/slurmd.pid" "$work/slurmctld.pid" "$work/munged.pid"; do
    pid=$(cat "$f" 2>/dev/null) && [ -n "$pid" ] && daemons+=("$pid")
  done
  [ ${#daemons[@]} -gt 0 ] && kill "${daemons[@]}" 2>/dev/null
  # wait (at most 10 s) for the daemons to exit
  for _ in $(seq 50); do
    alive=0
    for pid in "${daemons[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && break
    sleep 0.2
  done
  if [ $rc -ne 0 ]; then
    echo "---- slurm test failed; last lines of the daemons' logs and job outputs:"
    for f in "$work"/slurmctld.log "$work"/slurmd.log "$work"/munged.log "$work"/sub/*/logs/*; do
      [ -f "$f" ] && { echo "---- $f"; tail -n 25 "$f"; }
    done
    # the reason, last, where a log's tail shows it
    if [ -s "$work/failure" ]; then
      echo "slurm test FAILED: $(head -n 1 "$work/failure")"
    else
      echo "slurm test FAILED (exit status $rc): ${failed_at:-see above}"
    fi
  fi
  if [ -n "${EXPCTL_SLURM_KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
  exit $rc
}
trap cleanup EXIT
# A command that fails outside fail (set -e) is named by cleanup.
failed_at=
trap 'failed_at=${failed_at:-"line $LINENO: $BASH_COMMAND"}' ERR

# Free TCP ports for slurmctld and slurmd (the defaults 6817/6818 may be taken).
free_port() {
  local p
  for p in $(seq "$1" $(($1 + 200))); do
    grep -qi ":$(printf %04X "$p") " /proc/net/tcp /proc/net/tcp6 2>/dev/null || { echo "$p"; return; }
  done
  fail "no free port from $1"
}
ctld_port=$(free_port $((20000 + RANDOM % 20000)))
slurmd_port=$(free_port $((ctld_port + 1)))

# munge: its own key, socket and logs under $work.
mkdir -p "$work/munge"
chmod 0755 "$work/munge"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 0400 "$work/munge/munge.key"
munged --force --key-file="$work/munge/munge.key" --socket="$work/munge/munge.sock" \
  --pid-file="$work/munged.pid" --log-file="$work/munged.log" --seed-file="$work/munge/seed" \
  || fail "munged did not start"

host=$(hostname -s)
cpus=$(nproc)
mem_mb=$(awk '/^MemTotal:/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)
mkdir -p "$work/state" "$work/spool"
cat >"$work/slurm.conf" <<EOF
# One node (this host) in one partition; daemons and jobs run as root.
ClusterName=expctl-ci
SlurmctldHost=$host
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge/munge.sock
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
# No cgroups: processes are tracked through their parent process ids, tasks are not bound.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
# CPUs are the consumable resource, so several array tasks share the node.
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
ReturnToService=2
# A requeued or cancelled task gets SIGTERM, and SIGKILL KillWait seconds later.
KillWait=30
# Finished jobs stay visible to scontrol for this many seconds.
MinJobAge=600
NodeName=$host CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$work/slurm.conf"
scontrol --version
slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start"
slurmd -f "$SLURM_CONF" || fail "slurmd did not start"
for i in $(seq 120); do
  state=$(sinfo -h -n "$host" -o %t 2>/dev/null || true)
  [ "$state" = idle ] && break
  [ "$i" -eq 120 ] && fail "node $host not idle after 60 s (sinfo: ${state:-no answer})"
  sleep 0.5
done
t_up=$(date +%s)
echo "== Slurm up: node $host idle ($cpus CPUs), $((t_up - t0))s since start"

echo "== go build ./cmd/expctl"
mkdir -p "$work/bin"
go build -o "$work/bin/expctl" ./cmd/expctl
export PATH="$work/bin:$PATH"

# submit NAME SPEC ARRAY: writes the README's script into $work/sub/NAME with the spec as
# adding.yaml, submits it and prints the job id. Output goes to $work/out/NAME.
submit() {
  local dir="$work/sub/$1"
  mkdir -p "$dir/logs" "$work/out/$1"
  cp "$2" "$dir/adding.yaml"
  sed "s#/shared/runs#$work/out/$1#" <<<"$script" >"$dir/job.sh"
  (cd "$dir" && sbatch --parsable --array="$3" --cpus-per-task=1 --mem=256M job.sh)
}

# wait_job JOB SECONDS: waits until no task of the job is pending or running.
wait_job() {
  local i
  for i in $(seq $(($2 * 2))); do
    [ -z "$(squeue -h -j "$1" -o %i 2>/dev/null)" ] && return 0
    sleep 0.5
  done
  squeue -j "$1" || true
  fail "job $1 still queued or running after $2 s"
}

# check_tasks JOB N: every one of the N array tasks completed with exit code 0.
check_tasks() {
  local info n
  info=$(scontrol -o show job "$1")
  n=$(grep -c 'JobState=COMPLETED .*ExitCode=0:0' <<<"$info" || true)
  [ "$n" -eq "$2" ] || { echo "$info"; fail "job $1: $n of $2 array tasks completed with exit code 0"; }
}

# same_sweep REF GOT: every trial of the sweep directory REF has identical output files in
# GOT, apart from curve.csv's seconds column and result.json's wall_seconds, and GOT has
# no other trials. attempts.jsonl differs by nature and is not compared.
same_sweep() {
  local ref=$1 got=$2 d id f n=0
  cmp -s "$ref/trials.json" "$got/trials.json" || fail "trials.json differs: $ref vs $got"
  for d in "$ref"/*/; do
    id=$(basename "$d")
    [ -f "$got/$id/result.json" ] || fail "trial $id has no result.json in $got"
    for f in config.json gradflow.csv spectra.csv params.npz; do
      [ -f "$d/$f" ] || [ -f "$got/$id/$f" ] || continue
      cmp -s "$d/$f" "$got/$id/$f" || fail "$id/$f differs: $ref vs $got"
    done
    cmp -s <(sed 's/,[^,]*$//' "$d/curve.csv") <(sed 's/,[^,]*$//' "$got/$id/curve.csv") ||
      fail "$id/curve.csv differs (seconds column removed)"
    cmp -s <(grep -v '"wall_seconds"' "$d/result.json") <(grep -v '"wall_seconds"' "$got/$id/result.json") ||
      fail "$id/result.json differs (wall_seconds removed)"
    n=$((n + 1))
  done
  [ "$n" -gt 0 ] || fail "no trials in $ref"
  [ "$(find "$got" -mindepth 1 -maxdepth 1 -type d | wc -l)" -eq "$n" ] || fail "$got has trials that $ref lacks"
  echo "$n"
}

# reference SPEC NAME: the unsharded sweep, run locally (not through Slurm).
reference() {
  expctl run sweep "$1" --out "$work/ref" --workers 1 --plain >"$work/ref-$2.log" 2>&1 ||
    fail "unsharded run of $1 failed: $(tail -n 3 "$work/ref-$2.log")"
}

echo "== shards: README script, .ci/slurm/shards.yaml, --array=0-2"
t=$(date +%s)
job=$(submit shards "$repo/.ci/slurm/shards.yaml" 0-2)
wait_job "$job" 120
check_tasks "$job" 3
reference "$repo/.ci/slurm/shards.yaml" shards
n=$(same_sweep "$work/ref/slurm-shards" "$work/out/shards/slurm-shards")
for i in 0 1 2; do
  grep -q "shard $i/3 (slurm)" "$work/sub/shards/logs/"*"_$i.out" || fail "array task $i did not run shard $i/3"
done
echo "ok: job $job, 3 array tasks, $n trials equal to the unsharded sweep ($(($(date +%s) - t))s)"

echo "== preemption: README script, .ci/slurm/preempt.yaml, --array=0-1, requeue task 0 mid-run"
t=$(date +%s)
job=$(submit preempt "$repo/.ci/slurm/preempt.yaml" 0-1)
long=$(expctl run sweep "$repo/.ci/slurm/preempt.yaml" --dry-run | awk '$1 == "0" {print $2}')
att="$work/out/preempt/slurm-preempt/$long/attempts.jsonl"
# Wait until the long trial has written a checkpoint past step 1000, then requeue its task.
for i in $(seq 240); do
  if [ -f "$att" ] && grep -q '"event":"checkpoint","step":[1-9][0-9][0-9][0-9]' "$att"; then break; fi
  [ "$i" -eq 240 ] && fail "trial $long wrote no checkpoint past step 1000 within 120 s"
  sleep 0.5
done
[ -f "$work/out/preempt/slurm-preempt/$long/result.json" ] && fail "trial $long finished before it could be requeued"
scontrol requeue "${job}_0"
echo "requeued ${job}_0 at $(grep -o '"step":[0-9]*' "$att" | tail -n 1)"
# Slurm holds a requeued job for about two minutes (its begin time is set in the future);
# once the task is pending again, let it start now.
for i in $(seq 120); do
  [ "$(squeue -h -j "${job}_0" -o %t 2>/dev/null)" = PD ] && break
  [ "$i" -eq 120 ] && fail "task ${job}_0 not pending 60 s after the requeue"
  sleep 0.5
done
scontrol update JobId="${job}_0" StartTime=now
wait_job "$job" 240
check_tasks "$job" 2
reference "$repo/.ci/slurm/preempt.yaml" preempt
n=$(same_sweep "$work/ref/slurm-preempt" "$work/out/preempt/slurm-preempt")
# attempts.jsonl: start (step 0), end interrupted at S > 0, start resumed at S, end finished.
events=$(grep -o '"event":"[a-z]*"[^}]*' "$att" | grep -v '"event":"checkpoint"' || true)
starts=$(grep -c '"event":"start"' <<<"$events" || true)
int_step=$(grep '"event":"end"' <<<"$events" | grep '"how":"interrupted"' | head -n 1 | grep -o '"step":[0-9]*' | cut -d: -f2 || true)
res_step=$(grep '"event":"start"' <<<"$events" | grep '"resumed":true' | head -n 1 | grep -o '"step":[0-9]*' | cut -d: -f2 || true)
[ "$starts" -eq 2 ] || { cat "$att"; fail "want 2 attempts of $long, found $starts"; }
[ -n "$int_step" ] && [ "$int_step" -gt 0 ] || { cat "$att"; fail "the first attempt of $long did not end interrupted (SIGTERM) at a step > 0"; }
[ "$res_step" = "$int_step" ] || { cat "$att"; fail "the second attempt of $long did not resume at the interrupted step $int_step (resumed: ${res_step:-none})"; }
grep -q "resumed at step $res_step" "$work/sub/preempt/logs/"*"_0.out" || fail "the requeued task's output does not say 'resumed at step $res_step'"
grep '"event":"end"' <<<"$events" | tail -n 1 | grep -q '"how":"finished"' || { cat "$att"; fail "the last attempt of $long did not finish"; }
echo "ok: job $job, task 0 requeued: interrupted at step $int_step, resumed at step $res_step; $n trials equal to the unsharded sweep ($(($(date +%s) - t))s)"

echo "== slurm test passed in $(($(date +%s) - t0))s ($((t_up - t0))s to install and start Slurm)"
