#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A container image for the host's 32-bit architecture (386 on amd64, arm
# on arm64) is imported and registered with the linux32 personality, as
# `melee-image create --arch i386` registers its image; with --file too.
# Any other architecture is refused naming both.  The images are the
# busybox fixture with a config that says the architecture (crafted and
# re-hashed up to the index): only the config decides.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/oci-lib.sh"

setup_accounts
write_config
W=$T/work
F=$T/files
mkdir -m 755 "$F"
busybox_layer "$W/base.tar" linux32
host=$(host_goarch)
case $host in
amd64) arch32=386 other=arm ;;
arm64) arch32=arm other=386 ;;
*) skip_all "no 32-bit architecture beside $host" ;;
esac
# layout DIR ARCH: the busybox image with config architecture ARCH.
layout() {
	rm -rf "$1"
	oci_layout "$1" one "$W/base.tar" && fx set-config "$1" one "architecture=$2"
}

layout "$W/i32" "$arch32"
imported a32 "oci:$W/i32" "an image for $arch32 on $host: imported"
like "$(cat "$T/etc/images.d/a32.conf" 2>&1)" "^personality = linux32$" "registered with personality linux32"
like "$(mi list 2>&1 | grep '^a32 ')" " linux32 " "melee-image list shows it linux32"
like "$out" "registered in .*linux32" "the registration line says linux32"
imported f32 "oci:$W/i32" "an image for $arch32, --file: imported" --file "$F/f32.sqsh"
like "$(cat "$T/etc/images.d/f32.conf" 2>&1)" "^personality = linux32$" "the file image registered with personality linux32"

layout "$W/native" "$host"
imported n64 "oci:$W/native" "an image for $host: imported"
unlike "$(cat "$T/etc/images.d/n64.conf" 2>&1)" "^personality = linux32$" "registered without linux32 (the busybox is $host's)"

layout "$W/other" "$other"
refused o1 "oci:$W/other" "architecture" "an image for $other on $host"
like "$out" "is for linux/$other, this host is linux/$host" "the refusal names both"
done_testing
