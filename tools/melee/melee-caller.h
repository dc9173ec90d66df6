/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What melee's commands share (melee-caller.c): the configuration, the
 * image by name, the caller's groups.  Each dies on failure. */
#ifndef MELEE_TOOL_CALLER_H
#define MELEE_TOOL_CALLER_H

#include <stddef.h>
#include <sys/types.h>

#include "melee-config.h"

/* Exit status of melee's own errors (env(1) and chroot(1) use it). */
#define EXIT_MELEE 125

/* image NULL: the whole configuration (every image, users.conf); else
 * only what finding that image needs.  Dies on failure. */
void load_config(struct melee_config *cfg, const char *image);
/* A configured image by name or alias; dies naming what is wrong. */
const struct melee_image *find_image(const struct melee_config *cfg, const char *name);
/* The caller's supplementary groups, as the process has them now. */
gid_t *caller_groups(size_t *n);

#endif
