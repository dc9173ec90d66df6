/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The values both sections of melee.conf read (melee-config-value.c):
 * names, absolute paths, lists, yes/no, and "path:line" for messages. */
#ifndef MELEE_CONFIG_VALUE_H
#define MELEE_CONFIG_VALUE_H

#include "melee-config.h"

/* "path:line", for messages about a key read long before. */
char *melee_conf_where(const char *path, unsigned line) __attribute__((warn_unused_result));
/* Absolute, no "." or ".." components, no empty components: what a safe
 * walk and the mount table can both compare as strings.  A trailing slash
 * is dropped. */
int melee_conf_abs_path(const char *in, char **out) __attribute__((warn_unused_result));
/* Splits a list value on commas and whitespace; -EINVAL with the first
 * item `valid` refuses copied (cut to fit) into bad[badlen]. */
int melee_conf_list(const char *value, char ***v, size_t *n, bool (*valid)(const char *), char *bad,
		    size_t badlen);
/* User and group names as shadow's useradd accepts them, loosely. */
bool melee_conf_account_name_valid(const char *s);
/* A yes/no key ("true"/"false" too); anything else names key and value. */
int melee_conf_yes_no(const char *key, const char *value, bool *out, const char *path, unsigned ln,
		      char *err, size_t errlen);

#endif
