# SPDX-License-Identifier: LGPL-2.1-or-later
# What the benchmarks share, sourced after `me=NAME` (the name their
# messages start with): die, usage (the script's "# Usage" comment
# block), the root check, the tool under measure, and the private mount
# namespace they run in.  Sets top_srcdir (default: the tree holding
# bench/) and top_builddir (default: the current directory).  The ones
# built on the test suite's namespace (config-scale, image-workload,
# login-overhead) take tests/lib.sh instead.

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=.}"

# die MESSAGE: exits with $bench_die_status (1 unless the script says).
die() { echo "$me: $*" >&2; exit "${bench_die_status:-1}"; }
usage() { sed -n '/^# Usage/,/^#$/{/^#$/d;s/^# \{0,1\}//p}' "$0"; }

# bench_need_root WHY: exits 77 (automake's SKIP) unless run as root.
bench_need_root() {
	[ "$(id -u)" -eq 0 ] || { echo "$me: SKIP: needs root ($1)" >&2; exit 77; }
}

# bench_tool PATH HINT: prints PATH made absolute; dies naming HINT (how
# to point at another) when it is not an executable.
bench_tool() {
	[ -x "$1" ] || die "$1: not found or not executable (build first, or $2)"
	realpath "$1"
}

# bench_in_private_ns VAR CMD...: unless $VAR is set, runs CMD... (the
# script again) with VAR=1 in a mount namespace of its own with private
# propagation, and exits with its status; a change of the host's mount
# table meanwhile is reported and fails the run.  When $VAR is set, it
# returns: the caller is inside.
bench_in_private_ns() {
	local var=$1 before after rc=0
	shift
	[ -z "${!var:-}" ] || return 0
	before=$(cut -d' ' -f5 /proc/self/mountinfo | sort)
	env "$var=1" unshare -m --propagation private "$@" || rc=$?
	after=$(cut -d' ' -f5 /proc/self/mountinfo | sort)
	if [ "$before" != "$after" ]; then
		echo "$me: WARNING: the host's mount table changed during the run:" >&2
		diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") | sed 's/^/  /' >&2 || true
		[ "$rc" -ne 0 ] || rc=1
	fi
	exit "$rc"
}

# bench_outside DIR PATH...: dies when a PATH lies under DIR, which the
# benchmark covers with a tmpfs.
bench_outside() {
	local dir=$1 p
	shift
	for p in "$@"; do
		case $(realpath "$p")/ in
		"$dir"/*) die "$p is under $dir, which the benchmark covers with a tmpfs" ;;
		esac
	done
}
