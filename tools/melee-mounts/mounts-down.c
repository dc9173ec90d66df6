/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-mounts down: every mount of the selected images, children first, from one read of the mount
 * table. */
#include "mounts-ops.h"
#include "melee-index.h"
#include "melee-mnt-util.h"
#include "melee-mounts.h"
#include "melee-nosuid.h"
#include "melee-safety.h"
#include "melee-umount.h"
#include "melee-util.h"
#include "image-users.h"
#include "mounts-squash.h"
#include "tool-util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* True if the mount with this id is still in the live mount table. */
static bool mount_id_live(int id)
{
	cleanup_mnt_table struct libmnt_table *tb = mnt_new_table_from_file("/proc/self/mountinfo");
	cleanup_mnt_iter struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;
	bool live = true; /* unknown: assume it is, and say so */

	if (tb && it) {
		live = false;
		while (!live && mnt_table_next_fs(tb, it, &fs) == 0)
			live = mnt_fs_get_id(fs) == id;
	}
	return live;
}

struct owned_target {
	char *full;   /* image path + target */
	size_t image; /* index into sel */
	bool root;    /* the image root itself: only its nosuid bind, not below */
};

static int cmp_target(const void *a, const void *b)
{
	return strcmp(((const struct owned_target *)a)->full,
		      ((const struct owned_target *)b)->full);
}

/* The image owning mount target t: t or one of its parent paths is an
 * expected target.  O(depth * log targets) per mount. */
static const struct owned_target *owner_of(const struct owned_target *v, size_t n, const char *t)
{
	/* Any length: a user can move a mount of theirs deep into /home. */
	cleanup_free char *buf = strdup(t);

	if (!buf)
		die("out of memory");
	for (;;) {
		struct owned_target key = { .full = buf };
		const struct owned_target *hit = bsearch(&key, v, n, sizeof(*v), cmp_target);
		char *slash;

		if (hit && (!hit->root || strcmp(buf, t) == 0))
			return hit;
		slash = strrchr(buf, '/');
		if (!slash || slash == buf)
			return NULL;
		*slash = '\0';
	}
}

/* The mount table's entries by mount id, built at the first image root
 * down meets (nosuid = yes): the parent of each root bind without a scan
 * of the whole table per image (quadratic with 1000 images). */
struct table_ids {
	struct melee_index ix;
	struct libmnt_fs **fs;
};

static struct libmnt_fs *mount_parent(struct libmnt_table *tb, struct table_ids *ti,
				      struct libmnt_fs *fs)
{
	size_t k;

	if (!ti->fs) {
		cleanup_mnt_iter struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
		size_t n = (size_t)mnt_table_get_nents(tb), i = 0;
		struct libmnt_fs *f;

		ti->fs = calloc(n + 1, sizeof(*ti->fs));
		if (!it || !ti->fs || melee_index_init(&ti->ix, n) < 0)
			die("out of memory");
		/* The first entry of an id is kept, as the scan found it. */
		while (i < n && mnt_table_next_fs(tb, it, &f) == 0) {
			ti->fs[i] = f;
			melee_index_put(&ti->ix, NULL, mnt_fs_get_id(f), i++);
		}
	}
	k = melee_index_get(&ti->ix, NULL, mnt_fs_get_parent_id(fs));
	return k == MELEE_INDEX_NONE ? NULL : ti->fs[k];
}

/* The image root that down last walked to: one image at a time, so that
 * 1000 images never hold 1000 fds. */
struct down_root {
	size_t image;
	int fd;
};

/* melee_unmount_in_image for down.  The image root is walked safely once for the
 * run of its mounts rather than once per mount (twenty syscalls for each
 * of 28 mounts an image has with the rbind submounts): its path is
 * root's and trusted, and every target below it is still resolved
 * beneath the root without following anything (melee_unmount_beneath). */
static int unmount_down(const struct melee_image *im, size_t image, struct down_root *root,
			const char *t, bool on_root, int id, bool lazy, char *err, size_t errlen)
{
	size_t len = strlen(im->path);

	if (root->fd >= 0 && root->image != image)
		melee_fd_replace(&root->fd, -1);
	/* The root's own bind is reached from its parent, and our fd on the
	 * root would keep it busy. */
	if (on_root || strcmp(im->path, "/") == 0 || !melee_path_under(t, im->path) ||
	    t[len] != '/') {
		melee_fd_replace(&root->fd, -1);
		return melee_unmount_in_image(im->path, t, (uint64_t)id, lazy, err, errlen);
	}
	if (root->fd < 0) {
		root->fd = image_open_safely(im->path, 0, err, errlen);
		if (root->fd < 0)
			return -EPERM; /* the message is in err, as melee_unmount_in_image's */
		root->image = image;
	}
	return melee_unmount_beneath(root->fd, im->path, t + len + 1, (uint64_t)id, lazy, err,
				     errlen);
}

/* Processes inside an image (a melee or login session, a job) would keep
 * running without their /proc, /dev and /home, and the image would be
 * left partial with its busy mounts: down refuses such an image unless
 * told --force, or --lazy (the boot's ExecStop, which detaches).  The
 * refused ones get refused[i] and img_rc[i]. */
static void refuse_in_use(const struct melee_image **sel, size_t n, bool *refused, int *img_rc)
{
	cleanup_free const char **paths = calloc(n + 1, sizeof(*paths));
	cleanup_free size_t *users = calloc(n + 1, sizeof(*users));
	int r;

	if (!paths || !users)
		die("out of memory");
	for (size_t i = 0; i < n; i++)
		paths[i] = sel[i]->path;
	r = image_users_count(paths, n, users);
	for (size_t i = 0; i < n; i++) {
		if (r < 0)
			warn("%s: not unmounted: cannot tell whether processes are inside the "
			     "image (/proc: %s); 'melee-mounts --force down %s' unmounts it anyway",
			     sel[i]->name, strerror(-r), sel[i]->name);
		else if (users[i])
			warn("%s: not unmounted: %zu process%s inside the image; let %s leave, "
			     "or 'melee-mounts --force down %s' unmounts it anyway "
			     "('--lazy down' detaches what they use)",
			     sel[i]->name, users[i], users[i] == 1 ? " is" : "es are",
			     users[i] == 1 ? "it" : "them", sel[i]->name);
		else
			continue;
		refused[i] = true;
		img_rc[i] = 1;
	}
}

/* What down works through: the images asked for, per image whether it
 * was refused, its status, what it unmounted and left busy, and every
 * target it owns, sorted (owner_of). */
struct down_run {
	const struct melee_image **sel;
	size_t n;
	bool *refused;
	int *img_rc;
	size_t *n_done, *n_busy;
	struct owned_target *v;
	size_t nv;
	/* One round's failures (down_rounds), said only once no round is
	 * to follow: rc and busy per image, and the warnings. */
	int *round_rc;
	size_t *round_busy;
	char **warnings;
	size_t n_warnings;
	bool moved; /* a mount no longer where the table said: another round */
};

/* The targets of each image's plan, and its root (a nosuid bind left by
 * nosuid = yes goes too, also after the option was turned off). */
static void down_collect(struct down_run *d)
{
	char err[MELEE_ERRLEN];

	for (size_t i = 0; i < d->n; i++) {
		struct melee_mount_plan plan = { 0 };

		if (d->refused[i])
			continue;
		if (melee_image_plan(d->sel[i], 0, &plan, err, sizeof(err)) < 0) {
			warn("%s: %s", d->sel[i]->name, err);
			d->img_rc[i] = 1;
			continue;
		}
		d->v = realloc(d->v, (d->nv + plan.n + 2) * sizeof(*d->v));
		if (!d->v)
			die("out of memory");
		for (size_t j = 0; j < plan.n; j++) {
			struct owned_target *ot = &d->v[d->nv++];

			if (asprintf(&ot->full, "%s%s", d->sel[i]->path, plan.m[j].target) < 0)
				die("out of memory");
			ot->root = false;
			ot->image = i;
		}
		d->v[d->nv].full = strdup(d->sel[i]->path);
		if (!d->v[d->nv].full)
			die("out of memory");
		d->v[d->nv].root = true;
		d->v[d->nv++].image = i;
		melee_plan_free(&plan);
	}
	qsort(d->v, d->nv, sizeof(*d->v), cmp_target);
}

/* An unmount of target t (mount `id`) of image `image` that failed
 * with r: false when the mount is already gone (detached together with
 * the mount it sat on, or unmounted on the host), which is not a
 * failure; else the warning noted for the round, and true.  A mount
 * still there whose path no longer leads to it (a user renames a
 * directory above their own FUSE mount in /home, which the image's copy
 * shows: the table was read before) asks for another round. */
static bool down_failed(struct down_run *d, size_t image, const char *t, int id, int r,
			const char *err)
{
	const struct melee_image *im = d->sel[image];
	char *msg = NULL;
	int n;

	if ((r == -EINVAL || r == -ENOENT || r == -ESTALE || r == -ELOOP) && !mount_id_live(id))
		return false;
	if (r == -EINVAL || r == -ENOENT || r == -ESTALE || r == -ELOOP)
		d->moved = true;
	if (r == -EBUSY) {
		n = asprintf(&msg,
			     "%s: %s is busy (in use); 'melee-mounts --lazy down %s' detaches it",
			     im->name, t, im->name);
		d->round_busy[image]++;
	} else if (r == -ESTALE || r == -ELOOP || r == -ENOENT) {
		n = asprintf(&msg, "%s: left mounted: %s", im->name, err);
	} else {
		n = asprintf(&msg, "%s: cannot unmount %s: %s", im->name, t, err);
	}
	if (n < 0 || melee_strv_push(&d->warnings, &d->n_warnings, msg) < 0)
		die("out of memory");
	free(msg);
	d->round_rc[image] = 1;
	return true;
}

/* Whether the table shows a mount on fs's root at fs's own place: one
 * attached beneath it, or stacked on it. */
static bool has_child_in_place(struct libmnt_table *tb, struct libmnt_fs *fs)
{
	cleanup_mnt_iter struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
	const char *t = mnt_fs_get_target(fs);
	struct libmnt_fs *c;

	while (it && t && mnt_table_next_fs(tb, it, &c) == 0)
		if (mnt_fs_get_parent_id(c) == mnt_fs_get_id(fs) && mnt_fs_get_target(c) &&
		    strcmp(mnt_fs_get_target(c), t) == 0)
			return true;
	return false;
}

/* A mount of down_unmount's retry list tried again, still by its id:
 * counted when it is gone. */
static int unmount_again(struct down_run *d, struct down_root *root, struct libmnt_fs *fs,
			 bool lazy, char *err, size_t errlen)
{
	const char *t = mnt_fs_get_target(fs);
	const struct owned_target *ot = owner_of(d->v, d->nv, t);
	int r = unmount_down(d->sel[ot->image], ot->image, root, t, ot->root, mnt_fs_get_id(fs),
			     lazy, err, errlen);

	if (r >= 0)
		d->n_done[ot->image]++;
	return r;
}

/* A mount inside a user's own FUSE mount (melee_fs_is_users_fuse; a
 * second one of theirs on a directory of the first, with allow_other):
 * the way to it is looked up by that daemon, which its user can stop and
 * so hang down, lock held, until SIGKILL.  It is not walked
 * to: the outermost user's FUSE mount holds it, and is reached without
 * asking any daemon (its own root, from a directory of ours); a plain
 * down finds that one busy, --lazy detaches it with all that is on it. */
static bool inside_users_fuse(struct libmnt_table *tb, struct table_ids *ids, struct libmnt_fs *fs)
{
	struct libmnt_fs *p = mount_parent(tb, ids, fs);

	for (int depth = 0; p && depth < 4096; depth++, p = mount_parent(tb, ids, p))
		if (melee_fs_is_users_fuse(p))
			return true;
	return false;
}

/* One pass over the mount table, backwards: a submount comes after the
 * mount it sits on, so children go first.  Not a mount attached beneath
 * another (MOVE_MOUNT_BENEATH: a GPU tmpfs whose fill failed stays
 * hidden beneath the old one, mounts-gpu-bind.c gpu_replace): it comes
 * later yet is the parent, so the path leads to the one on top (-ESTALE)
 * and the mounts below it are busy.  Such a mount (the table shows a
 * mount on it at its own place) and the busy ones are tried again, each
 * still by its id, as long as a round unmounts something; a path that
 * leads to any other mount is left, as before. */
static void down_unmount(struct down_run *d, struct libmnt_table *tb, const struct mounts_opts *o,
			 bool lazy)
{
	cleanup_mnt_iter struct libmnt_iter *it = mnt_new_iter(MNT_ITER_BACKWARD);
	struct down_root root = { .fd = -1 };
	struct table_ids ids = { 0 };
	char err[MELEE_ERRLEN];
	struct libmnt_fs *fs;
	cleanup_free struct libmnt_fs **again = NULL;
	size_t n_again = 0;
	bool progress = true;
	int r;

	if (!it)
		die("out of memory");
	while (mnt_table_next_fs(tb, it, &fs) == 0) {
		const char *t = mnt_fs_get_target(fs);
		const struct owned_target *ot = t ? owner_of(d->v, d->nv, t) : NULL;
		const struct melee_image *im;

		if (!ot || (ot->root && !melee_fs_is_self_bind(mount_parent(tb, &ids, fs), fs)))
			continue;
		im = d->sel[ot->image];
		if (inside_users_fuse(tb, &ids, fs))
			continue;
		if (o->dry_run) {
			size_t len = strlen(t);
			cleanup_free char *shown = malloc(len + 5);

			if (!shown)
				die("out of memory");
			printf("would unmount %s\n", melee_shown(t, len, shown, len + 5));
			continue;
		}
		r = unmount_down(im, ot->image, &root, t, ot->root, mnt_fs_get_id(fs), lazy, err,
				 sizeof(err));
		if (r >= 0) {
			d->n_done[ot->image]++;
		} else if ((r == -EBUSY || (r == -ESTALE && has_child_in_place(tb, fs))) &&
			   mount_id_live(mnt_fs_get_id(fs))) {
			again = realloc(again, (n_again + 1) * sizeof(*again));
			if (!again)
				die("out of memory");
			again[n_again++] = fs;
		} else {
			down_failed(d, ot->image, t, mnt_fs_get_id(fs), r, err);
		}
	}
	while (n_again && progress) {
		size_t kept = 0;

		progress = false;
		for (size_t k = 0; k < n_again; k++) {
			if (unmount_again(d, &root, again[k], lazy, err, sizeof(err)) >= 0)
				progress = true;
			else
				again[kept++] = again[k];
		}
		n_again = kept;
	}
	for (size_t k = 0; k < n_again; k++) {
		const char *t = mnt_fs_get_target(again[k]);
		size_t image = owner_of(d->v, d->nv, t)->image;

		r = unmount_again(d, &root, again[k], lazy, err, sizeof(err));
		if (r < 0)
			down_failed(d, image, t, mnt_fs_get_id(again[k]), r, err);
	}
	melee_fd_replace(&root.fd, -1);
	melee_index_free(&ids.ix);
	free(ids.fs);
}

/* Rounds of down_unmount, each on the mount table read again, while a
 * mount was no longer at the path the table gave (down_failed): a user
 * renaming directories above a mount of theirs in /home (as fast as
 * renameat2 goes) can lead a round's path elsewhere, not every round's.
 * The mount id check still keeps each round to the table's mounts.  Only
 * the last round's failures are said and counted. */
#define DOWN_ROUNDS 16
static void down_rounds(struct down_run *d, struct libmnt_table *tb, const struct mounts_opts *o,
			bool lazy)
{
	cleanup_mnt_table struct libmnt_table *again = NULL;
	char err[MELEE_ERRLEN];

	for (int round = 0;; round++) {
		d->moved = false;
		melee_strv_free(d->warnings);
		d->warnings = NULL;
		d->n_warnings = 0;
		memset(d->round_rc, 0, d->n * sizeof(*d->round_rc));
		memset(d->round_busy, 0, d->n * sizeof(*d->round_busy));
		down_unmount(d, again ? again : tb, o, lazy);
		if (!d->moved || round == DOWN_ROUNDS - 1 || o->dry_run)
			break;
		mnt_unref_table(again);
		again = melee_mounttab_read(err, sizeof(err));
		if (!again)
			die("%s", err);
	}
	/* Mount paths are users' choice (a FUSE mount of theirs, a directory
	 * renamed): shown with every control byte as '?', so that none
	 * reaches root's terminal. */
	for (size_t i = 0; i < d->n_warnings; i++) {
		size_t len = strlen(d->warnings[i]);
		cleanup_free char *shown = malloc(len + 5);

		if (!shown)
			die("out of memory");
		warn("%s", melee_shown(d->warnings[i], len, shown, len + 5));
	}
	for (size_t i = 0; i < d->n; i++) {
		d->img_rc[i] |= d->round_rc[i];
		d->n_busy[i] += d->round_busy[i];
	}
	melee_strv_free(d->warnings);
	d->warnings = NULL;
	d->n_warnings = 0;
}

/* "NAME: unmounted N" per image, and the status of all. */
static int down_report(const struct down_run *d, const struct mounts_opts *o)
{
	int rc = 0;

	for (size_t i = 0; i < d->n; i++) {
		if (!o->quiet && !o->dry_run && !d->refused[i]) {
			if (d->n_done[i] == 0 && d->img_rc[i] == 0)
				printf("%s: nothing mounted\n", d->sel[i]->name);
			else
				printf("%s: unmounted %zu%s\n", d->sel[i]->name, d->n_done[i],
				       d->n_busy[i] ? ", some busy" : "");
		}
		rc |= d->img_rc[i];
	}
	return rc;
}

int mounts_down(const struct melee_image **sel, size_t n, const struct mounts_opts *o)
{
	cleanup_free bool *refused = calloc(n + 1, sizeof(bool));
	cleanup_free size_t *n_done = calloc(n + 1, sizeof(size_t));
	cleanup_free size_t *n_busy = calloc(n + 1, sizeof(size_t));
	cleanup_free size_t *round_busy = calloc(n + 1, sizeof(size_t));
	cleanup_free int *img_rc = calloc(n + 1, sizeof(int));
	cleanup_free int *round_rc = calloc(n + 1, sizeof(int));
	struct down_run d = { .sel = sel,
			      .n = n,
			      .refused = refused,
			      .img_rc = img_rc,
			      .n_done = n_done,
			      .n_busy = n_busy,
			      .round_rc = round_rc,
			      .round_busy = round_busy };
	char err[MELEE_ERRLEN];
	cleanup_mnt_table struct libmnt_table *tb = melee_mounttab_read(err, sizeof(err));
	struct mounts_opts eff = *o;
	int rc;

	if (!tb)
		die("%s", err);
	if (!n_done || !n_busy || !img_rc || !refused || !round_rc || !round_busy)
		die("out of memory");
	if (!o->force && !o->lazy && !o->dry_run)
		refuse_in_use(sel, n, refused, img_rc);
	/* --force: what the processes inside keep busy is detached. */
	eff.lazy |= o->force;
	down_collect(&d);
	down_rounds(&d, tb, o, eff.lazy);
	/* A file image's own layers last, once everything on them is gone. */
	for (size_t i = 0; i < n; i++)
		if (sel[i]->source && img_rc[i] == 0)
			img_rc[i] = mounts_squash_down(sel[i], &eff, &n_done[i], &n_busy[i]);
	rc = down_report(&d, o);
	for (size_t i = 0; i < d.nv; i++)
		free(d.v[i].full);
	free(d.v);
	return rc;
}
