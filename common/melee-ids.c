/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which uids are people: UID_MIN..UID_MAX of the host's login.defs, read safely. */
#include "melee-ids.h"
#include "melee-util.h"

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

/* The n-th blank-separated word of the line [l, end) into buf; an empty
 * string when there is none or it does not fit (no key or id we read is
 * that long: such a line is left out, as any other bad value is). */
static void defs_word(const char *l, const char *end, int n, char *buf, size_t len)
{
	buf[0] = '\0';
	for (int i = 0; i <= n; i++) {
		const char *w;

		while (l < end && (*l == ' ' || *l == '\t'))
			l++;
		for (w = l; l < end && *l != ' ' && *l != '\t'; l++)
			;
		if (i == n && l > w && (size_t)(l - w) < len) {
			memcpy(buf, w, (size_t)(l - w));
			buf[l - w] = '\0';
		}
	}
}

/* Read in place, without an allocation: one that failed would leave
 * shadow's defaults in place of the host's range, and with them another
 * set of people (issue 13, test-alloc-fail). */
void melee_login_defs_parse(const char *text, struct melee_id_range *range)
{
	const char *l = text ? text : "", *all_end = l + strlen(l);

	range->uid_min = range->gid_min = 1000;
	range->uid_max = range->gid_max = 60000;
	/* Only lines whose first word starts [UG]ID_M matter, and most of
	 * the file is comments: a line is passed over after a look at its
	 * first character, the next found by memchr (a 12 KB login.defs,
	 * read for every USER+IMAGE lookup, cost 35,000 instructions with
	 * strspn and strchrnul on every line; issue 15). */
	for (const char *end; l < all_end; l = end + 1) {
		const char *w = l;
		char key[16], val[32];
		long v;

		end = memchr(l, '\n', (size_t)(all_end - l));
		if (!end)
			end = all_end;
		while (w < end && (*w == ' ' || *w == '\t'))
			w++;
		if (end - w < 5 || (*w != 'U' && *w != 'G') || memcmp(w + 1, "ID_M", 4) != 0)
			continue;
		defs_word(w, end, 0, key, sizeof(key));
		defs_word(w, end, 1, val, sizeof(val));
		v = melee_parse_id(val[0] ? val : NULL);
		if (!key[0] || v < 0)
			continue;
		if (strcmp(key, "UID_MIN") == 0)
			range->uid_min = (unsigned long)v;
		else if (strcmp(key, "UID_MAX") == 0)
			range->uid_max = (unsigned long)v;
		else if (strcmp(key, "GID_MIN") == 0)
			range->gid_min = (unsigned long)v;
		else if (strcmp(key, "GID_MAX") == 0)
			range->gid_max = (unsigned long)v;
	}
}

int melee_login_defs_read(const char *path, struct melee_id_range *range, char *err,
			  size_t errlen)
{
	cleanup_fd int fd = -1;
	cleanup_free char *text = NULL;
	struct stat st;
	int r;

	/* O_NONBLOCK: a FIFO planted there must not hang the lookup (it is
	 * refused below as not a regular file). */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		melee_login_defs_parse(NULL, range);
		return 0;
	}
	if (fd < 0)
		return melee_fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0)
		return melee_fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
	/* It decides who is a person: only root may have written it. */
	if (!S_ISREG(st.st_mode) || melee_check_trusted(&st, 0, path, NULL, 0) < 0)
		return melee_fail(err, errlen, -EPERM,
				  "%s must be a regular file owned by root and not writable "
				  "by group or others",
				  path);
	r = melee_read_fd(fd, LOGIN_DEFS_MAX, &text, NULL);
	if (r < 0)
		return melee_fail(err, errlen, r, "%s: cannot read (at most %d bytes): %s", path,
				  LOGIN_DEFS_MAX, strerror(-r));
	melee_login_defs_parse(text, range);
	return 0;
}

bool melee_uid_is_human(const struct melee_id_range *range, uid_t uid)
{
	return uid != 0 && uid != OVERFLOW_UID && uid != (uid_t)-1 && uid >= range->uid_min &&
	       uid <= range->uid_max;
}

int melee_suffix_allowed(const char *path, const char *user, uid_t uid, char *err,
			 size_t errlen)
{
	struct melee_id_range range;
	int r;

	/* Root needs no file read to be refused. */
	if (uid == 0)
		return melee_fail(err, errlen, -EPERM,
				  "%s (uid 0) is not a human account: it has no USER+IMAGE name",
				  user);
	r = melee_login_defs_read(path, &range, err, errlen);
	if (r < 0)
		return r;
	if (!melee_uid_is_human(&range, uid))
		return melee_fail(err, errlen, -EPERM,
				  "%s (uid %u) is not a human account (UID_MIN..UID_MAX of %s: "
				  "%lu..%lu): it has no USER+IMAGE name",
				  user, (unsigned)uid, path, range.uid_min, range.uid_max);
	return 0;
}
