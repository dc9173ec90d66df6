#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A real Debian image (bullseye) with an EL-like /etc/group
# (wheel 10, uucp 14, sudo 27) on a host where alice is in uucp (10) and
# mysql (27): inside the image gid 10 is uucp and 27 mysql, under melee
# and under ssh alice+bullseye; no host gid is named wheel or sudo there,
# and up and check say which image names the host's replaced.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"
. "$top_srcdir/tests/integration/pam-lib.sh"

setup_accounts
# The host's group file of this test: alice in uucp (10, Debian's) and in
# mysql (27, as on an EL host); rewritten in place (it is bind-mounted).
awk -F: -v OFS=: '
	$1 == "uucp" || $3 == 10 { next }
	$3 == 27 || $1 == "mysql" || $1 == "wheel" { next }
	{ print }
	END { print "uucp:x:10:alice"; print "mysql:x:27:alice" }' /etc/group > "$T/work/group.new"
cat "$T/work/group.new" > "$T/work/group"
setup_home
setup_nss
private_dir /tmp 1777
write_config
image_ready bullseye bullseye

# The image's group file as an EL release has it (wheel 10, uucp 14),
# with Debian's sudo 27 added for the reverse case.
cat > "$IMAGES/bullseye/etc/group" <<'G'
root:x:0:
bin:x:1:
daemon:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mem:x:8:
kmem:x:9:
wheel:x:10:alice
cdrom:x:11:
mail:x:12:
uucp:x:14:
man:x:15:
sudo:x:27:alice
utmp:x:22:
tape:x:33:
video:x:39:
nogroup:x:65534:
users:x:100:
G

out=$(mm check bullseye 2>&1)
like "$out" "^image bullseye: gid 10 is 'uucp' on the host, 'wheel' in the image: the host's name is used$" \
	"check names the override of gid 10 (uucp on the host, wheel in the image)"
like "$out" "^image bullseye: gid 27 is 'mysql' on the host, 'sudo' in the image: the host's name is used$" \
	"check names the override of gid 27 (mysql on the host, sudo in the image)"
out=$(mm up bullseye 2>&1); ok $? "melee-mounts up bullseye"
like "$out" "^image bullseye: gid 10 is 'uucp' on the host, 'wheel' in the image: the host's name is used$" \
	"up prints the gid 10 override"
like "$out" "^image bullseye: group 'uucp' is gid 10 on the host, gid 14 in the image: the host's gid is used$" \
	"up prints that the image's uucp (14) gave way"
install_melee bullseye
export PATH=$T/bin:$PATH

cd /home/alice
host_ids=$(as alice id -G | tr ' ' '\n' | sort -n | tr '\n' ' ')
like " $host_ids" " 10 (.* )?27 " "on the host alice holds gids 10 and 27 ($host_ids)"
out=$(as alice melee bullseye id -Gn)
is "$(printf '%s\n' $out | sort | tr '\n' ' ')" "$(as alice id -Gn | tr ' ' '\n' | sort | tr '\n' ' ')" \
	"melee bullseye id -Gn: alice's groups carry the host's names ($out)"
unlike "$(printf '%s\n' $out)" "^(wheel|sudo)$" "melee bullseye id -Gn: neither wheel nor sudo"
is "$(as alice melee bullseye getent group 10 27 | cut -d: -f1,3 | tr '\n' ' ')" "uucp:10 mysql:27 " \
	"inside the image gid 10 is uucp and 27 is mysql"
is "$(as alice melee bullseye awk -F: '$3 == 10 || $3 == 27 || $3 == 14 || $1 ~ /^(wheel|sudo|uucp|mysql)$/ { print $1 ":" $3 }' /etc/group | tr '\n' ' ')" \
	"uucp:10 mysql:27 " "the image's /etc/group has one line for gid 10 and one for 27, no wheel, sudo or uucp 14"
# Every gid alice holds on the host, named inside as on the host.
bad=""
for g in $host_ids; do
	h=$(getent group "$g" | cut -d: -f1)
	i=$(as alice melee bullseye getent group "$g" | cut -d: -f1)
	[ "$h" = "$i" ] || bad="$bad $g:$h/$i"
done
is "$bad" "" "every gid alice holds has the host's name inside the image"

start_sshd
key() { "${SSH[@]}" -o BatchMode=yes -o IdentitiesOnly=yes -i "$S/alice_key" "$@" < /dev/null; }
out=$(key alice+bullseye@127.0.0.1 '. /etc/os-release; echo "$VERSION_CODENAME"; id -Gn' 2>&1)
like "$out" "^bullseye$" "ssh alice+bullseye@127.0.0.1 lands in bullseye"
groups=$(printf '%s\n' "$out" | tail -1)
like " $groups " " uucp .*mysql | mysql .*uucp " "ssh alice+bullseye: id -Gn shows the host's uucp and mysql ($groups)"
unlike "$(printf '%s\n' $groups)" "^(wheel|sudo)$" "ssh alice+bullseye: neither wheel nor sudo"
done_testing
