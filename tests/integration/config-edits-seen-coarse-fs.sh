#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# config-edits-seen on a file system that keeps whole seconds (ext4 made
# with 128-byte inodes, as some NFS servers): an edit of the same size
# in the same second as the read before it moves neither the mtime nor
# the ctime, so a read made in the second of its files' times must never
# be kept (common/melee-stamps.c); between the account and the session
# stage of one PAM handle and between two lookups of one process, the
# edit counts.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/pam-lib.sh"

command -v mkfs.ext4 >/dev/null || skip_all "mkfs.ext4 not found (apt-get install e2fsprogs)"
[ -c /dev/loop-control ] || skip_all "no /dev/loop-control (loop driver)"

setup_logins
add_image demo "allow-users = alice"
mm up demo >/dev/null
# $T/etc becomes the root of a fresh ext4 with 128-byte inodes (its
# loop device is let go with the mount, when this namespace ends).
truncate -s 16M "$T/work/coarse.ext4"
mkfs.ext4 -q -I 128 "$T/work/coarse.ext4" >/dev/null 2>&1
cp -a "$T/etc" "$T/work/etc.copy"
mount -o loop "$T/work/coarse.ext4" "$T/etc"
cp -a "$T/work/etc.copy/." "$T/etc/"
rm -rf "$T/etc/lost+found"
chmod 755 "$T/etc"
bind_etc_melee
D=$T/etc/images.d/demo.conf
touch "$D"
is "$(stat -c %.9Z "$D" | cut -d. -f2)" "000000000" "(demo.conf's ctime has whole seconds only)"
cp "$D" "$T/work/demo.orig"
pam_service melee-test "account required pam_permit.so
account required $PAM_MELEE
session required pam_permit.so
session required $PAM_MELEE"
same_size=$(sed 's/allow-users = alice/allow-users = xlice/' "$D")
[ "${#same_size}" = "$(( $(stat -c %s "$D") - 1 ))" ] || { echo "Bail out! the edit changes the size"; exit 1; }
edit="printf '%s\n' '$same_size' > $D"

# next_second: sleeps to 20 ms after the clock's next second begins.
# Not just after: the kernel stamps files from its coarse clock, a tick
# (4 ms at HZ=250) behind date's, so a file written 3 ms into a second
# still got the one before about half the time, and 5 tries in a row
# failed now and then (seen once in a suite run).
next_second() {
	local ns=$(( 1020000000 - 10#$(date +%N) ))
	sleep "$(( ns / 1000000000 )).$(printf '%09d' $(( ns % 1000000000 )))"
}

# same_second CMD...: at the start of a second, demo.conf is restored
# (its times: this second), then CMD runs (read, edit, read); tried
# again until demo.conf's ctime after CMD is the one the restore gave it
# (all within one second), at most 5 times.  CMD's output in $out.
same_second() {
	local i before
	for i in 1 2 3 4 5; do
		next_second
		cat "$T/work/demo.orig" > "$D"
		before=$(stat -c %Z "$D")
		out=$("$@")
		[ "$(stat -c %Z "$D")" = "$before" ] && return 0
	done
	echo "# 5 tries, none within one second" >&2
	return 1
}

session() {
	"$HARNESS" -a -p "$edit" "$T/pam.d" melee-test alice+demo -- /bin/sh -c \
		'if [ -e /marker ]; then cut -d: -f2 /marker; else echo host; fi' 2>"$T/work/err"
	echo "rc=$?"
}
same_second session
ok $? "the account stage, the edit and the session within one second"
is "$out" "rc=34" "allow-users rewritten in place, same size, same second as the read, between account and session: the session refuses"
like "$(cat "$T/work/err")" "you may not use image demo" "and says why"

twice() { "$top_builddir/tests/nss-lookup" twice alice+demo "$1" | tr '\n' ' '; }
same_second twice "$edit"
ok $? "two lookups and the edit between them within one second"
is "$out" "1501:/home/alice none " \
	"allow-users rewritten in place, same size, same second as the read, between two lookups: the second refuses"
cat "$T/work/demo.orig" > "$D"
next_second
is "$(twice true)" "1501:/home/alice 1501:/home/alice " "no edit: both lookups answer"
# The record of a full read (melee-mounts check) vouches for images.d by
# its ctime (common/melee-config-checked.c): on whole seconds, an
# override drop-in added in the second of that read leaves the ctime as
# it was, so such a read records nothing and a lookup reads the others.
O=$T/etc/images.d/demo-restrict.conf
check_then_override() {
	local i before
	for i in 1 2 3 4 5; do
		rm -f "$O" /run/melee/config-checked-*
		next_second
		touch "$T/etc/images.d/.tick" && rm "$T/etc/images.d/.tick"
		before=$(stat -c %Z "$T/etc/images.d")
		"$MELEE_MOUNTS" --config "$CONF" check >/dev/null 2>&1 || return 2
		printf '[image demo]\nallow-users = nobody\n' > "$O"
		chmod 644 "$O"
		[ "$(stat -c %Z "$T/etc/images.d")" = "$before" ] && return 0
	done
	echo "# 5 tries, none within one second" >&2
	return 1
}
check_then_override
ok $? "melee-mounts check, then an override drop-in added, within one second (images.d's ctime unchanged)"
run getent passwd alice+demo
is "$rc:$out" "2:" "getent passwd alice+demo: not found while the override is there (no record vouched for images.d)"
rm -f "$O"
done_testing
