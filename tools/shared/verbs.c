/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Finding a verb in a tool's table (verbs.h). */
#include "verbs.h"

#include <stdio.h>
#include <string.h>

const struct verb *verb_find(const struct verb *verbs, const char *name)
{
	for (const struct verb *v = verbs; v->name; v++)
		if (strcmp(v->name, name) == 0)
			return v;
	return NULL;
}

bool verb_args_fit(const struct verb *v, int nargs)
{
	return nargs >= v->min_args && (v->max_args == VERB_ANY || nargs <= v->max_args);
}

void verb_names(const struct verb *verbs, char *buf, size_t len)
{
	size_t n = 0, used = 0;

	while (verbs[n].name)
		n++;
	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++) {
		const char *sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
		int w = snprintf(buf + used, len - used, "%s%s", sep, verbs[i].name);

		if (w < 0)
			break;
		used += (size_t)w;
	}
}
