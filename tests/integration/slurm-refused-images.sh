#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A job whose image cannot be used (unknown, forbidden, unprepared, unsafe,
# or a name that is no name) fails at once: the reason is in the job's
# stderr and in slurmd's log, nothing runs on the host, and the node stays
# idle (neither drained nor busy).  srun and sbatch.  Real Slurm.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/slurm-lib.sh" || exit 1

images_up good
add_image forbidden "allow-users = bob"
add_image unsafe
add_image unprep
mm up forbidden unsafe >/dev/null
slurm_start env=yes
ok $? "the cluster is up"

out=$T/out
mkdir -p "$out"
chown "$ALICE_UID:$ALICE_GID" "$out"

# refused IMAGE-OPTION MESSAGE-PATTERN DESCRIPTION: srun as alice must fail
# within 10 s, print the message, and must not run the command (which
# would leave a file behind).
refused() {
	local start end rc err
	rm -f "$out/ran"
	start=$(date +%s%N)
	err=$(as_alice timeout 60 srun "$1" touch "$out/ran" 2>&1)
	rc=$?
	end=$(date +%s%N)
	[ $rc -ne 0 ] && [ $rc -ne 124 ]
	ok $? "$3: srun fails (status $rc)"
	ok $(( (end - start) / 1000000 < 10000 ? 0 : 1 )) "$3: within seconds ($(( (end - start) / 1000000 )) ms)"
	like "$err" "^melee: $2" "$3: the reason is in the job's stderr"
	[ ! -e "$out/ran" ]
	ok $? "$3: the command did not run"
}

refused --melee-image=nosuch "unknown image 'nosuch'" "unknown image"
refused --melee-image=forbidden "you may not use image forbidden \\(allowed users: bob\\)" "forbidden image"
refused --melee-image=unprep "image unprep is not prepared .*run 'melee-mounts up unprep'" "unprepared image"
chmod 775 "$IMAGES/unsafe"
refused --melee-image=unsafe "$IMAGES/unsafe: group- or world-writable" "unsafe image path"
chmod 755 "$IMAGES/unsafe"

log=$(cat "$S/log/slurmd.log")
like "$log" "error: melee: job [0-9]+: unknown image 'nosuch'" "slurmd's log has the unknown image, with the job id"
like "$log" "error: melee: job [0-9]+: you may not use image forbidden" "slurmd's log has the refusal"
like "$log" "error: melee: job [0-9]+: image unprep is not prepared" "slurmd's log has the unprepared image"

# env=yes: a bad MELEE_IMAGE from the environment fails the same way.
err=$(as_alice env MELEE_IMAGE=nosuch timeout 60 srun true 2>&1)
ok $(( $? != 0 ? 0 : 1 )) "env=yes: MELEE_IMAGE=nosuch fails the job"
like "$err" "^melee: unknown image 'nosuch'" "with the message"
err=$(as_alice env MELEE_IMAGE=../../etc timeout 60 srun true 2>&1)
like "$err" "^melee: MELEE_IMAGE in the job's environment is not an image name" \
	"env=yes: a MELEE_IMAGE that is no name is refused"

# Not a name: srun refuses to submit at all.  The jobs above leave the
# queue first (a job ends COMPLETING for a moment after srun returns).
wait_for 30 sh -c '[ -z "$(squeue -h)" ]' || echo "# jobs still queued: $(squeue -h | tr '\n' ' ')"
err=$(as_alice timeout 60 srun --melee-image=../../etc true 2>&1)
ok $(( $? != 0 ? 0 : 1 )) "--melee-image=../../etc: srun refuses"
like "$err" "'../../etc' is not an image name" "saying why"
is "$(squeue -h | wc -l)" "0" "no job was queued for it"

# sbatch: the batch job fails, its output file has the reason.
start=$(date +%s)
id=$(as_alice timeout 60 sbatch --wait --parsable --output="$out/batch" --melee-image=nosuch --wrap "touch $out/ran")
end=$(date +%s)
is "$(job_state "$id")" FAILED "sbatch --melee-image=nosuch: the job FAILED"
ok $(( end - start < 20 ? 0 : 1 )) "at once ($((end - start)) s, sbatch --wait polls)"
like "$(cat "$out/batch")" "^melee: unknown image 'nosuch'" "the job's output file has the reason"
[ ! -e "$out/ran" ]
ok $? "the batch script did not run"
id=$(as_alice timeout 60 sbatch --wait --parsable --output="$out/batch2" --melee-image=forbidden --wrap "touch $out/ran")
is "$(job_state "$id")" FAILED "sbatch --melee-image=forbidden: the job FAILED"
like "$(cat "$out/batch2")" "^melee: you may not use image forbidden" "with the reason in its output"

# The node is neither drained nor busy, and still runs jobs.
is "$(node_state)" "idle" "the node is idle after all the failures"
is "$(sinfo -h -R | wc -l)" "0" "no node has a drain reason"
out2=$(as_alice timeout 60 srun --melee-image=good cat /marker 2>&1)
is "$out2" "melee-fixture:good" "and the next job in a good image runs"

done_testing
