#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-image list shows a file image whose mounted squashfs is no longer
# the file at its source (packed again to the same file, which renames a
# new file over it, or overwritten in place) as stale, with the command
# that mends it; after melee-mounts up --remount it is ready again.  A user
# other than root, who cannot open the loop device, is told "unknown",
# never "ready" alone.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"
. "$top_srcdir/tests/integration/squash-lib.sh"

setup_accounts
write_config
add_image bb
F=$SRV/bbf.sqsh
HINT="stale: the file changed since up mounted it; 'melee-mounts up --remount bbf' mounts the new one"
# list as alice: melee-image takes no --config from a user, so the
# compiled-in /etc/melee is this test's configuration.
bind_etc_melee

# row OUTPUT [NAME]: NAME's (bbf's) row of list,
# "bbf ready linux DESCRIPTION FILE (SIZE)...".
row() { printf '%s\n' "$1" | grep "^${2:-bbf} "; }

ok_cmd "pack bb to a file, registered as bbf" mi pack bb "$F" --register bbf
ok_cmd "bbf up" mm up bbf
run mi list
is "$rc" 0 "list succeeds"
like "$(row "$out")" "^bbf +ready +linux +MELEE fixture image \(bb, busybox\) +$F \([0-9]+K\)$" "freshly up: ready, nothing more"
unlike "$out" "stale" "and nothing is called stale"

# Packed again to the same file: pack writes a new file beside it and
# renames it over, the loop device keeps the old inode.
echo "second" > "$IMAGES/bb/marker"
ino=$(stat -c %i "$F")
ok_cmd "bb packed again to the same file" mi pack bb "$F"
new_ino=$(stat -c %i "$F")
ok "$([ "$ino" != "$new_ino" ]; echo $?)" "the file was replaced (inode $ino -> $new_ino)"
is "$(cat "$IMAGES/bbf/marker")" "melee-fixture:bb" "the image still shows the old file"
run mi list
is "$rc" 0 "list succeeds with a stale image"
like "$(row "$out")" "^bbf +stale +linux +MELEE fixture image \(bb, busybox\) +$F \([0-9]+K\)  $HINT$" "packed again: stale, with what mends it"
like "$(row "$(mm status bbf)")" "source $F  stale$" "as melee-mounts status says"
like "$(row "$out" bb)" "^bb +down +linux +bb +$IMAGES/bb$" "the tree image's row is unchanged"

# A user cannot open the loop device: the row says the state is unknown.
run as alice "$MELEE_IMAGE" list
is "$rc" 0 "list as alice succeeds"
like "$(row "$out")" "^bbf +ready +linux +.* +$F \([0-9]+K\)  stale: unknown \(only root can read the loop device\)$" "as alice: unknown, not just ready"
run as alice "$MELEE_MOUNTS" status bbf
like "$(row "$out")" "source $F  stale unknown \(only root can read the loop device\)$" "melee-mounts status as alice: unknown too"
run as alice "$MELEE_MOUNTS" status --json bbf
like "$out" '"stale":null,"stale_unknown":"only root can read the loop device"' "and in its JSON: null, with why, not false"

run mm up --remount bbf
is "$rc:$out" "0:bbf: took down the stale mount of $F
bbf: mounted 18, 0 already present" "up --remount mounts the new file"
is "$(cat "$IMAGES/bbf/marker")" "second" "the image shows the new file"
run mi list
like "$(row "$out")" "^bbf +ready +linux +MELEE fixture image \(bb, busybox\) +$F \([0-9]+K\)$" "after --remount: ready, not stale"

# Overwritten in place (cp new old keeps the inode): status calls it stale
# (the size, mtime and ctime up recorded changed), and so does list.
echo "third" > "$IMAGES/bb/marker"
ok_cmd "bb packed to another file" mi pack bb "$SRV/third.sqsh"
ino=$(stat -c %i "$F")
cp "$SRV/third.sqsh" "$F"
is "$(stat -c %i "$F")" "$ino" "cp over the file keeps its inode"
run mi list
like "$(row "$out")" "^bbf +stale +linux +.* +$F \([0-9]+K\)  $HINT$" "overwritten in place: stale, with the hint"
ok_cmd "up --remount" mm up --remount bbf
is "$(cat "$IMAGES/bbf/marker")" "third" "the image shows the new contents"
run mi list
like "$(row "$out")" "^bbf +ready +linux +.* +$F \([0-9]+K\)$" "after --remount: ready again"
run as alice "$MELEE_IMAGE" list
like "$(row "$out")" "^bbf +ready +.*  stale: unknown \(only root can read the loop device\)$" "as alice still unknown, also when current"

mm down bbf >/dev/null
run mi list
like "$(row "$out")" "^bbf +down +linux +.* +$F \([0-9]+K\)$" "down: no stale note, nothing is mounted"
done_testing
