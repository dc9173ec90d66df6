#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# srun/sbatch --melee-image run a task in the job's directory inside the
# image only when it is that very directory (a shared tree: the image's
# /tmp is the host's) or one of the image's own that nobody but root or
# the job's user made.  slurmstepd chdirs to the job's cwd by its path
# after the chroot: the image's /var/tmp is its own and writable by every
# user of the image, so bob can make /var/tmp/build there first, with a
# run.sh of his; alice, submitting from her own /var/tmp/build on the
# host, must not run bob's script as herself.  Nor may a task whose
# directory is missing in the image run elsewhere (slurmstepd's fallback
# is the image's /tmp).  Real Slurm (slurm-lib.sh).
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/slurm-lib.sh" || exit 1

# Before the images are up: the image's /tmp is a bind of this /tmp.
private_dir /tmp 1777
private_dir /var/tmp 1777
images_up demo
slurm_start
ok $? "the cluster is up"

as_bob() {
	(cd /tmp && as bob env SLURM_CONF="$SLURM_CONF" PATH="$T/slurm-bin:$PATH" "$@")
}
# bob, through Slurm, inside the image: a directory and a script under
# the names alice uses on the host, and a symlink to a directory of hers.
as_bob timeout 60 srun --melee-image=demo --chdir=/ sh -c '
	mkdir /var/tmp/build && chmod 777 /var/tmp/build &&
	printf "#!/bin/sh\ntouch /tmp/bobs-run.sh-ran-as-\$(id -un)\necho bob-ran\n" > /var/tmp/build/run.sh &&
	chmod 755 /var/tmp/build/run.sh && ln -s /tmp/alice /var/tmp/link'
ok $? "bob made /var/tmp/build with his run.sh, and /var/tmp/link, in the image"
is "$(stat -c %U "$IMAGES/demo/var/tmp/build/run.sh")" bob "bob's run.sh is in the image's own /var/tmp"

# alice's own directories of the same names on the host.
as_alice sh -c 'mkdir -m 700 /var/tmp/build /var/tmp/link /var/tmp/hostonly /tmp/alice &&
	printf "#!/bin/sh\necho alice-ran\n" > /var/tmp/build/run.sh && chmod 755 /var/tmp/build/run.sh'

no_bob_ran() { [ -z "$(ls /tmp | grep bobs-run)" ]; }

# refused_in DIR WHY DESCRIPTION SRUN-ARGS...: srun as alice, from DIR on
# the host, fails at once with the message, and bob's script never ran.
refused_in() {
	local dir=$1 why=$2 what=$3 err rc
	shift 3
	rm -f /tmp/bobs-run.sh-ran-as-*
	err=$(as_alice sh -c 'cd "$1" && shift && exec "$@"' sh "$dir" timeout 60 srun --melee-image=demo "$@" 2>&1)
	rc=$?
	ok $(( rc != 0 && rc != 124 ? 0 : 1 )) "$what: srun fails (status $rc)"
	like "$err" "^melee: $why" "$what: the reason is in the job's stderr"
	unlike "$err" "bob-ran|alice-ran" "$what: nothing ran"
	no_bob_ran
	ok $? "$what: bob's script never ran"
}

others="directory /var/tmp/build in image demo is not the job's directory on the host, and someone else could have made it there \\('build' on the way belongs to uid 1502 there\\); not running the task there"
refused_in /var/tmp/build "$others" "srun from alice's /var/tmp/build, bob's in the image" ./run.sh
refused_in /tmp "$others" "srun --chdir=/var/tmp/build" --chdir=/var/tmp/build ./run.sh
refused_in /var/tmp/link "directory /var/tmp/link in image demo is not the job's directory on the host, .*\\('link' on the way is a symbolic link there\\)" \
	"bob's symlink to another of alice's directories" pwd
refused_in /var/tmp/hostonly "directory /var/tmp/hostonly does not exist in image demo; not running the task elsewhere" \
	"a directory the image lacks (slurmstepd would run the task in /tmp)" pwd

# The batch step too: its cwd is the submit directory.
rm -f /tmp/bobs-run.sh-ran-as-*
err=$(as_alice sh -c 'cd /var/tmp/build && timeout 60 sbatch --wait --output=/tmp/alice/batch.out --melee-image=demo --wrap ./run.sh' 2>&1)
ok $(( $? != 0 ? 0 : 1 )) "sbatch from alice's /var/tmp/build: the job fails"
like "$(cat /tmp/alice/batch.out 2>&1)" "^melee: $others" "sbatch: the reason is in the job's output"
no_bob_ran
ok $? "sbatch: bob's script never ran"

like "$(cat "$S/log/slurmd.log")" "error: melee: job [0-9]+: directory /var/tmp/build in image demo is not the job's directory on the host" \
	"slurmd's log has the refusal, with the job id"

# What is alice's to run in still runs.
as_alice timeout 60 srun --melee-image=demo --chdir=/ mkdir -p /var/tmp/mine/in-image
out=$(as_alice sh -c 'mkdir -p /var/tmp/mine && cd /var/tmp/mine && timeout 60 srun --melee-image=demo sh -c "pwd; ls"' 2>&1)
is "$out" "/var/tmp/mine
in-image" "a directory alice made in the image: the task runs there"
out=$(as_alice timeout 60 srun --melee-image=demo --chdir=/usr/bin pwd 2>&1)
is "$out" "/usr/bin" "a directory of the image's own, root's: the task runs there"
out=$(as_alice timeout 60 srun --melee-image=demo --chdir=/tmp/alice pwd 2>&1)
is "$out" "/tmp/alice" "a shared directory (the image's /tmp is the host's): the task runs there"
out=$(as_alice timeout 60 srun --melee-image=demo --chdir=/nonexistent pwd 2>&1)
like "$out" "^/tmp$" "a cwd missing on the host too: Slurm's own fallback, /tmp, as on the host"
out=$(as_alice sh -c 'cd /tmp/alice && timeout 60 sbatch --wait --output=/tmp/alice/ok.out --melee-image=demo --wrap pwd' 2>&1)
ok $? "sbatch from a shared directory completes"
is "$(cat /tmp/alice/ok.out)" "/tmp/alice" "and its batch script runs there"

wait_for 60 node_idle
is "$(node_state)" "idle" "the node is idle afterwards"

done_testing
