#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# In a real image (bookworm, cached under /var/cache/melee-tests), with
# melee-mounts watch running: a new /etc/hosts and /etc/resolv.conf
# renamed over the host's reach the image within 3 s (getent hosts as a
# user through melee finds the new name, resolv.conf shows the new
# nameserver); so does a resolv.conf that is a symlink to a file in
# another directory (systemd-resolved's stub-resolv.conf) whose target is
# replaced by rename.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"

[ "$(findmnt -n -o FSTYPE /etc)" = overlay ] || { echo "Bail out! /etc is not the test's own overlay"; exit 1; }
images_setup
image_ready bookworm bookworm
mm up bookworm >/dev/null
like "$(mm status bookworm)" " ready " "bookworm is up"
install_melee bookworm
export PATH=$T/bin:$PATH
cd /home/alice

"$MELEE_MOUNTS" --config "$CONF" watch bookworm > "$T/work/watch.out" 2>&1 &
WATCH=$!
PIDS="$PIDS $WATCH"
wait_for 5 sh -c "ls -l /proc/$WATCH/fd | grep -q inotify"
ok $? "watch is running"

rename_into() { printf '%s\n' "$2" > "$1.tmp.$$" && mv "$1.tmp.$$" "$1"; }
finds() { [ "$(as alice melee bookworm getent hosts "$1" | awk '{ print $1 " " $2 }')" = "$2 $1" ]; }
resolv_shows() { as alice melee bookworm cat /etc/resolv.conf | grep -qx "$1"; }

finds renamed.example 10.20.30.40
ok $(( $? == 0 )) "control: bookworm does not know renamed.example yet"
rename_into /etc/hosts '10.20.30.40 renamed.example'
rename_into /etc/resolv.conf 'nameserver 127.0.0.53'
wait_for 3 finds renamed.example 10.20.30.40
ok $? "within 3 s 'melee bookworm getent hosts renamed.example' as alice finds the new /etc/hosts entry"
wait_for 3 resolv_shows 'nameserver 127.0.0.53'
ok $? "within 3 s 'melee bookworm cat /etc/resolv.conf' shows the new nameserver"

# systemd-resolved's layout: /etc/resolv.conf a symlink into /run, the
# target replaced by rename.  The directory is this namespace's own.
shared_mkdir /run/systemd/resolve
mount -t tmpfs -o mode=755 melee-test-resolve /run/systemd/resolve
R=/run/systemd/resolve/stub-resolv.conf
rename_into "$R" 'nameserver 127.0.0.54'
ln -s "$R" /etc/resolv.conf.lnk.$$ && mv -T /etc/resolv.conf.lnk.$$ /etc/resolv.conf
wait_for 3 resolv_shows 'nameserver 127.0.0.54'
ok $? "within 3 s a resolv.conf turned into a symlink to $R reaches the image"
rename_into "$R" 'nameserver 127.0.0.55'
wait_for 3 resolv_shows 'nameserver 127.0.0.55'
ok $? "within 3 s a rename over the symlink's target ($R) reaches the image"
rename_into "$R" 'nameserver 127.0.0.56'
wait_for 3 resolv_shows 'nameserver 127.0.0.56'
ok $? "and the next one too"
wait_for 3 flock -n /run/melee/lock true
like "$(mm status bookworm)" " ready " "bookworm is ready, nothing stale"
unlike "$(cat "$T/work/watch.out")" "cannot" "watch reported no failure"
kill "$WATCH"; wait "$WATCH" 2>/dev/null
cd /
mm down bookworm >/dev/null
is "$(mounted_below "$IMAGES/bookworm" | wc -l)" "0" "down leaves nothing mounted"
done_testing
