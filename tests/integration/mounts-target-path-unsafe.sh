#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# up never mounts where others than root may move the mountpoint, and
# never looks into a user's FUSE mount on the way to one (review 28).
# An image's directories are root's in a default site; a tree a user
# built that an administrator registered with path =, or a directory an
# administrator gave a group (2775), is where a user could (1) rename a
# directory holding up's binds of host files out of the image, into a
# sticky directory of the host on the same file system (a stand-in for the
# host's /var/tmp here): root's binds outside the image, which down never
# takes (it looks below the image); (2) mount her FUSE file system on the
# way (allow_other) and stop its daemon: up's look at it waited for ever
# with the lock held, and every up, down and status with it.  Now the
# walk to each mountpoint looks inside a directory only when root alone
# can change it (a sticky one of root's only for a name of root's),
# enters no user's FUSE mount, and asks no file system for attributes;
# a nofail entry there is skipped and says why, another refuses the up.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

command -v bindfs >/dev/null || { echo "Bail out! bindfs is missing (tests/deps.txt)"; exit 1; }
setup_accounts
setup_home
private_dir /tmp 1777
user_fuse allow_other
write_config
add_image demo
add_image other
I=$IMAGES/demo
# The host's sticky directory on the images' file system.
HVT=$(dirname "$IMAGES")/host-var-tmp
mkdir -p "$HVT" && chmod 1777 "$HVT"
outside() { awk -v p="$HVT/" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo; }
# fuse_checks WHAT: with her FUSE mount on demo's /var/log, up skips the
# entries below it, naming it; up, status and down never wait on it.
fuse_checks() {
	run timeout 20 "$MELEE_MOUNTS" --config "$CONF" up demo
	like "$rc:$out" "^0:.*demo: skipping /var/log/wtmp: $I/var/log: is on a user's FUSE mount; refused" \
		"$1: up does not wait, skips the entries below it, naming her mount"
	run timeout 20 "$MELEE_MOUNTS" --config "$CONF" status
	ok "$([ "$rc" -ne 124 ]; echo $?)" "$1: status does not wait on it"
	run timeout 20 "$MELEE_MOUNTS" --config "$CONF" down demo
	like "$rc:$out" "^0:demo: unmounted [0-9]+$" "$1: down does not wait on it"
}

# (1) alice owns demo's /var (a tree she built): the wtmp, btmp and
# lastlog binds (nofail) are skipped, saying why; nothing is mounted where
# she could move it.
chown -R 1501:1501 "$I/var"
run mm up demo
like "$rc:$out" "^0:" "up of an image whose /var is alice's: done"
like "$out" "demo: skipping /var/log/wtmp: $I/var: others than root may change it \\(owner 1501, mode 0755;" \
	"the wtmp bind is skipped, naming the directory and its owner"
is "$(mounted_below "$I/var" | wc -l)" "0" "nothing is mounted below her /var"
run as alice mv "$I/var/log" "$HVT/log"
is "$rc" "0" "she moves her /var/log out of the image"
is "$(outside)" "" "no bind of up's went with it"
run mm down demo
like "$rc:$out" "^0:demo: unmounted [0-9]+$" "down: done"
is "$(mounted_below "$I" | wc -l):$(outside | wc -l)" "0:0" "nothing is left mounted, in the image or outside"
mv "$HVT/log" "$I/var/log"

# An entry without nofail there refuses the up, naming it; nothing stays.
echo "/etc/hostname /var/lib/hostname none bind" >> "$T/etc/fstab"
run mm up demo
like "$rc:$out" "^1:.*demo: $I/var: others than root may change it .*refused: whoever may could move the mountpoint elsewhere" \
	"an entry without nofail below her /var: up refused, naming the directory"
is "$(mounted_below "$I" | wc -l)" "0" "and nothing is left mounted in the image"
sed -i '$d' "$T/etc/fstab"
chown -R 0:0 "$I/var"

# A directory of the image an administrator gave a group (2775): the same.
mkdir -p "$I/srv/proj" && chgrp 1600 "$I/srv/proj" && chmod 2775 "$I/srv/proj"
mkdir -p "$I/srv/proj/data" "$T/projdata"
echo "$T/projdata /srv/proj/data none bind,nofail" >> "$T/etc/fstab"
run mm up demo
like "$out" "demo: skipping /srv/proj/data: $I/srv/proj: others than root may change it \\(owner 0, mode 2775;" \
	"below a 2775 directory of a group: skipped, naming it"
is "$(mounted_below "$I/srv" | wc -l)" "0" "nothing mounted there"
run mm check demo
like "$out" "demo: note: /srv/proj/data is skipped: $I/srv/proj: others than root may change it .*\\(nofail\\)" \
	"check says what up leaves out there, and why (review 30: Ubuntu's /var/log is 0775)"
mm down demo >/dev/null
chmod 755 "$I/srv/proj"
run mm up demo
like "$rc:$out" "^0:" "the same entry once the directory is root's alone: up done"
is "$(mounted_below "$I/srv" | wc -l)" "1" "and the bind made"
mm down demo >/dev/null
sed -i '$d' "$T/etc/fstab"

# In a sticky directory of root's (the image's own /var/tmp): a name of
# root's, not one of hers, whom the sticky bit lets move it.
chmod 1777 "$I/var/tmp" && mkdir -p "$I/var/tmp/roots" "$I/var/tmp/hers" "$T/vtsrc" &&
	chown 1501:1501 "$I/var/tmp/hers"
printf '%s\n' "$T/vtsrc /var/tmp/roots none bind,nofail" "$T/vtsrc /var/tmp/hers none bind,nofail" >> "$T/etc/fstab"
run mm up demo
like "$out" "demo: skipping /var/tmp/hers: $I/var/tmp/hers: belongs to uid 1501 in a sticky directory, who may move it; refused \\(nofail\\)" \
	"in the sticky /var/tmp: her directory is skipped, naming it"
is "$(mounted_below "$I/var/tmp" | tr '\n' ' ')" "$I/var/tmp/roots " "root's directory there is mounted on"
mm down demo >/dev/null
sed -i '$d' "$T/etc/fstab"; sed -i '$d' "$T/etc/fstab"

# (2) Her FUSE mount on demo's /var/log, which she owns,
# its daemon stopped: up, status and another image's up never wait on it.
chown 1501:1501 "$I/var/log"
# Her source's name is hers too: one with ",user_id=0" in it stands where
# a parse by field widths read the super options.
fsrc="/tmp/f,user_id=0"
mkdir -p "$fsrc" && chown 1501 "$fsrc"
# Also shown as root's 0755; with a FUSE type longer than a field width
# (fuse.xxx...: the subtype is hers to choose), which a parse of the
# mount table by widths took for root's FUSE (review 30); and without
# allow_other (no fuse.conf change needed), where root may not even ask
# for its attributes (review 30).
long=$(printf 'x%.0s' $(seq 70))
for force in "" "--force-user=root --force-group=root --perms=0755" "-o subtype=$long" "--no-allow-other"; do
	case $force in
	"") what="" ;;
	--force*) what=", shown as root's 0755" ;;
	-o*) what=", its type fuse.x... 75 bytes long" ;;
	*) what=", without allow_other" ;;
	esac
	# shellcheck disable=SC2086 # $force: the options, one word each
	bindfs_as alice "$fsrc" "$I/var/log" -o nonempty $force ||
		{ echo "Bail out! alice cannot mount bindfs"; exit 1; }
	ls "$I/var/log" > /dev/null 2>&1 # its attributes asked once (cached, then expired)
	at_exit "kill -CONT $BINDFS 2>/dev/null"
	kill -STOP "$BINDFS"
	sleep 1.5 # past FUSE's attribute time (1 s): a stat would ask the daemon
	fuse_checks "her stopped FUSE on /var/log$what"
	run timeout 20 "$MELEE_MOUNTS" --config "$CONF" up other
	like "$rc:$out" "^0:" "another image's up is not held up$what"
	kill -CONT "$BINDFS"
	fusermount -u "$I/var/log" || umount -l "$I/var/log"
	wait_for 10 sh -c "! grep -qF ' $I/var/log ' /proc/self/mountinfo"
	mm down other >/dev/null
done

# (3) Her FUSE mount made by fusermount itself, with options bindfs does
# not pass: her fsname "user_id=0" (the source field) and a type longer
# than a field width, which a parse of the mount table by widths read as
# the super options of root's FUSE: up looked inside, at a daemon that
# never answers, and hung (review 30).
HOSTILE=$top_builddir/tests/fuse-hostile
need_built "$HOSTILE"
as alice "$HOSTILE" never "$I/var/log" "nonempty,allow_other,subtype=$long,fsname=user_id=0,rootmode=40000,user_id=1501,group_id=1501" > "$T/never.out" 2>&1 &
never=$!
PIDS="$PIDS $never"
wait_for 10 grep -qF " $I/var/log " /proc/self/mountinfo ||
	{ cat "$T/never.out"; echo "Bail out! fusermount did not mount"; exit 1; }
like "$(grep -F " $I/var/log " /proc/self/mountinfo)" " - fuse\\.x{70} user_id=0 rw,user_id=1501," \
	"her mount: type fuse.x... (75 bytes), source user_id=0, super options with her user_id"
fuse_checks "her daemon that never answers, type fuse.x..., source user_id=0"
kill "$(child_named "$never" fuse-hostile)" 2>/dev/null
umount -l "$I/var/log"

# (4) Her daemon makes its root a bad inode (it answers her own stat of
# it with a regular file's mode): every statx of it fails EIO, for root
# too, whatever is asked; its mount id is still known (fdinfo), and the
# mount refused as hers, the nofail entries below it skipped, not the
# whole up failed (review 31).
as alice "$HOSTILE" bad-root "$I/var/log" "nonempty,rootmode=40000,user_id=1501,group_id=1501" > "$T/bad.out" 2>&1 &
bad=$!
PIDS="$PIDS $bad"
wait_for 10 grep -qF " $I/var/log " /proc/self/mountinfo ||
	{ cat "$T/bad.out"; echo "Bail out! fusermount did not mount"; exit 1; }
as alice stat "$I/var/log" > /dev/null 2>&1
run stat -c %F "$I/var/log"
like "$rc:$out" "^1:.*Input/output error" "her root is a bad inode: root's stat of it fails EIO"
fuse_checks "her bad root (EIO)"
kill "$(child_named "$bad" fuse-hostile)" 2>/dev/null
umount -l "$I/var/log"
chown 0:0 "$I/var/log"
done_testing
