#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# srun --melee-image runs the task inside the image, as the submitting user,
# with its cwd resolved in the image; without the option the task runs on
# the host; with env=yes, MELEE_IMAGE of the submit environment chooses the
# image.  A real single-node Slurm (slurm-lib.sh).
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/slurm-lib.sh" || exit 1

images_up img1
add_image img2 "aliases = second"
add_image img32 "personality = linux32"
mm up img2 img32 >/dev/null
slurm_start env=yes
ok $? "munged, slurmctld and slurmd are up with melee.so in plugstack.conf"

# Only the SPANK entry points and the plugin_* symbols are exported.
syms=$(nm -D --defined-only "$top_builddir/slurm/melee.so" | awk '{ print $3 }' | sort | tr '\n' ' ')
is "$syms" "plugin_name plugin_type plugin_version slurm_spank_exit slurm_spank_init slurm_spank_init_post_opt slurm_spank_task_exit slurm_spank_task_init slurm_spank_task_init_privileged spank_plugin_version " \
	"melee.so exports only what SPANK needs"

like "$(as_alice srun --help 2>&1)" "--melee-image=NAME" "srun --help lists --melee-image"

out=$(as_alice timeout 60 srun --melee-image=img1 cat /marker 2>&1)
is "$out" "melee-fixture:img1" "srun --melee-image=img1 cat /marker prints the image's marker"

out=$(as_alice timeout 60 srun --melee-image=second cat /marker 2>&1)
is "$out" "melee-fixture:img2" "an alias names its image"

out=$(as_alice timeout 60 srun --melee-image=img1 sh -c 'id -u; id -g' 2>&1)
is "$out" "$ALICE_UID
$ALICE_GID" "the task runs as the submitting user alice, not root"

out=$(as_alice timeout 60 srun --melee-image=img1 whoami 2>&1)
is "$out" "alice" "inside the image alice's name resolves (merged accounts)"

# A relative path after the chdir: the job's cwd is looked up in the image.
out=$(as_alice timeout 60 srun --melee-image=img1 --chdir=/etc sh -c 'pwd; cat os-release' 2>&1)
like "$out" "^/etc" "the task's cwd is the job's cwd"
like "$out" "ID=melee-fixture" "the task's cwd resolves inside the image"

out=$(as_alice timeout 60 srun --melee-image=img32 uname -m 2>&1)
is "$out" "i686" "personality = linux32: uname -m in the task says i686"

out=$(as_alice timeout 60 srun --melee-image=img1 sh -c 'echo "$MELEE_IMAGE"' 2>&1)
is "$out" "img1" "the task has MELEE_IMAGE=img1 in its environment"

out=$(as_alice timeout 60 srun --melee-image=second sh -c 'echo "$MELEE_IMAGE"' 2>&1)
is "$out" "img2" "MELEE_IMAGE is the image's name, not the alias"

# Without the option (and without MELEE_IMAGE): the host.
out=$(as_alice env -u MELEE_IMAGE timeout 60 srun sh -c 'cat /marker 2>&1; . /etc/os-release; echo "$ID"; id -u' 2>&1)
like "$out" "No such file" "a job without --melee-image has no /marker: it runs on the host"
like "$out" "^$(. /etc/os-release; echo "$ID")$" "and sees the host's os-release"
like "$out" "^$ALICE_UID$" "and also runs as alice"

# env=yes: the submit environment's MELEE_IMAGE chooses the image.
out=$(as_alice env MELEE_IMAGE=img2 timeout 60 srun cat /marker 2>&1)
is "$out" "melee-fixture:img2" "env=yes: MELEE_IMAGE=img2 in the submit environment runs in img2"
out=$(as_alice env MELEE_IMAGE=img2 timeout 60 srun --melee-image=img1 cat /marker 2>&1)
is "$out" "melee-fixture:img1" "--melee-image wins over MELEE_IMAGE"

# Several tasks on the node: each enters the image.
out=$(as_alice timeout 60 srun -n 3 --melee-image=img1 cat /marker 2>&1)
is "$out" "melee-fixture:img1
melee-fixture:img1
melee-fixture:img1" "every task of a 3-task step runs in the image"

like "$(cat "$S/log/slurmd.log")" "melee: job [0-9]+: task entered image img1 \\($IMAGES/img1\\)" \
	"slurmd's log says which image each task entered"
# "completing" while slurmd finishes the last step; then idle, not
# drained or down.
wait_for 60 node_idle
is "$(node_state)" "idle" "the node is idle afterwards"

done_testing
