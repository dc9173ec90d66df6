/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The configuration of one PAM handle (pam-config.h).
 *
 * What is kept is keyed by the user, the service and the conf= path it
 * was read for, so that an application that reuses a handle for another
 * user (pam_set_item PAM_USER) or a stack of another service never gets
 * an answer read for someone else; and by the files it was made of, each
 * re-stat'ed before every use. */
#include "pam-config.h"
#include "melee-ids.h"
#include "melee-stamps.h"
#include "melee-util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DATA_NAME "melee-config"

struct handle_config {
	char *user, *service, *conf;
	struct melee_config cfg;
	struct melee_stamps stamps;
	/* login.defs, read when a suffix is checked */
	bool have_range;
	struct melee_id_range range;
	struct melee_stamps defs_stamps;
};

static void handle_config_free(struct handle_config *h)
{
	if (!h)
		return;
	melee_config_free(&h->cfg);
	melee_stamps_free(&h->stamps);
	melee_stamps_free(&h->defs_stamps);
	free(h->user);
	free(h->service);
	free(h->conf);
	free(h);
}

static void cleanup_data(pam_handle_t *pamh, void *data, int error_status)
{
	(void)pamh;
	(void)error_status;
	handle_config_free(data);
}

static bool same(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* The image a suffixed name asks for, found the way pam_melee.c's
 * parse_name and libnss_melee split it but before the configuration says
 * which separator is in use: NULL when there is none. */
static const char *suffix_image(const char *user)
{
	size_t i;

	for (i = 0; user[i] && melee_user_char(user[i]); i++)
		;
	return i > 0 && user[i] && strchr(MELEE_SEPARATORS, user[i]) ? user + i + 1 : NULL;
}

/* Any name whose guessed separator is not the configured one (win^sl6
 * with '+' is a plain host name) may pick its image from the
 * environment, users.conf or default-image: the whole configuration. */
static int read_config(struct handle_config *h, char *err, size_t errlen)
{
	const char *image = suffix_image(h->user);
	int r;

	if (image) {
		r = melee_config_load_image_stamped(h->conf, 0, image, &h->stamps, &h->cfg, err,
						    errlen);
		if (r < 0 || image[-1] == h->cfg.separator)
			return r;
		melee_config_free(&h->cfg);
		melee_stamps_free(&h->stamps);
	}
	return melee_config_load_stamped(h->conf, 0, &h->stamps, &h->cfg, err, errlen);
}

static struct handle_config *kept(pam_handle_t *pamh)
{
	const void *data = NULL;

	return pam_get_data(pamh, DATA_NAME, &data) == PAM_SUCCESS ? (void *)data : NULL;
}

int melee_pam_config(pam_handle_t *pamh, const char *conf, const char *user,
		     const struct melee_config **cfg, char *err, size_t errlen)
{
	const void *service = NULL;
	struct handle_config *h = kept(pamh);
	int r;

	*cfg = NULL;
	if (pam_get_item(pamh, PAM_SERVICE, &service) != PAM_SUCCESS)
		service = NULL;
	if (h && same(h->user, user) && same(h->service, service) && same(h->conf, conf) &&
	    melee_stamps_fresh(&h->stamps)) {
		*cfg = &h->cfg;
		return 0;
	}
	h = calloc(1, sizeof(*h));
	if (!h || !(h->user = strdup(user)) || !(h->conf = strdup(conf)) ||
	    !(h->service = strdup(service ? service : ""))) {
		handle_config_free(h);
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	}
	r = read_config(h, err, errlen);
	if (r < 0) {
		/* Nothing kept: the next stage reads again, and never uses
		 * what an older read found. */
		handle_config_free(h);
		pam_set_data(pamh, DATA_NAME, NULL, NULL);
		return r;
	}
	if (pam_set_data(pamh, DATA_NAME, h, cleanup_data) != PAM_SUCCESS) {
		handle_config_free(h);
		pam_set_data(pamh, DATA_NAME, NULL, NULL);
		return melee_fail(err, errlen, -ENOMEM, "cannot keep the configuration");
	}
	*cfg = &h->cfg;
	return 0;
}

int melee_pam_suffix_allowed(pam_handle_t *pamh, const char *user, uid_t uid, char *err,
			     size_t errlen)
{
	struct handle_config *h = kept(pamh);
	int r;

	if (!h || uid == 0)
		return melee_suffix_allowed(MELEE_LOGIN_DEFS, user, uid, err, errlen);
	if (!h->have_range || !melee_stamps_fresh(&h->defs_stamps)) {
		h->have_range = false;
		melee_stamps_free(&h->defs_stamps);
		r = melee_login_defs_read_stamped(MELEE_LOGIN_DEFS, &h->defs_stamps, &h->range, err,
						  errlen);
		if (r < 0)
			return r;
		h->have_range = true;
	}
	return melee_suffix_allowed_range(&h->range, MELEE_LOGIN_DEFS, user, uid, err, errlen);
}
