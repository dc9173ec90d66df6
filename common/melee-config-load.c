/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Finding and opening the configuration: melee.conf, images.d/ and
 * users.conf, each opened relative to a directory fd checked as trusted.
 * The parsing is in melee-config.c.  See melee.conf(5). */
#include "melee-config-parse.h"
#include "melee-stamps.h"
#include "melee-util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* The file or directory just opened (st: its fd's fstat, taken before
 * it is read), into the caller's stamps (melee-stamps.h), when it keeps
 * any. */
static int stamp_st(const struct melee_config *cfg, const char *path, const struct stat *st,
		    char *err, size_t errlen)
{
	if (cfg->stamps && melee_stamps_add(cfg->stamps, path, st) < 0)
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	return 0;
}

/* A path that was not read (missing, or skipped as untrusted) but whose
 * appearance or change would change the answer. */
static int stamp_path(const struct melee_config *cfg, const char *path, char *err, size_t errlen)
{
	if (cfg->stamps && melee_stamps_add_path(cfg->stamps, path) < 0)
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	return 0;
}

int melee_open_trusted(const char *path, bool directory, uid_t owner, char *err, size_t errlen)
{
	return melee_open_trusted_at(AT_FDCWD, path, path, directory, owner, err, errlen);
}

/* melee_open_trusted_at, with *st the opened fd's fstat (taken before
 * anything is read from it): what a read stamps, with no fstat of its
 * own (a cold lookup in sshd, su, login and every getent pays each
 * system call).  A file is opened through melee_open_regular_in_trusted:
 * a FIFO or a device node planted as melee.conf, a drop-in or users.conf
 * is refused without being opened, so that it cannot hang sshd, su or
 * any NSS caller; st is then the opened fd's already. */
static int open_trusted_st(int dirfd, const char *name, const char *path, bool directory,
			   uid_t owner, struct stat *st, char *err, size_t errlen)
{
	int r;
	cleanup_fd int fd = -1;

	/* A file: its directory is looked at again right before (not the
	 * fstat of its open, a whole read ago): one made writable by others
	 * meanwhile gets the O_PATH open, which never opens a device node. */
	if (directory)
		fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	else
		fd = melee_open_regular_in_trusted(dirfd, name, owner, st);
	if (!directory && fd == -EINVAL)
		return melee_fail(err, errlen, -EINVAL,
				  "%s: not a regular file (refused: it is %s)", path,
				  melee_file_kind(st));
	if (!directory && fd < 0)
		errno = -fd;
	if (fd < 0 && errno == ELOOP)
		return melee_fail(err, errlen, -ELOOP, "%s: is a symlink (refused)", path);
	/* Without err (a caller that only asks whether it opens) no
	 * strerror(): its first call in a process looks for message
	 * catalogues, a cost an NSS lookup would pay for nothing. */
	if (fd < 0 && !err)
		return -errno;
	if (fd < 0)
		return melee_fail(err, errlen, -errno, "%s: cannot open: %s", path,
				  strerror(errno));
	if (directory && fstat(fd, st) < 0)
		return melee_fail(err, errlen, -errno, "%s: cannot stat: %s", path,
				  strerror(errno));
	r = melee_check_trusted(st, owner, path, err, errlen);
	if (r < 0)
		return r;
	return melee_steal_fd(&fd);
}

int melee_open_trusted_at(int dirfd, const char *name, const char *path, bool directory,
			  uid_t owner, char *err, size_t errlen)
{
	struct stat st;

	return open_trusted_st(dirfd, name, path, directory, owner, &st, err, errlen);
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

	dfd = open_trusted_st(parentfd, name, dir, true, owner, &cfg->dropins_st, err, errlen);
	if (dfd == -ENOENT) {
		melee_err_clear(err, errlen); /* none is fine */
		return 0;
	}
	if (dfd < 0)
		return dfd;
	/* Before the listing, the directory (its fstat at the open) and
	 * then the clock: a drop-in added after this point changes the ctime
	 * to at least the clock's tick read here, so melee_config_note_checked
	 * records a ctime older than that tick only, and such a drop-in never
	 * passes as checked. */
	if (clock_gettime(CLOCK_REALTIME_COARSE, &cfg->dropins_seen_at) < 0)
		return melee_fail(err, errlen, -errno, "%s: cannot read the clock: %s", dir,
				  strerror(errno));
	if (cfg->stamps && melee_stamps_add(cfg->stamps, dir, &cfg->dropins_st) < 0)
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	cfg->dropins_seen = true;
	n = scandirat(dfd, ".", &list, dropin_filter, alphasort);
	if (n < 0)
		return melee_fail(err, errlen, -errno, "%s: cannot list: %s", dir, strerror(errno));
	for (int i = 0; i < n; i++) {
		if (r == 0) {
			cleanup_free char *p = NULL;
			cleanup_fd int fd = -1;
			struct stat st;

			if (asprintf(&p, "%s/%s", dir, list[i]->d_name) < 0) {
				p = NULL;
				r = melee_fail(err, errlen, -ENOMEM, "out of memory");
			} else if ((fd = open_trusted_st(dfd, list[i]->d_name, p, false, owner, &st,
							 err, errlen)) < 0) {
				r = fd;
			} else if ((r = stamp_st(cfg, p, &st, err, errlen)) == 0) {
				r = melee_config_parse_fd(fd, p, true, cfg, err, errlen);
			}
		}
		free(list[i]);
	}
	free(list);
	return r;
}

/* The drop-in named after `image`, images.d/IMAGE.conf, when there is
 * one (a missing file is no error: the caller then reads everything). */
static int load_dropin_of(int dfd, const char *dir, const char *image, uid_t owner,
			  struct melee_config *cfg, char *err, size_t errlen)
{
	cleanup_free char *name = NULL, *p = NULL;
	cleanup_fd int fd = -1;
	struct stat st;
	int r;

	if (asprintf(&name, "%s.conf", image) < 0) {
		name = NULL; /* asprintf leaves it undefined */
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	}
	if (asprintf(&p, "%s/%s", dir, name) < 0) {
		p = NULL;
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	}
	fd = open_trusted_st(dfd, name, p, false, owner, &st, err, errlen);
	if (fd == -ENOENT) {
		melee_err_clear(err, errlen);
		return 0;
	}
	if (fd < 0)
		return fd;
	r = stamp_st(cfg, p, &st, err, errlen);
	return r < 0 ? r : melee_config_parse_fd(fd, p, true, cfg, err, errlen);
}

/* Every other drop-in, read only for a line that claims `asked` or the
 * image found for it (melee_config_scan_dropin): a full read refuses such
 * a line, so the lookup must not answer without it.  A file that cannot
 * be opened as trusted is skipped: its lines are nobody's word, and the
 * full read refuses it by name. */
static int scan_other_dropins(int dfd, const char *dir, const char *asked,
			      const struct melee_image *im, uid_t owner,
			      const struct melee_config *cfg, char *err, size_t errlen)
{
	struct dirent **list = NULL;
	size_t own = strlen(asked);
	int n, r = 0;

	n = scandirat(dfd, ".", &list, dropin_filter, alphasort);
	if (n < 0)
		return melee_fail(err, errlen, -errno, "%s: cannot list: %s", dir, strerror(errno));
	for (int i = 0; i < n; i++) {
		const char *e = list[i]->d_name;

		if (r == 0 && !(strncmp(e, asked, own) == 0 && strcmp(e + own, ".conf") == 0)) {
			cleanup_free char *p = NULL;
			cleanup_fd int fd = -1;
			char ignored[MELEE_ERRLEN];
			struct stat st;

			if (asprintf(&p, "%s/%s", dir, e) < 0) {
				p = NULL;
				r = melee_fail(err, errlen, -ENOMEM, "out of memory");
			} else if ((fd = open_trusted_st(dfd, e, p, false, owner, &st, ignored,
							 sizeof(ignored))) >= 0) {
				r = stamp_st(cfg, p, &st, err, errlen);
				if (r == 0)
					r = melee_config_scan_dropin(fd, p, asked, im, err, errlen);
			} else {
				/* Skipped now, read once trusted (a chown moves
				 * its ctime, not the directory's). */
				r = stamp_path(cfg, p, err, errlen);
			}
		}
		free(list[i]);
	}
	free(list);
	return r;
}

/* A lookup: melee.conf is parsed; now images.d/IMAGE.conf, and, unless
 * melee-mounts has read this very images.d whole since anything was
 * added to or removed from it (melee_config_checked_fresh), a scan of
 * the other drop-ins for lines that claim IMAGE. */
static int load_image_files(int conf_dfd, const char *dropins, const char *image, uid_t owner,
			    const char *checked_dir, struct melee_config *cfg, char *err,
			    size_t errlen)
{
	const struct melee_image *im;
	cleanup_fd int dfd = -1;
	struct stat st;
	int r;

	cfg->partial = true;
	dfd = open_trusted_st(conf_dfd, "images.d", dropins, true, owner, &st, err, errlen);
	if (dfd == -ENOENT) {
		melee_err_clear(err, errlen);
		r = stamp_path(cfg, dropins, err, errlen);
		return r < 0 ? r : melee_config_finish(cfg, err, errlen);
	}
	if (dfd < 0)
		return dfd;
	r = stamp_st(cfg, dropins, &st, err, errlen);
	if (r == 0)
		r = load_dropin_of(dfd, dropins, image, owner, cfg, err, errlen);
	if (r == 0)
		r = melee_config_finish(cfg, err, errlen);
	im = r == 0 ? melee_config_find_image(cfg, image) : NULL;
	if (!im)
		return r;
	/* A read that trusted the record stamps its directory (the record
	 * is replaced by rename and removed by unlink: the directory's
	 * times move with either): once it goes, a read scans the other
	 * drop-ins again.  A read that scanned stamps no record: each other
	 * drop-in it read or skipped is stamped (scan_other_dropins), and a
	 * record that appears later changes nothing, since a scan of those
	 * same unchanged drop-ins found no line claiming this image (else
	 * the read failed, and a failure is never kept), which is all that
	 * trusting the record would skip.  One lstat less per lookup. */
	if (melee_config_checked_fresh(dfd, &cfg->conf_st, checked_dir, owner))
		return stamp_path(cfg, checked_dir, err, errlen);
	return scan_other_dropins(dfd, dropins, image, im, owner, cfg, err, errlen);
}

static int load(const char *conf_path, const char *image, uid_t owner, const char *checked_dir,
		struct melee_stamps *stamps, struct melee_config *cfg, char *err, size_t errlen);

/* Every error has its message; the allocations say nothing. */
static int load_with_message(const char *conf_path, const char *image, uid_t owner,
			     const char *checked_dir, struct melee_stamps *stamps,
			     struct melee_config *cfg, char *err, size_t errlen)
{
	int r;

	melee_err_clear(err, errlen);
	r = load(conf_path, image, owner, checked_dir, stamps, cfg, err, errlen);
	if (r < 0 && err && errlen && !err[0])
		melee_fail(err, errlen, r, "%s: cannot load: %s", conf_path, strerror(-r));
	/* A failed load leaves nothing to free: a caller that only returns
	 * (pam_melee in sshd, on every refused login) leaks nothing. */
	if (r < 0)
		melee_config_free(cfg);
	return r;
}

int melee_config_load(const char *conf_path, uid_t owner, struct melee_config *cfg, char *err,
		      size_t errlen)
{
	return load_with_message(conf_path, NULL, owner, NULL, NULL, cfg, err, errlen);
}

int melee_config_load_stamped(const char *conf_path, uid_t owner, struct melee_stamps *stamps,
			      struct melee_config *cfg, char *err, size_t errlen)
{
	return load_with_message(conf_path, NULL, owner, NULL, stamps, cfg, err, errlen);
}

static int load_image_at(const char *conf_path, uid_t owner, const char *image,
			 const char *checked_dir, struct melee_stamps *stamps,
			 struct melee_config *cfg, char *err, size_t errlen)
{
	int r;

	if (!melee_name_valid(image))
		return load_with_message(conf_path, NULL, owner, NULL, stamps, cfg, err, errlen);
	r = load_with_message(conf_path, image, owner, checked_dir, stamps, cfg, err, errlen);
	if (r < 0 || melee_config_find_image(cfg, image))
		return r;
	melee_config_free(cfg);
	return load_with_message(conf_path, NULL, owner, NULL, stamps, cfg, err, errlen);
}

int melee_config_load_image_stamped(const char *conf_path, uid_t owner, const char *image,
				    struct melee_stamps *stamps, struct melee_config *cfg,
				    char *err, size_t errlen)
{
	return load_image_at(conf_path, owner, image, MELEE_CHECKED_DIR, stamps, cfg, err, errlen);
}

/* Why a lookup parses only melee.conf and images.d/IMAGE.conf: every
 * process that resolves alice+sl6 (sshd, su, nscd-less getent, the PAM
 * stack, melee) used to parse every drop-in, 1000 of them on a big site,
 * several times per login.  The name is known before anything is read,
 * and only those two files may define IMAGE (start_image_section in
 * melee-config.c refuses [image IMAGE] in any other drop-in), so they
 * answer.  Nothing about the answer is cached: an edit of either file
 * counts at the next lookup.
 *
 * What a lookup must not do is let in someone whom a full read keeps
 * out.  A line elsewhere that claims IMAGE (an override drop-in holding a
 * second [image IMAGE], an alias IMAGE of another image) makes the full
 * read refuse; so the lookup reads the other drop-ins for such lines
 * (scan_other_dropins), unless melee-mounts' record says that it read
 * them all without error and that images.d has not changed since
 * (melee-config-checked.c: one fstat and one small read; a drop-in
 * rewritten in place is seen from the next full read on).  Any other
 * mistake in another file (a broken or untrusted other.conf, users.conf,
 * a default-image that names no image) is not about IMAGE: the full
 * reads (melee-mounts check and up, melee --list) name it, and the lookup
 * answers.  A broken melee.conf or IMAGE.conf refuses IMAGE here.
 *
 * A name neither file defines (an alias written in a drop-in, a name
 * that is no image) falls back to the whole configuration, which gives
 * the answer and the message of a full read. */
int melee_config_load_image(const char *conf_path, uid_t owner, const char *image,
			    struct melee_config *cfg, char *err, size_t errlen)
{
	return melee_config_load_image_at(conf_path, owner, image, MELEE_CHECKED_DIR, cfg, err,
					  errlen);
}

int melee_config_load_image_at(const char *conf_path, uid_t owner, const char *image,
			       const char *checked_dir, struct melee_config *cfg, char *err,
			       size_t errlen)
{
	return load_image_at(conf_path, owner, image, checked_dir, NULL, cfg, err, errlen);
}

static int load(const char *conf_path, const char *image, uid_t owner, const char *checked_dir,
		struct melee_stamps *stamps, struct melee_config *cfg, char *err, size_t errlen)
{
	cleanup_free char *dir = NULL, *dropins = NULL, *users = NULL;
	cleanup_fd int dfd = -1, fd = -1, ufd = -1;
	struct stat dir_st, users_st;
	char *slash;
	int r;

	melee_config_init(cfg);
	cfg->stamps = stamps;
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
	dfd = open_trusted_st(AT_FDCWD, dir, dir, true, owner, &dir_st, err, errlen);
	if (dfd < 0)
		return dfd;
	r = stamp_st(cfg, dir, &dir_st, err, errlen);
	if (r < 0)
		return r;
	/* Everything else relative to the directory just checked. */
	fd = open_trusted_st(dfd, strrchr(conf_path, '/') + 1, conf_path, false, owner,
			     &cfg->conf_st, err, errlen);
	if (fd < 0)
		return fd;
	cfg->conf_dir = strdup(dir);
	if (!cfg->conf_dir)
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	r = stamp_st(cfg, conf_path, &cfg->conf_st, err, errlen);
	if (r < 0)
		return r;
	r = melee_config_parse_fd(fd, conf_path, false, cfg, err, errlen);
	if (r < 0)
		return r;
	if (asprintf(&dropins, "%s/images.d", strcmp(dir, "/") ? dir : "") < 0) {
		dropins = NULL;
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	}
	if (image)
		return load_image_files(dfd, dropins, image, owner, checked_dir, cfg, err, errlen);
	r = load_dir(dfd, "images.d", dropins, owner, cfg, err, errlen);
	if (r < 0)
		return r;
	if (asprintf(&users, "%s/users.conf", strcmp(dir, "/") ? dir : "") < 0) {
		users = NULL;
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	}
	ufd = open_trusted_st(dfd, "users.conf", users, false, owner, &users_st, err, errlen);
	if (ufd >= 0) {
		r = stamp_st(cfg, users, &users_st, err, errlen);
		if (r == 0)
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
