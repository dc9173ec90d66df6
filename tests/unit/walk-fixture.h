/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the tree_walk() unit tests build their trees with: paths below
 * `base` (the test's own directory), a tree of two directories of files,
 * and, for the tests that mount, a tmpfs of their own in a private mount
 * namespace. */
#ifndef MELEE_WALK_FIXTURE_H
#define MELEE_WALK_FIXTURE_H

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int base = -1;

static inline void mk(const char *rel)
{
	if (mkdirat(base, rel, 0755) < 0 && errno != EEXIST) {
		perror(rel);
		exit(99);
	}
}

/* rel holding `text`. */
static inline void put(const char *rel, const char *text)
{
	int fd = openat(base, rel, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, text, strlen(text)) < 0) {
		perror(rel);
		exit(99);
	}
	close(fd);
}

static inline void touch(const char *rel)
{
	put(rel, "");
}

static inline bool exists(const char *rel)
{
	struct stat st;

	return fstatat(base, rel, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* The tree `rel`: directories a/ and b/, 20 files in each (42 entries). */
static inline void make_tree(const char *rel)
{
	char p[128];

	mk(rel);
	for (const char *d = "a"; *d <= 'b'; d = *d == 'a' ? "b" : "c") {
		snprintf(p, sizeof(p), "%s/%s", rel, d), mk(p);
		for (int i = 0; i < 20; i++) {
			snprintf(p, sizeof(p), "%s/%s/f%d", rel, d, i);
			put(p, "x");
		}
	}
}

/* A tmpfs at `top` in a mount namespace of this process's own, `base`
 * opened on it: true when ready; else the plan is printed and *rc is
 * the exit status: a skip without root, or in a chroot whose root is no
 * mount point (a package build), where / cannot be made private and a
 * mount made here would reach the host's namespace; else a bail out. */
static inline bool private_tmpfs(const char *top, int *rc)
{
	*rc = 0;
	if (geteuid() != 0) {
		printf("1..0 # SKIP mounts need root (run the unit tests as root)\n");
		return false;
	}
	*rc = 99;
	if (unshare(CLONE_NEWNS) < 0) {
		printf("Bail out! no private mount namespace: %s\n", strerror(errno));
		return false;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 && errno == EINVAL) {
		printf("1..0 # SKIP / is not a mount point (a chroot?): its mounts cannot be "
		       "kept private\n");
		*rc = 0;
		return false;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		printf("Bail out! cannot make / private: %s\n", strerror(errno));
		return false;
	}
	if ((mkdir(top, 0755) < 0 && errno != EEXIST) ||
	    mount("melee-unit", top, "tmpfs", 0, "mode=0755") < 0 ||
	    (base = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		printf("Bail out! no tmpfs at %s: %s\n", top, strerror(errno));
		return false;
	}
	return true;
}

/* Whether the child pid exits, with status 0, within `seconds`; one
 * still running then (hung, say in a FUSE request: only SIGKILL ends
 * that) is killed.  Either way it is reaped. */
static inline bool ended_within(pid_t pid, int seconds)
{
	struct timespec t0, now;
	int status = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) && WEXITSTATUS(status) == 0;
		usleep(20000);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec - t0.tv_sec < seconds);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return false;
}

/* A FUSE mount on `path` (of root's, a directory or a regular file as
 * `mode` says) whose /dev/fuse fd nobody reads: its INIT is never
 * answered, every request to it waits for good, as to a daemon that was
 * stopped.  The fd stays open in the calling process (closed, the
 * connection is aborted and every request fails at once); 0 or -errno. */
static inline int mount_deaf_fuse(const char *path, mode_t mode)
{
	char opts[96];
	int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	snprintf(opts, sizeof(opts), "fd=%d,rootmode=%o,user_id=0,group_id=0", fd, (unsigned)mode);
	if (mount("deaf", path, "fuse", MS_NOSUID | MS_NODEV, opts) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return 0;
}

/* Whether a FUSE mount can be made below `top` (the private tmpfs): a
 * package build's chroot may have no /dev/fuse, or no right to mount
 * one; else a skip is printed. */
static inline bool fuse_available(const char *top)
{
	char probe[128];
	int r;

	snprintf(probe, sizeof(probe), "%s/.fuse-probe", top);
	if (mkdir(probe, 0755) < 0 && errno != EEXIST) {
		printf("Bail out! %s: %s\n", probe, strerror(errno));
		exit(99);
	}
	r = mount_deaf_fuse(probe, S_IFDIR | 0755);
	if (r < 0) {
		printf("1..0 # SKIP no FUSE mount can be made here (%s)\n", strerror(-r));
		return false;
	}
	umount2(probe, MNT_DETACH);
	rmdir(probe);
	return true;
}

#endif
