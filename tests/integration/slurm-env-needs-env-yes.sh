#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Without the plugstack argument env=yes, MELEE_IMAGE in the submit
# environment chooses nothing: the job runs on the host; --melee-image
# still works.  Real Slurm.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/slurm-lib.sh" || exit 1

images_up img1
slurm_start
ok $? "the cluster is up, plugstack.conf without env=yes"

out=$(as_alice env MELEE_IMAGE=img1 timeout 60 srun sh -c 'cat /marker 2>&1; echo "image=${MELEE_IMAGE:-}"' 2>&1)
like "$out" "No such file" "MELEE_IMAGE=img1 alone: the job has no /marker, it runs on the host"
like "$out" "^image=img1$" "(the variable itself is passed through untouched)"

out=$(as_alice env MELEE_IMAGE=nosuch timeout 60 srun true 2>&1)
ok $? "MELEE_IMAGE=nosuch alone does not fail the job"
is "$out" "" "and prints nothing"

out=$(as_alice timeout 60 srun --melee-image=img1 cat /marker 2>&1)
is "$out" "melee-fixture:img1" "--melee-image=img1 still runs in the image"

done_testing
