#!/bin/bash
# Attack: a user's allow_other FUSE mounts (in /home and /run/user, both
# rbound into images) with their daemon stopped (SIGSTOP): does any verb
# of melee-mounts hang on them?
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh" || exit 1
setup_accounts
setup_home
mount --make-shared /home
mknod -m 666 "$T/fuse" c 10 229 && mount --bind "$T/fuse" /dev/fuse
echo user_allow_other > /etc/fuse.conf
write_config
add_image demo "gpu = none"
I=$IMAGES/demo
as alice sh -c 'mkdir -p ~/src ~/mnt && bindfs -o allow_other ~/src ~/mnt'
pid=$(pgrep --ns $$ --nslist mnt -u alice bindfs)
sleep 2; kill -STOP $pid
t() { local s=$(date +%s); run timeout 15 "$MELEE_MOUNTS" --config "$CONF" "$@"; echo "$* -> rc=$rc in $(( $(date +%s) - s )) s: $(echo "$out" | head -3)"; }
t up demo
t status demo
t check demo
t down demo
t up demo
t --lazy down demo
kill -CONT $pid; fusermount -u /home/alice/mnt
mm --lazy down demo >/dev/null
PIDS="$PIDS $(pgrep --ns $$ --nslist mnt bindfs | tr "\n" " ")" # every bindfs of this namespace, for cleanup
ok 0 done
done_testing
