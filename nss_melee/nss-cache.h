/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What libnss_melee keeps between lookups in one process: the
 * configuration read for an image suffix and login.defs' human range,
 * reused while every file that read was made of is unchanged
 * (melee-stamps.h), so that sshd's monitor, su or a daemon resolving
 * alice+sl6 again pays a few lstat calls instead of a parse. */
#ifndef NSS_MELEE_CACHE_H
#define NSS_MELEE_CACHE_H

#include "melee-config.h"
#include "melee-ids.h"
#include "melee-stamps.h"

struct nss_snapshot {
	char image[MELEE_NAME_MAX + 1];
	struct melee_config cfg;
	struct melee_stamps stamps;
	/* login.defs' range, read when the suffix is an image or the host
	 * (else nothing asks for it) */
	bool have_range;
	struct melee_id_range range;
	int refs; /* the cache's own, and each lookup's that uses it */
};

/* The configuration as melee_config_load_image(MELEE_DEFAULT_CONFIG,
 * root, image) reads it now, with login.defs' range when image (or
 * MELEE_HOST_NAME) is found: 0 and a snapshot the caller gives back with
 * nss_snapshot_put, or what the read failed with (-ENOENT: no MELEE
 * configuration here) and its message in err. */
int nss_snapshot_get(const char *image, struct nss_snapshot **out, char *err, size_t errlen);
void nss_snapshot_put(struct nss_snapshot *s);

#endif
