# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers for the Slurm tests (sourced first by tests/integration/slurm-*.sh,
# instead of lib.sh, which it sources).  A real single-node cluster: munged,
# slurmctld and slurmd from Debian's packages, with their own slurm.conf,
# plugstack.conf, munge key, sockets, state and logs under $T, on 127.0.0.1
# of a private network namespace (fixed ports cannot clash with the host's
# or another test's Slurm).  Never the host's /etc/slurm or /etc/munge.
# Everything started here is stopped by PID at exit, also on failure.

SLURM_PACKAGES="slurmctld slurmd slurm-client munge iproute2"
slurm_programs_missing() {
	local prog
	for prog in munged slurmctld slurmd srun sbatch salloc sinfo scontrol ip; do
		command -v "$prog" >/dev/null || return 0
	done
	return 1
}

if [ "$(id -u)" -eq 0 ] && [ -z "${MELEE_SLURM_IN_NETNS:-}" ]; then
	# Missing packages are not installed from here: a package install
	# while other tests run rewrites /etc/passwd, group and shadow (the
	# postinsts add munge and slurm), which detached every running test's
	# binds over them.  tests/install-deps installs them before the suite.
	# A private network namespace (lib.sh then adds the mount namespace;
	# host_netns is still the one this test was started in).
	export MELEE_TEST_HOST_NETNS_PID=${MELEE_TEST_HOST_NETNS_PID:-$PPID}
	MELEE_SLURM_IN_NETNS=1 exec unshare -n /bin/bash "$0" "$@"
fi

. "$top_srcdir/tests/lib.sh"

slurm_programs_missing && skip_all "Slurm, munge or ip is missing (tests/install-deps, or apt-get install $SLURM_PACKAGES)"
[ -f "$top_builddir/slurm/melee.so" ] || skip_all "melee.so was not built (configure found no slurm/spank.h)"

# Slurm resolves with AI_ADDRCONFIG, which finds nothing while only
# loopback addresses exist: give lo one global (documentation) address.
# (Without it every daemon dies at start with "Address family not
# supported by protocol", which names neither lo nor ip.)
ip link set lo up && ip addr add 192.0.2.1/32 dev lo ||
	{ echo "Bail out! cannot bring up lo with 192.0.2.1 in the test's network namespace (ip, from iproute2)"; exit 1; }

S=$T/slurm
NODE=$(hostname -s)
export SLURM_CONF=$S/etc/slurm.conf
ALICE_UID=1501
ALICE_GID=1501

# Processes of this network namespace other than this shell: whatever the
# cluster left (a slurmstepd outlives slurmd).  Only ours can be in it.
netns_leftovers() {
	local me ns p hostns
	ns=$(readlink /proc/self/ns/net)
	# Never the namespace the test was started in (say
	# MELEE_SLURM_IN_NETNS came from outside), nor one it cannot tell
	# from that.
	hostns=$(host_netns)
	[ -n "$hostns" ] && [ "$ns" != "$(readlink "$hostns")" ] || return 0
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[ "$p" = "$$" ] || [ "$p" = "$BASHPID" ] && continue
		[ "$(readlink "/proc/$p/ns/net" 2>/dev/null)" = "$ns" ] || continue
		# Our own ancestors (unshare's bash chain) share the namespace.
		me=$$
		while [ "$me" -gt 1 ]; do
			[ "$me" = "$p" ] && continue 2
			me=$(awk '{ print $4 }' "/proc/$me/stat" 2>/dev/null || echo 1)
		done
		echo "$p"
	done
}

slurm_stop() {
	local pids
	[ -n "${SLURM_STARTED:-}" ] && scancel --quiet --full --partition=test 2>/dev/null
	for pid in $PIDS; do kill "$pid" 2>/dev/null; done
	for pid in $PIDS; do wait "$pid" 2>/dev/null; done
	PIDS=""
	# Also what a subshell started, and the slurmstepds.
	pids=$(netns_leftovers)
	[ -n "$pids" ] && kill $pids 2>/dev/null
	sleep 0.2
	pids=$(netns_leftovers)
	[ -n "$pids" ] && kill -9 $pids 2>/dev/null
	return 0
}
# Before lib.sh's cleanup: jobs and daemons go before the unmounts.
trap 'rc_=$?; slurm_stop; (exit $rc_); cleanup' EXIT

node_state() { sinfo -h -n "$NODE" -o %T 2>/dev/null; }
node_idle() { [ "$(node_state)" = idle ]; }

# munge_start: the directories of $S, melee.so (a root-owned copy) and
# munged with a key of its own; what one cluster or two nodes share.
munge_start() {
	mkdir -p "$S/etc" "$S/state" "$S/spool" "$S/log" "$S/lib" "$T/munge"
	chmod 755 "$S" "$S/etc" "$S/log" "$S/lib"
	install -m 644 "$top_builddir/slurm/melee.so" "$S/lib/melee.so"

	# munged runs as munge (as Debian's unit does), with its own key.
	chown munge:munge "$T/munge"
	chmod 755 "$T/munge"
	head -c 1024 /dev/urandom > "$T/munge/munge.key"
	chown munge:munge "$T/munge/munge.key"
	chmod 400 "$T/munge/munge.key"
	setpriv --reuid=munge --regid=munge --clear-groups \
		munged --foreground --socket="$T/munge/munge.socket" \
		--key-file="$T/munge/munge.key" --pid-file="$T/munge/munged.pid" \
		--log-file="$T/munge/munged.log" --seed-file="$T/munge/munged.seed" \
		>"$T/munge/munged.out" 2>&1 &
	PIDS="$PIDS $!"
	SLURM_STARTED=1
	wait_for 10 test -S "$T/munge/munge.socket" || {
		echo "# munged did not start:"; sed 's/^/#   /' "$T/munge/munged.log"; return 1; }
}

# slurm_start [PLUGSTACK-ARGS]: munged, slurmctld and slurmd, with melee.so
# in plugstack.conf, reading $CONF.
# slurm_conf_common: the slurm.conf lines of every test cluster (one node
# or two): no accounting, no cgroups, the plugin stack of $S/etc.
slurm_conf_common() {
	cat <<EOF
SlurmdDebug=verbose
PlugStackConfig=$S/etc/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
ReturnToService=2
InactiveLimit=0
KillWait=2
MinJobAge=300
EOF
}

slurm_start() {
	local args=${1:-} daemons
	munge_start || return 1
	cat > "$S/etc/slurm.conf" <<EOF
ClusterName=meleetest
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=6817
SlurmdPort=6818
AuthType=auth/munge
AuthInfo=socket=$T/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/log/slurmctld.log
SlurmdLogFile=$S/log/slurmd.log
$(slurm_conf_common)
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=4 State=UNKNOWN
PartitionName=test Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
	echo "required $S/lib/melee.so conf=$CONF $args" > "$S/etc/plugstack.conf"
	chmod 644 "$S/etc/slurm.conf" "$S/etc/plugstack.conf"

	slurmctld -D -i > "$S/log/slurmctld.out" 2>&1 &
	daemons=$!
	slurmd -D > "$S/log/slurmd.out" 2>&1 &
	daemons="$daemons $!"
	PIDS="$PIDS $daemons"
	slurm_started node_idle $daemons
}

# slurm_started CHECK PID...: waits up to 30 s for CHECK (the nodes idle)
# while the daemons PID... run.  A daemon that exits, or a cluster not
# ready in time, ends the test at once with the daemons' own reason (seen:
# slurmd's "fatal: Hybrid mode is not supported" on a host with cgroup v1
# and v2 mounted): else every srun after it waits out its timeout.
slurm_started() {
	local check=$1 n=300 pid dead="" why
	shift
	while ! "$check"; do
		for pid in "$@"; do
			kill -0 "$pid" 2>/dev/null || dead="$dead $(ps -o comm= -p "$pid" 2>/dev/null || echo "$pid")"
		done
		[ -z "$dead" ] && [ $((n -= 1)) -gt 0 ] || break
		sleep 0.1
	done
	"$check" && return 0
	# The reason: a fatal line, else slurmd's last errors (slurmctld
	# logs harmless ones on every start).
	why=$(cat "$S/log/"*.log "$S/log/"*.out 2>/dev/null | grep fatal | tail -n 2)
	[ -n "$why" ] || why=$(cat "$S/log/"slurmd*.log "$S/log/"slurmd*.out 2>/dev/null | grep error | tail -n 2)
	why=$(printf '%s' "$why" | tr '\n' ' ')
	echo "# the cluster did not start (nodes: $(sinfo -h -N -o '%N %T' 2>/dev/null | tr '\n' ' ')):"
	tail -n 20 "$S/log/"*.log "$S/log/"*.out 2>/dev/null | sed 's/^/#   /'
	if [ -n "$dead" ]; then
		echo "Bail out! a Slurm daemon exited at start: ${why:-see its log above}"
	else
		echo "Bail out! the Slurm nodes were not idle after 30 s: ${why:-see the logs above}"
	fi
	exit 1
}

# as_alice CMD...: runs CMD as the test user alice (uid 1501, groups from
# the test's /etc/group), from a directory that exists on the host and in
# every image.
# srun as the tests call it: --quiet, so that a loaded node's "job N
# queued and waiting for resources" (informational, on stderr) is not
# taken for the step's output; errors still show.
mkdir -p "$T/slurm-bin"
printf '#!/bin/sh\nexec %s --quiet "$@"\n' "$(command -v srun)" > "$T/slurm-bin/srun"
chmod 755 "$T/slurm-bin" "$T/slurm-bin/srun"
as_alice() {
	(cd /tmp && setpriv --reuid=$ALICE_UID --regid=$ALICE_GID --init-groups \
		env HOME=/tmp USER=alice LOGNAME=alice SLURM_CONF="$SLURM_CONF" \
		PATH="$T/slurm-bin:$PATH" "$@")
}

# job_state JOBID: COMPLETED, FAILED, ... once the job is over.
job_state() { scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p'; }
job_done() { case $(job_state "$1") in COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY) return 0 ;; esac; return 1; }

# images_up NAME...: fixture images, registered and prepared.
images_up() {
	setup_accounts
	write_config
	for i in "$@"; do add_image "$i"; done
	mm up >/dev/null
}
