#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# pam_melee refuses USER+IMAGE on its own when USER is not a person (uid
# outside UID_MIN..UID_MAX of login.defs, root, a system account, nobody),
# even when another NSS module answers for the name: here `files`, from
# lines of this namespace's own /etc/passwd.  A whole name whose uid is
# not its base user's is refused too.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/pam-lib.sh"

setup_accounts
echo 'below:x:1500:1500:Below:/home/below:/bin/sh' >> "$T/work/passwd"
echo 'above:x:1503:1503:Above:/home/above:/bin/sh' >> "$T/work/passwd"
# The stub answers: what a careless or hostile directory could serve.
cat >> "$T/work/passwd" <<'P'
root+demo:x:0:0:root:/root:/bin/sh
daemon+demo:x:1:1:daemon:/usr/sbin:/bin/sh
nobody+demo:x:65534:65534:nobody:/nonexistent:/bin/sh
below+demo:x:1500:1500:Below:/home/below:/bin/sh
above+demo:x:1503:1503:Above:/home/above:/bin/sh
alice+demo:x:0:0:Alice:/home/alice:/bin/sh
P
printf 'UID_MIN 1501\nUID_MAX 1502\n' > "$T/work/login.defs"
chmod 644 "$T/work/login.defs"
mount --bind "$T/work/login.defs" /etc/login.defs
setup_home
setup_nss
private_syslog
write_config
add_image demo
mm up demo >/dev/null
bind_etc_melee
pam_service melee-test "account required pam_permit.so
account required $PAM_MELEE
session required pam_permit.so
session required $PAM_MELEE"
mkdir -p "$T/pam.d.sys"; cp -a /etc/pam.d/. "$T/pam.d.sys/"
cp "$T/pam.d/melee-test" "$T/pam.d.sys/melee-test"
mount --bind "$T/pam.d.sys" /etc/pam.d
cd /

# session [-a] USER: the harness's session (and account phase with -a), a
# command that says where it ran; its output and messages.  Exit 34 is a
# failed session (20 + PAM_SESSION_ERR), 26 a failed account phase
# (20 + PAM_PERM_DENIED).
session() {
	local a=()
	[ "$1" = -a ] && { a=(-a); shift; }
	"$HARNESS" "${a[@]}" "$T/pam.d" melee-test "$1" -- /bin/sh -c 'cat /marker 2>/dev/null || echo host' 2>&1
}
is "$(session -a bob+demo)" "melee-fixture:demo" "bob+demo (uid 1502 = UID_MAX, answered by libnss_melee): in the image"
for u in root:0 daemon:1 nobody:65534 below:1500 above:1503; do
	n=${u%%:*}; id=${u#*:}
	: > "$SYSLOG"
	run session "$n+demo"
	msg="melee: $n \\(uid $id\\) is not a human account"
	like "$rc:$out" "^34:error: $msg" "session of $n+demo (files says uid $id): refused, the user is told why"
	unlike "$out" "melee-fixture" "and nothing ran in the image"
	syslog_wait "user $n: refused"
	like "$(cat "$SYSLOG")" "user $n: refused \(the login name\): $n \(uid $id\) is not a human account" "and syslog has it"
	run session -a "$n+demo"
	like "$rc:$out" "^26:error: $msg" "account phase of $n+demo: refused"
	like "$out" "^account: Permission denied$" "the account phase says so"
done
run session alice+demo
like "$rc:$out" "^34:error: melee: alice\+demo has uid 0 gid 0, but alice has uid 1501 gid 1501: refused" \
	"alice+demo served as uid 0 by files: refused (not alice's uid)"
# stub_alice_demo_gecos BYTES: the alice+demo stub line (uid 0) with a
# GECOS of BYTES, written in place (the bind stays on the same file).
stub_alice_demo_gecos() {
	local big
	big=$(head -c "$1" /dev/zero | tr '\0' x)
	{ grep -v '^alice+demo:' "$T/work/passwd"; echo "alice+demo:x:0:0:$big:/root:/bin/sh"; } > "$T/work/passwd.new"
	cat "$T/work/passwd.new" > "$T/work/passwd"
}
# The same stub with a 20 KiB GECOS: pam_melee's lookup grows its
# buffer (melee_getpwnam) and reads the entry, so the uid 0 is seen.
stub_alice_demo_gecos 20000
run session alice+demo
like "$rc:$out" "^34:error: melee: alice\+demo has uid 0 gid 0, but alice has uid 1501 gid 1501: refused" \
	"alice+demo served as uid 0 with a 20 KiB entry: read whole (buffer grown), refused"
unlike "$out" "melee-fixture" "and nothing ran in the image"
# Above MELEE_PW_MAX (1 MiB) pam_melee's lookup fails (ERANGE) while
# the caller's own (getpwnam grows without a bound) finds uid 0.
# Refused, not taken for "no other answer".
stub_alice_demo_gecos 1100000
run session alice+demo
like "$rc:$out" "^34:error: melee: alice\+demo: cannot look the name up \(user 'alice\+demo': the passwd entry is bigger than 1048576 bytes\): refused" \
	"alice+demo served as uid 0 with an entry too big to read: refused (the failed lookup is no answer)"
unlike "$out" "melee-fixture" "and nothing ran in the image"
run pamtester melee-test root+demo open_session
like "$out" "melee: root \(uid 0\) is not a human account: it has no USER\+IMAGE name" "real pamtester, root+demo: the message"
ok $((rc == 0)) "and the session fails (exit $rc)"
done_testing
