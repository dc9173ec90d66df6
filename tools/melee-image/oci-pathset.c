/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A set of paths with flags (oci-pathset.h), on the project's index
 * (common/melee-index.h): the keys copied here, their flags by number. */
#include "oci-pathset.h"
#include "melee-index.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int set_add(struct pathset *s, const char *key, unsigned char flag, unsigned char *had)
{
	size_t i = s->ix.s ? melee_index_get(&s->ix, key, 0) : MELEE_INDEX_NONE;

	if (i == MELEE_INDEX_NONE) {
		if (s->n == s->cap) {
			size_t cap = s->cap ? 2 * s->cap : 1024;
			char **keys = realloc(s->keys, cap * sizeof(*keys));
			unsigned char *flags = keys ? realloc(s->flags, cap) : NULL;

			if (keys)
				s->keys = keys;
			if (!flags)
				return -ENOMEM;
			s->flags = flags;
			s->cap = cap;
		}
		s->keys[s->n] = strdup(key);
		if (!s->keys[s->n] || melee_index_reserve(&s->ix, s->n + 1) < 0) {
			free(s->keys[s->n]);
			return -ENOMEM;
		}
		melee_index_put(&s->ix, s->keys[s->n], 0, s->n);
		s->flags[s->n] = 0;
		i = s->n++;
	}
	if (had)
		*had = s->flags[i];
	s->flags[i] |= flag;
	return 0;
}

unsigned char set_get(const struct pathset *s, const char *key)
{
	size_t i = s->ix.s ? melee_index_get(&s->ix, key, 0) : MELEE_INDEX_NONE;

	return i == MELEE_INDEX_NONE ? 0 : s->flags[i];
}

void set_free(struct pathset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->keys[i]);
	free(s->keys);
	free(s->flags);
	melee_index_free(&s->ix);
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
