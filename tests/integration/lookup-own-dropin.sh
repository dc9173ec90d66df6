#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A lookup of alice+demo reads melee.conf and images.d/demo.conf only: a
# broken other drop-in no longer stops it (melee-mounts check still names
# that file and line), and a broken demo.conf still refuses demo, with
# its file:line in the log (melee.conf(5), "One drop-in per image"); a
# name that only looks suffixed still gets the whole configuration.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/pam-lib.sh"

setup_logins
private_syslog
add_image demo
pam_setup demo
pam_service melee-test "account required pam_permit.so
account required $PAM_MELEE
session required pam_permit.so
session required $PAM_MELEE"
export LD_LIBRARY_PATH=$NSS_DIR
where() { "$HARNESS" -a "$T/pam.d" melee-test "$1" -- /bin/sh -c 'printf "%s %s" "$(cut -d: -f2 /marker)" "$MELEE_IMAGE"'; }

printf '[image zz]\nnosuch = 1\n' > "$T/etc/images.d/zz.conf"
chmod 644 "$T/etc/images.d/zz.conf"
run getent passwd alice+demo
is "$rc:$out" "0:alice+demo:x:1501:1501:Alice:/home/alice:/bin/sh" \
	"a broken images.d/zz.conf: getent passwd alice+demo still resolves"
run where alice+demo
is "$rc:$out" "0:demo demo" "and the session of alice+demo lands in demo"
run mm check
like "$rc:$out" "^2:.*$T/etc/images.d/zz.conf:2: unknown key 'nosuch' in \[image zz\]" \
	"melee-mounts check (the full read) names zz.conf:2"
run getent passwd alice+zz
is "$rc" 2 "alice+zz (no drop-in of that name defines it): the full read refuses"
rm "$T/etc/images.d/zz.conf"

# win^demo: '^' may be a separator, but '+' is: a plain host name, whose
# image comes from MELEE_IMAGE (or users.conf), which the whole
# configuration answers.
add_image other
mm up other >/dev/null
echo 'win^demo:x:1503:1503::/:/bin/sh' >> "$T/work/passwd"
run "$HARNESS" -a -E MELEE_IMAGE=other "$T/pam.d" melee-test 'win^demo' -- /bin/sh -c 'printf "%s %s" "$(cut -d: -f2 /marker)" "$MELEE_IMAGE"'
is "$rc:$out" "0:info: melee: other
other other" "win^demo (not the configured separator) with MELEE_IMAGE=other lands in other"

echo "personality = linux64" >> "$T/etc/images.d/demo.conf"
line=$(wc -l < "$T/etc/images.d/demo.conf")
run getent passwd alice+demo
is "$rc" 2 "a broken images.d/demo.conf: alice+demo does not resolve"
# The harness needs the name to resolve before PAM runs: a passwd line
# of its own (the same uid and gid as alice, which pam_melee checks).
echo 'alice+demo:x:1501:1501::/home/alice:/bin/sh' >> "$T/work/passwd"
: > "$SYSLOG"
run where alice+demo
is "$rc:$out" "29:account: Authentication service cannot retrieve authentication info" \
	"and the login of alice+demo is refused (account: AUTHINFO_UNAVAIL)"
syslog_wait "demo.conf:$line: personality"
like "$(cat "$SYSLOG")" "pam_melee\(melee-test:account\): /etc/melee/images.d/demo.conf:$line: personality must be linux or linux32, got 'linux64'" \
	"the log names demo.conf and its line"
done_testing
