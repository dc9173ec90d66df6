#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# libnss_melee gives USER+IMAGE only to people: base users whose uid is
# in UID_MIN..UID_MAX of the host's login.defs (a login.defs of this
# namespace's own: 1501..1502, so that alice and bob sit on its edges).
# root, daemon, nobody and the uids just outside the range get NOTFOUND
# for passwd, shadow and initgroups.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

setup_accounts
echo 'below:x:1500:1500:Below:/home/below:/bin/sh' >> "$T/work/passwd"
echo 'above:x:1503:1503:Above:/home/above:/bin/sh' >> "$T/work/passwd"
printf 'below:x:1500:\nabove:x:1503:\n' >> "$T/work/group"
for u in alice bob below above; do echo "$u:!:19000:0:99999:7:::"; done > "$T/work/shadow"
grep -v '^\(alice\|bob\|below\|above\):' /etc/shadow >> "$T/work/shadow"
chmod 640 "$T/work/shadow"
mount --bind "$T/work/shadow" /etc/shadow
printf 'passwd: files melee\ngroup: files melee\nshadow: files melee\nhosts: files\n' > "$T/work/nsswitch.conf"
mount --bind "$T/work/nsswitch.conf" /etc/nsswitch.conf
printf '# test\nUID_MIN\t\t1501\nUID_MAX 1502\nGID_MIN 1000\n' > "$T/work/login.defs"
chmod 644 "$T/work/login.defs"
mount --bind "$T/work/login.defs" /etc/login.defs
write_config
add_image demo
bind_etc_melee
export LD_LIBRARY_PATH=$top_builddir/nss_melee/.libs
SO=$LD_LIBRARY_PATH/libnss_melee.so.2
L=$top_builddir/tests/nss-lookup

is "$(getent passwd alice+demo | cut -d: -f1,3)" "alice+demo:1501" "alice (uid 1501 = UID_MIN) has alice+demo"
is "$(getent passwd bob+demo | cut -d: -f1,3)" "bob+demo:1502" "bob (uid 1502 = UID_MAX) has bob+demo"
is "$(getent shadow bob+demo | cut -d: -f1)" "bob+demo" "and its shadow entry"
for u in root daemon nobody below above; do
	getent passwd "$u" >/dev/null || { ok 1 "$u exists on the test host"; continue; }
	getent passwd "$u+demo" >/dev/null; is "$?" "2" "getent passwd $u+demo: NOTFOUND ($u is uid $(id -u "$u"))"
	getent shadow "$u+demo" >/dev/null; is "$?" "2" "getent shadow $u+demo: NOTFOUND"
	is "$(getent initgroups "$u+demo" | tr -s ' ')" "$u+demo " "getent initgroups $u+demo: no groups"
	is "$($L initgroups "$SO" "$u+demo" "$(id -g "$u")")" "status 0" "initgroups_dyn($u+demo) in the module itself: NOTFOUND"
done

# login.defs decides who is a person, so only root may have written it;
# one that cannot be trusted or read answers NOTFOUND for everyone.
chmod 664 "$T/work/login.defs"
getent passwd alice+demo >/dev/null; is "$?" "2" "a group-writable login.defs: alice+demo NOTFOUND too (fails closed)"
chmod 644 "$T/work/login.defs"
chown 1501 "$T/work/login.defs"
getent passwd alice+demo >/dev/null; is "$?" "2" "a login.defs owned by a user: NOTFOUND"
chown 0 "$T/work/login.defs"
# With shadow's defaults (1000..60000, no UID_ keys): 'above' (1503) is a person.
printf 'MAIL_DIR /var/mail\n' > "$T/work/login.defs"
is "$(getent passwd above+demo | cut -d: -f1,3)" "above+demo:1503" "login.defs without UID_MIN/UID_MAX: shadow's 1000..60000"
getent passwd nobody+demo >/dev/null; is "$?" "2" "and nobody (65534) is still NOTFOUND"
# Every lookup of a suffixed name reads login.defs once, and a suffix
# that is no image none at all (the module is on every process's path).
defs_opens() { strace -f -qq -e trace=open,openat -e signal=none "$@" 2>&1 >/dev/null | grep -c '"/etc/login.defs"'; }
is "$(defs_opens getent passwd alice+demo)" "1" "getent passwd alice+demo reads login.defs once"
is "$(defs_opens getent initgroups alice+demo)" "1" "getent initgroups alice+demo reads login.defs once"
is "$(defs_opens getent passwd alice+nosuchimage)" "0" "alice+nosuchimage: login.defs is not read"
done_testing
