#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-image import (tree and tarball), list and remove, and what happens
# when create fails or is interrupted: the partial tree goes, nothing is
# registered.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

MELEE_IMAGE=$top_builddir/tools/melee-image/melee-image
mi() { "$MELEE_IMAGE" --config "$CONF" "$@"; }
setup_accounts
write_config
# melee-image writes images.d; the tests' default fstab lives beside CONF.
cp "$T/etc/fstab" "$T/etc/fstab.keep"

# import a tree that is already somewhere.
mkdir -p "$T/site"; chmod 755 "$T/site"
"$top_srcdir/tests/make-fixture-image" "$T/site/sl6" sl6 >/dev/null
run mi import sl6 "$T/site/sl6"
like "$out" "^melee-image: sl6: registered in $T/etc/images.d/sl6.conf \(MELEE fixture image \(sl6, busybox\)\)$" "import DIR registers with the os-release description"
like "$out" "^sl6: mounted 17, 0 already present$" "and runs melee-mounts up"
is "$rc" "0" "import exits 0"
is "$(cat "$T/etc/images.d/sl6.conf")" "# Registered by melee-image.
[image sl6]
path = $T/site/sl6
description = MELEE fixture image (sl6, busybox)" "the registration file"
is "$(stat -c '%U %a' "$T/etc/images.d/sl6.conf")" "root 644" "registered root-owned 0644"

run mi import sl6 "$T/site/sl6"
is "$rc:$out" "2:melee-image: image 'sl6' already exists (defined at $T/etc/images.d/sl6.conf:2)" "a name cannot be registered twice"
run mi import ../x "$T/site/sl6"
is "$rc:$out" "2:melee-image: invalid image name '../x' (expected [A-Za-z0-9][A-Za-z0-9._-]{0,63})" "an invalid name is refused"
run mi import host "$T/site/sl6"
is "$rc:$out" "2:melee-image: 'host' cannot name an image: it means the host itself" "the name host is refused"
ok "$(test ! -e "$T/etc/images.d/host.conf"; echo $?)" "and nothing is registered"
mkdir -p "$T/site/empty"
run mi import empty "$T/site/empty"
is "$rc:$out" "1:melee-image: $T/site/empty/bin/sh is missing or not an ELF executable: not an image" "a tree without a shell is refused"
ok "$(test ! -e "$T/etc/images.d/empty.conf"; echo $?)" "and not registered"
chmod 775 "$T/site/empty"
run mi import empty "$T/site/empty"
is "$rc:$out" "1:melee-image: $T/site/empty: group- or world-writable (mode 0775), refused" "an unsafe tree is refused"

# import a tarball: unpacked under images-dir.
tar -C "$T/site/sl6" --one-file-system --numeric-owner -cpzf "$T/work/img.tar.gz" .
run mi --no-up import tarred "$T/work/img.tar.gz"
like "$rc:$out" "^0:melee-image: tarred: unpacking $T/work/img.tar.gz" "import TARBALL unpacks"
is "$(cat "$IMAGES/tarred/marker")" "melee-fixture:sl6" "the tarball's tree is at images-dir/NAME"
ok "$(test ! -e "$IMAGES/.tarred.partial"; echo $?)" "no partial tree left"
echo "not a tarball" > "$T/work/bad.tar"
run mi import badtar "$T/work/bad.tar"
like "$out" "removed the partial tree $IMAGES/.badtar.partial; nothing was registered" "a bad tarball leaves nothing behind"
ok "$(test ! -e "$IMAGES/.badtar.partial" && test ! -e "$IMAGES/badtar" && test ! -e "$T/etc/images.d/badtar.conf"; echo $?)" "no tree, no registration"

out=$(mi list)
like "$out" "^sl6 +ready +linux +MELEE fixture image \(sl6, busybox\) +$T/site/sl6$" "list shows a ready image"
like "$out" "^tarred +down +linux " "list shows a down image"

# remove: refused while mounted, refused while in use, files kept by default.
run mi remove sl6
is "$rc:$out" "1:melee-image: image 'sl6' is mounted; run 'melee-mounts down sl6' first" "remove refused while mounted"
mm down sl6 >/dev/null
chroot "$T/site/sl6" /bin/sleep 300 &
user=$!
PIDS="$PIDS $user"
# Until it has chrooted: a fixed sleep lost that race on a loaded machine.
wait_for 10 sh -c '[ "$(readlink "/proc/$1/root")" = "$2" ]' sh "$user" "$T/site/sl6"
run mi remove sl6
is "$rc:$out" "1:melee-image: image 'sl6' is in use by process $user (sleep)" "remove refused while a process runs in it"
kill "$user"; wait "$user" 2>/dev/null
run mi remove sl6
is "$rc:$out" "0:melee-image: sl6: removed from the configuration ($T/etc/images.d/sl6.conf)
melee-image: sl6: files kept in $T/site/sl6 (--delete-files deletes them)" "remove unregisters and keeps the files"
is "$(cat "$T/site/sl6/marker")" "melee-fixture:sl6" "the files are still there"

# --delete-files never deletes through a mount.
mkdir -p "$T/precious"; echo data > "$T/precious/file"
mount --bind "$T/precious" "$IMAGES/tarred/home"
run mi remove --delete-files tarred
is "$rc:$out" "1:melee-image: image 'tarred' is mounted; run 'melee-mounts down tarred' first" "--delete-files refused with a mount inside"
umount "$IMAGES/tarred/home"
run mi remove --delete-files tarred
is "$rc:$out" "0:melee-image: tarred: deleted $IMAGES/tarred
melee-image: tarred: removed from the configuration ($T/etc/images.d/tarred.conf)" "remove --delete-files deletes, then unregisters"
ok "$(test ! -e "$IMAGES/tarred"; echo $?)" "the tree is gone"
is "$(cat "$T/precious/file")" "data" "what was mounted there earlier is intact"

# create: a suite that does not exist fails, leaves nothing.
run mi create nosuite --suite no-such-suite-xyz
like "$out" "removed the partial tree $IMAGES/.nosuite.partial; nothing was registered" "a failed create says so"
is "$rc" "1" "a failed create exits 1"
ok "$(test ! -e "$IMAGES/.nosuite.partial" && test ! -e "$IMAGES/nosuite" && test ! -e "$T/etc/images.d/nosuite.conf"; echo $?)" "no tree, no registration after a failed create"
run mi create x
is "$rc:$out" "2:melee-image: create: --suite SUITE is required (e.g. bookworm, trixie)" "create without --suite"
run mi create x --suite trixie --variant huge
is "$rc:$out" "2:melee-image: create: --variant must be minbase or standard, got 'huge'" "create with a bad variant"

# create interrupted: SIGTERM while debootstrap runs.
"$MELEE_IMAGE" --config "$CONF" create stopped --suite bookworm --variant minbase > "$T/work/stopped.out" 2>&1 &
pid=$!
PIDS="$PIDS $pid"
for i in $(seq 1 200); do grep -q '\[1/7\]' "$T/work/stopped.out" && break; sleep 0.1; done
kill -TERM "$pid"; wait "$pid"; rc=$?
like "$(cat "$T/work/stopped.out")" "^melee-image: stopped: \[1/7\] resolving \(downloading the mirror's package lists first\)$" "create shows a line per stage, and what the first one waits for"
like "$(cat "$T/work/stopped.out")" "removed the partial tree $IMAGES/.stopped.partial; nothing was registered" "an interrupted create cleans up"
ok "$(test ! -e "$IMAGES/.stopped.partial" && test ! -e "$T/etc/images.d/stopped.conf"; echo $?)" "no tree, no registration after an interrupt (exit $rc)"
done_testing
