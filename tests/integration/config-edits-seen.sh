#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# pam_melee keeps the configuration per PAM handle and libnss_melee per
# process (pam_melee/pam-config.c, nss_melee/nss-cache.c); an edit made
# between the account and the session stage of one handle, or between
# two lookups of one process, must count at once: rewritten in place
# with the same size within the same second, replaced by rename, the
# image's path changed, login.defs changed.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/pam-lib.sh"

setup_logins
add_image demo "allow-users = alice"
add_image other
mm up demo other >/dev/null
bind_etc_melee
D=$T/etc/images.d/demo.conf
cp "$D" "$T/work/demo.orig"
cp /etc/login.defs "$T/work/login.defs" 2>/dev/null || : > "$T/work/login.defs"
chmod 644 "$T/work/login.defs"
mount --bind "$T/work/login.defs" /etc/login.defs
cp "$T/work/login.defs" "$T/work/login.defs.orig"
pam_service melee-test "account required pam_permit.so
account required $PAM_MELEE
session required pam_permit.so
session required $PAM_MELEE"
restore() { cat "$T/work/demo.orig" > "$D"; cat "$T/work/login.defs.orig" > "$T/work/login.defs"; }

# session PAUSE-CMD: alice+demo's account stage, PAUSE-CMD, then her
# session in the same handle: the image it landed in, or the failure.
session() {
	"$HARNESS" -a -p "$1" "$T/pam.d" melee-test alice+demo -- /bin/sh -c \
		'if [ -e /marker ]; then cut -d: -f2 /marker; else echo host; fi' 2>"$T/work/err"
	echo "rc=$?"
}

# Same size, same inode, within the same second: only the ns mtime and
# the ctime move (and on a coarse clock, not even they: then the read
# that saw it never vouches for itself, melee-stamps.h).
same_size=$(sed 's/allow-users = alice/allow-users = xlice/' "$D")
[ "${#same_size}" = "$(( $(stat -c %s "$D") - 1 ))" ] || { echo "Bail out! the edit changes the size"; exit 1; }
ino=$(stat -c %i "$D")

is "$(session true)" "demo
rc=0" "no edit between the stages: alice+demo lands in demo"
is "$(session "printf '%s\n' '$same_size' > $D")" "rc=34" \
	"allow-users rewritten in place, same size, same second, between account and session: the session refuses"
is "$(stat -c %i "$D")" "$ino" "(the edit kept the inode)"
like "$(cat "$T/work/err")" "you may not use image demo" "and says why"
restore
# Rewritten in place, then its mtime set back to the very nanosecond it
# had (as rsync -t --inplace, cp -p or tar do): the size, inode and mtime
# are what the read saw, only the ctime tells.
keep_mtime="m=\$(stat -c %.9Y $D) && printf '%s\\n' '$same_size' > $D && touch -m -d @\$m $D"
is "$(session "$keep_mtime")" "rc=34" \
	"allow-users rewritten in place between the stages, its mtime then set back to the ns: the session refuses"
restore
is "$(session "sed 's/alice/bob/' $D > $D.new && mv $D.new $D")" "rc=34" \
	"demo.conf replaced by rename between the stages: the session refuses"
restore
is "$(session "printf 'path = %s\n' '$IMAGES/other' >> $D")" "other
rc=0" "the image's path changed between the stages: the session enters the new path"
restore
is "$(session "printf 'UID_MAX 1400\n' >> /etc/login.defs")" "rc=34" \
	"login.defs' UID_MAX lowered between the stages: alice+demo is no longer a person's name"
restore

# One process, two lookups, the edit between them.
twice() { "$top_builddir/tests/nss-lookup" twice alice+demo "$1" | tr '\n' ' '; }
is "$(twice true)" "1501:/home/alice 1501:/home/alice " "no edit: both lookups answer"
is "$(twice "printf '%s\n' '$same_size' > $D")" "1501:/home/alice none " \
	"allow-users rewritten in place (same size, same second) between two lookups: the second refuses"
is "$(twice "cat $T/work/demo.orig > $D")" "none 1501:/home/alice " "and rewritten back: the second answers again"
m0=$(stat -c '%.9Y %s %i' "$D")
is "$(twice "$keep_mtime")" "1501:/home/alice none " \
	"allow-users rewritten in place between two lookups, its mtime set back to the ns: the second refuses"
is "$(stat -c '%.9Y %s %i' "$D")" "$m0" "(mtime to the ns, size and inode as they were)"
unlike "$(cat "$D")" "allow-users = alice" "(and the file did change)"
restore
is "$(twice "sed 's/alice/bob/' $D > $D.new && mv $D.new $D")" "1501:/home/alice none " \
	"replaced by rename between two lookups: the second refuses"
restore
is "$(twice "printf 'UID_MAX 1400\n' >> /etc/login.defs")" "1501:/home/alice none " \
	"login.defs changed between two lookups: the second refuses"
restore
is "$(twice "chmod 666 $D")" "1501:/home/alice none " \
	"demo.conf made world-writable between two lookups: the second is refused (untrusted)"
chmod 644 "$D"
is "$(twice "mv $D $T/work/demo.away")" "1501:/home/alice none " "demo.conf removed: the second finds no image"
mv "$T/work/demo.away" "$D"
is "$(twice "printf '[image demo2]\naliases = zz\n' > $T/etc/images.d/zz.conf; chmod 644 $T/etc/images.d/zz.conf")" \
	"1501:/home/alice 1501:/home/alice " "another drop-in added: read again, same answer"
done_testing
