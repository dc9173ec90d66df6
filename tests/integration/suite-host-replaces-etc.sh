#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A test keeps its own accounts while the host replaces /etc/passwd and
# /etc/shadow by rename (useradd, passwd, systemd-sysusers, a package's
# postinst: a fresh machine does so while the suite runs).  The kernel
# detaches every mount on a replaced file's dentry, in every namespace:
# a test whose binds sat on the host's /etc/passwd went on with the
# host's file (pam-auth-notice failed so).  This test plays the host, in
# its own /etc (lib.sh's overlay: the renames never reach the real one),
# for a child test that uses tests/lib.sh like every other.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

if [ -z "$MELEE_PRIVATE_ETC" ]; then
	ok 1 "this test has an /etc of its own to replace files in (overlayfs)"
	done_testing; exit
fi
# A host's own alice is not in the files this test plays the host with
# (its overlay: the host's stay), so that "after" shows the host's file.
sed -i '/^alice:/d' /etc/passwd /etc/shadow
# Where the child and this test meet: the child covers $T and /run/melee.
private_dir /tmp 1777

cat > "$T/work/child.sh" <<'C'
#!/bin/bash
. "$top_srcdir/tests/lib.sh"
echo "private /etc: ${MELEE_PRIVATE_ETC:-no}"
setup_accounts
echo 'alice:$6$x$y:19000:0:99999:7:::' > "$T/work/shadow"
mount --bind "$T/work/shadow" /etc/shadow
echo "before: $(getent passwd alice | cut -d: -f3) $(cut -d: -f1 /etc/shadow | grep -c '^alice$')"
touch "$SYNC/ready"
wait_for 30 test -e "$SYNC/go"
echo "after: $(getent passwd alice | cut -d: -f3) $(cut -d: -f1 /etc/shadow | grep -c '^alice$')"
C
chmod 755 "$T/work/child.sh"

# child_sees [ENV...]: runs the child test, replaces /etc/passwd and
# /etc/shadow here the way useradd and passwd do (a new file renamed over
# the old) while it waits, prints what it saw before and after.
child_sees() {
	local sync child ino
	sync=$(mktemp -d)
	env -u MELEE_TEST_IN_NS SYNC="$sync" "$@" "$T/work/child.sh" > "$T/work/child.out" 2>&1 &
	child=$!
	PIDS="$PIDS $child"
	wait_for 30 test -e "$sync/ready" || echo "# the child never got ready"
	ino=$(stat -c %i /etc/passwd)
	cp -p /etc/passwd /etc/passwd.new && mv /etc/passwd.new /etc/passwd
	cp -p /etc/shadow /etc/shadow.new && mv /etc/shadow.new /etc/shadow
	[ "$(stat -c %i /etc/passwd)" != "$ino" ] || echo "# /etc/passwd was not replaced"
	touch "$sync/go"
	wait "$child"
	grep '^private\|^before\|^after' "$T/work/child.out"
	grep -v '^private\|^before\|^after' "$T/work/child.out" | sed 's/^/# child: /' >&2
}

is "$(child_sees env MELEE_TEST_PRIVATE_ETC=no)" "private /etc: no
before: 1501 1
after:  0" "binds over the host's files (as before): the host's renames detach them, alice is gone"
out=$(child_sees env)
# Overlays stack two deep: this test's /etc and the one below it (a
# container's /, a host's /etc that is an overlay) leave no third for
# the child's.
below=$(awk '($5 == "/" || $5 == "/etc") && / - overlay /' /proc/self/mountinfo | wc -l)
if [ "$below" -ge 2 ] && grep -q '^private /etc: no' "$T/work/child.out"; then
	t_n=$((t_n + 1)); echo "ok $t_n # SKIP / or /etc is an overlay already: no third overlay for the child's /etc"
else is "$out" "private /etc: 1
before: 1501 1
after: 1501 1" "binds over lib.sh's private /etc: the child still has its alice in passwd and shadow"
fi
done_testing
