/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which accounts count as people: the human uid range of the host's
 * login.defs (UID_MIN..UID_MAX, as shadow's useradd reads it).  The
 * account merge copies these users into images, and only they get a
 * second name USER+IMAGE (libnss_melee, pam_melee): a suffix must never
 * be another name for root or a system account, which the host's rules
 * (sudo's "!root", sshd's DenyUsers, pam_access) protect by name.
 * In libmelee-core: the NSS module needs it and links nothing else. */
#ifndef MELEE_IDS_H
#define MELEE_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define MELEE_LOGIN_DEFS "/etc/login.defs"

struct melee_id_range {
	unsigned long uid_min, uid_max, gid_min, gid_max;
};

/* A decimal id field of passwd, group or login.defs: its value, or -1
 * when it is empty, not a plain non-negative number, or above
 * 4294967294 (32 bits, (uid_t)-1 excluded). */
long melee_parse_id(const char *s);

/* Reads UID_MIN/UID_MAX/GID_MIN/GID_MAX from login.defs text the way
 * shadow's getdef does (a value may be quoted, decimal, 0x hex or 0
 * octal; the last line of a key wins); missing keys keep shadow's
 * defaults (1000..60000).  A present key whose value is no such number
 * is -EINVAL with "PATH:LINE: KEY 'VALUE' is not a number ..." (path
 * may be NULL): useradd would fall back to its default, but who is a
 * person is then unknown, so the callers refuse every suffix and the
 * merge rather than guess. */
int melee_login_defs_parse(const char *text, struct melee_id_range *range, const char *path,
			   char *err, size_t errlen);

/* Reads the file at path (O_NOFOLLOW, a regular file owned by root and not
 * writable by others, at most 1 MiB; a FIFO is refused, never opened)
 * into *range.  A missing file gives shadow's defaults; any other problem,
 * a value that is no number included, is -errno with a message. */
int melee_login_defs_read(const char *path, struct melee_id_range *range, char *err, size_t errlen);

struct melee_stamps;
/* The same, path stamped into *stamps first (melee-stamps.h), so that a
 * change after the stat is seen at the next use of a kept read. */
int melee_login_defs_read_stamped(const char *path, struct melee_stamps *stamps,
				  struct melee_id_range *range, char *err, size_t errlen);

/* A uid of a person: inside UID_MIN..UID_MAX, and never 0 or the
 * overflow uid 65534 ("nobody") whatever login.defs says. */
bool melee_uid_is_human(const struct melee_id_range *range, uid_t uid);

/* 0 if `user` (uid `uid`) may have a suffixed name by the login.defs at
 * path; -EPERM with "USER (uid N) is not a human account ..." if not; a
 * file that cannot be read refuses too (-errno). */
int melee_suffix_allowed(const char *path, const char *user, uid_t uid, char *err, size_t errlen);
/* The same with the range already read from path (named in the message). */
int melee_suffix_allowed_range(const struct melee_id_range *range, const char *path,
			       const char *user, uid_t uid, char *err, size_t errlen);

#endif
