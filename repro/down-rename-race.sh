#!/bin/bash
# Attack: a user's FUSE mount at ~/p/mnt (propagated into the image's
# /home copy) while the user swaps ~/p with an empty ~/q in a loop
# (renameat2 RENAME_EXCHANGE).  down reads the mount table once: by the
# time it unmounts, the path it read may lead to ~/q/mnt, no mount.  The
# mount id check keeps down from touching anything else; does down
# still take the image down, or fail and leave the image's /home?
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh" || exit 1
setup_accounts
setup_home
mount --make-shared /home
mknod -m 666 "$T/fuse" c 10 229 && mount --bind "$T/fuse" /dev/fuse
write_config
add_image demo
I=$IMAGES/demo
gcc -O2 -o "$T/xl" "$(dirname "$0")/exchange-loop.c" && chmod 755 "$T/xl"
as alice sh -c 'mkdir -p ~/src ~/p/mnt ~/q/mnt && bindfs --no-allow-other ~/src ~/p/mnt'
setpriv --reuid=1501 --regid=1501 --clear-groups "$T/xl" /home/alice/p /home/alice/q & PIDS="$PIDS $!"
fails=0; lazyfails=0
for i in $(seq 1 ${N:-20}); do
	mm up demo >/dev/null
	run mm down demo
	[ "$rc" = 0 ] || { fails=$((fails + 1)); [ $fails = 1 ] && echo "$out"; }
	[ -z "$(mounted_below "$I")" ] || mm --lazy down demo >/dev/null
done
echo "plain down failed $fails of ${N:-20} times"
for i in $(seq 1 ${N:-20}); do
	mm up demo >/dev/null
	run mm --lazy down demo
	[ "$rc" = 0 ] || { lazyfails=$((lazyfails + 1)); [ $lazyfails = 1 ] && echo "$out"; }
done
echo "--lazy down failed $lazyfails of ${N:-20} times"
PIDS="$PIDS $(pgrep --ns $$ --nslist mnt bindfs | tr "\n" " ")" # every bindfs of this namespace, for cleanup
ok 0 done
done_testing
