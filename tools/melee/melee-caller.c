/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What melee (melee.c) and its commands that enter nothing
 * (melee-default.c) share: the configuration, the image, the caller's
 * groups.  Each dies with melee's own exit status. */
#include "melee-caller.h"
#include "melee-log.h"
#include "melee-util.h"
#include "tool-util.h"

#include <stdlib.h>
#include <syslog.h>
#include <unistd.h>

/* Finding one image reads what the PAM and NSS modules read too
 * (melee_config_load_image). */
void load_config(struct melee_config *cfg, const char *image)
{
	char err[MELEE_ERRLEN];
	int r;

	/* The compiled-in path only: a setuid program never takes its
	 * configuration from the caller. */
	r = image ? melee_config_load_image(MELEE_DEFAULT_CONFIG, 0, image, cfg, err, sizeof(err))
		  : melee_config_load(MELEE_DEFAULT_CONFIG, 0, cfg, err, sizeof(err));
	if (r < 0)
		die_status(EXIT_MELEE, "%s", err);
}

const struct melee_image *find_image(const struct melee_config *cfg, const char *name)
{
	const struct melee_image *im;
	char shown[96];

	/* Refusals are logged as uses are (melee-log.h): who asked for what,
	 * the name as shown, never raw. */
	melee_shown(name, 80, shown, sizeof(shown));
	if (!melee_name_valid(name)) {
		melee_log(LOG_NOTICE, "uid=%u refused: '%s' is not an image name",
			  (unsigned)getuid(), shown);
		die_status(EXIT_MELEE,
			   "'%s' is not an image name (image names are "
			   "[A-Za-z0-9][A-Za-z0-9._-]{0,63}, never a path)",
			   shown);
	}
	im = melee_config_find_image(cfg, name);
	if (!im) {
		melee_log(LOG_NOTICE, "uid=%u refused: unknown image '%s'", (unsigned)getuid(),
			  shown);
		die_status(EXIT_MELEE, "unknown image '%s' (melee --list shows the images)", name);
	}
	return im;
}

gid_t *caller_groups(size_t *n)
{
	int count = getgroups(0, NULL);
	gid_t *g;

	if (count < 0)
		die_errno("getgroups");
	g = calloc((size_t)count + 1, sizeof(*g));
	if (!g)
		die("out of memory");
	count = getgroups(count, g);
	if (count < 0)
		die_errno("getgroups");
	*n = (size_t)count;
	return g;
}
