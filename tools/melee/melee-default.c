/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee --list [--all], --show-default, --set-default IMAGE|host: the
 * images a person may use and the one a login would choose for them.
 *
 * Each command reads the configuration (and the images' state) as root,
 * as entering does, then drops root for good before it touches anything
 * in the caller's home: the per-user file is read and written with the
 * caller's own ids, so that no link or directory planted there can make
 * root read or write elsewhere. */
#include "melee-default.h"

#include "melee-access.h"
#include "melee-caller.h"
#include "melee-enter.h"
#include "melee-pw.h"
#include "melee-safety.h"
#include "melee-user-default.h"
#include "melee-util.h"
#include "tool-util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The caller as the commands need them: the groups this process holds
 * (kept when root is dropped); who may use an image is judged by the
 * group database (melee_user_may_use), as for entering. */
struct me {
	struct passwd *pw;
	gid_t *groups;
	size_t ngroups;
};

static void look_up_me(struct me *me)
{
	char err[MELEE_ERRLEN];
	int r = melee_getpwuid(getuid(), &me->pw, err, sizeof(err));

	if (r == -ENOENT)
		die_status(EXIT_MELEE, "you (uid %u) are not in the password database",
			   (unsigned)getuid());
	if (r < 0)
		die_status(EXIT_MELEE, "%s", err);
	me->groups = caller_groups(&me->ngroups);
}

/* Root is gone for good (melee_drop_privileges proves it) before the
 * caller's home is touched: from here on we are the caller, nothing more. */
static void drop_root(const struct me *me)
{
	char err[MELEE_ERRLEN];

	if (melee_drop_privileges(getuid(), getgid(), me->groups, me->ngroups, err, sizeof(err)) <
	    0)
		die_status(EXIT_MELEE, "%s", err);
}

static void forget_me(struct me *me)
{
	free(me->pw);
	free(me->groups);
}

/* The state melee itself cares about: the same safety walk and prepared
 * check as entering (no libmount: a setuid program loads as little as it
 * can, and every use pays for each library). */
static const char *image_state(const struct melee_image *im)
{
	char err[MELEE_ERRLEN];
	cleanup_fd int fd = image_open_safely(im->path, 0, err, sizeof(err));
	int r;

	if (fd < 0)
		return fd == -ENOENT ? "missing" : "unsafe";
	r = melee_image_check_prepared(fd, im, err, sizeof(err));
	return r == 0 ? "ready" : r == -ENXIO ? "not prepared" : "unsafe";
}

/* What a login would choose for the caller now: the default (sources
 * 4-6), and the image when it exists and the caller may use it; else
 * *im is NULL and `why` says what is wrong with the choice. */
static void current_default(const struct melee_config *cfg, const struct me *me,
			    struct melee_default *d, const struct melee_image **im, char *why,
			    size_t whylen)
{
	melee_default_choose(cfg, me->pw->pw_name, me->pw, d);
	*im = NULL;
	why[0] = '\0';
	if (d->source == MELEE_DEFAULT_NONE)
		return;
	*im = melee_config_find_image(cfg, d->image);
	if (!*im)
		snprintf(why, whylen, "there is no image '%s'", d->image);
	else if (melee_user_may_use(*im, me->pw, why, whylen) < 0)
		*im = NULL;
}

static const char *source_label(enum melee_default_source s)
{
	switch (s) {
	case MELEE_DEFAULT_USER_FILE: return MELEE_USER_FILE;
	case MELEE_DEFAULT_USERS_CONF: return "users.conf";
	case MELEE_DEFAULT_IMAGE: return "default-image";
	default: return "nothing";
	}
}

/* One line, the image first: "sl6 (from ~/.config/melee/image)",
 * "trixie (users.conf)", "host (nothing chosen)"; then a note when the
 * user's file is there but not what decided. */
static void show_default(const struct melee_config *cfg, const struct me *me)
{
	const struct melee_image *im;
	struct melee_default d;
	char why[MELEE_ERRLEN];

	current_default(cfg, me, &d, &im, why, sizeof(why));
	if (d.source == MELEE_DEFAULT_NONE)
		printf("host (nothing chosen)\n");
	else if (im)
		printf("%s (%s%s)\n", im->name, d.source == MELEE_DEFAULT_USER_FILE ? "from " : "",
		       source_label(d.source));
	else
		printf("host (%s names %s, but %s: a login falls back to the host)\n",
		       source_label(d.source), d.image, why);
	if (im) /* the way back when the image has no melee to change it */
		printf("note: log in as %s%c%s for the host\n", me->pw->pw_name, cfg->separator,
		       MELEE_HOST_NAME);
	if (cfg->user_choice && d.user_file_rc < 0 && d.user_file_rc != -ENOENT)
		printf("note: %s\n", d.user_file_err);
	if (!cfg->user_choice) {
		char img[MELEE_USER_FILE_MAX + 1], err[MELEE_ERRLEN];

		if (melee_user_file_read(me->pw, img, sizeof(img), err, sizeof(err)) == 0)
			printf("note: %s is not read: the administrator turned the per-user "
			       "default off (user-choice = no)\n",
			       MELEE_USER_FILE);
	}
}

int cmd_show_default(void)
{
	struct melee_config cfg;
	struct me me;

	load_config(&cfg, NULL);
	look_up_me(&me);
	drop_root(&me);
	show_default(&cfg, &me);
	forget_me(&me);
	melee_config_free(&cfg);
	return 0;
}

int cmd_set_default(const char *image)
{
	const struct melee_image *im = NULL;
	char err[MELEE_ERRLEN];
	struct melee_config cfg;
	struct me me;

	load_config(&cfg, NULL);
	if (!cfg.user_choice)
		die_status(EXIT_MELEE, "the administrator turned the per-user default off "
				       "(user-choice = no in melee.conf): nothing written");
	look_up_me(&me);
	/* "host" is the host whatever images there are: the image list
	 * never shows it, and no login names it. */
	if (strcmp(image, MELEE_HOST_NAME) != 0) {
		im = find_image(&cfg, image);
		if (melee_user_may_use(im, me.pw, err, sizeof(err)) < 0)
			die_status(EXIT_MELEE, "%s: nothing written", err);
	}
	drop_root(&me);
	if (melee_user_file_write(me.pw, im ? im->name : NULL, err, sizeof(err)) < 0)
		die_status(EXIT_MELEE, "%s: nothing written", err);
	show_default(&cfg, &me);
	forget_me(&me);
	melee_config_free(&cfg);
	return 0;
}

/* One image a line, its name first (shell completion takes the first
 * field of every line after the header; melee(1) documents it):
 * IMAGE STATE ACCESS DEFAULT DESCRIPTION, DEFAULT "*" on the image a
 * login would choose now, else "-".  Without `all` only the images the
 * caller may use; with it every image, a closed one with who it is
 * open to after its description. */
int cmd_list(bool all)
{
	const struct melee_image *dflt;
	struct melee_default d;
	struct melee_config cfg;
	char why[MELEE_ERRLEN];
	cleanup_free const char **states = NULL;
	struct me me;

	load_config(&cfg, NULL);
	look_up_me(&me);
	states = calloc(cfg.n_images + 1, sizeof(*states));
	if (!states)
		die_status(EXIT_MELEE, "out of memory");
	/* The safety walk as entering does it: as root. */
	for (size_t i = 0; i < cfg.n_images; i++)
		states[i] = image_state(&cfg.images[i]);
	drop_root(&me);
	current_default(&cfg, &me, &d, &dflt, why, sizeof(why));
	printf("%-16s %-13s %-7s %-8s %s\n", "IMAGE", "STATE", "ACCESS", "DEFAULT", "DESCRIPTION");
	for (size_t i = 0; i < cfg.n_images; i++) {
		const struct melee_image *im = &cfg.images[i];
		bool open = melee_user_may_use(im, me.pw, NULL, 0) == 0;
		char allowed[512];

		if (!open && !all)
			continue;
		melee_image_allowed(im, allowed, sizeof(allowed));
		printf("%-16s %-13s %-7s %-8s %s%s%s%s\n", im->name, states[i], open ? "yes" : "no",
		       im == dflt ? "*" : "-", im->description, open ? "" : " (",
		       open ? "" : allowed, open ? "" : ")");
	}
	forget_me(&me);
	melee_config_free(&cfg);
	return 0;
}
