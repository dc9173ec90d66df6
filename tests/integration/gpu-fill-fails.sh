#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A replacement of the stale GPU driver files whose fill fails (its file
# binds refused by a seccomp filter, tests/deny-move-plain, while the
# attach of the new tmpfs beneath the old one passes): up fails and says
# why, sessions keep the old driver complete and read-only, status still
# says stale with the old driver's files alone; a later up replaces it,
# and down leaves nothing mounted in the image, directly after the
# failure and after a later good replacement.  A failed first bind takes
# back only what up attached, never a mount someone else has there.  A
# failed replacement, then the host's driver removed: nothing is left
# at the GPU directory (the failed tmpfs it reveals is taken down too).
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"
. "$top_srcdir/tests/integration/gpu-lib.sh"

DENY=$top_builddir/tests/deny-move-plain
need_built "$DENY"
private_syslog
images_setup
gpu_trixie
G=$IMAGES/trixie/run/melee/gpu
install_melee
cd /home/alice
probe() { as alice "$T/bin/melee" trixie /usr/local/bin/gpu-probe; }
left() { findmnt -rn -o TARGET | grep -c "^$IMAGES/"; }

# fill_fails OLD NEW: the image up with driver OLD, the host's updated to
# NEW, up under the filter fails and the image keeps OLD.
fill_fails() {
	local old=$1 new=$2
	ok_cmd "the host's driver updated to $new" gpu_driver_update "$new"
	run "$DENY" "$MELEE_MOUNTS" --config "$CONF" up trixie
	ok "$([ "$rc" != 0 ] && echo 0 || echo 1)" "$old -> $new: up with the file binds refused fails"
	like "$out" "trixie: gpu = nvidia: cannot replace the stale GPU driver files: cannot bind .*: Operation not permitted; the old driver's files stay bound and in use, the new tmpfs stays hidden \(empty, read-only\) beneath them until 'melee-mounts down trixie'" \
		"$old -> $new: the error names the refused bind and what became of both drivers"
	like "$(probe)" "nvmlSystemGetDriverVersion=$old$" "$old -> $new: a session still calls driver $old"
	is "$(as alice "$T/bin/melee" trixie cat /run/melee/gpu/bin/nvidia-smi | tail -1)" "echo \"NVIDIA-SMI $old (stub)\"" \
		"$old -> $new: a session reads the old nvidia-smi"
	is "$(as alice "$T/bin/melee" trixie sh -c 'ls -R /run/melee/gpu | grep -c "\.so\|\.json\|nvidia-smi"')" "7" \
		"$old -> $new: the GPU directory a session sees is the old one, complete (5 files, 2 soname links)"
	ok "$(touch "$G/x" 2>/dev/null && echo 1 || echo 0)" "$old -> $new: the GPU directory stays read-only (even for root)"
	run mm status trixie
	like "$out" "gpu: 5 files bound, driver $old \(stale: the host's driver is $new now; up replaces it\)" \
		"$old -> $new: status: stale, the old driver's 5 files alone"
	is "$(findmnt -rn -o OPTIONS --mountpoint "$G" | cut -d, -f1 | tr '\n' ' ')" "ro ro " \
		"$old -> $new: two tmpfs at the GPU directory, both read-only: the new one hidden beneath the old"
}

run mm up trixie
like "$out" "^trixie: bound 5 GPU driver files under /run/melee/gpu \(driver 555.42.02\)$" "up trixie binds driver 555.42.02"
fill_fails 555.42.02 560.35.03
cd /
ok_cmd "down trixie right after the failed replacement" mm down trixie
is "$(left)" "0" "nothing left mounted in the image (the hidden tmpfs too)"

cd /home/alice
run mm up trixie
like "$out" "^trixie: bound 5 GPU driver files under /run/melee/gpu \(driver 560.35.03\)$" "up trixie again binds driver 560.35.03"
fill_fails 560.35.03 565.57.01
run mm up trixie
is "$rc" "0" "up without the filter succeeds"
like "$out" "^trixie: replaced the stale GPU driver files under /run/melee/gpu: driver 560.35.03 -> 565.57.01, 5 files$" \
	"up replaces driver 560.35.03 by 565.57.01"
is "$(findmnt -rn -o OPTIONS --mountpoint "$G" | cut -d, -f1 | tr '\n' ' ')" "ro ro " \
	"the old one detached, the failed one still hidden (read-only) beneath the new one until down"
like "$(probe)" "nvmlSystemGetDriverVersion=565.57.01$" "a session calls driver 565.57.01"
run mm status trixie
like "$out" "^trixie +$IMAGES/trixie +ready .*gpu: 5 files bound, driver 565.57.01$" "status: ready, the new driver's 5 files alone"
cd /
ok_cmd "down trixie after the good replacement" mm down trixie
is "$(left)" "0" "nothing left mounted in the image"

# A mount of someone else's at the GPU directory (not a read-only tmpfs:
# not ours) and up's attach of its tmpfs refused: up takes back nothing.
sed -i '/^gpu = /d' "$T/etc/images.d/trixie.conf"
ok_cmd "up trixie without gpu" mm up trixie
mkdir -p "$G" && mount -t tmpfs -o mode=755 someone-elses "$G" && touch "$G/theirs"
printf 'gpu = nvidia\n' >> "$T/etc/images.d/trixie.conf"
run "$DENY" "$MELEE_MOUNTS" --config "$CONF" up trixie
ok "$([ "$rc" != 0 ] && echo 0 || echo 1)" "up whose tmpfs cannot be attached fails"
like "$out" "trixie: gpu = nvidia: cannot mount a tmpfs: Operation not permitted" "and says why"
ok "$([ -e "$G/theirs" ] && echo 0 || echo 1)" "the mount that was at the GPU directory stays"
umount "$G"
ok_cmd "down trixie" mm down trixie
is "$(left)" "0" "nothing left mounted in the image"

# A failed replacement, then the host's driver removed: up takes the old
# driver down and, with it, the failed tmpfs that this reveals (emptied,
# read-only); sessions never see a half-filled directory.
run mm up trixie
is "$rc" "0" "up trixie binds the driver again"
fill_fails 565.57.01 570.10.01
rm -f /etc/ld.so.conf.d/zz-melee-test-gpu.conf /etc/glvnd/egl_vendor.d/10_nvidia.json \
	/etc/vulkan/icd.d/nvidia_icd.json /usr/local/bin/nvidia-smi && ldconfig
run mm up trixie
like "$rc:$out" "^0:.*trixie: took down the GPU driver files under /run/melee/gpu \(driver 565.57.01\): the host has none now" \
	"the host's driver removed: up takes the old driver down"
is "$(findmnt -rn --mountpoint "$G" | wc -l)" "0" "and nothing is left mounted at the GPU directory, the revealed failed tmpfs neither"
is "$(as alice "$T/bin/melee" trixie sh -c 'ls -A /run/melee/gpu 2>/dev/null | wc -l')" "0" \
	"a session sees no driver file"
cd /
ok_cmd "down trixie" mm down trixie
is "$(left)" "0" "nothing left mounted in the image"
done_testing
