/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Allocation failure: every allocation of the config load and of the
 * accounts merge (and the fstab load) is made to fail in turn, the Nth
 * for N = 1, 2, ... until the operation runs through without reaching N.
 * Each failed run must return an error with a message and no result; the
 * ASan pass of tests/run finds any leak or bad access on those paths.
 *
 * The counting wrappers replace malloc, calloc, realloc, strdup, strndup,
 * asprintf and scandirat for the objects linked into this test
 * (-Wl,--wrap=..., see tests/Makemodule.am): MELEE's own code, not libc's
 * or libmount's insides. */
#include "melee-accounts.h"
#include "melee-config.h"
#include "melee-ids.h"
#include "melee-mounts.h"
#include "melee-util.h"
#include "tap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

static long fail_at;	/* the allocation to fail, counted from 1; 0: none */
static long allocations; /* seen since the count was armed */

static bool fail_now(void)
{
	if (!fail_at || ++allocations != fail_at)
		return false;
	errno = ENOMEM;
	return true;
}

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
int __real_scandirat(int dfd, const char *dir, struct dirent ***list,
		     int (*filter)(const struct dirent *),
		     int (*compar)(const struct dirent **, const struct dirent **));
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
int __wrap_asprintf(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int __wrap_scandirat(int dfd, const char *dir, struct dirent ***list,
		     int (*filter)(const struct dirent *),
		     int (*compar)(const struct dirent **, const struct dirent **));

void *__wrap_malloc(size_t n)
{
	return fail_now() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return fail_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	return fail_now() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
	return fail_now() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
	return fail_now() ? NULL : __real_strndup(s, n);
}

int __wrap_asprintf(char **out, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (fail_now())
		return -1;
	va_start(ap, fmt);
	r = vasprintf(out, fmt, ap);
	va_end(ap);
	return r;
}

int __wrap_scandirat(int dfd, const char *dir, struct dirent ***list,
		     int (*filter)(const struct dirent *),
		     int (*compar)(const struct dirent **, const struct dirent **))
{
	return fail_now() ? -1 : __real_scandirat(dfd, dir, list, filter, compar);
}

static char dir[] = "/tmp/melee-unit-alloc.XXXXXX";

static void write_file(const char *name, const char *text)
{
	char p[512];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || close(fd) < 0) {
		perror(p);
		exit(99);
	}
}

static void make_dir(const char *name)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (mkdir(p, 0755) < 0) {
		perror(p);
		exit(99);
	}
}

/* One run of an operation: its result, with *has_result set when it
 * handed out a result although it failed. */
typedef int (*operation)(char *err, size_t errlen, bool *has_result);

static void fail_each(const char *what, operation op)
{
	char err[MELEE_ERRLEN];
	long n, bad = 0;
	bool has_result;
	int r;

	for (n = 1;; n++) {
		err[0] = '\0';
		has_result = false;
		allocations = 0;
		fail_at = n;
		r = op(err, sizeof(err), &has_result);
		fail_at = 0;
		if (allocations < n)
			break; /* ran through: every allocation has failed once */
		if (r >= 0 || !err[0] || has_result) {
			if (bad++ < 5)
				printf("# %s, allocation %ld failing: returned %d, message '%s'%s\n",
				       what, n, r, err, has_result ? ", with a result" : "");
		}
	}
	ok(r == 0, "%s: runs through without an injected failure (%s)", what, err);
	ok(n > 10, "%s: %ld allocations counted (the wrappers see them)", what, n - 1);
	ok(bad == 0, "%s: each of its %ld allocations failing gives an error with a message "
		     "and no result (%ld did not)",
	   what, n - 1, bad);
}

static int config_load(char *err, size_t errlen, bool *has_result)
{
	struct melee_config cfg;
	char conf[512];
	int r;

	snprintf(conf, sizeof(conf), "%s/melee.conf", dir);
	r = melee_config_load(conf, geteuid(), &cfg, err, errlen);
	*has_result = false; /* a failed load's leftovers are the caller's to free */
	melee_config_free(&cfg);
	return r;
}

/* The lookup of one image: its own drop-in (trixie), or that read first
 * and then the whole configuration (el9, an alias in a.conf). */
static int config_load_image(const char *image, char *err, size_t errlen, bool *has_result)
{
	struct melee_config cfg;
	char conf[512];
	int r;

	snprintf(conf, sizeof(conf), "%s/melee.conf", dir);
	r = melee_config_load_image(conf, geteuid(), image, &cfg, err, errlen);
	*has_result = false;
	melee_config_free(&cfg);
	return r;
}

static int config_load_own_dropin(char *err, size_t errlen, bool *has_result)
{
	return config_load_image("trixie", err, errlen, has_result);
}

static int config_load_alias(char *err, size_t errlen, bool *has_result)
{
	return config_load_image("el9", err, errlen, has_result);
}

static int accounts_merge(char *err, size_t errlen, bool *has_result)
{
	char host_etc[512], image[512];
	char *passwd = NULL, *group = NULL;
	struct melee_overrides ov = { 0 };
	int imgfd, r;

	snprintf(host_etc, sizeof(host_etc), "%s/host", dir);
	snprintf(image, sizeof(image), "%s/image", dir);
	imgfd = open(image, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (imgfd < 0) {
		perror(image);
		exit(99);
	}
	r = melee_accounts_merge(imgfd, host_etc, (char *[]){ "+sl6", NULL }, &passwd, &group,
				 &ov, err, errlen);
	*has_result = r < 0 && (passwd || group);
	close(imgfd);
	free(passwd);
	free(group);
	melee_overrides_free(&ov);
	return r;
}

static int fstab_load(char *err, size_t errlen, bool *has_result)
{
	struct melee_mount_plan plan = { 0 };
	char path[512];
	int r;

	snprintf(path, sizeof(path), "%s/fstab", dir);
	r = melee_fstab_load(path, geteuid(), &plan, err, errlen);
	*has_result = false; /* as for the config: the caller frees the plan */
	melee_plan_free(&plan);
	return r;
}

int main(void)
{
	if (!mkdtemp(dir) || chmod(dir, 0755) < 0) {
		perror(dir);
		return 99;
	}
	/* Every kind of key, two drop-ins and users.conf: each allocation
	 * site of the load is reached. */
	write_file("melee.conf", "[melee]\n"
				 "images-dir = /image/\n"
				 "separator = +\n"
				 "default-image = sl63\n"
				 "user-choice = no\n"
				 "[image sl6]\n"
				 "path = /image/sl63\n"
				 "description = Scientific Linux 6.3\n"
				 "aliases = sl63, sci6\n"
				 "personality = linux32\n"
				 "allow-groups = physics chem\n"
				 "allow-users = alice bob\n"
				 "fstab = /etc/melee/fstab.sl6\n"
				 "accounts = merge\n"
				 "nosuid = yes\n"
				 "[image deb12]\n");
	make_dir("images.d");
	write_file("images.d/alma9.conf", "[image alma9]\naliases = el9\n");
	write_file("images.d/bookworm.conf", "[image bookworm]\npath = /srv/bookworm\n");
	write_file("images.d/trixie.conf", "[image trixie]\naliases = t13\n");
	write_file("users.conf", "alice sl6\nbob el9\n");
	write_file("fstab", "/proc /proc none rbind\n/tmp /tmp none rbind\n"
			    "/etc/hosts /etc/hosts none bind,ro,nofail\n");
	/* A Debian host, an EL image: overrides both ways, suffixed names,
	 * held gids, members dropped and kept. */
	make_dir("host");
	write_file("host/passwd", "root:x:0:0::/root:/bin/bash\n"
				  "alice:x:1001:1001:Alice:/home/alice:/bin/bash\n"
				  "bob:x:1002:10::/home/bob:/bin/bash\n"
				  "_apt:x:42:65534::/nonexistent:/usr/sbin/nologin\n");
	write_file("host/group", "root:x:0:\nuucp:x:10:alice\nsudo:x:27:bob\nalice:x:1001:\n");
	/* login.defs counts only when root owns it (as root, under tests/run). */
	if (geteuid() == 0)
		write_file("host/login.defs", "UID_MIN 1000\nUID_MAX 1999\n");
	make_dir("image");
	make_dir("image/etc");
	write_file("image/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n"
				       "bin:x:1:1:bin:/bin:/sbin/nologin\n"
				       "admin:x:1001:1001::/home/admin:/bin/bash\n"
				       "bob:x:1500:1500::/home/bob:/bin/bash\n");
	write_file("image/etc/group", "root:x:0:\nwheel:x:10:admin\nuucp:x:14:uucp\n"
				      "mail:x:12:postfix,alice\nstaff:x:50:alice,bob,pulse\n");

	/* An allocation that failed in the login.defs parser left shadow's
	 * defaults (1000..60000) for the host's range: other people. */
	{
		struct melee_id_range range;

		allocations = 0;
		fail_at = 1;
		melee_login_defs_parse("UID_MIN 2000\nUID_MAX 3000\n", &range, NULL, NULL, 0);
		fail_at = 0;
		ok(range.uid_min == 2000 && range.uid_max == 3000,
		   "login.defs parsed with every allocation failing: the host's range "
		   "(%lu..%lu), not the defaults", range.uid_min, range.uid_max);
	}
	fail_each("config load (melee.conf, images.d, users.conf)", config_load);
	fail_each("config lookup of trixie (melee.conf, images.d/trixie.conf)",
		  config_load_own_dropin);
	fail_each("config lookup of the alias el9 (then the whole configuration)",
		  config_load_alias);
	fail_each("accounts merge (host and image passwd and group)", accounts_merge);
	fail_each("fstab load", fstab_load);

	{
		char cmd[sizeof(dir) + 16];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", dir);
	}
	return done_testing();
}
