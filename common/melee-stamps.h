/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a configuration read was made of: each file and directory it
 * opened (or found missing), with the device, inode, size, mtime and
 * ctime the read saw.  A reader that keeps what it parsed (pam_melee per
 * PAM handle, libnss_melee per process) re-stats these paths before each
 * use and reads again when any differs, so an edit, a rename over a file
 * or a new drop-in counts at the very next stage or lookup.
 *
 * A file changed within the second in which it was read could be
 * changed again in that second without moving its times (the kernel
 * stamps files with the coarse clock, and some file systems keep whole
 * seconds only): such a set is never fresh, as git distrusts a racily
 * clean index entry (melee-config-checked.c makes a like choice for its
 * record).  In libmelee-core. */
#ifndef MELEE_STAMPS_H
#define MELEE_STAMPS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <time.h>

#include "melee-util.h"

struct melee_stamp {
	char *path;
	bool missing; /* was not there: fresh while it still is not */
	dev_t dev;
	ino_t ino;
	mode_t mode;
	uid_t uid;
	off_t size;
	struct timespec mtim, ctim;
};

struct melee_stamps {
	struct melee_stamp *v;
	size_t n, cap;
	/* A file stamped had a ctime or mtime not before the second of the
	 * clock read right after its fstat: the set can never vouch for a
	 * reuse. */
	bool racy;
};

/* Records st (an fstat of what was just read) for path; a stamps of
 * NULL records nothing (a reader that keeps nothing).  -ENOMEM on
 * failure. */
int melee_stamps_add(struct melee_stamps *s, const char *path,
		     const struct stat *st) melee_must_check;
/* Records that path did not exist (lstat says so now). */
int melee_stamps_add_missing(struct melee_stamps *s, const char *path) melee_must_check;
/* Records path as lstat finds it now (missing included): for a file read
 * by path right after this call, whose change after the stat is then seen. */
int melee_stamps_add_path(struct melee_stamps *s, const char *path) melee_must_check;
/* True when every path stamped is still what was read (lstat, never
 * following a symlink), and the set is not racy. */
bool melee_stamps_fresh(const struct melee_stamps *s);
void melee_stamps_free(struct melee_stamps *s);

#endif
