/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one passwd lookup of MELEE: getpwnam_r/getpwuid_r with a buffer of
 * our own, grown on ERANGE (as linux-pam's pam_modutil_getpwnam), so that
 * no caller guesses a size and none shares getpwnam()'s static state
 * with a PAM application or an NSS module.  In libmelee-core. */
#ifndef MELEE_PW_H
#define MELEE_PW_H

#include <pwd.h>
#include <stddef.h>
#include <sys/types.h>

#include "melee-util.h"

/* The largest buffer tried: a passwd entry is a line of a file or a
 * directory answer, and one bigger than this is broken, not a person
 * (libnss_melee's own base lookup stops at the same size). */
#define MELEE_PW_MAX (1u << 20)

/* Looks `name` (or `uid`) up in the passwd database.  On success *pw is
 * one allocation holding the entry and its strings: the caller free()s
 * it (cleanup_free).  Returns 0; -ENOENT when there is no such user;
 * -ERANGE when the entry is bigger than MELEE_PW_MAX; -EIO when the
 * database could not be read (glibc's ENOENT for an unavailable source);
 * the lookup's own -errno or -ENOMEM otherwise; -EINVAL for a NULL name.  A failed
 * lookup is never "no such user": callers that refuse on a match must
 * refuse on an error too.  The message (naming the user) is in err. */
int melee_getpwnam(const char *name, struct passwd **pw, char *err, size_t errlen) melee_must_check;
int melee_getpwuid(uid_t uid, struct passwd **pw, char *err, size_t errlen) melee_must_check;

#endif
