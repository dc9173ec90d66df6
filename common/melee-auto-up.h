/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* On-demand preparation (auto-up = yes): pam_melee, melee and the SPANK
 * plugin run the installed melee-mounts for an image that is not up. */
#ifndef MELEE_AUTO_UP_H
#define MELEE_AUTO_UP_H

#include <stddef.h>

#include "melee-config.h"

/* The installed helper, fixed at build time (configure's sbindir), as
 * pam_mkhomedir runs its mkhomedir_helper: never looked up in a PATH. */
#ifndef MELEE_MOUNTS_PATH
#error "MELEE_MOUNTS_PATH comes from Makefile.am (sbindir)"
#endif

/* The environment the helper gets, and nothing else. */
#define MELEE_AUTO_UP_PATH_ENV "PATH=/usr/sbin:/usr/bin:/sbin:/bin"

/* With cfg->auto_up, and when the image `im` of cfg (loaded from
 * conf_path) is not prepared (its root is missing, or melee-mounts up has
 * not run), runs `MELEE_MOUNTS_PATH --config CONF_PATH up NAME` once: as
 * root (real, effective and saved uid and gid 0, no supplementary
 * groups), umask 022, cwd /, stdin and stdout /dev/null, its stderr
 * captured, no fd of the caller, default signal dispositions, a session
 * of its own, pid 1's resource limits and cgroup (cgroup v2; refused when
 * it cannot leave the caller's), and an environment of
 * MELEE_AUTO_UP_PATH_ENV only; then waits for it.  The
 * caller must be root (effective uid 0, as pam_melee in sshd, slurmstepd,
 * or the setuid melee before it drops privileges).
 *
 * Returns 0 when nothing was run (auto-up = no, the image is up, or it is
 * unsafe: melee_enter_image() says why), 1 when the helper ran and
 * succeeded (`ran` holds what was run, for the log), or a negative errno
 * when it failed, with a message in err that names the image and holds
 * the first line of the helper's stderr. */
int melee_auto_up(const struct melee_config *cfg, const char *conf_path,
		  const struct melee_image *im, char *ran, size_t ranlen, char *err, size_t errlen);

#endif
