/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Finding and opening the configuration: melee.conf, images.d/ and
 * users.conf, each opened relative to a directory fd checked as trusted.
 * The parsing is in melee-config.c.  See melee.conf(5). */
#include "melee-config.h"
#include "melee-util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int melee_open_trusted(const char *path, bool directory, uid_t owner,
		       char *err, size_t errlen)
{
	return melee_open_trusted_at(AT_FDCWD, path, path, directory, owner, err, errlen);
}

int melee_open_trusted_at(int dirfd, const char *name, const char *path, bool directory,
			  uid_t owner, char *err, size_t errlen)
{
	struct stat st;
	int r;
	cleanup_fd int fd = openat(dirfd, name,
				   (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY | O_NOCTTY) |
					   O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 && errno == ELOOP)
		return melee_fail(err, errlen, -ELOOP, "%s: is a symlink (refused)", path);
	if (fd < 0)
		return melee_fail(err, errlen, -errno, "%s: cannot open: %s", path,
				  strerror(errno));
	if (fstat(fd, &st) < 0)
		return melee_fail(err, errlen, -errno, "%s: cannot stat: %s", path,
				  strerror(errno));
	if (!directory && !S_ISREG(st.st_mode))
		return melee_fail(err, errlen, -EINVAL, "%s: not a regular file (refused)", path);
	r = melee_check_trusted(&st, owner, path, err, errlen);
	if (r < 0)
		return r;
	return melee_steal_fd(&fd);
}

static int dropin_filter(const struct dirent *d)
{
	size_t len = strlen(d->d_name);

	return d->d_name[0] != '.' && len > 5 && strcmp(d->d_name + len - 5, ".conf") == 0;
}

/* The drop-ins of `dir` (the entry `name` of the trusted directory
 * parentfd), each opened relative to the directory fd checked here. */
static int load_dir(int parentfd, const char *name, const char *dir, uid_t owner,
		    struct melee_config *cfg, char *err, size_t errlen)
{
	struct dirent **list = NULL;
	cleanup_fd int dfd = -1;
	int n, r = 0;

	dfd = melee_open_trusted_at(parentfd, name, dir, true, owner, err, errlen);
	if (dfd == -ENOENT) {
		melee_err_clear(err, errlen); /* none is fine */
		return 0;
	}
	if (dfd < 0)
		return dfd;
	n = scandirat(dfd, ".", &list, dropin_filter, alphasort);
	if (n < 0)
		return melee_fail(err, errlen, -errno, "%s: cannot list: %s", dir,
				  strerror(errno));
	for (int i = 0; i < n; i++) {
		if (r == 0) {
			cleanup_free char *p = NULL;
			cleanup_fd int fd = -1;

			if (asprintf(&p, "%s/%s", dir, list[i]->d_name) < 0) {
				p = NULL;
				r = melee_fail(err, errlen, -ENOMEM, "out of memory");
			} else if ((fd = melee_open_trusted_at(dfd, list[i]->d_name, p, false,
							       owner, err, errlen)) < 0) {
				r = fd;
			} else {
				r = melee_config_parse_fd(fd, p, true, cfg, err, errlen);
			}
		}
		free(list[i]);
	}
	free(list);
	return r;
}

static int load(const char *conf_path, uid_t owner, struct melee_config *cfg, char *err,
		size_t errlen);

int melee_config_load(const char *conf_path, uid_t owner, struct melee_config *cfg,
		      char *err, size_t errlen)
{
	int r;

	melee_err_clear(err, errlen);
	r = load(conf_path, owner, cfg, err, errlen);
	/* Every error has its message; the allocations say nothing. */
	if (r < 0 && err && errlen && !err[0])
		melee_fail(err, errlen, r, "%s: cannot load: %s", conf_path, strerror(-r));
	return r;
}

static int load(const char *conf_path, uid_t owner, struct melee_config *cfg, char *err,
		size_t errlen)
{
	cleanup_free char *dir = NULL, *dropins = NULL, *users = NULL;
	cleanup_fd int dfd = -1, fd = -1, ufd = -1;
	char *slash;
	int r;

	melee_config_init(cfg);
	if (conf_path[0] != '/')
		return melee_fail(err, errlen, -EINVAL,
				  "%s: the configuration path must be absolute", conf_path);
	dir = strdup(conf_path);
	if (!dir)
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	slash = strrchr(dir, '/');
	*(slash == dir ? slash + 1 : slash) = '\0';
	/* The directory itself must be trusted too: else anyone who can write
	 * it could swap a drop-in in. */
	dfd = melee_open_trusted(dir, true, owner, err, errlen);
	if (dfd < 0)
		return dfd;
	/* Everything else relative to the directory just checked. */
	fd = melee_open_trusted_at(dfd, strrchr(conf_path, '/') + 1, conf_path, false, owner,
				   err, errlen);
	if (fd < 0)
		return fd;
	cfg->conf_dir = strdup(dir);
	if (!cfg->conf_dir)
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	r = melee_config_parse_fd(fd, conf_path, false, cfg, err, errlen);
	if (r < 0)
		return r;
	if (asprintf(&dropins, "%s/images.d", strcmp(dir, "/") ? dir : "") < 0) {
		dropins = NULL;
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	}
	if (asprintf(&users, "%s/users.conf", strcmp(dir, "/") ? dir : "") < 0) {
		users = NULL;
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	}
	r = load_dir(dfd, "images.d", dropins, owner, cfg, err, errlen);
	if (r < 0)
		return r;
	ufd = melee_open_trusted_at(dfd, "users.conf", users, false, owner, err, errlen);
	if (ufd >= 0) {
		r = melee_users_parse_fd(ufd, users, cfg, err, errlen);
		if (r < 0)
			return r;
	} else if (ufd != -ENOENT) {
		return ufd;
	} else {
		melee_err_clear(err, errlen); /* none is fine */
	}
	return melee_config_finish(cfg, err, errlen);
}
