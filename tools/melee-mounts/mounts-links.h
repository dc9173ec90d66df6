/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-mounts links: the per-image links to melee and the desktop
 * launchers (melee-<image>.desktop). */
#ifndef MELEE_MOUNTS_LINKS_H
#define MELEE_MOUNTS_LINKS_H

#include <stdbool.h>

#include "melee-config.h"

/* Creates DIR/IMAGE -> melee for every image and alias in bindir, and
 * melee-IMAGE.desktop in desktop_dir (NULL: none); removes the links and
 * launchers of images no longer configured.  Returns an exit status. */
int mounts_links(const struct melee_config *cfg, const char *bindir, const char *desktop_dir,
		 const char *xsessions_dir, bool quiet);

/* The melee a launcher runs: bindir/melee when it lives there, else the
 * installed one.  Dies on a path an Exec line could not hold unquoted. */
void links_melee_path(const char *bindir, char *buf, size_t len);

#endif
