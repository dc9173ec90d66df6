#!/bin/bash
# Attack: an image (imported from a source the attacker controls) whose
# /etc is a symlink into a host directory shared with the image (/home):
# does root's accounts merge read a file the attacker cannot read?
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh" || exit 1
setup_accounts
setup_home
write_config
add_image demo "accounts = merge"
I=$IMAGES/demo
# bob's private directory with a file called passwd
mkdir -p /home/bob/private; printf 'secret:x:4242:4242:BOBS-SECRET:/:/bin/sh\n' > /home/bob/private/passwd
cp /home/bob/private/passwd /home/bob/private/group
chown -R bob /home/bob/private; chmod 700 /home/bob/private
mm up demo >/dev/null; echo "first up rc=$?"
mv "$I/etc" "$I/etc.real"; ln -s /home/bob/private "$I/etc"
run mm check demo; echo "check rc=$rc"; echo "$out"
run mm up demo; echo "up rc=$rc"; echo "$out"
run mm status demo; echo "$out"
grep -c SECRET /run/melee/demo/passwd && echo "LEAK: merged passwd has bob's line"
ok 0 done
done_testing
