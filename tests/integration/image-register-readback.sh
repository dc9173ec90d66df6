#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-image writes only a registration that the loader reads back as
# written: '/', a path with ' #', a trailing blank or a newline are
# refused with nothing written (and every later load still works); a
# description's control characters (ESC, BEL from an os-release) never
# reach the terminal or the file.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

MELEE_IMAGE=$top_builddir/tools/melee-image/melee-image
mi() { "$MELEE_IMAGE" --config "$CONF" "$@"; }
setup_accounts
write_config
mkdir -p "$T/site"; chmod 755 "$T/site"
mkfix() { "$top_srcdir/tests/make-fixture-image" "$1" "$2" >/dev/null; }

run mi --no-up import rootfs /
is "$rc:$out" "2:melee-image: images.d/rootfs.conf:3: path must not be '/': the host itself is not an image" "import NAME / is refused with the loader's own message"
mkfix "$T/site/a #b" hash
run mi --no-up import hash "$T/site/a #b"
is "$rc:$out" "2:melee-image: path '$T/site/a #b' cannot be written to images.d/hash.conf: it would read back as '$T/site/a' (the file has no quoting: no newline, no trailing blank, no ' #'); rename the directory" "a path with ' #' is refused"
mkfix "$T/site/sp " space
run mi --no-up import space "$T/site/sp "
is "$rc:$out" "2:melee-image: path '$T/site/sp ' cannot be written to images.d/space.conf: it would read back as '$T/site/sp' (the file has no quoting: no newline, no trailing blank, no ' #'); rename the directory" "a path with a trailing blank is refused"
nl="$T/site/nl
[image evil]"
mkdir -p "$nl"; mkfix "$nl/x" nl
run mi --no-up import nl "$nl/x"
is "$rc:$out" "2:melee-image: path '$T/site/nl?[image evil]/x' has a control character (shown as '?'); rename the directory" "a path with a newline is refused (shown with '?')"
is "$(ls "$T/etc/images.d")" "" "nothing was written to images.d"
run mi list
is "$rc:$out" "0:NAME             STATE    PERSONALITY DESCRIPTION                        PATH" "and the configuration still loads"

# An os-release made to write to root's terminal.
mkfix "$T/site/esc" esc
printf 'PRETTY_NAME="Evil\033]0;owned\007 OS\033[2J"\n' > "$T/site/esc/etc/os-release"
run mi --no-up import esc "$T/site/esc"
is "$rc:$out" "0:melee-image: esc: registered in $T/etc/images.d/esc.conf (Evil?]0;owned? OS?[2J)" "ESC and BEL in os-release are shown as '?'"
is "$(grep '^description' "$T/etc/images.d/esc.conf")" "description = Evil?]0;owned? OS?[2J" "and written as '?'"
run mi --no-up import esc2 "$T/site/esc" --description "$(printf 'a\033[31mred\a')"
is "$rc:$(grep '^description' "$T/etc/images.d/esc2.conf")" "0:description = a?[31mred?" "the same for --description"
# A description written by hand is shown printable by list.
printf '[image hand]\npath = %s\ndescription = by \033[5mhand\n' "$T/site/esc" > "$T/etc/images.d/hand.conf"
out=$(mi list 2>&1)
like "$out" "^hand +[a-z]+ +linux +by \?\[5mhand +$T/site/esc$" "list shows a description's control characters as '?'"
unlike "$out" "$(printf '\033')" "no ESC reaches the terminal"
done_testing
