#!/bin/bash
# Attack: a user's FUSE mount (propagated into the image's /home copy)
# whose parent directory the user then moves deep into their home, so
# that its path is longer than PATH_MAX (and than down's 8192-byte
# buffer).  Does `down` still take the image down?
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh" || exit 1
setup_accounts
setup_home
mount --make-shared /home
mknod -m 666 "$T/fuse" c 10 229 && mount --bind "$T/fuse" /dev/fuse
write_config
add_image demo
I=$IMAGES/demo
mm up demo >/dev/null
as alice sh -c 'mkdir -p ~/src ~/m/mnt && bindfs --no-allow-other ~/src ~/m/mnt'
PIDS="$PIDS $(pgrep --ns $$ --nslist mnt -u alice -n bindfs)"
# ~/d/dddd.../dddd... (40 x 250 characters), built by relative steps
as alice bash -c 'cd ~ && mkdir d && cd d && n=$(printf "%0250d" 0); for i in $(seq 40); do mkdir $n && cd $n; done; mv ~/m .'
echo "mount path length: $(awk '/ - fuse /{ print length($5) }' /proc/self/mountinfo | sort -n | tail -1)"
run mm down demo; echo "down rc=$rc"; echo "$out" | cut -c1-200
echo "left below the image: $(mounted_below "$I" | wc -l)"
run mm --lazy down demo; echo "lazy down rc=$rc"; echo "$out" | cut -c1-200
echo "left below the image: $(mounted_below "$I" | wc -l)"
PIDS="$PIDS $(pgrep --ns $$ --nslist mnt bindfs | tr "\n" " ")" # every bindfs of this namespace, for cleanup
ok 0 done
done_testing
