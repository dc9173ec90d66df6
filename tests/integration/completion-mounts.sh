#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bash completion of melee-mounts: the verbs, each verb's options, the
# configured images (each once), directories after --bindir.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/completion-lib.sh" || exit 1

setup_accounts
write_config
add_image demo
add_image dev "allow-users = bob"
bind_etc_melee
mkdir -p "$T/bin"
ln -s "$top_builddir/tools/melee-mounts/melee-mounts" "$T/bin/melee-mounts"
export PATH=$T/bin:$PATH

run complete_line melee-mounts ""
is "$rc:$out" "0:check
down
links
status
up
watch" "melee-mounts <TAB>: the six verbs"
run complete_line melee-mounts -q st
is "$out" "status" "melee-mounts -q st<TAB>: the verb after an option"
run complete_line melee-mounts up ""
is "$out" "demo
dev" "melee-mounts up <TAB>: every configured image (also one with allow-users)"
run complete_line melee-mounts status demo ""
is "$out" "dev" "melee-mounts status demo <TAB>: each image once"
run complete_line melee-mounts links ""
is "$out" "" "melee-mounts links <TAB>: no image names (links covers every image)"
run complete_line melee-mounts down --
is "$out" "--config
--dry-run
--force
--help
--lazy
--quiet" "melee-mounts down --<TAB>: down's options"
run complete_line melee-mounts status --
is "$out" "--config
--help
--json
--quiet" "melee-mounts status --<TAB>: status's options"
run complete_line melee-mounts links --
is "$out" "--bindir
--config
--desktop-dir
--help
--quiet
--xsessions-dir" "melee-mounts links --<TAB>: links's options"
run complete_line melee-mounts --ver
is "$out" "--version" "melee-mounts --ver<TAB>: --version before the verb"
mkdir -p "$T/work/dirA" && touch "$T/work/dirfile"
run complete_line melee-mounts links --bindir "$T/work/dir"
is "$out" "$T/work/dirA" "melee-mounts links --bindir DIR<TAB>: directories only"

done_testing
