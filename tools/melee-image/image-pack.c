/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-image pack: writes a tree image as one squashfs file with mksquashfs. */
#include "image-pack.h"
#include "image-tree.h"
#include "melee-safety.h"
#include "melee-util.h"
#include "pack-output.h"
#include "tool-util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <linux/sched.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

/* The first bytes of every squashfs file ("hsqs", little-endian 0x73717368). */
#define SQUASHFS_MAGIC_BYTES "hsqs"

static volatile sig_atomic_t pack_interrupted;
static volatile pid_t pack_child = -1;

/* SIGKILL: the child is process 1 of its PID namespace (fork_own_pids),
 * which takes from outside no signal it has no handler for but SIGKILL
 * and SIGSTOP; and mksquashfs has nothing to clean up, its output is
 * ours. */
static void pack_on_signal(int sig)
{
	pack_interrupted = sig;
	if (pack_child > 0)
		kill(pack_child, SIGKILL);
}

const char *human_size(off_t size, char *buf, size_t len)
{
	static const char units[] = "BKMGTP";
	double v = (double)size;
	int u = 0;

	while (v >= 1024 && units[u + 1]) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%lldB", (long long)size);
	else
		snprintf(buf, len, v < 10 ? "%.1f%c" : "%.0f%c", v, units[u]);
	return buf;
}

const char *file_image_size(const struct melee_image *im, char *buf, size_t len)
{
	char size[32];
	struct stat st;

	if (!im->source)
		snprintf(buf, len, "%s", "");
	else if (lstat(im->source, &st) < 0)
		snprintf(buf, len, " (%s)", strerror(errno));
	else if (!S_ISREG(st.st_mode))
		snprintf(buf, len, " (not a regular file)");
	else
		snprintf(buf, len, " (%s)", human_size(st.st_size, size, sizeof(size)));
	return buf;
}

static const char *check_compression(const char *c)
{
	static const char *const known[] = { "zstd", "xz", "gzip", NULL };

	if (!c)
		return "zstd";
	for (int i = 0; known[i]; i++)
		if (strcmp(c, known[i]) == 0)
			return known[i];
	die_status(2, "pack: --compression must be %s, got '%.40s'", PACK_COMPRESSIONS, c);
}

/* Opens FILE's directory for writing the new file in it: only a directory
 * that passes the safety walk (every component root's, not group/world-
 * writable, no symlink) can hold an image file, since nobody else may
 * swap or replace the file between pack and every later mount.  Returns
 * the directory fd; *base is FILE's last component. */
static int open_file_dir(const struct melee_image *im, const char *file, const char **base)
{
	char err[MELEE_ERRLEN], dir[PATH_MAX];
	const char *slash = strrchr(file, '/');
	cleanup_fd int dfd = -1, wfd = -1;
	struct stat st;

	if (file[0] != '/' || !slash[1] || strcmp(slash + 1, ".") == 0 ||
	    strcmp(slash + 1, "..") == 0)
		die_status(2, "pack: %s: give the absolute path of the file to write", file);
	if (strlen(file) >= sizeof(dir))
		die_status(2, "pack: %s: path too long", file);
	/* mksquashfs would otherwise read its own output while writing it. */
	if (melee_path_under(file, im->path))
		die_status(2, "pack: %s: inside the image %s itself; write it elsewhere", file,
			   im->path);
	snprintf(dir, sizeof(dir), "%.*s", slash > file ? (int)(slash - file) : 1, file);
	*base = slash + 1;
	dfd = image_open_safely(dir, 0, err, sizeof(err));
	if (dfd < 0)
		die_status(2,
			   "pack: %s: refused, its directory is not safe for an image file "
			   "(it must be root's and writable by root alone): %s",
			   file, err);
	/* The walk returns an O_PATH fd: the same directory, opened to write in. */
	wfd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (wfd < 0)
		die_errno("pack: %s", dir);
	if (fstatat(wfd, *base, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
		die_status(2, "pack: %s is a directory (expected a file to write or replace)",
			   file);
	return melee_steal_fd(&wfd);
}

/* The image root alone, as a detached non-recursive bind: /proc, /home,
 * the accounts and every other bind of an image that is up stay out of
 * the file (they are the host's, and a /home packed into a shared image
 * file would publish everyone's files).  Cloned from the fd of the safety
 * walk, never by path. */
static int clone_image_root(const struct melee_image *im)
{
	char err[MELEE_ERRLEN];
	cleanup_fd int imgfd = image_open_safely(im->path, 0, err, sizeof(err));
	int tree;

	if (imgfd < 0)
		die("pack: %s", err);
	tree = open_tree(imgfd, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		die_errno("pack: cannot clone the image root %s", im->path);
	return tree;
}

/* What run_mksquashfs returns when its child could not build the
 * packer's root (the child said why on stderr). */
#define PACK_SETUP_FAILED (-2)

/* How many left-out directories the output names one by one. */
#define PACK_SHOWN_LEFT_OUT 10

/* What of the host the packer's root holds: the top-level names that
 * mksquashfs and its libraries are reached through (directories bound
 * read-only, or on a merged-/usr system the symlinks into usr/). */
static const char *const host_tops[] = { "usr",	  "bin",   "sbin",   "lib",
					 "lib32", "lib64", "libx32", NULL };

/* A new tmpfs, detached: nothing can reach it before it is attached.
 * opts: key and value pairs (value NULL: a flag), NULL-terminated. */
static int new_tmpfs(const char *const *opts, unsigned attrs)
{
	cleanup_fd int fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
	int mnt;

	if (fs < 0)
		die_errno("pack: cannot create a tmpfs");
	for (size_t i = 0; opts[i]; i += 2)
		if ((opts[i + 1] ? fsconfig(fs, FSCONFIG_SET_STRING, opts[i], opts[i + 1], 0)
				 : fsconfig(fs, FSCONFIG_SET_FLAG, opts[i], NULL, 0)) < 0)
			die_errno("pack: tmpfs option %s%s%s", opts[i], opts[i + 1] ? "=" : "",
				  opts[i + 1] ? opts[i + 1] : "");
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		die_errno("pack: cannot create a tmpfs");
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, attrs);
	if (mnt < 0)
		die_errno("pack: cannot mount a tmpfs");
	return mnt;
}

/* Makes the detached tree read-only, nosuid, nodev before anyone sees it,
 * and private: a clone of a shared mount (the host's, under systemd) is
 * its peer, and once attached it would receive every mount made on the
 * image meanwhile, which mksquashfs would pack (the unshare's
 * MS_PRIVATE reached only what was attached then).
 * tests/integration/image-pack-bind-appears.sh */
static void seal_tree(int tree, const char *what)
{
	struct mount_attr attr = { .attr_set =
				       MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
				   .propagation = MS_PRIVATE };

	if (mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		die_errno("pack: cannot make %s read-only", what);
}

static void attach(int tree, int root, const char *name)
{
	if (move_mount(tree, "", root, name, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		die_errno("pack: cannot attach /%s in the packer's root", name);
}

/* The host's /usr (and /bin, /lib... as they are) in the new root, taken
 * by the paths of this private namespace before the root is attached
 * over them.  Each directory is a non-recursive read-only clone: nothing
 * mounted below /usr, nothing writable. */
static void add_host_tops(int root, int *trees)
{
	for (int i = 0; host_tops[i]; i++) {
		char path[32], link[PATH_MAX];
		struct stat st;
		ssize_t n;

		trees[i] = -1;
		snprintf(path, sizeof(path), "/%s", host_tops[i]);
		if (lstat(path, &st) < 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			n = readlink(path, link, sizeof(link) - 1);
			if (n < 0)
				die_errno("pack: %s", path);
			link[n] = '\0';
			if (symlinkat(link, root, host_tops[i]) < 0)
				die_errno("pack: cannot make /%s in the packer's root",
					  host_tops[i]);
		} else if (S_ISDIR(st.st_mode)) {
			trees[i] = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
			if (trees[i] < 0)
				die_errno("pack: cannot clone %s", path);
			seal_tree(trees[i], path);
			if (mkdirat(root, host_tops[i], 0755) < 0)
				die_errno("pack: cannot make /%s in the packer's root",
					  host_tops[i]);
		}
	}
}

static bool others_can_write(const struct stat *st)
{
	return st->st_uid != 0 || (st->st_mode & (S_IWGRP | S_IWOTH));
}

/* The directories left out, as the output shows them; and the paths
 * whose POSIX ACL the file image loses. */
struct left_out {
	const char *imgpath; /* for messages */
	char **shown;
	size_t n;
	char **acl;
	size_t n_acl;
};

/* Whether the entry carries a POSIX ACL: mksquashfs 4.5 stores no
 * system.* attribute, so the file image keeps only the mode bits, and an
 * ACL that kept someone out is gone there.  Read through the directory's
 * fd (the entry itself, never what a symlink names). */
static bool has_acl(const struct tree_entry *e)
{
	char path[PATH_MAX];

	if (S_ISLNK(e->st->st_mode) || (size_t)snprintf(path, sizeof(path), "/proc/self/fd/%d/%s",
							e->dirfd, e->name) >= sizeof(path))
		return false;
	return lgetxattr(path, "system.posix_acl_access", NULL, 0) >= 0 ||
	       (S_ISDIR(e->st->st_mode) &&
		lgetxattr(path, "system.posix_acl_default", NULL, 0) >= 0);
}

/* Copies the extended attributes of the directory `from` (an O_PATH fd)
 * onto the root of the cover `to`, all but system.* (POSIX ACLs, which
 * mksquashfs does not store): the left-out directory is packed with the
 * user.*, trusted.* and security.* attributes it has, as a tree import
 * gave it (tests/integration/image-import-oci-equivalence.sh). */
static int copy_xattrs(int from, int to, char *err, size_t errlen)
{
	/* As large as the kernel allows; static, not on the stack. */
	static char names[XATTR_LIST_MAX], value[XATTR_SIZE_MAX];
	char src[64], dst[64];
	ssize_t n, len;

	snprintf(src, sizeof(src), "/proc/self/fd/%d", from);
	snprintf(dst, sizeof(dst), "/proc/self/fd/%d", to);
	/* The magic links name the very inodes of the fds (followed, not
	 * l*xattr, which would act on the links themselves). */
	n = listxattr(src, names, sizeof(names));
	if (n < 0)
		return errno == ENOTSUP
			   ? 0
			   : melee_fail(err, errlen, -errno, "cannot list its attributes: %s",
					strerror(errno));
	for (char *name = names; name < names + n; name += strlen(name) + 1) {
		if (!strncmp(name, "system.", 7))
			continue;
		len = getxattr(src, name, value, sizeof(value));
		if (len < 0 || setxattr(dst, name, value, (size_t)len, 0) < 0)
			return melee_fail(err, errlen, -errno, "cannot copy its attribute %s: %s",
					  name, strerror(errno));
	}
	return 0;
}

/* Covers the directory `fd` with an empty read-only tmpfs of its owner,
 * group, mode, times and extended attributes: mksquashfs packs the
 * tmpfs's root as that empty directory and can read nothing of what is
 * below.  The tmpfs is made read-only after the attributes are on it. */
static int cover_dir(int fd, const struct stat *st, char *err, size_t errlen)
{
	char mode[16], uid[16], gid[16], root[64];
	const char *const opts[] = { "size", "4k", "mode", mode, "uid", uid, "gid", gid, NULL };
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
	cleanup_fd int mnt = -1;
	int r;

	snprintf(mode, sizeof(mode), "%04o", (unsigned)(st->st_mode & 07777));
	snprintf(uid, sizeof(uid), "%u", (unsigned)st->st_uid);
	snprintf(gid, sizeof(gid), "%u", (unsigned)st->st_gid);
	mnt = new_tmpfs(opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	r = copy_xattrs(fd, mnt, err, errlen);
	if (r < 0)
		return r;
	snprintf(root, sizeof(root), "/proc/self/fd/%d", mnt);
	if (utimensat(AT_FDCWD, root, (struct timespec[]){ st->st_atim, st->st_mtim }, 0) < 0)
		return melee_fail(err, errlen, -errno, "cannot give its cover its times: %s",
				  strerror(errno));
	if (mount_setattr(mnt, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0)
		return melee_fail(err, errlen, -errno, "cannot make its cover read-only: %s",
				  strerror(errno));
	if (move_mount(mnt, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return melee_fail(err, errlen, -errno, "cannot cover it: %s", strerror(errno));
	return 0;
}

/* tree_walk visitor: every directory that anyone but root can write is
 * left out (covered, never entered).  What is packed is then only what
 * root alone can change: no name below a kept directory can be swapped
 * by a user between mksquashfs's scan and its read.  The walk decides on
 * the lstat of an entry of a directory only root can write, and the
 * cover goes on the directory opened by fd and checked to be that one. */
static int leave_out_writable(const struct tree_entry *e, bool after, void *data, char *err,
			      size_t errlen)
{
	struct left_out *lo = data;
	char shown[256], line[320];
	cleanup_fd int fd = -1;
	struct stat now;
	int r;

	if (after)
		return 0;
	melee_shown(e->path, 200, shown, sizeof(shown));
	/* The clone is non-recursive and private: no mount of the image's
	 * or a user's is in it, and none made since reaches it.  One here
	 * would be packed as what it hides, and looking into it could wait
	 * on a FUSE daemon: never gone past. */
	if (e->mount_point)
		return melee_fail(err, errlen, -EBUSY,
				  "%s/%s: something is mounted there in the image's clone; "
				  "refusing to pack it",
				  lo->imgpath, shown);
	if (has_acl(e)) {
		snprintf(line, sizeof(line), "/%s", shown);
		r = melee_strv_push(&lo->acl, &lo->n_acl, line);
		if (r < 0)
			return melee_fail(err, errlen, r, "out of memory");
	}
	if (!S_ISDIR(e->st->st_mode) || !others_can_write(e->st))
		return 0;
	fd = openat(e->dirfd, e->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &now) < 0)
		return melee_fail(err, errlen, -errno, "%s/%s: %s", lo->imgpath, shown,
				  strerror(errno));
	if (now.st_dev != e->st->st_dev || now.st_ino != e->st->st_ino)
		return melee_fail(err, errlen, -ESTALE, "%s/%s: replaced while it was looked at",
				  lo->imgpath, shown);
	r = cover_dir(fd, &now, err, errlen);
	if (r < 0)
		return melee_fail(err, errlen, r, "%s/%s: %s", lo->imgpath, shown, err);
	/* The line as it will be shown; its path first, to sort by. */
	snprintf(line, sizeof(line), "/%s (owner %u, mode %04o)", shown, (unsigned)now.st_uid,
		 (unsigned)(now.st_mode & 07777));
	r = melee_strv_push(&lo->shown, &lo->n, line);
	if (r < 0)
		return melee_fail(err, errlen, r, "out of memory");
	return TREE_SKIP;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One line per left-out directory in path order, the first few; then
 * how many more. */
static void show_left_out(const char *image, struct left_out *lo)
{
	if (lo->n)
		qsort(lo->shown, lo->n, sizeof(*lo->shown), compare_strings);
	for (size_t i = 0; i < lo->n && i < PACK_SHOWN_LEFT_OUT; i++)
		printf("melee-image: %s: left out what is in %s: others than root can write "
		       "it; packed as an empty directory\n",
		       image, lo->shown[i]);
	if (lo->n > PACK_SHOWN_LEFT_OUT)
		printf("melee-image: %s: left out what is in %zu more such directories, packed "
		       "empty too\n",
		       image, lo->n - PACK_SHOWN_LEFT_OUT);
	for (size_t i = 0; i < lo->n_acl && i < PACK_SHOWN_LEFT_OUT; i++)
		printf("melee-image: %s: %s: its POSIX ACL is not kept (the file image has the "
		       "mode bits only)\n",
		       image, lo->acl[i]);
	if (lo->n_acl > PACK_SHOWN_LEFT_OUT)
		printf("melee-image: %s: and %zu more paths whose ACL is not kept\n", image,
		       lo->n_acl - PACK_SHOWN_LEFT_OUT);
}

/* The packer's /proc: a proc of the packer's own PID namespace
 * (run_mksquashfs), where it is the only process, holding nothing but
 * the process directories (subset=pid), read-only.  mksquashfs writes
 * the new file through /proc/self/fd: an unnamed file (O_TMPFILE,
 * pack_output_create) cannot be bound anywhere, the kernel attaches no
 * mount of an unlinked file. */
static void add_own_proc(int root)
{
	cleanup_fd int fs = fsopen("proc", FSOPEN_CLOEXEC);
	cleanup_fd int mnt = -1;

	if (fs < 0 || fsconfig(fs, FSCONFIG_SET_STRING, "subset", "pid", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		die_errno("pack: cannot create the packer's /proc");
	mnt = fsmount(fs, FSMOUNT_CLOEXEC,
		      MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	if (mnt < 0)
		die_errno("pack: cannot mount the packer's /proc");
	attach(mnt, root, "proc");
}

/* The packer's own root: a fresh tmpfs holding the host's /usr (and its
 * /bin, /lib... links), the image clone at /src and a /proc of its own
 * PID namespace (add_own_proc), where the open temporary file is
 * /proc/self/fd/N.  Built in this process's private mount namespace and
 * made its root by pivot_root, the host's root then detached: a path
 * that mksquashfs opens (a symlink a user swapped in included) resolves
 * in this tree, where the host's /etc, /root and /home do not exist,
 * nor any other process. */
static void enter_packer_root(int tree, const struct melee_image *im)
{
	const char *const opts[] = { "mode", "0755", "size", "64k", NULL };
	int trees[sizeof(host_tops) / sizeof(host_tops[0])];
	struct left_out lo = { .imgpath = im->path };
	char err[MELEE_ERRLEN];
	cleanup_fd int root = -1;

	/* Nothing mounted here reaches the host, nor anything of the host here. */
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die_errno("pack: cannot make a mount namespace of its own");
	root = new_tmpfs(opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	add_host_tops(root, trees);
	if (mkdirat(root, "proc", 0555) < 0 || mkdirat(root, "src", 0755) < 0)
		die_errno("pack: cannot make the packer's root");
	seal_tree(tree, "the image clone");
	/* On top of this namespace's / : pivot_root needs it attached. */
	if (move_mount(root, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) < 0)
		die_errno("pack: cannot attach the packer's root");
	for (int i = 0; host_tops[i]; i++)
		if (trees[i] >= 0) {
			attach(trees[i], root, host_tops[i]);
			close(trees[i]);
		}
	add_own_proc(root);
	attach(tree, root, "src");
	if (tree_walk(tree, im->path, leave_out_writable, &lo, err, sizeof(err)) < 0)
		die("pack: %s", err);
	show_left_out(im->name, &lo);
	melee_strv_free(lo.shown);
	melee_strv_free(lo.acl);
	/* The old root stacked on the new one, then detached. */
	if (fchdir(root) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		die_errno("pack: cannot enter the packer's root");
}

/* How many processors this process may run on (its affinity mask). */
static int usable_processors(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) < 0 || CPU_COUNT(&set) < 1)
		return 1;
	return CPU_COUNT(&set);
}

/* Runs mksquashfs in a child, in the packer's root (enter_packer_root),
 * on the image clone into the open temporary file (/proc/self/fd/N: the
 * file we created and checked is the one written, named or not, whatever
 * happens to its name meanwhile).  Progress and the summary only on a
 * terminal.
 * Returns mksquashfs's exit status, -1 when it did not exit by itself,
 * or PACK_SETUP_FAILED. */
/* image_pack_tree's tree is an import's partial tree, root's 0700 until
 * it is packed (tools/melee-image/melee-image.c make_partial): the
 * squashfs's root is made root's 0755 by mksquashfs, the tree never
 * opened to users. */
static bool root_755;

/* mksquashfs's arguments (at most 21), in argv; processors holds the
 * text of -processors' value, output the path of the fd `out` in the
 * packer's root. */
static void packer_argv(const char **argv, const char *compression, char *processors, size_t len,
			int out, char *output, size_t outlen)
{
	int n = 0;

	snprintf(output, outlen, "/proc/self/fd/%d", out);
	argv[n++] = "mksquashfs";
	argv[n++] = "/src";
	argv[n++] = output;
	argv[n++] = "-noappend";
	/* A file it cannot read ("Failed to read file ..., creating empty
	 * file": a 1 EiB sparse file, one that shrank or went away) is an
	 * error, not an empty file in an image that exits 0.  An xattr
	 * prefix it does not store (system.*) stays a warning. */
	argv[n++] = "-exit-on-error";
	argv[n++] = "-comp";
	argv[n++] = compression;
	/* The packer's root has no /sys and its /proc no /proc/stat
	 * (add_own_proc), where mksquashfs's sysconf(_SC_NPROCESSORS_ONLN)
	 * counts (strace shows the opens); only a glibc that falls back to
	 * sched_getaffinity counts right without them.  The processors we
	 * may run on, counted here. */
	argv[n++] = "-processors";
	argv[n++] = processors;
	snprintf(processors, len, "%d", usable_processors());
	/* Not -one-file-system: 4.5 leaves a mountpoint out altogether, and
	 * the covers of the left-out directories are to be packed as what
	 * they are, empty directories of their owner and mode.  The clone is
	 * non-recursive and this namespace private: the covers are the only
	 * mounts below /src. */
	if (!isatty(STDOUT_FILENO)) {
		argv[n++] = "-no-progress";
		argv[n++] = "-quiet";
	}
	if (root_755) {
		argv[n++] = "-root-mode";
		argv[n++] = "755";
		argv[n++] = "-root-uid";
		argv[n++] = "0";
		argv[n++] = "-root-gid";
		argv[n++] = "0";
	}
	argv[n] = NULL;
}

/* fork(), the child in a PID namespace of its own, its process 1: the
 * packer's /proc (add_own_proc) then shows it alone.  clone3 without a
 * stack is fork; the child calls nothing that needs glibc's idea of its
 * thread id (no raise, no threads) before it execs.  clone where a
 * seccomp filter (a container runtime's) answers clone3 with ENOSYS. */
static pid_t fork_own_pids(void)
{
	struct clone_args args = { .flags = CLONE_NEWPID, .exit_signal = SIGCHLD };
	long pid = syscall(SYS_clone3, &args, sizeof(args));

	if (pid < 0 && errno == ENOSYS)
#if defined(__s390__) || defined(__CRIS__)
		pid = syscall(SYS_clone, 0L, (long)(CLONE_NEWPID | SIGCHLD), 0L, 0L, 0L);
#else
		pid = syscall(SYS_clone, (long)(CLONE_NEWPID | SIGCHLD), 0L, 0L, 0L, 0L);
#endif
	return (pid_t)pid;
}

static int run_mksquashfs(int tree, int out, const char *compression, const struct melee_image *im)
{
	static const char *const packers[] = { "/usr/bin/mksquashfs", "/usr/sbin/mksquashfs",
					       NULL };
	const char *argv[22];
	char processors[16], output[32];
	cleanup_fd int ready_r = -1, ready_w = -1, alive_r = -1, alive_w = -1;
	int status, ready[2], alive[2];
	pid_t pid;
	sigset_t stop, old;
	char c;

	/* The child writes one byte once its root is built, just before the
	 * exec: without it, its exit status is its own, not mksquashfs's. */
	if (pipe2(ready, O_CLOEXEC) < 0)
		die_errno("pipe");
	ready_r = ready[0];
	ready_w = ready[1];
	/* Open for writing here until this process ends: the child sees
	 * POLLHUP on its end once its parent is gone. */
	if (pipe2(alive, O_CLOEXEC) < 0)
		die_errno("pipe");
	alive_r = alive[0];
	alive_w = alive[1];
	packer_argv(argv, compression, processors, sizeof(processors), out, output, sizeof(output));
	fflush(stdout);
	/* A signal between fork and pack_child's assignment would not reach
	 * the child: held back until both know. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop, &old);
	pid = fork_own_pids();
	if (pid < 0)
		die_errno("pack: cannot make a PID namespace of its own");
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		close(melee_steal_fd(&alive_w));
		/* melee-image killed outright (SIGKILL) releases the lock:
		 * mksquashfs must not go on writing after it (the kernel's
		 * SIGKILL reaches a namespace's process 1 from outside).  Its
		 * parent may have died before the prctl: then its end of
		 * the pipe is closed. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 ||
		    poll(&(struct pollfd){ .fd = alive_r, .events = POLLIN }, 1, 0) != 0)
			_exit(127);
		enter_packer_root(tree, im);
		fflush(stdout);
		/* Whatever our caller left open (inherited, not close-on-exec)
		 * does not reach mksquashfs, which now has a /proc: only the
		 * output, made inheritable after.  A kernel before 5.11 has
		 * no CLOSE_RANGE_CLOEXEC: nothing then, as before. */
		close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
		if (fcntl(out, F_SETFD, 0) < 0 || write(ready_w, "R", 1) != 1)
			_exit(127);
		for (int i = 0; packers[i]; i++)
			execv(packers[i], (char *const *)argv);
		fprintf(stderr, "melee-image: cannot run mksquashfs: %s (install squashfs-tools)\n",
			strerror(errno));
		_exit(127);
	}
	pack_child = pid;
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(melee_steal_fd(&ready_w));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die_errno("waitpid");
	pack_child = -1;
	if (read(ready_r, &c, 1) != 1)
		return PACK_SETUP_FAILED;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The description and personality a registration of the file takes over
 * from the tree. */
static void describe_tree(const struct melee_image *im, struct pack_result *res)
{
	char err[MELEE_ERRLEN];
	cleanup_fd int imgfd = image_open_safely(im->path, 0, err, sizeof(err));

	if (imgfd < 0)
		die("pack: %s", err);
	res->description = image_os_pretty_name(imgfd);
	res->linux32 =
	    im->personality == MELEE_PERSONALITY_LINUX32 || image_shell_bits(imgfd) == 32;
}

/* Packs the tree of im (name and path only are read) into file. */
static void pack_image(const struct melee_image *im, const char *file, const char *compression,
		       struct pack_result *res)
{
	struct sigaction sa = { .sa_handler = pack_on_signal };
	char magic[4], size[32];
	cleanup_fd int dfd = -1, tree = -1;
	struct pack_output o;
	const char *base;
	struct stat st;
	int r;

	compression = check_compression(compression);
	dfd = open_file_dir(im, file, &base);
	pack_output_init(&o, dfd, base, file, im->name);
	describe_tree(im, res);
	tree = clone_image_root(im);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	pack_output_create(&o);
	printf("melee-image: %s: packing %s into %s (%s)\n", im->name, im->path, file, compression);
	r = run_mksquashfs(tree, o.fd, compression, im);
	if (pack_interrupted)
		pack_output_fail(&o, "interrupted");
	if (r == PACK_SETUP_FAILED)
		pack_output_fail(&o, "could not build mksquashfs's root of its own");
	if (r != 0)
		pack_output_fail(&o, r < 0 ? "mksquashfs was killed" : "mksquashfs failed");
	/* What is published is a squashfs file that reached the disk. */
	if (pread(o.fd, magic, sizeof(magic), 0) != (ssize_t)sizeof(magic) ||
	    memcmp(magic, SQUASHFS_MAGIC_BYTES, sizeof(magic)) != 0)
		pack_output_fail(&o, "mksquashfs wrote no squashfs file");
	if (fsync(o.fd) < 0 || fstat(o.fd, &st) < 0)
		pack_output_fail(&o, "cannot write the file to disk");
	pack_output_publish(&o);
	close(melee_steal_fd(&o.fd));
	res->size = st.st_size;
	printf("melee-image: %s: wrote %s (%s, %s)\n", im->name, file,
	       human_size(st.st_size, size, sizeof(size)), compression);
}

void image_pack(const struct melee_config *cfg, const char *name, const char *file,
		const char *compression, struct pack_result *res)
{
	const struct melee_image *im = melee_config_find_image(cfg, name);

	if (!im)
		die_status(2, "pack: unknown image '%.80s'", name);
	if (im->source)
		die_status(2,
			   "pack: image '%s' is already a file image (source = %s); only a "
			   "tree image can be packed",
			   im->name, im->source);
	pack_image(im, file, compression, res);
}

void image_pack_tree(const char *name, const char *path, const char *file, const char *compression,
		     struct pack_result *res)
{
	struct melee_image im = { .name = (char *)name, .path = (char *)path };

	root_755 = true;
	pack_image(&im, file, compression, res);
	root_755 = false;
}
