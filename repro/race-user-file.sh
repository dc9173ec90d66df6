#!/bin/bash
# alice swaps ~/.config/melee/image between a regular file, a FIFO, a
# symlink to a root-only file and a directory while pam_melee (root)
# reads it at session open.  Shown (40 sessions): no session open hangs.
# Not shown: the racer exits early in this version, so the "regular file
# read under the race" half is inconclusive (check 2 fails for that reason).
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/pam-lib.sh"
setup_accounts; setup_home; setup_nss; write_config
add_image two "description = Image two"
mm up two >/dev/null
bind_etc_melee
pam_service melee-test "session required pam_permit.so
session required $PAM_MELEE"
echo secret-root-only > /root-only.txt 2>/dev/null || { mkdir -p "$T/r"; echo secret > "$T/r/s"; }
S=$T/secret; echo two > "$S"; chmod 600 "$S"   # root's, says "two" too
(exec setpriv --reuid=alice --regid=alice --init-groups env HOME=/home/alice sh -c '
d=$HOME/.config/melee; mkdir -p $d/a $d/dir.d
echo two > $d/a/reg; mkfifo $d/a/fifo; ln -s '"$S"' $d/a/link; mkdir $d/a/dir
while :; do
  for k in reg fifo link dir; do
    cp -a $d/a/$k $d/.n 2>/dev/null || ln -s '"$S"' $d/.n
    mv -T $d/.n $d/image 2>/dev/null || { rm -rf $d/image; }
  done
done') &
racer=$!
at_exit "kill $racer"
seen=""
for i in $(seq 1 40); do
	r=$(timeout 10 "$HARNESS" "$T/pam.d" melee-test alice -- /bin/sh -c \
		'if [ -e /marker ]; then echo in-two; else echo host; fi' 2>>"$T/work/harness.err"); rc=$?
	[ $rc = 124 ] && { seen="$seen hang"; break; }
	seen="$seen $r"
done
kill $racer; head -3 "$T/work/harness.err" | sed "s/^/# harness: /"
echo "# results: $(printf '%s\n' $seen | sort | uniq -c | tr '\n' ' ')"
unlike "$seen" "hang" "no session open hung on a FIFO swapped in"
like "$seen" "in-two" "the regular file was read at least once"
grep -c "symbolic link\|not a regular\|belongs to" /var/log/auth.log 2>/dev/null | sed 's/^/# refusals logged: /'
done_testing
