#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Before remove NAME --delete-files deletes NAME's tree it compares every
# other image's tree and file with it, also with symlinks followed
# (image-layers.c's resolve_as_root): only root's own symlinks, and never
# into a directory a user may change.  A registration whose path runs
# through a user's directory (never usable: nothing past it is root's
# alone) cannot be placed: what its name leads to is whatever she put
# there (image-remove-through-bind.sh (6)), so the delete is refused up
# front, naming it, at once: never held on a FUSE mount of hers there
# whose daemon is stopped, nor led by a symlink of hers there, nor when
# her FUSE mount is on that directory itself and shows root as the owner
# of everything; a symlink of root's still counts
# (image-remove-file-inside.sh).  And a tree whose
# parent the delete would refuse (a directory others may write) is
# refused before the image is unregistered: nothing changed.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"

command -v bindfs >/dev/null || { echo "Bail out! bindfs is missing (tests/deps.txt)"; exit 1; }
setup_accounts
user_fuse allow_other
write_config
U=$T/u
mkdir -m 755 "$U" && chown alice "$U"
# broken: an image registered by hand at a path in alice's directory.
printf '[image broken]\npath = %s\n' "$U/m/tree" > "$T/etc/images.d/broken.conf"
chmod 644 "$T/etc/images.d/broken.conf"

# refused_for_broken WHY DESC: remove victim --delete-files is refused
# at once (killed after 20 s) for broken's registration, stopped at $U
# for WHY; victim's tree whole, still registered.
refused_for_broken() {
	local sum
	sum=$(tree_sum "$IMAGES/victim")
	run timeout 20 "$MELEE_IMAGE" --config "$CONF" remove victim --delete-files
	is "$rc:$out" "1:melee-image: image 'victim': $IMAGES/victim, which --delete-files deletes, may hold image 'broken''s tree $U/m/tree: it is named through $U ($1), which root alone does not control, so where it lies cannot be told; its files are not deleted; remove it without --delete-files, or correct image 'broken' first" "$2"
	is "$(tree_sum "$IMAGES/victim"):$(registered victim && echo registered)" "$sum:registered" \
		"victim's tree is whole, victim registered"
}

# remove_past_stopped SRC MNT WHAT: image victim made, alice's bindfs of
# SRC on MNT (allow_other), its daemon stopped; remove victim
# --delete-files is refused at once.
remove_past_stopped() {
	local daemon
	add_image victim
	bindfs_as alice "$1" "$2" -o allow_other
	ok $? "alice mounts a bindfs of hers $3"
	daemon=$BINDFS
	at_exit "kill -CONT $daemon 2>/dev/null; umount -l '$2' 2>/dev/null"
	kill -STOP "$daemon"
	refused_for_broken "$4" "remove victim --delete-files with her daemon stopped ($3): refused at once, not hung"
	kill -CONT "$daemon"
}

as alice mkdir -p "$U/src/tree" "$U/m"
remove_past_stopped "$U/src" "$U/m" "on the way to broken's path" "a directory that is not root's"
umount "$U/m" || umount -l "$U/m"

rm -rf "$U/m"
as alice sh -c "mkdir '$U/m' && ln -s '$IMAGES/victim' '$U/m/tree'"
refused_for_broken "a directory that is not root's" "alice's symlink to victim's tree in her directory leads nowhere: refused"

# alice's FUSE mount ON her directory $U (not below it): what root sees
# there is what her daemon says (root's 000 before it answered anything;
# with --force-user=root, root's everywhere).  The check goes by the
# mount table, never by the owners a FUSE mount shows.
rm -rf "$U/m" "$U/src"
mkdir -m 755 "$T/asrc" && chown alice "$T/asrc"
as alice mkdir -p "$T/asrc/m/tree"
remove_past_stopped "$T/asrc" "$U" "on her own directory $U (stopped before root looked)" "a user's FUSE mount"
umount "$U" || umount -l "$U"
rm -rf "$T/asrc/m"
as alice sh -c "mkdir '$T/asrc/m' && ln -s '$IMAGES/victim' '$T/asrc/m/tree'" &&
	bindfs_as alice "$T/asrc" "$U" -o allow_other --force-user=root --force-group=root --perms=go-w
ok $? "alice mounts it again showing every file as root's, her symlink to victim's tree in it"
refused_for_broken "a user's FUSE mount" "her symlink shown as root's leads nowhere: refused"
umount "$U" || umount -l "$U"
rm "$T/etc/images.d/broken.conf"
run mi remove victim --delete-files
is "$rc" 0 "with broken's registration gone, victim is removed ($out)"
ok_cmd "victim's tree is gone" test ! -e "$IMAGES/victim"

# odd: registered by hand in a directory of root's that group may write.
mkdir -m 775 "$T/odd" && fixture_tree "$T/odd/tree" odd
printf '[image odd]\npath = %s\n' "$T/odd/tree" > "$T/etc/images.d/odd.conf"
chmod 644 "$T/etc/images.d/odd.conf"
run mi remove odd --delete-files
like "$rc:$out" "^1:.*$T/odd.*image 'odd' is not removed and its files are not deleted" \
	"remove odd --delete-files is refused: its parent is writable by group"
test -e "$T/etc/images.d/odd.conf" -a ! -e "$T/etc/images.d/.odd.conf.removing" -a -e "$T/odd/tree/marker"
ok $? "odd stays registered, nothing set aside, its tree whole"
done_testing
