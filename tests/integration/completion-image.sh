#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bash completion of melee-image: the verbs, their options, the suites
# debootstrap knows, the configured images for remove.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/completion-lib.sh" || exit 1

[ -d /usr/share/debootstrap/scripts ] ||
	skip_all "no /usr/share/debootstrap/scripts (Debian: apt-get install debootstrap)"
setup_accounts
write_config
add_image demo
add_image dev
bind_etc_melee
mkdir -p "$T/bin"
ln -s "$top_builddir/tools/melee-image/melee-image" "$T/bin/melee-image"
export PATH=$T/bin:$PATH

run complete_line melee-image ""
is "$rc:$out" "0:create
import
list
remove" "melee-image <TAB>: the four verbs"
run complete_line melee-image remove ""
is "$out" "demo
dev" "melee-image remove <TAB>: the configured images"
run complete_line melee-image remove demo ""
is "$out" "" "melee-image remove demo <TAB>: one image only"
run complete_line melee-image create new --suite book
is "$out" "bookworm" "melee-image create new --suite book<TAB>: bookworm, from debootstrap's scripts"
run complete_line melee-image create new --suite ""
want=$(ls /usr/share/debootstrap/scripts | grep -v -- '-common$' | sort)
is "$out" "$want" "melee-image create --suite <TAB>: every suite debootstrap knows, not debian-common"
run complete_line melee-image create new -s tri
like "$out" "^trixie$" "melee-image create -s tri<TAB>: trixie"
run complete_line melee-image create new --variant ""
is "$out" "minbase
standard" "melee-image create --variant <TAB>: minbase, standard"
run complete_line melee-image remove --
is "$out" "--config
--delete-files
--help" "melee-image remove --<TAB>: remove's options"
run complete_line melee-image import x --
is "$out" "--config
--description
--help
--no-up
--trusted" "melee-image import --<TAB>: import's options"
run complete_line melee-image create x --s
is "$out" "--suite" "melee-image create --s<TAB>: --suite"
mkdir -p "$T/work/treeA"
run complete_line melee-image import new "$T/work/tree"
is "$out" "$T/work/treeA" "melee-image import NAME <TAB>: a directory or tarball"

done_testing
