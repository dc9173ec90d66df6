#!/bin/bash
# Not an attack (the configuration is root's): an image named like one
# of melee-mounts' own entries in /run/melee (lock, gpu) with accounts =
# merge.  Is the name refused when the configuration is read, or only
# at up?
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh" || exit 1
setup_accounts
write_config
add_image lock
add_image gpu
run mm check lock gpu; echo "check rc=$rc"; echo "$out"
run mm up lock; echo "up lock rc=$rc"; echo "$out"
run mm up gpu; echo "up gpu rc=$rc"; echo "$out"; ls -la /run/melee /run/melee/gpu
mm --lazy down gpu lock >/dev/null
ok 0 done
done_testing
