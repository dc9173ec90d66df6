#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bash completion of melee: the images the caller may use (a forbidden one
# is not offered), the options, then the commands of the image's own PATH.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/completion-lib.sh" || exit 1

melee_setup
add_image lab "allow-users = bob"
add_image dev
mm up lab dev >/dev/null
# A command only the image has, and a directory that is no command.
install -m 755 /dev/null "$IMAGES/demo/usr/bin/demo-only-tool"
mkdir -p "$IMAGES/demo/usr/bin/demo-only-dir"
# melee and melee-mounts as installed: melee found in PATH, melee-mounts
# in the sbin next to it (an ordinary user's PATH has no sbin).
mkdir -p "$T/sbin"
ln -s "$top_builddir/tools/melee-mounts/melee-mounts" "$T/sbin/melee-mounts"
# An ordinary user's PATH, without sbin.
export PATH=$T/bin:/usr/local/bin:/usr/bin:/bin

run complete_line_as alice melee ""
is "$rc:$out" "0:demo
dev" "melee <TAB>: the images alice may use, not lab (allow-users = bob)"
run complete_line_as bob melee ""
is "$rc:$out" "0:demo
dev
lab" "melee <TAB> as bob: lab too"
run complete_line_as alice melee d
is "$out" "demo
dev" "melee d<TAB>: the usable images starting with d"
run complete_line_as alice melee l
is "$out" "" "melee l<TAB>: nothing (lab is forbidden to alice)"
run complete_line_as alice melee --l
is "$out" "--list" "melee --l<TAB>: --list"
run complete_line_as alice melee -
like "$out" "^--help$" "melee -<TAB>: --help among the options"

run complete_line_as alice melee demo demo-o
is "$rc:$out" "0:demo-only-tool" "melee demo demo-o<TAB>: the image's own command, not its directory"
run complete_line_as alice melee demo whoa
is "$out" "whoami" "melee demo whoa<TAB>: a command of the image's /bin (a symlink to busybox)"
run complete_line_as alice melee dev demo-o
is "$out" "" "melee dev demo-o<TAB>: another image's command is not offered"
run complete_line_as alice melee lab who
is "$out" "" "melee lab who<TAB>: nothing from an image alice may not use"
touch "$T/work/argfile-one"
run complete_line_as alice melee demo cat "$T/work/argfile-"
is "$out" "$T/work/argfile-one" "melee demo cat FILE<TAB>: the command's arguments are completed (file names)"
run complete_line_as alice melee --list ""
is "$out" "--all" "melee --list <TAB>: its one option, --all"
run complete_line_as alice melee --set-default ""
is "$out" "demo
dev
host" "melee --set-default <TAB>: host and the images alice may use (not lab)"
run complete_line_as alice melee --show-default ""
is "$out" "" "melee --show-default <TAB>: nothing after it"
run complete_line_as alice melee --s
is "$out" "--set-default
--show-default" "melee --s<TAB>: --set-default and --show-default"

# With no argument at all: the usable images and the one-line usage.
run as alice "$MELEE"
is "$rc" 125 "melee with no argument: exit 125"
like "$out" "^demo +" "melee with no argument: lists demo"
unlike "$out" "^lab " "melee with no argument: not lab, which alice may not use"
like "$out" "^Usage: melee IMAGE \[COMMAND \[ARG\.\.\.\]\] +\(melee --help for more\)$" \
	"melee with no argument: the one-line usage"
is "$(printf '%s\n' "$out" | wc -l)" 4 "melee with no argument: header, 2 images, usage"
run as bob "$MELEE"
like "$out" "^lab +" "melee with no argument as bob: lab too"

# The completion runs the melee that PATH finds, never the word typed:
# completing "/tmp/x/melee <TAB>" must not run /tmp/x/melee.
mkdir -p "$T/work/planted"
printf '#!/bin/sh\ntouch %s/planted/ran\n' "$T/work" > "$T/work/planted/melee"
chmod 755 "$T/work/planted/melee"
run bash --norc --noprofile -c '
	. "$1" && . "$2" || exit 1
	COMP_WORDS=("$3" ""); COMP_CWORD=1; COMP_LINE="$3 "; COMP_POINT=${#COMP_LINE}
	_melee "$3" "" "$3"
	printf "%s\n" "${COMPREPLY[@]}" | sort' x "$BASH_COMPLETION_MAIN" "$top_srcdir/completion/melee" "$T/work/planted/melee"
[ ! -e "$T/work/planted/ran" ]
ok $? "completing $T/work/planted/melee <TAB> does not run that program"
done_testing
