/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What melee-config.c (the files, the [melee] section) takes from
 * melee-config-image.c (the keys of [image NAME]), melee-config-load.c
 * and melee-config-checked.c.  The values both section parsers read are
 * in melee-config-value.h: melee-config-image.c needs nothing of
 * melee-config.c. */
#ifndef MELEE_CONFIG_PARSE_H
#define MELEE_CONFIG_PARSE_H

#include "melee-config-value.h"

/* The keys of [image NAME], NULL-terminated for the "expected one of"
 * list; the index of a key is what melee_image_set_key takes. */
extern const char *const melee_image_keys[];
#define MELEE_IMAGE_KEY_COUNT 12
int melee_image_set_key(struct melee_image *im, int key, const char *value, const char *path,
			unsigned ln, char *err, size_t errlen);
/* Fills the defaults that depend on [melee] and checks the keys that go
 * together, once every file is read. */
int melee_image_finish(struct melee_image *im, const struct melee_config *cfg, char *err,
		       size_t errlen);
void melee_image_free(struct melee_image *im);

/* Reads a drop-in that a lookup of `asked` (which found image `im` in
 * melee.conf or images.d/ASKED.conf) did not parse, for the lines that
 * claim `asked`, im's name or one of its aliases there: an [image] header
 * or an alias.  Those
 * are refused by a full read (start_image_section, check_aliases), so
 * the lookup refuses too (-EINVAL or -EEXIST, with the same file:line
 * message); any other mistake in the file is left to the full read. */
int melee_config_scan_dropin(int fd, const char *path, const char *asked,
			     const struct melee_image *im, char *err, size_t errlen);

/* Whether checked_dir/config-checked-DEV-INO (owned by `owner`) records the
 * images.d open at dropins_fd, and the melee.conf conf_st describes, as
 * they are now: then no drop-in was added, removed or renamed, and
 * melee.conf not changed, since a full read accepted them all. */
bool melee_config_checked_fresh(int dropins_fd, const struct stat *conf_st, const char *checked_dir,
				uid_t owner);

#endif
