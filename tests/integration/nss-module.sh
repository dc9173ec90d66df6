#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# libnss_melee.so.2 through real glibc: getent, id, getpwnam_r with small
# buffers and from 8 threads, hostile names.  The module is loaded from
# the build tree (LD_LIBRARY_PATH works for getent and id) with a
# nsswitch.conf of this namespace's own.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

setup_accounts
echo 'alice:$6$salt$hash:19000:0:99999:7:::' > "$T/work/shadow"
echo 'bob:!:19000:0:99999:7:::' >> "$T/work/shadow"
grep -v '^\(alice\|bob\):' /etc/shadow >> "$T/work/shadow"
chmod 640 "$T/work/shadow"
mount --bind "$T/work/shadow" /etc/shadow
printf 'passwd: files melee\ngroup: files melee\nshadow: files melee\nhosts: files\n' > "$T/work/nsswitch.conf"
mount --bind "$T/work/nsswitch.conf" /etc/nsswitch.conf
write_config
add_image demo "aliases = dm"
add_image phys "allow-groups = physics"
# A group of 3000 members: its line is far longer than a page.
add_image big "allow-groups = biggrp"
{ printf 'biggrp:x:1700:'; seq -f 'member%04g' 3000 | tr '\n' ','; echo alice; } >> "$T/work/group"
bind_etc_melee
export LD_LIBRARY_PATH=$top_builddir/nss_melee/.libs
L=$top_builddir/tests/nss-lookup

is "$(getent passwd alice+demo)" "alice+demo:x:1501:1501:Alice:/home/alice:/bin/sh" "getent passwd alice+demo: alice's entry under the suffixed name"
is "$(getent passwd alice+dm)" "alice+dm:x:1501:1501:Alice:/home/alice:/bin/sh" "an alias works too"
is "$(getent shadow alice+demo)" 'alice+demo:$6$salt$hash:19000:0:99999:7:::' "getent shadow alice+demo: alice's shadow entry"
is "$(id alice+demo)" "uid=1501(alice) gid=1501(alice) groups=1501(alice),1600(physics),1700(biggrp)" "id alice+demo: alice's uid and groups"
is "$(getent passwd alice+phys | cut -d: -f1)" "alice+phys" "alice may use phys (group physics)"
getent passwd bob+phys >/dev/null; is "$?" "2" "bob+phys: NOTFOUND (bob may not use phys)"
getent shadow bob+phys >/dev/null; is "$?" "2" "no shadow entry for a forbidden image either"
is "$(getent initgroups alice+phys | tr -s ' ')" "alice+phys 1600 1700" "initgroups alice+phys: alice's host groups"
is "$(getent initgroups bob+phys | tr -s ' ')" "bob+phys " "initgroups bob+phys: none (NOTFOUND, like getpwnam)"
is "$(getent initgroups alice+nosuch | tr -s ' ')" "alice+nosuch " "initgroups alice+nosuch: none"
for n in alice+nosuch alice+ alice++demo 'alice+../x' +demo 'alice+de mo' nosuch+demo 'alice:demo'; do
	getent passwd "$n" >/dev/null; is "$?" "2" "'$n': NOTFOUND"
done
is "$(getent passwd alice)" "alice:x:1501:1501:Alice:/home/alice:/bin/sh" "plain alice is answered by files, unchanged"
is "$($L long 102400)" "not found" "a 100 kB name: NOTFOUND, no crash"

out=$($L buffers alice+demo); rc=$?
like "$rc:$out" "^0:ok at [0-9]+: alice\+demo:1501:1501:/home/alice:/bin/sh$" "getpwnam_r with buffers from 1 byte up: ERANGE until it fits, then the entry"
# "alice+demo" "x" "Alice" "/home/alice" "/bin/sh" with their NULs: 39.
out=$($L direct "$LD_LIBRARY_PATH/libnss_melee.so.2" alice+demo); rc=$?
is "$rc:$out" "0:ok at 39: alice+demo" "the module itself (dlopen RTLD_NOW): TRYAGAIN+ERANGE up to 38 bytes, the entry at exactly 39"
SO=$LD_LIBRARY_PATH/libnss_melee.so.2
is "$($L initgroups "$SO" bob+phys 1600)" "status 0" "initgroups_dyn(bob+phys) handed gid 1600 (physics) by its caller: still NOTFOUND"
is "$($L initgroups "$SO" alice+phys 1501)" "1600 1700" "initgroups_dyn(alice+phys, 1501): adds physics and biggrp"
is "$(getent passwd alice+big | cut -d: -f1)" "alice+big" "alice may use big: the 3000-member group biggrp is read in full"
getent passwd bob+big >/dev/null; is "$?" "2" "bob (not in biggrp) may not"

out=$($L threads alice+demo); rc=$?
is "$rc:$out" "0:0 failures in 1600 lookups from 8 threads" "8 threads at once"

# The NSS module exports only its three functions.
syms=$(nm -D --defined-only "$top_builddir/nss_melee/.libs/libnss_melee.so.2" | awk '$2 == "T" { print $3 }' | sort | tr '\n' ' ')
is "$syms" "_nss_melee_getpwnam_r _nss_melee_getspnam_r _nss_melee_initgroups_dyn " "only the _nss_melee_* symbols are exported"
done_testing
