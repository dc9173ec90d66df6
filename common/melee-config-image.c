/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The keys of an [image NAME] section of melee.conf or a drop-in, and the
 * defaults an image gets once every file is read.  See melee.conf(5). */
#include "melee-config-parse.h"
#include "melee-util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum image_key {
	IMAGE_KEY_PATH,
	IMAGE_KEY_DESCRIPTION,
	IMAGE_KEY_ALIASES,
	IMAGE_KEY_PERSONALITY,
	IMAGE_KEY_ALLOW_GROUPS,
	IMAGE_KEY_ALLOW_USERS,
	IMAGE_KEY_FSTAB,
	IMAGE_KEY_ACCOUNTS,
	IMAGE_KEY_NOSUID,
	IMAGE_KEY_SOURCE,
	IMAGE_KEY_WRITABLE,
	IMAGE_KEY_GPU
};
_Static_assert(IMAGE_KEY_GPU + 1 == MELEE_IMAGE_KEY_COUNT, "one name per key");
const char *const melee_image_keys[MELEE_IMAGE_KEY_COUNT + 1] = {
	[IMAGE_KEY_PATH] = "path",
	[IMAGE_KEY_DESCRIPTION] = "description",
	[IMAGE_KEY_ALIASES] = "aliases",
	[IMAGE_KEY_PERSONALITY] = "personality",
	[IMAGE_KEY_ALLOW_GROUPS] = "allow-groups",
	[IMAGE_KEY_ALLOW_USERS] = "allow-users",
	[IMAGE_KEY_FSTAB] = "fstab",
	[IMAGE_KEY_ACCOUNTS] = "accounts",
	[IMAGE_KEY_NOSUID] = "nosuid",
	[IMAGE_KEY_SOURCE] = "source",
	[IMAGE_KEY_WRITABLE] = "writable",
	[IMAGE_KEY_GPU] = "gpu",
};

void melee_image_free(struct melee_image *im)
{
	free(im->name);
	free(im->path);
	free(im->description);
	melee_strv_free(im->aliases);
	melee_strv_free(im->allow_groups);
	melee_strv_free(im->allow_users);
	free(im->fstab);
	free(im->source);
	free(im->where);
	free(im->aliases_where);
}

/* "512M", "2G", "65536": a positive number of bytes with an optional K, M,
 * G or T (powers of 1024, as tmpfs reads them); nothing else, so that a
 * typo never becomes the kernel's default of half the RAM. */
static int parse_size(const char *s, unsigned long long *out)
{
	unsigned long long v = 0, mult = 1;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (~0ULL - 9) / 10)
			return -ERANGE;
		v = v * 10 + (unsigned long long)(*p - '0');
	}
	switch (*p) {
	case 'K':
	case 'k':
		mult = 1ULL << 10;
		p++;
		break;
	case 'M':
	case 'm':
		mult = 1ULL << 20;
		p++;
		break;
	case 'G':
	case 'g':
		mult = 1ULL << 30;
		p++;
		break;
	case 'T':
	case 't':
		mult = 1ULL << 40;
		p++;
		break;
	}
	if (*p || v == 0)
		return -EINVAL;
	if (v > ~0ULL / mult)
		return -ERANGE;
	*out = v * mult;
	return 0;
}

static int set_writable(struct melee_image *im, const char *value, const char *path, unsigned ln,
			char *err, size_t errlen)
{
	if (strcmp(value, "no") == 0) {
		im->writable = MELEE_WRITABLE_NO;
		return 0;
	}
	if (strcmp(value, "tmpfs") == 0) {
		im->writable = MELEE_WRITABLE_TMPFS;
		im->writable_size = 0;
		return 0;
	}
	if (strncmp(value, "tmpfs:", 6) == 0 && parse_size(value + 6, &im->writable_size) == 0) {
		im->writable = MELEE_WRITABLE_TMPFS;
		return 0;
	}
	return melee_fail(err, errlen, -EINVAL,
			  "%s:%u: writable must be no, tmpfs or tmpfs:SIZE (SIZE a positive "
			  "number with an optional K, M, G or T, such as 512M), got '%.80s'",
			  path, ln, value);
}

static int set_list(struct melee_image *im, enum image_key k, const char *value, const char *path,
		    unsigned ln, char *err, size_t errlen)
{
	char bad[128] = "";
	int r;

	if (k == IMAGE_KEY_ALIASES) {
		r = melee_conf_list(value, &im->aliases, &im->n_aliases, melee_name_valid, bad,
				    sizeof(bad));
		if (r == -EINVAL)
			return melee_fail(err, errlen, r,
					  "%s:%u: invalid alias '%s' (expected "
					  "[A-Za-z0-9][A-Za-z0-9._-]{0,63})",
					  path, ln, bad);
		for (size_t i = 0; r == 0 && i < im->n_aliases; i++)
			if (strcmp(im->aliases[i], MELEE_HOST_NAME) == 0)
				return melee_fail(err, errlen, -EINVAL,
						  "%s:%u: '%s' cannot be an alias: it means the "
						  "host itself",
						  path, ln, MELEE_HOST_NAME);
		if (r == 0)
			im->aliases_where = melee_conf_where(path, ln);
		if (r < 0 || !im->aliases_where)
			return melee_fail(err, errlen, -ENOMEM, "%s:%u: out of memory", path, ln);
		return 0;
	}
	r = k == IMAGE_KEY_ALLOW_GROUPS
		? melee_conf_list(value, &im->allow_groups, &im->n_allow_groups,
				  melee_conf_account_name_valid, bad, sizeof(bad))
		: melee_conf_list(value, &im->allow_users, &im->n_allow_users,
				  melee_conf_account_name_valid, bad, sizeof(bad));
	if (r == -EINVAL)
		return melee_fail(err, errlen, r, "%s:%u: invalid %s name '%s' in %s", path, ln,
				  k == IMAGE_KEY_ALLOW_GROUPS ? "group" : "user", bad,
				  melee_image_keys[k]);
	if (r < 0)
		return melee_fail(err, errlen, r, "%s:%u: out of memory", path, ln);
	return 0;
}

/* path and source: absolute, normalised, never the host's root. */
static int set_abs_path(char **out, const char *key, const char *value, const char *path,
			unsigned ln, char *err, size_t errlen)
{
	if (strspn(value, "/") == strlen(value) && *value)
		return melee_fail(err, errlen, -EINVAL,
				  "%s:%u: %s must not be '/': the host itself is not an image",
				  path, ln, key);
	if (melee_conf_abs_path(value, out) < 0)
		return melee_fail(err, errlen, -EINVAL,
				  "%s:%u: %s must be an absolute path without empty, '.' or '..' "
				  "components, got '%s'",
				  path, ln, key, value);
	return 0;
}

int melee_image_set_key(struct melee_image *im, int key, const char *value, const char *path,
			unsigned ln, char *err, size_t errlen)
{
	enum image_key k = (enum image_key)key;

	switch (k) {
	case IMAGE_KEY_PATH: return set_abs_path(&im->path, "path", value, path, ln, err, errlen);
	case IMAGE_KEY_SOURCE:
		return set_abs_path(&im->source, "source", value, path, ln, err, errlen);
	case IMAGE_KEY_DESCRIPTION:
		im->description = strdup(value);
		if (!im->description)
			return melee_fail(err, errlen, -ENOMEM, "%s:%u: out of memory", path, ln);
		return 0;
	case IMAGE_KEY_ALIASES:
	case IMAGE_KEY_ALLOW_GROUPS:
	case IMAGE_KEY_ALLOW_USERS: return set_list(im, k, value, path, ln, err, errlen);
	case IMAGE_KEY_PERSONALITY:
		if (strcmp(value, "linux") == 0)
			im->personality = MELEE_PERSONALITY_LINUX;
		else if (strcmp(value, "linux32") == 0)
			im->personality = MELEE_PERSONALITY_LINUX32;
		else
			return melee_fail(err, errlen, -EINVAL,
					  "%s:%u: personality must be linux or linux32, got '%s'",
					  path, ln, value);
		return 0;
	case IMAGE_KEY_FSTAB:
		if (melee_conf_abs_path(value, &im->fstab) < 0)
			return melee_fail(err, errlen, -EINVAL,
					  "%s:%u: fstab must be an absolute path, got '%s'", path,
					  ln, value);
		return 0;
	case IMAGE_KEY_ACCOUNTS:
		if (strcmp(value, "merge") == 0)
			im->accounts = MELEE_ACCOUNTS_MERGE;
		else if (strcmp(value, "bind") == 0)
			im->accounts = MELEE_ACCOUNTS_BIND;
		else if (strcmp(value, "none") == 0)
			im->accounts = MELEE_ACCOUNTS_NONE;
		else
			return melee_fail(err, errlen, -EINVAL,
					  "%s:%u: accounts must be merge, bind or none, got '%s'",
					  path, ln, value);
		return 0;
	case IMAGE_KEY_NOSUID:
		return melee_conf_yes_no("nosuid", value, &im->nosuid, path, ln, err, errlen);
	case IMAGE_KEY_WRITABLE: return set_writable(im, value, path, ln, err, errlen);
	case IMAGE_KEY_GPU:
		if (strcmp(value, "none") == 0)
			im->gpu = MELEE_GPU_NONE;
		else if (strcmp(value, "nvidia") == 0)
			im->gpu = MELEE_GPU_NVIDIA;
		else
			return melee_fail(err, errlen, -EINVAL,
					  "%s:%u: gpu must be none or nvidia, got '%s'", path, ln,
					  value);
		return 0;
	}
	return melee_fail(err, errlen, -EINVAL, "%s:%u: unknown key", path, ln);
}

int melee_image_finish(struct melee_image *im, const struct melee_config *cfg, char *err,
		       size_t errlen)
{
	/* A tree is written in place: an overlay over it would hide what
	 * its owner writes there from everyone else. */
	if (im->writable != MELEE_WRITABLE_NO && !im->source)
		return melee_fail(err, errlen, -EINVAL,
				  "%s: image '%s': writable = tmpfs needs source = FILE (a tree "
				  "image is written in place)",
				  im->where, im->name);
	if (!im->path && asprintf(&im->path, "%s/%s", cfg->images_dir, im->name) < 0) {
		im->path = NULL;
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	}
	im->separator = cfg->separator;
	im->gpu_libraries = cfg->gpu_libraries;
	if (!im->description && !(im->description = strdup(im->name)))
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	if (!im->fstab && asprintf(&im->fstab, "%s/fstab", cfg->conf_dir) < 0) {
		im->fstab = NULL;
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	}
	return 0;
}
