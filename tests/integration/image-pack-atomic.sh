#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-image pack replaces FILE whole or not at all: when mksquashfs
# fails (FILE's file system is full) the old FILE is untouched and no
# temporary file is left; a pack that succeeds replaces it by rename (a
# process that opened the old file keeps reading the old one).
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"

setup_accounts
write_config
add_image bb
# 300 KiB: the old file fits, the busybox image (about 1 MiB) does not.
mkdir -m 755 "$T/small"
mount -t tmpfs -o size=300k,mode=755 small "$T/small"
head -c 100000 /dev/urandom > "$T/small/bb.sqsh"
chmod 644 "$T/small/bb.sqsh"
old=$(sha256sum < "$T/small/bb.sqsh")

run mi pack bb "$T/small/bb.sqsh"
is "$rc" 1 "pack into a full file system fails (exit 1)"
like "$out" "^melee-image: pack: mksquashfs failed; $T/small/bb.sqsh was not changed$" "and says that FILE was not changed"
is "$(sha256sum < "$T/small/bb.sqsh")" "$old" "the old FILE is untouched"
is "$(ls -A "$T/small")" "bb.sqsh" "no temporary file is left"
is "$(df --output=used -B1 "$T/small" | tail -1)" "$(stat -c %b "$T/small/bb.sqsh" | awk '{ print $1 * 512 }')" "and no space is held by one"

# Room enough: replaced by rename, the old file still open reads as before.
mount -o remount,size=8m "$T/small"
exec 7< "$T/small/bb.sqsh"
ok_cmd "pack into the same FILE with room succeeds" mi pack bb "$T/small/bb.sqsh"
is "$(head -c 4 "$T/small/bb.sqsh")" "hsqs" "FILE is now a squashfs file"
is "$(sha256sum <&7)" "$old" "a reader of the old file still reads the old content (replaced by rename, not rewritten)"
exec 7<&-
is "$(ls -A "$T/small")" "bb.sqsh" "no temporary file is left"
done_testing
