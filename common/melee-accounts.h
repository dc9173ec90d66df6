/* accounts = merge: the image's own system accounts plus the host's human
 * users (UID_MIN..UID_MAX of the host's login.defs) and their groups, so
 * that a user who logs into an image is known there by name, without
 * touching the image's files. */
#ifndef MELEE_ACCOUNTS_H
#define MELEE_ACCOUNTS_H

#include <stddef.h>
#include <sys/types.h>

#include "melee-ids.h" /* struct melee_id_range */


/* Image passwd lines are kept unless they name a host human user or use
 * one's uid; then every host human line is appended, and once more for
 * each of `suffixes` ("+sl6": "alice+sl6", same ids) so that the name a
 * user logged in with is known inside the image (glibc reads the image's
 * own nsswitch.conf there, so only files can answer).  *out is
 * malloc'd; suffixes may be NULL. */
int melee_merge_passwd(const char *image_passwd, const char *host_passwd,
		       const struct melee_id_range *range, char *const *suffixes, char **out);

/* Host groups that a human user is in (listed members also get their
 * suffixed names) (as primary group or member) are
 * added with only their human members; a group the image already has
 * under the same name and gid gets those members appended; one the image
 * has with another gid stays the image's.  Image groups in the human gid
 * range that clash with a host group's gid are replaced. */
int melee_merge_group(const char *image_group, const char *host_group,
		      const char *host_passwd, const struct melee_id_range *range,
		      char *const *suffixes, char **out);

/* Generates passwd and group for the image rooted at imgfd and writes them
 * atomically to outdirfd.  Host files are read from host_etc (normally
 * "/etc"). */
int melee_accounts_write(int imgfd, const char *host_etc, int outdirfd,
			 char *const *suffixes, char *err, size_t errlen);

#endif
