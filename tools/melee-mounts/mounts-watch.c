/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-mounts watch: inotify on what every image's binds come from, and
 * the repairs of mounts-stale.c under the lock.  See mounts-watch.h. */
#include "mounts-watch.h"
#include "mounts-stale.h"
#include "mounts-gpu.h"
#include "melee-config.h"
#include "melee-mounts.h"
#include "melee-lock.h"
#include "melee-util.h"
#include "tool-util.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

/* Every change that can leave a bind stale: a rename or a new file over
 * a name, a deletion, an edit in place (accounts), and the directory
 * itself going away (systemd-resolved's /run/systemd/resolve). */
#define WATCH_MASK                                                                                 \
	(IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CLOSE_WRITE | IN_DELETE_SELF |   \
	 IN_MOVE_SELF | IN_ONLYDIR)

/* One watched directory and the names in it that matter (none: all). */
struct watch_dir {
	int wd;
	bool any;
	char **names;
	size_t n;
};

struct watch_set {
	int fd;
	struct watch_dir *dirs;
	size_t n;
};

static void watch_set_free(struct watch_set *ws)
{
	for (size_t i = 0; i < ws->n; i++)
		melee_strv_free(ws->dirs[i].names);
	free(ws->dirs);
	melee_closep(&ws->fd);
	ws->dirs = NULL;
	ws->n = 0;
}

/* Watches directory `dir` for `name` (NULL: for every name).  A missing
 * directory is watched through its nearest existing ancestor, for the
 * first missing component: its creation starts a new round. */
static void watch_add(struct watch_set *ws, const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct watch_dir *d = NULL;
	int wd;

	snprintf(path, sizeof(path), "%s", dir);
	while ((wd = inotify_add_watch(ws->fd, path, WATCH_MASK)) < 0) {
		char *slash = strrchr(path, '/');

		if ((errno != ENOENT && errno != ENOTDIR) || !slash || slash == path)
			return;
		*slash = '\0';
		name = dir + (slash - path) + 1;
		if (strchr(name, '/')) {
			static char first[NAME_MAX + 1];

			snprintf(first, sizeof(first), "%.*s", (int)(strchr(name, '/') - name),
				 name);
			name = first;
		}
	}
	for (size_t i = 0; i < ws->n && !d; i++)
		if (ws->dirs[i].wd == wd)
			d = &ws->dirs[i];
	if (!d) {
		struct watch_dir *nd = realloc(ws->dirs, (ws->n + 1) * sizeof(*nd));

		if (!nd)
			die("out of memory");
		ws->dirs = nd;
		d = &ws->dirs[ws->n++];
		memset(d, 0, sizeof(*d));
		d->wd = wd;
	}
	if (!name)
		d->any = true;
	else if (!melee_strv_contains(d->names, name) &&
		 melee_strv_push(&d->names, &d->n, name) < 0)
		die("out of memory");
}

/* A bind's source and, when it is a symlink, every hop to its target:
 * the bind shows the target (stub-resolv.conf under /run/systemd/resolve
 * for a resolv.conf link), and a new target file or a new link both make
 * it stale. */
static void watch_source(struct watch_set *ws, const char *source)
{
	char path[PATH_MAX], dir[PATH_MAX], real[PATH_MAX], link[PATH_MAX];

	snprintf(path, sizeof(path), "%s", source);
	for (int hop = 0; hop < 16; hop++) {
		char *slash = strrchr(path, '/');
		ssize_t len;

		if (!slash)
			return;
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
		if (!realpath(dir[0] ? dir : "/", real)) {
			watch_add(ws, dir[0] ? dir : "/", slash + 1);
			return;
		}
		watch_add(ws, real, slash + 1);
		if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", strcmp(real, "/") ? real : "",
				     slash + 1) >= sizeof(dir))
			return;
		len = readlink(dir, link, sizeof(link) - 1);
		if (len < 0)
			return;
		link[len] = '\0';
		if (link[0] == '/')
			snprintf(path, sizeof(path), "%s", link);
		else if ((size_t)snprintf(path, sizeof(path), "%s/%s",
					  strcmp(real, "/") ? real : "", link) >= sizeof(path))
			return;
	}
}

static void watch_add_cb(void *ctx, const char *dir, const char *name)
{
	watch_add(ctx, dir, name);
}

static void watch_image(struct watch_set *ws, const struct melee_image *im)
{
	struct melee_mount_plan plan;
	char err[MELEE_ERRLEN];

	if (melee_image_plan(im, 0, &plan, err, sizeof(err)) < 0)
		return; /* broken: status says why; a fixed fstab is a config event */
	for (size_t i = 0; i < plan.n; i++) {
		struct stat st;

		if (plan.m[i].recursive ||
		    (stat(plan.m[i].source, &st) == 0 && S_ISDIR(st.st_mode)))
			continue;
		watch_source(ws, plan.m[i].source);
	}
	melee_plan_free(&plan);
	if (im->accounts == MELEE_ACCOUNTS_MERGE) {
		/* What melee_accounts_merge reads, and shadow: useradd and
		 * passwd replace it with passwd. */
		static const char *const files[] = { "passwd", "group", "shadow", "login.defs" };

		for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
			watch_add(ws, "/etc", files[i]);
	}
	/* A driver updated while the image is up (mounts_gpu_stale): the
	 * library directories themselves are not watched, the new ld.so
	 * cache marks the end of an update. */
	if (im->gpu == MELEE_GPU_NVIDIA)
		mounts_gpu_watch_paths(watch_add_cb, ws);
}

/* The configuration's files, and the lock that every up and down takes
 * and closes: an image going up or down (or a new fstab) starts a round. */
static void watch_config(struct watch_set *ws, const char *config)
{
	char dir[PATH_MAX], sub[PATH_MAX + 16];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", config);
	slash = strrchr(dir, '/');
	if (slash && slash != dir)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), "%s", slash ? "/" : ".");
	watch_add(ws, dir, NULL);
	snprintf(sub, sizeof(sub), "%s/images.d", dir);
	watch_add(ws, sub, NULL);
	if (mkdir(MELEE_RUNDIR, 0755) < 0 && errno != EEXIST)
		warn("cannot create %s: %s", MELEE_RUNDIR, strerror(errno));
	watch_add(ws, MELEE_RUNDIR, MELEE_RUNDIR_LOCK);
}

static bool image_selected(const struct melee_config *cfg, const struct melee_image *im,
			   char **names, int n)
{
	for (int i = 0; i < n; i++)
		if (melee_config_find_image(cfg, names[i]) == im)
			return true;
	return n == 0;
}

static bool quiet_output;

static void report(bool failed, const char *line)
{
	syslog(failed ? LOG_ERR : LOG_NOTICE, "%s", line);
	if (failed)
		warn("%s", line);
	else if (!quiet_output) {
		printf("%s\n", line);
		fflush(stdout);
	}
}

/* One round: the watches for the configuration as it is now, set before
 * the images are looked at (a change after the look is an event, one
 * before it is seen by the look), then the repairs.  True when it took the
 * lock (and so made events on it of its own). */
static bool watch_round(struct watch_set *ws, const char *config, char **names, int n)
{
	struct melee_config cfg;
	char err[MELEE_ERRLEN];
	bool stale = false;
	cleanup_fd int lock = -1;

	watch_set_free(ws);
	ws->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ws->fd < 0)
		die_errno("inotify_init1");
	watch_config(ws, config);
	if (melee_config_load(config, 0, &cfg, err, sizeof(err)) < 0) {
		report(true, err);
		return false;
	}
	for (size_t i = 0; i < cfg.n_images; i++)
		if (image_selected(&cfg, &cfg.images[i], names, n))
			watch_image(ws, &cfg.images[i]);
	/* Looked at without the lock: an idle round takes nothing. */
	for (size_t i = 0; i < cfg.n_images && !stale; i++) {
		size_t k = 0;
		char **t;

		if (!image_selected(&cfg, &cfg.images[i], names, n))
			continue;
		t = mounts_stale_find(&cfg.images[i], &k);
		melee_strv_free(t);
		stale = k > 0;
	}
	melee_config_free(&cfg);
	if (!stale)
		return false;
	/* The repairs under the lock, with the configuration read again
	 * under it (as up and down do): a remove holding the lock may have
	 * withdrawn an image since the look above. */
	lock = melee_lock_take(true, err, sizeof(err));
	if (lock < 0) {
		report(true, err);
		return false;
	}
	if (melee_config_load(config, 0, &cfg, err, sizeof(err)) < 0) {
		report(true, err);
		return true;
	}
	for (size_t i = 0; i < cfg.n_images; i++)
		if (image_selected(&cfg, &cfg.images[i], names, n))
			mounts_stale_repair(&cfg.images[i], report);
	melee_config_free(&cfg);
	return true;
}

/* Reads what is queued; true if an event concerns a watched name (or
 * the watches themselves: a directory gone, a queue overflow).  With
 * own_lock, events on the lock file are not counted: they are this
 * process's own, from the round that just repaired. */
static bool drain(const struct watch_set *ws, bool own_lock)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool relevant = false;
	ssize_t len;

	while ((len = read(ws->fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + len;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			p += sizeof(*ev) + ev->len;
			if (ev->mask &
			    (IN_Q_OVERFLOW | IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) {
				relevant = true;
				continue;
			}
			if (own_lock && ev->len && strcmp(ev->name, MELEE_RUNDIR_LOCK) == 0)
				continue;
			for (size_t i = 0; i < ws->n; i++)
				if (ws->dirs[i].wd == ev->wd &&
				    (ws->dirs[i].any ||
				     (ev->len && melee_strv_contains(ws->dirs[i].names, ev->name))))
					relevant = true;
		}
	}
	if (len < 0 && errno != EAGAIN && errno != EINTR)
		die_errno("reading inotify events");
	return relevant;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Sleeps until a relevant event, then until 100 ms pass without one (a
 * package install replaces many files), at most MOUNTS_WATCH_SETTLE_MS. */
static void wait_change(const struct watch_set *ws)
{
	struct pollfd p = { .fd = ws->fd, .events = POLLIN };
	long first;

	do {
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			die_errno("poll");
	} while (!drain(ws, false));
	first = now_ms();
	for (;;) {
		long left = MOUNTS_WATCH_SETTLE_MS - (now_ms() - first);
		int r;

		if (left <= 0)
			return;
		r = poll(&p, 1, left < 100 ? (int)left : 100);
		if (r < 0 && errno != EINTR)
			die_errno("poll");
		if (r == 0)
			return;
		drain(ws, false);
	}
}

int mounts_watch(const char *config, char **names, int n, bool quiet)
{
	struct watch_set ws = { .fd = -1 };

	quiet_output = quiet;
	openlog("melee-mounts", LOG_PID, LOG_DAEMON);
	syslog(LOG_INFO, "watching the host files bound into %s",
	       n ? "the images named" : "every image");
	for (;;) {
		/* A round that repaired woke its own watch on the lock: that
		 * alone is no change, or a repair that keeps failing (a full
		 * /run) would go round again every 100 ms.  Anything else
		 * queued meanwhile starts the next round at once. */
		if (watch_round(&ws, config, names, n) && drain(&ws, true))
			continue;
		wait_change(&ws);
	}
	return 0;
}
