/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-mounts' part of nosuid = yes: the nosuid self-bind of an image root, made first by up. */
#include "mounts-nosuid.h"
#include "melee-index.h"
#include "melee-mnt-util.h"
#include "melee-mounts.h"
#include "melee-nosuid.h"
#include "melee-safety.h"
#include "melee-util.h"
#include "tool-util.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* Paths ordered so that everything below a path directly follows it:
 * '/' sorts before every other character ("/a/x" < "/a-b"). */
static int path_cmp(const char *a, const char *b)
{
	for (; *a && *a == *b; a++, b++)
		;
	if (*a == *b)
		return 0;
	if (!*a || !*b)
		return *a ? 1 : -1;
	if (*a == '/' || *b == '/')
		return *a == '/' ? -1 : 1;
	return (unsigned char)*a - (unsigned char)*b;
}

static int path_qcmp(const void *a, const void *b)
{
	return path_cmp(*(char *const *)a, *(char *const *)b);
}

/* The first index of v[0..n) (sorted by path_cmp) not before key. */
static size_t lower_bound(char *const *v, size_t n, const char *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (path_cmp(v[mid], key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* True if a path in v (sorted) is strictly below path (no trailing '/'). */
static bool sorted_has_below(char *const *v, size_t n, const char *path)
{
	size_t len = strlen(path), i = lower_bound(v, n, path);

	while (i < n && strcmp(v[i], path) == 0)
		i++;
	return i < n && strncmp(v[i], path, len) == 0 && v[i][len] == '/';
}

/* True if path or one of its ancestors is in v (sorted). */
static bool sorted_has_at_or_above(char *const *v, size_t n, const char *path)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len >= sizeof(buf))
		return true; /* unknown: the caller re-reads */
	memcpy(buf, path, len + 1);
	while (len > 0) {
		size_t i = lower_bound(v, n, buf);

		if (i < n && strcmp(v[i], buf) == 0)
			return true;
		if (len == 1)
			break; /* "/" was the last */
		while (len > 0 && buf[len - 1] != '/')
			len--;
		while (len > 1 && buf[len - 1] == '/')
			len--;
		buf[len] = '\0';
	}
	return false;
}

/* Whether a mount made in this namespace can show up somewhere else in
 * it: a peer group with two members here, or a slave of a group here.
 * Without one, every mount this run makes lies at or below the image it
 * was made for, which is what lets the table be read once. */
static bool table_propagates(struct libmnt_table *tb)
{
	cleanup_mnt_iter struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
	struct melee_index shared = { 0 };
	struct libmnt_fs *fs;
	bool found = false;

	if (!it || melee_index_init(&shared, (size_t)mnt_table_get_nents(tb)) < 0)
		return true; /* unknown: re-read after every image, as before */
	while (!found && mnt_table_next_fs(tb, it, &fs) == 0) {
		const char *opt = mnt_fs_get_optional_fields(fs), *p;

		if (opt && (p = strstr(opt, "shared:")))
			found = melee_index_put(&shared, NULL, strtoll(p + 7, NULL, 10), 0) !=
				MELEE_INDEX_NONE;
	}
	mnt_reset_iter(it, MNT_ITER_FORWARD);
	while (!found && mnt_table_next_fs(tb, it, &fs) == 0) {
		const char *opt = mnt_fs_get_optional_fields(fs), *p;

		if (opt && (p = strstr(opt, "master:")))
			found = melee_index_get(&shared, NULL, strtoll(p + 7, NULL, 10)) !=
				MELEE_INDEX_NONE;
	}
	melee_index_free(&shared);
	return found;
}

static void seen_release(struct mounts_seen *s)
{
	free(s->targets);
	s->targets = NULL;
	s->n = 0;
	mnt_unref_table(s->tb);
	s->tb = NULL;
	for (size_t i = 0; i < s->n_touched; i++)
		free(s->touched[i]);
	s->n_touched = 0;
}

void mounts_seen_free(struct mounts_seen *s)
{
	seen_release(s);
	free(s->touched);
	s->touched = NULL;
	s->cap_touched = 0;
}

/* (Re)reads the mount table into s: its targets sorted, without the
 * mounts users made (melee_fs_is_users_fuse: none of up's; a nosuid bind over
 * the image root hides such a mount from that path, as the user's own, and
 * it must not keep the image from going up). */
static int seen_read(struct mounts_seen *s)
{
	char err[MELEE_ERRLEN];
	cleanup_mnt_iter struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;

	seen_release(s);
	s->stale = true;
	s->tb = melee_mounttab_read(err, sizeof(err));
	if (!s->tb || !it)
		return -1;
	s->targets = calloc((size_t)mnt_table_get_nents(s->tb) + 1, sizeof(*s->targets));
	if (!s->targets)
		die("out of memory");
	while (mnt_table_next_fs(s->tb, it, &fs) == 0)
		if (mnt_fs_get_target(fs) && !melee_fs_is_users_fuse(fs))
			s->targets[s->n++] = (char *)mnt_fs_get_target(fs);
	qsort(s->targets, s->n, sizeof(*s->targets), path_qcmp);
	s->propagates = table_propagates(s->tb);
	s->stale = false;
	return 0;
}

void mounts_seen_touch(struct mounts_seen *s, const char *path)
{
	char *p;
	size_t i, len = strlen(path);

	if (!s->tb)
		return; /* nothing read yet: the first query reads it all */
	if (s->propagates) {
		s->stale = true;
		return;
	}
	if (s->n_touched == s->cap_touched) {
		s->cap_touched = s->cap_touched ? 2 * s->cap_touched : 16;
		s->touched = realloc(s->touched, s->cap_touched * sizeof(*s->touched));
		if (!s->touched)
			die("out of memory");
	}
	/* Kept in the form mounted_below looks for: no trailing '/'. */
	while (len > 1 && path[len - 1] == '/')
		len--;
	p = strndup(path, len);
	if (!p)
		die("out of memory");
	i = lower_bound(s->touched, s->n_touched, p);
	memmove(s->touched + i + 1, s->touched + i, (s->n_touched - i) * sizeof(*s->touched));
	s->touched[i] = p;
	s->n_touched++;
}

/* True if anything is mounted strictly below path.  The table is read
 * once per run; it is read again only when it can be stale for path:
 * this run mounted in an image at, above or below path (nested images),
 * or its mounts can propagate (table_propagates). */
static bool mounted_below(struct mounts_seen *s, const char *path)
{
	char p[PATH_MAX];
	size_t len = strlen(path);

	if (len >= sizeof(p))
		return true; /* cannot be an image path; refuse */
	memcpy(p, path, len + 1);
	while (len > 1 && p[len - 1] == '/')
		p[--len] = '\0';
	if (!s->tb || s->stale || sorted_has_below(s->touched, s->n_touched, p) ||
	    sorted_has_at_or_above(s->touched, s->n_touched, p)) {
		if (seen_read(s) < 0)
			return true; /* unknown: assume so, and refuse */
	}
	return sorted_has_below(s->targets, s->n, p);
}

int mounts_nosuid_up(const struct melee_image *im, int *imgfd, const struct mounts_opts *o,
		     struct mounts_seen *seen, struct mounts_made *made, bool *present)
{
	char err[MELEE_ERRLEN];
	struct statvfs sv;
	cleanup_fd int fd = -1;
	int mnt;

	*present = false;
	if (!im->nosuid)
		return 0;
	if (fstatvfs(*imgfd, &sv) == 0 && (sv.f_flag & ST_NOSUID)) {
		*present = true;
		return 0;
	}
	if (o->dry_run) {
		printf("would bind %s onto itself (nosuid, rslave)\n", im->path);
		return 0;
	}
	if (mounted_below(seen, im->path)) {
		warn("%s: nosuid = yes, but %s is up without its nosuid bind; run "
		     "'melee-mounts down %s' first",
		     im->name, im->path, im->name);
		return -1;
	}
	mnt = melee_bind_self_nosuid(*imgfd, err, sizeof(err));
	if (mnt < 0) {
		warn("%s: %s: %s", im->name, im->path, err);
		return -1;
	}
	mounts_made_add(made, mnt, im->path);
	fd = image_open_safely(im->path, 0, err, sizeof(err));
	if (fd < 0) {
		warn("%s: unsafe image path, refused: %s", im->name, err);
		return -1;
	}
	melee_fd_replace(imgfd, melee_steal_fd(&fd));
	return 0;
}
