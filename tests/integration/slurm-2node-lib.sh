# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers for the two-node Slurm tests (sourced instead of slurm-lib.sh,
# which it sources): slurmctld in the test's network namespace on a
# bridge, and two slurmd, each in network, UTS and mount namespaces of
# its own (own hostname, own address on a veth into the bridge, own mount
# table with private propagation: an image can be up on one node and not
# on the other), sharing munged, the SPANK plugin and the image directory
# ($IMAGES, on the test's tmpfs).  Every process is stopped by PID at
# exit, also on failure: the daemons, each node's namespace holder, and
# whatever else lives in a node's network namespace (slurmstepds).
. "$top_srcdir/tests/integration/slurm-lib.sh"
. "$top_srcdir/tests/integration/auto-up-lib.sh"

NODES="melee-n1 melee-n2"
BRIDGE_ADDR=10.77.0.254
declare -A NODE_PID NODE_ADDR=([melee-n1]=10.77.0.1 [melee-n2]=10.77.0.2)

# nodes_stop: everything in the nodes' network namespaces, by PID.
nodes_stop() {
	local n ns p pids
	for n in "${!NODE_PID[@]}"; do
		ns=$(readlink "/proc/${NODE_PID[$n]}/ns/net" 2>/dev/null) || continue
		[ "$ns" != "$(readlink /proc/self/ns/net)" ] || continue
		for sig in TERM KILL; do
			pids=""
			for p in /proc/[0-9]*; do
				[ "$(readlink "$p/ns/net" 2>/dev/null)" = "$ns" ] && pids="$pids ${p#/proc/}"
			done
			[ -n "$pids" ] && kill -$sig $pids 2>/dev/null
			[ $sig = TERM ] && sleep 0.3
		done
	done
}
trap 'rc_=$?; [ -n "${SLURM_STARTED:-}" ] && scancel --quiet --full --partition=test 2>/dev/null; nodes_stop; slurm_stop; (exit $rc_); cleanup' EXIT

node2_state() { sinfo -h -n "$1" -o %T 2>/dev/null; }
nodes_idle() {
	local n
	for n in $NODES; do [ "$(node2_state "$n")" = idle ] || return 1; done
}

# on_node NODE CMD...: CMD in the node's network, UTS and mount namespaces.
on_node() {
	local n=$1; shift
	nsenter -t "${NODE_PID[$n]}" -n -u -m -- "$@"
}

# node_create NODE: the namespaces (held by a sleep), hostname, address.
node_create() {
	local n=$1 pid i
	unshare -n -u -m --propagation private sleep infinity &
	pid=$!
	PIDS="$PIDS $pid"
	NODE_PID[$n]=$pid
	# unshare has made the namespaces once it is sleep.
	for i in $(seq 1 50); do
		[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$(readlink -f "$(command -v sleep)")" ] && break
		sleep 0.05
	done
	ip link add "v-$n" type veth peer name eth0 netns "$pid" || return 1
	ip link set "v-$n" master mbr0 up || return 1
	nsenter -t "$pid" -u hostname "$n" || return 1
	# Each node's own /run/melee (lock, merged accounts), as on a cluster.
	nsenter -t "$pid" -m mount -t tmpfs -o mode=755 "melee-run-$n" /run/melee || return 1
	# And its own /tmp: Slurm's PMIx plugin makes the same directory
	# name under /tmp on every node of a step.
	nsenter -t "$pid" -m mount -t tmpfs -o mode=1777 "melee-tmp-$n" /tmp || return 1
	nsenter -t "$pid" -n sh -c "ip link set lo up && ip addr add ${NODE_ADDR[$n]}/24 dev eth0 && ip link set eth0 up"
}

# slurm2_start [PLUGSTACK-ARGS]: bridge, munged, slurmctld, the two nodes.
# Whatever the nodes' mount namespaces must have (accounts, /etc/melee,
# the auto-up helper) is mounted before this.
slurm2_start() {
	local args=${1:-} n daemons
	ip link add mbr0 type bridge && ip addr add "$BRIDGE_ADDR/24" dev mbr0 && ip link set mbr0 up || return 1
	munge_start || return 1
	cat > "$S/etc/slurm.conf" <<EOC
ClusterName=meleetwo
SlurmctldHost=$NODE($BRIDGE_ADDR)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$T/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool/%n
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.%n.pid
SlurmctldLogFile=$S/log/slurmctld.log
SlurmdLogFile=$S/log/slurmd.%n.log
$(slurm_conf_common)
NodeName=melee-n1 NodeAddr=${NODE_ADDR[melee-n1]} NodeHostname=melee-n1 CPUs=2 State=UNKNOWN
NodeName=melee-n2 NodeAddr=${NODE_ADDR[melee-n2]} NodeHostname=melee-n2 CPUs=2 State=UNKNOWN
PartitionName=test Nodes=melee-n1,melee-n2 Default=YES MaxTime=INFINITE State=UP
EOC
	echo "required $S/lib/melee.so conf=$CONF $args" > "$S/etc/plugstack.conf"
	chmod 644 "$S/etc/slurm.conf" "$S/etc/plugstack.conf"
	slurmctld -D -i > "$S/log/slurmctld.out" 2>&1 &
	PIDS="$PIDS $!"
	daemons=$!
	for n in $NODES; do
		node_create "$n" || return 1
		mkdir -p "$S/spool/$n"
		on_node "$n" slurmd -D -N "$n" > "$S/log/slurmd.$n.out" 2>&1 &
		PIDS="$PIDS $!"
		daemons="$daemons $!"
	done
	slurm_started nodes_idle $daemons
}
