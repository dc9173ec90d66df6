/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Stale binds: found for status and check, replaced in place for up and
 * watch.  See mounts-stale.h. */
#include "mounts-stale.h"
#include "melee-gpu-env.h"
#include "mounts-gpu.h"
#include "mounts-squash.h"
#include "melee-accounts.h"
#include "melee-safety.h"
#include "melee-umount.h"
#include "melee-util.h"
#include "tool-util.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool is_accounts(const struct melee_mount_spec *m)
{
	return strncmp(m->source, MELEE_RUNDIR "/", strlen(MELEE_RUNDIR) + 1) == 0;
}

/* What the mount at mpfd (O_PATH) shows, read through our own fd: the
 * path could have been swapped since it was opened.  O_NONBLOCK and
 * regular only: a FIFO never hangs us. */
static char *read_mounted(int mpfd)
{
	char proc[64];
	cleanup_fd int fd = -1;
	char *text = NULL;
	struct stat st;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", mpfd);
	fd = open(proc, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    melee_read_fd(fd, 64 << 20, &text, NULL) < 0)
		return NULL;
	return text;
}

static char *read_source(const char *path)
{
	cleanup_fd int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	char *text = NULL;
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    melee_read_fd(fd, 64 << 20, &text, NULL) < 0)
		return NULL;
	return text;
}

bool mounts_entry_stale(const struct melee_mount_spec *m, int mpfd, const char *fresh)
{
	struct stat now, shown;

	if (fstat(mpfd, &shown) < 0 || S_ISDIR(shown.st_mode))
		return false;
	if (is_accounts(m)) {
		cleanup_free char *mounted = read_mounted(mpfd), *src = NULL;

		if (!fresh)
			fresh = src = read_source(m->source);
		return mounted && fresh && strcmp(mounted, fresh) != 0;
	}
	/* stat follows symlinks as open_tree in melee_bind does: the bind of
	 * a resolv.conf symlink shows its target. */
	if (stat(m->source, &now) < 0 || S_ISDIR(now.st_mode))
		return false;
	return now.st_dev != shown.st_dev || now.st_ino != shown.st_ino;
}

const char *mounts_repair_what(const struct melee_mount_spec *m)
{
	static char line[8400];

	if (is_accounts(m))
		snprintf(line, sizeof(line), "replaced the merged %s (the host's users changed)",
			 m->target);
	else
		snprintf(line, sizeof(line), "replaced the stale bind of %s (the host replaced %s)",
			 m->target, m->source);
	return line;
}

/* The id of the mount at fd (O_PATH), which melee_unmount_in_image
 * checks before it detaches anything. */
static int mount_id_of(int fd, const char *full, uint64_t *id, char *err, size_t errlen)
{
	struct statx sx;

	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &sx) < 0)
		return melee_fail(err, errlen, -errno, "%s: %s", full, strerror(errno));
	if (!(sx.stx_mask & STATX_MNT_ID))
		return melee_fail(err, errlen, -ENOSYS, "%s: the kernel does not report mount ids",
				  full);
	*id = sx.stx_mnt_id;
	return 0;
}

/* A kernel without MOVE_MOUNT_BENEATH (before Linux 6.5: Debian 12's 6.1).
 * On top of the stale mount is no way: a file replaced by a rename over
 * it (resolv.conf, hosts, the merged accounts) is deleted, and the kernel
 * mounts nothing on a deleted file (-ENOENT); a file renamed away
 * (logrotate's wtmp -> wtmp.1) would become a mountpoint under the new
 * bind, and the host's next rotation could neither rename over nor
 * delete it (-EBUSY).  So the stale mount is detached, by its id as down
 * does it (lazily: a process holding the old file keeps it), and the
 * copy `tree`, made before, attached right after on the mountpoint
 * opened again beneath the image: for that moment (about a millisecond,
 * measured with up in a loop) new opens in the image see the image's own
 * file at that path. */
static int replace_without_beneath(const struct melee_image *im, const struct melee_mount_spec *m,
				   const char *full, int *mpfd, int tree, char *err, size_t errlen)
{
	cleanup_fd int imgfd = image_open_safely(im->path, 0, err, errlen);

	if (imgfd < 0)
		return -EPERM; /* the message is in err */
	/* More than one round only for a stack of mounts someone else made
	 * there: each is detached the same way, down to the image's file. */
	for (int layer = 0; layer < 256; layer++) {
		uint64_t id;
		bool created;
		int r;

		if (*mpfd < 0) {
			*mpfd = image_open_mountpoint(imgfd, im->path, m->target, MELEE_TARGET_FILE,
						      false, &created, err, errlen);
			if (*mpfd < 0)
				return *mpfd;
			if (!melee_is_mountpoint(*mpfd))
				return melee_bind_attach(tree, m->source, *mpfd, false, err,
							 errlen);
		}
		r = mount_id_of(*mpfd, full, &id, err, errlen);
		melee_fd_replace(mpfd, -1);
		if (r < 0)
			return r;
		r = melee_unmount_in_image(im->path, full, id, true, err, errlen);
		if (r < 0)
			return r;
	}
	return melee_fail(err, errlen, -ELOOP, "%s: more than 256 mounts stacked there", full);
}

int mounts_entry_replace(const struct melee_image *im, const struct melee_mount_spec *m, int *mpfd,
			 char *err, size_t errlen)
{
	char full[8192];
	cleanup_fd int tree = -1;
	uint64_t id;
	int r;

	snprintf(full, sizeof(full), "%s%s", im->path, m->target);
	r = mount_id_of(*mpfd, full, &id, err, errlen);
	if (r >= 0)
		r = tree = melee_bind_clone(m->source, false, m->readonly, err, errlen);
	if (r >= 0)
		r = melee_bind_attach(tree, m->source, *mpfd, true, err, errlen);
	/* EINVAL: the flag unknown (before Linux 6.5), or this mount cannot
	 * take one beneath it; the copy is still ours to attach elsewhere. */
	if (r == -EINVAL)
		r = replace_without_beneath(im, m, full, mpfd, tree, err, errlen);
	else if (r >= 0)
		/* Exactly the old mount, reached beneath the image again
		 * without following anything: the new bind now lies under it. */
		r = melee_unmount_in_image(im->path, full, id, true, err, errlen);
	melee_fd_replace(mpfd, -1);
	return r;
}

/* One image's entries with a mount on top, each handed to visit() with
 * its opened mountpoint; the merged accounts as the merge gives them now
 * (computed once, only when an accounts entry is mounted). */
struct stale_walk {
	const struct melee_image *im;
	int imgfd;
	struct melee_mount_plan plan;
	char *passwd, *group;
	bool merged;
};

static void walk_free(struct stale_walk *w)
{
	free(w->passwd);
	free(w->group);
	melee_closep(&w->imgfd);
	melee_plan_free(&w->plan);
}

static int walk_open(struct stale_walk *w, const struct melee_image *im)
{
	char err[MELEE_ERRLEN];

	memset(w, 0, sizeof(*w));
	w->im = im;
	w->imgfd = image_open_safely(im->path, 0, err, sizeof(err));
	if (w->imgfd < 0)
		return -1;
	if (melee_image_plan(im, 0, &w->plan, err, sizeof(err)) < 0) {
		melee_closep(&w->imgfd);
		return -1;
	}
	return 0;
}

/* The merged text entry m should show now, or NULL (not accounts, or the
 * merge fails: up reports that). */
static const char *walk_fresh(struct stale_walk *w, const struct melee_mount_spec *m)
{
	if (!is_accounts(m))
		return NULL;
	if (!w->merged) {
		char err[MELEE_ERRLEN], **suffixes = mounts_image_suffixes(w->im);

		w->merged = true;
		if (melee_accounts_merge(w->imgfd, "/etc", suffixes, &w->passwd, &w->group, NULL,
					 err, sizeof(err)) < 0)
			w->passwd = w->group = NULL;
		melee_strv_free(suffixes);
	}
	return strcmp(m->target, "/etc/passwd") == 0 ? w->passwd : w->group;
}

/* Entry i's mountpoint if a mount sits on it and it is stale, else -1. */
static int walk_stale_entry(struct stale_walk *w, size_t i)
{
	const struct melee_mount_spec *m = &w->plan.m[i];
	char err[MELEE_ERRLEN];
	cleanup_fd int fd = -1;
	bool created;

	if (melee_plan_entry_skipped(w->imgfd, w->im->path, m, NULL, 0) != MELEE_SKIP_NONE)
		return -1;
	fd = image_open_mountpoint(w->imgfd, w->im->path, m->target, MELEE_TARGET_FILE, false,
				   &created, err, sizeof(err));
	if (fd < 0 || !melee_is_mountpoint(fd))
		return -1;
	if (is_accounts(m) && !walk_fresh(w, m))
		return -1;
	if (!mounts_entry_stale(m, fd, walk_fresh(w, m)))
		return -1;
	return melee_steal_fd(&fd);
}

char **mounts_stale_find(const struct melee_image *im, size_t *n)
{
	struct stale_walk w;
	char ver[64];
	char **targets = NULL;

	*n = 0;
	if (im->source && !mounts_squash_mounted(im))
		return NULL; /* a file image that is down */
	if (walk_open(&w, im) < 0)
		return NULL;
	for (size_t i = 0; i < w.plan.n; i++) {
		int fd = walk_stale_entry(&w, i);

		if (fd < 0)
			continue;
		close(fd);
		if (melee_strv_push(&targets, n, w.plan.m[i].target) < 0)
			die("out of memory");
	}
	/* gpu = nvidia: the driver's tmpfs is one bind of host files. */
	if (mounts_gpu_stale(im, w.imgfd, ver, sizeof(ver)) == 1 &&
	    melee_strv_push(&targets, n, MELEE_GPU_DIR) < 0)
		die("out of memory");
	walk_free(&w);
	return targets;
}

static void report_line(void (*report)(bool, const char *), bool failed, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void report_line(void (*report)(bool, const char *), bool failed, const char *fmt, ...)
{
	char line[MELEE_ERRLEN + 512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	report(failed, line);
}

int mounts_stale_repair(const struct melee_image *im, void (*report)(bool failed, const char *line))
{
	const struct mounts_opts quiet = { .quiet = true };
	struct stale_walk w;
	bool accounts_written = false;
	int repaired = 0, failed = 0;

	if (im->source && !mounts_squash_mounted(im))
		return 0;
	if (walk_open(&w, im) < 0)
		return 0; /* unsafe or broken: status and up say why */
	for (size_t i = 0; i < w.plan.n; i++) {
		const struct melee_mount_spec *m = &w.plan.m[i];
		char err[MELEE_ERRLEN];
		int fd = walk_stale_entry(&w, i);

		if (fd < 0)
			continue;
		if (is_accounts(m) && !accounts_written) {
			accounts_written = true;
			if (mounts_write_accounts(im, w.imgfd, &quiet, err, sizeof(err)) < 0) {
				close(fd);
				report_line(report, true,
					    "%s: cannot regenerate the merged accounts: %s",
					    im->name, err);
				failed++;
				continue;
			}
		}
		if (mounts_entry_replace(im, m, &fd, err, sizeof(err)) < 0) {
			report_line(report, true, "%s: cannot replace the stale bind of %s: %s",
				    im->name, m->target, err);
			failed++;
			continue;
		}
		repaired++;
		report_line(report, false, "%s: %s", im->name, mounts_repair_what(m));
	}
	{
		char line[MELEE_ERRLEN];
		int r = mounts_gpu_repair(im, w.imgfd, line, sizeof(line));

		if (r != 0)
			report(r < 0, line);
		if (r < 0)
			failed++;
		else
			repaired += r;
	}
	walk_free(&w);
	return failed ? -1 : repaired;
}
