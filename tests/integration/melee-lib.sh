# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers for the melee(1) integration tests: a prepared fixture image
# and the setuid melee installed in the work area, used by an ordinary
# test user through lib.sh's `as`.  Sources tests/lib.sh.
. "$top_srcdir/tests/lib.sh"

MELEE=$T/bin/melee

# melee_setup [EXTRA-IMAGE-LINES]: accounts, private /home and /tmp (so
# that nothing a test writes lands on the host), image "demo" prepared,
# melee installed setuid root reading $T/etc as its /etc/melee.
melee_setup() {
	setup_accounts
	setup_home
	private_dir /tmp 1777
	write_config
	add_image demo "description = Demo image
${1:-}"
	mm up demo >/dev/null || echo "# melee-mounts up demo failed" >&2
	install_melee
}

# A PATH without the test runner's own directories (root's /root/... in
# PATH makes execvp answer EACCES instead of ENOENT for a missing command).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
