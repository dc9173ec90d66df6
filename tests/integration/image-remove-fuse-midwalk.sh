#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# remove --delete-files checks the mount table before it deletes, but a
# user can mount afterwards, while the delete walks: alice, who may
# write the image's /var/tmp, waits until the walk is deleting in her
# p/q (its directory shrinks), then mounts a bindfs of hers (allow_other,
# which user_allow_other lets her) on p, the directory the walk must go
# back up through, and stops its daemon.  The walk once asked her daemon
# to open its root, and waited with the lock held and SIGINT, SIGTERM,
# SIGHUP blocked until SIGKILL.  It now stops there with a message; once
# her mount is gone, remove finishes the job.  (The look at a name and
# the open of a directory: tests/unit/test-tree-walk-fuse.c.)
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"

command -v bindfs >/dev/null || { echo "Bail out! bindfs is missing (tests/deps.txt)"; exit 1; }
setup_accounts
user_fuse allow_other
write_config
add_image victim
P=$IMAGES/victim/var/tmp/p
mkdir -m 755 "$T/asrc" && chown alice "$T/asrc"
as alice sh -c "mkdir -p '$P/q' && cd '$P/q' && seq -f 'f%.0f' 1 50000 | xargs touch"
is "$(find "$P/q" -type f | wc -l)" 50000 "alice has 50000 files in the image's /var/tmp/p/q"
full=$(stat -c %s "$P/q")

"$MELEE_IMAGE" --config "$CONF" remove victim --delete-files > "$T/work/remove.out" 2>&1 &
remover=$!
PIDS="$PIDS $remover"
# The walk is in q once q shrinks (a tmpfs directory's size counts its
# entries); stopped there, at most a few files later.
caught=
for _ in $(seq 1 20000); do
	size=$(stat -c %s "$P/q" 2>/dev/null) || break
	if [ "$size" -lt "$full" ]; then kill -STOP "$remover" && caught=1; break; fi
done
left=$(find "$P/q" -type f 2>/dev/null | wc -l)
ok "$([ -n "$caught" ] && [ "$left" -gt 0 ]; echo $?)" "remove was caught deleting in p/q ($left files left)"
# nonempty: Debian 12's bindfs is of libfuse 2, which wants it over files.
bindfs_as alice "$T/asrc" "$P" -o allow_other,nonempty
ok $? "alice mounts a bindfs of hers on p meanwhile"
daemon=$BINDFS
at_exit "kill -CONT $daemon 2>/dev/null; umount -l '$P' 2>/dev/null"
kill -STOP "$daemon"
kill -CONT "$remover"
ended=
for _ in $(seq 1 200); do
	kill -0 "$remover" 2>/dev/null || { ended=1; break; }
	sleep 0.1
done
ok "$([ -n "$ended" ]; echo $?)" "remove ends within 20 s with her daemon stopped (not held by it)"
if [ -z "$ended" ]; then kill -KILL "$remover"; fi
wait "$remover"; rc=$?
out=$(cat "$T/work/remove.out")
is "$rc" 1 "remove fails"
like "$out" "^melee-image: $IMAGES/victim/var/tmp/p/q/\.\.: a mount appeared there while it was being walked; stopped; image 'victim' stays unregistered" \
	"it says where the mount appeared and that victim stays unregistered"
test -e "$T/etc/images.d/.victim.conf.removing"
ok $? "the removal is recorded for the next remove"

kill -CONT "$daemon"
umount "$P" || umount -l "$P"
ok $? "the administrator unmounts her bindfs"
run mi remove victim --delete-files
is "$rc" 0 "then remove victim --delete-files finishes the job ($out)"
test ! -e "$IMAGES/victim" -a ! -e "$T/etc/images.d/.victim.conf.removing"
ok $? "victim's tree is gone, and the record of its removal"
done_testing
