#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# auto-up with the setuid melee: `melee IMAGE true` on an image that is
# down lands when auto-up = yes (the installed melee-mounts ran once, as
# root, with nothing of the caller's environment) and the image is up
# afterwards; with auto-up = no (the default) it is refused as before; a
# melee-mounts up that fails refuses the command with its message.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/melee-lib.sh"
. "$top_srcdir/tests/integration/auto-up-lib.sh"

auto_up_setup

# The default (no auto-up line): refused as before, nothing run.
run as alice "$MELEE" demo cat /marker
is "$rc:$out" "125:melee: image demo is not prepared ($IMAGES/demo/proc is not mounted); run 'melee-mounts up demo' as root" \
	"auto-up unset: melee on a down image is refused with the usual message"
write_config "auto-up = no"
run as alice "$MELEE" demo cat /marker
is "$rc:$out" "125:melee: image demo is not prepared ($IMAGES/demo/proc is not mounted); run 'melee-mounts up demo' as root" \
	"auto-up = no: refused the same way"
is "$(auto_up_runs)" "0" "auto-up = no: melee-mounts was never run"
write_config "auto-up = maybe"
run as alice "$MELEE" demo true
like "$out" "melee.conf:3: auto-up must be yes or no, got 'maybe'" "auto-up = maybe: a config error naming file, line and value"

write_config "auto-up = yes"
# The caller's environment: a marker, its own PATH, LD_PRELOAD and
# LD_LIBRARY_PATH, a umask and a working directory of its own.
need_built "$top_builddir/tests/.libs/preload-mark.so"
cp "$top_builddir/tests/.libs/preload-mark.so" /tmp/preload-mark.so
chmod 755 /tmp/preload-mark.so
: > /tmp/mark; chmod 666 /tmp/mark
run as alice sh -c "cd /tmp && umask 077 && env MARKER=from-alice PATH=/tmp/evil:/usr/bin:/bin \
	MELEE_PRELOAD_MARK=/tmp/mark LD_PRELOAD=/tmp/preload-mark.so LD_LIBRARY_PATH=/tmp/libs \
	\"$MELEE\" demo cat /marker"
is "$rc:$out" "0:melee-fixture:demo" "auto-up = yes: melee on a down image lands in it"
is "$(auto_up_runs)" "1" "melee-mounts ran once"
ok_cmd "the image is up afterwards (melee-mounts status demo)" mm status demo
seen=$(ls "$AUTO_UP_SEEN"/*.env)
is "$(tr '\0' '\n' < "$seen")" "PATH=/usr/sbin:/usr/bin:/sbin:/bin" \
	"the helper's environment is PATH alone: no MARKER, no caller PATH, no LD_PRELOAD/LD_LIBRARY_PATH"
is "$(cat "${seen%.env}.info")" "0
0022
/
--config /etc/melee/melee.conf up demo" "the helper ran with real uid 0, umask 022, in /, as 'melee-mounts --config /etc/melee/melee.conf up demo'"
unlike "$(cat /tmp/mark)" "euid=0" "the caller's LD_PRELOAD never loaded into anything running as root"
syslog_wait "auto-up: image demo was not prepared: ran '$AUTO_UP_PATH --config /etc/melee/melee.conf up demo'"
ok $? "syslog says what was run"

# Up already: nothing is run again.
run as alice "$MELEE" demo cat /marker
is "$rc:$(auto_up_runs)" "0:1" "an image that is up: melee-mounts is not run again"
# ... and walked once: the fd of the walk that found it prepared is the
# one entered (strace -u keeps melee setuid), not walked again to enter.
strace -f -u alice -o "$T/work/walk" -e trace=openat "$MELEE" demo true
is "$(grep -c 'openat([0-9]*, "demo", O_RDONLY|O_NOFOLLOW|O_CLOEXEC|O_PATH|O_DIRECTORY)' "$T/work/walk")" "1" \
	"auto-up = yes, image up: its root is walked once, not once to decide and again to enter"

# A broken image: up fails (a mountpoint that is a symlink), so melee
# refuses with the helper's first line, and runs nothing.
mm down demo >/dev/null
rmdir "$IMAGES/demo/tmp" && ln -s /etc "$IMAGES/demo/tmp"
run as alice "$MELEE" demo touch /ran
like "$rc:$out" "^125:melee: image demo is not prepared, and auto-up's '$AUTO_UP_PATH up demo' failed \\(exit status 1\\): melee-mounts: .*tmp.*symlink" \
	"a failing melee-mounts up: refused, with its first line of stderr"
[ ! -e "$IMAGES/demo/ran" ]
ok $? "the command did not run"
syslog_wait "image=demo refused: image demo is not prepared, and auto-up's"
ok $? "syslog has the refusal"

done_testing
