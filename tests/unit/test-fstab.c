/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The image fstab, parsed with libmount: good entries and bad ones with
 * file:line messages. */
#include "melee-mounts.h"
#include "melee-util.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/melee-unit-fstab.XXXXXX";
static char path[600];

static int load(const char *text, struct melee_mount_plan *plan, char *err, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		exit(99);
	close(fd);
	memset(plan, 0, sizeof(*plan));
	err[0] = '\0';
	return melee_fstab_load(path, getuid(), plan, err, len);
}

static void bad(const char *text, const char *want_tail, const char *what)
{
	struct melee_mount_plan plan;
	char err[MELEE_ERRLEN], want[MELEE_ERRLEN];
	int r = load(text, &plan, err, sizeof(err));

	ok(r < 0, "refused: %s", what);
	snprintf(want, sizeof(want), "%s:%s", path, want_tail);
	is_str(err, want, "message: %s", what);
	melee_plan_free(&plan);
}

int main(void)
{
	struct melee_mount_plan plan;
	char err[MELEE_ERRLEN];
	int r;

	if (!mkdtemp(dir))
		return 99;
	snprintf(path, sizeof(path), "%s/fstab", dir);

	r = load("# comment\n\n/proc /proc none rbind\n"
		 "  /dev   /dev  none  rbind,rw\n"
		 "/etc/hosts /etc/hosts none bind,ro,nofail\n"
		 "/home/ /home/ none bind\n",
		 &plan, err, sizeof(err));
	ok(r == 0 && plan.n == 4, "four entries (%s)", err);
	ok(plan.n == 4 && plan.m[0].recursive && !plan.m[0].readonly, "rbind is recursive");
	ok(plan.n == 4 && plan.m[2].readonly && plan.m[2].nofail && !plan.m[2].recursive,
	   "bind,ro,nofail");
	ok(plan.n == 4 && strcmp(plan.m[3].target, "/home") == 0, "trailing slash dropped");
	{
		char want[700];
		snprintf(want, sizeof(want), "%s:4", path);
		is_str(plan.n == 4 ? plan.m[1].where : NULL, want, "entry knows its line");
	}
	melee_plan_free(&plan);

	bad("/proc /proc none rbind\n/x\n", "2: syntax error (expected 'SOURCE TARGET none bind|rbind[,ro]')",
	    "line with one field");
	bad("# c\n/proc /proc proc defaults\n", "2: type must be 'none' (only bind mounts), got 'proc'",
	    "not a bind mount");
	bad("/proc /proc none ro\n", "1: options must include bind or rbind, got 'ro'", "no bind option");
	bad("/proc /proc none rbind,exec\n",
	    "1: unsupported option 'exec' (expected bind or rbind, optionally ro, rw, nofail)",
	    "unknown option");
	bad("proc /proc none rbind\n", "1: source must be an absolute host path, got 'proc'",
	    "relative source");
	bad("/proc proc none rbind\n",
	    "1: target must be an absolute path inside the image (not '/' and without '.' or '..'), got 'proc'",
	    "relative target");
	bad("/proc /../etc none rbind\n",
	    "1: target must be an absolute path inside the image (not '/' and without '.' or '..'), got '/../etc'",
	    "target escaping with ..");
	bad("/ / none rbind\n",
	    "1: target must be an absolute path inside the image (not '/' and without '.' or '..'), got '/'",
	    "target is the image root");
	{
		char want[900];
		snprintf(want, sizeof(want), "3: target /tmp is already mounted by %s:1", path);
		bad("/tmp /tmp none rbind\n\n/var/tmp /tmp none rbind\n", want, "target twice");
	}
	chmod(path, 0666);
	r = melee_fstab_load(path, getuid(), &plan, err, sizeof(err));
	ok(r == -EPERM && strstr(err, "group- or world-writable"), "world-writable fstab refused");
	{
		char cmd[600];
		snprintf(cmd, sizeof(cmd), "rm -rf --one-file-system -- '%s'", dir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", dir);
	}
	return done_testing();
}
