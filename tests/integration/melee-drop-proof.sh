#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee_drop_privileges proves the drop by reading every id back, as
# OpenSSH's permanently_set_uid does: real, effective and saved uid and
# gid must all be the target, and the supplementary groups exactly the
# list set.  A set*id call that claims success without doing its work
# (here strace's fault injection stands in for a broken kernel, libc or
# security module) is refused before anything runs.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/melee-lib.sh" || exit 1
. "$top_srcdir/tests/integration/pam-lib.sh"

melee_setup
cd /home/alice

# The read-back is seen after the last set*id call and before the exec.
tr=$(strace -qq -u alice -e trace=setgroups,setresgid,setresuid,setuid,getresuid,getresgid,getgroups,execve \
	-e signal=none "$MELEE" demo true 2>&1 >/dev/null)
steps=$(printf '%s\n' "$tr" | tr -s ' ' | sed -E 's/^execve\("([^"]*)".*\) = /execve(\1) = /; s/ \([A-Z][a-z].*\)$//' \
	| sed -n '/^setgroups/,/^execve(\/usr\/local\/sbin\/true)/p')
is "$steps" "setgroups(2, [1501, 1600]) = 0
setresgid(1501, 1501, 1501) = 0
setresuid(1501, 1501, 1501) = 0
setuid(0) = -1 EPERM
setresuid(-1, 0, -1) = -1 EPERM
setresgid(-1, 0, -1) = -1 EPERM
getresuid([1501], [1501], [1501]) = 0
getresgid([1501], [1501], [1501]) = 0
getgroups(0, NULL) = 2
getgroups(2, [1501, 1600]) = 2
execve(/usr/local/sbin/true) = -1 ENOENT" "melee: uid, gid and groups read back after the drop, before the exec"

# A login program (the harness opens a host session as root and drops to
# alice, like sshd's child) whose setgroups is faked: root's own groups
# would reach alice's command.  Refused, the command never runs.
pam_service plain 'session required pam_permit.so'
printf '#!/bin/sh\necho ran; id -G\n' > "$T/work/cmd"; chmod 755 "$T/work/cmd"
run "$HARNESS" "$T/pam.d" plain alice -- "$T/work/cmd"
is "$rc:$out" "0:ran
1501 1600" "harness: alice's groups without injection"
# Host groups the login program itself holds: another number of groups,
# then as many groups but not the same ones (the kernel sorts the list).
out=$(setpriv --groups 4 -- strace -f -qq -o /dev/null -e trace=setgroups -e inject=setgroups:retval=0 \
	"$HARNESS" "$T/pam.d" plain alice -- "$T/work/cmd" 2>&1); rc=$?
is "$rc:$out" "2:pam-harness: 1 supplementary groups after dropping privileges, not the 2 set; refusing to go on" \
	"faked setgroups: a leftover group list of another size refused, nothing run"
out=$(setpriv --groups 4,1501 -- strace -f -qq -o /dev/null -e trace=setgroups -e inject=setgroups:retval=0 \
	"$HARNESS" "$T/pam.d" plain alice -- "$T/work/cmd" 2>&1); rc=$?
is "$rc:$out" "2:pam-harness: supplementary group 4 was not set but is held after dropping privileges; refusing to go on" \
	"faked setgroups: a leftover group of the same count refused, nothing run"
done_testing
