#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# --melee-image reaches slurmstepd through the job's environment
# (_SLURM_SPANK_OPTION_melee_melee_image), where srun's own check of the
# name never ran: a value that is no name fails the job's tasks like every
# other refusal (reason in the job's stderr and, with the job id, in
# slurmd's log; nothing runs on the host; the node stays idle), and the
# value is logged printable, so that a newline cannot forge a log line.
# Real Slurm.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/slurm-lib.sh" || exit 1

images_up good
slurm_start
ok $? "the cluster is up"

out=$T/out
mkdir -p "$out"
chown "$ALICE_UID:$ALICE_GID" "$out"
VAR=_SLURM_SPANK_OPTION_melee_melee_image

err=$(as_alice env "$VAR=../../etc" timeout 60 srun touch "$out/ran" 2>&1); rc=$?
ok $(( rc != 0 && rc != 124 ? 0 : 1 )) "$VAR=../../etc: srun fails (status $rc)"
like "$err" "^melee: --melee-image: '\.\./\.\./etc' is not an image name$" "the reason is in the job's stderr"
[ ! -e "$out/ran" ]
ok $? "the command did not run on the host"
like "$(cat "$S/log/slurmd.log")" "error: melee: job [0-9]+: --melee-image: '\.\./\.\./etc' is not an image name" \
	"slurmd's log has the reason with the job id"

forged=$'x\nerror: FORGED LINE'
err=$(as_alice env "$VAR=$forged" timeout 60 srun touch "$out/ran" 2>&1); rc=$?
ok $(( rc != 0 && rc != 124 ? 0 : 1 )) "a value with a newline: srun fails (status $rc)"
like "$err" "^melee: --melee-image: 'x\?error: FORGED LINE' is not an image name$" "shown with '?' for the newline"
unlike "$(cat "$S/log/slurmd.log")" "^error: FORGED LINE" "no forged line in slurmd's log"
like "$(cat "$S/log/slurmd.log")" "job [0-9]+: --melee-image: 'x\?error: FORGED LINE' is not an image name" \
	"the log line has the value on one line"
[ ! -e "$out/ran" ]
ok $? "the command did not run"

id=$(as_alice env "$VAR=../../etc" timeout 60 sbatch --wait --parsable --output="$out/batch" --wrap "touch $out/ran")
is "$(job_state "$id")" FAILED "sbatch with the variable: the job FAILED"
like "$(cat "$out/batch")" "^melee: --melee-image: '\.\./\.\./etc' is not an image name$" "its output file has the reason"
[ ! -e "$out/ran" ]
ok $? "the batch script did not run"

# A valid name through the same variable still works, and the node is fine.
is "$(as_alice env "$VAR=good" timeout 60 srun cat /marker 2>&1)" "melee-fixture:good" "$VAR=good runs in the image"
# "completing" while slurmd finishes the last step; then idle, not
# drained or down.
wait_for 60 node_idle
is "$(node_state)" "idle" "the node is idle after the failures"
done_testing
