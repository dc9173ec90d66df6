#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every committed seed corpus (tests/fuzz/corpus/TARGET/) replayed through
# its libFuzzer target with -runs=0: each input runs once under ASan,
# UBSan and LeakSanitizer, so a parser that crashes or leaks on an input
# found once (or on one of the hostile seeds) fails here, in seconds.
# Runs in the fuzzing build (./configure CC=clang --enable-fuzzing), from
# make check there or on its own: tests/fuzz/replay.sh [BUILDDIR].
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${1:-${top_builddir:-$top_srcdir/build-fuzz}}
corpus=$top_srcdir/tests/fuzz/corpus
scratch=$(mktemp -d /tmp/melee-fuzz-replay.XXXXXX)
trap 'rm -rf "$scratch"' EXIT

n=0 failed=0
for dir in "$corpus"/*/; do
	t=$(basename "$dir")
	bin=$top_builddir/tests/fuzz/$t
	n=$((n + 1))
	inputs=$(find "$dir" -type f | wc -l)
	if [ ! -x "$bin" ]; then
		echo "not ok $n - $t: no target $bin for the corpus $dir"
		failed=$((failed + 1))
		continue
	fi
	# The artifacts of a failure go to the scratch directory, never into
	# the build or the corpus.
	if "$bin" -runs=0 -timeout=10 -artifact_prefix="$scratch/$t-" "$dir" \
		>"$scratch/$t.log" 2>&1 && [ "$inputs" -gt 0 ]; then
		echo "ok $n - $t replays its $inputs corpus inputs without a crash or leak"
	else
		echo "not ok $n - $t replays its $inputs corpus inputs without a crash or leak"
		grep -m1 -A20 'ERROR\|SUMMARY\|==[0-9]*==' "$scratch/$t.log" | sed 's/^/# /'
		failed=$((failed + 1))
	fi
done
# A target without a committed corpus is not replayed at all.
for bin in "$top_builddir"/tests/fuzz/fuzz-*; do
	case $bin in *.*) continue ;; esac # objects, sources
	[ -f "$bin" ] && [ -x "$bin" ] || continue
	t=$(basename "$bin")
	n=$((n + 1))
	if [ -d "$corpus/$t" ]; then
		echo "ok $n - $t has a committed corpus"
	else
		echo "not ok $n - $t has a committed corpus (expected $corpus/$t/)"
		failed=$((failed + 1))
	fi
done
echo "1..$n"
[ "$failed" -eq 0 ]
