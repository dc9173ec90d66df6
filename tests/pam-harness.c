/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A small login program for the tests, built on pam_start_confdir(): it
 * opens a session from a test pam.d directory the way sshd's monitor
 * does (the process that opens the session lives on), then forks the
 * user's command with the PAM environment, as the user.
 *
 *   pam-harness [-a] [-p CMD] [-U USER2] [-n] [-t TTY] [-E VAR=VALUE]... CONFDIR SERVICE USER -- CMD [ARG...]
 *
 * -a runs the account phase first; -p CMD runs the shell command CMD
 * between it and the session (a test's edit between two stages of one
 * handle); -U USER2 sets PAM_USER to USER2 there (an application that
 * changes the user of a handle between stages; the command still runs
 * as USER).  -n gives PAM no conversation function
 * (as an application may), -t TTY sets PAM_TTY.  Messages from the modules go to
 * stderr as "error: ..." and "info: ...".  Exit: the command's status, or
 * 20 + the PAM error for a failed phase. */
#include "melee-enter.h"
#include "melee-util.h"

#include <grp.h>
#include <pwd.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	struct pam_response *r = calloc((size_t)n, sizeof(*r));

	(void)data;
	if (!r)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		if (msg[i]->msg_style == PAM_ERROR_MSG)
			fprintf(stderr, "error: %s\n", msg[i]->msg);
		else if (msg[i]->msg_style == PAM_TEXT_INFO)
			fprintf(stderr, "info: %s\n", msg[i]->msg);
	}
	*resp = r;
	return PAM_SUCCESS;
}

int main(int argc, char **argv)
{
	struct pam_conv pc = { conv, NULL };
	pam_handle_t *pamh = NULL;
	struct passwd *pw;
	bool account = false;
	const char *tty = NULL, *pause_cmd = NULL, *user2 = NULL;
	uid_t uid;
	gid_t gid;
	int opt, r, status;
	pid_t pid;
	char *user;

	while ((opt = getopt(argc, argv, "+anE:t:p:U:")) != -1) {
		if (opt == 'a')
			account = true;
		else if (opt == 'n')
			pc.conv = NULL;
		else if (opt == 't')
			tty = optarg;
		else if (opt == 'p')
			pause_cmd = optarg;
		else if (opt == 'U')
			user2 = optarg;
		else if (opt == 'E')
			continue; /* applied after pam_start */
		else
			return 2;
	}
	if (argc - optind < 5 || strcmp(argv[optind + 3], "--") != 0) {
		fprintf(stderr, "usage: pam-harness [-a] [-p CMD] [-U USER2] [-n] [-t TTY] [-E VAR=VALUE]... CONFDIR SERVICE USER -- CMD...\n");
		return 2;
	}
	user = argv[optind + 2];
	/* Like sshd: the user is looked up before PAM runs. */
	pw = getpwnam(user);
	if (!pw) {
		fprintf(stderr, "pam-harness: unknown user %s\n", user);
		return 2;
	}
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	r = pam_start_confdir(argv[optind + 1], user, &pc, argv[optind], &pamh);
	if (r != PAM_SUCCESS)
		return 20 + r;
	if (tty && (r = pam_set_item(pamh, PAM_TTY, tty)) != PAM_SUCCESS) {
		pam_end(pamh, r);
		return 20 + r;
	}
	optind = 1;
	while ((opt = getopt(argc, argv, "+anE:t:p:U:")) != -1)
		if (opt == 'E')
			pam_putenv(pamh, optarg);
	if (account && (r = pam_acct_mgmt(pamh, 0)) != PAM_SUCCESS) {
		fprintf(stderr, "account: %s\n", pam_strerror(pamh, r));
		pam_end(pamh, r);
		return 20 + r;
	}
	if (pause_cmd && system(pause_cmd) != 0) {
		fprintf(stderr, "pam-harness: %s failed\n", pause_cmd);
		pam_end(pamh, PAM_SUCCESS);
		return 2;
	}
	if (user2 && (r = pam_set_item(pamh, PAM_USER, user2)) != PAM_SUCCESS) {
		fprintf(stderr, "pam-harness: cannot set PAM_USER: %s\n", pam_strerror(pamh, r));
		pam_end(pamh, r);
		return 20 + r;
	}
	r = pam_open_session(pamh, 0);
	if (r != PAM_SUCCESS) {
		fprintf(stderr, "session: %s\n", pam_strerror(pamh, r));
		pam_end(pamh, r);
		return 20 + r;
	}
	pid = fork();
	if (pid == 0) {
		char err[MELEE_ERRLEN];
		gid_t groups[256];
		int ng = 256;
		char **env = pam_getenvlist(pamh);
		char *const *cmd = argv + optind + 4;

		/* Like sshd's child: groups by name now, wherever the session
		 * put us (inside the image: the image's group file). */
		if (getgrouplist(user, gid, groups, &ng) < 0)
			ng = 0;
		if (melee_drop_privileges(uid, gid, groups, (size_t)ng, err, sizeof(err)) < 0) {
			fprintf(stderr, "pam-harness: %s\n", err);
			_exit(2);
		}
		execve(cmd[0], cmd, env);
		perror(cmd[0]);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	r = pam_close_session(pamh, 0);
	pam_end(pamh, r);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}
