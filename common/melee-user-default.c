/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A user's default image: the user's ~/.config/melee/image (read as
 * pam_melee trusts it, written so that it is trusted), users.conf and
 * default-image, in pam_melee(8)'s order of the choice. */
#include "melee-user-default.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const user_dirs[] = { ".config", "melee", NULL };
static const char *const user_dirs_shown[] = { "~/.config", "~/.config/melee", NULL };

/* One directory below the home, opened without following a symlink.
 * For writing (`create`) it is also made when missing (0755, whatever
 * the umask) and must be the user's or root's: a directory someone else
 * owns could be swapped under the writer.  The reader, like pam_melee's,
 * trusts the file's own owner only. */
static int open_user_dir(int dir, int step, uid_t uid, bool create, char *err, size_t errlen)
{
	const char *name = user_dirs[step], *shown = user_dirs_shown[step];
	bool made = false;

	for (;;) {
		cleanup_fd int fd =
		    openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		struct stat st;

		if (fd >= 0) {
			if (fstat(fd, &st) < 0)
				return melee_fail(err, errlen, -errno, "%s: %s", shown,
						  strerror(errno));
			if (create && st.st_uid != uid && st.st_uid != 0)
				return melee_fail(
				    err, errlen, -EPERM,
				    "%s belongs to uid %u, not to you (uid %u): refused", shown,
				    (unsigned)st.st_uid, (unsigned)uid);
			if (made && fchmod(fd, 0755) < 0)
				return melee_fail(err, errlen, -errno, "%s: %s", shown,
						  strerror(errno));
			return melee_steal_fd(&fd);
		}
		if (errno == ELOOP || errno == ENOTDIR) {
			bool link = fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
				    S_ISLNK(st.st_mode);

			return link ? melee_fail(err, errlen, -ELOOP,
						 "%s is a symbolic link: refused (a login reads "
						 "%s without following links)",
						 shown, MELEE_USER_FILE)
				    : melee_fail(err, errlen, -ENOTDIR, "%s is not a directory",
						 shown);
		}
		if (errno != ENOENT || !create)
			return melee_fail(err, errlen, -errno, "%s: %s", shown, strerror(errno));
		/* EEXIST: made meanwhile (by the user's other process); the
		 * next turn opens it like any other. */
		if (mkdirat(dir, name, 0755) < 0 && errno != EEXIST)
			return melee_fail(err, errlen, -errno, "cannot create %s: %s", shown,
					  strerror(errno));
		made = true;
	}
}

/* The directory that holds the file: the home (followed, as the login
 * does: it is the passwd entry's), then each step below it. */
static int open_user_file_dir(const struct passwd *pw, bool create, char *err, size_t errlen)
{
	cleanup_fd int dir = open(pw->pw_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dir < 0)
		return melee_fail(err, errlen, -errno, "your home directory %s: %s", pw->pw_dir,
				  strerror(errno));
	for (int i = 0; user_dirs[i]; i++) {
		int next = open_user_dir(dir, i, pw->pw_uid, create, err, errlen);

		if (next < 0)
			return next;
		melee_fd_replace(&dir, next);
	}
	return melee_steal_fd(&dir);
}

int melee_user_file_read(const struct passwd *pw, char *out, size_t len, char *err, size_t errlen)
{
	cleanup_fd int dir = -1, fd = -1;
	char buf[MELEE_USER_FILE_MAX + 1];
	struct stat st;
	ssize_t n;

	out[0] = '\0';
	dir = open_user_file_dir(pw, false, err, errlen);
	if (dir < 0)
		return dir;
	/* The user owns this file: a FIFO or a device node there is refused
	 * without being opened (melee_open_regular), or any user could hang
	 * their own login's root process, or open a device as root. */
	fd = melee_open_regular(dir, "image", O_NOFOLLOW, 0, &st);
	if (fd == -ELOOP)
		return melee_fail(err, errlen, -ELOOP, "%s is a symbolic link: ignored",
				  MELEE_USER_FILE);
	if (fd == -EINVAL)
		return melee_fail(err, errlen, -EINVAL,
				  "%s is not a regular file (it is %s): ignored", MELEE_USER_FILE,
				  melee_file_kind(&st));
	if (fd < 0)
		return melee_fail(err, errlen, fd, "%s: %s", MELEE_USER_FILE, strerror(-fd));
	if (st.st_uid != pw->pw_uid)
		return melee_fail(err, errlen, -EPERM, "%s belongs to uid %u, not to you: ignored",
				  MELEE_USER_FILE, (unsigned)st.st_uid);
	if (st.st_size > MELEE_USER_FILE_MAX)
		return melee_fail(err, errlen, -EFBIG, "%s is bigger than %d bytes: ignored",
				  MELEE_USER_FILE, MELEE_USER_FILE_MAX);
	n = read(fd, buf, MELEE_USER_FILE_MAX);
	if (n < 0)
		return melee_fail(err, errlen, -errno, "%s: %s", MELEE_USER_FILE, strerror(errno));
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	snprintf(out, len, "%s", melee_trim(buf));
	if (out[0] == '\0')
		return melee_fail(err, errlen, -ENODATA, "%s names no image: ignored",
				  MELEE_USER_FILE);
	return 0;
}

int melee_user_file_write(const struct passwd *pw, const char *image, char *err, size_t errlen)
{
	cleanup_fd int dir = open_user_file_dir(pw, image != NULL, err, errlen);
	char line[MELEE_NAME_MAX + 2];
	int r;

	if (dir == -ENOENT && !image) {
		melee_err_clear(err, errlen);
		return 1;
	}
	if (dir < 0)
		return dir;
	if (!image) {
		if (unlinkat(dir, "image", 0) == 0)
			return 0;
		if (errno == ENOENT)
			return 1;
		return melee_fail(err, errlen, -errno, "cannot remove %s: %s", MELEE_USER_FILE,
				  strerror(errno));
	}
	if (!melee_name_valid(image))
		return melee_fail(err, errlen, -EINVAL, "'%.80s' is not an image name", image);
	snprintf(line, sizeof(line), "%s\n", image);
	r = melee_write_atomic(dir, "image", line, strlen(line), 0644, err, errlen);
	return r < 0 ? r : 0;
}

static void set_default(struct melee_default *d, enum melee_default_source s, const char *image)
{
	d->source = s;
	/* As pam_melee's set_choice: an over-long name must not match an
	 * image by its prefix; a control character becomes '?'. */
	melee_shown(strlen(image) > MELEE_NAME_MAX ? "(too long)" : image, MELEE_NAME_MAX, d->image,
		    sizeof(d->image));
}

void melee_default_choose(const struct melee_config *cfg, const char *user, const struct passwd *pw,
			  struct melee_default *d)
{
	memset(d, 0, sizeof(*d));
	d->user_file_rc = -ENOENT;
	if (cfg->user_choice && pw) {
		char img[MELEE_USER_FILE_MAX + 1];

		d->user_file_rc = melee_user_file_read(pw, img, sizeof(img), d->user_file_err,
						       sizeof(d->user_file_err));
		if (d->user_file_rc == 0) {
			set_default(d, MELEE_DEFAULT_USER_FILE, img);
			return;
		}
	}
	for (size_t u = 0; u < cfg->n_users; u++)
		if (strcmp(cfg->users[u].user, user) == 0) {
			set_default(d, MELEE_DEFAULT_USERS_CONF, cfg->users[u].image);
			return;
		}
	if (cfg->default_image)
		set_default(d, MELEE_DEFAULT_IMAGE, cfg->default_image);
}
