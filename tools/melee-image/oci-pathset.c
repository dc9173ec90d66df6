/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A set of paths with flags: open addressing, FNV-1a (oci-pathset.h). */
#include "oci-pathset.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t hash(const char *s)
{
	size_t h = 14695981039346656037u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211u;
	return h;
}

static size_t set_slot(const struct pathset *s, const char *key)
{
	size_t i = hash(key) & (s->cap - 1);

	while (s->keys[i] && strcmp(s->keys[i], key) != 0)
		i = (i + 1) & (s->cap - 1);
	return i;
}

static int set_grow(struct pathset *s)
{
	struct pathset n = { calloc(s->cap ? s->cap * 2 : 1024, sizeof(char *)),
			     calloc(s->cap ? s->cap * 2 : 1024, 1), s->cap ? s->cap * 2 : 1024,
			     s->n };

	if (!n.keys || !n.flags) {
		free(n.keys);
		free(n.flags);
		return -ENOMEM;
	}
	for (size_t i = 0; i < s->cap; i++)
		if (s->keys[i]) {
			size_t j = set_slot(&n, s->keys[i]);

			n.keys[j] = s->keys[i];
			n.flags[j] = s->flags[i];
		}
	free(s->keys);
	free(s->flags);
	*s = n;
	return 0;
}

int set_add(struct pathset *s, const char *key, unsigned char flag, unsigned char *had)
{
	size_t i;

	if ((s->n + 1) * 2 > s->cap && set_grow(s) < 0)
		return -ENOMEM;
	i = set_slot(s, key);
	if (!s->keys[i]) {
		s->keys[i] = strdup(key);
		if (!s->keys[i])
			return -ENOMEM;
		s->n++;
	}
	if (had)
		*had = s->flags[i];
	s->flags[i] |= flag;
	return 0;
}

unsigned char set_get(const struct pathset *s, const char *key)
{
	size_t i;

	if (!s->cap)
		return 0;
	i = set_slot(s, key);
	return s->keys[i] ? s->flags[i] : 0;
}

void set_free(struct pathset *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->keys[i]);
	free(s->keys);
	free(s->flags);
}

/* The path and every directory above it, marked: up to the first one
 * marked ABOVE already, whose own ancestors then are too (only this loop
 * marks ABOVE, always up to such a one or the top).  So an entry costs
 * two hashes of its path, not one per level of it. */
int mark_written(struct pathset *s, const char *path)
{
	char dir[PATH_MAX];
	unsigned char had = 0;
	char *p;
	int r = set_add(s, path, WRITTEN, NULL);

	snprintf(dir, sizeof(dir), "%s", path);
	while (r == 0 && !(had & ABOVE) && (p = strrchr(dir, '/'))) {
		*p = '\0';
		r = set_add(s, dir, ABOVE, &had);
	}
	return r;
}
