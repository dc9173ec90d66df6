#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Entries of an image that links --apps must not carry over: a Name that
# would smuggle a line, control characters, bad UTF-8, a huge file, a
# symlink that leads out of the image or into a mount shared with the
# host, invalid field codes, a broken quote, a writable or special file.
# Each is skipped with a warning naming it; the good entries are written.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/links-apps-lib.sh" || exit 1

apps_setup
A=$IMAGES/demo/usr/share/applications
entry() { # entry EXEC [EXTRA-LINES]
	printf '[Desktop Entry]\nType=Application\nName=Some app\nExec=%s\n%s' "$1" "${2:-}"
}
app good "$(entry good)"
app name-newline "$(entry good 'Name[de]=Evil\nExec=/bin/sh -c "touch /tmp/pwned"')"
printf '[Desktop Entry]\nType=Application\nName=Bell\007\nExec=good\n' > "$A/name-control.desktop"
printf '[Desktop Entry]\nType=Application\nName=Bad \377 UTF-8\nExec=good\n' > "$A/name-utf8.desktop"
{ entry good; head -c 70000 /dev/zero | tr '\0' '#'; echo; } > "$A/huge.desktop"
printf '[Desktop Entry]\nType=Application\nName=NUL\nExec=good\n\0\n' > "$A/nul.desktop"
app field-z "$(entry 'good %z')"
app field-end "$(entry 'good 100%')"
app field-two "$(entry 'good %f %U')"
app field-quoted "$(entry 'good "%f"')"
app field-glued "$(entry 'good --all=%F')"
app field-program "$(entry '%f')"
app quote-open "$(entry 'good "abc')"
app dup-exec "$(entry good 'Exec=evil')"
app no-exec '[Desktop Entry]
Type=Application
Name=No Exec'
app writable "$(entry good)"; chmod 666 "$A/writable.desktop"
mkfifo -m 644 "$A/fifo.desktop"
app "we ird" "$(entry good)"
# The host's file, by an absolute and by a relative symlink: inside the
# image both name the image's own (missing) path.
entry good > "$T/outside.desktop"
ln -s "$T/outside.desktop" "$A/to-host.desktop"
ln -s "../../../../../../../../../..$T/outside.desktop" "$A/to-host-rel.desktop"
# Into /home, which `up` bound from the host: a user's file, even one
# owned by root, is not the image's.
entry good > /home/alice/evil.desktop
ln -s /home/alice/evil.desktop "$A/to-home.desktop"
# A symlink within the image's own files is followed.
mkdir -p "$IMAGES/demo/usr/share/demo"
entry good > "$IMAGES/demo/usr/share/demo/inside.desktop"
ln -s /usr/share/demo/inside.desktop "$A/inside.desktop"

la > "$T/work/out" 2> "$T/work/err"
is "$?" "1" "exit status 1: entries were skipped"
S="melee-mounts: $A"
is "$(cat "$T/work/err")" "$S/dup-exec.desktop: the key Exec appears twice: skipped
$S/field-end.desktop: the Exec field code % is not one of the specification's: skipped
$S/field-glued.desktop: the Exec field code %F is not an argument of its own: skipped
$S/field-program.desktop: the Exec field code %f is the program: skipped
$S/field-quoted.desktop: the Exec field code %f is inside quotes: skipped
$S/field-two.desktop: the Exec has more than one of %f %u %F %U: skipped
$S/field-z.desktop: the Exec field code %z is not one of the specification's: skipped
$S/fifo.desktop: not a regular file: skipped
$S/huge.desktop: larger than 64 KiB: skipped
$S/name-control.desktop: the value of Name has a control character or is not UTF-8: skipped
$S/name-newline.desktop: the value of Name[de] has a control character or is not UTF-8: skipped
$S/name-utf8.desktop: the value of Name has a control character or is not UTF-8: skipped
$S/no-exec.desktop: no Exec: skipped
$S/nul.desktop: contains NUL bytes: skipped
$S/quote-open.desktop: the Exec has an unterminated quote: skipped
$S/to-home.desktop: a symlink to /home/alice/evil.desktop, which is not a file of the image (it leads into a mount shared with the host): skipped
$S/to-host-rel.desktop: a symlink to ../../../../../../../../../..$T/outside.desktop, which is not a file of the image: skipped
$S/to-host.desktop: a symlink to $T/outside.desktop, which is not a file of the image: skipped
$S/we ird.desktop: a file name other than [A-Za-z0-9._+-].desktop: skipped
$S/writable.desktop: not owned by root or writable by others: skipped" "each hostile entry is named with the reason it was skipped"
is "$(cat "$T/work/out")" "$LAUNCHERS/melee-demo-good.desktop
$LAUNCHERS/melee-demo-inside.desktop" "the good entry and the symlink within the image get launchers"
is "$(ls -A "$LAUNCHERS" | tr '\n' ' ')" "melee-demo-good.desktop melee-demo-inside.desktop " "no launcher for anything skipped"
run desktop-file-validate "$LAUNCHERS"/*.desktop
is "$rc:$out" "0:" "the written launchers validate"
test ! -e /tmp/pwned
ok $? "nothing smuggled in ran"

done_testing
