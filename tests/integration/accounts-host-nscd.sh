#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# With nscd running on the host, a glibc image whose /var/run is
# /run reaches its socket through the /run bind, and nscd answers before
# the image's merged files are read.  Here a real nscd (Debian's, fetched
# once into the test cache, never installed) runs inside this test's
# namespace on a /run/nscd of its own; up covers the image's /run/nscd,
# so a real bullseye image finds its own users; status notices a missing
# cover, up restores it, down removes it.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"

# nscd_fetch: Debian's nscd unpacked (not installed: installing enables a
# host service) under the test cache, so that a second run is offline.
NSCD_CACHE=$IMAGE_CACHE/nscd
nscd_fetch() {
	local deb tmp
	mkdir -p "$NSCD_CACHE"
	[ -x "$NSCD_CACHE/root/usr/sbin/nscd" ] && return 0
	deb=$(ls "$NSCD_CACHE"/nscd_*.deb 2>/dev/null | head -1)
	if [ -z "$deb" ]; then
		tmp=$NSCD_CACHE/download.$$
		mkdir -p "$tmp"
		(cd "$tmp" && { apt-get download nscd || { apt-get update -qq && apt-get download nscd; }; }) \
			> "$T/work/nscd-fetch.out" 2>&1 || { cat "$T/work/nscd-fetch.out" >&2; rm -rf "$tmp"; return 1; }
		mv "$tmp"/nscd_*.deb "$NSCD_CACHE/" && rm -rf "$tmp"
		deb=$(ls "$NSCD_CACHE"/nscd_*.deb | head -1)
	fi
	rm -rf "$NSCD_CACHE/root.$$"
	dpkg-deb -x "$deb" "$NSCD_CACHE/root.$$" && mv "$NSCD_CACHE/root.$$" "$NSCD_CACHE/root"
}
nscd_fetch; ok $? "nscd binary ready (cached under $NSCD_CACHE)"
NSCD=$NSCD_CACHE/root/usr/sbin/nscd

setup_accounts
# A host-only system account (not merged) that nscd knows.
echo 'hostsvc:x:990:990::/nonexistent:/usr/sbin/nologin' >> "$T/work/passwd"
write_config
image_ready bullseye bullseye
echo 'imgsvc:x:555:555::/nonexistent:/usr/sbin/nologin' >> "$IMAGES/bullseye/etc/passwd"
img_apt=$(sed -n 's/^_apt:x:\([0-9]*\):.*/\1/p' "$IMAGES/bullseye/etc/passwd")
host_apt=$(getent passwd _apt | cut -d: -f3)
ok $([ -n "$img_apt" ] && [ -n "$host_apt" ] && [ "$img_apt" != "$host_apt" ]; echo $?) \
	"_apt differs: uid $host_apt on the host, $img_apt in the image"

# The host's nscd, in this namespace only: its own /run/nscd (the image's
# /run bind copies it), its own config, no persistent cache file.
own_dir /run/nscd 755
cat > "$T/work/nscd.conf" <<'C'
	paranoia		no
	enable-cache		passwd		yes
	positive-time-to-live	passwd		600
	negative-time-to-live	passwd		600
	check-files		passwd		yes
	persistent		passwd		no
	shared			passwd		yes
	enable-cache		group		yes
	persistent		group		no
	shared			group		yes
	enable-cache		hosts		no
	enable-cache		services	no
	enable-cache		netgroup	no
C
"$NSCD" -F -f "$T/work/nscd.conf" 2> "$T/work/nscd.log" &
PIDS="$PIDS $!"
wait_for 5 test -S /run/nscd/socket
[ -S /run/nscd/socket ]; ok $? "nscd runs (its socket is /run/nscd/socket)"
like "$("$NSCD" -f "$T/work/nscd.conf" -g 2>&1)" "passwd cache" "nscd answers on its socket"

# systemd-userdbd's directory, where the host has /run/systemd: one of
# this namespace's own with an entry in it (no userdbd runs here).
if [ -d /run/systemd ]; then
	own_dir /run/systemd/userdb 755
	touch /run/systemd/userdb/io.systemd.Multiplexer
fi
mm up bullseye > "$T/work/up.out" 2>&1; ok $? "melee-mounts up bullseye"
if [ -d /run/systemd ]; then
	is "$(ls -A "$IMAGES/bullseye/run/systemd/userdb")" "" "the image's /run/systemd/userdb is covered (empty)"
	is "$(ls -A /run/systemd/userdb)" "io.systemd.Multiplexer" "outside the image it is unchanged"
fi
install_melee bullseye
export PATH=$T/bin:$PATH
cd /

inside() { as alice melee bullseye "$@"; }
is "$(inside getent passwd imgsvc)" "imgsvc:x:555:555::/nonexistent:/usr/sbin/nologin" \
	"melee bullseye getent passwd imgsvc: the image's own user, while the host's nscd runs"
is "$(inside getent passwd _apt | cut -d: -f3)" "$img_apt" "_apt has the image's uid ($img_apt)"
is "$(inside getent passwd hostsvc)" "" "a host-only system account is unknown inside"
is "$(inside ls -A /run/nscd; inside sh -c 'test -e /var/run/nscd/socket && echo socket')" "" \
	"inside, /run/nscd (and /var/run/nscd) is empty"
like "$(findmnt -n -o FSTYPE,OPTIONS "$IMAGES/bullseye/run/nscd")" "^tmpfs +ro,nosuid,nodev,noexec" \
	"the cover is a read-only nosuid nodev noexec tmpfs"
[ -S /run/nscd/socket ]; ok $? "outside the image the socket is still there"
like "$(mm status bullseye)" "^bullseye +$IMAGES/bullseye +ready " "status: ready"

# Without the cover the image's programs ask nscd (the control: nscd was
# really reachable); status says so, up puts the cover back.
umount "$IMAGES/bullseye/run/nscd"
is "$(inside getent passwd imgsvc)" "" "without the cover nscd answers for the image: imgsvc is not found"
is "$(inside getent passwd _apt | cut -d: -f3)" "$host_apt" "and _apt has the host's uid ($host_apt)"
like "$(mm status bullseye)" "^bullseye .* partial +[0-9]+/[0-9]+ +not covered .*: $IMAGES/bullseye/run/nscd$" \
	"status: partial, naming the uncovered /run/nscd"
ok_cmd "up again" mm up bullseye
is "$(inside getent passwd imgsvc | cut -d: -f1)" "imgsvc" "covered again: imgsvc found"
like "$(mm status bullseye)" "^bullseye .* ready " "status: ready again"
mm up bullseye > /dev/null 2>&1
is "$(awk -v t="$IMAGES/bullseye/run/nscd" '$5 == t && $6 ~ /^ro,/' /proc/self/mountinfo | wc -l)" "1" \
	"a third up adds no second cover"

ok_cmd "melee-mounts down bullseye" mm down bullseye
is "$(mounted_below "$IMAGES/bullseye")" "" "down removed the cover with the binds"

# accounts = none: the image's own files, so the cover too; bind: the
# host's files, which the host's nscd serves correctly: no cover.
echo "accounts = none" >> "$T/etc/images.d/bullseye.conf"
ok_cmd "up with accounts = none" mm up bullseye
is "$(inside getent passwd imgsvc | cut -d: -f1)" "imgsvc" "accounts = none: imgsvc found while nscd runs"
mm down bullseye > /dev/null 2>&1
sed -i 's/^accounts = none$/accounts = bind/' "$T/etc/images.d/bullseye.conf"
ok_cmd "up with accounts = bind" mm up bullseye
is "$(inside sh -c 'test -S /var/run/nscd/socket && echo socket')" "socket" \
	"accounts = bind: the host's nscd stays reachable (it serves the same accounts)"
mm down bullseye > /dev/null 2>&1
done_testing
