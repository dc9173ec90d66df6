/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A small open-addressing hash from a name or an id to a number, for
 * code that must stay linear in the size of its input (the accounts
 * merge of a host with 20,000 users, the configuration of 5,000 images).
 * libc only and no globals: the NSS module uses it through the
 * configuration.  One index holds one kind of key;
 * the first value put for a key is kept (getpwnam and getgrgid answer
 * with the first line too).  Names are not copied: they must outlive the
 * index. */
#ifndef MELEE_INDEX_H
#define MELEE_INDEX_H

#include <stdbool.h>
#include <stddef.h>

#define MELEE_INDEX_NONE ((size_t)-1)

struct melee_index {
	struct melee_index_slot {
		const char *name; /* the key of a name index */
		long long id;	  /* the key of an id index */
		size_t val;
		/* The key's hash, compared first: a probe past another name
		 * does not read that name (a cache miss each, at 20,000). */
		unsigned hash;
		bool used;
	} * s;
	size_t mask;
};

/* Room for max_keys keys (the table stays at most half full). */
int melee_index_init(struct melee_index *ix, size_t max_keys) __attribute__((warn_unused_result));
void melee_index_free(struct melee_index *ix);

/* Makes room for max_keys keys, keeping those in it (for an index that
 * grows with its input: call it before each put, the table doubles). */
int melee_index_reserve(struct melee_index *ix, size_t max_keys)
    __attribute__((warn_unused_result));

/* name NULL: the key is id.  Never more than max_keys distinct keys.
 * Returns the value the key already had (then left as it was), or
 * MELEE_INDEX_NONE when val was put: a test-and-set in one probe. */
size_t melee_index_put(struct melee_index *ix, const char *name, long long id, size_t val);

/* The value of the key, or MELEE_INDEX_NONE. */
size_t melee_index_get(const struct melee_index *ix, const char *name, long long id);

#endif
