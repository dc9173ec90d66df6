/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A user's default image: sources 4-6 of pam_melee(8)'s choice (the
 * user's ~/.config/melee/image, users.conf, default-image), the ones
 * that exist outside a login, and the user's file itself: read the way
 * pam_melee trusts it, written (by `melee --set-default`) so that the
 * reader accepts it.  In libmelee-core: no PAM types. */
#ifndef MELEE_USER_DEFAULT_H
#define MELEE_USER_DEFAULT_H

#include <pwd.h>
#include <stddef.h>

#include "melee-config.h"
#include "melee-util.h"

/* How the file is named to people (messages, melee --show-default). */
#define MELEE_USER_FILE "~/.config/melee/image"
/* The largest file read: a name, a newline, room for a comment. */
#define MELEE_USER_FILE_MAX 256

/* Reads the user's file: walked from pw->pw_dir by fd, no symlink
 * followed below the home directory, a regular file owned by the user,
 * at most MELEE_USER_FILE_MAX bytes; its first line, trimmed, into out.
 * 0 when it names something; -ENOENT when there is no file (or no
 * directory on the way); -ELOOP a symlink on the way, -EPERM not the
 * user's, -EFBIG too big, -ENODATA empty, -EINVAL not a regular file,
 * else the -errno of the failed step.  Every refusal is "no choice" to
 * a login; the message (not for -ENOENT) says why. */
int melee_user_file_read(const struct passwd *pw, char *out, size_t len, char *err, size_t errlen);

/* Writes `image` (a valid name) as the user's file, or removes the file
 * for image NULL (1 when there was none).  Directories missing on the
 * way are created 0755, the file 0644, atomically (melee_write_atomic).
 * Refuses (-ELOOP, -EPERM) a symlinked ~/.config or ~/.config/melee and
 * one owned by someone else: the reader would not follow it, and a
 * directory someone else controls can be swapped under us.  Call it with
 * the user's ids only: never as root for someone else. */
int melee_user_file_write(const struct passwd *pw, const char *image, char *err, size_t errlen);

enum melee_default_source {
	MELEE_DEFAULT_NONE,
	MELEE_DEFAULT_USER_FILE,
	MELEE_DEFAULT_USERS_CONF,
	MELEE_DEFAULT_IMAGE,
};

struct melee_default {
	enum melee_default_source source;
	/* The name as the source spelled it, room for melee_shown()'s
	 * "...": an over-long name never matches an image by its prefix. */
	char image[MELEE_NAME_MAX + 5];
	/* The user's file when it was read but not used: its code
	 * (melee_user_file_read's) and why, for melee --show-default. */
	int user_file_rc;
	char user_file_err[MELEE_ERRLEN];
};

/* The first of sources 4-6 that names an image, in pam_melee(8)'s order
 * (the user's file only when user-choice = yes, and only when `pw` is
 * given).  It only chooses: whether the image exists and the user may
 * have it is the caller's check, and a broken choice does not fall
 * through to the next source (a login falls back to the host). */
void melee_default_choose(const struct melee_config *cfg, const char *user, const struct passwd *pw,
			  struct melee_default *d);

#endif
