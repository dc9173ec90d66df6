/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-mounts links --apps: host menu launchers for an image's applications. */
#ifndef MELEE_LINKS_APPS_H
#define MELEE_LINKS_APPS_H

#include <stdbool.h>
#include <stddef.h>

#include "melee-config.h"

#define LINKS_APPS_DEFAULT_DIR "/usr/local/share/applications"

/* Writes appdir/melee-IMAGE-ID.desktop for every shown application entry
 * of the image's /usr/share/applications (Exec through `melee_path
 * IMAGE`; the entry's MimeType only with `mime`, export-mime-types = yes) and removes the launchers
 * it wrote earlier for entries that are gone; with `remove`, removes every launcher it wrote for
 * the image and writes none.  Returns an exit status: 1 if an entry was skipped with a warning or a
 * file left alone. */
int links_apps(const struct melee_image *im, const char *appdir, const char *melee_path, bool mime,
	       bool remove, bool quiet);

/* If dirfd/name is a launcher MELEE wrote (a regular file carrying the
 * X-Melee-Image key), its image name into image[len] and true; *app
 * tells whether links --apps wrote it (X-Melee-App). */
bool links_launcher_image(int dirfd, const char *name, char *image, size_t len, bool *app);

/* May melee-mounts links write dirfd/name for `image`: missing, or a
 * launcher it wrote for that image (an application launcher of links
 * --apps with `app`, else a terminal or session launcher)?  Never over a
 * file of someone else's, nor over another image's launcher of the same
 * name (melee-a-b.desktop: image a-b's terminal, or image a's
 * application b).  When not, a warning that names the file. */
bool links_name_is_ours(int dirfd, const char *dir, const char *name, const char *image, bool app);

/* Removes the launcher dirfd/name and, for an application launcher, the
 * icon copied for it.  Returns 0 or 1 (a warning was printed). */
int links_remove_launcher(int dirfd, const char *dir, const char *name, bool quiet);

#endif
