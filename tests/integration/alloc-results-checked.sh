#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every helper that allocates is marked warn_unused_result: a caller that
# ignores its result (a lost -ENOMEM: a group member silently dropped,
# argv[0] read from a NULL vector) does not build with the suite's flags.
# Each call below is compiled once looking at the result (it builds) and
# once ignoring it (the compiler refuses, naming the helper).
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

CC=$(sed -n 's/^CC = //p' "$top_builddir/Makefile")
# compiles CALL: the helper call as a statement; status of the compiler.
compiles() {
	printf '%s\n' '#include "config.h"' '#include "melee-util.h"' '#include "melee-pw.h"' \
		'#include "melee-index.h"' '#include "melee-access.h"' '#include "melee-accounts.h"' \
		'void f(void);' 'void f(void)' '{' '	char **v = NULL, *s = NULL, e[8];' \
		'	size_t n = 0; gid_t *g = NULL; struct passwd *pw = NULL;' \
		'	struct melee_index ix; struct melee_id_range r = { 0 };' \
		"	$1" \
		'	(void)v; (void)s; (void)e; (void)n; (void)g; (void)pw; (void)ix; (void)r;' '}' \
		> "$T/work/call.c"
	$CC -std=gnu11 -Werror=unused-result -c -o /dev/null -I"$top_builddir" -I"$top_srcdir/common" \
		"$T/work/call.c" > "$T/work/cc.out" 2>&1
}
for call in 'melee_strv_push(&v, &n, "x")' 'melee_read_fd(0, 8, &s, &n)' \
	'melee_read_fd_bytes(0, 8, &s, &n)' 'melee_write_atomic(0, "x", "", 0, 0600, e, 8)' \
	'melee_getpwnam("x", &pw, e, 8)' 'melee_getpwuid(0, &pw, e, 8)' \
	'melee_index_init(&ix, 8)' 'melee_index_reserve(&ix, 8)' \
	'melee_user_groups("x", 0, &g, &n)' 'melee_merge_passwd("", "", &r, NULL, NULL, &s)' \
	'melee_merge_group("", "", "", &r, NULL, NULL, &s)' \
	'melee_accounts_merge(0, "/etc", NULL, &s, &s, NULL, e, 8)'; do
	name=${call%%(*}
	compiles "if ($call < 0) return;"
	ok $? "$name: a caller that looks at the result builds"
	compiles "$call;"
	ok $((! $?)) "$name: a caller that ignores the result does not build"
	like "$(cat "$T/work/cc.out")" "ignoring return value of .$name." "and the compiler names $name"
done
done_testing
