#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# make install puts pam_melee.so and libnss_melee.so.2 into the configured
# PAM and NSS directories and installs no libtool .la file anywhere (PAM
# and glibc load the .so by name; a .la there is litter lintian rejects).
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

dest=$T/work/dest
mkvar() { sed -n "s/^$1 = //p" "$top_builddir/Makefile"; }
securedir=$(mkvar securedir)
nssdir=$(mkvar nssdir)

# A make of its own: not the jobserver or variables of a make check.
run env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" install DESTDIR="$dest"
ok "$rc" "make install DESTDIR=... succeeds"
[ "$rc" -eq 0 ] || printf '%s\n' "$out" | tail -20 | sed 's/^/#   /'

is "$(cd "$dest" && find . -name '*.la' | sort)" "" "no .la file is installed anywhere"
[ -n "$securedir" ] && [ -f "$dest$securedir/pam_melee.so" ]
ok $? "pam_melee.so is in the PAM directory ($securedir)"
[ -n "$nssdir" ] && [ -f "$dest$nssdir/libnss_melee.so.2" ]
ok $? "libnss_melee.so.2 is in the NSS directory ($nssdir)"
is "$(cd "$dest$nssdir" 2>/dev/null && ls libnss_melee* | sort)" "libnss_melee.so.2" \
	"only libnss_melee.so.2 in the NSS directory (no .so link, no .la)"

# Without --with-securedir/--with-nssdir the directories are where dpkg
# ships the distribution's own libc6 (/lib/<triplet> on bookworm,
# /usr/lib/<triplet> on trixie).
if grep -q -- '--with-\(securedir\|nssdir\)' "$top_builddir/config.log"; then
	echo "ok $((t_n += 1)) # SKIP configured with an explicit --with-securedir or --with-nssdir"
else
	libc=$(dpkg-query -L libc6 2>/dev/null | grep "/lib/$(gcc -print-multiarch)/libc\.so\.6\$" | head -n 1)
	is "$nssdir:$securedir" "${libc%/*}:${libc%/*}/security" \
		"the default directories are dpkg's libc6 directory and its security/"
fi

done_testing
