#!/bin/bash
# Outside this review's area (melee-image remove), noticed: a user's FUSE
# mount in an image's own /var/tmp; what does remove do?
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh" || exit 1
setup_accounts
mknod -m 666 "$T/fuse" c 10 229 && mount --bind "$T/fuse" /dev/fuse
write_config
add_image demo
A=$IMAGES/demo/var/tmp/a
as alice sh -c "mkdir -p $A/src $A/mnt && bindfs --no-allow-other $A/src $A/mnt"
PIDS="$PIDS $(pgrep --ns $$ --nslist mnt -u alice -n bindfs)"
run timeout 30 "$top_builddir/tools/melee-image/melee-image" --config "$CONF" remove demo
echo "remove rc=$rc"; echo "$out" | head -5
ls -d "$IMAGES/demo" 2>&1
ok 0 done
done_testing
