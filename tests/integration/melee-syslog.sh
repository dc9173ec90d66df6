#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every use of melee is logged to syslog (authpriv.info): user, image,
# command name, and every refusal (authpriv.notice: who asked, why), read
# from the namespace's own syslogd (lib.sh's private_syslog); and on a stream socket (as syslog-ng may listen), the
# line as syslog(3) frames it, with its NUL.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/melee-lib.sh" || exit 1

melee_setup
add_image phys "allow-groups = physics"
mm up phys >/dev/null
private_syslog
ok $([ -S /dev/log ]; echo $?) "the test's syslogd listens on /dev/log"

cd /home/alice
ln -s melee "$T/bin/demo"
printf '#!%s\ntrue\n' "$T/bin/demo" > /home/alice/job.sh
chown 1501 /home/alice/job.sh; chmod 755 /home/alice/job.sh
as alice "$MELEE" demo cat /marker >/dev/null
echo exit | as bob "$MELEE" demo >/dev/null
as alice "$T/bin/demo" /bin/true
as alice /home/alice/job.sh
as bob "$MELEE" nosuch true 2>/dev/null
as bob "$MELEE" phys true 2>/dev/null
as bob "$MELEE" ../x true 2>/dev/null
# A command name with a newline must not start a line of its own.
as alice "$MELEE" demo $'x\nmelee[1]: user=root image=demo command=forged' 2>/dev/null
syslog_wait 'forged'

log=$(grep ' melee\[' "$SYSLOG" | sed -E 's/^.* ([a-z]+\.[a-z]+) melee\[[0-9]+\]: /\1 /')
is "$log" "authpriv.info user=alice image=demo command=cat
authpriv.info user=bob image=demo command=sh
authpriv.info user=alice image=demo command=true
authpriv.info user=alice image=demo command=job.sh
authpriv.notice uid=1502 refused: unknown image 'nosuch'
authpriv.notice user=bob image=phys refused: you may not use image phys (allowed groups: physics)
authpriv.notice uid=1502 refused: '../x' is not an image name
authpriv.info user=alice image=demo command=x?melee[1]: user=root image=demo command=forged" "one authpriv.info line per use: user, image, command name; an authpriv.notice line per refusal"

# A stream socket on /dev/log instead: one line, NUL-terminated, the
# priority authpriv.info (86) and the tag melee[PID], no timestamp (the
# daemon stamps the time it arrived).
rm -f /dev/log
socat -u UNIX-LISTEN:/dev/log,fork,mode=666 "OPEN:$T/stream.log,creat,append" &
PIDS="$PIDS $!"
wait_for 5 test -S /dev/log
as alice "$MELEE" demo /bin/true
wait_for 5 grep -q 'command=true' "$T/stream.log"
is "$(tr '\0' '|' < "$T/stream.log" | sed -E 's/melee\[[0-9]+\]/melee[PID]/')" "<86>melee[PID]: user=alice image=demo command=true|" \
	"a stream socket gets the line with its terminating NUL"

done_testing
