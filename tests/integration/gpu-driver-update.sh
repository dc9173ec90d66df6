#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The host's driver updated while a gpu = nvidia image is up (the stub
# driver of gpu-lib.sh: new libraries, the old ones removed, ldconfig,
# nvidia-smi renamed over): status says the image is stale, names
# /run/melee/gpu and both drivers, check fails; up replaces the GPU files
# in place without a down (a process holding the old library keeps it),
# and a program in the image then calls the new driver; watch does the
# same on its own after the next update.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"
. "$top_srcdir/tests/integration/gpu-lib.sh"

private_syslog
images_setup
gpu_trixie
run mm up trixie
like "$out" "^trixie: bound 5 GPU driver files under /run/melee/gpu \(driver 555.42.02\)$" "up trixie binds driver 555.42.02"
install_melee
cd /home/alice
probe() { as alice "$T/bin/melee" trixie /usr/local/bin/gpu-probe; }
like "$(probe)" "nvmlSystemGetDriverVersion=555.42.02$" "a program in trixie calls driver 555.42.02"

# A session that opened the old library before the update keeps it.
as alice "$T/bin/melee" trixie /bin/sh -c 'exec 3< /run/melee/gpu/lib/libnvidia-ml.so.555.42.02; echo $$ > /tmp/held; exec sleep 60' &
PIDS="$PIDS $!"
wait_for 10 test -s /tmp/held
HOLDER=$(cat /tmp/held)
PIDS="$PIDS $HOLDER"

ok_cmd "the host's driver updated to 560.35.03 (new files, old ones removed, ldconfig)" gpu_driver_update 560.35.03
run mm status trixie
is "$rc" "1" "status exits 1 for the stale image"
like "$out" "^trixie +$IMAGES/trixie +stale " "status: trixie is stale"
like "$out" "  stale $IMAGES/trixie/run/melee/gpu( |$)" "status names the GPU directory as the stale bind"
like "$out" "gpu: 5 files bound, driver 555.42.02 \(stale: the host's driver is 560.35.03 now; up replaces it\)" \
	"status: the driver bound and the host's now"
run mm status --json trixie
like "$out" '"state":"stale"' "status --json: state stale"
like "$out" '"gpu":\{"files":5,"driver":"555.42.02","stale":true,"host_driver":"560.35.03"\}' "status --json: both drivers"
like "$out" '"stale_binds":\["/run/melee/gpu"\]' "status --json: the GPU directory among the stale binds"
run mm check trixie
like "$out" "trixie: FAIL: $IMAGES/trixie/run/melee/gpu is stale" "check fails on the stale GPU directory"

run mm up trixie
is "$rc" "0" "up trixie (no down) succeeds"
like "$out" "^trixie: replaced the stale GPU driver files under /run/melee/gpu: driver 555.42.02 -> 560.35.03, 5 files$" \
	"up replaces the GPU files in place and says both versions"
like "$(probe)" "nvmlSystemGetDriverVersion=560.35.03$" "a program started now calls driver 560.35.03"
is "$(as alice "$T/bin/melee" trixie nvidia-smi)" "NVIDIA-SMI 560.35.03 (stub)" "nvidia-smi is the new one"
is "$(as alice "$T/bin/melee" trixie ls /run/melee/gpu/lib | grep -c 555)" "0" "nothing of 555.42.02 is left in the GPU directory"
G=$IMAGES/trixie/run/melee/gpu
is "$(findmnt -rn --mountpoint "$G" | wc -l)" "1" "one tmpfs at the GPU directory: the old one is detached, not stacked"
ok "$(kill -0 "$HOLDER" 2>/dev/null && echo 0 || echo 1)" "the session holding the old library runs on"
is "$(head -c 4 "/proc/$HOLDER/fd/3" 2>/dev/null | od -An -c | tr -d ' ')" "177ELF" "and still reads the old library it opened"
run mm status trixie
like "$out" "^trixie +$IMAGES/trixie +ready .*gpu: 5 files bound, driver 560.35.03$" "status: ready, driver 560.35.03"
run mm up trixie
like "$out" "^trixie: already up, nothing mounted" "up again mounts nothing new"

# watch: the next update is repaired without anyone running up.
"$MELEE_MOUNTS" --config "$CONF" watch trixie > "$T/work/watch.out" 2>&1 &
WATCH=$!
PIDS="$PIDS $WATCH"
syslog_wait "melee-mounts\[$WATCH\]: watching"
ok $? "watch starts"
ok_cmd "the host's driver updated to 565.57.01" gpu_driver_update 565.57.01
wait_for 5 sh -c "'$MELEE_MOUNTS' --config '$CONF' status trixie | grep -q 'ready .*driver 565.57.01\$'"
ok $? "watch replaces the GPU files within 5 s: status ready, driver 565.57.01"
syslog_wait "melee-mounts\[$WATCH\]: trixie: replaced the stale GPU driver files under /run/melee/gpu: driver 560.35.03 -> 565.57.01"
ok $? "the repair is in syslog with both versions"
like "$(probe)" "nvmlSystemGetDriverVersion=565.57.01$" "a program calls driver 565.57.01"
# HOLDER is no child of this shell (melee's, under as): wait cannot
# wait for it, so down could still find it inside the image (it did once
# on a fresh machine): until it is gone.
kill "$HOLDER" "$WATCH" 2>/dev/null; wait "$WATCH" 2>/dev/null
wait_for 10 sh -c "! kill -0 $HOLDER 2>/dev/null" || echo "# $HOLDER still runs" >&2

cd /
ok_cmd "down trixie" mm down trixie
is "$(findmnt -rn -o TARGET | grep -c "^$IMAGES/")" "0" "nothing left mounted in the image"
done_testing
