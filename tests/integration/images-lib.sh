# SPDX-License-Identifier: LGPL-2.1-or-later
# Real Debian images for the tests, built once with melee-image create
# (debootstrap from Debian's archive) and cached as tarballs under
# /var/cache/melee-tests, so that later runs import them without
# downloading anything.  Source after tests/lib.sh.

MELEE_IMAGE=$top_builddir/tools/melee-image/melee-image
IMAGE_CACHE=${MELEE_IMAGE_CACHE:-/var/cache/melee-tests}
mi() { "$MELEE_IMAGE" --config "$CONF" "$@"; }

# cached_image NAME SUITE [ARCH [INCLUDE]]: registers image NAME of SUITE.
# The tarball is our own debootstrap's output (setuid su, mount, device
# nodes in /dev, as Debian ships them): imported --trusted.
# Prints "cache hit" or "cache miss" on fd 3 if it is open.
cached_image() {
	name=$1 suite=$2 arch=${3:-$(dpkg --print-architecture)} include=${4:-}
	key="$suite-$arch-minbase${include:+-$(printf '%s' "$include" | tr ',' '+')}"
	tarball=$IMAGE_CACHE/$key.tar
	mkdir -p "$IMAGE_CACHE"
	if [ -s "$tarball" ]; then
		mi --no-up --trusted import "$name" "$tarball" > "$T/work/image-$name.out" 2>&1 || return 1
		echo "cache hit: $key" >&3
	else
		# A miss downloads from Debian's archive: from the network
		# namespace the test was started in (lib.sh's host_netns) when
		# it runs in a private one, which has no way out (the Slurm
		# tests: slurm-lib.sh).  Only the network: the mount namespace,
		# $CONF and $IMAGES stay this test's.
		netns= hostns=$(host_netns)
		[ -z "$hostns" ] || [ "$(readlink /proc/self/ns/net)" = "$(readlink "$hostns")" ] ||
			netns="nsenter --net=$hostns --"
		$netns "$MELEE_IMAGE" --config "$CONF" --no-up create "$name" --suite "$suite" \
			--variant minbase --arch "$arch" ${include:+--include "$include"} > "$T/work/image-$name.out" 2>&1 || {
			cat "$T/work/image-$name.out" >&2
			return 1
		}
		# Packed with nothing mounted in it (--no-up) and without
		# crossing into another file system, then moved into place
		# whole, so that a broken run never leaves half a cache.
		tar -C "$IMAGES/$name" --one-file-system --numeric-owner -cpf "$tarball.tmp.$$" . &&
			mv "$tarball.tmp.$$" "$tarball"
		echo "cache miss: $key" >&3
	fi
}

# images_setup: the accounts, the homes and a private /tmp of this
# namespace, and an empty melee.conf (images-dir $IMAGES).
images_setup() {
	setup_accounts
	setup_home
	private_dir /tmp 1777
	write_config
}

# image_ready NAME SUITE [ARCH [INCLUDE]]: cached_image as one test,
# "NAME image ready (cache hit: KEY)", the hits and misses kept in
# $T/work/cache.log; its status cached_image's (a test may bail out).
image_ready() {
	local rc
	cached_image "$@" 3>>"$T/work/cache.log"
	rc=$?
	ok $rc "$1 image ready ($(tail -1 "$T/work/cache.log"))"
	return $rc
}

# conf NAME [LINE]: registers image NAME by hand, as an administrator
# writes it (images.d/NAME.conf, LINE its one setting); registered NAME:
# whether it is (and no removal of it is under way).
conf() {
	printf '[image %s]\n%s\n' "$1" "${2:-}" > "$T/etc/images.d/$1.conf"
	chmod 644 "$T/etc/images.d/$1.conf"
}
registered() { test -e "$T/etc/images.d/$1.conf" -a ! -e "$T/etc/images.d/.$1.conf.removing"; }

# fixture_tree DIR NAME: a small busybox image tree at DIR whose /marker
# says NAME (tests/make-fixture-image), for tests that register it.
fixture_tree() { "$top_srcdir/tests/make-fixture-image" "$1" "$2" >/dev/null; }

# bar_in_place: the setting of the tests of images sharing a tree: the
# fixture tree images-dir/foo imported in place as image bar (one check),
# and $T/files, a directory of root's for file images.
bar_in_place() {
	setup_accounts
	write_config
	mkdir -m 755 "$T/files"
	fixture_tree "$IMAGES/foo" foo
	run mi --no-up import bar "$IMAGES/foo"
	is "$rc" 0 "import bar $IMAGES/foo registers the tree in place"
}
