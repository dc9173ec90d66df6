/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Who may use an image: allow-users and allow-groups, checked against the host's groups. */
#include "melee-access.h"
#include "melee-util.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static void append_list(char *buf, size_t len, const char *label, char **v)
{
	if (!v || !*v)
		return;
	snprintf(buf + strlen(buf), len - strlen(buf), "%s%s: ", buf[0] ? "; " : "", label);
	for (size_t i = 0; v[i]; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? ", " : "", v[i]);
}

/* The gid of a group by name.  The _r call with our own buffer (no
 * static state shared with a PAM or NSS caller), grown on ERANGE: a
 * group of thousands of members has a line far longer than a page. */
static int group_gid(const char *name, gid_t *gid)
{
	size_t size = 16384;

	for (;;) {
		struct group gr, *res = NULL;
		cleanup_free char *buf = malloc(size);
		int r;

		if (!buf)
			return -ENOMEM;
		r = getgrnam_r(name, &gr, buf, size, &res);
		if (r == ERANGE && size < (16u << 20)) {
			size *= 2;
			continue;
		}
		if (r != 0 || !res)
			return r ? -r : -ENOENT;
		*gid = res->gr_gid;
		return 0;
	}
}

void melee_image_allowed(const struct melee_image *im, char *buf, size_t len)
{
	buf[0] = '\0';
	append_list(buf, len, "allowed groups", im->allow_groups);
	append_list(buf, len, "allowed users", im->allow_users);
}

int melee_image_access(const struct melee_image *im, const char *user, const gid_t *groups,
		       size_t ngroups, char *err, size_t errlen)
{
	char allowed[512] = "";

	if (im->n_allow_users == 0 && im->n_allow_groups == 0)
		return 0;
	if (melee_strv_contains(im->allow_users, user))
		return 0;
	for (size_t i = 0; i < im->n_allow_groups; i++) {
		gid_t gid = 0;
		int r = group_gid(im->allow_groups[i], &gid);

		/* A group that does not exist admits nobody; one that could
		 * not be looked up (no memory, its service down) is no
		 * answer, and must not read as "not allowed". */
		if (r == -ENOENT || r == -ESRCH || r == -EBADF || r == -EPERM)
			continue; /* getgrnam_r(3)'s ways of saying "no such group" */
		if (r < 0)
			return melee_fail(err, errlen, r, "group %s: %s", im->allow_groups[i],
					  strerror(-r));
		for (size_t g = 0; g < ngroups; g++)
			if (groups[g] == gid)
				return 0;
	}
	melee_image_allowed(im, allowed, sizeof(allowed));
	return melee_fail(err, errlen, -EACCES, "you may not use image %s (%s)", im->name, allowed);
}

int melee_user_groups(const char *user, gid_t primary, gid_t **groups, size_t *ngroups)
{
	int n = 32;

	for (;;) {
		gid_t *g = malloc((size_t)n * sizeof(*g));
		int want = n;

		if (!g)
			return -ENOMEM;
		if (getgrouplist(user, primary, g, &want) >= 0) {
			*groups = g;
			*ngroups = (size_t)want;
			return 0;
		}
		free(g);
		if (want <= n || want > 65536)
			return -EIO;
		n = want;
	}
}

/* The one "walk the groups, then check access" of pam_melee.c,
 * melee-spank.c and melee-qsub.c. */
int melee_user_may_use(const struct melee_image *im, const struct passwd *pw, char *err,
		       size_t errlen)
{
	cleanup_free gid_t *groups = NULL;
	size_t ngroups = 0;
	int r;

	/* The groups matter to allow-groups only: an image without it does
	 * not pay for a walk of every group database (getgrouplist). */
	if (im->n_allow_groups > 0) {
		r = melee_user_groups(pw->pw_name, pw->pw_gid, &groups, &ngroups);
		if (r < 0)
			return melee_fail(err, errlen, r, "cannot look up the groups of %s: %s",
					  pw->pw_name, strerror(-r));
	}
	return melee_image_access(im, pw->pw_name, groups, ngroups, err, errlen);
}
