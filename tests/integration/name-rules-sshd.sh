#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# sshd rules written against user names, with USER+IMAGE logins: a plain
# `DenyUsers alice` lets alice+demo in (the pattern is matched against the
# login name); `DenyUsers alice alice+*` and `DenyGroups physics` keep
# both out, `Match User alice,alice+*` matches alice+demo, `AllowGroups
# physics` lets her in.  Real sshd instances on 127.0.0.1 with the rule
# given by -o (a Match block, which -o cannot give, ends the file).
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/pam-lib.sh"

setup_logins
add_image demo
mm up demo >/dev/null
bind_etc_melee
start_sshd

# sshd_with OPTION...: another sshd of the same configuration on the next
# free port, with OPTIONs (-o ...) on top and the lines of $tail (if
# any) at the end of the file; sets $p.
sshd_with() {
	for p in $(seq $((port + 1)) $((port + 100))); do
		(echo > /dev/tcp/127.0.0.1/$p) 2>/dev/null && continue
		{ echo "Port $p"; grep -v '^Port ' "$S/sshd_config"; printf '%s' "${tail:-}"; } > "$S/sshd_config.$p"
		sshd_listening "$S/sshd_config.$p" "$T/work/sshd-$p.log" -o PidFile=$S/sshd-$p.pid "$@" && break
	done
}
key() { local pp=$1; shift; ssh -F /dev/null -p "$pp" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=10 -o BatchMode=yes -o IdentitiesOnly=yes -i "$S/alice_key" "$@" 'cat /marker 2>/dev/null || echo host' < /dev/null 2>&1 | tr -d '\r'; return "${PIPESTATUS[0]}"; }

sshd_with -o "DenyUsers=alice"
is "$(key $p alice@127.0.0.1; echo "rc=$?")" "alice@127.0.0.1: Permission denied (publickey,password,keyboard-interactive).
rc=255" "DenyUsers alice: alice is refused"
is "$(key $p alice+demo@127.0.0.1)" "melee-fixture:demo" "DenyUsers alice alone: alice+demo gets in (why the USER+* form is needed)"
sshd_with -o "DenyUsers=alice alice+*"
is "$(key $p alice+demo@127.0.0.1; echo "rc=$?")" "alice+demo@127.0.0.1: Permission denied (publickey,password,keyboard-interactive).
rc=255" "DenyUsers alice alice+*: alice+demo is refused"
like "$(cat "$T/work/sshd-$p.log")" "User alice\+demo from 127.0.0.1 not allowed because listed in DenyUsers" "sshd says why"
sshd_with -o "DenyGroups=physics"
is "$(key $p alice+demo@127.0.0.1; echo "rc=$?")" "alice+demo@127.0.0.1: Permission denied (publickey,password,keyboard-interactive).
rc=255" "DenyGroups physics (alice's group): alice+demo is refused"
sshd_with -o "AllowUsers=bob bob+*"
is "$(key $p alice+demo@127.0.0.1; echo "rc=$?")" "alice+demo@127.0.0.1: Permission denied (publickey,password,keyboard-interactive).
rc=255" "AllowUsers bob bob+*: alice+demo is refused"
sshd_with -o "AllowGroups=physics"
is "$(key $p alice+demo@127.0.0.1)" "melee-fixture:demo" "AllowGroups physics (alice's group): alice+demo gets in (her groups are alice's)"
tail=$'Match User alice\n\tForceCommand echo matched\n' sshd_with
is "$(key $p alice+demo@127.0.0.1)" "melee-fixture:demo" "Match User alice alone: alice+demo is not matched"
tail=$'Match User alice,alice+*\n\tForceCommand echo matched\n' sshd_with
is "$(key $p alice+demo@127.0.0.1)" "matched" "Match User alice,alice+*: alice+demo is matched"
done_testing
