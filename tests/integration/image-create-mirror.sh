#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-image create passes no mirror of its own: without --mirror,
# debootstrap gets none and uses its default (the distribution's
# configuration decides); with --mirror, exactly that one.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

MELEE_IMAGE=$top_builddir/tools/melee-image/melee-image
setup_accounts
write_config

# debootstrap here is a stand-in bound over the real one in this
# namespace (melee-image finds it by its fixed PATH): it writes the
# arguments it was given, one per line, and waits to be interrupted.  The
# real one fails at once on an unreachable mirror, sometimes before its
# command line could be read.
cat > "$T/work/debootstrap" <<EOS
#!/bin/sh
printf '%s\n' "\$@" > "$T/work/argv.tmp" && mv "$T/work/argv.tmp" "$T/work/argv"
exec sleep 60
EOS
chmod 755 "$T/work/debootstrap"
mount --bind "$T/work/debootstrap" "$(command -v debootstrap)"

# debootstrap_argv ARGS...: starts create, returns the arguments its
# debootstrap was started with, then interrupts create.
debootstrap_argv() {
	local pid
	rm -f "$T/work/argv"
	"$MELEE_IMAGE" --config "$CONF" create "$@" > "$T/work/create.out" 2>&1 &
	pid=$!
	PIDS="$PIDS $pid"
	wait_for 30 test -e "$T/work/argv" || echo "# debootstrap was not started: $(cat "$T/work/create.out")" >&2
	kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
	cat "$T/work/argv" 2>/dev/null
}

is "$(debootstrap_argv nomirror --suite bookworm --variant minbase)" "--variant=minbase
bookworm
$IMAGES/.nomirror.partial" "without --mirror, debootstrap gets suite and target only"
is "$(debootstrap_argv withmirror --suite bookworm --variant minbase --mirror http://mirror.example/debian)" "--variant=minbase
bookworm
$IMAGES/.withmirror.partial
http://mirror.example/debian" "with --mirror, debootstrap gets that mirror"
ok "$(test ! -e "$IMAGES/.nomirror.partial" && test ! -e "$IMAGES/.withmirror.partial"; echo $?)" "both interrupted creates cleaned up"
done_testing
