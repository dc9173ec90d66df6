#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# links --apps and the files an image's entries point at: a FIFO or a
# device node as an entry or an icon is refused with a message without
# ever being opened (a writer blocked on the FIFO stays blocked: an open
# for reading would release it), nothing hangs; a file only root may
# read (mode 0600, or in a 0700 directory), or one an ACL keeps someone
# out of (on the file, or on a directory on its way: review 28), is not
# copied to the host as a world-readable icon, nor read as an entry.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/links-apps-lib.sh" || exit 1

apps_setup
I=$IMAGES/demo
entry() { # entry ICON
	printf '[Desktop Entry]\nType=Application\nName=Some app\nExec=good\nIcon=%s\n' "$1"
}
mkdir -p "$I/usr/share/special" "$I/usr/share/private"
chmod 755 "$I/usr/share/special"
chmod 700 "$I/usr/share/private"
printf 'secret icon' > "$I/usr/share/special/secret.png"
chmod 600 "$I/usr/share/special/secret.png"
printf 'hidden icon' > "$I/usr/share/private/hidden.png"
chmod 644 "$I/usr/share/private/hidden.png"
printf 'fine icon' > "$I/usr/share/special/fine.png"
chmod 644 "$I/usr/share/special/fine.png"
printf 'acl icon' > "$I/usr/share/special/acl.png"
chmod 644 "$I/usr/share/special/acl.png"
setfacl -m u:1501:--- "$I/usr/share/special/acl.png"
mkdir -m 755 "$I/usr/share/guarded"
printf 'guarded icon' > "$I/usr/share/guarded/g.png"
chmod 644 "$I/usr/share/guarded/g.png"
setfacl -m u:1501:--- "$I/usr/share/guarded"
mkfifo -m 644 "$I/usr/share/special/fifo.png" "$APPS/fifo.desktop"
mknod -m 644 "$I/usr/share/special/null.png" c 1 3
mknod -m 644 "$APPS/null.desktop" c 1 3
app secret-icon "$(entry /usr/share/special/secret.png)"
app acl-icon "$(entry /usr/share/special/acl.png)"
app hidden-icon "$(entry /usr/share/private/hidden.png)"
app guarded-icon "$(entry /usr/share/guarded/g.png)"
app fine-icon "$(entry /usr/share/special/fine.png)"
app fifo-icon "$(entry /usr/share/special/fifo.png)"
app null-icon "$(entry /usr/share/special/null.png)"
app secret "$(entry fine)"
chmod 600 "$APPS/secret.desktop"

# Writers blocked on opening each FIFO: one whose open returns (a reader
# opened it, if only for a moment) leaves a flag.
for f in "$I/usr/share/special/fifo.png" "$APPS/fifo.desktop"; do
	timeout 60 sh -c 'exec 3> "$1"; touch "$1.released"' sh "$f" &
	PIDS="$PIDS $!"
done
writers=$(jobs -p)
sleep 0.3

run timeout 30 "$MELEE_MOUNTS" --config "$CONF" links --apps demo --bindir "$T/bin" --applications-dir "$LAUNCHERS"
is "$rc" 1 "exit status 1 (entries were skipped), not 124: nothing hung"
S="melee-mounts: $APPS"
is "$(printf '%s\n' "$out" | grep -v '^/')" "melee-mounts: $I/usr/share/special/acl.png: not readable by every user (a file only root may read, or one with an ACL, is not copied to the host): icon not copied
melee-mounts: $I/usr/share/special/fifo.png: not a regular file: icon not copied
$S/fifo.desktop: not a regular file: skipped
melee-mounts: $I/usr/share/guarded/g.png: not readable by every user (a file only root may read, or one with an ACL, is not copied to the host): icon not copied
melee-mounts: $I/usr/share/private/hidden.png: not readable by every user (a file only root may read, or one with an ACL, is not copied to the host): icon not copied
melee-mounts: $I/usr/share/special/null.png: not a regular file: icon not copied
$S/null.desktop: not a regular file: skipped
melee-mounts: $I/usr/share/special/secret.png: not readable by every user (a file only root may read, or one with an ACL, is not copied to the host): icon not copied
$S/secret.desktop: not readable by every user (a file only root may read, or one with an ACL, is not copied to the host): skipped" \
	"each refused entry and icon named with the reason"
for f in "$I/usr/share/special/fifo.png" "$APPS/fifo.desktop"; do
	ok "$([ ! -e "$f.released" ]; echo $?)" "${f##*/}: the writer blocked on the FIFO is still blocked: it was never opened"
done
is "$(ls "$LAUNCHERS/melee-icons")" "melee-demo-fine-icon.png" "only the icon every user may read was copied"
is "$(cat "$LAUNCHERS/melee-icons/melee-demo-fine-icon.png")" "fine icon" "with its contents"
is "$(grep -l '^Icon=' "$LAUNCHERS"/*.desktop | sed 's|.*/||' | tr '\n' ' ')" "melee-demo-fine-icon.desktop " \
	"the launchers whose icon was refused go without an Icon"
ok "$(grep -rq 'secret icon\|hidden icon\|acl icon\|guarded icon' "$LAUNCHERS"; echo $((!$?)))" "no root-only content anywhere on the host side"
is "$(ls "$LAUNCHERS" | grep -c '^melee-demo-\(fifo\|null\|secret\)\.desktop$')" 0 "no launcher for the refused entries"
for p in $writers; do kill "$p" 2>/dev/null; done

done_testing
