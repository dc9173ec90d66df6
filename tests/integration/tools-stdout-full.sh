#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every tool notices a write to stdout that is lost (util-linux's
# closestream): >/dev/full exits non-zero with a message on stderr,
# instead of reporting success for output nobody got.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

setup_accounts
write_config
add_image demo

# melee fails with its own code, 125 (as env and chroot do), the others 1.
for tool in melee:125 melee-mounts:1 melee-image:1 melee-qsub:1; do
	want=${tool#*:} tool=${tool%:*}
	for opt in --help --version; do
		err=$("$top_builddir/tools/$tool/$tool" $opt 2>&1 >/dev/full); rc=$?
		is "$rc" "$want" "$tool $opt >/dev/full: exit status $want"
		like "$err" "^$tool: write error on standard output(: No space left on device)?$" \
			"$tool $opt >/dev/full: one line on stderr naming the tool"
		out=$("$top_builddir/tools/$tool/$tool" $opt 2>&1 >/dev/null); rc=$?
		is "$rc:$out" "0:" "$tool $opt >/dev/null: still exit 0 and silent"
	done
done

# A real report, not only --help: status and check of an image that is
# up (both exit 0 when their output is not lost).
mm up demo >/dev/null
out=$(mm status demo); rc=$?
is "$rc" 0 "melee-mounts status demo: exit 0 when the image is up"
mm check demo >/dev/null 2>&1
is "$?" 0 "melee-mounts check demo: exit 0 when the image is fine"
err=$(mm status demo 2>&1 >/dev/full); rc=$?
like "$rc:$err" "^1:melee-mounts: write error on standard output" "melee-mounts status >/dev/full fails and says so"
err=$(mm check demo 2>&1 >/dev/full); rc=$?
like "$rc:$err" "^1:melee-mounts: write error on standard output" "melee-mounts check >/dev/full fails and says so"

done_testing
