#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee --list shows only the images the caller may use and marks the
# one a login would choose now; --list --all shows every image and who a
# closed one is open to; --show-default names the source (the user's
# file, users.conf, default-image) and says when the user's file names
# an image that is gone or forbidden, or is ignored.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/melee-lib.sh"

setup_accounts
setup_home
write_config
add_image one "description = Image one"
add_image phys "description = Physics
allow-groups = physics
allow-users = carol"
add_image two "description = Image two"
mm up one phys >/dev/null
install_melee
cd /tmp || exit 1

run as bob "$MELEE" --list
is "$rc:$out" "0:IMAGE            STATE         ACCESS  DEFAULT  DESCRIPTION
one              ready         yes     -        Image one
two              not prepared  yes     -        Image two" "--list: only the images bob may use (phys hidden), none his default"
run as bob "$MELEE" --list --all
is "$rc:$out" "0:IMAGE            STATE         ACCESS  DEFAULT  DESCRIPTION
one              ready         yes     -        Image one
phys             ready         no      -        Physics (allowed groups: physics; allowed users: carol)
two              not prepared  yes     -        Image two" "--list --all: every image, and who the closed one is open to"
is "$(as bob "$MELEE" --list | awk 'NR > 1 { print $1 }' | tr '\n' ' ')" "one two " \
	"the names for completion: first field of every line after the header"
run as alice "$MELEE" --list
like "$out" "^phys +ready +yes +- +Physics$" "alice (group physics) sees phys"

# The default: each source, and the mark follows it.
echo "bob one" > "$T/etc/users.conf"
run as bob "$MELEE" --show-default
is "$rc:$out" "0:one (users.conf)
note: log in as bob+host for the host" "--show-default: users.conf"
like "$(as bob "$MELEE" --list)" "^one +ready +yes +\* +Image one$" "--list marks users.conf's image with *"
write_config "default-image = two"
: > "$T/etc/users.conf"
run as bob "$MELEE" --show-default
is "$rc:$out" "0:two (default-image)
note: log in as bob+host for the host" "--show-default: default-image"
like "$(as bob "$MELEE" --list)" "^two +not prepared +yes +\* +Image two$" "--list marks default-image's image"
as bob "$MELEE" --set-default one >/dev/null
run as bob "$MELEE" --list
is "$rc:$out" "0:IMAGE            STATE         ACCESS  DEFAULT  DESCRIPTION
one              ready         yes     *        Image one
two              not prepared  yes     -        Image two" "after --set-default one: one marked, two no longer"

# A file that names an image gone or forbidden: a login falls back.
echo gone > /home/bob/.config/melee/image
run as bob "$MELEE" --show-default
is "$rc:$out" "0:host (~/.config/melee/image names gone, but there is no image 'gone': a login falls back to the host)" \
	"--show-default: the user's file names an image that is gone"
unlike "$(as bob "$MELEE" --list)" '\*' "--list marks nothing then"
echo phys > /home/bob/.config/melee/image
run as bob "$MELEE" --show-default
is "$rc:$out" "0:host (~/.config/melee/image names phys, but you may not use image phys (allowed groups: physics; allowed users: carol): a login falls back to the host)" \
	"--show-default: the user's file names an image bob may not use"
# A file the login ignores: the next source decides, and the note says why.
chown alice /home/bob/.config/melee/image
run as bob "$MELEE" --show-default
is "$rc:$out" "0:two (default-image)
note: log in as bob+host for the host
note: ~/.config/melee/image belongs to uid 1501, not to you: ignored" "a file not bob's is ignored, and said so"
rm /home/bob/.config/melee/image; ln -s /tmp/x /home/bob/.config/melee/image
run as bob "$MELEE" --show-default
is "$rc:$out" "0:two (default-image)
note: log in as bob+host for the host
note: ~/.config/melee/image is a symbolic link: ignored" "a symlinked file is ignored, and said so"
run as bob "$MELEE" --list --bogus
like "$rc:$out" "^125:melee: --list takes only --all" "--list with another argument: usage error"
done_testing
