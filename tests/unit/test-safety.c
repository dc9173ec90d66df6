/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The safety walk of image paths and mountpoints, on a tree the test
 * builds.  The trusted owner is the test's own uid (root in CI). */
#include "melee-safety.h"
#include "melee-util.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/melee-unit-safety.XXXXXX";
static int base = -1;

static void mk(const char *rel, mode_t mode)
{
	if (mkdirat(base, rel, mode) < 0 && errno != EEXIST) {
		perror(rel);
		exit(99);
	}
	if (fchmodat(base, rel, mode, 0) < 0) {
		perror(rel);
		exit(99);
	}
}

static void walk(const char *rel, int want, const char *want_msg, const char *what)
{
	char err[MELEE_ERRLEN] = "", full[1024];
	int fd = image_open_safely_at(base, "BASE", rel, getuid(), err, sizeof(err));

	if (fd >= 0)
		close(fd);
	if (want == 0) {
		ok(fd >= 0, "%s (%s)", what, err);
		return;
	}
	ok(fd == want, "%s: refused with %s (got %d)", what, strerror(-want), fd);
	snprintf(full, sizeof(full), "%s", want_msg);
	is_str(err, full, "%s: message", what);
}

int main(void)
{
	char err[MELEE_ERRLEN];
	bool created;
	int fd, img;
	struct stat st;

	if (!mkdtemp(dir) || chmod(dir, 0755) < 0) {
		perror("mkdtemp");
		return 99;
	}
	base = open(dir, O_PATH | O_DIRECTORY);
	mk("images", 0755);
	mk("images/good", 0755);
	mk("images/good/etc", 0755);
	mk("images/good/tmp", 01777);
	mk("images/gw", 0775);
	mk("images/ww", 0757);
	mk("real", 0755);
	if (symlinkat("real", base, "images/link") < 0 ||
	    symlinkat("../real", base, "images/parentlink") < 0 ||
	    symlinkat("/etc", base, "images/good/badtmp") < 0 ||
	    symlinkat("/etc", base, "images/good/etc/passwd") < 0) {
		perror("symlinkat");
		exit(99);
	}
	close(openat(base, "images/file", O_CREAT | O_WRONLY, 0644));

	walk("images/good", 0, NULL, "a root-owned 755 tree is accepted");
	walk("images/link", -ELOOP,
	     "BASE/images/link: is a symlink (refused: image paths must not contain symlinks)",
	     "the image itself is a symlink");
	walk("images/link/x", -ELOOP,
	     "BASE/images/link: is a symlink (refused: image paths must not contain symlinks)",
	     "a symlink in the middle");
	walk("images/gw", -EPERM, "BASE/images/gw: group- or world-writable (mode 0775), refused",
	     "group-writable image dir");
	walk("images/ww", -EPERM, "BASE/images/ww: group- or world-writable (mode 0757), refused",
	     "world-writable image dir");
	walk("images/good/tmp", -EPERM,
	     "BASE/images/good/tmp: group- or world-writable (mode 1777), refused",
	     "sticky world-writable component");
	walk("images/nosuch", -ENOENT, "BASE/images/nosuch: does not exist", "missing image");
	walk("images/file", -ENOTDIR, "BASE/images/file: is not a directory", "a file, not a dir");
	walk("images/../real", -EINVAL,
	     "BASE/images/..: '.' and '..' are not allowed in image paths", "'..' component");

	fd = image_open_safely_at(base, "BASE", "images/good", getuid() + 1, err, sizeof(err));
	ok(fd == -EPERM && strstr(err, "owned by uid"), "wrong owner refused (%s)", err);

	/* The one trust rule, shared by the walk, the config files and the
	 * run directory: the same words everywhere. */
	{
		struct stat ts = { .st_uid = 1501, .st_mode = S_IFREG | 0644 };
		char want[128];

		ok(melee_check_trusted(&ts, 0, "F", err, sizeof(err)) == -EPERM,
		   "trust: a user's file refused");
		is_str(err, "F: owned by uid 1501, expected root (refused)",
		       "trust: message names the owner");
		ts.st_uid = 0;
		ts.st_mode = S_IFDIR | 0775;
		ok(melee_check_trusted(&ts, 0, "D", err, sizeof(err)) == -EPERM,
		   "trust: a group-writable directory refused");
		is_str(err, "D: group- or world-writable (mode 0775), refused",
		       "trust: message names the mode");
		ts.st_mode = S_IFDIR | 0755;
		ok(melee_check_trusted(&ts, 0, "D", NULL, 0) == 0, "trust: root's 0755 accepted");
		fd = image_open_safely_at(base, "BASE", "images/good", getuid() + 1, err,
					  sizeof(err));
		snprintf(want, sizeof(want),
			 "BASE/images: owned by uid %u, expected uid %u (refused)",
			 (unsigned)getuid(), (unsigned)getuid() + 1);
		is_str(err, want, "trust: the walk words it the same way");
	}
	ok(melee_path_under("/image/sl6", "/image/sl6") &&
	       melee_path_under("/image/sl6/x", "/image/sl6"),
	   "under: a path and what lies below it");
	ok(!melee_path_under("/image/sl6x", "/image/sl6") &&
	       !melee_path_under("/image", "/image/sl6"),
	   "under: whole components only, never a parent");
	ok(melee_path_under("/image", "/"), "under: everything is below /");
	ok(melee_path_under("/image/sl6", "/image/") && melee_path_under("/image", "/image//") &&
	       !melee_path_under("/imagex", "/image/"),
	   "under: a directory written with a trailing slash is the same directory");
	ok(!melee_path_under("/image", ""), "under: the empty string is no directory");

	fd = image_open_safely("relative/path", 0, err, sizeof(err));
	is_str(err, "relative/path: image path must be absolute", "relative image path refused");
	fd = image_open_safely(dir, getuid(), err, sizeof(err));
	ok(fd == -EPERM && strstr(err, "/tmp: group- or world-writable (mode 1777), refused"),
	   "an image under /tmp is refused at /tmp (%s)", err);

	img = image_open_safely_at(base, "BASE", "images/good", getuid(), err, sizeof(err));
	fd = image_open_mountpoint(img, "IMG", "/badtmp", MELEE_TARGET_DIR, true, &created, err,
				   sizeof(err));
	ok(fd == -ELOOP, "mountpoint that is a symlink refused");
	is_str(err,
	       "IMG/badtmp: is a symlink (refused: a mountpoint inside an image must not be a "
	       "symlink, it could point at the host)",
	       "message: symlinked mountpoint");
	fd = image_open_mountpoint(img, "IMG", "/etc/passwd", MELEE_TARGET_FILE, true, &created,
				   err, sizeof(err));
	ok(fd == -ELOOP, "file mountpoint that is a symlink to the host's /etc refused");
	fd = image_open_mountpoint(img, "IMG", "/badtmp/x", MELEE_TARGET_DIR, true, &created, err,
				   sizeof(err));
	ok(fd == -ELOOP, "a symlink in the middle of a mountpoint path refused");
	ok(fstatat(base, "real/x", &st, 0) < 0, "nothing created through the symlink");
	fd = image_open_mountpoint(img, "IMG", "/proc", MELEE_TARGET_DIR, false, &created, err,
				   sizeof(err));
	ok(fd == -ENOENT, "missing mountpoint without create: ENOENT");
	is_str(err, "IMG/proc: mountpoint does not exist", "message: missing mountpoint");
	fd = image_open_mountpoint(img, "IMG", "/proc", MELEE_TARGET_DIR, true, &created, err,
				   sizeof(err));
	ok(fd >= 0 && created, "missing mountpoint created when asked");
	ok(fstatat(base, "images/good/proc", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0755,
	   "created as a 0755 directory inside the image");
	close(fd);
	fd = image_open_mountpoint(img, "IMG", "/etc/hosts", MELEE_TARGET_FILE, true, &created, err,
				   sizeof(err));
	ok(fd >= 0 && created, "missing file mountpoint created");
	ok(fstatat(base, "images/good/etc/hosts", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISREG(st.st_mode),
	   "created as an empty regular file");
	close(fd);
	fd = image_open_mountpoint(img, "IMG", "/no/such/dir", MELEE_TARGET_DIR, true, &created,
				   err, sizeof(err));
	ok(fd == MELEE_MOUNTPOINT_NO_PARENT, "missing parent is not created (its own code)");
	is_str(err, "IMG/no: mountpoint parent does not exist", "message: missing parent");
	fd = image_open_mountpoint(img, "IMG", "/etc", MELEE_TARGET_FILE, true, &created, err,
				   sizeof(err));
	ok(fd == -EISDIR, "file source onto a directory refused");
	fd = image_open_mountpoint(img, "IMG", "/etc/hosts", MELEE_TARGET_DIR, true, &created, err,
				   sizeof(err));
	ok(fd == -ENOTDIR, "directory source onto a file refused");
	/* Every error path fills the message: an image fd that cannot be
	 * used names the image, not just a bare errno. */
	err[0] = '\0';
	fd = image_open_mountpoint(-1, "IMG", "/proc", MELEE_TARGET_DIR, false, &created, err,
				   sizeof(err));
	ok(fd == -EBADF, "an unusable image fd: EBADF");
	is_str(err, "IMG: Bad file descriptor", "message: names the image it could not open");

	fd = image_resolve(img, "/badtmp", O_PATH | O_DIRECTORY);
	{
		struct stat a, b;
		ok(fd >= 0 && fstat(fd, &a) == 0 && fstatat(base, "images/good/etc", &b, 0) == 0 &&
		       a.st_ino == b.st_ino,
		   "image_resolve: an absolute symlink (badtmp -> /etc) resolves to the image's "
		   "/etc, never the host's");
	}
	if (fd >= 0)
		close(fd);
	close(img);
	close(base);
	{
		char cmd[600];
		snprintf(cmd, sizeof(cmd), "rm -rf --one-file-system -- '%s'", dir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", dir);
	}
	/* Which mounts are a user's FUSE (the mountinfo fields as given). */
#define USERS_FUSE(t, o) melee_fs_users_fuse(t, strlen(t), o, strlen(o))
	ok(USERS_FUSE("fuse", "rw,user_id=1501,group_id=1501"), "fuse with user_id=1501: a user's");
	ok(USERS_FUSE("fuse.sshfs", "rw,user_id=1501"), "fuse.sshfs: a user's");
	ok(USERS_FUSE("fuseblk", "rw,user_id=1501"), "fuseblk: a user's");
	ok(!USERS_FUSE("fuse.mergerfs", "rw,user_id=0,group_id=0"), "user_id=0: root's own pool");
	ok(!USERS_FUSE("ext4", "rw,user_id=1501"), "not FUSE: never");
	ok(!USERS_FUSE("fuse", "rw,user_id_x=1501"), "user_id_x= is not user_id=");
	ok(!USERS_FUSE("fusectl", "rw,user_id=1501"), "fusectl is not FUSE");
	ok(melee_fs_users_fuse(
	       "fuse.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 75,
	       "rw,user_id=1501 trailing", 15),
	   "a type of any length, the options as long as given");
	return done_testing();
}
