#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# nosuid = yes with nested images in one run of up: the mount table is
# read once per run, yet an image that an earlier image of the same run
# mounted into is still refused (it is up without its nosuid bind).
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

setup_accounts
write_config
add_image first "nosuid = yes"
add_image outer "nosuid = yes"
"$top_srcdir/tests/make-fixture-image" "$IMAGES/outer/inner" inner >/dev/null
printf '[image inner]\npath = %s\nfstab = %s\n' "$IMAGES/outer/inner" "$T/etc/fstab" > "$T/etc/images.d/inner.conf"
chmod 644 "$T/etc/images.d/inner.conf"

# first reads the table; inner then mounts below outer, in the same run.
run mm up first inner outer
like "$rc:$out" "^1:.*melee-mounts: outer: nosuid = yes, but $IMAGES/outer is up without its nosuid bind; run 'melee-mounts down outer' first$" \
	"outer, with inner's mounts below it from the same run, is refused"
is "$(awk -v p="$IMAGES/outer" '$5 == p' /proc/self/mountinfo | wc -l)" "0" "no nosuid bind was put over inner's mounts"
like "$(mm status first)" "^first +$IMAGES/first +ready " "first is up"
like "$(mm status inner)" "^inner +$IMAGES/outer/inner +ready " "inner is up"

mm down inner >/dev/null
run mm up first outer inner
is "$rc" "0" "outer first, then inner: both up"
is "$(awk -v p="$IMAGES/outer" '$5 == p' /proc/self/mountinfo | wc -l)" "1" "outer has its nosuid bind"
like "$(mm status inner)" "^inner +$IMAGES/outer/inner +ready " "inner is up inside outer"
mm down >/dev/null
is "$(mounted_below "$IMAGES" | wc -l)" "0" "down leaves nothing mounted"
done_testing
