#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-qsub as qsub<IMAGE> runs `qsub -D <image path> ARGS...` with the
# caller's arguments unchanged, for image names and aliases; unknown images
# and images the user may not use are refused without running qsub.
# Torque is not packaged in Debian 12: the qsub here is a STAND-IN that
# records its argv (NUL-separated), so this tests the argument contract
# only, not a real Torque.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

QSUB=$top_builddir/tools/melee-qsub/melee-qsub
setup_accounts
write_config
# Image "6" as at the seeds' sites (qsub6), kept in a directory of another
# name, and one only bob may use.  melee-qsub needs only the config.
cat > "$T/etc/images.d/6.conf" <<EOF
[image 6]
path = $IMAGES/sl63
aliases = sl6, sl63
EOF
cat > "$T/etc/images.d/bobs.conf" <<EOF
[image bobs]
allow-users = bob
EOF
chmod 644 "$T/etc/images.d/"*.conf

bin=$T/bin
mkdir -p "$bin" "$T/standin"
chmod 755 "$bin" "$T/standin"
cat > "$T/standin/qsub" <<'EOF'
#!/bin/sh
# Stand-in for Torque's qsub: records argv[1..] NUL-separated.
printf '%s\0' "$@" > "$QSUB_RECORD"
echo "42.standin"
EOF
chmod 755 "$T/standin/qsub"
for l in qsub6 qsubsl6 qsubsl63 qsubnosuch qsubbobs; do
	ln -s "$QSUB" "$bin/$l"
done
export MELEE_CONFIG=$CONF QSUB_RECORD=$T/work/record
chmod 1777 "$T/work"
export PATH="$bin:$T/standin:$PATH"

# expect_argv DESCRIPTION ARG...: the recorded argv must be exactly ARG...
expect_argv() {
	local desc=$1
	shift
	printf '%s\0' "$@" > "$T/work/want"
	if cmp -s "$T/work/want" "$QSUB_RECORD"; then
		ok 0 "$desc"
	else
		ok 1 "$desc"
		echo "#   got:  $(tr '\0' '|' < "$QSUB_RECORD" 2>/dev/null)"
		echo "#   want: $(tr '\0' '|' < "$T/work/want")"
	fi
}

out=$(qsub6 job.sh 2>&1)
is "$out" "42.standin" "qsub6 runs qsub (the stand-in) and passes its output through"
expect_argv "qsub6 job.sh -> qsub -D <path of image 6> job.sh" -D "$IMAGES/sl63" job.sh

rm -f "$QSUB_RECORD"
qsubsl63 -N 'my job' -l nodes=1:ppn=2 -v 'A=1,B=2' '' '*' '$HOME' -D /elsewhere -- 'two  spaces' >/dev/null
expect_argv "an alias (qsubsl63): options, empty, glob, \$, -D and spaces unchanged" \
	-D "$IMAGES/sl63" -N 'my job' -l nodes=1:ppn=2 -v 'A=1,B=2' '' '*' '$HOME' -D /elsewhere -- 'two  spaces'

rm -f "$QSUB_RECORD"
qsubsl6 --help >/dev/null 2>&1
expect_argv "qsubsl6 --help is qsub's --help, not the wrapper's" -D "$IMAGES/sl63" --help

rm -f "$QSUB_RECORD"
echo 'echo from stdin' | qsub6 >/dev/null
expect_argv "qsub6 without arguments (script on stdin) -> qsub -D <path>" -D "$IMAGES/sl63"

rm -f "$QSUB_RECORD"
"$QSUB" sl6 -q batch job.sh >/dev/null
expect_argv "melee-qsub IMAGE ARGS... works without a link" -D "$IMAGES/sl63" -q batch job.sh

rm -f "$QSUB_RECORD"
err=$(qsubnosuch job.sh 2>&1)
is "$?" "2" "qsubnosuch exits with status 2"
like "$err" "^qsubnosuch: unknown image 'nosuch' \\(configured: 6, bobs\\)$" "with a clear message listing the images"
[ ! -e "$QSUB_RECORD" ]
ok $? "and qsub was not run"

err=$(setpriv --reuid=1501 --regid=1501 --init-groups env PATH="$PATH" qsubbobs job.sh 2>&1)
is "$?" "1" "alice's qsubbobs (allow-users = bob) exits with status 1"
like "$err" "you may not use image bobs \\(allowed users: bob\\)" "with the reason"
[ ! -e "$QSUB_RECORD" ]
ok $? "and qsub was not run"

setpriv --reuid=1501 --regid=1501 --init-groups env PATH="$PATH" QSUB_RECORD="$QSUB_RECORD" qsub6 job.sh >/dev/null
expect_argv "alice (not root) may use image 6" -D "$IMAGES/sl63" job.sh

err=$("$QSUB" ../etc job.sh 2>&1)
like "$err" "'../etc' is not an image name" "a path is not an image name"

rm -f "$QSUB_RECORD"
err=$(PATH="$bin" qsub6 job.sh 2>&1)
is "$?" "127" "no qsub on PATH: status 127"
like "$err" "cannot run qsub" "with a message"

like "$("$QSUB" --help)" "Usage: melee-qsub IMAGE" "melee-qsub --help"

done_testing
