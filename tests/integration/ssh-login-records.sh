#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A login into an image is recorded on the host: the default fstab binds
# the host's /var/log/wtmp, btmp and lastlog into the image, where sshd
# writes them after the chroot, so that 'last' on the host shows
# alice+IMAGE.  Up creates a missing mountpoint file and skips a missing
# host file.  And the tests' own logins never reach the real host's files
# (tests/lib.sh gives every test namespace its own /var/log).
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/pam-lib.sh"

# This test deletes and writes files in /var/log: only in the namespace's own.
awk '$5 == "/var/log" && $(NF-1) == "melee-test-log" { f = 1 } END { exit !f }' /proc/self/mountinfo ||
	{ echo "Bail out! /var/log is not the test's own tmpfs (tests/lib.sh)"; exit 1; }
# The host's real files, seen through the namespace of the process that
# started this test (make's shell: outside our namespace).
HOST_LOG=/proc/$PPID/root/var/log
host_state() {
	local f
	for f in wtmp btmp lastlog; do
		printf '%s %s\n' "$f" "$(stat -c '%s %Y' "$HOST_LOG/$f" 2>/dev/null || echo missing)"
	done
}
host_records() { { last -w -f "$HOST_LOG/wtmp"; lastb -w -f "$HOST_LOG/btmp"; } 2>/dev/null | grep -c 'alice+logrec'; }
ok "$([ "$(readlink /proc/$PPID/ns/mnt)" != "$(readlink /proc/self/ns/mnt)" ]; echo $?)" \
	"the parent process is outside the test's mount namespace (its /var/log is the host's)"
host_before=$(host_state)
host_records_before=$(host_records)

setup_logins
add_image logrec
I=$IMAGES/logrec
rm "$I/var/log/lastlog"
rm /var/log/btmp
run mm up logrec
is "$rc:$out" "0:logrec: skipping /var/log/btmp: source /var/log/btmp is missing (nofail)
logrec: created mountpoint $I/var/log/lastlog
logrec: mounted 16, 0 already present" \
	"up creates the image's missing lastlog and skips the host's missing btmp"
like "$(mm status logrec)" "^logrec .* ready +16/16$" "and the image is ready without btmp"
mm down logrec >/dev/null
install -m 660 -g utmp /dev/null /var/log/btmp
is "$(mm up logrec 2>&1)" "logrec: mounted 17, 0 already present" "with the host's btmp back, up binds all three"
for f in wtmp btmp lastlog; do
	is "$(stat -c '%d:%i' "$I/var/log/$f")" "$(stat -c '%d:%i' "/var/log/$f")" "the image's /var/log/$f is the host's"
done
# An image without /var/log (a bare tree) is not refused for it: up skips
# the three nofail entries, and status expects only what up mounts.
add_image nolog
rm -r "$IMAGES/nolog/var/log"
run mm up nolog
is "$rc:$out" "0:nolog: skipping /var/log/wtmp: the image has no directory for it (nofail)
nolog: skipping /var/log/btmp: the image has no directory for it (nofail)
nolog: skipping /var/log/lastlog: the image has no directory for it (nofail)
nolog: mounted 14, 0 already present" "an image without /var/log: up skips the login records"
like "$(mm status nolog)" "^nolog .* ready +14/14$" "and the image is ready with what up mounted"
is "$(mm check nolog 2>&1 | grep -c FAIL)" "0" "and check finds nothing to fail"
mm down nolog >/dev/null
bind_etc_melee
start_sshd
key() { "${SSH[@]}" -o BatchMode=yes -o IdentitiesOnly=yes -i "$S/alice_key" "$@" < /dev/null; }

out=$(key -tt alice+logrec@127.0.0.1 'cat /marker' 2>&1 | tr -d '\r')
is "$out" "melee-fixture:logrec" "ssh -tt alice+logrec lands in the image"
# The record is written when the session opens; its logout entry when sshd's
# monitor closes the session: wait for that (a loaded machine: 10 s).
for _ in $(seq 100); do last -w -f /var/log/wtmp | grep -q '^alice+logrec .*gone - no logout' || break; sleep 0.1; done
like "$(last -w -f /var/log/wtmp)" "^alice\+logrec +pts/[0-9]+ +127\.0\.0\.1 " "the host's wtmp has the login as alice+logrec (last -w)"
like "$(lastlog -u alice)" "^alice +pts/[0-9]+ +127\.0\.0\.1 " "the host's lastlog has alice's login from 127.0.0.1"
is "$(wc -c < "$I/var/log/wtmp")" "$(wc -c < /var/log/wtmp)" \
	"the image shows the same wtmp"

# A failed login: sshd's monitor writes btmp on the host side.
cat > "$S/askpass" <<A
#!/bin/sh
echo wrong-password
A
chmod 755 "$S/askpass"
SSH_ASKPASS="$S/askpass" SSH_ASKPASS_REQUIRE=force DISPLAY=:0 setsid "${SSH[@]}" \
	-o PubkeyAuthentication=no -o PreferredAuthentications=password -o NumberOfPasswordPrompts=1 \
	alice+logrec@127.0.0.1 true < /dev/null >/dev/null 2>&1
for _ in $(seq 50); do lastb -w -f /var/log/btmp | grep -q '^alice+logrec' && break; sleep 0.1; done
like "$(lastb -w -f /var/log/btmp)" "^alice\+logrec " "a failed login goes to the test's btmp"

is "$(host_state)" "$host_before" "the real host's wtmp, btmp and lastlog are unchanged (size, mtime)"
is "$(host_records)" "$host_records_before" "and hold no alice+logrec record"
done_testing
