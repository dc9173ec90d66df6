#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-mounts check reports its failures on stderr, like up does: the
# "IMAGE: FAIL: ..." lines go to stderr, the "ok" and "note" lines stay
# on stdout, and a configuration that cannot be loaded is a FAIL on
# stderr with status 2 and nothing on stdout.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

setup_accounts
write_config
add_image demo
add_image broken
rm "$IMAGES/broken/bin/sh"

mm check demo broken >"$T/out" 2>"$T/err"; rc=$?
is "$rc" 1 "check of a broken image exits 1"
is "$(cat "$T/out")" "configuration: ok (2 images)
demo: ok (static shell)" "stdout has the ok lines only"
is "$(cat "$T/err")" "broken: FAIL: $IMAGES/broken/bin/sh: missing (every image needs a shell)" \
	"stderr has the FAIL line"

chmod 666 "$CONF"
mm check >"$T/out" 2>"$T/err"; rc=$?
chmod 644 "$CONF"
is "$rc" 2 "check of a configuration that cannot be loaded exits 2"
is "$(cat "$T/out")" "" "nothing on stdout"
like "$(cat "$T/err")" "^$CONF: FAIL: [^/]*writable" "stderr: FILE: FAIL: and why, the file named once"
is "$(wc -l < "$T/err")" 1 "one line on stderr (no second copy of the message)"

done_testing
