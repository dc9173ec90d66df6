#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# sbatch --melee-image runs the batch script inside the image: --wrap and a
# script file (with #SBATCH --melee-image), whose output file, opened by
# slurmstepd on the host, holds what the job printed inside the image.
# Without the option the batch job runs on the host.  Real Slurm.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/slurm-lib.sh" || exit 1

images_up img1 img2
slurm_start env=yes
ok $? "the cluster is up"

out=$T/out
mkdir -p "$out"
chown "$ALICE_UID:$ALICE_GID" "$out"

# sbatch_wait NAME ARGS...: submits as alice, waits for the end, prints the
# job id; the output goes to $out/NAME.
sbatch_wait() {
	local name=$1
	shift
	as_alice timeout 60 sbatch --wait --parsable --output="$out/$name" "$@"
}

id=$(sbatch_wait wrap --melee-image=img1 --wrap 'cat /marker; id -u; echo "image=$MELEE_IMAGE"; . /etc/os-release; echo "$ID"')
ok $? "sbatch --melee-image=img1 --wrap ... completes"
is "$(job_state "$id")" COMPLETED "the job's state is COMPLETED"
is "$(cat "$out/wrap")" "melee-fixture:img1
$ALICE_UID
image=img1
melee-fixture" "its output file holds what it printed inside the image, as alice"

cat > "$out/job.sh" <<'EOF'
#!/bin/sh
#SBATCH --melee-image=img2
cat /marker
echo "args: $*"
echo "0=$0"
EOF
chmod 755 "$out/job.sh"
id=$(sbatch_wait script "$out/job.sh" one "two words")
ok $? "a batch script with #SBATCH --melee-image=img2 completes"
is "$(head -n 2 "$out/script")" "melee-fixture:img2
args: one two words" "the script (kept in slurmd's spool on the host) ran inside img2 with its arguments"
like "$(tail -n 1 "$out/script")" "^0=/proc/self/fd/[0-9]+$" "it ran as /proc/self/fd/N (the fd opened before the chroot)"

id=$(sbatch_wait plain --wrap 'cat /marker 2>&1; . /etc/os-release; echo "$ID"')
host_id=$(. /etc/os-release; echo "$ID")
like "$(cat "$out/plain")" "No such file" "a batch job without the option has no /marker"
like "$(cat "$out/plain")" "^$host_id$" "it runs on the host"

id=$(as_alice env MELEE_IMAGE=img2 timeout 60 sbatch --wait --parsable --output="$out/env" --wrap 'cat /marker')
is "$(cat "$out/env")" "melee-fixture:img2" "env=yes: MELEE_IMAGE in sbatch's environment chooses the image"

# A step started by srun inside an allocation gets the allocation's option.
id=$(as_alice timeout 60 salloc --melee-image=img1 srun cat /marker 2>/dev/null)
is "$id" "melee-fixture:img1" "salloc --melee-image=img1 srun ...: the step runs in img1"

is "$(node_state)" "idle" "the node is idle afterwards"

done_testing
