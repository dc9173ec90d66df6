#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Debian packages (debian/): built with dpkg-buildpackage
# from a copy of the tree, lintian-clean, their relations (the Slurm
# series, Multi-Arch, Breaks), libpam-melee's prerm per architecture,
# hardening-check and the compile flags of every ELF file, then installed with
# `apt-get install ./*.deb` into a clean bookworm minbase tree (chroot, in
# this test's private mount namespace): nsswitch.conf, the setuid helper,
# pam-auth-update, melee-mounts check, a real su login into a demo image,
# and after apt-get purge nothing of MELEE left anywhere in the tree;
# debian/tests by autopkgtest (null) in that tree; an upgrade from the
# same tree built as a lower version.
# Then the same build inside a trixie tree, for the merged-/usr paths.
# Needs root and the network (apt-get in the trees); tests/run runs it.
# MELEE_PACKAGING_TRIXIE=no leaves the trixie part out (a SKIP).
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
. "$top_srcdir/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"

for t in dpkg-buildpackage dh lintian dh_installnss debootstrap hardening-check readelf; do
	command -v "$t" >/dev/null || { echo "Bail out! $t not found (tests/install-deps installs it)"; exit 1; }
done
W=$T/work/pkg
mkdir -p "$W/src/melee" "$W/debs"

# The tree as committed plus what is not ignored, never the build trees
# of tests/run (nothing the build makes ends up in the checkout).
copy_tree() { # copy_tree DEST
	if git -C "$top_srcdir" rev-parse --git-dir >/dev/null 2>&1; then
		(cd "$top_srcdir" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$1")
	else
		(cd "$top_srcdir" && tar --exclude='./build-*' --exclude=.git -cf - .) | tar -C "$1" -xf -
	fi
}
copy_tree "$W/src/melee"
# The copy as a git checkout, to see what a package build leaves in it.
git -C "$W/src/melee" init -q && git -C "$W/src/melee" add -A &&
	git -C "$W/src/melee" -c user.name=test -c user.email=test@localhost commit -qm tree ||
	{ echo "Bail out! cannot make the copy a git checkout"; exit 1; }

# ---- build and lintian (the host's: bookworm) ----
run bash -c "cd '$W/src/melee' && nice -n 19 env DEB_BUILD_OPTIONS=parallel=1 dpkg-buildpackage -us -uc -b"
ok "$rc" "dpkg-buildpackage -us -uc -b builds the packages"
[ "$rc" -eq 0 ] || printf '%s\n' "$out" | tail -30 | sed 's/^/#   /'
# The package build compiles everything, the unit tests included, with
# dpkg-buildflags' -O2 -D_FORTIFY_SOURCE=2: a result glibc marks
# warn_unused_result that a test ignores is a warning here (and an error in
# tests/run's --enable-werror build wherever gcc defines _FORTIFY_SOURCE
# itself, as Ubuntu's does).
is "$(printf '%s\n' "$out" | grep -E '^[^ :]+:[0-9]+:[0-9]+: warning:')" "" \
	"the package build (dpkg-buildflags) compiles without a warning"

# A package build in a checkout leaves it as the next ./configure (out of
# tree, as ./quickstart and tests/run do) needs it: nothing configured or
# built in the source directory, and git sees nothing new.
is "$(git -C "$W/src/melee" status --porcelain)" "" \
	"after the package build: git status shows nothing changed or untracked"
left=$(git -C "$W/src/melee" status --porcelain --ignored | sed -n 's/^!! //p')
printf '%s\n' "$left" | paste -sd' ' | sed 's/^/# ignored after the build: /'
is "$(printf '%s\n' "$left" | grep -E '(^|/)(config\.status|config\.h|Makefile|libtool|stamp-h1|\.libs/|\.deps/|[^/]*\.l?o)$')" "" \
	"and nothing configured or built in the source directory (autoreconf's files and debian/'s build products only)"
run bash -c "mkdir '$W/oot' && cd '$W/oot' && '$W/src/melee/configure' -q --prefix=/usr/local --sysconfdir=/etc"
ok "$rc" "after the package build, configure out of tree works"
[ "$rc" -eq 0 ] || printf '%s\n' "$out" | tail -5 | sed 's/^/#   /'
changes=$(ls "$W"/src/melee_*_*.changes 2>/dev/null | head -n 1)
run lintian --fail-on error,warning "$changes"
ok "$rc" "lintian --fail-on error,warning on the .changes"
printf '%s\n' "$out" | grep -v 'running with root privileges' | sed 's/^/#   lintian: /'
# Every override says why, in a comment line right above it.
bad=$(awk 'FNR == 1 { prev = "" } !/^#/ && NF && prev !~ /^#/ { print FILENAME ": " $0 } { prev = $0 }' \
	"$top_srcdir"/debian/*lintian-overrides 2>/dev/null)
is "$bad" "" "every lintian override has a one-line reason above it"
for p in melee libpam-melee libnss-melee melee-slurm; do
	cp "$W"/src/${p}_*.deb "$W/debs/" 2>/dev/null
done
is "$(cd "$W/debs" && ls | sed 's/_.*//' | sort | paste -sd' ')" "libnss-melee libpam-melee melee melee-slurm" \
	"the four packages are built"
is "$(for d in "$W"/debs/*.deb; do dpkg-deb -c "$d"; done | grep '\.la$')" "" "no .la file in any package"
is "$(dpkg-deb -c "$W"/debs/melee_*.deb | grep -o '\./usr/share/bash-completion/completions/melee.*' | sort | paste -sd' ')" \
	"./usr/share/bash-completion/completions/melee ./usr/share/bash-completion/completions/melee-image ./usr/share/bash-completion/completions/melee-mounts" \
	"melee ships the bash completions where bash-completion loads them"

# ---- the packages' relations ----
# melee-slurm: Slurm loads only a SPANK plugin of its own major.minor, so
# the package breaks slurmd and slurm-client outside the series of the
# libslurm-dev it was built against (debian/rules, melee:SlurmBreaks).
# slurm_breaks_is DEB LIBSLURM-DEV-VERSION WHERE: one test.
slurm_breaks_is() {
	local series next breaks
	series=$(printf '%s\n' "$2" | sed -E 's/^([0-9]+:)?([0-9]+)\.([0-9]+).*/\1\2.\3/')
	next=$(printf '%s\n' "$series" | awk -F. '{ printf "%s.%02d", $1, $2 + 1 }')
	breaks=$(dpkg-deb -f "$1" Breaks | tr ',' '\n' | sed 's/^ *//' | sort | paste -sd,)
	is "$breaks" "slurm-client (<< $series~),slurm-client (>= $next~),slurmd (<< $series~),slurmd (>= $next~)" \
		"$3melee-slurm breaks slurmd and slurm-client outside $series, the series of the libslurm-dev built against ($2)"
}
slurm_breaks_is "$(ls "$W"/debs/melee-slurm_*.deb)" "$(dpkg-query -W -f='${Version}' libslurm-dev)" ""
is "$(dpkg-deb -f "$W"/debs/melee_*.deb Multi-Arch)" "foreign" "melee is Multi-Arch: foreign"
version=$(dpkg-deb -f "$W"/debs/melee_*.deb Version)
for p in libpam-melee libnss-melee; do
	is "$(dpkg-deb -f "$W"/debs/${p}_*.deb Multi-Arch)/$(dpkg-deb -f "$W"/debs/${p}_*.deb Breaks)" "same/melee (<< $version)" \
		"$p is Multi-Arch: same and breaks an older melee (it runs or reads what melee installs)"
done
is "$(dpkg-deb -f "$W"/debs/melee_*.deb Breaks)" "libnss-melee (<< $version), libpam-melee (<< $version)" \
	"melee breaks older libnss-melee and libpam-melee"
like "$(dpkg-deb -f "$W"/debs/melee_*.deb Suggests)" "(^|, )squashfs-tools(,|$)" "melee suggests squashfs-tools (melee-image pack)"
like "$(dpkg-deb -f "$W"/debs/melee_*.deb Suggests)" "(^|, )torque-client(,|$)" \
	"melee suggests torque-client (melee-qsub's qsub -D is Torque's)"

# libpam-melee is Multi-Arch: same: its prerm runs once per architecture,
# and only the last copy's removal may take the profile out of the
# stacks.  The package's own prerm, run as dpkg runs it, with a
# pam-auth-update first in PATH that records how it was called.
mkdir -p "$W/prerm/bin" && dpkg-deb -e "$W"/debs/libpam-melee_*.deb "$W/prerm/ctl"
printf '#!/bin/sh\necho "$*" >> "%s"\n' "$W/prerm/calls" > "$W/prerm/bin/pam-auth-update"
chmod 755 "$W/prerm/bin/pam-auth-update"
prerm_calls() { # prerm_calls REFCOUNT ARG...: the calls of pam-auth-update
	local refcount=$1; shift
	rm -f "$W/prerm/calls"
	env -i PATH="$W/prerm/bin:/usr/sbin:/usr/bin:/sbin:/bin" DPKG_MAINTSCRIPT_PACKAGE=libpam-melee \
		DPKG_MAINTSCRIPT_PACKAGE_REFCOUNT="$refcount" DPKG_MAINTSCRIPT_NAME=prerm \
		sh "$W/prerm/ctl/prerm" "$@" || echo "prerm exited $?"
	cat "$W/prerm/calls" 2>/dev/null
}
is "$(prerm_calls 2 remove)" "" "libpam-melee's prerm with another architecture's copy left (REFCOUNT=2): profile kept"
is "$(prerm_calls 1 remove)" "--package --remove melee" "libpam-melee's prerm removing the last copy (REFCOUNT=1): profile removed"
is "$(prerm_calls 1 upgrade "$version")" "" "libpam-melee's prerm on upgrade: profile kept"

# ---- hardening ----
# Every ELF file of the packages, by hardening-check; "no" on any line
# fails.  Bookworm's glibc start files (crti.o, Scrt1.o) carry no
# IBT/SHSTK note, and the linker keeps the note only when every input has
# it: no binary linked here can show "Control flow integrity: yes", -fcf-
# protection or not.  Measured by linking an empty program with
# -fcf-protection; where it gets no note, hardening-check is told
# (--nocfprotection) and the compile units' own flags are checked below.
x=$W/contents && mkdir -p "$x" "$x-dbg"
for d in "$W"/debs/*.deb; do dpkg-deb -x "$d" "$x"; done
for d in "$W"/src/*-dbgsym_*.deb; do dpkg-deb -x "$d" "$x-dbg"; done
elfs=$(find "$x" -type f -exec sh -c 'for f; do [ "$(head -c 4 "$f" | od -An -tx1 | tr -d " ")" = 7f454c46 ] && echo "$f"; done' sh {} + | sort)
is "$(printf '%s\n' "$elfs" | sed "s|^$x/||; s|^lib/|usr/lib/|; s|$(dpkg-architecture -qDEB_HOST_MULTIARCH)|MA|" | sort | paste -sd' ')" \
	"usr/bin/melee usr/bin/melee-qsub usr/lib/MA/libnss_melee.so.2 usr/lib/MA/security/pam_melee.so usr/lib/MA/slurm-wlm/melee.so usr/sbin/melee-image usr/sbin/melee-mounts" \
	"the packages' ELF files (the four programs and three modules)"
printf 'int main(void) { return 0; }\n' > "$W/cf.c"
cf_opt=
if gcc -fcf-protection -o "$W/cf" "$W/cf.c" 2>/dev/null && ! readelf -n "$W/cf" | grep -q 'x86 feature: IBT, SHSTK'; then
	cf_opt=--nocfprotection
	echo "# this toolchain links no IBT/SHSTK note even into an empty program built with -fcf-protection: hardening-check $cf_opt"
fi
# shellcheck disable=SC2086 # $cf_opt is one option or none
run hardening-check $cf_opt $elfs
ok "$rc" "hardening-check on every ELF file of the packages"
printf '%s\n' "$out" | sed 's/^/#   /'
is "$(printf '%s\n' "$out" | grep -E ':[[:space:]]+no([,!]|$)' | grep -v '(ignored)$')" "" \
	"and no protection says no (but the ones it ignores: PIE of a shared library, and the note measured above)"
# The compile units of each file (gcc records its options in the DWARF
# of the -dbgsym packages): all built with both flags.
# producers DEBUGFILE ROOT: the DW_AT_producer of each compile unit, the
# strings dh_dwz moved into the package's common .dwz file (the
# "alt indirect string" forms) read from that file under ROOT.
producers() {
	local alt
	alt=$(readelf --string-dump=.gnu_debugaltlink "$1" 2>/dev/null | sed -n 's/^ *\[ *0\] *//p')
	{
		[ -z "$alt" ] || readelf -z --string-dump=.debug_str "$2$alt" | sed -n 's/^ *\[ *\([0-9a-f]*\)\] *\(.*\)/alt \1 \2/p'
		readelf --debug-dump=info "$1" | grep 'DW_AT_producer'
	} | awk '$1 == "alt" { s = $0; sub(/^alt [0-9a-f]+ /, "", s); alt[$2] = s; next }
		/alt indirect string, offset: 0x/ { o = $0; sub(/.*offset: 0x/, "", o); sub(/\).*/, "", o)
			print ((o in alt) ? alt[o] : "unresolved alt string " o); next }
		{ s = $0; sub(/.*\): /, "", s); print s }' | sort -u
}
for f in $elfs; do
	id=$(readelf -n "$f" | sed -n 's/^[[:space:]]*Build ID: //p')
	dbg=$x-dbg/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug
	producers=$(producers "$dbg" "$x-dbg" 2>/dev/null)
	if [ -z "$producers" ]; then
		is "no debug info" "compile units" "${f#"$x"/}: its -dbgsym has its compile units"
		continue
	fi
	is "$(printf '%s\n' "$producers" | grep -v -e '-fstack-clash-protection' | head -3)$(printf '%s\n' "$producers" | grep -v -e '-fcf-protection' | head -3)" "" \
		"${f#"$x"/}: every compile unit built with -fstack-clash-protection and -fcf-protection"
done

# ---- the previous version, for the upgrade below ----
# The same tree as a lower version (~prev sorts before the changelog's):
# what an administrator has installed when this version arrives.
mkdir -p "$W/prev/melee" "$W/prev-debs"
copy_tree "$W/prev/melee"
sed -i "1s/(\([^)]*\))/(\1~prev)/" "$W/prev/melee/debian/changelog"
prev_version=$(cd "$W/prev/melee" && dpkg-parsechangelog -SVersion)
run bash -c "cd '$W/prev/melee' && nice -n 19 env DEB_BUILD_OPTIONS='parallel=1 nocheck' dpkg-buildpackage -us -uc -b"
ok "$rc" "the previous version $prev_version builds (from a copy, the changelog's version lowered)"
[ "$rc" -eq 0 ] || printf '%s\n' "$out" | tail -30 | sed 's/^/#   /'
for p in melee libpam-melee libnss-melee melee-slurm; do
	cp "$W"/prev/${p}_*.deb "$W/prev-debs/" 2>/dev/null
done
ok "$(dpkg --compare-versions "$prev_version" lt "$version"; echo $?)" "$prev_version sorts before $version"

# ---- a clean bookworm tree ----
write_config
cached_image deb bookworm "" "" 3>"$T/work/cache.out" || { echo "Bail out! no bookworm minbase tree"; exit 1; }
sed 's/^/# /' "$T/work/cache.out"
R=$IMAGES/deb
# The tree's root a mount point of its own, as a machine's / is (the unit
# tests that make a private mount namespace set / private, which the
# kernel refuses on a directory that is not a mount); the tree's own
# /proc, /sys, /dev and an empty /run (what a booted system without
# systemd has); the host's DNS; the packages read-only on /mnt.  Removed at the end, and by lib.sh's cleanup on failure.
# tree_mounts SUITE: also apt's downloads, kept per suite under the
# image cache, so that a second run fetches nothing it already has.
tree_mounts() {
	local debs=$IMAGE_CACHE/apt-$1-$(dpkg --print-architecture)
	mkdir -p "$debs/partial" && mount --bind "$R" "$R" &&
		mount -t proc proc "$R/proc" && mount --rbind /sys "$R/sys" && mount --rbind /dev "$R/dev" &&
		mount -t tmpfs -o mode=755 tree-run "$R/run" && mount --bind /etc/resolv.conf "$R/etc/resolv.conf" &&
		mount --bind "$debs" "$R/var/cache/apt/archives"
}
tree_umount() { mounted_below "$R" | sort -r | while read -r m; do umount -l "$m"; done; }
tree_mounts bookworm || { echo "Bail out! cannot mount /proc, /sys, /dev, /run in the tree"; exit 1; }
mount --bind -o ro "$W/debs" "$R/mnt" && mount -o remount,bind,ro "$R/mnt"
inroot() { chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
	DEBIAN_FRONTEND=noninteractive "$@"; }

ok_cmd "apt-get update in the tree" inroot apt-get -q update
ok_cmd "a user alice in the tree" inroot useradd -m -s /bin/sh alice
alice_uid=$(inroot id -u alice)
# Everything on the tree's disk, before the packages: apt's and dpkg's
# logs, caches and indexes change with any install and are left out; the
# rest (dpkg's info/ included) must be the same after the purge.
listing() {
	(cd "$R" && find . -xdev | LC_ALL=C sort |
		grep -Ev '^\./(var/log|var/cache|var/lib/apt)(/|$)|^\./var/lib/dpkg/[^/]*$|^\./var/lib/dpkg/(triggers|updates)/')
}
listing > "$W/before"
# Files of the tree that mention melee (apt's and dpkg's records aside):
# before the install too, where the tree's /etc/hostname is a host's
# named melee-something (debootstrap copies it).
mentions() {
	grep -rIl melee "$R/etc" "$R/var/lib" "$R/usr" "$R/lib" 2>/dev/null | grep -v '^.*/var/lib/\(apt\|dpkg\)/' | sort
}
mentions > "$W/mentions.before"
cp "$R/etc/nsswitch.conf" "$W/nsswitch.before"

run inroot sh -c 'cd /mnt && apt-get install -y --no-install-recommends ./*.deb'
ok "$rc" "apt-get install ./*.deb in the tree"
[ "$rc" -eq 0 ] || printf '%s\n' "$out" | tail -20 | sed 's/^/#   /'

for db in passwd group shadow; do
	like "$(grep "^$db:" "$R/etc/nsswitch.conf")" "^$db:[[:space:]]+files melee( |$)" \
		"nsswitch.conf: melee right after files on $db"
done
is "$(stat -c '%U %G %a' "$R/usr/bin/melee")" "root root 4755" "melee is root 4755"

is "$(grep -l pam_melee "$R"/etc/pam.d/common-* 2>/dev/null)" "" \
	"the pam-auth-update profile is off after install (Default: no)"
ok_cmd "pam-auth-update --enable melee" inroot pam-auth-update --enable melee
for f in common-account common-session; do
	like "$(cat "$R/etc/pam.d/$f")" '^[a-z]+[[:space:]]+required[[:space:]]+pam_melee\.so' "$f has pam_melee"
done
unlike "$(cat "$R/etc/pam.d/common-session-noninteractive")" 'pam_melee' \
	"common-session-noninteractive has no pam_melee (cron stays on the host)"

ok_cmd "melee-mounts check passes on the packaged configuration" inroot melee-mounts check
for u in melee-mounts melee-mounts-watch; do
	ok "$(test -L "$R/etc/systemd/system/multi-user.target.wants/$u.service"; echo $?)" "the package enables $u.service"
done
like "$(cat "$R"/usr/lib/systemd/system/melee-mounts-watch.service "$R"/lib/systemd/system/melee-mounts-watch.service 2>/dev/null)" \
	"^ExecStart=/usr/sbin/melee-mounts --quiet watch$" "melee-mounts-watch.service runs melee-mounts watch"

# A real login: su - alice+demo in the tree lands in a demo image.
"$top_srcdir/tests/make-fixture-image" "$R/image/demo" demo >/dev/null
printf '[image demo]\ndescription = demo\n' > "$R/etc/melee/images.d/demo.conf"
chmod 644 "$R/etc/melee/images.d/demo.conf"
ok_cmd "melee-mounts up (the demo image)" inroot melee-mounts up
is "$(inroot getent passwd alice+demo | cut -d: -f3)" "$alice_uid" "libnss_melee resolves alice+demo"
run inroot su - alice+demo -c 'cat /marker; id -u'
is "$rc:$out" "0:melee-fixture:demo
$alice_uid" "su - alice+demo in the tree: a login into the demo image, as alice"
ok_cmd "melee-mounts down" inroot melee-mounts down
rm -rf --one-file-system "$R/image" "$R/etc/melee/images.d/demo.conf"

# The admin takes melee out of nsswitch.conf: a reinstall (an upgrade's
# postinst with the old version) never puts it back.
sed -i -E 's/^(passwd|group|shadow):(.*) melee( |$)/\1:\2\3/' "$R/etc/nsswitch.conf"
is "$(grep -cw melee "$R/etc/nsswitch.conf")" "0" "the admin removed melee from nsswitch.conf"
run inroot sh -c 'dpkg -i /mnt/libnss-melee_*.deb'
ok "$rc" "libnss-melee reinstalled over itself"
is "$(grep -cw melee "$R/etc/nsswitch.conf")" "0" "and nsswitch.conf still has no melee (the admin's choice is kept)"

run inroot apt-get purge -y --auto-remove melee libpam-melee libnss-melee melee-slurm
ok "$rc" "apt-get purge of all the packages"
[ "$rc" -eq 0 ] || printf '%s\n' "$out" | tail -20 | sed 's/^/#   /'
is "$(grep -w melee "$R/etc/nsswitch.conf")" "" "after purge: no melee in nsswitch.conf"
is "$(diff "$W/nsswitch.before" "$R/etc/nsswitch.conf")" "" "after purge: nsswitch.conf as before the install"
is "$(grep -rl -i melee "$R/etc/pam.d")" "" "after purge: nothing of MELEE in /etc/pam.d"
[ ! -e "$R/etc/melee" ]
ok $? "after purge: no /etc/melee"
listing > "$W/after"
is "$(diff "$W/before" "$W/after")" "" "after purge: the same files on disk as before the install"
is "$(mentions | comm -13 "$W/mentions.before" -)" "" \
	"after purge: no file in /etc, /var/lib, /usr mentions melee (but those that did before the install)"

# ---- autopkgtest: debian/tests in the tree (null: the tree is the testbed) ----
mkdir -p "$R/build/adt"
copy_tree "$R/build/adt"
run inroot apt-get install -y --no-install-recommends autopkgtest
ok "$rc" "autopkgtest installs in the tree"
[ "$rc" -eq 0 ] || printf '%s\n' "$out" | tail -20 | sed 's/^/#   /'
run inroot sh -c 'autopkgtest /build/adt /mnt/melee_*.deb /mnt/libpam-melee_*.deb /mnt/libnss-melee_*.deb -- null'
ok "$rc" "autopkgtest /build/adt ./*.deb -- null passes"
[ "$rc" -eq 0 ] || printf '%s\n' "$out" | tail -40 | sed 's/^/#   /'
like "$out" "^login-into-image[[:space:]]+PASS" "its login-into-image test ran and passed"
like "$out" "^su - melee-adt\+adttest: in image adttest as uid [0-9]+$" "a login into its image, as its user"
is "$(grep -l pam_melee "$R"/etc/pam.d/common-* 2>/dev/null; ls "$R/image" 2>/dev/null; grep '^melee-adt:' "$R/etc/passwd")" "" \
	"the test put the tree back: profile off, no image, no user"
run inroot apt-get purge -y melee libpam-melee libnss-melee
ok "$rc" "apt-get purge after autopkgtest"
rm -rf "$R/build/adt"

# ---- upgrade from the previous version ----
# An administrator's machine at the previous version: melee.conf edited,
# pam_melee enabled, an image up, alice logged in through it.  The
# upgrade keeps all of it: nsswitch.conf and the PAM stacks as they were,
# the edit (a conffile), the image's mounts.
mkdir -p "$R/root/prev" && cp "$W"/prev-debs/*.deb "$R/root/prev/"
run inroot sh -c 'cd /root/prev && apt-get install -y --no-install-recommends ./melee_*.deb ./libpam-melee_*.deb ./libnss-melee_*.deb'
ok "$rc" "the previous version installs"
[ "$rc" -eq 0 ] || printf '%s\n' "$out" | tail -20 | sed 's/^/#   /'
is "$(inroot dpkg-query -W -f '${Version}\n' melee libpam-melee libnss-melee | sort -u)" "$prev_version" "all three at $prev_version"
printf '# site: edited by the administrator\n' >> "$R/etc/melee/melee.conf"
cp "$R/etc/melee/melee.conf" "$W/melee.conf.edited"
ok_cmd "pam-auth-update --enable melee (previous version)" inroot pam-auth-update --enable melee
"$top_srcdir/tests/make-fixture-image" "$R/image/demo" demo >/dev/null
printf '[image demo]\ndescription = demo\n' > "$R/etc/melee/images.d/demo.conf"
chmod 644 "$R/etc/melee/images.d/demo.conf"
ok_cmd "melee-mounts up (previous version)" inroot melee-mounts up
mkdir -p "$W/up-before" && cp "$R"/etc/nsswitch.conf "$R"/etc/pam.d/common-* "$W/up-before/"
mounts_before=$(mounted_below "$R/image/demo" | sort)
like "$(grep -c . <<< "$mounts_before")" "^[1-9][0-9]*$" "the demo image is mounted before the upgrade"
run inroot sh -c 'cd /mnt && apt-get install -y --no-install-recommends ./melee_*.deb ./libpam-melee_*.deb ./libnss-melee_*.deb'
ok "$rc" "apt-get install ./*.deb upgrades $prev_version to $version"
[ "$rc" -eq 0 ] || printf '%s\n' "$out" | tail -20 | sed 's/^/#   /'
is "$(inroot dpkg-query -W -f '${Version} ${db:Status-Status}\n' melee libpam-melee libnss-melee | sort -u)" "$version installed" \
	"all three at $version, installed"
for f in "$W"/up-before/*; do
	n=${f##*/}
	is "$(diff "$f" "$R/etc/$([ "$n" = nsswitch.conf ] || echo pam.d/)$n")" "" "after the upgrade: $n unchanged"
done
is "$(diff "$W/melee.conf.edited" "$R/etc/melee/melee.conf")" "" "after the upgrade: the administrator's melee.conf edit kept"
is "$(ls "$R"/etc/melee/melee.conf.dpkg-* 2>/dev/null)" "" "and no .dpkg-new or .dpkg-dist beside it"
is "$(mounted_below "$R/image/demo" | sort)" "$mounts_before" "after the upgrade: the image's mounts are still there"
run inroot su - alice+demo -c 'cat /marker'
is "$rc:$out" "0:melee-fixture:demo" "su - alice+demo after the upgrade lands in the image"
ok_cmd "melee-mounts down (after the upgrade)" inroot melee-mounts down
rm -rf --one-file-system "$R/image" "$R/etc/melee/images.d/demo.conf" "$R/root/prev"
run inroot apt-get purge -y melee libpam-melee libnss-melee
ok "$rc" "apt-get purge after the upgrade"
is "$(grep -w melee "$R/etc/nsswitch.conf")" "" "and nsswitch.conf has no melee"

# ---- one install at a time: the packages, the quickstart, make install ----
# A real install from source under /usr/local with /etc as sysconfdir
# (what the quickstart made before it installed the packages), built in
# the out-of-tree directory configured above.
run bash -c "cd '$W/oot' && nice -n 19 make -j2 && make install DESTDIR='$R'"
ok "$rc" "make install (prefix /usr/local, sysconfdir /etc) into the tree"
[ "$rc" -eq 0 ] || printf '%s\n' "$out" | tail -20 | sed 's/^/#   /'
mkdir -p "$R/build/melee"
copy_tree "$R/build/melee"
listing > "$W/src-before"
cp -a "$R/etc/melee" "$W/etc-melee-src"
run inroot sh -c 'cd /mnt && apt-get install -y --no-install-recommends ./*.deb'
ok "$(test "$rc" -ne 0; echo $?)" "the packages refuse to install over the /usr/local install"
like "$out" ": /usr/local/bin/melee exists: MELEE is installed from source under /usr/local\." "naming the file"
like "$out" "remove that install first \('make uninstall' in the build directory" "and saying what to do"
run inroot /build/melee/quickstart
is "$rc" "1" "./quickstart refuses over the /usr/local install too"
like "$out" "^quickstart: /usr/local/bin/melee exists: MELEE is installed from source under /usr/local\.$" "naming the file"
like "$out" "remove that install first \('make uninstall' in the build directory" "and saying what to do"
listing > "$W/src-after"
is "$(diff "$W/src-before" "$W/src-after")" "" "both refusals changed no file in the tree"
is "$(diff -r "$W/etc-melee-src" "$R/etc/melee")" "" "and /etc/melee is the source install's"
ok_cmd "make uninstall (what both say to do)" make -C "$W/oot" uninstall DESTDIR="$R"
is "$(find "$R/usr/local" -name "*melee*" ! -type d)" "" "no file of MELEE left under /usr/local"

# The packages first, then ./quickstart over them (it builds and
# installs the packages itself): it converges.
run inroot sh -c 'cd /mnt && apt-get install -y --no-install-recommends ./*.deb'
ok "$rc" "apt-get install ./*.deb (the packages first)"
run inroot /build/melee/quickstart
ok "$rc" "./quickstart over the packages"
[ "$rc" -eq 0 ] || printf '%s\n' "$out" | tail -30 | sed 's/^/#   /'
like "$out" "^melee-fixture:demo$" "the quickstart runs melee demo as demo"
like "$out" "^logged in as demo in image demo$" "the quickstart's ssh demo+demo@127.0.0.1 lands in the image"
like "$out" "^--- systemd does not run here \(no /run/systemd/system\): nothing brings the images up at boot; run 'melee-mounts up' after each boot$" \
	"without systemd it says what brings the images up after a boot"
for u in melee-mounts melee-mounts-watch; do
	ok "$(test -L "$R/etc/systemd/system/multi-user.target.wants/$u.service"; echo $?)" "after the quickstart $u.service is enabled"
done
like "$out" "^Unpacking melee \(" "the quickstart installs the melee package it built"
is "$(inroot dpkg-query -W -f '${Package} ${db:Status-Status}\n' melee libpam-melee libnss-melee | sort | paste -sd,)" \
	"libnss-melee installed,libpam-melee installed,melee installed" "the quickstart's install is the packages"
is "$(inroot sh -c 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin; for c in melee melee-mounts melee-image; do command -v $c; done')" \
	"/usr/bin/melee
/usr/sbin/melee-mounts
/usr/sbin/melee-image" "melee, melee-mounts and melee-image are the packages' (nothing under /usr/local shadows them)"
is "$(find "$R/usr/local" -name "*melee*" ! -type d)" "" "and no file under /usr/local"
ls "$R"/build/melee/build/deb/*.deb > /dev/null 2>&1
ok $? "the quickstart's .deb files are kept in build/deb"

# Then the packages again over the quickstart: it converges too, and the
# quickstart's demo (not the packages') survives a purge.
run inroot sh -c 'cd /mnt && apt-get install -y --reinstall --no-install-recommends ./*.deb'
ok "$rc" "apt-get install --reinstall ./*.deb over the quickstart"
run inroot su demo -c 'melee demo cat /marker'
is "$rc:$out" "0:melee-fixture:demo" "melee demo still works as demo"
ok_cmd "melee-mounts down" inroot melee-mounts down
run inroot apt-get purge -y melee libpam-melee libnss-melee
ok "$rc" "apt-get purge after the quickstart"
is "$(cat "$R/etc/melee/images.d/demo.conf" 2>&1)" "[image demo]
description = MELEE demo image (busybox)" "the purge leaves the quickstart's demo.conf"
is "$(cat "$R/image/demo/marker" 2>&1)" "melee-fixture:demo" "and its demo image"
is "$(grep -w melee "$R/etc/nsswitch.conf")" "" "and takes melee out of nsswitch.conf"
tree_umount

# ---- trixie: the same build in a trixie tree (merged /usr) ----
if [ "${MELEE_PACKAGING_TRIXIE:-yes}" = no ]; then
	echo "ok $((t_n += 1)) # SKIP trixie build left out (MELEE_PACKAGING_TRIXIE=no)"
	done_testing
	exit
fi
cached_image trixie trixie "" "" 3>"$T/work/cache.out" || { echo "Bail out! no trixie minbase tree"; exit 1; }
sed 's/^/# /' "$T/work/cache.out"
R=$IMAGES/trixie
tree_mounts trixie || { echo "Bail out! cannot mount /proc, /sys, /dev, /run in the trixie tree"; exit 1; }
mkdir -p "$R/build/melee"
copy_tree "$R/build/melee"
ok_cmd "apt-get update in the trixie tree" inroot apt-get -q update
run inroot apt-get install -y --no-install-recommends build-essential lintian \
	$(sed -n '/^Build-Depends:/,/^[A-Z]/p' "$top_srcdir/debian/control" | sed '1s/^Build-Depends://; /^[A-Z]/d' |
		tr ',' '\n' | sed 's/([^)]*)//; s/<[^>]*>//g; s/\[[^]]*\]//g; s/^[[:space:]]*//; s/[[:space:]]*$//; /^$/d')
ok "$rc" "the build dependencies install in the trixie tree"
[ "$rc" -eq 0 ] || printf '%s\n' "$out" | tail -20 | sed 's/^/#   /'
run inroot sh -c "cd /build/melee && nice -n 19 env DEB_BUILD_OPTIONS=parallel=1 dpkg-buildpackage -us -uc -b"
ok "$rc" "dpkg-buildpackage -us -uc -b in the trixie tree"
[ "$rc" -eq 0 ] || printf '%s\n' "$out" | tail -30 | sed 's/^/#   /'
run inroot sh -c 'lintian --fail-on error,warning /build/melee_*_*.changes'
ok "$rc" "trixie's lintian --fail-on error,warning (no aliased-location)"
printf '%s\n' "$out" | sed 's/^/#   lintian: /'
ma=$(inroot dpkg-architecture -qDEB_HOST_MULTIARCH)
like "$(dpkg-deb -c "$R"/build/libpam-melee_*.deb)" " \./usr/lib/$ma/security/pam_melee\.so$" \
	"trixie: pam_melee.so in /usr/lib/$ma/security"
like "$(dpkg-deb -c "$R"/build/libnss-melee_*.deb)" " \./usr/lib/$ma/libnss_melee\.so\.2$" \
	"trixie: libnss_melee.so.2 in /usr/lib/$ma"
like "$(dpkg-deb -c "$R"/build/melee_*.deb)" " \./usr/lib/systemd/system/melee-mounts\.service$" \
	"trixie: the unit in /usr/lib/systemd/system"
contents=$(for d in "$R"/build/*.deb; do dpkg-deb -c "$d"; done 2>&1)
like "$contents" ' \./usr/bin/melee$' "trixie: the packages are there to look into"
unlike "$contents" ' \./(lib|bin|sbin)/' "trixie: nothing in /lib, /bin, /sbin (aliased locations)"
slurm_breaks_is "$(ls "$R"/build/melee-slurm_*.deb)" "$(inroot dpkg-query -W -f='${Version}' libslurm-dev)" "trixie: "
tree_umount

done_testing
