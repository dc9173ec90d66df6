#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-image create passes no mirror of its own: without --mirror,
# debootstrap gets none and uses its default (the distribution's
# configuration decides); with --mirror, exactly that one.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

MELEE_IMAGE=$top_builddir/tools/melee-image/melee-image
setup_accounts
write_config

# debootstrap_argv ARGS...: starts create, returns the arguments its
# debootstrap child was started with (NUL-separated -> one per line),
# then interrupts it.
debootstrap_argv() {
	local pid child argv=""
	"$MELEE_IMAGE" --config "$CONF" create "$@" > "$T/work/create.out" 2>&1 &
	pid=$!
	PIDS="$PIDS $pid"
	for _ in $(seq 1 300); do
		child=$(pgrep -P "$pid" | head -1)
		if [ -n "$child" ]; then
			argv=$(tr '\0' '\n' < "/proc/$child/cmdline" 2>/dev/null)
			case "$argv" in *debootstrap*) break ;; esac
		fi
		sleep 0.05
	done
	kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
	printf '%s\n' "$argv" | sed -n '/debootstrap$/,$p' | tail -n +2
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
