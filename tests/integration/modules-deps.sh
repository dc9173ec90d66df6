#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Modules load only what they use: pam_melee.so (in every sshd), the SPANK
# plugin melee.so (in every slurmstepd), libnss_melee.so.2 (in every
# process that looks up a user) and the tools that only enter (melee,
# melee-qsub) neither link libmount nor carry the mount and accounts code.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

# Every global function the mounts library (mounts, umount, nosuid and
# accounts; not the name index, which is libc only and in libmelee-core
# for the configuration) defines, from its own objects: none may be in a
# module.
mounts_objs=$(ls "$top_builddir"/common/.libs/libmelee_mounts_la-*.o 2>/dev/null)
mounts_syms=$(nm --defined-only -g $mounts_objs 2>/dev/null | awk 'NF == 3 && $2 == "T" { print $3 }' | sort -u)
[ -n "$mounts_objs" ] && [ "$(printf '%s\n' "$mounts_syms" | grep -c .)" -ge 10 ]
ok $? "the mounts library's objects define its functions (melee_fstab_load, melee_bind, ...)"
like "$mounts_syms" '^melee_fstab_load$' "melee_fstab_load is among them"
like "$mounts_syms" '^melee_merge_passwd$' "the accounts merge (melee_merge_passwd) is among them"

# check NAME FILE: no NEEDED libmount, no mnt_* symbol (defined or
# undefined, dynamic or not), no function of the mounts library.
check() {
	local name=$1 f=$2 needed syms
	needed=$(readelf -d "$f" 2>&1 | grep NEEDED)
	like "$needed" 'libc\.so' "$name: readelf -d lists its NEEDED libraries"
	unlike "$needed" 'libmount' "$name: no NEEDED libmount"
	# The build tree's objects are not stripped: without a symbol table
	# nothing below could fail, so that is a failure too.
	syms=$(nm "$f" 2>&1)
	unlike "$syms" 'no symbols' "$name: has a symbol table to check"
	like "$syms" ' melee_' "$name: its symbol table lists melee_ functions"
	unlike "$({ nm -D "$f"; echo "$syms"; } 2>&1 | grep ' mnt_')" . "$name: no mnt_ symbol (nm and nm -D)"
	unlike "$(printf '%s\n' "$syms" | awk '{ print $NF }' | grep -Fxf <(printf '%s\n' "$mounts_syms"))" . \
		"$name: none of the mounts and accounts functions is inside"
}

check pam_melee.so "$top_builddir/pam_melee/.libs/pam_melee.so"
check libnss_melee.so.2 "$top_builddir/nss_melee/.libs/libnss_melee.so.2"
check melee "$top_builddir/tools/melee/melee"
check melee-qsub "$top_builddir/tools/melee-qsub/melee-qsub"
if [ -f "$top_builddir/slurm/melee.so" ]; then
	check "slurm melee.so" "$top_builddir/slurm/melee.so"
else
	echo "ok $((t_n += 1)) # SKIP slurm melee.so was not built (configure found no slurm/spank.h)"
fi

# The NSS module is dlopened by every lookup of a name files does not
# know: libc alone (no thread-local data, which needed ld.so's
# __tls_get_addr, and a TLS block at each load).
is "$(readelf -d "$top_builddir/nss_melee/.libs/libnss_melee.so.2" | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p')" "libc.so.6" \
	"libnss_melee.so.2 needs libc.so.6 alone"
unlike "$(readelf -S -W "$top_builddir/nss_melee/.libs/libnss_melee.so.2")" '\.tbss|\.tdata' "libnss_melee.so.2 has no thread-local data"

# The tools that mount do link it: the check above can see libmount.
like "$(readelf -d "$top_builddir/tools/melee-mounts/melee-mounts")" 'NEEDED.*libmount' "melee-mounts links libmount (the check sees it where it is)"

done_testing
