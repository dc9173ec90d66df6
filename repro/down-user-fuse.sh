#!/bin/bash
# Attack: an ordinary user mounts a FUSE file system (bindfs through the
# setuid fusermount) in their home.  /home is shared on a systemd host,
# so the mount propagates into every up image's rslave copy of /home.
# Does root's `melee-mounts down` cope with a mount root cannot stat
# (FUSE without allow_other answers root EACCES)?
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh" || exit 1
setup_accounts
setup_home
mount --make-shared /home      # as systemd leaves / and everything below it
# /dev/fuse as Debian's udev leaves it (0666); this VM has it 0600.  Only
# in this namespace: a node of our own bound over it.
mknod -m 666 "$T/fuse" c 10 229 && mount --bind "$T/fuse" /dev/fuse
write_config
add_image demo
I=$IMAGES/demo
mm up demo >/dev/null; echo "up rc=$?"
as alice sh -c 'mkdir -p ~/src ~/mnt && echo hi > ~/src/f && bindfs --no-allow-other ~/src ~/mnt' ; echo "bindfs rc=$?"
grep -F " $I/home/alice/mnt " /proc/self/mountinfo | cut -d' ' -f1-10
stat "$I/home/alice/mnt" 2>&1 | head -2
run mm down demo; echo "down rc=$rc"; echo "$out"
mm up demo >/dev/null; run mm --lazy down demo; echo "lazy down rc=$rc"; echo "$out"
echo "left mounted below the image:"; mounted_below "$I"
run mm status demo; echo "$out"
fusermount -u /home/alice/mnt 2>/dev/null || umount -l /home/alice/mnt
mm --lazy down demo >/dev/null
PIDS="$PIDS $(pgrep --ns $$ --nslist mnt bindfs | tr "\n" " ")" # every bindfs of this namespace, for cleanup
ok 0 done
done_testing
