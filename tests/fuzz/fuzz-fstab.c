/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the per-image fstab loader (melee_fstab_load, on a
 * file of arbitrary bytes in a private directory, owned by us).  An
 * accepted plan holds only absolute, clean paths, each target once. */
#include "melee-mounts.h"
#include "melee-util.h"
#include "fuzz-util.h"

#include <fcntl.h>

static char dir[] = "/tmp/melee-fuzz-fstab.XXXXXX";
static char path[sizeof(dir) + 8];

static void remove_dir(void)
{
	unlink(path);
	rmdir(dir);
}

static bool clean(const char *p)
{
	return p[0] == '/' && !strstr(p, "//") && !strstr(p, "/./") && !strstr(p, "/../");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct melee_mount_plan plan = { 0 };
	char err[MELEE_ERRLEN] = "";
	int fd, r;

	if (!path[0]) {
		if (!mkdtemp(dir))
			fuzz_die("mkdtemp");
		snprintf(path, sizeof(path), "%s/fstab", dir);
		atexit(remove_dir);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size) || close(fd) < 0)
		fuzz_die(path);
	r = melee_fstab_load(path, geteuid(), &plan, err, sizeof(err));
	if (r > 0 || memchr(err, '\0', sizeof(err)) == NULL)
		abort();
	for (size_t i = 0; r == 0 && i < plan.n; i++) {
		if (!clean(plan.m[i].source) || !clean(plan.m[i].target) ||
		    strcmp(plan.m[i].target, "/") == 0)
			abort();
		for (size_t j = 0; j < i; j++)
			if (strcmp(plan.m[i].target, plan.m[j].target) == 0)
				abort();
	}
	melee_plan_free(&plan);
	return 0;
}
