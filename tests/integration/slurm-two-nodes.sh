#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A batch job across two nodes: a real Slurm with slurmctld and two slurmd
# (melee-n1, melee-n2), each in its own network, UTS and mount namespace,
# one image directory shared, the image a squashfs file.  srun -N2 and
# sbatch -N2 (srun inside) run in the image on both nodes; with auto-up = yes a node where the image is
# not prepared prepares it; with auto-up = no the job fails at once with
# the message and neither node is drained.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/slurm-2node-lib.sh" || exit 1

setup_accounts
write_config "auto-up = no"
add_image demo
# The image of the jobs is one squashfs file in a shared directory, as a
# cluster keeps it (source = FILE); demo, a tree, is the broken one below.
. "$top_srcdir/tests/integration/squash-lib.sh"
make_squash sq "$SRV/sq.sqsh"
ok $? "the image sq is one squashfs file, $SRV/sq.sqsh"
add_file_image sq "$SRV/sq.sqsh"
install_auto_up_helper
slurm2_start
ok $? "the two-node cluster is up (both nodes idle)"
for n in $NODES; do ok_cmd "melee-mounts up sq on $n" on_node "$n" "$MELEE_MOUNTS" --config "$CONF" up sq; done
run mm status sq
ok $(( rc != 0 ? 0 : 1 )) "the test's own namespace has sq down: each node's mounts are its own"

out_dir=$T/out
mkdir -p "$out_dir"
chown "$ALICE_UID:$ALICE_GID" "$out_dir"
both="melee-fixture:sq
melee-fixture:sq
melee-n1
melee-n2"
# sorted: the two tasks' lines arrive in any order.
run as_alice timeout 60 srun -N2 --melee-image=sq sh -c 'hostname; cat /marker'
is "$rc:$(printf '%s\n' "$out" | sort)" "0:$both" "srun -N2 --melee-image=sq: both hostnames, and the image's marker twice"

cat > "$out_dir/job.sh" <<'J'
#!/bin/sh
srun --quiet --melee-image=sq sh -c 'hostname; cat /marker'
J
chmod 755 "$out_dir/job.sh"
id=$(as_alice timeout 90 sbatch -N2 --wait --parsable --output="$out_dir/batch" "$out_dir/job.sh")
ok $? "sbatch -N2 with srun --melee-image inside completes"
is "$(job_state "$id"):$(sort "$out_dir/batch")" "COMPLETED:$both" "its output: both hostnames and the marker twice"

# melee-n2 loses the image: with auto-up = no the job fails at once.
ok_cmd "melee-mounts down sq on melee-n2" on_node melee-n2 "$MELEE_MOUNTS" --config "$CONF" down sq
run as_alice timeout 60 srun -N2 --melee-image=sq sh -c 'hostname; cat /marker'
ok $(( rc != 0 && rc != 124 ? 0 : 1 )) "auto-up = no, sq down on melee-n2: srun -N2 fails at once (status $rc, not timeout's 124)"
like "$out" "^melee: image sq is not prepared \\($IMAGES/sq/proc is not mounted\\); run 'melee-mounts up sq' as root" \
	"with the message in the job's stderr"
is "$(auto_up_runs)" "0" "melee-mounts was not run"
like "$(cat "$S/log/slurmd.melee-n2.log")" "error: melee: job [0-9]+: image sq is not prepared" "melee-n2's slurmd log has the refusal"
sleep 1
is "$(sinfo -h -N -o '%N %T' | sort | tr '\n' ' ')" "melee-n1 idle melee-n2 idle " "neither node is drained (sinfo)"

# auto-up = yes: melee-n2 prepares the image itself, melee-n1 runs nothing.
write_config "auto-up = yes"
run as_alice timeout 60 srun -N2 --melee-image=sq sh -c 'hostname; cat /marker'
is "$rc:$(printf '%s\n' "$out" | sort)" "0:$both" "auto-up = yes, sq down on melee-n2: srun -N2 lands on both nodes"
is "$(auto_up_runs)" "1" "melee-mounts ran once (on melee-n2 only)"
ok_cmd "sq is up on melee-n2 afterwards" on_node melee-n2 "$MELEE_MOUNTS" --config "$CONF" status sq
like "$(cat "$S/log/slurmd.melee-n2.log")" "melee: job [0-9]+: auto-up: image sq was not prepared: ran '$AUTO_UP_PATH --config $CONF up sq'" \
	"melee-n2's slurmd log says what was run"
seen=$(ls "$AUTO_UP_SEEN"/*.env)
is "$(tr '\0' '\n' < "$seen")" "PATH=/usr/sbin:/usr/bin:/sbin:/bin" "the helper got a clean environment (nothing of slurmstepd's or the job's)"

# A failing up on melee-n2 (a mountpoint that is a symlink) fails the job
# with the helper's message; nothing is drained.
for n in $NODES; do ok_cmd "melee-mounts down sq on $n" on_node "$n" "$MELEE_MOUNTS" --config "$CONF" down sq; done
wait_for 5 no_loops_of "$SRV/sq.sqsh"
ok $? "no loop device left for $SRV/sq.sqsh on either node"
rmdir "$IMAGES/demo/tmp" && ln -s /etc "$IMAGES/demo/tmp"
run as_alice timeout 60 srun -N2 --melee-image=demo touch /ran
ok $(( rc != 0 && rc != 124 ? 0 : 1 )) "auto-up = yes and a broken image: srun fails (status $rc)"
like "$out" "^melee: image demo is not prepared, and auto-up's '$AUTO_UP_PATH up demo' failed \\(exit status 1\\): melee-mounts: .*tmp.*symlink" \
	"with the helper's first line in the job's stderr"
rm "$IMAGES/demo/tmp" && mkdir -m 1777 "$IMAGES/demo/tmp"
sleep 1
is "$(sinfo -h -N -o '%N %T' | sort | tr '\n' ' ')" "melee-n1 idle melee-n2 idle " "neither node is drained (sinfo)"

done_testing
