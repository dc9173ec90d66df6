/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Calls getpwnam_r through glibc (and so through libnss_melee) the way a
 * program would: with buffers from 1 byte up, from 8 threads at once, and
 * with hostile names; and the module's initgroups_dyn directly.  Prints what it found, for nss-module.sh. */
#include <dlfcn.h>
#include <errno.h>
#include <nss.h>
#include <pthread.h>
#include <pwd.h>
#include <shadow.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *user;
static int thread_failures;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
	char buf[1024];

	(void)arg;
	for (int i = 0; i < 200; i++) {
		struct passwd pw, *res = NULL;
		int r = getpwnam_r(user, &pw, buf, sizeof(buf), &res);

		if (r != 0 || !res || strcmp(pw.pw_name, user) != 0) {
			pthread_mutex_lock(&lock);
			thread_failures++;
			pthread_mutex_unlock(&lock);
		}
	}
	return NULL;
}

/* What the module itself answers for NAME, as its caller sees it:
 * "NOTFOUND", "SUCCESS", or "TRYAGAIN ENOMEM", "UNAVAIL EINVAL" (status
 * and errno), for nss-status.sh. */
static int module_status(const char *so, const char *db, const char *name)
{
	static const char *const names[] = { [0] = "NOTFOUND", [1] = "SUCCESS", [2] = "RETURN" };
	void *h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	char buf[4096];
	enum nss_status st;
	int e = 0;

	if (!h) {
		printf("dlopen: %s\n", dlerror());
		return 1;
	}
	if (strcmp(db, "passwd") == 0) {
		enum nss_status (*fn)(const char *, struct passwd *, char *, size_t, int *);
		struct passwd pw;

		*(void **)&fn = dlsym(h, "_nss_melee_getpwnam_r");
		st = fn(name, &pw, buf, sizeof(buf), &e);
	} else if (strcmp(db, "shadow") == 0) {
		enum nss_status (*fn)(const char *, struct spwd *, char *, size_t, int *);
		struct spwd sp;

		*(void **)&fn = dlsym(h, "_nss_melee_getspnam_r");
		st = fn(name, &sp, buf, sizeof(buf), &e);
	} else {
		enum nss_status (*fn)(const char *, gid_t, long *, long *, gid_t **, long, int *);
		long start = 0, size = 4;
		gid_t *groups = malloc((size_t)size * sizeof(*groups));

		*(void **)&fn = dlsym(h, "_nss_melee_initgroups_dyn");
		st = fn(name, 0, &start, &size, &groups, 0, &e);
		free(groups);
	}
	if (st == NSS_STATUS_TRYAGAIN || st == NSS_STATUS_UNAVAIL)
		printf("%s %s\n", st == NSS_STATUS_TRYAGAIN ? "TRYAGAIN" : "UNAVAIL",
		       strerrorname_np(e) ? strerrorname_np(e) : "(no errno)");
	else
		printf("%s\n", st >= 0 && st <= 2 ? names[st] : "(unknown status)");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "buffers") == 0) {
		/* The smallest buffer that works: every smaller one must give
		 * ERANGE, never a truncated entry. */
		for (size_t len = 1; len < 4096; len++) {
			char *buf = malloc(len);
			struct passwd pw, *res = NULL;
			int r = getpwnam_r(argv[2], &pw, buf, len, &res);

			if (r == 0 && res) {
				printf("ok at %zu: %s:%u:%u:%s:%s\n", len, pw.pw_name, pw.pw_uid,
				       pw.pw_gid, pw.pw_dir, pw.pw_shell);
				free(buf);
				return 0;
			}
			if (r != ERANGE) {
				printf("at %zu: %s\n", len, r ? strerror(r) : "not found");
				free(buf);
				return 1;
			}
			free(buf);
		}
		return 1;
	}
	if (argc == 3 && strcmp(argv[1], "threads") == 0) {
		pthread_t t[8];

		user = argv[2];
		for (int i = 0; i < 8; i++)
			pthread_create(&t[i], NULL, worker, NULL);
		for (int i = 0; i < 8; i++)
			pthread_join(t[i], NULL);
		printf("%d failures in 1600 lookups from 8 threads\n", thread_failures);
		return thread_failures != 0;
	}
	if (argc == 3 && strcmp(argv[1], "long") == 0) {
		size_t n = (size_t)atoi(argv[2]);
		char *name = malloc(n + 1), buf[4096];
		struct passwd pw, *res = NULL;
		int r;

		memset(name, 'a', n);
		memcpy(name + n / 2, "+demo", 5);
		name[n] = '\0';
		r = getpwnam_r(name, &pw, buf, sizeof(buf), &res);
		printf("%s\n", r == 0 && !res ? "not found" : "found or error");
		free(name);
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "direct") == 0) {
		/* The module itself, loaded with RTLD_NOW (a missing symbol
		 * fails here): TRYAGAIN/ERANGE below the size, then SUCCESS. */
		void *h = dlopen(argv[2], RTLD_NOW | RTLD_LOCAL);
		enum nss_status (*fn)(const char *, struct passwd *, char *, size_t, int *);

		if (!h) {
			printf("dlopen: %s\n", dlerror());
			return 1;
		}
		*(void **)&fn = dlsym(h, "_nss_melee_getpwnam_r");
		if (!fn) {
			printf("dlsym: %s\n", dlerror());
			return 1;
		}
		for (size_t len = 1; len < 4096; len++) {
			char *buf = malloc(len);
			struct passwd pw;
			int e = 0;
			enum nss_status st = fn(argv[3], &pw, buf, len, &e);

			if (st == NSS_STATUS_SUCCESS) {
				printf("ok at %zu: %s\n", len, pw.pw_name);
				free(buf);
				return 0;
			}
			if (st != NSS_STATUS_TRYAGAIN || e != ERANGE) {
				printf("at %zu: status %d errno %d\n", len, st, e);
				free(buf);
				return 1;
			}
			free(buf);
		}
		return 1;
	}
	if (argc == 5 && strcmp(argv[1], "initgroups") == 0) {
		/* The module's initgroups_dyn, with the primary gid the caller
		 * chose: the groups it adds, or its status. */
		void *h = dlopen(argv[2], RTLD_NOW | RTLD_LOCAL);
		enum nss_status (*fn)(const char *, gid_t, long *, long *, gid_t **, long, int *);
		long start = 0, size = 4;
		gid_t *groups = malloc((size_t)size * sizeof(*groups));
		enum nss_status st;
		int e = 0;

		if (!h || !groups) {
			printf("dlopen: %s\n", h ? "out of memory" : dlerror());
			return 1;
		}
		*(void **)&fn = dlsym(h, "_nss_melee_initgroups_dyn");
		if (!fn) {
			printf("dlsym: %s\n", dlerror());
			return 1;
		}
		st = fn(argv[3], (gid_t)strtoul(argv[4], NULL, 10), &start, &size, &groups, 0, &e);
		if (st != NSS_STATUS_SUCCESS)
			printf("status %d\n", st);
		else
			for (long i = 0; i < start; i++)
				printf("%u%s", (unsigned)groups[i], i + 1 < start ? " " : "\n");
		free(groups);
		return 0;
	}
	/* One process, two lookups, the shell command CMD between them:
	 * prints each answer ("uid:home" or "none"). */
	if (argc == 4 && strcmp(argv[1], "twice") == 0) {
		for (int i = 0; i < 2; i++) {
			char buf[4096];
			struct passwd pw, *res = NULL;

			if (i == 1 && system(argv[3]) != 0)
				return 1;
			if (getpwnam_r(argv[2], &pw, buf, sizeof(buf), &res) == 0 && res)
				printf("%u:%s\n", (unsigned)pw.pw_uid, pw.pw_dir);
			else
				printf("none\n");
		}
		return 0;
	}
	if (argc == 5 && strcmp(argv[1], "status") == 0)
		return module_status(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: nss-lookup buffers|threads NAME | twice NAME CMD | long LEN | direct SO NAME"
			" | initgroups SO NAME GID | status SO passwd|shadow|initgroups NAME\n");
	return 2;
}
