#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-mounts up, status, down on a fixture image: idempotent, rslave,
# accounts merged, image files byte-identical afterwards, nothing leaking
# into the host's mount table.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

outer_before=$(cut -d' ' -f5 "/proc/$PPID/mountinfo" | sort)
setup_accounts
# A shared source, to prove the image's copy is a slave, not a peer.
mkdir -p "$T/shared"
mount -t tmpfs -o mode=755 shared "$T/shared"
mount --make-shared "$T/shared"
mkdir "$T/shared/sub"
write_config
echo "$T/shared /srv none rbind" >> "$T/etc/fstab"
add_image demo "description = Demo image"
mkdir "$IMAGES/demo/srv"
before=$(tree_sum "$IMAGES/demo")

out=$(mm --dry-run up demo)
like "$out" "would mount --rbind /proc on $IMAGES/demo/proc \(rslave\)" "dry-run prints the operations"
is "$(mounted_below "$IMAGES/demo" | wc -l)" "0" "dry-run mounts nothing"

out=$(mm status demo); rc=$?
ok $((rc != 1)) "status exits 1 while the image is down"
like "$out" "^demo +$IMAGES/demo +down +0/18$" "status: down 0/18"

out=$(mm up demo); rc=$?
is "$rc:$out" "0:demo: mounted 18, 0 already present" "up mounts all 18 (15 fstab + 1 extra + accounts)"
out=$(mm up demo); rc=$?
is "$rc:$out" "0:demo: already up, nothing mounted (18 of 18 present)" "a second up mounts nothing and says so"
for t in proc sys dev run home tmp srv etc/passwd etc/group var/log/wtmp var/log/btmp var/log/lastlog; do
	n=$(awk -v p="$IMAGES/demo/$t" '$5 == p' /proc/self/mountinfo | wc -l)
	is "$n" "1" "exactly one mount on /$t"
done

out=$(mm status demo); rc=$?
ok $rc "status exits 0 when ready"
like "$out" "^demo +$IMAGES/demo +ready +18/18$" "status: ready 18/18"
is "$(mm status --json demo)" "[{\"image\":\"demo\",\"path\":\"$IMAGES/demo\",\"state\":\"ready\",\"present\":18,\"expected\":18}]" "status --json"

is "$(chroot "$IMAGES/demo" /bin/cat /marker)" "melee-fixture:demo" "the image is usable with chroot"
like "$(chroot "$IMAGES/demo" /bin/ls /proc/self/)" "mountinfo" "/proc works inside"
pw=$(cat "$IMAGES/demo/etc/passwd")
like "$pw" "^root:x:0:0:root:/root:/bin/sh$" "merged passwd keeps the image's root"
like "$pw" "^alice:x:1501:1501:Alice:/home/alice:/bin/sh$" "merged passwd has host human alice"
is "$(printf '%s\n' "$pw" | grep -c '^root:')" "1" "root appears exactly once"
like "$(cat "$IMAGES/demo/etc/group")" "^physics:x:1600:alice,alice\+demo$" "merged group has physics with alice, also as alice+demo"
like "$pw" "^alice\+demo:x:1501:1501:Alice:/home/alice:/bin/sh$" "and the name she logs in with, alice+demo"
is "$(cat "$IMAGES/demo/etc/passwd" | head -1)" "root:x:0:0:root:/root:/bin/sh" "image's own first line"
! touch "$IMAGES/demo/etc/passwd" 2>/dev/null
ok $? "merged passwd is read-only in the image"

opt=$(awk -v p="$IMAGES/demo/srv" '$5 == p { for (i = 7; $i != "-"; i++) printf "%s ", $i }' /proc/self/mountinfo)
like "$opt" "master:[0-9]+" "the image's copy of a shared mount is a slave"
! printf '%s' "$opt" | grep -q shared:
ok $? "and not a shared peer"
mount -t tmpfs inner "$IMAGES/demo/srv/sub"
ok $? "mount inside the image's copy"
! awk -v p="$T/shared/sub" '$5 == p' /proc/self/mountinfo | grep -q .
ok $? "a mount made inside the image does not propagate to the host's source"
umount "$IMAGES/demo/srv/sub"

out=$(mm down demo); rc=$?
like "$rc:$out" "^0:demo: unmounted [0-9]+$" "down unmounts"
is "$(mounted_below "$IMAGES/demo" | wc -l)" "0" "nothing is left mounted in the image"
is "$(mm down demo)" "demo: nothing mounted" "a second down has nothing to do"
is "$(tree_sum "$IMAGES/demo")" "$before" "the image's files are byte-identical to before up"
ok "$(test -d "$T/shared/sub"; echo $?)" "the shared source is intact"

mm up >/dev/null && mm down >/dev/null
ok $? "up and down with no image named act on all images"
outer_after=$(cut -d' ' -f5 "/proc/$PPID/mountinfo" | sort)
is "$outer_after" "$outer_before" "the host's mount table is unchanged"
done_testing
