/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-image pack: the new file, unnamed until it is whole. */
#ifndef MELEE_PACK_OUTPUT_H
#define MELEE_PACK_OUTPUT_H

#include <limits.h>
#include <stdbool.h>
#include <stdnoreturn.h>

/* The file a pack writes, in FILE's directory (dfd, checked by
 * open_file_dir in image-pack.c). */
struct pack_output {
	int dfd;		 /* FILE's directory, opened to write in */
	const char *base;	 /* FILE's last component */
	const char *file;	 /* FILE, for messages */
	char tmp[NAME_MAX + 32]; /* .BASE.packPID: the temporary name */
	int fd;			 /* the new file, flock'ed (LOCK_EX) until it is closed */
	bool named;		 /* tmp names it (no O_TMPFILE here, or linked) */
};

/* Sets up o for FILE (base in dfd) and removes what earlier packs of
 * FILE that were killed left in the directory (.BASE.pack<digits>, see
 * pack_output_clear_leftovers in pack-output.c); `image` names the lines
 * on stdout. */
void pack_output_init(struct pack_output *o, int dfd, const char *base, const char *file,
		      const char *image);

/* Creates the new file, root's, mode 0644, locked: unnamed (O_TMPFILE)
 * where the file system allows it, so that nothing is left whatever
 * kills the pack; else named o->tmp. */
void pack_output_create(struct pack_output *o);

/* Gives the new file (written, checked and fsync'd) FILE's name. */
void pack_output_publish(struct pack_output *o);

/* Removes the new file's name if it has one and dies with why: FILE was
 * not changed. */
noreturn void pack_output_fail(struct pack_output *o, const char *why);

#endif
