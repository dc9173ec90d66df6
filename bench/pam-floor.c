/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pam_floor.so, built by bench/login-overhead: the lookups a session
 * module must make to put a user into an image safely, and nothing else.
 * It looks the user up (getpwnam_r: the home and shell a session needs)
 * and walks the user's groups (getgrouplist: every group NSS module is
 * then loaded from the host, before the chroot, not from the image; what
 * pam_melee's load_group_services does).  The bench stacks it before
 * Debian's pam_chroot, which makes the chroot (one enter in the project:
 * common/melee-enter.c; this module enters nothing): the floor is
 * pam_chroot plus those lookups, with no configuration of MELEE's, no
 * check of the tree, no log.  pam_melee against this floor is what
 * MELEE's own work costs. */
#include <grp.h>
#include <pwd.h>
#include <security/pam_modules.h>
#include <stddef.h>

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct passwd pw, *res = NULL;
	const char *user = NULL;
	char buf[4096];
	gid_t groups[256];
	int n = 256;

	(void)flags;
	(void)argc;
	(void)argv;
	if (pam_get_user(pamh, &user, NULL) != PAM_SUCCESS || !user ||
	    getpwnam_r(user, &pw, buf, sizeof(buf), &res) != 0 || !res ||
	    getgrouplist(user, pw.pw_gid, groups, &n) < 0)
		return PAM_SESSION_ERR;
	return PAM_SUCCESS;
}

PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_SUCCESS;
}
