#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-image pack into a directory whose file system has no O_TMPFILE
# (a FUSE file system, bindfs, as NFS): the new file is named
# .FILE.pack<PID> while it is written (pack-output.c), FILE appears whole
# or not at all, an interrupt removes the name, and what a pack killed
# outright leaves there the next pack removes.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"

command -v mksquashfs >/dev/null || skip_all "mksquashfs not found (apt-get install squashfs-tools)"
command -v bindfs >/dev/null || skip_all "bindfs not found (apt-get install bindfs)"
[ -c /dev/fuse ] || skip_all "no /dev/fuse"

setup_accounts
write_config
add_image bb
head -c 96M /dev/urandom > "$IMAGES/bb/big"
chmod 644 "$IMAGES/bb/big"
mkdir -m 755 "$T/backing" "$T/out"
OUT=$T/out
bindfs "$T/backing" "$OUT" || exit 1
at_exit "fusermount3 -u -z '$OUT' 2>/dev/null || umount -l '$OUT' 2>/dev/null"
python3 - "$OUT" <<'EOF'
import errno, os, sys
try:
    os.close(os.open(sys.argv[1], os.O_TMPFILE | os.O_RDWR, 0o644))
    sys.exit(1)
except OSError as e:
    print("# O_TMPFILE on %s: %s" % (sys.argv[1], os.strerror(e.errno)))
EOF
ok $? "$OUT has no O_TMPFILE (bindfs): the fallback is what is tested"
head -c 100000 /dev/urandom > "$OUT/bb.sqsh"
chmod 644 "$OUT/bb.sqsh"
old=$(sha256sum < "$OUT/bb.sqsh")

# named_growing PID: PID's temporary file has its name and is written.
named_growing() { [ -n "$(find "$OUT" -name ".bb.sqsh.pack$1" -size +1k)" ]; }
gone() { ! kill -0 "$1" 2>/dev/null; }

# SIGTERM: the handler removes the name.
"$MELEE_IMAGE" --config "$CONF" pack bb "$OUT/bb.sqsh" --compression xz > "$T/work/int.out" 2>&1 &
pid=$!
PIDS="$PIDS $pid"
wait_for 60 named_growing "$pid"
ok $? "the pack writes .bb.sqsh.pack$pid (named: no O_TMPFILE)"
kill -TERM "$pid"
wait "$pid"
is "$?" 1 "SIGTERM: melee-image exits 1"
like "$(cat "$T/work/int.out")" "^melee-image: pack: interrupted; $OUT/bb.sqsh was not changed$" "and says that FILE was not changed"
is "$(ls -A "$OUT")" "bb.sqsh" "the temporary file is removed"
is "$(sha256sum < "$OUT/bb.sqsh")" "$old" "FILE is as it was"

# SIGKILL: the name stays (nothing can remove it then), unlocked.
"$MELEE_IMAGE" --config "$CONF" pack bb "$OUT/bb.sqsh" --compression xz > /dev/null 2>&1 &
pid=$!
PIDS="$PIDS $pid"
wait_for 60 named_growing "$pid"
ok $? "a second pack writes .bb.sqsh.pack$pid"
child=$(pgrep -P "$pid")
kill -KILL "$pid"
wait "$pid" 2>/dev/null
wait_for 20 gone "$child"
ok $? "SIGKILL: its mksquashfs ends too"
is "$(ls -A "$OUT" | tr '\n' ' ')" ".bb.sqsh.pack$pid bb.sqsh " "its temporary file is left"
is "$(sha256sum < "$OUT/bb.sqsh")" "$old" "FILE is as it was"

rm "$IMAGES/bb/big"
# Just written: another host's pack may have made it and not locked it
# yet (the named file, on NFS): left alone until it is 5 minutes old.
run mi pack bb "$OUT/bb.sqsh"
is "$rc" 0 "a pack right after the kill succeeds"
like "$out" "^melee-image: bb: left $OUT/\.bb\.sqsh\.pack$pid alone: written [0-9]+s ago, so maybe by a pack that is starting; a pack from 300s after its last write on removes it$" \
	"and leaves the fresh unlocked temporary file alone, saying why"
is "$(ls -A "$OUT" | tr '\n' ' ')" ".bb.sqsh.pack$pid bb.sqsh " "it is still there"
touch -d '6 minutes ago' "$OUT/.bb.sqsh.pack$pid"
run mi pack bb "$OUT/bb.sqsh"
is "$rc" 0 "the next pack succeeds"
like "$out" "^melee-image: bb: removed $OUT/\.bb\.sqsh\.pack$pid \([0-9.]+[KM]\), left by a pack of $OUT/bb\.sqsh that was killed$" "and says it removed the killed pack's file"
is "$(ls -A "$OUT")" "bb.sqsh" "nothing but FILE is left"
is "$(head -c 4 "$OUT/bb.sqsh")" "hsqs" "FILE is a squashfs file"
is "$(stat -c %U:%a "$T/backing/bb.sqsh")" "root:600" "root's, mode 0600"
unsquashfs -ll "$OUT/bb.sqsh" bin/busybox > "$T/work/ll" 2>&1
like "$(cat "$T/work/ll")" "squashfs-root/bin/busybox" "the image is in it"
done_testing
