#!/bin/bash
# Attack: a user's FUSE mount with allow_other (a site with
# user_allow_other in /etc/fuse.conf, common for sshfs) propagates into
# the image's /home copy; the user then stops the FUSE daemon (SIGSTOP,
# their own process).  Does root's `melee-mounts down` hang in a getattr
# the daemon never answers, holding the lock every up waits for?
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh" || exit 1
setup_accounts
setup_home
mount --make-shared /home
mknod -m 666 "$T/fuse" c 10 229 && mount --bind "$T/fuse" /dev/fuse
echo user_allow_other > /etc/fuse.conf     # the test's private /etc overlay
write_config
add_image demo
I=$IMAGES/demo
mm up demo >/dev/null; echo "up rc=$?"
as alice sh -c 'mkdir -p ~/src ~/mnt && bindfs -o allow_other ~/src ~/mnt'; echo "bindfs rc=$?"
pid=$(pgrep --ns $$ --nslist mnt -u alice bindfs); echo "bindfs pid $pid"
sleep 2   # the attribute cache (1 s) runs out
kill -STOP $pid
start=$(date +%s)
run timeout 20 ${STRACE:-} "$MELEE_MOUNTS" --config "$CONF" down demo
echo "down rc=$rc after $(( $(date +%s) - start )) s (124: killed by timeout: it hung)"; echo "$out"
kill -CONT $pid
fusermount -u /home/alice/mnt
mm --lazy down demo >/dev/null
PIDS="$PIDS $(pgrep --ns $$ --nslist mnt bindfs | tr "\n" " ")" # every bindfs of this namespace, for cleanup
ok 0 done
done_testing
