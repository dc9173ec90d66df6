#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee --set-default refuses, writing nothing anywhere: when melee.conf
# says user-choice = no; through a ~/.config planted as a symlink to
# /etc or a ~/.config/melee linked to another user's directory; in a
# ~/.config that another user owns; and it writes as the user, never as
# root (a directory alice may not write stays unwritten).
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/melee-lib.sh"

setup_accounts
setup_home
write_config "user-choice = no"
add_image two "description = Image two"
mm up two >/dev/null
install_melee
cd /tmp || exit 1

run as alice "$MELEE" --set-default two
is "$rc:$out" "125:melee: the administrator turned the per-user default off (user-choice = no in melee.conf): nothing written" \
	"user-choice = no: --set-default says the administrator turned it off"
is "$(ls -A /home/alice)" "" "(nothing written)"
run as alice "$MELEE" --set-default host
is "$rc" "125" "user-choice = no: --set-default host refused too"
mkdir -p /home/alice/.config/melee; echo two > /home/alice/.config/melee/image
chown -R alice:alice /home/alice/.config
run as alice "$MELEE" --show-default
is "$rc:$out" "0:host (nothing chosen)
note: ~/.config/melee/image is not read: the administrator turned the per-user default off (user-choice = no)" \
	"user-choice = no: --show-default ignores her file and says why"
rm -rf /home/alice/.config
write_config

# ~/.config -> /etc: never followed, nothing lands in /etc.
ln -s /etc /home/alice/.config; chown -h alice:alice /home/alice/.config
before=$(ls -la /etc | sha256sum)
run as alice "$MELEE" --set-default two
is "$rc:$out" "125:melee: ~/.config is a symbolic link: refused (a login reads ~/.config/melee/image without following links): nothing written" \
	"~/.config a symlink to /etc: refused"
ok "$([ ! -e /etc/melee/image ] && [ "$(ls -la /etc | sha256sum)" = "$before" ]; echo $?)" "nothing written in /etc"
rm /home/alice/.config

# ~/.config/melee -> bob's directory (bob planted it, or alice did).
mkdir -p /home/alice/.config /home/bob/trap
chown alice:alice /home/alice/.config; chown bob:bob /home/bob/trap; chmod 777 /home/bob/trap
ln -s /home/bob/trap /home/alice/.config/melee
run as alice "$MELEE" --set-default two
is "$rc:$out" "125:melee: ~/.config/melee is a symbolic link: refused (a login reads ~/.config/melee/image without following links): nothing written" \
	"~/.config/melee a symlink to bob's directory: refused"
is "$(ls -A /home/bob/trap)" "" "nothing written in bob's directory"
rm /home/alice/.config/melee

# A ~/.config/melee that bob owns (and lets everyone write): refused.
mkdir /home/alice/.config/melee; chown bob:bob /home/alice/.config/melee; chmod 777 /home/alice/.config/melee
run as alice "$MELEE" --set-default two
is "$rc:$out" "125:melee: ~/.config/melee belongs to uid 1502, not to you (uid 1501): refused: nothing written" \
	"~/.config/melee owned by bob: refused"
is "$(ls -A /home/alice/.config/melee)" "" "nothing written in it"
rmdir /home/alice/.config/melee

# As alice, not root: a ~/.config she cannot write stays unwritten
# (root could have made ~/.config/melee in it).
chmod 555 /home/alice/.config
run as alice "$MELEE" --set-default two
is "$rc:$out" "125:melee: cannot create ~/.config/melee: Permission denied: nothing written" \
	"a ~/.config alice cannot write: refused with her own permission error"
is "$(ls -A /home/alice/.config)" "" "nothing created in it"
chmod 755 /home/alice/.config

# A planted ~/.config/melee/image symlink is replaced by the rename, and
# its target is left alone.
mkdir /home/alice/.config/melee; chown alice:alice /home/alice/.config/melee
echo keep > /home/bob/victim; chown bob:bob /home/bob/victim
ln -s /home/bob/victim /home/alice/.config/melee/image
run as alice "$MELEE" --set-default two
is "$rc:$out" "0:two (from ~/.config/melee/image)
note: log in as alice+host for the host" "a symlink at ~/.config/melee/image is replaced by a file"
is "$(cat /home/bob/victim):$(stat -c %F /home/alice/.config/melee/image)" "keep:regular file" \
	"the link's target is untouched; the image file is a regular file"
done_testing
