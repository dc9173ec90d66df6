#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-image remove --delete-files while a user loops `melee demo true`
# with auto-up = yes, on a one-partition host: /home and the images on
# one tmpfs (the same st_dev), so a /home that auto-up binds into the tree
# being walked looks like the image's own directory to st_dev.  The image
# has a big usr/ that the walk reaches first and then home/.  Every file
# under /home survives every round; the removal either completes or
# refuses with the reason; the user's melee either ran or was refused.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/melee-lib.sh"
. "$top_srcdir/tests/integration/auto-up-lib.sh"
MELEE_IMAGE=$top_builddir/tools/melee-image/melee-image
mi() { "$MELEE_IMAGE" --config "$CONF" "$@"; }

private_syslog
setup_accounts
# /home on the tmpfs of the images: one file system for both.
mkdir -p "$T/home/alice/work" "$T/home/bob"
mount --bind "$T/home" /home
for i in $(seq 1 200); do echo "alice's file $i" > "/home/alice/work/f$i"; done
chown -R 1501:1501 /home/alice; chown 1502:1502 /home/bob
home_sum() { find /home -type f | sort | xargs cat | md5sum; }
before=$(find /home -type f | wc -l):$(home_sum)
is "$(stat -c %d /home/alice)" "$(stat -c %d "$IMAGES")" "/home and the images are on one file system (st_dev $(stat -c %d /home))"
private_dir /tmp 1777
cd /tmp || exit 1
write_config "auto-up = yes"
install_melee
install_auto_up_helper

# fixture NAME: the image with a usr/ of 12,000 files that tmpfs lists
# first, home/ next (each made again, newest first), then the rest.
fixture() {
	add_image "$1" "description = Race image"
	local img=$IMAGES/$1 d
	rmdir "$img/home" && mkdir "$img/home"
	mv "$img/usr" "$img/usr.old" && mkdir "$img/usr" && mv "$img/usr.old"/* "$img/usr/" && rmdir "$img/usr.old"
	for d in $(seq 1 40); do
		mkdir -p "$img/usr/share/big/$d"
		(cd "$img/usr/share/big/$d" && seq 1 300 | xargs touch)
	done
}

rounds=4 completed=0 refused=0
for round in $(seq 1 $rounds); do
	fixture demo
	[ "$round" = 1 ] && { [ "$(ls -U "$IMAGES/demo" | head -n 2 | tr '\n' ' ')" = "usr home " ]
		ok $? "the walk meets usr/ first, then home/ ($(ls -U "$IMAGES/demo" | head -n 3 | tr '\n' ' '))"; }
	: > "$T/work/user.out"
	# The removal first, the user at once: its auto-up runs while the
	# removal checks and walks.
	mi remove demo --delete-files > "$T/work/remove.out" 2>&1 &
	remover=$!
	( while kill -0 "$remover" 2>/dev/null; do
		as alice "$MELEE" demo true >> "$T/work/user.out" 2>&1; echo "rc=$?" >> "$T/work/user.out"
	  done ) &
	user=$!
	wait "$remover"; rc=$?
	wait "$user"
	out=$(cat "$T/work/remove.out")
	is "$(find /home -type f | wc -l):$(home_sum)" "$before" "round $round: every file under /home survived (remove: $rc: $(tail -n 1 "$T/work/remove.out" | head -c 160))"
	case "$rc:$out" in
	"0:melee-image: demo: deleted $IMAGES/demo
melee-image: demo: removed from the configuration ($T/etc/images.d/demo.conf)")
		completed=$((completed + 1))
		ok_cmd "round $round: the tree is gone" test ! -e "$IMAGES/demo" ;;
	"1:melee-image: image 'demo' is mounted; run 'melee-mounts down demo' first")
		refused=$((refused + 1))
		ok_cmd "round $round: refused, the image is still registered and whole" \
			test -e "$T/etc/images.d/demo.conf" -a -d "$IMAGES/demo/usr/share/big/40"
		mm down demo > /dev/null
		mi remove demo --delete-files > /dev/null ;;
	*)
		ok 1 "round $round: remove completed or refused with the reason (got $rc: $out)" ;;
	esac
	# What the user saw: ran, or refused as an unknown (unregistered)
	# image, or an image not prepared whose up found it gone.
	unlike "$(grep -v '^rc=' "$T/work/user.out" | grep -v "unknown image 'demo'\|image demo is not prepared\|^melee-fixture" | head -3)" "." \
		"round $round: the user's melee ran or was refused with a reason ($(grep -c '^rc=' "$T/work/user.out") runs)"
	mounted_below "$IMAGES/demo" >/dev/null && mm down demo >/dev/null
	[ -e "$IMAGES/demo" ] && safe_rm "$IMAGES/demo"
	rm -f "$T/etc/images.d/demo.conf"
done
echo "# removals completed: $completed, refused: $refused (of $rounds)"
done_testing
