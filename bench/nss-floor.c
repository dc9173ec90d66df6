/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench/nss-inprocess's floor: libnss_floor.so.2, the least any NSS
 * module must do to give "alice@demo" alice's entry and groups.  It reads
 * no configuration and checks nothing: it splits the name at '@', looks
 * the base name up through glibc (every module of nsswitch.conf: the one
 * thing a module serving a second name for any user, local or from a
 * directory service, cannot skip), and renames the answer.  libnss_melee
 * does that same base lookup and more (its configuration, the access
 * rules, login.defs' range of people); the bench prints its cost over
 * this floor, and the floor's over libnss-extrausers, which reads a
 * passwd of its own and never asks glibc again.
 *
 * Built and installed by bench/nss-inprocess in its own namespace only;
 * never part of the product. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <grp.h>
#include <nss.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

enum nss_status _nss_floor_getpwnam_r(const char *name, struct passwd *result, char *buffer,
				      size_t buflen, int *errnop);
enum nss_status _nss_floor_initgroups_dyn(const char *user, gid_t group, long int *start,
					  long int *size, gid_t **groupsp, long int limit,
					  int *errnop);

/* "alice@demo" -> "alice"; false for any other name. */
static bool base_of(const char *name, char *base, size_t len)
{
	const char *at = strchr(name, '@');

	if (!at || at == name || !at[1] || (size_t)(at - name) >= len)
		return false;
	memcpy(base, name, (size_t)(at - name));
	base[at - name] = '\0';
	return true;
}

static char *put(const char *s, char **buf, size_t *left)
{
	size_t n = strlen(s) + 1;
	char *p = *buf;

	if (n > *left)
		return NULL;
	memcpy(p, s, n);
	*buf += n;
	*left -= n;
	return p;
}

enum nss_status _nss_floor_getpwnam_r(const char *name, struct passwd *result, char *buffer,
				      size_t buflen, int *errnop)
{
	char base[256], pwbuf[2048];
	struct passwd pw, *res = NULL;
	size_t left = buflen;
	char *b = buffer;

	if (!base_of(name, base, sizeof(base)))
		return NSS_STATUS_NOTFOUND;
	if (getpwnam_r(base, &pw, pwbuf, sizeof(pwbuf), &res) != 0 || !res)
		return NSS_STATUS_NOTFOUND;
	*result = pw;
	if (!(result->pw_name = put(name, &b, &left)) ||
	    !(result->pw_passwd = put(pw.pw_passwd, &b, &left)) ||
	    !(result->pw_gecos = put(pw.pw_gecos, &b, &left)) ||
	    !(result->pw_dir = put(pw.pw_dir, &b, &left)) ||
	    !(result->pw_shell = put(pw.pw_shell, &b, &left))) {
		*errnop = ERANGE;
		return NSS_STATUS_TRYAGAIN;
	}
	return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_floor_initgroups_dyn(const char *user, gid_t group, long int *start,
					  long int *size, gid_t **groupsp, long int limit,
					  int *errnop)
{
	char base[256];
	gid_t g[64];
	int n = 64;

	(void)limit;
	if (!base_of(user, base, sizeof(base)))
		return NSS_STATUS_NOTFOUND;
	if (getgrouplist(base, group, g, &n) < 0)
		return NSS_STATUS_NOTFOUND; /* more than 64: not in this bench */
	for (int i = 1; i < n; i++) {
		if (*start == *size) {
			gid_t *ng = realloc(*groupsp, (size_t)(*size * 2) * sizeof(*ng));

			if (!ng) {
				*errnop = ENOMEM;
				return NSS_STATUS_TRYAGAIN;
			}
			*groupsp = ng;
			*size *= 2;
		}
		(*groupsp)[(*start)++] = g[i];
	}
	return NSS_STATUS_SUCCESS;
}
