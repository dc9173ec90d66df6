/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The values melee.conf's sections share: names, paths, lists, yes/no,
 * and the "path:line" of a message.  Both section parsers use these
 * (melee-config.c for [melee], melee-config-image.c for [image NAME]);
 * nothing here knows a section. */
#include "melee-config-value.h"
#include "melee-gpu-env.h"
#include "melee-util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

bool melee_name_valid(const char *name)
{
	size_t i;

	if (!name)
		return false;
	for (i = 0; name[i]; i++) {
		char c = name[i];
		bool alnum =
		    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

		if (i >= MELEE_NAME_MAX)
			return false;
		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
			return false;
	}
	return i > 0;
}

const char *melee_name_reserved(const char *name)
{
	if (strcmp(name, MELEE_HOST_NAME) == 0)
		return "it means the host itself";
	if (strcmp(name, MELEE_RUNDIR_LOCK) == 0)
		return "melee-mounts keeps its lock as /run/melee/" MELEE_RUNDIR_LOCK
		       ", where the image's own directory would be";
	if (strcmp(name, strrchr(MELEE_GPU_DIR, '/') + 1) == 0)
		return "melee-mounts keeps the GPU driver files of every image in " MELEE_GPU_DIR
		       ", where the image's own directory would be";
	if (strncmp(name, MELEE_CHECKED_PREFIX, strlen(MELEE_CHECKED_PREFIX)) == 0)
		return "melee-mounts keeps its records of checked configurations as "
		       "/run/melee/" MELEE_CHECKED_PREFIX "*";
	return NULL;
}

/* User and group names as shadow's useradd accepts them, loosely: no
 * separators that could confuse a passwd line or a list. */
bool melee_conf_account_name_valid(const char *s)
{
	size_t i;

	if (!s || !*s || *s == '-' || strlen(s) > 256)
		return false;
	for (i = 0; s[i]; i++)
		if (!melee_user_char(s[i]) || (s[i] == '$' && s[i + 1] != '\0'))
			return false;
	return true;
}

char *melee_conf_where(const char *path, unsigned line)
{
	char *s;

	if (asprintf(&s, "%s:%u", path, line) < 0)
		return NULL;
	return s;
}

/* Absolute, no "." or ".." components, no empty components: what a safe
 * walk and the mount table can both compare as strings.  A trailing slash
 * is dropped. */
int melee_conf_abs_path(const char *in, char **out)
{
	size_t len = strlen(in);
	const char *p = in;
	char *s;

	if (in[0] != '/' || len >= 4096)
		return -EINVAL;
	while (len > 1 && in[len - 1] == '/')
		len--;
	while (p < in + len) {
		const char *c = p + 1, *e = c;

		while (e < in + len && *e != '/')
			e++;
		if (e == c && len > 1)
			return -EINVAL;
		if ((e - c == 1 && c[0] == '.') || (e - c == 2 && c[0] == '.' && c[1] == '.'))
			return -EINVAL;
		p = e;
	}
	s = strndup(in, len);
	if (!s)
		return -ENOMEM;
	*out = s;
	return 0;
}

/* Splits a list value on commas and whitespace. */
int melee_conf_list(const char *value, char ***v, size_t *n, bool (*valid)(const char *), char *bad,
		    size_t badlen)
{
	cleanup_free char *copy = strdup(value);
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *t = strtok_r(copy, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save)) {
		int r;

		if (!valid(t)) {
			snprintf(bad, badlen, "%s", t);
			return -EINVAL;
		}
		if (melee_strv_contains(*v, t))
			continue;
		r = melee_strv_push(v, n, t);
		if (r < 0)
			return r;
	}
	return 0;
}

/* A yes/no key ("true"/"false" too); anything else names key and value. */
int melee_conf_yes_no(const char *key, const char *value, bool *out, const char *path, unsigned ln,
		      char *err, size_t errlen)
{
	if (strcmp(value, "yes") == 0 || strcmp(value, "true") == 0)
		*out = true;
	else if (strcmp(value, "no") == 0 || strcmp(value, "false") == 0)
		*out = false;
	else
		return melee_fail(err, errlen, -EINVAL, "%s:%u: %s must be yes or no, got '%s'",
				  path, ln, key, value);
	return 0;
}
