# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared helpers for the integration tests (TAP).  Each test sources this
# file first: it re-executes the test inside its own private mount
# namespace, gives it a tmpfs work area, and cleans up on exit, also on
# failure.
#
# Nothing here changes the host: the host's /etc files, /run/melee and the
# images are shadowed by mounts that exist only inside the namespace.

set -u

# make check sets top_srcdir and top_builddir; a test run on its own
# (sudo tests/integration/ssh-login.sh) finds the source tree from its
# path and the build in $MELEE_BUILDDIR or else the source tree.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=${MELEE_BUILDDIR:-$top_srcdir}}"
export top_srcdir top_builddir
if [ ! -x "$top_builddir/tools/melee-mounts/melee-mounts" ]; then
	echo "Bail out! no built MELEE in $top_builddir (run make there, or set MELEE_BUILDDIR to the build tree)"
	exit 1
fi
MELEE_MOUNTS=$top_builddir/tools/melee-mounts/melee-mounts

t_n=0
t_failed=0

ok() { # ok COND-STATUS DESCRIPTION
	t_n=$((t_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $t_n - $2"
	else
		echo "not ok $t_n - $2"
		t_failed=$((t_failed + 1))
	fi
}

# is GOT WANT DESCRIPTION: exact comparison, shows both on failure.
is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '%s\n' "#   got:" "$1" | sed 's/^/#     /'
		printf '%s\n' "#   want:" "$2" | sed 's/^/#     /'
	fi
}

# A PATTERN with a newline is several patterns to grep, any of which may
# match, and an empty one matches every line: refused, as a check that
# could not fail (or, in unlike, could not pass).
pattern_sane() {
	case "$1" in
	'' | *"
"*)
		ok 1 "$2"
		echo "#   the pattern is empty or has a newline: grep would match any line"
		return 1 ;;
	esac
}

# like GOT PATTERN DESCRIPTION: grep -E match (any line).
like() {
	pattern_sane "$2" "$3" || return 0
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '%s\n' "#   got:" "$1" "#   expected to match: $2" | sed 's/^/#     /'
	fi
}

# unlike GOT PATTERN DESCRIPTION: no line matches.
unlike() {
	pattern_sane "$2" "$3" || return 0
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		ok 1 "$3"
		printf '%s\n' "#   got:" "$1" "#   expected not to match: $2" | sed 's/^/#     /'
	else
		ok 0 "$3"
	fi
}

# run CMD...: runs CMD (a program or a shell function); its stdout and
# stderr together in $out (trailing newlines dropped, as $(...) does), its
# exit status in $rc.
run() {
	out=$("$@" 2>&1)
	rc=$?
}

# ok_cmd DESCRIPTION CMD...: one test, passing when CMD exits 0; on
# failure its status and output are shown (not thrown away).
ok_cmd() {
	local desc=$1 out rc
	shift
	run "$@"
	ok "$rc" "$desc"
	[ "$rc" -eq 0 ] || printf '%s\n' "#   exit status $rc, output:" "$out" | sed 's/^/#     /'
}

wait_for() { # wait_for SECONDS CMD...: polls CMD every 0.1 s
	local n=$(($1 * 10))
	shift
	while [ $n -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

# need_built PROG...: the test helpers make check builds (check_PROGRAMS)
# and a bare make does not; a test run without them bails out saying so,
# not with checks that fail for no visible reason.
need_built() {
	local p
	for p in "$@"; do
		[ -x "$p" ] || { echo "Bail out! $p is not built (make check builds it)"; exit 1; }
	done
}

done_testing() {
	echo "1..$t_n"
	[ "$t_failed" -eq 0 ]
}

# Enter a private mount namespace (once) as root.
if [ "$(id -u)" -ne 0 ]; then
	skip_all "integration tests need root (run make check as root)"
fi
# The network namespace the test was started in, for what must reach
# Debian's archive from a private one (images-lib.sh's cached_image, in
# the Slurm tests): the test's parent's (make's test driver, or the
# shell it was started from), which stays in it while the test runs.
# Not PID 1's: a sandbox may not let even root look at PID 1's
# namespaces (readlink /proc/1/ns/net: Permission denied).
: "${MELEE_TEST_HOST_NETNS_PID:=$PPID}"
export MELEE_TEST_HOST_NETNS_PID
# host_netns: the path of that namespace for nsenter --net=, or nothing
# when it cannot be looked at.
host_netns() {
	local p=/proc/$MELEE_TEST_HOST_NETNS_PID/ns/net
	readlink "$p" >/dev/null 2>&1 && echo "$p"
}
if [ -z "${MELEE_TEST_IN_NS:-}" ]; then
	# The parent's view of the mount table is the host's: tests compare
	# against it to prove that nothing leaked out.
	MELEE_TEST_OUTER_PID=$$ MELEE_TEST_IN_NS=1 exec unshare -m --propagation private \
		/bin/bash "$0" "$@"
fi

T=/mnt/melee-test
CONF=$T/etc/melee.conf
IMAGES=$T/images
PIDS=""

# Mounts nothing may ever delete under: refuse rm on a tree with mounts.
mounted_below() {
	awk -v p="$1" '{ t = $5; gsub(/\\040/, " ", t); if (t == p || index(t, p "/") == 1) { print t; found = 1 } } END { exit !found }' /proc/self/mountinfo
}

safe_rm() {
	if mounted_below "$1" >/dev/null; then
		echo "# refusing to delete $1: still has mounts under it:" >&2
		mounted_below "$1" | sed 's/^/#   /' >&2
		return 1
	fi
	rm -rf --one-file-system -- "$1"
}

# user_fuse [allow_other]: FUSE for users as Debian leaves it (udev makes
# /dev/fuse 0666; with allow_other, user_allow_other in fuse.conf, as a
# site may set it): this namespace's own node and fuse.conf, bound over
# the host's, never written to them.
user_fuse() {
	mknod -m 666 "$T/fuse" c 10 229 && mount --bind "$T/fuse" /dev/fuse ||
		{ echo "Bail out! cannot bind a /dev/fuse of the test's own"; exit 1; }
	[ "${1:-}" = allow_other ] || return 0
	echo user_allow_other > "$T/fuse.conf"
	if [ ! -e /etc/fuse.conf ]; then
		[ -n "$MELEE_PRIVATE_ETC" ] ||
			{ echo "Bail out! no /etc/fuse.conf to bind over, and /etc is the host's"; exit 1; }
		: > /etc/fuse.conf # in this namespace's /etc overlay
	fi
	mount --bind "$T/fuse.conf" /etc/fuse.conf ||
		{ echo "Bail out! cannot bind the test's fuse.conf over /etc/fuse.conf"; exit 1; }
}

# user_fuse_image [allow_other]: the setting of the tests of a user's
# FUSE mount in /home: accounts and homes, /home shared as systemd leaves
# it (mounts there propagate to the images' copies), /dev/fuse open to
# all as udev leaves it on Debian (user_fuse), and the image demo, at $I.
user_fuse_image() {
	command -v bindfs >/dev/null || { echo "Bail out! bindfs is missing (tests/deps.txt)"; exit 1; }
	setup_accounts
	setup_home
	mount --make-shared /home
	user_fuse "$@"
	write_config
	add_image demo
	I=$IMAGES/demo
}

# tree_of PID: PID and every process below it, deepest first.  `as alice
# CMD &` puts the subshell's PID in PIDS, not CMD's: CMD is its child.
tree_of() {
	local c
	for c in $(pgrep -P "$1"); do tree_of "$c"; done
	echo "$1"
}

# child_named PID COMM: the process named COMM among PID and those below
# it (tree_of), never found by name among all: another test running
# meanwhile has an alice too, and her bindfs and busybox.
child_named() {
	local c
	for c in $(tree_of "$1"); do
		[ "$(cat "/proc/$c/comm" 2>/dev/null)" = "$2" ] && { echo "$c"; return 0; }
	done
	return 1
}

# bindfs_as USER SRC MNT [OPTION...]: USER's bindfs of SRC on MNT, kept in
# the foreground of a process of its own (in PIDS): BINDFS is then its
# daemon's PID (child_named), once MNT is mounted; status 1 if it is not.
bindfs_as() {
	local u=$1 src=$2 mnt=$3 p
	shift 3
	as "$u" bindfs -f "$@" "$src" "$mnt" &
	p=$!
	PIDS="$PIDS $p"
	BINDFS=
	wait_for 10 grep -qF " $mnt " /proc/self/mountinfo || return 1
	BINDFS=$(child_named "$p" bindfs)
}

cleanup() {
	rc=$?
	for pid in $PIDS; do
		kill $(tree_of "$pid") 2>/dev/null
	done
	for pid in $PIDS; do
		wait "$pid" 2>/dev/null
	done
	# Every image mount first (deepest first), then our own areas.
	if [ -d "$T" ]; then
		mounted_below "$T" 2>/dev/null | sort -r | while read -r m; do
			umount -l "$m" 2>/dev/null
		done
	fi
	for m in /etc/melee "$T" /run/melee /var/log /etc/passwd /etc/group /etc/shadow; do
		if grep -q " $m " /proc/self/mountinfo; then umount -l "$m" 2>/dev/null; fi
	done
	eval "$AT_EXIT"
	exit $rc
}
AT_EXIT=""
# at_exit CMD: run CMD (a string) during cleanup, after the unmounts.
at_exit() { AT_EXIT="$AT_EXIT
$1"; }
trap cleanup EXIT
trap 'exit 1' INT TERM

mkdir -p /mnt/melee-test 2>/dev/null || true
# The work area: root-owned, mode 755 (the safety walk demands it), and
# it vanishes with the namespace.
mount -t tmpfs -o mode=755 melee-test "$T"
mkdir -p /run/melee
mount -t tmpfs -o mode=755 melee-run /run/melee
mkdir -p "$T/etc" "$IMAGES" "$T/work"
chmod 755 "$T/etc" "$IMAGES"
# The login records of this namespace's own: sshd, login and su write
# /var/log/wtmp, btmp and lastlog (also through an image's binds of them),
# and a test must leave no alice+demo in the host's last, lastb, lastlog.
# A tmpfs over /var/log rather than binds over the host's files: then
# every test sees all three, also on a host that lacks one.
mount -t tmpfs -o mode=755 melee-test-log /var/log
for f in wtmp btmp lastlog; do
	install -m "$([ $f = btmp ] && echo 660 || echo 664)" -g "$(getent group utmp >/dev/null && echo utmp || echo root)" /dev/null "/var/log/$f"
done

# An /etc of this namespace's own: an overlay on the host's /etc, its
# upper layer in $T.  The tests bind their own files over /etc/passwd,
# group, shadow, nsswitch.conf, login.defs.  A bind over a host file sits
# on the host's dentry, and when the host replaces that file by rename
# (useradd, passwd, systemd-sysusers or a package's postinst: what a fresh
# machine does while the suite runs) the kernel detaches every mount on
# it, in every namespace: the test silently went on with the host's file
# (pam-auth-notice: "alice+demo with her password" got 1 on a fresh
# machine).  Over the overlay the binds sit on dentries of this namespace
# alone.  Mounts below /etc (a container's resolv.conf, hosts) are bound
# back on top; without overlayfs the tests run as before.
private_etc() {
	local L=$T/.etc-overlay m i=0 subs IFS=$'\n'
	mkdir -p "$L/upper" "$L/work" "$L/keep"
	# The merged /etc takes the upper directory's owner and mode: the
	# host's, whatever the umask of whoever runs the test.
	chown --reference=/etc "$L/upper" && chmod --reference=/etc "$L/upper" || return 1
	subs=$(awk '{ t = $5; gsub(/\\040/, " ", t) } t ~ "^/etc/" { print t }' /proc/self/mountinfo)
	for m in $subs; do
		i=$((i + 1))
		if [ -d "$m" ]; then mkdir "$L/keep/$i"; else touch "$L/keep/$i"; fi
		mount --bind "$m" "$L/keep/$i" || return 1
	done
	if ! mount -t overlay -o "lowerdir=/etc,upperdir=$L/upper,workdir=$L/work" melee-test-etc /etc; then
		echo "# no overlay over /etc: a host that replaces /etc/passwd or shadow meanwhile detaches this test's binds" >&2
		return 1
	fi
	i=0
	for m in $subs; do
		i=$((i + 1))
		mount --bind "$L/keep/$i" "$m" || {
			echo "Bail out! cannot put the host's mount at $m back over the /etc overlay"
			exit 1
		}
	done
	MELEE_PRIVATE_ETC=1
}
MELEE_PRIVATE_ETC=""
# (MELEE_TEST_PRIVATE_ETC=no: the old way, for suite-host-replaces-etc.sh.)
[ "${MELEE_TEST_PRIVATE_ETC:-}" = no ] || private_etc

# The test's accounts: bind-mounted copies of the host's passwd, group and
# shadow over /etc/passwd, group and shadow, visible only in this
# namespace.  alice (1501), bob (1502) and group physics (1600) are the
# test's own whatever the host has: a host's own alice (uid 1001, say) or
# an account in the uids and gids the tests give out (1500-1799) is left
# out of the copies, and alice and bob out of the host groups' member
# lists; else a test silently goes on with the host's alice.
TEST_NAMES='alice|bob|physics'
# etc_unbind FILE...: every bind this test stacked over /etc/FILE
# (setup_accounts', pam-lib's setup_nss') taken off, so that a program
# that replaces the file by rename (useradd) writes this namespace's own
# /etc, an overlay.
etc_unbind() {
	local f
	for f in "$@"; do
		while findmnt -rn --mountpoint "/etc/$f" > /dev/null; do
			umount "/etc/$f" || return 1
		done
	done
}

# etc_accounts_as_files [SHADOW]: this test's passwd, group and shadow
# (SHADOW, default setup_accounts' $T/work/shadow.accounts) as files of
# its own /etc, an overlay, instead of binds: useradd, which replaces
# them by rename, then works, and watch sees the rename.
etc_accounts_as_files() {
	[ -n "${MELEE_PRIVATE_ETC:-}" ] || { echo "Bail out! /etc is not the test's own overlay"; exit 1; }
	etc_unbind passwd group shadow &&
		cp "$T/work/passwd" /etc/passwd.tmp && mv /etc/passwd.tmp /etc/passwd &&
		cp "$T/work/group" /etc/group.tmp && mv /etc/group.tmp /etc/group &&
		cp -p "${1:-$T/work/shadow.accounts}" /etc/shadow.tmp && mv /etc/shadow.tmp /etc/shadow
}

setup_accounts() {
	local keep='($1 !~ "^(" names ")$" && !($3 >= 1500 && $3 < 1800))'
	awk -F: -v names="$TEST_NAMES" "$keep && !(\$4 >= 1500 && \$4 < 1800)" /etc/passwd > "$T/work/passwd"
	# Group members are the 4th field, comma-separated.
	awk -F: -v OFS=: -v names="$TEST_NAMES" "$keep"' {
		n = split($4, m, ","); $4 = ""
		for (i = 1; i <= n; i++) if (m[i] !~ "^(" names ")$") $4 = $4 ($4 == "" ? "" : ",") m[i]
		print }' /etc/group > "$T/work/group"
	cat >> "$T/work/passwd" <<'P'
alice:x:1501:1501:Alice:/home/alice:/bin/sh
bob:x:1502:1502:Bob:/home/bob:/bin/sh
P
	printf '%s\n' 'alice:x:1501:' 'bob:x:1502:' 'physics:x:1600:alice' >> "$T/work/group"
	# shadow keeps its mode and group; its own name, since some tests
	# write $T/work/shadow from the /etc/shadow this one covers.
	cp -p /etc/shadow "$T/work/shadow.accounts" &&
		grep -Ev "^($TEST_NAMES):" /etc/shadow > "$T/work/shadow.accounts"
	mount --bind "$T/work/passwd" /etc/passwd
	mount --bind "$T/work/group" /etc/group
	mount --bind "$T/work/shadow.accounts" /etc/shadow
	# A host's nscd answers from the host's files, before glibc reads
	# these: its socket is out of reach here.
	if [ -d /run/nscd ]; then mount -t tmpfs -o mode=755 melee-test-nscd /run/nscd; fi
}

# write_config [EXTRA-MELEE-LINES]: melee.conf, fstab and an empty
# images.d in $T/etc, every file root-owned and 0644.
write_config() {
	cat > "$T/etc/melee.conf" <<EOC
[melee]
images-dir = $IMAGES
${1:-}
EOC
	cp "$top_srcdir/etc/melee/fstab" "$T/etc/fstab"
	mkdir -p "$T/etc/images.d"
	chmod 644 "$T/etc/melee.conf" "$T/etc/fstab"
}

# add_image NAME [EXTRA-LINES]: builds a fixture image and registers it.
add_image() {
	"$top_srcdir/tests/make-fixture-image" "$IMAGES/$1" "$1" >/dev/null
	{
		echo "[image $1]"
		echo "fstab = $T/etc/fstab"
		[ -n "${2:-}" ] && printf '%s\n' "$2"
	} > "$T/etc/images.d/$1.conf"
	chmod 644 "$T/etc/images.d/$1.conf"
}

mm() { "$MELEE_MOUNTS" --config "$CONF" "$@"; }

# bind_etc_melee: programs with a compiled-in configuration path (the
# setuid melee, the PAM and NSS modules) read $T/etc through a bind over
# /etc/melee in this namespace (made in the private /etc, else shared_mkdir).
bind_etc_melee() {
	# In the private /etc the mountpoint is this namespace's alone.
	if [ -n "$MELEE_PRIVATE_ETC" ]; then mkdir -p -m 755 /etc/melee; else shared_mkdir /etc/melee; fi
	mount --bind "$T/etc" /etc/melee
}

# shared_mkdir DIR [MODE]: a mountpoint or work directory the host may
# lack.  Tests run in parallel on the host's one file system, and removing
# a directory detaches the mounts on it in every namespace: so each test
# registers itself (flock), and only the last one still running removes
# the directory, and only if a test created it.
MELEE_TEST_REG=/run/melee-tests.users
shared_mkdir() {
	local key
	key=$(printf '%s' "$1" | tr / _)
	(
		flock 9
		mkdir -p "$MELEE_TEST_REG"
		if [ ! -d "$1" ]; then
			mkdir -m "${2:-755}" "$1" && touch "$MELEE_TEST_REG/$key.created"
		fi
		touch "$MELEE_TEST_REG/$key.$$"
	) 9>/run/melee-tests.lock
	at_exit "shared_rmdir '$1'"
}

shared_rmdir() {
	local key f live=""
	key=$(printf '%s' "$1" | tr / _)
	(
		flock 9
		rm -f "$MELEE_TEST_REG/$key.$$"
		for f in "$MELEE_TEST_REG/$key".[0-9]*; do
			[ -e "$f" ] || continue
			if [ -d "/proc/${f##*.}" ]; then live=1; else rm -f "$f"; fi
		done
		if [ -z "$live" ] && [ -e "$MELEE_TEST_REG/$key.created" ]; then
			rmdir "$1" 2>/dev/null
			rm -f "$MELEE_TEST_REG/$key.created"
		fi
		rmdir "$MELEE_TEST_REG" 2>/dev/null
	) 9>/run/melee-tests.lock
}

# reserve_display: sets DISPLAY_NUM to an X display number that no X
# server listens on and no other running test holds, held by this test
# until it exits.  X servers listen on an abstract socket
# @/tmp/.X11-unix/XN too, and abstract sockets belong to the network
# namespace, which the tests share with the host and each other: a
# private /tmp shows no other server's lock file, and a client of :N
# reaches whichever server has @XN (libxcb tries it first).
MELEE_DISPLAYS=/run/melee-tests.displays
reserve_display() {
	DISPLAY_NUM=$( (
		flock 9
		mkdir -p "$MELEE_DISPLAYS"
		for f in "$MELEE_DISPLAYS"/*.*; do
			[ -e "$f" ] && [ ! -d "/proc/${f##*.}" ] && rm -f "$f"
		done
		for d in $(seq 90 189); do
			grep -q "@/tmp/.X11-unix/X$d\$" /proc/net/unix && continue
			ls "$MELEE_DISPLAYS/$d".* >/dev/null 2>&1 && continue
			touch "$MELEE_DISPLAYS/$d.$$" && echo "$d" && exit 0
		done
		exit 1
	) 9>/run/melee-tests.lock ) || return 1
	at_exit "rm -f '$MELEE_DISPLAYS/$DISPLAY_NUM.$$'"
}

# A checksum of every file, link and directory in an image (not crossing
# into mounts), to prove that up/down changed nothing.
tree_sum() {
	(cd "$1" && find . -xdev \( -type f -o -type l -o -type d \) -printf '%p %y %m %U %G %s %l\n' | sort;
	 find . -xdev -type f -exec sha256sum {} + | sort) | sha256sum | cut -d' ' -f1
}

# install_melee [LINK...]: the built melee, setuid root, in $T/bin (the
# work area is a tmpfs of this namespace, mounted without nosuid), with a
# link per image or alias named; its compiled-in /etc/melee is $T/etc.
install_melee() {
	mkdir -p "$T/bin"; chmod 755 "$T/bin"
	install -o root -g root -m 4755 "$top_builddir/tools/melee/melee" "$T/bin/melee"
	grep -q " /etc/melee " /proc/self/mountinfo || bind_etc_melee
	for l in "$@"; do ln -sf melee "$T/bin/$l"; done
}

# as USER CMD...: CMD as USER, with USER's uid, gid and host groups.
as() {
	local u=$1; shift
	setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups -- \
		env HOME="$(getent passwd "$u" | cut -d: -f6)" USER="$u" LOGNAME="$u" "$@"
}

# own_dir DIR MODE: DIR as a directory of this namespace's own (an empty
# tmpfs), where the host has none, without making it on the host: a
# /run/nscd that shared_mkdir made in the host's /run told every other
# test running meanwhile that the host has an nscd (their images then
# showed a cover wanted and missing: mounts-watch-survives failed so).
# DIR's parent becomes a tmpfs of this namespace's own with each of the
# host's entries bound back at its place (made so first, when it too is
# not the host's: /run/systemd/userdb where /run/systemd is missing).
own_dir() {
	local dir=$1 mode=$2 parent=${1%/*} e name
	[ -n "$parent" ] || parent=/
	[ -d "$parent" ] || own_dir "$parent" 755
	if ! grep -qxF "$parent" "$T/owned" 2>/dev/null; then
		mkdir -p "$T/owned.d"
		e=$(mktemp -d "$T/owned.d/XXXXXX")
		mount --bind "$parent" "$e"
		mount -t tmpfs -o "mode=$(stat -c %a "$parent")" "own${parent//\//-}" "$parent"
		for name in $(ls -A "$e"); do
			if [ -L "$e/$name" ]; then
				cp -P "$e/$name" "$parent/$name"
			elif [ -d "$e/$name" ]; then
				mkdir "$parent/$name" && mount --rbind "$e/$name" "$parent/$name"
			else
				: > "$parent/$name" && mount --bind "$e/$name" "$parent/$name"
			fi
		done
		echo "$parent" >> "$T/owned"
	fi
	[ -e "$dir" ] && { umount -l "$dir" 2>/dev/null; rmdir "$dir" 2>/dev/null || rm -f "$dir"; }
	mkdir -m "$mode" "$dir"
}

# private_dir DIR MODE: a tmpfs of this namespace's own over DIR (/tmp,
# /home), so that nothing a test writes there reaches the host.  The
# source and build trees stay reachable when they live below DIR (a CI
# clone under /tmp, say): they are bound back at their paths.
private_dir() {
	local dir=$1 mode=$2 keep="" p k
	for p in "$top_srcdir" "$top_builddir"; do
		case "$p/" in "$dir"/*) ;; *) continue ;; esac
		k=$(mktemp -d "$T/keep.XXXXXX")
		mount --bind "$p" "$k"
		keep="$keep $p:$k"
	done
	mount -t tmpfs -o "mode=$mode" "private${dir//\//-}" "$dir"
	for k in $keep; do
		# The directories down to the tree: open to all, whatever the umask.
		(umask 022 && mkdir -p "${k%%:*}")
		mount --bind "${k#*:}" "${k%%:*}"
	done
}

# The source and build trees readable by the tests' users (alice runs the
# built tools, bash reads the completion scripts as bob): a checkout in
# root's home (0700) or another directory closed to others is reached
# through a private_dir over the closed directory, which puts the trees
# back at their paths (children of a test, slurmd, see the same paths).
# Files closed to others (a checkout made with umask 077) cannot be
# helped: tests/run refuses such a tree.
open_tree() {
	local p d closed
	for p in "$top_srcdir" "$top_builddir"; do
		# The outermost directory above the tree that others cannot enter.
		closed="" d=$(dirname "$p")
		while [ "$d" != / ]; do
			[ $((0$(stat -c %a "$d") & 1)) -eq 0 ] && closed=$d
			d=$(dirname "$d")
		done
		[ -n "$closed" ] && private_dir "$closed" 755
	done
	setpriv --reuid=65534 --regid=65534 --clear-groups -- \
		test -r "$top_srcdir/tests/lib.sh" -a -x "$MELEE_MOUNTS" ||
		echo "# the tests' users cannot read $top_srcdir or run $top_builddir/tools: tests run as alice or bob fail" >&2
}
open_tree

# A /home of this namespace's own, shared with the images by their
# /home bind: alice's and bob's homes in it.
setup_home() {
	private_dir /home 755
	mkdir -p /home/alice /home/bob
	chown 1501:1501 /home/alice; chown 1502:1502 /home/bob
}

# private_syslog: a /dev of this namespace's own (the host's device nodes
# bound into a tmpfs) with a busybox syslogd on its /dev/log writing to
# $SYSLOG, so that log lines can be read without touching the host.
SYSLOG=$T/work/syslog
# syslog_wait ERE: waits until a line of $SYSLOG matches (busybox
# syslogd writes after the sender has gone on; a loaded machine gets up
# to 10 s).  The assertion that follows reports a line that never came.
syslog_wait() {
	wait_for 10 grep -Eq -- "$1" "$SYSLOG"
}

private_syslog() {
	local d=$T/dev n
	mkdir -p "$d"
	mount -t tmpfs -o mode=755 dev "$d"
	for n in null zero full random urandom tty ptmx; do
		touch "$d/$n"; mount --bind "/dev/$n" "$d/$n"
	done
	mkdir "$d/pts" "$d/shm"
	mount --rbind /dev/pts "$d/pts"
	mount --move "$d" /dev
	busybox syslogd -n -O "$SYSLOG" &
	PIDS="$PIDS $!"
	for n in $(seq 1 50); do [ -S /dev/log ] && break; sleep 0.05; done
}
