#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-mounts check names a configuration mistake as FILE:LINE: message,
# the form editors jump to and the other tools print (melee-mounts up,
# melee-image): in melee.conf and in a drop-in.  A mistake that has no
# line (the file's mode) stays FILE: FAIL: why (mounts-check-stderr.sh).
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

setup_accounts
write_config "no-such-key = 1"
add_image demo

# The line of the mistake: write_config's third line.
mm check >"$T/out" 2>"$T/err"; rc=$?
is "$rc" 2 "check of melee.conf with an unknown key exits 2"
is "$(cat "$T/out")" "" "nothing on stdout"
like "$(cat "$T/err")" "^$CONF:3: unknown key 'no-such-key'" "stderr: $CONF:3: and the message"
unlike "$(cat "$T/err")" "FAIL: 3:" "the line number is not cut from its file"
is "$(wc -l < "$T/err")" 1 "one line on stderr"
mm up demo >/dev/null 2>"$T/up-err"
is "$(cat "$T/err")" "$(sed 's/^melee-mounts: //' "$T/up-err")" "the same message as up prints"

write_config
printf '[image demo]\nfstab = %s\nno-such-key = 1\n' "$T/etc/fstab" > "$T/etc/images.d/demo.conf"
mm check >"$T/out" 2>"$T/err"; rc=$?
is "$rc" 2 "check of a drop-in with an unknown key exits 2"
like "$(cat "$T/err")" "^$T/etc/images.d/demo.conf:3: unknown key 'no-such-key'" \
	"stderr: the drop-in's FILE:LINE: first"
is "$(wc -l < "$T/err")" 1 "one line on stderr"

done_testing
