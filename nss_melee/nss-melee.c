/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libnss_melee.so.2: resolves "alice+sl6" to alice's passwd, shadow and
 * groups, so that sshd, su and login accept the suffixed name
 * (ANCHORS.md).  The entry keeps "alice+sl6" as its name: sshd and su
 * refuse a PAM module that changes PAM_USER.
 *
 * glibc's rules for NSS modules: strings go into the caller's buffer, a
 * buffer too small is NSS_STATUS_TRYAGAIN with ERANGE, no mutable
 * globals (any thread may call us), never the non-_r lookups (their
 * static lock would deadlock), and no recursion: the base name has no
 * separator, so our own module answers NOTFOUND for it at once.
 *
 * Only people get the second name (melee-ids.h): a base user outside
 * UID_MIN..UID_MAX of login.defs (root, system accounts, nobody) is
 * NOTFOUND, so that no rule the host writes against "root" is bypassed
 * with "root+sl6". */
#include "melee-access.h"
#include "melee-config.h"
#include "melee-ids.h"
#include "melee-util.h"
#include "nss-cache.h"

#include <errno.h>
#include <grp.h>
#include <nss.h>
#include <pwd.h>
#include <shadow.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#define NAME_MAX_LEN 512

/* Splits "alice+sl6" into base and image.  False for anything else:
 * plain names (the fast path: no configuration is read), "+img",
 * "alice+", "alice++img", "alice+../x", over-long names. */
static bool split_name(const char *name, char *base, size_t baselen, const char **image, char *sep)
{
	size_t len = strnlen(name, NAME_MAX_LEN + 1), i;

	if (len == 0 || len > NAME_MAX_LEN)
		return false;
	for (i = 0; i < len && melee_user_char(name[i]); i++)
		;
	/* Only a character that may be a separator at all reads on (sssd's
	 * alice@example.com is NOTFOUND here at once). */
	if (i == len || i == 0 || i >= baselen || !strchr(MELEE_SEPARATORS, name[i]) ||
	    !melee_name_valid(name + i + 1))
		return false;
	memcpy(base, name, i);
	base[i] = '\0';
	*sep = name[i];
	*image = name + i + 1;
	return true;
}

/* A failure that is not a refusal: running out of memory is worth a
 * retry (TRYAGAIN, ENOMEM); anything else (a configuration or login.defs
 * that cannot be read or is refused as unsafe, a group service that is
 * down) is UNAVAIL, logged with its reason.  Never NOTFOUND: nscd caches
 * that and sshd logs "Invalid user" for a name that is fine. */
static enum nss_status failed(int r, const char *err, int *errnop)
{
	*errnop = -r;
	if (r == -ENOMEM || r == -EAGAIN)
		return NSS_STATUS_TRYAGAIN;
	/* The module's one log line: sshd refuses the name before PAM
	 * runs, so nothing else would say why. */
	syslog(LOG_AUTHPRIV | LOG_ERR, "libnss_melee: %s", err[0] ? err : strerror(-r));
	return NSS_STATUS_UNAVAIL;
}

/* Decides whether `name` is a configured image suffix (or the host's
 * reserved name) that the base user may use: SUCCESS, NOTFOUND for a refusal (no MELEE
 * configuration here, no such image, another separator, not a person, not allowed), or what
 * failed() says.  The configuration is melee.conf and the image's own
 * drop-in (the whole configuration only for an alias or an unknown name:
 * see melee_config_load_image), read once and then reused while none of
 * its files changed (nss-cache.h). */
static enum nss_status allowed(const char *base, const char *image, char sep, uid_t uid, gid_t gid,
			       gid_t **groups_out, size_t *n_out, int *errnop)
{
	struct nss_snapshot *snap = NULL;
	const struct melee_image *im;
	gid_t *groups = NULL;
	size_t ngroups = 0;
	enum nss_status st = NSS_STATUS_NOTFOUND;
	char err[MELEE_ERRLEN] = "";
	bool host;
	int r;

	/* Inside an image (after the chroot) glibc 2.33+ keeps the service
	 * lists it read on the host, so this module may still be asked; the
	 * path below is then the image's, which normally has no MELEE
	 * configuration (-ENOENT): NOTFOUND, and the "files" entries of the
	 * image's merged passwd and group (written by melee-mounts, with
	 * the suffixed names) answer instead. */
	r = nss_snapshot_get(image, &snap, err, sizeof(err));
	if (r == -ENOENT)
		return NSS_STATUS_NOTFOUND;
	if (r < 0)
		return failed(r, err, errnop);
	im = melee_config_find_image(&snap->cfg, image);
	/* A suffix is a second name only for people (melee-ids.h): never
	 * for root, a system account or nobody, whom the host's sudo, sshd
	 * and pam_access rules protect by name; root without a file read.
	 * A login.defs that cannot be read or parsed is a failure
	 * (nss_snapshot_get), not a refusal. */
	/* USER<sep>host (MELEE_HOST_NAME, which no image may take) is the
	 * host whatever a default says: the same second name, for the same
	 * people, with no image to be allowed. */
	host = strcmp(image, MELEE_HOST_NAME) == 0;
	if ((!im && !host) || sep != snap->cfg.separator || uid == 0 || !snap->have_range)
		goto out;
	if (!melee_uid_is_human(&snap->range, uid))
		goto out;
	/* The groups only when an allow list or the caller needs them:
	 * getpwnam_r of an open image reads no group file. */
	if ((im && im->n_allow_groups) || groups_out) {
		r = melee_user_groups(base, gid, &groups, &ngroups);
		if (r < 0) {
			snprintf(err, sizeof(err), "groups of %s: %s", base, strerror(-r));
			st = failed(r, err, errnop);
			goto out;
		}
	}
	r = im ? melee_image_access(im, base, groups, ngroups, err, sizeof(err)) : 0;
	if (r < 0 && r != -EACCES) {
		st = failed(r, err, errnop);
		goto out;
	}
	if (r < 0)
		goto out;
	st = NSS_STATUS_SUCCESS;
	if (groups_out) {
		*groups_out = groups;
		*n_out = ngroups;
		groups = NULL;
	}
out:
	free(groups);
	nss_snapshot_put(snap);
	return st;
}

/* Copies s into the caller's buffer. */
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

/* What a failed lookup of the base user means to our caller: no such
 * user is NOTFOUND; running out of memory is worth a retry; anything
 * else (a directory service that is down) is UNAVAIL, never "unknown". */
static enum nss_status lookup_failed(int r, int *errnop)
{
	if (r == ENOENT)
		return NSS_STATUS_NOTFOUND;
	*errnop = r;
	return r == ENOMEM || r == EAGAIN ? NSS_STATUS_TRYAGAIN : NSS_STATUS_UNAVAIL;
}

/* getpwnam_r of the base user into `stack` (BASE_BUF bytes), or for an
 * entry that does not fit, a buffer of our own in *mem. */
#define BASE_BUF 2048
static int base_passwd(const char *base, struct passwd *pw, char *stack, char **mem)
{
	size_t size = BASE_BUF;

	for (;;) {
		struct passwd *res = NULL;
		char *b = stack;
		int r;

		if (size > BASE_BUF) {
			b = realloc(*mem, size);
			if (!b)
				return ENOMEM;
			*mem = b;
		}
		r = getpwnam_r(base, pw, b, size, &res);
		if (r == ERANGE && size < (1u << 20)) {
			size *= 2;
			continue;
		}
		return r ? r : res ? 0 : ENOENT;
	}
}

/* The entry of `name` (USER+IMAGE) in the caller's buffer: the base
 * user's, renamed. */
static enum nss_status fill_passwd(struct passwd *result, const char *name, const struct passwd *pw,
				   char *buffer, size_t buflen, int *errnop)
{
	char *b = buffer;
	size_t left = buflen;

	result->pw_uid = pw->pw_uid;
	result->pw_gid = pw->pw_gid;
	if (!(result->pw_name = put(name, &b, &left)) ||
	    !(result->pw_passwd = put(pw->pw_passwd ? pw->pw_passwd : "x", &b, &left)) ||
	    !(result->pw_gecos = put(pw->pw_gecos ? pw->pw_gecos : "", &b, &left)) ||
	    !(result->pw_dir = put(pw->pw_dir ? pw->pw_dir : "/", &b, &left)) ||
	    !(result->pw_shell = put(pw->pw_shell ? pw->pw_shell : "", &b, &left))) {
		*errnop = ERANGE;
		return NSS_STATUS_TRYAGAIN;
	}
	return NSS_STATUS_SUCCESS;
}

/* The base user's shadow entry into *sp, its strings in *mem (the
 * caller frees it): 0, or the errno of the failed lookup (ENOENT: none). */
static int base_shadow(const char *base, struct spwd *sp, char **mem)
{
	struct spwd *res = NULL;
	size_t size = 4096;
	int r;

	for (;;) {
		char *b = realloc(*mem, size);

		if (!b)
			return ENOMEM;
		*mem = b;
		r = getspnam_r(base, sp, *mem, size, &res);
		if (r == ERANGE && size < (1u << 20)) {
			size *= 2;
			continue;
		}
		if (r || !res)
			return r ? r : ENOENT;
		return 0;
	}
}

/* The shadow entry of `name` in the caller's buffer: the base user's,
 * renamed. */
static enum nss_status fill_shadow(struct spwd *result, const char *name, const struct spwd *sp,
				   char *buffer, size_t buflen, int *errnop)
{
	char *b = buffer;
	size_t left = buflen;

	*result = *sp;
	if (!(result->sp_namp = put(name, &b, &left)) ||
	    !(result->sp_pwdp = put(sp->sp_pwdp ? sp->sp_pwdp : "!", &b, &left))) {
		*errnop = ERANGE;
		return NSS_STATUS_TRYAGAIN;
	}
	return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_melee_getpwnam_r(const char *name, struct passwd *result, char *buffer,
				      size_t buflen, int *errnop);
enum nss_status _nss_melee_getpwnam_r(const char *name, struct passwd *result, char *buffer,
				      size_t buflen, int *errnop)
{
	char base[NAME_MAX_LEN + 1], sep, pwbuf[BASE_BUF];
	const char *image;
	struct passwd pw;
	char *mem = NULL;
	enum nss_status st = NSS_STATUS_NOTFOUND;
	int r;

	if (!name || !split_name(name, base, sizeof(base), &image, &sep))
		return NSS_STATUS_NOTFOUND;
	r = base_passwd(base, &pw, pwbuf, &mem);
	if (r) {
		st = lookup_failed(r, errnop);
		goto out;
	}
	st = allowed(base, image, sep, pw.pw_uid, pw.pw_gid, NULL, NULL, errnop);
	if (st != NSS_STATUS_SUCCESS)
		goto out;
	st = fill_passwd(result, name, &pw, buffer, buflen, errnop);
out:
	free(mem);
	return st;
}

enum nss_status _nss_melee_getspnam_r(const char *name, struct spwd *result, char *buffer,
				      size_t buflen, int *errnop);
enum nss_status _nss_melee_getspnam_r(const char *name, struct spwd *result, char *buffer,
				      size_t buflen, int *errnop)
{
	char base[NAME_MAX_LEN + 1], sep, pwbuf[BASE_BUF];
	const char *image;
	struct passwd pw;
	struct spwd sp;
	char *mem = NULL, *spmem = NULL;
	enum nss_status st = NSS_STATUS_NOTFOUND;
	int r;

	if (!name || !split_name(name, base, sizeof(base), &image, &sep))
		return NSS_STATUS_NOTFOUND;
	r = base_passwd(base, &pw, pwbuf, &mem);
	if (r) {
		st = lookup_failed(r, errnop);
		goto out;
	}
	st = allowed(base, image, sep, pw.pw_uid, pw.pw_gid, NULL, NULL, errnop);
	if (st != NSS_STATUS_SUCCESS)
		goto out;
	r = base_shadow(base, &sp, &spmem);
	if (r) {
		st = lookup_failed(r, errnop);
		goto out;
	}
	st = fill_shadow(result, name, &sp, buffer, buflen, errnop);
out:
	free(mem);
	free(spmem);
	return st;
}

/* initgroups("alice+sl6"): alice's groups, for the names getpwnam_r
 * admits and no others (su calls it on the host before the session
 * opens).  Inside an image the image's merged group file lists
 * alice+sl6 (see allowed()). */
enum nss_status _nss_melee_initgroups_dyn(const char *user, gid_t group, long int *start,
					  long int *size, gid_t **groupsp, long int limit,
					  int *errnop);
enum nss_status _nss_melee_initgroups_dyn(const char *user, gid_t group, long int *start,
					  long int *size, gid_t **groupsp, long int limit,
					  int *errnop)
{
	char base[NAME_MAX_LEN + 1], sep, pwbuf[BASE_BUF];
	const char *image;
	struct passwd pw;
	char *mem = NULL;
	gid_t *g = NULL;
	size_t n = 0;
	enum nss_status st;
	int r;

	if (!user || !split_name(user, base, sizeof(base), &image, &sep))
		return NSS_STATUS_NOTFOUND;
	/* The access check uses the user's own primary group, as
	 * getpwnam_r does, never the one the caller passes in; the groups
	 * it read are the answer. */
	r = base_passwd(base, &pw, pwbuf, &mem);
	st = r ? lookup_failed(r, errnop)
	       : allowed(base, image, sep, pw.pw_uid, pw.pw_gid, &g, &n, errnop);
	free(mem);
	if (st != NSS_STATUS_SUCCESS)
		return st;
	/* g[0] is the primary group getgrouplist() was given: only the
	 * memberships are ours to add. */
	for (size_t i = 1; i < n; i++) {
		bool have = g[i] == group;

		for (long j = 0; j < *start && !have; j++)
			have = (*groupsp)[j] == g[i];
		if (have)
			continue;
		if (*start == *size) {
			long nsize = *size * 2 + 1;
			gid_t *ng;

			if (limit > 0 && nsize > limit)
				nsize = limit;
			if (nsize <= *size)
				break; /* at the caller's limit */
			ng = realloc(*groupsp, (size_t)nsize * sizeof(*ng));
			if (!ng) {
				free(g);
				*errnop = ENOMEM;
				return NSS_STATUS_TRYAGAIN;
			}
			*groupsp = ng;
			*size = nsize;
		}
		(*groupsp)[(*start)++] = g[i];
	}
	free(g);
	return NSS_STATUS_SUCCESS;
}
