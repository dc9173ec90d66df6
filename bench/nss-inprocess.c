/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench/nss-inprocess's lookup loop: a long-lived process (sshd's
 * monitor, a daemon) resolving names through glibc, and so through
 * whichever NSS module answers them (libnss_melee for USER+IMAGE,
 * libnss_extrausers as the peer).
 *
 *   nss-inprocess passwd NAME ROUNDS    getpwnam_r(NAME)
 *   nss-inprocess groups NAME ROUNDS    getgrouplist(NAME, its gid)
 *
 * prints "NS ALLOCS BYTES": the median nanoseconds per lookup over
 * ROUNDS rounds of 200 lookups, and the allocations one lookup makes
 * once warm (counted by the malloc family below, which this program
 * defines over glibc's: every allocation of libc and the modules in
 * this process passes through it).  Exit 1 when a lookup fails. */
#define _GNU_SOURCE
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static unsigned long n_allocs, n_bytes;

void *malloc(size_t n)
{
	n_allocs++;
	n_bytes += n;
	return __libc_malloc(n);
}

void *calloc(size_t a, size_t b)
{
	n_allocs++;
	n_bytes += a * b;
	return __libc_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
	n_allocs++;
	n_bytes += n;
	return __libc_realloc(p, n);
}

int posix_memalign(void **p, size_t align, size_t n)
{
	n_allocs++;
	n_bytes += n;
	*p = __libc_memalign(align, n);
	return *p ? 0 : 12;
}

void free(void *p)
{
	__libc_free(p);
}

static const char *name;
static gid_t gid;

static int lookup_passwd(void)
{
	char buf[4096];
	struct passwd pw, *res = NULL;

	return getpwnam_r(name, &pw, buf, sizeof(buf), &res) == 0 && res ? 0 : -1;
}

static int lookup_groups(void)
{
	gid_t g[256];
	int n = 256;

	return getgrouplist(name, gid, g, &n) >= 1 ? 0 : -1;
}

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int (*fn)(void);
	unsigned long a0, b0;
	int rounds;
	double *t;

	if (argc != 4 || (strcmp(argv[1], "passwd") && strcmp(argv[1], "groups")) ||
	    (rounds = atoi(argv[3])) < 1) {
		fprintf(stderr, "usage: nss-inprocess passwd|groups NAME ROUNDS\n");
		return 2;
	}
	name = argv[2];
	fn = strcmp(argv[1], "passwd") ? lookup_groups : lookup_passwd;
	if (fn == lookup_groups) {
		char buf[4096];
		struct passwd pw, *res = NULL;

		if (getpwnam_r(name, &pw, buf, sizeof(buf), &res) || !res) {
			fprintf(stderr, "nss-inprocess: no user %s\n", name);
			return 1;
		}
		gid = pw.pw_gid;
	}
	/* Warm: the modules loaded, any cache of theirs filled. */
	for (int i = 0; i < 3; i++)
		if (fn() < 0) {
			fprintf(stderr, "nss-inprocess: %s %s: lookup failed\n", argv[1], name);
			return 1;
		}
	a0 = n_allocs;
	b0 = n_bytes;
	fn();
	a0 = n_allocs - a0;
	b0 = n_bytes - b0;
	t = calloc((size_t)rounds, sizeof(*t));
	if (!t)
		return 1;
	for (int r = 0; r < rounds; r++) {
		double s = now_ns();

		for (int i = 0; i < 200; i++)
			if (fn() < 0)
				return 1;
		t[r] = (now_ns() - s) / 200;
	}
	qsort(t, (size_t)rounds, sizeof(*t), cmp);
	printf("%.0f %lu %lu\n", t[rounds / 2], a0, b0);
	return 0;
}
