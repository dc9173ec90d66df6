/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Open-addressing hash of names and ids, so that the accounts merge and the configuration read stay
 * linear. */
#include "melee-index.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int melee_index_init(struct melee_index *ix, size_t max_keys)
{
	size_t cap = 16;

	while (cap < 2 * max_keys + 1)
		cap *= 2;
	ix->s = calloc(cap, sizeof(*ix->s));
	ix->mask = cap - 1;
	return ix->s ? 0 : -ENOMEM;
}

void melee_index_free(struct melee_index *ix)
{
	free(ix->s);
	ix->s = NULL;
}

static size_t index_hash(const char *name, long long id)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	if (!name) {
		h ^= (uint64_t)id;
		h *= 1099511628211ULL;
		return (size_t)(h ^ (h >> 29));
	}
	for (; *name; name++) {
		h ^= (unsigned char)*name;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

/* The slot holding the key, or the empty one where it goes (the table is
 * never more than half full, so there always is one). */
static struct melee_index_slot *index_slot(const struct melee_index *ix, const char *name,
					   long long id, unsigned hash)
{
	for (size_t i = hash & ix->mask;; i = (i + 1) & ix->mask) {
		struct melee_index_slot *s = &ix->s[i];

		if (!s->used)
			return s;
		if (s->hash == hash && (name ? strcmp(s->name, name) == 0 : s->id == id))
			return s;
	}
}

size_t melee_index_put(struct melee_index *ix, const char *name, long long id, size_t val)
{
	size_t h = index_hash(name, id);
	struct melee_index_slot *s = index_slot(ix, name, id, (unsigned)h);

	if (s->used)
		return s->val;
	*s = (struct melee_index_slot){
		.name = name, .id = id, .val = val, .hash = (unsigned)h, .used = true
	};
	return MELEE_INDEX_NONE;
}

size_t melee_index_get(const struct melee_index *ix, const char *name, long long id)
{
	const struct melee_index_slot *s = index_slot(ix, name, id, (unsigned)index_hash(name, id));

	return s->used ? s->val : MELEE_INDEX_NONE;
}

int melee_index_reserve(struct melee_index *ix, size_t max_keys)
{
	struct melee_index grown;
	size_t cap = ix->s ? ix->mask + 1 : 0;

	if (cap >= 2 * max_keys + 1)
		return 0;
	if (melee_index_init(&grown, 2 * max_keys) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < cap; i++)
		if (ix->s[i].used)
			*index_slot(&grown, ix->s[i].name, ix->s[i].id, ix->s[i].hash) = ix->s[i];
	free(ix->s);
	*ix = grown;
	return 0;
}
