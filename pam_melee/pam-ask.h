/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pam_melee's `ask` option: the image asked for at a terminal login. */
#ifndef PAM_MELEE_ASK_H
#define PAM_MELEE_ASK_H

#include "melee-config.h"

#include <security/pam_modules.h>
#include <stdbool.h>
#include <sys/types.h>

/* How many answers a user may give before the session fails. */
#define MELEE_ASK_TRIES 3

/* melee_pam_ask() put no question: not a terminal, no conversation
 * function, a conversation that takes no answers, nothing to choose. */
#define MELEE_ASK_NOT_ASKED 1

/* True if a PAM_TTY value names a terminal a person sits at: ttyN,
 * ttyS0, pts/N, console, with or without /dev/.  Not "ssh" (sshd's
 * value when there is no pty), ":0" (an X display) nor empty. */
bool melee_pam_tty_is_terminal(const char *tty);

/* Asks `user` (primary group gid) through the PAM conversation which
 * image to enter, listing only the images of cfg the user may use, with
 * `preset` (the default the login would have had, NULL for the host)
 * preselected when the user may have it.  0: `answer` is the image's
 * name, or "" for the host.  MELEE_ASK_NOT_ASKED: no question was put.
 * Negative: MELEE_ASK_TRIES answers were refused or the conversation
 * failed after one; the message is in err. */
int melee_pam_ask(pam_handle_t *pamh, const struct melee_config *cfg, const char *user, gid_t gid,
		  const char *preset, char *answer, size_t len, char *err, size_t errlen);

#endif
