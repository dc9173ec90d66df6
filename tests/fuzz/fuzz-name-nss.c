/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libnss_melee's own source, for fuzz-name (see fuzz-name.h). */
#include "nss_melee/nss-melee.c"
#include "fuzz-name.h"

bool fuzz_nss_split(const char *name, char *base, size_t baselen, const char **image,
		    char *sep)
{
	return split_name(name, base, baselen, image, sep);
}
