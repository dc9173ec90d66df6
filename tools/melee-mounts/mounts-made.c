/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The mounts one run of up made, and taking them back.  See mounts-made.h. */
#include "mounts-made.h"
#include "melee-umount.h"
#include "melee-util.h"
#include "tool-util.h"

#include <stdlib.h>
#include <string.h>

void mounts_made_add(struct mounts_made *made, int mntfd, const char *what)
{
	struct made_mount *v = realloc(made->v, (made->n + 1) * sizeof(*made->v));

	if (!v)
		die("out of memory");
	made->v = v;
	v[made->n].what = strdup(what);
	if (!v[made->n].what)
		die("out of memory");
	v[made->n].fd = mntfd;
	made->n++;
}

void mounts_made_rollback(struct mounts_made *made, const char *image)
{
	while (made->n > 0) {
		struct made_mount *m = &made->v[--made->n];
		char err[MELEE_ERRLEN];

		if (melee_unmount_fd(m->fd, m->what, err, sizeof(err)) < 0)
			warn("%s: rollback: cannot unmount %s: %s", image, m->what, err);
		melee_closep(&m->fd);
		free(m->what);
	}
}

void mounts_made_free(struct mounts_made *made)
{
	for (size_t i = 0; i < made->n; i++) {
		melee_closep(&made->v[i].fd);
		free(made->v[i].what);
	}
	free(made->v);
	made->v = NULL;
	made->n = 0;
}
