/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pam_melee's own source, for fuzz-name (see fuzz-name.h). */
#include "pam_melee/pam_melee.c"
#include "fuzz-name.h"

int fuzz_pam_parse(const struct melee_config *cfg, const char *user, char *base,
		   size_t baselen, char *image, size_t imagelen, bool *suffix, char *err,
		   size_t errlen)
{
	struct choice c;
	int r = parse_name(cfg, user, &c, err, errlen);

	if (r < 0)
		return r;
	snprintf(base, baselen, "%s", c.base);
	snprintf(image, imagelen, "%s", c.image);
	*suffix = c.source == SRC_SUFFIX;
	return 0;
}
