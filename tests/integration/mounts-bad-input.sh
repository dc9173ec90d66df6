#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Bad input to melee-mounts up is refused with a message naming the thing,
# and leaves nothing half-mounted for that image.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

setup_accounts
write_config
add_image good

none_mounted() { ! mounted_below "$IMAGES/$1" >/dev/null; }

run mm up nosuch
is "$rc:$out" "2:melee-mounts: unknown image 'nosuch' (configured: good)" "unknown image refused"
run mm up ../good
is "$rc:$out" "2:melee-mounts: unknown image '../good': not a valid image name (configured: good)" "a path is not an image name"
none_mounted good; ok $? "nothing mounted after refusing the names"

# The image path is a symlink.
add_image real
mv "$IMAGES/real" "$IMAGES/real.dir"
ln -s real.dir "$IMAGES/real"
run mm up real
is "$rc:$out" "1:melee-mounts: real: unsafe image path, refused: $IMAGES/real: is a symlink (refused: image paths must not contain symlinks)" "symlinked image path refused"
none_mounted real.dir; ok $? "nothing mounted through the symlink"
rm "$IMAGES/real"; mv "$IMAGES/real.dir" "$IMAGES/real"

# A group-writable image dir.
add_image gw
chmod 775 "$IMAGES/gw"
run mm up gw
is "$rc:$out" "1:melee-mounts: gw: unsafe image path, refused: $IMAGES/gw: group- or world-writable (mode 0775), refused" "group-writable image refused"
none_mounted gw; ok $? "nothing mounted in the group-writable image"
out=$(mm status gw); like "$out" "^gw .* unsafe +0/0 +$IMAGES/gw: group- or world-writable" "status says unsafe and why"
chmod 755 "$IMAGES/gw"

# A mountpoint inside the image that is a symlink to the host's /etc.
add_image evil
rmdir "$IMAGES/evil/tmp"
ln -s /etc "$IMAGES/evil/tmp"
etc_before=$(stat -c '%i %Y' /etc/passwd /etc/hostname 2>/dev/null)
# (lib.sh's own overlay is on /etc already: nothing more may come.)
etc_mounts=$(awk '$5 == "/etc"' /proc/self/mountinfo)
run mm up evil
is "$rc:$out" "1:melee-mounts: evil: $IMAGES/evil/tmp: is a symlink (refused: a mountpoint inside an image must not be a symlink, it could point at the host) ($T/etc/fstab:8)" "symlinked mountpoint refused"
none_mounted evil; ok $? "nothing half-mounted in that image (the entries before it were not mounted)"
is "$(awk '$5 == "/etc"' /proc/self/mountinfo)" "$etc_mounts" "nothing was mounted over the host's /etc"
is "$(stat -c '%i %Y' /etc/passwd /etc/hostname 2>/dev/null)" "$etc_before" "the host's /etc is untouched"

# A missing fstab source.
cp "$T/etc/fstab" "$T/etc/fstab.missing"
echo "/nonexistent/data /data none rbind" >> "$T/etc/fstab.missing"
add_image missing "fstab = $T/etc/fstab.missing"
sed -i '/^fstab = .*\/fstab$/d' "$T/etc/images.d/missing.conf"
run mm up missing
is "$rc:$out" "1:melee-mounts: missing: $T/etc/fstab.missing:26: source /nonexistent/data does not exist" "missing fstab source refused"
none_mounted missing; ok $? "nothing half-mounted for the missing-source image"

# A syntax error in fstab.
printf '/proc /proc none rbind\n/sys\n' > "$T/etc/fstab.bad"
add_image syntax "fstab = $T/etc/fstab.bad"
sed -i "/^fstab = .*\/fstab$/d" "$T/etc/images.d/syntax.conf"
run mm up syntax
is "$rc:$out" "1:melee-mounts: syntax: $T/etc/fstab.bad:2: syntax error (expected 'SOURCE TARGET none bind|rbind[,ro]')" "fstab syntax error refused with file:line"
none_mounted syntax; ok $? "nothing mounted for the image with a bad fstab"

# A mount that fails half-way is rolled back (the target is a file where
# the source is a directory: checked before mounting, so nothing mounts).
add_image half
rmdir "$IMAGES/half/tmp"; touch "$IMAGES/half/tmp"
run mm up half
like "$rc:$out" "^1:melee-mounts: half: $IMAGES/half/tmp: is not a directory \(the source is one\)" "file where a directory is needed refused"
none_mounted half; ok $? "nothing half-mounted"

# An image inside an rbind source would copy every image's mounts into
# itself on each up.
mkdir -p "$T/shared"; mount -t tmpfs -o mode=755 shared "$T/shared"
cp "$T/etc/fstab" "$T/etc/fstab.loop"
echo "$T/shared /srv none rbind" >> "$T/etc/fstab.loop"
"$top_srcdir/tests/make-fixture-image" "$T/shared/inner" inner >/dev/null
printf '[image inner]\npath = %s\nfstab = %s\n' "$T/shared/inner" "$T/etc/fstab.loop" > "$T/etc/images.d/inner.conf"
run mm up inner
is "$rc:$out" "1:melee-mounts: inner: $T/etc/fstab.loop:26: image inner ($T/shared/inner) lies inside the rbind source $T/shared: every up would copy the images' own mounts into it; move the image out of $T/shared" "an image inside an rbind source is refused"
like "$(mm check inner 2>&1)" "^inner: FAIL: $T/etc/fstab.loop:26: image inner" "check reports it"
# The same source written with a trailing slash is the same directory.
sed -i "s|^$T/shared /srv|$T/shared/ /srv|" "$T/etc/fstab.loop"
run mm up inner
like "$rc:$out" "^1:melee-mounts: inner: $T/etc/fstab.loop:26: image inner \($T/shared/inner\) lies inside the rbind source $T/shared/:" \
	"and with a trailing slash on the source: refused too"
rm "$T/etc/images.d/inner.conf"

# A nofail entry whose source is missing is not expected by status.
cp "$T/etc/fstab" "$T/etc/fstab.nofail"
echo "/nonexistent/opt /opt none rbind,nofail" >> "$T/etc/fstab.nofail"
add_image opt "fstab = $T/etc/fstab.nofail"
sed -i "/^fstab = .*\/fstab$/d" "$T/etc/images.d/opt.conf"
run mm up opt
is "$rc:$out" "0:opt: skipping /opt: source /nonexistent/opt is missing (nofail)
opt: mounted 17, 0 already present" "up skips a nofail entry with a missing source"
like "$(mm status opt)" "^opt .* ready +17/17$" "and status calls the image ready"
run mm up opt
is "$rc:$out" "0:opt: skipping /opt: source /nonexistent/opt is missing (nofail)
opt: already up, nothing mounted (17 of 17 present)" "up again counts as status does: 17 of 17, the skipped entry not expected"
mm down opt >/dev/null

# A bad config file: file:line, exit 2, nothing done.
echo "bogus line" >> "$T/etc/melee.conf"
run mm up good
is "$rc:$out" "2:melee-mounts: $CONF:4: expected 'key = value', a '[section]' header or a comment, got 'bogus line'" "config syntax error names file:line"
none_mounted good; ok $? "nothing mounted with a broken config"
sed -i '$d' "$T/etc/melee.conf"
chmod 664 "$CONF"
run mm up good
is "$rc:$out" "2:melee-mounts: $CONF: group- or world-writable (mode 0664), refused" "group-writable config refused"
chmod 644 "$CONF"
chown 1501 "$CONF"
run mm up good
is "$rc:$out" "2:melee-mounts: $CONF: owned by uid 1501, expected root (refused)" "config not owned by root refused"
chown 0 "$CONF"

# The good image still comes up, and a non-root caller cannot pick the config.
run mm up good
is "$rc:$out" "0:good: mounted 17, 0 already present" "the good image is unaffected by the bad ones"
out=$(setpriv --reuid=1501 --regid=1501 --clear-groups "$MELEE_MOUNTS" --config "$CONF" status good 2>&1)
like "$out" "^melee-mounts: ignoring --config $CONF: only root may choose the configuration$" "--config is ignored for a non-root caller"
run setpriv --reuid=1501 --regid=1501 --clear-groups "$MELEE_MOUNTS" up good
is "$rc:$out" "2:melee-mounts: up: must be run as root" "a non-root caller cannot run up"
done_testing
