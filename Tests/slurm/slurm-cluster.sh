#!/usr/bin/env bash
# A real single-node Slurm for the Slurm executor's integration tests (see
# /work/shared/notes/slurm-on-one-machine.md for the recipe it follows).
#
#   slurm-cluster.sh start STATE_DIR   starts munged, slurmctld and slurmd with their own configuration,
#                                      sockets, spool, logs and pid files under STATE_DIR; prints the
#                                      SLURM_CONF line to export (clients find this cluster through it)
#   slurm-cluster.sh stop STATE_DIR    cancels the cluster's jobs, then stops exactly the daemons that
#                                      `start` recorded in STATE_DIR/pids (nothing found by name)
#
# Nothing outside STATE_DIR is written: no /etc/slurm/slurm.conf, no /run/munge. The daemons use
# Slurm's default ports (6817/6818), so one such cluster runs on a machine at a time.
# Exit status of `start`: 0 ready; 77 impossible here (not root, Slurm or munge not installed; the
# tests skip); anything else: it should have worked and did not (the tests fail). On a failed start,
# whatever was started is stopped again.
set -euo pipefail

usage() { echo "usage: $0 start|stop STATE_DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
action=$1
state=$(realpath -m "$2")

# Sends TERM to each recorded pid that is still the daemon it was (its /proc comm matches), then KILL
# after 10 s; the pid file is removed once none is left.
stop_recorded() {
    local pids_file=$state/pids
    [ -f "$pids_file" ] || return 0
    local alive=()
    while read -r name pid; do
        [ -n "${pid:-}" ] || continue
        if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ]; then
            kill -TERM "$pid" 2>/dev/null || true
            alive+=("$name:$pid")
        fi
    done < <(tac "$pids_file")   # slurmd, slurmctld, then munged
    local entry deadline=$((SECONDS + 10))
    for entry in "${alive[@]}"; do
        local pid=${entry#*:}
        while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
        echo "stopped ${entry%%:*} (pid $pid)"
    done
    rm -f "$pids_file"
}

# Appends "NAME PID" from a daemon's pid file (waiting briefly for it to appear).
record() {
    local name=$1 pid_file=$2 deadline=$((SECONDS + 10))
    while [ ! -s "$pid_file" ] && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    [ -s "$pid_file" ] || { echo "$name did not write $pid_file" >&2; return 1; }
    echo "$name $(cat "$pid_file")" >> "$state/pids"
}

case "$action" in
stop)
    if [ -f "$state/etc/slurm.conf" ] && [ -f "$state/pids" ]; then
        # Jobs still running would leave slurmstepd processes behind the daemons.
        SLURM_CONF=$state/etc/slurm.conf timeout 10 scancel --full --user "$(id -un)" 2>/dev/null || true
        sleep 1
    fi
    stop_recorded
    ;;
start)
    [ "$(id -u)" -eq 0 ] || { echo "skip: a single-node Slurm needs root (running as uid $(id -u))" >&2; exit 77; }
    for tool in munged slurmctld slurmd sbatch squeue scontrol scancel sinfo; do
        command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || {
            echo "skip: $tool is not installed (Debian: munge slurmctld slurmd slurm-client)" >&2; exit 77; }
    done
    [ -r /etc/munge/munge.key ] || { echo "skip: no munge key at /etc/munge/munge.key" >&2; exit 77; }
    if [ -f "$state/pids" ]; then echo "a cluster is already recorded in $state/pids; stop it first" >&2; exit 1; fi
    if (exec 3<>/dev/tcp/127.0.0.1/6817) 2>/dev/null; then
        echo "skip: port 6817 is taken (another slurmctld runs on this machine)" >&2; exit 77
    fi
    trap 'echo "start failed; stopping what was started" >&2; cat "$state/log/daemons.out" >&2 2>/dev/null; stop_recorded' ERR
    mkdir -p "$state"/{etc,munge,run,log,spool/slurmctld,spool/slurmd}
    # munged runs as the munge user and checks its folders: every parent must be traversable and the
    # socket folder its own.
    chmod 755 "$state"
    chown munge:munge "$state/munge"
    chmod 755 "$state/munge"
    runuser -u munge -- /usr/sbin/munged --socket="$state/munge/munge.socket" --pid-file="$state/munge/munged.pid" \
        --log-file="$state/munge/munged.log" --seed-file="$state/munge/munged.seed" </dev/null >>"$state/log/daemons.out" 2>&1
    record munged "$state/munge/munged.pid"

    node_line=$(/usr/sbin/slurmd -C | head -1)
    host=$(hostname -s)
    cpus=$(sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' <<<"$node_line")
    memory=$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$node_line")
    memory=$((memory * 3 / 4))
    cat > "$state/etc/slurm.conf" <<EOF
# Written by Tests/slurm/slurm-cluster.sh for the Ptychite tests: one node, no cgroups, no database.
ClusterName=ptychite-test
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$state/munge/munge.socket
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$state/log/jobcomp.log
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=500
MinJobAge=300
ReturnToService=2
KillWait=5
StateSaveLocation=$state/spool/slurmctld
SlurmdSpoolDir=$state/spool/slurmd
SlurmctldPidFile=$state/run/slurmctld.pid
SlurmdPidFile=$state/run/slurmd.pid
SlurmctldLogFile=$state/log/slurmctld.log
SlurmdLogFile=$state/log/slurmd.log
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
    export SLURM_CONF=$state/etc/slurm.conf
    # -i: ignore any saved state (a fresh cluster every time).
    # The daemons must not hold the caller's output open (a test reading it to the end would wait forever).
    /usr/sbin/slurmctld -i -f "$SLURM_CONF" </dev/null >>"$state/log/daemons.out" 2>&1
    record slurmctld "$state/run/slurmctld.pid"
    /usr/sbin/slurmd -f "$SLURM_CONF" </dev/null >>"$state/log/daemons.out" 2>&1
    record slurmd "$state/run/slurmd.pid"
    deadline=$((SECONDS + 30))
    until [ "$(sinfo -h -o %T 2>/dev/null | head -1)" = "idle" ]; do
        if [ $SECONDS -ge $deadline ]; then
            echo "the node did not become idle within 30 s; slurmctld log:" >&2
            tail -20 "$state/log/slurmctld.log" "$state/log/daemons.out" >&2 || true
            false
        fi
        sleep 0.2
    done
    trap - ERR
    echo "SLURM_CONF=$SLURM_CONF"
    ;;
*) usage ;;
esac
