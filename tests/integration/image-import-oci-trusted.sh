#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# What an OCI image may carry only with --trusted, as for a tarball
# (image-import-scan.sh): device nodes are skipped and listed without it
# (the import goes on), created with it; a setuid root file, a setgid file
# and a file capability (security.capability) are listed and refuse the
# import without it, and are kept with it.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/oci-lib.sh"

setup_accounts
write_config
W=$T/work
busybox_layer "$W/base.tar" trusted
oci_tar "$W/dev.tar" <<'S'
char dev/null dev=1:3 mode=0666
block dev/sda dev=8:0 mode=0660 gid=6
file etc/after-devices data=went-on
S
oci_layout "$W/dev" dev "$W/base.tar" "$W/dev.tar"

run mi --no-up import devs "oci:$W/dev"
is "$rc" 0 "device nodes without --trusted: the import goes on"
like "$out" "^melee-image: devs: /dev/null: device node skipped \(character device 1:3\)$" "the character device is listed as skipped"
like "$out" "^melee-image: devs: /dev/sda: device node skipped \(block device 8:0\)$" "the block device is listed as skipped"
like "$out" "device nodes skipped" "a summary line says device nodes were skipped"
ok "$(test ! -e "$IMAGES/devs/dev/null" && test ! -e "$IMAGES/devs/dev/sda"; echo $?)" "neither device node is created"
is "$(cat "$IMAGES/devs/etc/after-devices" 2>&1)" "went-on" "the entries after them are applied"
run mi --no-up --trusted import devt "oci:$W/dev"
is "$rc" 0 "device nodes with --trusted: imported"
is "$(stat -c '%F %t:%T %a' "$IMAGES/devt/dev/null" 2>&1)" "character special file 1:3 666" "with --trusted /dev/null is created (1:3)"
is "$(stat -c '%F %t:%T %g' "$IMAGES/devt/dev/sda" 2>&1)" "block special file 8:0 6" "and the block device (8:0, group 6)"

# Each of these alone refuses the import without --trusted.
# cap_net_raw+ep as a VFS_CAP_REVISION_2 value.
CAP=0100000200200000000000000000000000000000
oci_tar "$W/suid.tar" <<'S'
file usr/bin/rootsh mode=04755 size=64
S
oci_tar "$W/sgid.tar" <<'S'
file usr/bin/shadowsh mode=02755 gid=42 size=64
S
oci_tar "$W/cap.tar" <<S
file usr/bin/capsh mode=0755 size=64 xattrhex.security.capability=$CAP
S
for k in suid sgid cap; do oci_layout "$W/$k" "$k" "$W/base.tar" "$W/$k.tar"; done
refused suid "oci:$W/suid" "root-equivalent" "a setuid root file"
like "$out" "^melee-image: suid: /usr/bin/rootsh: setuid root$" "the setuid file is listed"
refused sgid "oci:$W/sgid" "root-equivalent" "a setgid file"
like "$out" "^melee-image: sgid: /usr/bin/shadowsh: setgid gid 42" "the setgid file is listed"
refused cap "oci:$W/cap" "root-equivalent" "a file with security.capability"
like "$out" "^melee-image: cap: /usr/bin/capsh: " "the file with a capability is listed"

imported suidt "oci:$W/suid" "a setuid root file with --trusted: imported" --trusted
is "$(stat -c '%U %a' "$IMAGES/suidt/usr/bin/rootsh" 2>&1)" "root 4755" "and keeps its setuid bit"
imported sgidt "oci:$W/sgid" "a setgid file with --trusted: imported" --trusted
is "$(stat -c '%g %a' "$IMAGES/sgidt/usr/bin/shadowsh" 2>&1)" "42 2755" "and keeps its setgid bit"
imported capt "oci:$W/cap" "a file capability with --trusted: imported" --trusted
is "$(/usr/bin/python3 -c 'import os, sys; print(os.getxattr(sys.argv[1], "security.capability").hex())' "$IMAGES/capt/usr/bin/capsh" 2>&1)" \
	"$CAP" "and keeps its security.capability"
done_testing
