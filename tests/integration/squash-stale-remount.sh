#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A file image replaced by rename is shown stale; up --remount mounts the
# new file when no process is inside, and refuses with their count when
# some are.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/squash-lib.sh" || exit 1

setup_accounts
write_config
make_squash st "$SRV/st.sqsh"
add_file_image st "$SRV/st.sqsh"
mm up st >/dev/null

run mm status st
like "$out" "st +$IMAGES/st +ready +18/18  source $SRV/st.sqsh$" "fresh: not stale"
run mm up --remount st
is "$rc:$out" "0:st: not stale, nothing to remount
st: already up, nothing mounted (18 of 18 present)" "--remount of a current image does nothing"

# The site's way to update: a new file beside the old, renamed over it.
echo "second" > "$T/work/tree-st/marker"
mksquashfs "$T/work/tree-st" "$SRV/.st.sqsh.new" -noappend -quiet -all-root -no-progress >/dev/null
chmod 600 "$SRV/.st.sqsh.new"
mv "$SRV/.st.sqsh.new" "$SRV/st.sqsh"
run mm status st
like "$out" "st +$IMAGES/st +ready +18/18  source $SRV/st.sqsh  stale$" "after the rename: stale"
run mm status --json st
like "$out" "\"source\":\"$SRV/st.sqsh\",\"stale\":true" "status --json: stale"
run mm up st
is "$rc:$out" "0:st: stale: $SRV/st.sqsh was replaced since it was mounted; 'melee-mounts up --remount st' mounts the new file
st: already up, nothing mounted (18 of 18 present)" "a plain up says so and changes nothing"
is "$(cat "$IMAGES/st/marker")" "melee-fixture:st" "the old file is still what the image shows"

chroot "$IMAGES/st" /bin/sleep 300 &
in1=$!
chroot "$IMAGES/st" /bin/sleep 300 &
in2=$!
PIDS="$PIDS $in1 $in2"
wait_for 5 test "$(readlink /proc/$in2/exe 2>/dev/null)" = /bin/busybox
run mm up --remount st
like "$rc:$out" "^1:melee-mounts: st: not remounted: 2 processes are inside the image \(pid ($in1|$in2), sleep\); the stale mount stays until they leave$" "--remount refuses with the count of processes inside"
like "$(mm status st)" "stale$" "still stale, still mounted"
is "$(cat "$IMAGES/st/marker")" "melee-fixture:st" "the processes keep the old file"
kill "$in1" "$in2"; wait "$in1" "$in2" 2>/dev/null


run mm up --remount st
is "$rc:$out" "0:st: took down the stale mount of $SRV/st.sqsh
st: mounted 18, 0 already present" "--remount with nobody inside replaces the mount"
is "$(cat "$IMAGES/st/marker")" "second" "the image now shows the new file"
run mm status st
like "$out" "st +$IMAGES/st +ready +18/18  source $SRV/st.sqsh$" "no longer stale"
is "$(fstypes_at "$IMAGES/st" | wc -l)" "1" "one squashfs on the path, the old one gone"
is "$(loops_of "$SRV/st.sqsh" | wc -l)" "1" "one loop device for the file"

# Overwritten in place (`cp new old`: the same inode, new contents): the
# loop device reads the changed file, which status must call stale.
echo "third" > "$T/work/tree-st/marker"
mksquashfs "$T/work/tree-st" "$T/work/third.sqsh" -noappend -quiet -all-root -no-progress >/dev/null
ino=$(stat -c %i "$SRV/st.sqsh")
cp "$T/work/third.sqsh" "$SRV/st.sqsh"
is "$(stat -c %i "$SRV/st.sqsh")" "$ino" "cp over the file keeps its inode"
run mm status st
like "$out" "st +$IMAGES/st +ready +18/18  source $SRV/st.sqsh  stale$" "overwritten in place: stale"
run mm up --remount st
is "$rc:$out" "0:st: took down the stale mount of $SRV/st.sqsh
st: mounted 18, 0 already present" "--remount mounts the file as it is now"
is "$(cat "$IMAGES/st/marker")" "third" "the image shows the new contents"
run mm status st
like "$out" "st +$IMAGES/st +ready +18/18  source $SRV/st.sqsh$" "no longer stale"
# Same size and contents, only touched: the mtime is what was mounted no
# more (cp -p of an equal file would do the same), said stale too.
touch "$SRV/st.sqsh"
like "$(mm status st)" "stale$" "touched: stale"
mm up --remount st >/dev/null
like "$(mm status st)" "source $SRV/st.sqsh$" "fresh after --remount"
mm down st >/dev/null
wait_for 5 no_loops_of "$SRV/st.sqsh"
ok $? "no loop device left after down, the old file's included"
done_testing
