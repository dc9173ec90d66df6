/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-mounts check: host rules written against user names that a
 * USER+IMAGE login slips past.  See melee-mounts(8). */
#ifndef MELEE_MOUNTS_NAMERULES_H
#define MELEE_MOUNTS_NAMERULES_H

#include "melee-config.h"

/* Prints a warning (stderr, "FILE:LINE: ...") for every rule in sshd's
 * configuration (DenyUsers, AllowUsers, Match User), access.conf and
 * sudoers that names a human user without covering USER+*.  Only
 * warnings: the exit status of check does not change.  Returns the
 * number of warnings. */
unsigned mounts_namerules_warn(const struct melee_config *cfg);

#endif
