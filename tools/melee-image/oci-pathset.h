/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The paths one layer wrote (oci-layer.c): its whiteouts and opaque
 * directories remove neither them nor the directories above them. */
#ifndef OCI_PATHSET_H
#define OCI_PATHSET_H

#include "melee-index.h"

#include <stddef.h>

/* The paths this layer wrote (WRITTEN) and the directories above them
 * (ABOVE): its whiteouts remove neither. */
enum { WRITTEN = 1, ABOVE = 2 };
struct pathset {
	struct melee_index ix; /* key -> its number in keys and flags */
	char **keys;
	unsigned char *flags;
	size_t cap, n;
};

/* Adds flag to key's; *had (if set) gets the flags it had before.
 * -ENOMEM or 0. */
int set_add(struct pathset *s, const char *key, unsigned char flag, unsigned char *had);
/* key's flags, 0 when it is not in the set. */
unsigned char set_get(const struct pathset *s, const char *key);
void set_free(struct pathset *s);
/* path WRITTEN, every directory above it ABOVE. -ENOMEM or 0. */
int mark_written(struct pathset *s, const char *path);

#endif
