/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The login-name splits of libnss_melee and pam_melee, reached from the
 * fuzz-name target through fuzz-name-nss.c and fuzz-name-pam.c, which
 * compile the modules' own sources (the splits are static there). */
#ifndef MELEE_FUZZ_NAME_H
#define MELEE_FUZZ_NAME_H

#include <stdbool.h>
#include <stddef.h>

#include "melee-config.h"

/* libnss_melee's split_name(). */
bool fuzz_nss_split(const char *name, char *base, size_t baselen, const char **image,
		    char *sep);

/* pam_melee's parse_name(): 0 or -errno; *suffix when the name asked for
 * an image (then image holds it, as pam_melee shows and looks it up). */
int fuzz_pam_parse(const struct melee_config *cfg, const char *user, char *base,
		   size_t baselen, char *image, size_t imagelen, bool *suffix, char *err,
		   size_t errlen);

#endif
