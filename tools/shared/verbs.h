/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A tool's verbs as a table, as systemd's machinectl dispatches them
 * (src/shared/verbs.h there): a new verb of melee-mounts or melee-image
 * is one row of its `verbs[]` (tools/melee-mounts/melee-mounts.c,
 * tools/melee-image/melee-image.c). */
#ifndef MELEE_TOOL_VERBS_H
#define MELEE_TOOL_VERBS_H

#include <stdbool.h>
#include <stddef.h>

/* No upper bound on a verb's arguments. */
#define VERB_ANY (-1)

enum verb_flags {
	/* Only root may run it: the tool says "VERB: must be run as root"
	 * before it reads any configuration. */
	VERB_NEEDS_ROOT = 1 << 0,
	/* melee-mounts: the verb changes images and holds the one lock
	 * (melee_lock_take) from before the configuration is read. */
	VERB_TAKES_LOCK = 1 << 1,
};

struct verb {
	const char *name;
	/* How many arguments after the verb it takes (VERB_ANY: no bound). */
	int min_args, max_args;
	unsigned flags;
	/* argv[0..argc-1]: the arguments after the verb; userdata: the
	 * tool's options and state. */
	int (*run)(int argc, char **argv, void *userdata);
};

/* The row of `verbs` (ended by a row whose name is NULL) named `name`,
 * or NULL. */
const struct verb *verb_find(const struct verb *verbs, const char *name);
/* Whether `nargs` arguments fit the verb's min_args..max_args. */
bool verb_args_fit(const struct verb *v, int nargs);
/* "up, down or status": the verbs' names for an "expected ..." message,
 * cut to fit buf[len]. */
void verb_names(const struct verb *verbs, char *buf, size_t len);

#endif
