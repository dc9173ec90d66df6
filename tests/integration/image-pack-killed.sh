#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A pack killed outright (SIGKILL: what the OOM killer and a power loss
# leave too) while mksquashfs writes leaves nothing in FILE's directory:
# the new file has no name until it is whole (O_TMPFILE, pack-output.c),
# and its space is freed with the last fd.  An existing FILE is as it
# was; the next pack works.  What a killed pack of an earlier version
# (or one without O_TMPFILE) left, .FILE.pack<digits>, the next pack of
# FILE removes when it is root's regular file with one link that no
# running pack holds locked; anything else of that name stays, named.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"

command -v mksquashfs >/dev/null || skip_all "mksquashfs not found (apt-get install squashfs-tools)"

setup_accounts
write_config
add_image bb
# Incompressible and large: xz takes seconds over it, time enough to be
# killed while it writes.
head -c 96M /dev/urandom > "$IMAGES/bb/big"
chmod 644 "$IMAGES/bb/big"
OUT=$T/out
mkdir -m 755 "$OUT"
mount -t tmpfs -o size=400m,mode=755 out "$OUT"
head -c 100000 /dev/urandom > "$OUT/bb.sqsh"
chmod 644 "$OUT/bb.sqsh"
old=$(sha256sum < "$OUT/bb.sqsh")
before=$(ls -a "$OUT")

# pack_out_size PID: the size of the file in $OUT that PID has open (the
# new file, named or not); fails when there is none.
pack_out_size() {
	local fd
	for fd in /proc/"$1"/fd/*; do
		case $(readlink "$fd" 2>/dev/null) in
		"$OUT"/*) stat -L -c %s "$fd" && return 0 ;;
		esac
	done
	return 1
}
# mksquashfs_writing PID: PID's child is mksquashfs and the file grows.
mksquashfs_writing() {
	local c size
	c=$(pgrep -P "$1") && [ "$(cat /proc/"$c"/comm)" = mksquashfs ] &&
		size=$(pack_out_size "$1") && [ "$size" -gt 0 ]
}
gone() { ! kill -0 "$1" 2>/dev/null; }
space_of_file() { stat -c %b "$OUT/bb.sqsh" | awk '{ print $1 * 512 }'; }
space_used() { df --output=used -B1 "$OUT" | tail -1; }

# kill_while_writing HOW: starts a pack into $OUT/bb.sqsh, waits until
# mksquashfs has written into the new file, then SIGKILLs melee-image
# alone (HOW = melee-image) or its whole process group (HOW = group).
kill_while_writing() {
	local pid child
	setsid "$MELEE_IMAGE" --config "$CONF" pack bb "$OUT/bb.sqsh" --compression xz \
		> "$T/pack.log" 2>&1 &
	pid=$!
	PIDS="$PIDS $pid"
	wait_for 60 mksquashfs_writing "$pid"
	ok $? "$1: mksquashfs runs and has written into the new file"
	child=$(pgrep -P "$pid")
	if [ "$1" = group ]; then kill -KILL -- "-$pid"; else kill -KILL "$pid"; fi
	wait "$pid" 2>/dev/null
	wait_for 20 gone "$child"
	ok $? "$1: mksquashfs ends with melee-image"
	is "$(ls -a "$OUT")" "$before" "$1: no .bb.sqsh.pack* nor any other new name is left"
	is "$(sha256sum < "$OUT/bb.sqsh")" "$old" "$1: FILE is as it was"
	wait_for 10 test "$(space_used)" = "$(space_of_file)"
	is "$(space_used)" "$(space_of_file)" "$1: and no space is held by the killed pack's file"
}
kill_while_writing melee-image
kill_while_writing group

# What killed packs left, as an earlier version (a named temporary for the
# whole pack) left it, and names the next pack must leave alone.
head -c 65536 /dev/urandom > "$OUT/.bb.sqsh.pack99999"
chmod 644 "$OUT/.bb.sqsh.pack99999"
touch -d '10 minutes ago' "$OUT/.bb.sqsh.pack99999"
echo secret > "$T/work/target"
ln -s "$T/work/target" "$OUT/.bb.sqsh.pack77"
mkfifo -m 644 "$OUT/.bb.sqsh.pack55"
echo alice > "$OUT/.bb.sqsh.pack44"
chown 1501 "$OUT/.bb.sqsh.pack44"
echo linked > "$OUT/keep"
ln "$OUT/keep" "$OUT/.bb.sqsh.pack33"
echo running > "$OUT/.bb.sqsh.pack66"
# Held by this shell, as a pack that runs holds its file.
exec 8<> "$OUT/.bb.sqsh.pack66"
flock -x 8
echo other > "$OUT/.other.sqsh.pack12"
echo not-digits > "$OUT/.bb.sqsh.pack12x"
chmod 644 "$OUT"/.bb.sqsh.pack66 "$OUT"/.bb.sqsh.pack12x "$OUT"/.other.sqsh.pack12
# Old enough to be cleared but for its lock (LEFTOVER_MIN_AGE).
touch -d '10 minutes ago' "$OUT/.bb.sqsh.pack66"
# Written by a host whose clock is an hour ahead (NFS keeps its time).
echo ahead > "$OUT/.bb.sqsh.pack88"
chmod 600 "$OUT/.bb.sqsh.pack88"
touch -d '1 hour' "$OUT/.bb.sqsh.pack88"

rm "$IMAGES/bb/big"
run mi pack bb "$OUT/bb.sqsh"
is "$rc" 0 "the next pack succeeds"
like "$out" "^melee-image: bb: removed $OUT/\.bb\.sqsh\.pack99999 \(64K\), left by a pack of $OUT/bb\.sqsh that was killed$" "and says it removed the leftover of a killed pack"
is "$(head -c 4 "$OUT/bb.sqsh")" "hsqs" "FILE is now a squashfs file"
is "$(stat -c %U:%a "$OUT/bb.sqsh")" "root:600" "root's, mode 0600"
is "$(ls -a "$OUT" | grep -c '^\.bb\.sqsh\.pack99999$')" 0 "the leftover is gone"
for n in 77 55 44 33; do
	like "$out" "^melee-image: bb: left $OUT/\.bb\.sqsh\.pack$n alone: not a file of root's with one link, so no pack's$" ".bb.sqsh.pack$n (symlink, FIFO, alice's, two links) is left alone, and said so"
done
like "$out" "^melee-image: bb: left $OUT/\.bb\.sqsh\.pack66 alone: a pack that is running writes it$" "a locked one is left alone (a pack running, here or on another node)"
ahead=$(printf '%s\n' "$out" | sed -n "s|^melee-image: bb: left $OUT/\.bb\.sqsh\.pack88 alone: its time is \([0-9]*\)s in the future (the clock of the host that wrote it is ahead of this one's), so maybe a pack that is starting wrote it; a pack from 300s after that time on removes it\$|\1|p")
ok "$([ -n "$ahead" ] && [ "$ahead" -gt 3500 ] && [ "$ahead" -le 3600 ]; echo $?)" "one whose time is an hour in the future is left alone, said so with how far ahead ($ahead s)"
is "$(cat "$OUT/.bb.sqsh.pack88")" "ahead" "and is untouched"
is "$(ls -a "$OUT" | tr '\n' ' ')" ". .. .bb.sqsh.pack12x .bb.sqsh.pack33 .bb.sqsh.pack44 .bb.sqsh.pack55 .bb.sqsh.pack66 .bb.sqsh.pack77 .bb.sqsh.pack88 .other.sqsh.pack12 bb.sqsh keep " "nothing but the leftover was removed, nothing new left"
is "$(cat "$T/work/target")" "secret" "the symlink's target is untouched"
is "$(readlink "$OUT/.bb.sqsh.pack77")" "$T/work/target" "and the symlink too"
is "$(cat "$OUT/.bb.sqsh.pack66")" "running" "the locked file is untouched"
exec 8>&-

# A first pack (no FILE yet) is linked straight into place.
run mi pack bb "$OUT/new.sqsh"
is "$rc" 0 "a pack into a new FILE succeeds"
is "$(head -c 4 "$OUT/new.sqsh")" "hsqs" "it is a squashfs file"
unlike "$(ls -a "$OUT")" '^\.new\.sqsh' "and leaves no temporary name"
done_testing
