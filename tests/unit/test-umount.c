/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee_unmount_beneath refuses, before any unmount, a path that a user
 * could have redirected: a symlinked directory on the way, a symlink as
 * the last component, a way out of the image.  (The unmount itself, and
 * the mount id check, are shown on real mounts by
 * tests/integration/mounts-down-no-follow.sh.) */
#include "melee-umount.h"
#include "melee-util.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/melee-unit-umount.XXXXXX";

static void try(int img, const char *rel, bool lazy, int want, const char *want_msg,
		const char *what)
{
	char err[MELEE_ERRLEN] = "";
	int r = melee_unmount_beneath(img, "IMG", rel, 0, lazy, err, sizeof(err));

	ok(r == want, "%s%s: %s (got %d)", what, lazy ? " (lazy)" : "", strerror(-want), r);
	is_str(err, want_msg, "%s%s: message", what, lazy ? " (lazy)" : "");
}

int main(void)
{
	int base, img;

	if (!mkdtemp(dir) || chmod(dir, 0755) < 0) {
		perror("mkdtemp");
		return 99;
	}
	base = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (base < 0 || mkdirat(base, "img", 0755) < 0 || mkdirat(base, "outside", 0755) < 0 ||
	    mkdirat(base, "outside/mnt", 0755) < 0 || mkdirat(base, "img/home", 0755) < 0 ||
	    mkdirat(base, "img/home/plain", 0755) < 0 ||
	    symlinkat("../../outside", base, "img/home/swapped") < 0 ||
	    symlinkat("/", base, "img/home/abs") < 0 ||
	    symlinkat("../outside/mnt", base, "img/home/last") < 0 ||
	    mkdirat(base, "img/srv", 0755) < 0 || mkdirat(base, "img/srv/mnt", 0755) < 0 ||
	    symlinkat("../srv", base, "img/home/inside") < 0) {
		perror("setup");
		return 99;
	}
	img = openat(base, "img", O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (int lazy = 0; lazy < 2; lazy++) {
		try(img, "home/swapped/mnt", lazy, -ELOOP,
		    "IMG/home/swapped/mnt: a directory on the way is a symlink or leads out of "
		    "IMG (refused)",
		    "a directory replaced by a symlink (relative) is not followed");
		/* RESOLVE_BENEATH alone would follow this one (it stays in
		 * the image) to whatever is mounted there. */
		try(img, "home/inside/mnt", lazy, -ELOOP,
		    "IMG/home/inside/mnt: a directory on the way is a symlink or leads out of "
		    "IMG (refused)",
		    "a directory replaced by a symlink that stays inside the image is not "
		    "followed either");
		try(img, "home/abs/proc", lazy, -ELOOP,
		    "IMG/home/abs/proc: a directory on the way is a symlink or leads out of IMG "
		    "(refused)",
		    "a directory replaced by a symlink to / is not followed");
		try(img, "home/last", lazy, -ELOOP, "IMG/home/last: is a symlink (refused)",
		    "a last component that is a symlink is not followed");
		try(img, "../outside/mnt", lazy, -ELOOP,
		    "IMG/../outside/mnt: a directory on the way is a symlink or leads out of "
		    "IMG (refused)",
		    "'..' cannot climb out of the image");
		try(img, "home/plain", lazy, -EINVAL, "IMG/home/plain: nothing is mounted there",
		    "a directory without a mount is left alone");
		try(img, "home/none", lazy, -ENOENT, "IMG/home/none: No such file or directory",
		    "a missing target");
	}
	unlinkat(base, "img/home/swapped", 0);
	unlinkat(base, "img/home/abs", 0);
	unlinkat(base, "img/home/last", 0);
	unlinkat(base, "img/home/inside", 0);
	unlinkat(base, "img/srv/mnt", AT_REMOVEDIR);
	unlinkat(base, "img/srv", AT_REMOVEDIR);
	unlinkat(base, "img/home/plain", AT_REMOVEDIR);
	unlinkat(base, "img/home", AT_REMOVEDIR);
	unlinkat(base, "img", AT_REMOVEDIR);
	unlinkat(base, "outside/mnt", AT_REMOVEDIR);
	unlinkat(base, "outside", AT_REMOVEDIR);
	rmdir(dir);
	return done_testing();
}
