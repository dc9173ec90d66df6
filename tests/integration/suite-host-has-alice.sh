#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The tests' alice (1501), bob (1502) and physics (1600) are theirs on a
# host that has its own alice and bob (uid 1001 and 1002, in its sudo
# group, with passwords), and an account of its own at a uid the tests
# give out: setup_accounts (tests/lib.sh) leaves the host's out.  Before,
# it kept the host's alice, and every test that follows went on with uid
# 1001, a home it does not own and the host's password.  This test plays
# such a host in its own /etc (lib.sh's overlay; the host's is untouched).
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

H=$T/work/host
mkdir -p "$H"
{
	grep -Ev '^(alice|bob|hostsvc):' /etc/passwd
	echo 'alice:x:1001:1001:Host Alice:/home/alice:/bin/bash'
	echo 'bob:x:1002:1002:Host Bob:/home/bob:/bin/bash'
	echo 'hostsvc:x:1501:1700:Host service:/nonexistent:/usr/sbin/nologin'
} > "$H/passwd"
{
	grep -Ev '^(alice|bob|physics|hostsvc|wheel):' /etc/group
	echo 'alice:x:1001:'
	echo 'bob:x:1002:'
	echo 'hostsvc:x:1700:'
	echo 'physics:x:2000:carl'
	echo 'wheel:x:2001:alice,carl,bob'
} > "$H/group"
cp -p /etc/shadow "$H/shadow"
{
	grep -Ev '^(alice|bob):' /etc/shadow
	echo 'alice:$6$host$hostalicehash:19000:0:99999:7:::'
	echo 'bob:$6$host$hostbobhash:19000:0:99999:7:::'
} > "$H/shadow"
for f in passwd group shadow; do mount --bind "$H/$f" "/etc/$f"; done
is "$(getent passwd alice | cut -d: -f3)" 1001 "the host plays: its alice has uid 1001"

setup_accounts

is "$(getent passwd alice)" "alice:x:1501:1501:Alice:/home/alice:/bin/sh" "alice is the tests' (uid 1501), not the host's"
is "$(getent passwd bob)" "bob:x:1502:1502:Bob:/home/bob:/bin/sh" "bob is the tests' (uid 1502)"
is "$(getent passwd alice | wc -l)$(grep -c '^alice:' /etc/passwd)" "11" "one alice in passwd"
is "$(getent passwd 1501 | cut -d: -f1)" alice "uid 1501 is alice's, not the host's service account's"
is "$(getent passwd hostsvc)" "" "the host's account at a tests' uid is left out"
is "$(getent group physics)" "physics:x:1600:alice" "physics is the tests' group (gid 1600, alice)"
is "$(getent group wheel)" "wheel:x:2001:carl" "alice and bob are out of the host groups' member lists, the others stay"
is "$(id -G alice | tr ' ' '\n' | sort -n | paste -sd' ')" "1501 1600" "alice's groups: her own and physics"
is "$(getent shadow alice bob)" "" "the host's alice and bob have no password here"
is "$(getent passwd root | cut -d: -f3)" 0 "the host's other accounts stay (root)"
is "$(as alice id -u)" 1501 "as alice runs with uid 1501"
done_testing
