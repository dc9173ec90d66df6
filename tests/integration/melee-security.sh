#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The security cases of melee(1): only configured names; root gone before
# the command (ids, capabilities, groups, setuid(0) proved to fail); the
# loader's secure mode for LD_PRELOAD; no fd leaks; unsafe images
# refused; closed std fds never turn a file into melee's stderr.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/melee-lib.sh" || exit 1

melee_setup
cd /home/alice

# Only configured image names, never a path.
for name in ../x /etc . '' "demo/../demo" "-"; do
	run as alice "$MELEE" "$name" true
	is "$rc:$out" "125:melee: '$name' is not an image name (image names are [A-Za-z0-9][A-Za-z0-9._-]{0,63}, never a path)" \
		"name '$name' refused"
done
long=$(printf 'a%.0s' $(seq 10240))
run as alice "$MELEE" "$long" true
is "$rc:$out" "125:melee: '$(printf 'a%.0s' $(seq 80))...' is not an image name (image names are [A-Za-z0-9][A-Za-z0-9._-]{0,63}, never a path)" \
	"a 10 kB name refused, shown cut short"
run as alice "$MELEE" "$(printf 'x\033[2J')" true
is "$rc:$out" "125:melee: 'x?[2J' is not an image name (image names are [A-Za-z0-9][A-Za-z0-9._-]{0,63}, never a path)" \
	"control characters in a name are not echoed"
run as alice "$MELEE" images true
is "$rc:$out" "125:melee: unknown image 'images' (melee --list shows the images)" "a valid but unconfigured name refused"
ln -s melee "$T/bin/etc"
run as alice "$T/bin/etc" true
is "$rc:$out" "125:melee: unknown image 'etc' (melee --list shows the images)" "a link named after no image refused"

# Root is gone before the command runs.
st=$(as alice "$MELEE" demo cat /proc/self/status)
is "$(printf '%s\n' "$st" | grep -E '^(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapAmb):' | tr -s ' \t' ' ')" \
"Uid: 1501 1501 1501 1501
Gid: 1501 1501 1501 1501
Groups: 1501 1600 
CapInh: 0000000000000000
CapPrm: 0000000000000000
CapEff: 0000000000000000
CapAmb: 0000000000000000" "in the image: the caller's ids and host groups, no capabilities"
st=$(as bob "$MELEE" demo cat /proc/self/status)
is "$(printf '%s\n' "$st" | grep -E '^(Uid|Gid|Groups):' | tr -s ' \t' ' ')" \
"Uid: 1502 1502 1502 1502
Gid: 1502 1502 1502 1502
Groups: 1502 " "bob gets bob's ids and only his groups"

# The order of the privileged steps, and the proof that setuid(0) fails,
# seen by strace (as root, -u runs melee setuid as alice would).
tr=$(strace -qq -u alice -e trace=chroot,setgroups,setresgid,setresuid,setuid,execve \
	-e signal=none "$MELEE" demo true 2>&1 >/dev/null)
# One line per call, up to the exec that succeeds inside the image.
steps=$(printf '%s\n' "$tr" | tr -s ' ' | sed -E 's/^execve\("([^"]*)".*\) = /execve(\1) = /; s/ \([A-Z][a-z].*\)$//' \
	| awk '{ print } /^execve\(\/bin\/true\) = 0$/ { exit }')
is "$steps" "execve($MELEE) = 0
setresuid(-1, 1501, -1) = 0
setresuid(-1, 0, -1) = 0
chroot(\".\") = 0
setgroups(2, [1501, 1600]) = 0
setresgid(1501, 1501, 1501) = 0
setresuid(1501, 1501, 1501) = 0
setuid(0) = -1 EPERM
setresuid(-1, 0, -1) = -1 EPERM
setresgid(-1, 0, -1) = -1 EPERM
execve(/usr/local/sbin/true) = -1 ENOENT
execve(/usr/local/bin/true) = -1 ENOENT
execve(/usr/sbin/true) = -1 ENOENT
execve(/usr/bin/true) = -1 ENOENT
execve(/sbin/true) = -1 ENOENT
execve(/bin/true) = 0" "chroot as root, then groups, gid, uid dropped; regaining root proved to fail before the exec"

# --help and --version are answered before anything privileged: no
# configuration read, no id changed.
for opt in --help --version; do
	tr=$(strace -qq -u alice -e trace=openat,open,setresuid,setuid,chroot "$MELEE" "$opt" 2>&1 >/dev/null)
	is "$(printf '%s\n' "$tr" | grep -E '/etc/melee|setres?uid|chroot' | wc -l)" "0" "$opt: nothing privileged done"
done

# LD_PRELOAD / LD_LIBRARY_PATH: never loaded into melee while root,
# passed on to the command.
need_built "$top_builddir/tests/.libs/preload-mark.so"
cp "$top_builddir/tests/.libs/preload-mark.so" /tmp/preload-mark.so
chmod 755 /tmp/preload-mark.so
: > /tmp/mark; chmod 666 /tmp/mark
as alice env MELEE_PRELOAD_MARK=/tmp/mark LD_PRELOAD=/tmp/preload-mark.so true
is "$(sed 's/^pid=[0-9]* //' /tmp/mark)" "ruid=1501 euid=1501 exe=/usr/bin/true" "the test library does load into a normal program"
: > /tmp/mark
out=$(as alice env MELEE_PRELOAD_MARK=/tmp/mark LD_PRELOAD=/tmp/preload-mark.so \
	LD_LIBRARY_PATH=/tmp/libs "$MELEE" demo sh -c 'echo "$LD_PRELOAD $LD_LIBRARY_PATH"' 2>&1); rc=$?
is "$rc:$out" "0:/tmp/preload-mark.so /tmp/libs" "LD_PRELOAD and LD_LIBRARY_PATH reach the command"
is "$(cat /tmp/mark)" "" "the library never loaded into melee (the busybox command is static)"
# A large environment (setuid melee's own exec may pass 2 MiB, the
# kernel's limit under the 8 MiB stack it gets): melee reads its
# untouched copy whole and LD_LIBRARY_PATH, last, still arrives.
big=$(head -c 120000 /dev/zero | tr '\0' x)
bigenv=()
for i in $(seq 1 14); do bigenv+=("BIG$i=$big"); done
out=$(as alice env "${bigenv[@]}" LD_LIBRARY_PATH=/tmp/libs "$MELEE" demo \
	sh -c 'echo "$LD_LIBRARY_PATH ${#BIG14}"' 2>&1); rc=$?
is "$rc:$out" "0:/tmp/libs 120000" "with a 1.7 MB environment LD_LIBRARY_PATH still reaches the command"
# A dynamic command inside the image: the host's /usr/bin/true and its
# libraries, copied in, so that the preload can take effect there.
mkdir -p "$IMAGES/demo/lib64" "$IMAGES/demo/usr/lib"
for f in /usr/bin/true $(ldd /usr/bin/true | grep -oE '/[^ ]+'); do
	mkdir -p "$IMAGES/demo$(dirname "$f")"
	cp -L "$f" "$IMAGES/demo$f"
done
: > /tmp/mark
as alice env MELEE_PRELOAD_MARK=/tmp/mark LD_PRELOAD=/tmp/preload-mark.so "$MELEE" demo /usr/bin/true
is "$(sed 's/^pid=[0-9]* //' /tmp/mark)" "ruid=1501 euid=1501 exe=/usr/bin/true" \
	"LD_PRELOAD loads into the command only, as the caller: never into melee as root"

# No fd but 0, 1, 2 reaches the command (3 is ls's own directory).
run as alice sh -c "exec 5</etc/hostname 7>/tmp/fd7 9</home; \"$MELEE\" demo ls /proc/self/fd"
is "$rc:$(printf '%s' "$out" | tr '\n' ' ')" "0:0 1 2 3" "no fd other than 0, 1, 2 reaches the command"

# Closed std fds: nothing melee opens becomes its stdout or stderr.
sum_before=$(cat "$T"/etc/melee.conf "$T"/etc/images.d/*.conf "$T"/etc/fstab | sha256sum)
as alice sh -c "\"$MELEE\" nosuch true <&- >&- 2>&-"
is "$?" "125" "melee with fds 0-2 closed still fails cleanly"
as alice sh -c "\"$MELEE\" ../x true <&- >&- 2>&-"
as alice sh -c "\"$MELEE\" --list <&- >&- 2>&-"
is "$(cat "$T"/etc/melee.conf "$T"/etc/images.d/*.conf "$T"/etc/fstab | sha256sum)" "$sum_before" \
	"no message was written into a file melee opened"
out=$(as alice sh -c "\"$MELEE\" demo sh -c 'readlink /proc/self/fd/0 > /tmp/fds; readlink /proc/self/fd/2 >> /tmp/fds' <&- 2>&-"; cat /tmp/fds)
# glibc's secure mode reopens a closed stdin as /dev/full (reads fail)
# and a closed stderr as /dev/null before main() runs.
is "$out" "/dev/full
/dev/null" "closed fds 0 and 2 reach the command as /dev/full and /dev/null"

# Unsafe images are refused.
add_image sym; mm up sym >/dev/null
mv "$IMAGES/sym" "$IMAGES/sym.real"; ln -s sym.real "$IMAGES/sym"
run as alice "$MELEE" sym true
like "$rc:$out" "^125:melee: .*$IMAGES/sym.*symlink" "an image path swapped for a symlink is refused"
rm "$IMAGES/sym"; mv "$IMAGES/sym.real" "$IMAGES/sym"
run as alice "$MELEE" sym cat /marker
is "$rc:$out" "0:melee-fixture:sym" "and works again once restored"
chmod 775 "$IMAGES/sym"
run as alice "$MELEE" sym true
like "$rc:$out" "^125:melee: .*$IMAGES/sym.*writable" "a group-writable image root is refused"
chmod 755 "$IMAGES/sym"; chmod 777 "$IMAGES"
run as alice "$MELEE" sym true
like "$rc:$out" "^125:melee: .*$IMAGES.*writable" "a world-writable parent directory is refused"
chmod 755 "$IMAGES"
chown 1501 "$IMAGES/sym"
run as alice "$MELEE" sym true
like "$rc:$out" "^125:melee: .*$IMAGES/sym.*owned" "an image root not owned by root is refused"
chown 0 "$IMAGES/sym"

add_image procsym
rmdir "$IMAGES/procsym/proc"; ln -s /proc "$IMAGES/procsym/proc"
run as alice "$MELEE" procsym true
is "$rc:$out" "125:melee: image procsym is unsafe: $IMAGES/procsym/proc is not a directory (refused)" \
	"an image whose /proc is a symlink is refused"
add_image procfake
mount -t tmpfs fakeproc "$IMAGES/procfake/proc"
run as alice "$MELEE" procfake true
is "$rc:$out" "125:melee: image procfake is unsafe: $IMAGES/procfake/proc has something other than proc mounted on it (refused)" \
	"an image whose /proc has something else mounted is refused"

out=$(cd / && as alice "$MELEE" --list); rc=$?
is "$rc:$out" "0:IMAGE            STATE         ACCESS  DEFAULT  DESCRIPTION
demo             ready         yes     -        Demo image
procfake         unsafe        yes     -        procfake
procsym          unsafe        yes     -        procsym
sym              ready         yes     -        sym" "--list shows unsafe images as unsafe"
chmod 775 "$IMAGES/sym"
like "$(cd / && as alice "$MELEE" --list)" "sym +unsafe +yes +- +sym" "--list: a group-writable image is unsafe"
chmod 755 "$IMAGES/sym"

# Nothing but the one enter function calls chroot or setuid.
calls=$(grep -rnE '\b(chroot|setuid|seteuid|setreuid|setresuid|setgid|setresgid|setgroups|initgroups)\s*\(' \
	--include='*.c' "$top_srcdir/common" "$top_srcdir/tools" "$top_srcdir/pam_melee" \
	"$top_srcdir/nss_melee" "$top_srcdir/slurm" 2>/dev/null | grep -v '^[^:]*/common/melee-enter\.c:' \
	| grep -vE ':[0-9]+:\s*(/\*|\*)')
is "$calls" "" "nothing outside common/melee-enter.c calls chroot or set*id"

done_testing
