/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pam-open-time SERVICE USER RUNS [prime]: the time of pam_open_session()
 * alone, without the exec, the dynamic linking and pam_start() that make
 * up most of a pamtester run.  Each run is a fresh child (a session that
 * chroots cannot be opened twice in one process): pam_start(), then
 * pam_open_session() timed.  With "prime" the child first looks the user
 * up (getpwnam), as sshd, login and su do before they open a session, so
 * that glibc's first NSS use (nsswitch.conf, the nscd probe) is not
 * counted to the module that happens to make it.  Prints the median in
 * microseconds.  Built and run by bench/login-overhead. */
#include <pwd.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int conv(int n, const struct pam_message **m, struct pam_response **r, void *d)
{
	(void)m;
	(void)d;
	*r = calloc((size_t)n, sizeof(**r));
	return *r ? PAM_SUCCESS : PAM_BUF_ERR;
}

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	struct pam_conv c = { conv, NULL };
	int runs = argc > 3 ? atoi(argv[3]) : 0;
	int prime = argc > 4 && strcmp(argv[4], "prime") == 0;
	double *t;

	if (argc < 4 || runs < 3) {
		fprintf(stderr, "usage: pam-open-time SERVICE USER RUNS [prime] (RUNS >= 3)\n");
		return 2;
	}
	t = calloc((size_t)runs, sizeof(*t));
	if (!t)
		return 1;
	for (int i = 0; i < runs; i++) {
		int p[2], st;
		pid_t pid;

		if (pipe(p) < 0 || (pid = fork()) < 0) {
			perror("pam-open-time");
			return 1;
		}
		if (pid == 0) {
			pam_handle_t *h;
			double a;

			close(p[0]);
			if (prime && !getpwnam(argv[2]))
				_exit(3);
			if (pam_start(argv[1], argv[2], &c, &h) != PAM_SUCCESS)
				_exit(4);
			a = now_us();
			if (pam_open_session(h, 0) != PAM_SUCCESS)
				_exit(5);
			a = now_us() - a;
			_exit(write(p[1], &a, sizeof(a)) == sizeof(a) ? 0 : 6);
		}
		close(p[1]);
		if (read(p[0], &t[i], sizeof(t[i])) != sizeof(t[i])) {
			waitpid(pid, &st, 0);
			fprintf(stderr, "pam-open-time: %s %s: the session did not open (status %d)\n",
				argv[1], argv[2], WIFEXITED(st) ? WEXITSTATUS(st) : -1);
			return 1;
		}
		close(p[0]);
		waitpid(pid, &st, 0);
	}
	qsort(t, (size_t)runs, sizeof(*t), cmp);
	printf("%.1f\n", t[runs / 2]);
	return 0;
}
