#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# With melee-mounts watch running and no re-up: after a forced logrotate
# of wtmp with Debian's rule, an ssh login into the image lands in the new
# wtmp; after a useradd on the host, the new user logs in as
# newuser+IMAGE and is known by name inside.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/pam-lib.sh"

command -v logrotate >/dev/null || { echo "Bail out! logrotate is missing (tests/deps.txt)"; exit 1; }
[ "$(findmnt -n -o FSTYPE /etc)" = overlay ] || { echo "Bail out! /etc is not the test's own overlay"; exit 1; }
setup_logins
# useradd renames its files into /etc: they go into this namespace's own
# /etc (an overlay, tests/lib.sh) rather than binds it could not replace.
etc_accounts_as_files "$T/work/shadow"
add_image demo
I=$IMAGES/demo
mm up demo >/dev/null
bind_etc_melee
start_sshd
key() { "${SSH[@]}" -o BatchMode=yes -o IdentitiesOnly=yes -i "$S/alice_key" "$@" < /dev/null; }
"$MELEE_MOUNTS" --config "$CONF" watch demo > "$T/work/watch.out" 2>&1 &
WATCH=$!
PIDS="$PIDS $WATCH"
wait_for 5 sh -c "ls -l /proc/$WATCH/fd | grep -q inotify"
ok $? "watch is running"

# Debian's /etc/logrotate.d/wtmp, forced.
cat > "$T/work/logrotate.conf" <<'L'
/var/log/wtmp {
    missingok
    monthly
    create 0664 root utmp
    minsize 1M
    rotate 1
}
L
logrotate -f -s "$T/work/logrotate.state" "$T/work/logrotate.conf"
ok $? "logrotate -f rotates wtmp"
ok "$(test -e /var/log/wtmp.1; echo $?)" "wtmp.1 exists"
same_wtmp() { [ "$(stat -c %d:%i "$I/var/log/wtmp")" = "$(stat -c %d:%i /var/log/wtmp)" ]; }
wait_for 3 same_wtmp
ok $? "within 3 s the image's wtmp is the new one"

out=$(key -tt alice+demo@127.0.0.1 'cat /marker' 2>&1 | tr -d '\r')
is "$out" "melee-fixture:demo" "ssh alice+demo lands in the image"
wait_for 10 sh -c "last -w -f /var/log/wtmp | grep -q '^alice+demo '"
ok $? "the login is in the new wtmp (last -f /var/log/wtmp)"
last -w -f /var/log/wtmp.1 2>/dev/null | grep -q '^alice+demo '
ok $(( $? == 0 )) "and not in the rotated wtmp.1"

useradd -u 1510 -U -m -s /bin/sh newuser
ok $? "useradd newuser on the host"
mkdir -p /home/newuser/.ssh && cp "$S/alice_key.pub" /home/newuser/.ssh/authorized_keys
chown -R newuser:newuser /home/newuser/.ssh && chmod 700 /home/newuser/.ssh
wait_for 3 grep -q '^newuser:' "$I/etc/passwd"
ok $? "within 3 s newuser is in the image's merged passwd"
out=$(key newuser+demo@127.0.0.1 'cat /marker; id -un' 2>&1 | tr -d '\r')
is "$out" "melee-fixture:demo
newuser" "ssh newuser+demo works and knows the user by name inside"
like "$(cat "$T/work/watch.out")" "demo: replaced the merged /etc/passwd \(the host's users changed\)" "watch said what it replaced"
done_testing
