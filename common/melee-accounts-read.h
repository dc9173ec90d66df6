/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where accounts = merge takes its text from (melee-accounts.c merges
 * it): the host's passwd and group, and the image's own, read so that no
 * file a user can redirect or block on is read as root. */
#ifndef MELEE_ACCOUNTS_READ_H
#define MELEE_ACCOUNTS_READ_H

#include <stdbool.h>
#include <stddef.h>

/* The largest passwd or group file read (a 20,000-user site's is a few MB). */
#define ACCOUNTS_MAX_SIZE (64 * 1024 * 1024)

/* ETC/NAME of the host into *out (an empty string for an optional file
 * that is not there): 0, or -errno with the message in err. */
int melee_accounts_read_host(const char *etc, const char *name, bool optional, char **out,
			     char *err, size_t errlen);
/* The image's own etc/NAME (passwd or group) into *out, the one under our
 * merged file's bind, never one behind a link into a mount: 0, or -errno
 * with the message in err. */
int melee_accounts_read_image(int imgfd, const char *name, char **out, char *err, size_t errlen);

#endif
