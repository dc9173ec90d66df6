/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A FUSE mount made on a regular file of a tree right after the walk's
 * look at it (a user may mount on a file of hers) is never entered: not
 * when image_scan() (melee-image create and import, under the lock) reads
 * the file's capabilities, which once waited for good, and the delete
 * (tree_remove_at, as remove's tree_remove_safely) says what stopped it.
 * The mount is made at that very moment by a wrapper of statx (the program
 * is linked with --wrap=statx), with no daemon behind it at all: every
 * request to it waits for good.  The scan runs in a child given 15 s;
 * one still running then is killed and counted as hung.
 * A file of root's alone is read by its name only on a file system whose
 * permission check is the mode: fstatfs is wrapped to report NFS or FUSE
 * where the mode proves nothing (her write, so her mount, on root's 0644
 * file), and lgetxattr, which only that fast path calls, is counted. */
#include "image-tree.h"
#include "melee-util.h"
#include "tap.h"
#include "walk-fixture.h"

#include <linux/capability.h>
#include <linux/magic.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>

#define TOP "/tmp/melee-unit-fuse-after-look"

/* What the scanning child reports back (shared memory). */
struct shared {
	int r, mounted;
	int statfs_calls, lgetxattr_calls;
	char err[MELEE_ERRLEN];
	char found[1024];
};

static struct shared *sh;
static const char *arm;	    /* the name whose look is followed by the mount */
static const char *arm_dir; /* its directory, below TOP */
static long fake_fs_type;   /* what fstatfs reports as f_type; 0: the truth */

int __real_statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *sx);
int __wrap_statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *sx);
int __real_fstatfs(int fd, struct statfs *sfs);
int __wrap_fstatfs(int fd, struct statfs *sfs);
ssize_t __real_lgetxattr(const char *path, const char *name, void *value, size_t size);
ssize_t __wrap_lgetxattr(const char *path, const char *name, void *value, size_t size);

/* The deaf FUSE mount (walk-fixture.h) on the regular file
 * TOP/arm_dir/NAME. */
static void mount_on(const char *name)
{
	char to[128];

	snprintf(to, sizeof(to), TOP "/%s/%s", arm_dir, name);
	if (mount_deaf_fuse(to, S_IFREG | 0644) == 0)
		sh->mounted = 1;
}

int __wrap_statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *sx)
{
	int r = __real_statx(dirfd, path, flags, mask, sx);

	if (arm && r == 0 && path && strcmp(path, arm) == 0) {
		arm = NULL;
		mount_on(path);
	}
	return r;
}

int __wrap_fstatfs(int fd, struct statfs *sfs)
{
	int r = __real_fstatfs(fd, sfs);

	if (sh)
		sh->statfs_calls++;
	if (r == 0 && fake_fs_type)
		sfs->f_type = fake_fs_type;
	return r;
}

ssize_t __wrap_lgetxattr(const char *path, const char *name, void *value, size_t size)
{
	if (sh)
		sh->lgetxattr_calls++;
	return __real_lgetxattr(path, name, value, size);
}

static void report(const char *path, const char *what, void *data)
{
	size_t used = strlen(sh->found);

	(void)data;
	snprintf(sh->found + used, sizeof(sh->found) - used, "%s: %s\n", path, what);
}

/* Scans TOP/dir (or, when `delete`, deletes TOP/del with
 * tree_remove_at) in a child, the mount made at the look at `name`; true
 * when it ended within 15 s (its result in sh).  The mount is detached
 * afterwards either way. */
static bool run_in_child(const char *dir, const char *name, bool delete)
{
	char mounted[128];
	bool ended = false;
	pid_t pid;

	memset(sh, 0, sizeof(*sh));
	pid = fork();
	if (pid == 0 && delete) {
		arm = name, arm_dir = "del";
		sh->r = tree_remove_at(base, "del", "DEL", sh->err, sizeof(sh->err));
		_exit(0);
	}
	if (pid == 0) {
		int fd = openat(base, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		arm = name, arm_dir = dir;
		sh->r = image_scan(fd, "IMG", report, NULL, sh->err, sizeof(sh->err));
		_exit(0);
	}
	ended = ended_within(pid, 15);
	if (name) {
		snprintf(mounted, sizeof(mounted), TOP "/%s/%s", delete ? "del" : dir, name);
		umount2(mounted, MNT_DETACH);
	}
	return ended;
}

/* A file of root's alone, in a directory of root's alone, on a file
 * system that fstatfs reports as `type` (magic.h), mounted on after the
 * walk's look: the scan must not enter the mount (fast path refused). */
static void roots_file_on(long type, const char *fs)
{
	bool ended;

	fake_fs_type = type;
	ended = run_in_child("roots", "bin", false);
	fake_fs_type = 0;
	if (!sh->mounted) {
		printf("Bail out! no FUSE mount could be made on a file\n");
		exit(99);
	}
	ok(ended,
	   "on %s a FUSE mount with no daemon, made on a file of root's alone after the "
	   "walk's look, does not hold the scan",
	   fs);
	is_str(
	    sh->found, "bin: changed or mounted on while it was scanned (capabilities not read)\n",
	    "on %s the file is reported as changed under the scan, not read through the mount", fs);
	ok(sh->lgetxattr_calls == 0 && sh->statfs_calls == 1,
	   "on %s its name is not read (lgetxattr %d times; fstatfs %d)", fs, sh->lgetxattr_calls,
	   sh->statfs_calls);
}

int main(void)
{
	/* CAP_NET_RAW permitted and effective (struct vfs_cap_data, v2). */
	const struct vfs_cap_data cap = {
		.magic_etc = VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE,
		.data = { { .permitted = 1u << CAP_NET_RAW } },
	};
	bool ended;
	int rc;

	if (!private_tmpfs(TOP, &rc))
		return rc;
	if (!fuse_available(TOP))
		return 0;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 99;
	mk("img"), put("img/plain", "x\n"), put("img/hers", "mine\n");
	if (chown(TOP "/img/hers", 1000, 1000) < 0)
		return 99;

	ended = run_in_child("img", "hers", false);
	if (!sh->mounted) {
		printf("Bail out! no FUSE mount could be made on a file\n");
		return 99;
	}
	ok(ended, "a FUSE mount with no daemon, made on a file after the walk's look, does not "
		  "hold the scan");
	ok(sh->r == 1, "the scan ends with one finding (got %d: %s)", sh->r,
	   sh->r < 0 ? sh->err : "");
	is_str(sh->found,
	       "hers: changed or mounted on while it was scanned (capabilities not read), owned "
	       "by uid 1000\n",
	       "the file is reported as changed under the scan, not read through the mount");

	/* Without a mount: the same file, as it is, given a capability
	 * (read the checked way: it is hers), and one of root's alone (read
	 * by its name). */
	if (setxattr(TOP "/img/hers", "security.capability", &cap, sizeof(cap), 0) < 0 ||
	    setxattr(TOP "/img/plain", "security.capability", &cap, sizeof(cap), 0) < 0) {
		printf("Bail out! cannot give a file capabilities: %s\n", strerror(errno));
		return 99;
	}
	ended = run_in_child("img", NULL, false);
	ok(ended && sh->r == 2, "without it the scan ends as before (%d)", sh->r);
	ok(strstr(sh->found, "hers: file capabilities, owned by uid 1000\n") &&
	       strstr(sh->found, "plain: file capabilities\n"),
	   "and reports what the files are, a capability of hers and of root's");

	/* The delete: the kernel unlinks no mount point. */
	mk("del"), put("del/hers", "mine\n");
	ended = run_in_child(NULL, "hers", true);
	ok(ended && sh->mounted,
	   "a FUSE mount with no daemon, made on a file after the walk's look, "
	   "does not hold the delete");
	is_str(sh->err, "DEL/hers: something was mounted there while it was being deleted; stopped",
	       "the delete stops there and says why");
	ok(exists("del/hers"), "the file is still there");

	/* Files of root's alone in directories of root's alone: on a file
	 * system the mode does not decide, a mount made on one is never
	 * entered, and a capability is read the checked way. */
	mk("roots"), put("roots/bin", "x\n");
	roots_file_on(NFS_SUPER_MAGIC, "NFS");
	roots_file_on(FUSE_SUPER_MAGIC, "FUSE");
	mk("roots/sub"), put("roots/sub/a", "x\n"), put("roots/sub/b", "x\n");
	if (setxattr(TOP "/roots/sub/a", "security.capability", &cap, sizeof(cap), 0) < 0) {
		printf("Bail out! cannot give a file capabilities: %s\n", strerror(errno));
		return 99;
	}
	fake_fs_type = NFS_SUPER_MAGIC;
	ended = run_in_child("roots", NULL, false);
	fake_fs_type = 0;
	ok(ended && sh->r == 1 && sh->lgetxattr_calls == 0,
	   "without a mount, on NFS, the scan ends with one finding (%d), no name read (%d)", sh->r,
	   sh->lgetxattr_calls);
	is_str(sh->found, "sub/a: file capabilities\n",
	       "and the capability is read through the checked O_PATH fd");
	ended = run_in_child("roots", NULL, false);
	ok(ended && sh->r == 1, "on tmpfs the scan ends with one finding (%d)", sh->r);
	is_str(sh->found, "sub/a: file capabilities\n", "the same capability");
	ok(sh->lgetxattr_calls == 3,
	   "on tmpfs each of the 3 files of root's alone is read by its name (lgetxattr %d times)",
	   sh->lgetxattr_calls);
	ok(sh->statfs_calls == 1,
	   "and fstatfs is asked once for the walk's mount, not once per file (%d times)",
	   sh->statfs_calls);

	umount2(TOP, MNT_DETACH);
	rmdir(TOP);
	return done_testing();
}
