/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which uids are people: UID_MIN..UID_MAX of the host's login.defs, read safely. */
#include "melee-ids.h"
#include "melee-stamps.h"
#include "melee-util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define LOGIN_DEFS_MAX (1024 * 1024)
#define OVERFLOW_UID 65534

long melee_parse_id(const char *s)
{
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	/* (uid_t)-1 means "no id"; beyond it an id does not fit in 32 bits
	 * (an old glibc would wrap 4294967306 to 10). */
	if (errno || *end || v < 0 || v > 4294967294L)
		return -1;
	return v;
}

/* A value of login.defs as shadow's getdef reads a number
 * (getdef_ulong): strtoul with base 0, so "0x1388" and "011610" are
 * 5000, the whole value or nothing; a negative one, which newer shadow
 * refuses and older wraps, is no number here.  Any unsigned long is
 * kept: uid_t's (uid_t)-1 and beyond are never people anyway
 * (melee_uid_is_human). */
static bool defs_number(const char *s, unsigned long *out)
{
	char *end;

	if (!*s || strchr(s, '-'))
		return false;
	errno = 0;
	*out = strtoul(s, &end, 0);
	return errno == 0 && *end == '\0';
}

/* The key and value of the line [l, end) as shadow's def_load splits one:
 * trailing white space dropped, the key up to the first blank, the value
 * after the blanks and double quotes that follow, up to the next double
 * quote.  False for a comment, a blank line, a key alone, or a key or
 * value too long for the buffers (no key or number we read is). */
static bool defs_split(const char *l, const char *end, char *key, size_t keylen, char *val,
		       size_t vallen)
{
	const char *k, *v;

	while (end > l && isspace((unsigned char)end[-1]))
		end--;
	while (l < end && (*l == ' ' || *l == '\t'))
		l++;
	for (k = l; l < end && *l != ' ' && *l != '\t'; l++)
		;
	if (l == end || l == k || (size_t)(l - k) >= keylen)
		return false;
	memcpy(key, k, (size_t)(l - k));
	key[l - k] = '\0';
	while (l < end && (*l == ' ' || *l == '\t' || *l == '"'))
		l++;
	for (v = l; l < end && *l != '"'; l++)
		;
	/* Too long for any id: kept as a value that is no number (the
	 * caller then refuses it), never cut to one that is. */
	if ((size_t)(l - v) >= vallen) {
		snprintf(val, vallen, "%s", "(too long)");
		return true;
	}
	memcpy(val, v, (size_t)(l - v));
	val[l - v] = '\0';
	return true;
}

/* Read in place, without an allocation: one that failed would leave
 * shadow's defaults in place of the host's range, and with them another
 * set of people (test-alloc-fail). */
int melee_login_defs_parse(const char *text, struct melee_id_range *range, const char *path,
			   char *err, size_t errlen)
{
	static const char *const keys[] = { "UID_MIN", "UID_MAX", "GID_MIN", "GID_MAX" };
	unsigned long *field[] = { &range->uid_min, &range->uid_max, &range->gid_min,
				   &range->gid_max };
	const char *l = text ? text : "", *all_end = l + strlen(l);
	int lineno = 0;

	range->uid_min = range->gid_min = 1000;
	range->uid_max = range->gid_max = 60000;
	/* Only lines whose first word starts [UG]ID_M matter, and most of
	 * the file is comments: a line is passed over after a look at its
	 * first character, the next found by memchr (a 12 KB login.defs,
	 * read for every USER+IMAGE lookup, cost 35,000 instructions with
	 * strspn and strchrnul on every line). */
	for (const char *end; l < all_end; l = end + 1) {
		const char *w = l;
		char key[16], val[64];

		lineno++;
		end = memchr(l, '\n', (size_t)(all_end - l));
		if (!end)
			end = all_end;
		while (w < end && (*w == ' ' || *w == '\t'))
			w++;
		if (end - w < 5 || (*w != 'U' && *w != 'G') || memcmp(w + 1, "ID_M", 4) != 0)
			continue;
		if (!defs_split(w, end, key, sizeof(key), val, sizeof(val)))
			continue;
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			if (strcmp(key, keys[i]) != 0)
				continue;
			/* useradd would warn and use its default; who is a
			 * person must not be guessed, so nobody is one. */
			if (!defs_number(val, field[i])) {
				char shown[48];

				return melee_fail(err, errlen, -EINVAL,
						  "%s:%d: %s '%s' is not a number (expected "
						  "decimal, 0x hex or 0 octal, as shadow reads it)",
						  path ? path : "login.defs", lineno, key,
						  melee_shown(val, 40, shown, sizeof(shown)));
			}
		}
	}
	return 0;
}

/* Into stamps (NULL: none kept) what the read was made of: the fstat
 * of the file it opened (no lstat of its own), or that there is none,
 * stamped before a byte is read, so that the racy rule of melee-stamps.c
 * reads the clock after that fstat and before the read.  An entry left
 * by a read that then fails is harmless: a failure is never kept. */
int melee_login_defs_read_stamped(const char *path, struct melee_stamps *stamps,
				  struct melee_id_range *range, char *err, size_t errlen)
{
	cleanup_fd int fd = -1;
	cleanup_free char *text = NULL;
	struct stat st_, *st = &st_;
	int r;

	/* A FIFO or a device node planted there is refused without being
	 * opened: it must not hang the lookup (melee_open_regular). */
	fd = melee_open_regular(AT_FDCWD, path, O_NOFOLLOW, 0, st);
	if (fd == -ENOENT) {
		if (melee_stamps_add_missing(stamps, path) < 0)
			return melee_fail(err, errlen, -ENOMEM, "out of memory");
		return melee_login_defs_parse(NULL, range, path, err, errlen);
	}
	if (fd == -ELOOP)
		return melee_fail(err, errlen, -ELOOP, "%s: is a symlink (refused)", path);
	if (fd == -EINVAL)
		return melee_fail(err, errlen, -EPERM,
				  "%s must be a regular file owned by root and not writable "
				  "by group or others (it is %s)",
				  path, melee_file_kind(st));
	if (fd < 0)
		return melee_fail(err, errlen, fd, "%s: %s", path, strerror(-fd));
	/* It decides who is a person: only root may have written it. */
	if (melee_check_trusted(st, 0, path, NULL, 0) < 0)
		return melee_fail(err, errlen, -EPERM,
				  "%s must be a regular file owned by root and not writable "
				  "by group or others",
				  path);
	if (melee_stamps_add(stamps, path, st) < 0)
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	r = melee_read_fd(fd, LOGIN_DEFS_MAX, &text, NULL);
	if (r < 0)
		return melee_fail(err, errlen, r, "%s: cannot read (at most %d bytes): %s", path,
				  LOGIN_DEFS_MAX, strerror(-r));
	return melee_login_defs_parse(text, range, path, err, errlen);
}

int melee_login_defs_read(const char *path, struct melee_id_range *range, char *err, size_t errlen)
{
	return melee_login_defs_read_stamped(path, NULL, range, err, errlen);
}

bool melee_uid_is_human(const struct melee_id_range *range, uid_t uid)
{
	return uid != 0 && uid != OVERFLOW_UID && uid != (uid_t)-1 && uid >= range->uid_min &&
	       uid <= range->uid_max;
}

int melee_suffix_allowed(const char *path, const char *user, uid_t uid, char *err, size_t errlen)
{
	struct melee_id_range range;
	int r;

	/* Root needs no file read to be refused. */
	if (uid == 0)
		return melee_suffix_allowed_range(NULL, path, user, uid, err, errlen);
	r = melee_login_defs_read(path, &range, err, errlen);
	if (r < 0)
		return r;
	return melee_suffix_allowed_range(&range, path, user, uid, err, errlen);
}

int melee_suffix_allowed_range(const struct melee_id_range *range, const char *path,
			       const char *user, uid_t uid, char *err, size_t errlen)
{
	if (uid == 0)
		return melee_fail(err, errlen, -EPERM,
				  "%s (uid 0) is not a human account: it has no USER+IMAGE name",
				  user);
	if (!range || !melee_uid_is_human(range, uid))
		return melee_fail(err, errlen, -EPERM,
				  "%s (uid %u) is not a human account (UID_MIN..UID_MAX of %s: "
				  "%lu..%lu): it has no USER+IMAGE name",
				  user, (unsigned)uid, path, range ? range->uid_min : 0,
				  range ? range->uid_max : 0);
	return 0;
}
