/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The files a configuration read was made of (melee-stamps.h). */
#include "melee-stamps.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

static bool ts_equal(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

static struct melee_stamp *add(struct melee_stamps *s, const char *path)
{
	struct melee_stamp *e;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		struct melee_stamp *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		s->v = v;
		s->cap = cap;
	}
	e = &s->v[s->n];
	memset(e, 0, sizeof(*e));
	e->path = strdup(path);
	if (!e->path)
		return NULL;
	s->n++;
	return e;
}

int melee_stamps_add(struct melee_stamps *s, const char *path, const struct stat *st)
{
	struct melee_stamp *e;
	struct timespec now;

	if (!s)
		return 0;
	e = add(s, path);
	if (!e)
		return -ENOMEM;
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->mode = st->st_mode;
	e->uid = st->st_uid;
	e->size = st->st_size;
	e->mtim = st->st_mtim;
	e->ctim = st->st_ctim;
	/* The tick after the fstat: a later change stamps at least this.  A
	 * file system may keep whole seconds only (ext4 with 128-byte inodes,
	 * some NFS servers): a change later in the second of the times seen
	 * stamps that same second again, so times not before the current
	 * second never vouch (git's racy rule without USE_NSEC); on a
	 * nanosecond file system this costs a read again within that second. */
	if (clock_gettime(CLOCK_REALTIME_COARSE, &now) < 0 || st->st_ctim.tv_sec >= now.tv_sec ||
	    st->st_mtim.tv_sec >= now.tv_sec)
		s->racy = true;
	return 0;
}

int melee_stamps_add_missing(struct melee_stamps *s, const char *path)
{
	struct melee_stamp *e;

	if (!s)
		return 0;
	e = add(s, path);
	if (!e)
		return -ENOMEM;
	e->missing = true;
	return 0;
}

int melee_stamps_add_path(struct melee_stamps *s, const char *path)
{
	struct stat st;

	if (!s)
		return 0;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? melee_stamps_add_missing(s, path) : (s->racy = true, 0);
	return melee_stamps_add(s, path, &st);
}

bool melee_stamps_fresh(const struct melee_stamps *s)
{
	if (s->racy)
		return false;
	for (size_t i = 0; i < s->n; i++) {
		const struct melee_stamp *e = &s->v[i];
		struct stat st;

		if (lstat(e->path, &st) < 0) {
			if (errno == ENOENT && e->missing)
				continue;
			return false;
		}
		if (e->missing || st.st_dev != e->dev || st.st_ino != e->ino ||
		    st.st_mode != e->mode || st.st_uid != e->uid || st.st_size != e->size ||
		    !ts_equal(&st.st_mtim, &e->mtim) || !ts_equal(&st.st_ctim, &e->ctim))
			return false;
	}
	return true;
}

void melee_stamps_free(struct melee_stamps *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].path);
	free(s->v);
	memset(s, 0, sizeof(*s));
}
