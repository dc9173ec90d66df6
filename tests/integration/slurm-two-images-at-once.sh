#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Two jobs in two different images run at the same time on one node and
# each sees its own image: each job announces itself in the shared /tmp
# and waits until the other one has too, so both are provably running at
# once.  One srun pair, one sbatch pair.  Real Slurm.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/slurm-lib.sh" || exit 1

images_up img1 img2
slurm_start
ok $? "the cluster is up"

# /tmp is shared by the host and both images (etc/melee/fstab).
meet=$(mktemp -d /tmp/melee-slurm-meet.XXXXXX)
at_exit "rm -rf '$meet'"
chmod 1777 "$meet"

# The job: print the marker, say "here", wait up to 30 s for the other.
job='cat /marker; touch "$0/$1"; i=0; while [ ! -e "$0/$2" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done; [ -e "$0/$2" ] && echo met'

as_alice timeout 60 srun --melee-image=img1 sh -c "$job" "$meet" a b > "$T/work/a.out" 2>&1 &
pa=$!
as_alice timeout 60 srun --melee-image=img2 sh -c "$job" "$meet" b a > "$T/work/b.out" 2>&1 &
pb=$!
wait $pa
ra=$?
wait $pb
rb=$?
is "$ra/$rb" "0/0" "two srun jobs in two images both succeed"
is "$(cat "$T/work/a.out")" "melee-fixture:img1
met" "the img1 job saw img1 while the img2 job was running"
is "$(cat "$T/work/b.out")" "melee-fixture:img2
met" "the img2 job saw img2 while the img1 job was running"

out=$T/out
mkdir -p "$out"
chown "$ALICE_UID:$ALICE_GID" "$out"
rm -f "$meet"/*
ja=$(as_alice sbatch --parsable --output="$out/a" --melee-image=img1 --wrap "sh -c '$job' '$meet' c d")
jb=$(as_alice sbatch --parsable --output="$out/b" --melee-image=img2 --wrap "sh -c '$job' '$meet' d c")
wait_for 60 job_done "$ja"
wait_for 60 job_done "$jb"
is "$(job_state "$ja")/$(job_state "$jb")" "COMPLETED/COMPLETED" "two batch jobs in two images both complete"
is "$(cat "$out/a")" "melee-fixture:img1
met" "the img1 batch job met the img2 one and saw img1"
is "$(cat "$out/b")" "melee-fixture:img2
met" "the img2 batch job met the img1 one and saw img2"

done_testing
