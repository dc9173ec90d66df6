#!/bin/bash
# Attack: a user's FUSE mount (allow_other, daemon stopped) on a
# directory of theirs inside the image's own tree (its /var/tmp, 1777),
# for images with nosuid = yes and without: does any melee-mounts verb
# hang or touch it?
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh" || exit 1
setup_accounts
setup_home
mknod -m 666 "$T/fuse" c 10 229 && mount --bind "$T/fuse" /dev/fuse
echo user_allow_other > /etc/fuse.conf
write_config
add_image demo
add_image ns "nosuid = yes"
for im in demo ns; do
	as alice sh -c "mkdir -p $IMAGES/$im/var/tmp/a/src $IMAGES/$im/var/tmp/a/mnt && bindfs -o allow_other $IMAGES/$im/var/tmp/a/src $IMAGES/$im/var/tmp/a/mnt"
done
sleep 1.5
for p in $(pgrep --ns $$ --nslist mnt -u alice bindfs); do kill -STOP $p; at_exit "kill -CONT $p"; done
t() { local s=$(date +%s); run timeout 15 "$MELEE_MOUNTS" --config "$CONF" "$@"; echo "$* -> rc=$rc in $(( $(date +%s) - s )) s: $(echo "$out" | head -3)"; }
t up demo ns
t status
t check demo ns
t down demo ns
echo "the user's mounts in the image trees: $(grep -c ' - fuse ' /proc/self/mountinfo)"
PIDS="$PIDS $(pgrep --ns $$ --nslist mnt bindfs | tr "\n" " ")" # every bindfs of this namespace, for cleanup
ok 0 done
done_testing
