/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pam_melee's `ask` option: at a console, serial or pty login that chose
 * no image, the user picks one through the PAM conversation. */
#include "pam-ask.h"
#include "melee-access.h"
#include "melee-util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>

/* The list of images in the question stops here: a conversation may cut
 * a longer message (PAM_MAX_MSG_SIZE is 512), and a site with hundreds
 * of images is better served by a name typed than by a screenful. */
#define PROMPT_LIST_MAX 400

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

bool melee_pam_tty_is_terminal(const char *tty)
{
	if (!tty)
		return false;
	if (strncmp(tty, "/dev/", 5) == 0)
		tty += 5;
	if (strcmp(tty, "console") == 0)
		return true;
	if (strncmp(tty, "pts/", 4) == 0)
		return all_digits(tty + 4);
	/* tty3, ttyS0, ttyUSB0, ttyAMA0; "tty" alone is /dev/tty, the
	 * caller's own terminal whatever it is, not a line one logs in on. */
	if (strncmp(tty, "tty", 3) != 0 || !tty[3])
		return false;
	for (tty += 3; *tty; tty++)
		if (!((*tty >= '0' && *tty <= '9') || (*tty >= 'A' && *tty <= 'Z') ||
		      (*tty >= 'a' && *tty <= 'z')))
			return false;
	return true;
}

/* Whether a question can be put at all: a terminal and a conversation
 * function (the application may have none; pam_prompt would fail). */
static bool can_ask(pam_handle_t *pamh)
{
	const struct pam_conv *conv = NULL;
	const char *tty = NULL;

	if (pam_get_item(pamh, PAM_TTY, (const void **)&tty) != PAM_SUCCESS ||
	    !melee_pam_tty_is_terminal(tty))
		return false;
	return pam_get_item(pamh, PAM_CONV, (const void **)&conv) == PAM_SUCCESS && conv &&
	       conv->conv;
}

static int by_name(const void *a, const void *b)
{
	const struct melee_image *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

/* The images `user` may use, sorted by name, malloc'd into *out. */
static int allowed_images(const struct melee_config *cfg, const char *user, gid_t gid,
			  const struct melee_image ***out, size_t *n, char *err, size_t errlen)
{
	cleanup_free gid_t *groups = NULL;
	size_t ngroups = 0;
	const struct melee_image **v;
	bool need_groups = false;
	int r;

	*n = 0;
	for (size_t i = 0; i < cfg->n_images; i++)
		need_groups |= cfg->images[i].n_allow_groups > 0;
	/* Only allow-groups needs the groups: no walk of every group
	 * database for a site that lists none. */
	if (need_groups && (r = melee_user_groups(user, gid, &groups, &ngroups)) < 0)
		return melee_fail(err, errlen, r, "cannot get the groups of %s", user);
	v = calloc(cfg->n_images ? cfg->n_images : 1, sizeof(*v));
	if (!v)
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	for (size_t i = 0; i < cfg->n_images; i++)
		if (melee_image_access(&cfg->images[i], user, groups, ngroups, NULL, 0) == 0)
			v[(*n)++] = &cfg->images[i];
	qsort(v, *n, sizeof(*v), by_name);
	*out = v;
	return 0;
}

static bool listed(const struct melee_image *const *v, size_t n, const struct melee_image *im)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == im)
			return true;
	return false;
}

/* "Image [trixie] (host, bullseye, trixie; log in as alice+host for the
 * host): ".  The hint is the way back from a default that is an image
 * without melee in it: USER<sep>host never chooses an image. */
static void make_prompt(const struct melee_image *const *v, size_t n, const char *preset,
			const char *user, char sep, char *buf, size_t len)
{
	size_t at = (size_t)snprintf(buf, len, "Image [%s] (host", preset);

	for (size_t i = 0; i < n && at < len; i++) {
		if (at + strlen(v[i]->name) + 2 > PROMPT_LIST_MAX) {
			at += (size_t)snprintf(buf + at, len - at, ", ...");
			break;
		}
		at += (size_t)snprintf(buf + at, len - at, ", %s", v[i]->name);
	}
	if (at < len)
		snprintf(buf + at, len - at, "; log in as %s%c%s for the host): ", user, sep,
			 MELEE_HOST_NAME);
}

/* One answer: 0 with the image (or "" for the host) in `answer`, else
 * -errno and why it is refused.  The answer is the user's: capped, and
 * shown back only through melee_shown(). */
static int judge(const struct melee_config *cfg, const struct melee_image *const *v, size_t n,
		 const char *user, const char *preset, char *reply, char *answer, size_t len,
		 char *err, size_t errlen)
{
	const struct melee_image *im;
	char shown[MELEE_NAME_MAX + 5];
	const char *a;

	if (strlen(reply) > MELEE_NAME_MAX)
		return melee_fail(err, errlen, -EINVAL, "an image name is at most %d characters",
				  MELEE_NAME_MAX);
	a = melee_trim(reply);
	if (!*a)
		a = preset;
	if (strcmp(a, MELEE_HOST_NAME) == 0) {
		snprintf(answer, len, "%s", "");
		return 0;
	}
	im = melee_config_find_image(cfg, a);
	melee_shown(a, MELEE_NAME_MAX, shown, sizeof(shown));
	if (!im)
		return melee_fail(err, errlen, -ENOENT, "there is no image '%s'", shown);
	if (!listed(v, n, im)) {
		/* For the reason: who the image is open to. */
		if (melee_image_access(im, user, NULL, 0, err, errlen) == 0)
			melee_fail(err, errlen, -EACCES, "you may not use image %s", im->name);
		return -EACCES;
	}
	snprintf(answer, len, "%s", im->name);
	return 0;
}

int melee_pam_ask(pam_handle_t *pamh, const struct melee_config *cfg, const char *user, gid_t gid,
		  const char *preset, char *answer, size_t len, char *err, size_t errlen)
{
	cleanup_free const struct melee_image **v = NULL;
	const struct melee_image *def = NULL;
	char prompt[PROMPT_LIST_MAX + MELEE_NAME_MAX + 320]; /* + the hint, user included */
	size_t n;
	int r;

	if (!can_ask(pamh))
		return MELEE_ASK_NOT_ASKED;
	r = allowed_images(cfg, user, gid, &v, &n, err, errlen);
	if (r < 0)
		return r;
	if (n == 0)
		return MELEE_ASK_NOT_ASKED; /* the host is all there is */
	if (preset) {
		def = melee_config_find_image(cfg, preset);
		if (!def || !listed(v, n, def)) {
			char shown[MELEE_NAME_MAX + 5];

			pam_syslog(pamh, LOG_WARNING,
				   "user %s: the default image '%s' cannot be had: host "
				   "preselected",
				   user, melee_shown(preset, MELEE_NAME_MAX, shown, sizeof(shown)));
			def = NULL;
		}
	}
	preset = def ? def->name : MELEE_HOST_NAME;
	make_prompt(v, n, preset, user, cfg->separator, prompt, sizeof(prompt));
	for (int try = 1;; try++) {
		cleanup_free char *reply = NULL;

		r = pam_prompt(pamh, PAM_PROMPT_ECHO_ON, &reply, "%s", prompt);
		if (r != PAM_SUCCESS || !reply) {
			/* sshd's session conversation takes no answers; an
			 * end of input is no answer either.  Before any answer
			 * that is "no question"; after a refused one the user
			 * was choosing, and is not sent elsewhere. */
			if (try == 1) {
				pam_syslog(pamh, LOG_NOTICE,
					   "user %s: the conversation takes no answer (%s): no "
					   "question",
					   user, pam_strerror(pamh, r));
				return MELEE_ASK_NOT_ASKED;
			}
			r = melee_fail(err, errlen, -EIO, "no image chosen: no answer");
			break;
		}
		r = judge(cfg, v, n, user, preset, reply, answer, len, err, errlen);
		if (r == 0)
			return 0;
		if (try == MELEE_ASK_TRIES) {
			char why[MELEE_ERRLEN];

			snprintf(why, sizeof(why), "%s", err);
			melee_fail(err, errlen, r, "%s (%d answers refused)", why, try);
			break;
		}
		pam_error(pamh, "melee: %s; try again", err);
	}
	pam_syslog(pamh, LOG_NOTICE, "user %s: refused at the question: %s", user, err);
	return r;
}
