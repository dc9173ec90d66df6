#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# MPI across the two nodes of slurm-2node-lib.sh, inside a real image: a
# bookworm (the host's release: its MPICH speaks the host Slurm's pmi2,
# its Open MPI the host's PMIx) with MPICH, Open MPI and gcc, debootstrapped
# once and cached (images-lib.sh).  hello does an MPI_Allreduce of 1 over
# the ranks and prints rank, size, the sum, hostname, uid, the image's
# VERSION_ID and a marker written into the image here (the host is a
# bookworm too: VERSION_ID alone would not tell the image from the host).
# srun --mpi=pmi2 -N2 -n4: one communicator of 4 over both nodes, as
# alice, in the image; the same from an sbatch -N2 script; the same with
# the image as a squashfs file that auto-up mounts on melee-n2 for the
# job; a rank refused on melee-n2 only (its own melee.conf) ends the whole
# step with the reason, never a hang; --mpi=pmix with Open MPI when the
# host's Slurm offers it.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/slurm-2node-lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"
. "$top_srcdir/tests/integration/squash-lib.sh"

MPI_PACKAGES=mpich,libmpich-dev,openmpi-bin,libopenmpi-dev,automake,gcc,libc6-dev
images_setup
write_config "auto-up = no"
start=$(date +%s)
image_ready mpi bookworm amd64 "$MPI_PACKAGES" || { echo "Bail out! no MPI image"; exit 1; }
echo "# the image was ready in $(( $(date +%s) - start )) s"
# (automake: libopenmpi-dev needs libltdl-dev, which depends on the
# virtual automake-1.16 that debootstrap does not resolve.)

# hello is built in the image by the image's own compilers, as root, into
# the image's tree (so also into the squashfs packed from it below).
mkdir -p "$IMAGES/mpi/opt/melee-test"
echo "mpi-image" > "$IMAGES/mpi/etc/melee-test-marker"
cat > "$IMAGES/mpi/opt/melee-test/hello.c" <<'C'
#include <mpi.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The first line of FILE that starts with PREFIX, without it and the
 * quotes, into buf ("?" when there is none). */
static void first_value(const char *file, const char *prefix, char *buf, size_t len)
{
	char line[256];
	FILE *f = fopen(file, "re");

	snprintf(buf, len, "?");
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, prefix, strlen(prefix)) != 0)
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(buf, len, "%s", line + strlen(prefix) + (line[strlen(prefix)] == '"'));
		buf[strcspn(buf, "\"")] = '\0';
		break;
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	int rank, size, one = 1, sum = 0, liblen;
	char host[256] = "?", release[64], marker[64], lib[MPI_MAX_LIBRARY_VERSION_STRING];

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	MPI_Allreduce(&one, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
	MPI_Get_library_version(lib, &liblen);
	lib[strcspn(lib, " ,")] = '\0';
	gethostname(host, sizeof host);
	first_value("/etc/os-release", "VERSION_ID=", release, sizeof release);
	first_value("/etc/melee-test-marker", "", marker, sizeof marker);
	printf("rank %d size %d sum %d host %s uid %u release %s marker %s lib %s\n",
	       rank, size, sum, host, (unsigned)getuid(), release, marker, lib);
	MPI_Finalize();
	return 0;
}
C
for mpi in mpich openmpi; do
	run chroot "$IMAGES/mpi" "mpicc.$mpi" -O -o "/opt/melee-test/hello-$mpi" /opt/melee-test/hello.c
	is "$rc:$out" "0:" "hello built in the image with its mpicc.$mpi"
done

# Slurm's PMIx server keeps its shared-memory store (PMIX_SERVER_TMPDIR,
# the dstore files the clients map) under SlurmdSpoolDir, a host
# directory an image does not have: the image's fstab binds it (README,
# "Clusters"), else every PMIx client complains and falls back to asking
# the server for each key.
mkdir -p "$IMAGES/mpi$S/spool"
{ cat "$T/etc/fstab"; echo "$S/spool $S/spool none rbind"; } > "$T/etc/fstab-mpi"
chmod 644 "$T/etc/fstab-mpi"
grep -q '^fstab' "$T/etc/images.d/mpi.conf" && { echo "Bail out! melee-image import wrote an fstab line: $(cat "$T/etc/images.d/mpi.conf")"; exit 1; }
echo "fstab = $T/etc/fstab-mpi" >> "$T/etc/images.d/mpi.conf"

install_auto_up_helper
slurm2_start
ok $? "the two-node cluster is up (both nodes idle)"
for n in $NODES; do ok_cmd "melee-mounts up mpi on $n" on_node "$n" "$MELEE_MOUNTS" --config "$CONF" up mpi; done

out_dir=$T/out
mkdir -p "$out_dir"
chown "$ALICE_UID:$ALICE_GID" "$out_dir"
# expected LIB: the four ranks' lines, sorted (they arrive in any order);
# block distribution puts ranks 0 and 1 on melee-n1 (2 CPUs a node).
expected() {
	local r
	for r in 0 1 2 3; do
		echo "rank $r size 4 sum 4 host melee-n$((r / 2 + 1)) uid $ALICE_UID release 12 marker mpi-image lib $1"
	done
}

run as_alice timeout 60 srun --mpi=pmi2 -N2 -n4 --melee-image=mpi /opt/melee-test/hello-mpich
is "$rc:$(printf '%s\n' "$out" | sort)" "0:$(expected MPICH)" \
	"srun --mpi=pmi2 -N2 -n4 --melee-image=mpi hello: one communicator of 4 on both nodes, allreduce 4, as alice, in the image"

# The plugin's refusal pipe (slurm/melee-spank.c) is open in every task of
# a step over several nodes until its exec: close-on-exec, the program
# never holds it (ls lists the fds of the shell, which waits for it).
run as_alice timeout 60 srun -N2 -n2 --melee-image=mpi sh -c 'ls /proc/$$/fd; true'
is "$rc:$(printf '%s\n' "$out" | sort | tr '\n' ' ')" "0:0 0 1 1 2 2 " "the two tasks of a step over two nodes have no fd but their stdio"

cat > "$out_dir/job.sh" <<'J'
#!/bin/sh
#SBATCH --nodes=2 --ntasks=4
srun --mpi=pmi2 --melee-image=mpi /opt/melee-test/hello-mpich
J
chmod 755 "$out_dir/job.sh"
id=$(as_alice timeout 90 sbatch --wait --parsable --output="$out_dir/batch" "$out_dir/job.sh")
ok $? "sbatch of a script with #SBATCH --nodes=2 --ntasks=4 and srun --mpi=pmi2 --melee-image=mpi inside completes"
is "$(job_state "$id"):$(sort "$out_dir/batch")" "COMPLETED:$(expected MPICH)" "its output: the same four ranks on both nodes"

# PMIx: Debian's Slurm ships mpi_pmix, which dlopens libpmix.so (from
# libpmix-dev, tests/deps.txt); Open MPI in the image is a PMIx client.
# srun --mpi=list prints "MPI plugin types are..." and a tab-indented
# name a line.
plugins=$(srun --mpi=list 2>&1 | sed -n 's/^\t//p' | tr '\n' ' ')
if printf '%s\n' "$plugins" | grep -qw pmix; then
	run as_alice timeout 60 srun --mpi=pmix -N2 -n4 --melee-image=mpi /opt/melee-test/hello-openmpi
	is "$rc:$(printf '%s\n' "$out" | sort)" "0:$(expected Open)" \
		"srun --mpi=pmix -N2 -n4 --melee-image=mpi hello (Open MPI): one communicator of 4 on both nodes, nothing else printed (no PMIX ERROR)"
else
	echo "# srun --mpi=list offers no pmix here (plugins: $plugins): the PMIx run is not done"
fi

# A rank refused on one node: melee-n2 alone reads a melee.conf where mpi
# is bob's (a bind in melee-n2's mount namespace, as each node of a
# cluster has its own /etc/melee).  The ranks on melee-n1 are in MPI_Init
# waiting for the others: the step must still end, with the reason.
sed 's/^\[image mpi\]$/&\nallow-users = bob/' "$T/etc/images.d/mpi.conf" > "$T/work/mpi-n2.conf"
chmod 644 "$T/work/mpi-n2.conf"
ok_cmd "melee-n2's own mpi.conf allows bob only" on_node melee-n2 mount --bind "$T/work/mpi-n2.conf" "$T/etc/images.d/mpi.conf"
start=$(date +%s)
run as_alice timeout 60 srun --mpi=pmi2 -N2 -n4 --melee-image=mpi /opt/melee-test/hello-mpich
took=$(( $(date +%s) - start ))
ok $(( rc != 0 && rc != 124 ? 0 : 1 )) "mpi refused on melee-n2: srun -N2 -n4 ends, failed (status $rc, not timeout's 124)"
ok $(( took < 20 ? 0 : 1 )) "within seconds ($took s), not at a timeout"
like "$out" "^melee: you may not use image mpi \\(allowed users: bob\\)" "with the reason from melee-n2 in srun's output"
unlike "$out" "sum 4" "no communicator of 4 was made"
like "$(cat "$S/log/slurmd.melee-n2.log")" "error: melee: job [0-9]+: you may not use image mpi" "melee-n2's slurmd log has the refusal"
like "$(cat "$S/log/slurmd.melee-n2.log")" "error: melee: job ([0-9]+): a task could not enter its image here: cancelling step \1\.0 on every node" \
	"and that melee-n2 cancelled the step"
ok_cmd "melee-n2's mpi.conf is the shared one again" on_node melee-n2 umount "$T/etc/images.d/mpi.conf"
wait_for 10 nodes_idle
ok $? "both nodes idle again, neither drained: $(sinfo -h -N -o '%N %T' | tr '\n' ' ')"

# The same when the task itself fails to enter (mpi down on melee-n2,
# auto-up = no): slurmstepd learns it only from the task.
ok_cmd "melee-mounts down mpi on melee-n2" on_node melee-n2 "$MELEE_MOUNTS" --config "$CONF" down mpi
start=$(date +%s)
run as_alice timeout 60 srun --mpi=pmi2 -N2 -n4 --melee-image=mpi /opt/melee-test/hello-mpich
took=$(( $(date +%s) - start ))
ok $(( rc != 0 && rc != 124 && took < 20 ? 0 : 1 )) "mpi down on melee-n2: srun -N2 -n4 fails within seconds (status $rc, $took s)"
like "$out" "^melee: image mpi is not prepared \($IMAGES/mpi/proc is not mounted\)" "with the reason in srun's output"
wait_for 10 nodes_idle
ok $? "both nodes idle again: $(sinfo -h -N -o '%N %T' | tr '\n' ' ')"

# The image as one squashfs file (melee-image pack), mounted on melee-n1
# by hand and by auto-up on melee-n2 for the job.  Packing takes minutes
# (a 900 MB tree, zstd): the file is cached beside the image's tarball,
# keyed by the tarball's mtime and this script (it writes hello and the
# marker into the tree).
sqsh_base=$IMAGE_CACHE/bookworm-amd64-minbase-$(printf '%s' "$MPI_PACKAGES" | tr ',' '+')
sqsh_cache=$sqsh_base-hello-$({ stat -c %Y "$sqsh_base.tar"; cat "$top_srcdir/tests/integration/slurm-mpi-two-nodes.sh"; } | sha256sum | cut -c1-12).sqsh
start=$(date +%s)
if [ -s "$sqsh_cache" ]; then
	cp "$sqsh_cache" "$SRV/mpi.sqsh" && chmod 644 "$SRV/mpi.sqsh"
	ok $? "$SRV/mpi.sqsh from the cache ($sqsh_cache, made by melee-image pack)"
else
	run mi pack mpi "$SRV/mpi.sqsh"
	is "$rc" 0 "melee-image pack mpi writes $SRV/mpi.sqsh in $(( $(date +%s) - start )) s ($(printf '%s\n' "$out" | tail -n 1))"
	# Only the newest is kept (the older ones are of older scripts).
	rm -f "$sqsh_base"-hello-*.sqsh
	cp "$SRV/mpi.sqsh" "$sqsh_cache.tmp.$$" && mv "$sqsh_cache.tmp.$$" "$sqsh_cache"
fi
add_file_image mpisq "$SRV/mpi.sqsh"
write_config "auto-up = yes"
ok_cmd "melee-mounts up mpisq on melee-n1" on_node melee-n1 "$MELEE_MOUNTS" --config "$CONF" up mpisq
run on_node melee-n2 "$MELEE_MOUNTS" --config "$CONF" status mpisq
ok $(( rc != 0 ? 0 : 1 )) "mpisq is not mounted on melee-n2 before the job (status $rc)"
is "$(on_node melee-n2 awk -v p="$IMAGES/mpisq" '$5 == p' /proc/self/mountinfo)" "" "nothing on $IMAGES/mpisq in melee-n2's mount table"
run as_alice timeout 90 srun --mpi=pmi2 -N2 -n4 --melee-image=mpisq /opt/melee-test/hello-mpich
is "$rc:$(printf '%s\n' "$out" | sort)" "0:$(expected MPICH)" \
	"srun --mpi=pmi2 -N2 -n4 --melee-image=mpisq (squashfs): one communicator of 4 on both nodes"
is "$(auto_up_runs)" 1 "auto-up ran once (on melee-n2)"
like "$(cat "$S/log/slurmd.melee-n2.log")" "melee: job [0-9]+: auto-up: image mpisq was not prepared" "melee-n2's slurmd log says auto-up prepared mpisq"
ok_cmd "mpisq is up on melee-n2 after the job" on_node melee-n2 "$MELEE_MOUNTS" --config "$CONF" status mpisq

for n in $NODES; do
	on_node "$n" "$MELEE_MOUNTS" --config "$CONF" down mpisq mpi >/dev/null 2>&1
done
done_testing
