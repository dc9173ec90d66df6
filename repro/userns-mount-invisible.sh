#!/bin/bash
# Question: can an unprivileged user make a mount visible to root's walk
# through a user namespace?  alice makes a user+mount namespace and
# mounts a tmpfs on a directory of hers in the image's /var/tmp.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh" || exit 1
setup_accounts
write_config
add_image demo
D=$IMAGES/demo/var/tmp/u
as alice sh -c "mkdir -p $D && unshare -Urm sh -c 'mount -t tmpfs x $D && grep -c \" $D \" /proc/self/mountinfo && sleep 3'" &
sleep 1
echo "root's namespace sees: $(grep -c " $D " /proc/self/mountinfo) mount(s) at $D"
wait
ok 0 done
done_testing
