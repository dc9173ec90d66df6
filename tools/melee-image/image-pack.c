/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-image pack: writes a tree image as one squashfs file with mksquashfs. */
#include "image-pack.h"
#include "image-tree.h"
#include "melee-safety.h"
#include "melee-util.h"
#include "tool-util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The first bytes of every squashfs file ("hsqs", little-endian 0x73717368). */
#define SQUASHFS_MAGIC_BYTES "hsqs"

static volatile sig_atomic_t pack_interrupted;
static volatile pid_t pack_child = -1;

static void pack_on_signal(int sig)
{
	pack_interrupted = sig;
	if (pack_child > 0)
		kill(pack_child, SIGTERM);
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
		die_status(2, "pack: %s: refused, its directory is not safe for an image file "
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

/* Runs mksquashfs on the tree (its cwd) into the open temporary file:
 * mksquashfs writes through /proc/self/fd, so the file we created (and
 * checked) is the one written, whatever happens to the name meanwhile.
 * Progress and the summary only on a terminal.  Returns mksquashfs's
 * exit status, or -1 when it did not exit by itself. */
static int run_mksquashfs(int tree, int out, const char *compression)
{
	const char *argv[12];
	char dest[64];
	int n = 0, status;
	pid_t pid;

	snprintf(dest, sizeof(dest), "/proc/self/fd/%d", 3);
	argv[n++] = "mksquashfs";
	argv[n++] = ".";
	argv[n++] = dest;
	argv[n++] = "-noappend";
	argv[n++] = "-comp";
	argv[n++] = compression;
	/* A second guard behind the clone: never cross into another file system. */
	argv[n++] = "-one-file-system";
	if (!isatty(STDOUT_FILENO)) {
		argv[n++] = "-no-progress";
		argv[n++] = "-quiet";
	}
	argv[n] = NULL;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die_errno("fork");
	if (pid == 0) {
		/* The output as fd 3 (not close-on-exec), cwd the clone. */
		if (dup2(out, 3) < 0 || fchdir(tree) < 0)
			_exit(127);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		/* PATH is melee-image's fixed one (secure_environment). */
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "melee-image: cannot run mksquashfs: %s (install squashfs-tools)\n",
			strerror(errno));
		_exit(127);
	}
	pack_child = pid;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die_errno("waitpid");
	pack_child = -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Removes the temporary file and dies: FILE itself was never touched. */
static noreturn void fail_tmp(int dfd, const char *tmp, const char *file, const char *why)
{
	unlinkat(dfd, tmp, 0);
	die("pack: %s; %s was not changed", why, file);
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
	res->linux32 = im->personality == MELEE_PERSONALITY_LINUX32 ||
		       image_shell_bits(imgfd) == 32;
}

void image_pack(const struct melee_config *cfg, const char *name, const char *file,
		const char *compression, struct pack_result *res)
{
	const struct melee_image *im = melee_config_find_image(cfg, name);
	struct sigaction sa = { .sa_handler = pack_on_signal };
	char tmp[NAME_MAX + 32], magic[4], size[32];
	cleanup_fd int dfd = -1, tree = -1, out = -1;
	const char *base;
	struct stat st;
	int r;

	if (!im)
		die_status(2, "pack: unknown image '%.80s'", name);
	if (im->source)
		die_status(2, "pack: image '%s' is already a file image (source = %s); only a "
			      "tree image can be packed",
			   im->name, im->source);
	compression = check_compression(compression);
	dfd = open_file_dir(im, file, &base);
	if ((size_t)snprintf(tmp, sizeof(tmp), ".%s.pack%ld", base, (long)getpid()) >=
	    sizeof(tmp))
		die_status(2, "pack: %s: name too long", file);
	describe_tree(im, res);
	tree = clone_image_root(im);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* O_EXCL|O_NOFOLLOW: never write through something planted here (a
	 * leftover of a killed pack of ours is removed first). */
	unlinkat(dfd, tmp, 0);
	out = openat(dfd, tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (out < 0)
		die_errno("pack: cannot create %s in the directory of %s", tmp, file);
	if (fchown(out, 0, 0) < 0 || fchmod(out, 0644) < 0)
		fail_tmp(dfd, tmp, file, "cannot make the temporary file root's, mode 0644");
	printf("melee-image: %s: packing %s into %s (%s)\n", im->name, im->path, file,
	       compression);
	r = run_mksquashfs(tree, out, compression);
	if (pack_interrupted)
		fail_tmp(dfd, tmp, file, "interrupted");
	if (r != 0)
		fail_tmp(dfd, tmp, file, r < 0 ? "mksquashfs was killed" : "mksquashfs failed");
	/* What is renamed into place is a squashfs file that reached the disk. */
	if (pread(out, magic, sizeof(magic), 0) != (ssize_t)sizeof(magic) ||
	    memcmp(magic, SQUASHFS_MAGIC_BYTES, sizeof(magic)) != 0)
		fail_tmp(dfd, tmp, file, "mksquashfs wrote no squashfs file");
	if (fsync(out) < 0 || fstat(out, &st) < 0)
		fail_tmp(dfd, tmp, file, "cannot write the file to disk");
	if (renameat(dfd, tmp, dfd, base) < 0)
		fail_tmp(dfd, tmp, file, "cannot move the new file into place");
	fsync(dfd);
	res->size = st.st_size;
	printf("melee-image: %s: wrote %s (%s, %s)\n", im->name, file,
	       human_size(st.st_size, size, sizeof(size)), compression);
}
