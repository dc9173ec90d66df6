/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pam_melee's configuration, read once per PAM handle: the auth, account
 * and session stages of one login share what the first of them read
 * (pam_set_data), and a stage reads again only when the user, the
 * service or the conf= path differs or a file the read was made of
 * changed (melee-stamps.h): an edit between two stages counts. */
#ifndef PAM_MELEE_CONFIG_H
#define PAM_MELEE_CONFIG_H

#include "melee-config.h"

#include <security/pam_modules.h>
#include <sys/types.h>

/* The configuration for a login as `user` (PAM_USER): for alice+sl6
 * only what finding sl6 needs (melee.conf and images.d/sl6.conf: see
 * melee_config_load_image), as libnss_melee reads for the same name; for
 * any other name the whole configuration.  0 and *cfg (owned by the
 * handle: valid until the next call or pam_end), or -errno with the
 * message in err. */
int melee_pam_config(pam_handle_t *pamh, const char *conf, const char *user,
		     const struct melee_config **cfg, char *err, size_t errlen);

/* melee_suffix_allowed(MELEE_LOGIN_DEFS, user, uid) with login.defs read
 * once per handle while it is unchanged (after melee_pam_config; without
 * it, read now). */
int melee_pam_suffix_allowed(pam_handle_t *pamh, const char *user, uid_t uid, char *err,
			     size_t errlen);

#endif
