/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee's commands that enter nothing: --list, --show-default and
 * --set-default (melee-default.c). */
#ifndef MELEE_TOOL_DEFAULT_H
#define MELEE_TOOL_DEFAULT_H

#include <stdbool.h>

int cmd_list(bool all);
int cmd_show_default(void);
/* `host`: the file is removed. */
int cmd_set_default(const char *image);

#endif
