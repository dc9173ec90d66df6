#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A failed up takes back exactly the mounts that run made, on every
# failure path (tools/melee-mounts/mounts-made.c records each mount as it
# is attached, by the fd and id of that mount; rollback detaches those):
# - a mount made on a bind's host source after up bound it propagates on
#   top of the image's rslave bind; when the cover then fails, rollback
#   still detaches this run's bind (the stacked copy goes with it), not
#   just the mount on top; the control, nothing stacked, the same;
# - nosuid = yes, the image root found unsafe right after its nosuid bind
#   (made world-writable in that moment): the bind is taken back;
# - a stale bind that cannot be replaced: this run's new binds are taken
#   back, the earlier run's binds (the stale one too) stay, the same mounts;
# - a directory on a bind's way renamed during up (by root: up mounts
#   nothing below a directory anyone else may change, mounts-target-path-
#   unsafe): the bind is taken back all the same (through its fd, not its
#   path).
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

command -v strace >/dev/null || { echo "Bail out! strace is missing (tests/deps.txt)"; exit 1; }
BENEATH=$top_builddir/tests/deny-move-beneath
need_built "$BENEATH"
setup_accounts
write_config
SRC=$T/src
mkdir -p "$SRC" && echo host > "$SRC/f"
# A shared source: what is mounted on it later reaches the image's bind.
mount --bind "$SRC" "$SRC" && mount --make-shared "$SRC"
echo "$SRC /data none bind,nofail 0 0" >> "$T/etc/fstab"
at_exit "umount -l '$SRC' 2>/dev/null; umount -l '$SRC' 2>/dev/null"
# A /run/nscd of this namespace's own: the cover is wanted.
own_dir /run/nscd 755
add_image demo
I=$IMAGES/demo
mkdir -p "$I/data"
# The image's mounts, whole mountinfo lines (as mounts-cover-fails.sh).
image_mounts() {
	awk -v p="$I" '{ t = $5; gsub(/\\040/, " ", t); if (t == p || index(t, p "/") == 1) print }' \
		/proc/self/mountinfo | sed 's|//deleted | |'
}
# up with the cover's fsopen held 3 s, then refused: the window in which
# the stacked mount is made.
up_cover_refused() {
	strace -f -o /dev/null -e trace=fsopen \
		-e inject=fsopen:error=EPERM:delay_enter=3000000 \
		"$MELEE_MOUNTS" --config "$CONF" up demo
}
data_bound() { findmnt -n "$I/data" >/dev/null; }

# Control: nothing stacked.
run up_cover_refused
like "$rc:$out" "^1:.*demo: cannot cover $I/run/nscd: .*Operation not permitted" \
	"control: up with the cover refused exits 1, naming /run/nscd"
is "$(image_mounts)" "" "control: nothing of that run is left mounted under the image"

# A tmpfs mounted on the source while up waits for its cover.
up_cover_refused > "$T/work/up.out" 2>&1 &
UP=$!
wait_for 10 data_bound
ok $? "up has bound $I/data"
mount -t tmpfs stacked "$SRC"
wait_for 5 sh -c "findmnt -n -o SOURCE '$I/data' | grep -qx stacked"
ok $? "the tmpfs on the source shows on top of the image's bind"
wait "$UP"
is "$?" "1" "up with the cover refused exits 1"
is "$(image_mounts)" "" "nothing of that run is left mounted under the image, the bind below the stacked mount neither"
like "$(mm status demo)" "^demo +$I +down +0/[0-9]+$" "status: down"
umount "$SRC"

# nosuid = yes: the image root made world-writable right after the nosuid
# bind (the first move_mount of up, held 3 s after it returns).
add_image nos "nosuid = yes"
N=$IMAGES/nos
at_exit "chmod 755 '$N' 2>/dev/null"
nos_bound() { findmnt -n -o OPTIONS "$N" | grep -q nosuid; }
strace -f -o /dev/null -e trace=move_mount -e inject=move_mount:delay_exit=3000000:when=1 \
	"$MELEE_MOUNTS" --config "$CONF" up nos > "$T/work/up.out" 2>&1 &
UP=$!
wait_for 10 nos_bound
ok $? "up has made the nosuid bind of $N"
chmod 757 "$N"
wait "$UP"
is "$?" "1" "up with the image root unsafe after its nosuid bind exits 1"
like "$(cat "$T/work/up.out")" "nos: unsafe image path, refused: " "and says why"
chmod 755 "$N"
is "$(awk -v p="$N" '$5 == p || index($5, p "/") == 1' /proc/self/mountinfo)" "" \
	"the nosuid bind of that run is taken back"
ok_cmd "up nos works again" mm up nos
ok_cmd "down nos" mm down nos

# A stale bind whose replacement the kernel refuses (EPERM for
# move_mount beneath): the /tmp bind this run makes again is taken back,
# the earlier run's binds stay, the stale /etc/hosts among them.
replace_hosts() { echo "$1" > /etc/hosts.tmp && mv /etc/hosts.tmp /etc/hosts; }
replace_hosts '127.0.0.1 localhost old-hosts'
ok_cmd "up demo" mm up demo
umount -R "$I/tmp"
replace_hosts '127.0.0.1 localhost new-hosts'
before=$(image_mounts)
run "$BENEATH" --errno=EPERM "$MELEE_MOUNTS" --config "$CONF" up demo
like "$rc:$out" "^1:.*demo: cannot replace the stale bind of /etc/hosts: .*Operation not permitted" \
	"up with the stale bind's replacement refused exits 1, naming it"
is "$(image_mounts)" "$before" "the /tmp bind of that run is taken back, the earlier binds stay, the same mounts"
ok_cmd "up without the filter repairs it" mm up demo
is "$(chroot "$I" /bin/cat /etc/hosts)" "127.0.0.1 localhost new-hosts" "the image shows the new /etc/hosts"
ok_cmd "down demo" mm down demo
is "$(image_mounts)" "" "down leaves nothing"

# A directory on a bind's way renamed (and a plain directory put in its
# place) while up waits for its cover: the bind is taken back through its
# own fd, not looked for at the old path.
add_image ren
R=$IMAGES/ren
echo "$SRC /ren/u/w/x none bind,nofail 0 0" >> "$T/etc/fstab"
mkdir -p "$R/ren/u/w/x"
ren_mounts() { awk -v p="$R" '{ t = $5; gsub(/\\040/, " ", t); if (t == p || index(t, p "/") == 1) print $5 }' /proc/self/mountinfo; }
strace -f -o /dev/null -e trace=fsopen -e inject=fsopen:error=EPERM:delay_enter=3000000 \
	"$MELEE_MOUNTS" --config "$CONF" up ren > "$T/work/up.out" 2>&1 &
UP=$!
wait_for 10 findmnt -n "$R/ren/u/w/x"
ok $? "up has bound $R/ren/u/w/x"
sh -c "cd '$R/ren/u' && mv w w2 && mkdir -p w/x"
ok $? "w (holding the bind) renamed to w2 and a plain w/x made"
wait "$UP"
is "$?" "1" "up with the cover refused exits 1"
is "$(ren_mounts)" "" "nothing of that run is left mounted under the image, the renamed bind neither"
done_testing
