/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The per-user default: ~/.config/melee/image read as pam_melee trusts
 * it and written so that it is trusted, and sources 4-6 in order. */
#include "melee-user-default.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static char home[] = "/tmp/melee-user-default-XXXXXX";

static void put(const char *rel, const char *text)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", home, rel);
	f = fopen(p, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static mode_t mode_of(const char *rel)
{
	char p[256];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", home, rel);
	return lstat(p, &st) == 0 ? st.st_mode & 07777 : 0;
}

int main(void)
{
	struct passwd pw = { .pw_name = "me", .pw_uid = getuid(), .pw_gid = getgid() };
	struct melee_user_default users[] = { { .user = "me", .image = "two" } };
	char out[MELEE_USER_FILE_MAX + 1], err[MELEE_ERRLEN], p[256], big[400];
	struct melee_config cfg;
	struct melee_default d;

	if (!mkdtemp(home))
		return 1;
	pw.pw_dir = home;
	melee_config_init(&cfg);
	umask(077);

	ok(melee_user_file_read(&pw, out, sizeof(out), err, sizeof(err)) == -ENOENT,
	   "no ~/.config: -ENOENT (no choice)");
	ok(melee_user_file_write(&pw, NULL, err, sizeof(err)) == 1,
	   "removing when there is no ~/.config: 1, nothing to do");
	ok(melee_user_file_write(&pw, "sl6", err, sizeof(err)) == 0, "write sl6");
	ok(mode_of(".config") == 0755 && mode_of(".config/melee") == 0755 &&
		   mode_of(".config/melee/image") == 0644,
	   "directories 0755, file 0644 under umask 077");
	ok(melee_user_file_read(&pw, out, sizeof(out), err, sizeof(err)) == 0, "read it back");
	is_str(out, "sl6", "the reader accepts what the writer wrote");
	ok(melee_user_file_write(&pw, "../etc", err, sizeof(err)) == -EINVAL,
	   "a path is not written");

	melee_default_choose(&cfg, "me", &pw, &d);
	ok(d.source == MELEE_DEFAULT_USER_FILE, "4. the user's file first");
	is_str(d.image, "sl6", "its image");
	cfg.users = users;
	cfg.n_users = 1;
	cfg.default_image = "three";
	melee_default_choose(&cfg, "me", &pw, &d);
	ok(d.source == MELEE_DEFAULT_USER_FILE, "4 beats 5 and 6");
	cfg.user_choice = false;
	melee_default_choose(&cfg, "me", &pw, &d);
	ok(d.source == MELEE_DEFAULT_USERS_CONF, "user-choice = no: the file is not read");
	is_str(d.image, "two", "users.conf's image");
	cfg.user_choice = true;
	melee_default_choose(&cfg, "you", &pw, &d);
	ok(d.source == MELEE_DEFAULT_USER_FILE, "the file is the passwd entry's, whatever the name");
	melee_default_choose(&cfg, "you", NULL, &d);
	ok(d.source == MELEE_DEFAULT_IMAGE, "6. default-image when nothing else names one");
	is_str(d.image, "three", "its image");
	cfg.default_image = NULL;
	melee_default_choose(&cfg, "you", NULL, &d);
	ok(d.source == MELEE_DEFAULT_NONE, "7. nothing chosen");
	cfg.users = NULL;
	cfg.n_users = 0;

	put(".config/melee/image", "  two \r\nthree\n");
	ok(melee_user_file_read(&pw, out, sizeof(out), err, sizeof(err)) == 0, "a file by hand");
	is_str(out, "two", "its first line, trimmed");
	put(".config/melee/image", " \n");
	ok(melee_user_file_read(&pw, out, sizeof(out), err, sizeof(err)) == -ENODATA,
	   "an empty file: -ENODATA");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	put(".config/melee/image", big);
	ok(melee_user_file_read(&pw, out, sizeof(out), err, sizeof(err)) == -EFBIG,
	   "a file over %d bytes: -EFBIG", MELEE_USER_FILE_MAX);
	put(".config/melee/image", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n");
	melee_default_choose(&cfg, "me", &pw, &d);
	is_str(d.image, "(too long)", "an over-long name never matches an image by its prefix");

	ok(melee_user_file_write(&pw, NULL, err, sizeof(err)) == 0, "host: the file removed");
	ok(melee_user_file_write(&pw, NULL, err, sizeof(err)) == 1, "again: there was none");

	snprintf(p, sizeof(p), "%s/.config/melee", home);
	rmdir(p);
	if (symlink("/nonexistent-melee-target", p) < 0)
		return 1;
	ok(melee_user_file_write(&pw, "sl6", err, sizeof(err)) == -ELOOP,
	   "a symlinked ~/.config/melee: not written through");
	is_str(err,
	       "~/.config/melee is a symbolic link: refused (a login reads ~/.config/melee/image "
	       "without following links)",
	       "the refusal says why");
	ok(melee_user_file_read(&pw, out, sizeof(out), err, sizeof(err)) == -ELOOP,
	   "nor read through");
	unlink(p);
	snprintf(p, sizeof(p), "%s/.config", home);
	rmdir(p);
	rmdir(home);
	return done_testing();
}
