#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# What libnss_melee answers when it cannot decide: only a real refusal
# (no MELEE here, no such image, not a person, not allowed) is NOTFOUND,
# which nscd caches and sshd logs as "Invalid user".  Out of memory is
# TRYAGAIN with ENOMEM; a configuration or login.defs that cannot be read
# or is refused (unsafe, a FIFO, a value that is no number) is UNAVAIL
# with a syslog line.  Faults are injected into the real process with
# strace (ENOMEM on the module's own opens); the status is what the
# module returns to glibc (nss-lookup status) and what getpwnam_r gives
# its caller.  login.defs values are read as shadow's useradd reads them.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

setup_accounts
for u in alice bob; do echo "$u:!:19000:0:99999:7:::"; done > "$T/work/shadow"
grep -v '^\(alice\|bob\):' /etc/shadow >> "$T/work/shadow"
chmod 640 "$T/work/shadow"
mount --bind "$T/work/shadow" /etc/shadow
printf 'passwd: files melee\ngroup: files melee\nshadow: files melee\nhosts: files\n' > "$T/work/nsswitch.conf"
mount --bind "$T/work/nsswitch.conf" /etc/nsswitch.conf
printf 'UID_MIN 1000\nUID_MAX 60000\n' > "$T/work/login.defs"
chmod 644 "$T/work/login.defs"
mount --bind "$T/work/login.defs" /etc/login.defs
write_config
add_image demo "aliases = dm"
add_image phys "allow-groups = physics"
bind_etc_melee
private_syslog
export LD_LIBRARY_PATH=$top_builddir/nss_melee/.libs
SO=$LD_LIBRARY_PATH/libnss_melee.so.2
L=$top_builddir/tests/nss-lookup
st() { timeout 10 "$L" status "$SO" "$@"; }
# ENOMEM on every open the module makes below PATH (the directory fd's
# children included): the real process, the real module.
enomem() { local p=$1; shift; timeout 10 strace -qq -o /dev/null -f -P "$p" -e trace=openat -e inject=openat:error=ENOMEM "$@"; }

is "$(st passwd alice+demo)" "SUCCESS" "alice+demo: SUCCESS"
for db in passwd shadow initgroups; do
	is "$(st $db bob+phys)" "NOTFOUND" "$db bob+phys (bob is not in physics): NOTFOUND, a refusal"
	is "$(st $db alice+nosuch)" "NOTFOUND" "$db alice+nosuch (no such image): NOTFOUND"
	is "$(st $db root+demo)" "NOTFOUND" "$db root+demo (not a person): NOTFOUND"
done

# Out of memory while reading the configuration, or login.defs.
for db in passwd shadow initgroups; do
	is "$(enomem /etc/melee "$L" status "$SO" $db alice+demo)" "TRYAGAIN ENOMEM" "$db alice+demo, ENOMEM reading /etc/melee: TRYAGAIN/ENOMEM, not NOTFOUND"
	is "$(enomem /etc/login.defs "$L" status "$SO" $db alice+demo)" "TRYAGAIN ENOMEM" "$db alice+demo, ENOMEM reading login.defs: TRYAGAIN/ENOMEM"
done
# What a program sees through glibc: getpwnam_r's error, not "not found".
like "$(enomem /etc/melee "$L" buffers alice+demo)" "Cannot allocate memory" "getpwnam_r(alice+demo) through glibc, ENOMEM in the module: the caller gets ENOMEM"
like "$(enomem /etc/melee "$L" buffers alice+nosuch)" "Cannot allocate memory" "the same for a name whose image is unknown: no configuration read, no answer"

# A refused configuration is no answer either.
chmod 664 "$CONF"
is "$(st passwd alice+demo)" "UNAVAIL EPERM" "a group-writable melee.conf: UNAVAIL/EPERM"
syslog_wait "libnss_melee: /etc/melee/melee.conf: group- or world-writable"
ok $? "with a syslog line naming the file and why"
chmod 644 "$CONF"
mv "$CONF" "$T/work/melee.conf.saved"
mkfifo -m 644 "$CONF"
is "$(st passwd alice+demo)" "UNAVAIL EINVAL" "melee.conf is a FIFO: UNAVAIL/EINVAL at once (timeout 10: no hang)"
syslog_wait "libnss_melee: /etc/melee/melee.conf: not a regular file \(refused: it is a FIFO\)"
ok $? "logged: not a regular file (it is a FIFO)"
rm "$CONF"
mv "$T/work/melee.conf.saved" "$CONF"

# login.defs as shadow's useradd reads it, through getent and the module.
printf 'UID_MIN "1502"\nUID_MAX "60000"\n' > "$T/work/login.defs"
getent passwd alice+demo >/dev/null; is "$?" "2" 'UID_MIN "1502" (quoted): alice (1501) is no person'
is "$(getent passwd bob+demo | cut -d: -f1,3)" "bob+demo:1502" 'and bob (1502) is'
printf 'UID_MIN 0x5DE\n' > "$T/work/login.defs"
getent passwd alice+demo >/dev/null; is "$?" "2" 'UID_MIN 0x5DE (hex 1502): alice (1501) is no person'
is "$(getent passwd bob+demo | cut -d: -f1,3)" "bob+demo:1502" 'and bob is'
printf 'UID_MIN abc\n' > "$T/work/login.defs"
getent passwd bob+demo >/dev/null; is "$?" "2" 'UID_MIN abc: bob+demo refused (fails closed)'
is "$(st passwd bob+demo)" "UNAVAIL EINVAL" "as UNAVAIL/EINVAL, not a cached NOTFOUND"
syslog_wait "libnss_melee: /etc/login.defs:1: UID_MIN 'abc' is not a number"
ok $? "logged with the file, line and value"
printf 'UID_MIN 1000\n' > "$T/work/login.defs"

# No MELEE here (inside an image, after the chroot): NOTFOUND.  A host
# where MELEE is installed (./quickstart, the packages) keeps its own
# /etc/melee under the test's bind: an empty one hides it, here only.
umount /etc/melee
[ -e /etc/melee ] && mount -t tmpfs -o ro,mode=755 melee-test-none /etc/melee
is "$(st passwd alice+demo)" "NOTFOUND" "no /etc/melee: NOTFOUND (the image's own files answer)"
done_testing
