/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-image create: a Debian-family image built with debootstrap into
 * a partial tree, its progress shown a line per stage.  See
 * melee-image(8). */
#include "image-cmd.h"
#include "image-remove.h"
#include "melee-util.h"
#include "tool-util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* debootstrap's "I: ..." lines, turned into a line per stage and a
 * package count as it goes.  Stages only go forward: debootstrap's second
 * stage unpacks and configures in rounds, and "[5/7]" after "[6/7]" read
 * like a restart. */
struct progress {
	const char *name;
	int stage, count;
	char last[30][256];
	int nlast;
};

static const char *const stage_names[] = {
	"",
	"resolving (downloading the mirror's package lists first)",
	"retrieving packages",
	"extracting",
	"installing core packages",
	"unpacking",
	"configuring",
	"done"
};

static void progress_line(struct progress *p, const char *line)
{
	int stage = p->stage;

	snprintf(p->last[p->nlast++ % 30], sizeof(p->last[0]), "%.255s", line);
	if (strncmp(line, "E: ", 3) == 0 || strncmp(line, "W: ", 3) == 0) {
		printf("melee-image: %s: debootstrap: %s\n", p->name, line);
		return;
	}
	if (strncmp(line, "I: ", 3) != 0)
		return;
	line += 3;
	if (strncmp(line, "Retrieving InRelease", 20) == 0 || strncmp(line, "Resolving", 9) == 0)
		stage = stage < 1 ? 1 : stage;
	else if (strncmp(line, "Retrieving ", 11) == 0 && !strstr(line, "Packages"))
		stage = 2;
	else if (strncmp(line, "Extracting ", 11) == 0)
		stage = 3;
	else if (strncmp(line, "Installing core", 15) == 0)
		stage = 4;
	else if (strncmp(line, "Unpacking ", 10) == 0 && !strstr(line, "packages..."))
		stage = 5;
	else if (strncmp(line, "Configuring ", 12) == 0 && !strstr(line, "packages..."))
		stage = 6;
	else if (strncmp(line, "Base system installed", 21) == 0)
		stage = 7;
	else
		return;
	if (stage < p->stage)
		stage = p->stage;
	if (stage != p->stage) {
		if (p->count)
			printf("melee-image: %s:   %d packages\n", p->name, p->count);
		p->stage = stage;
		p->count = 0;
		printf("melee-image: %s: [%d/7] %s\n", p->name, stage, stage_names[stage]);
	}
	if (stage >= 2 && stage != 4 && stage != 7 && ++p->count % 25 == 0)
		printf("melee-image: %s:   %d packages\n", p->name, p->count);
	fflush(stdout);
}

static int run_debootstrap(const struct image_opts *o, const char *name, const char *dir)
{
	char variant[64] = "", arch[64] = "";
	char include[4096] = "";
	const char *argv[16];
	struct progress p = { .name = name };
	int pipefd[2], n = 0, status;
	char buf[4096];
	size_t used = 0;

	argv[n++] = "debootstrap";
	if (o->variant && strcmp(o->variant, "standard") != 0) {
		snprintf(variant, sizeof(variant), "--variant=%s", o->variant);
		argv[n++] = variant;
	}
	if (o->arch) {
		snprintf(arch, sizeof(arch), "--arch=%s", o->arch);
		argv[n++] = arch;
	}
	if (o->include) {
		snprintf(include, sizeof(include), "--include=%s", o->include);
		argv[n++] = include;
	}
	argv[n++] = o->suite;
	argv[n++] = dir;
	/* Without --mirror, debootstrap's own default for the suite. */
	if (o->mirror)
		argv[n++] = o->mirror;
	argv[n] = NULL;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		die_errno("pipe");
	child = fork();
	if (child < 0)
		die_errno("fork");
	if (child == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "E: cannot run debootstrap: %s\n", strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	printf("melee-image: %s: debootstrap %s into %s\n", name, o->suite, dir);
	fflush(stdout);
	for (;;) {
		ssize_t r = read(pipefd[0], buf + used, sizeof(buf) - 1 - used);
		char *nl, *start = buf;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		used += (size_t)r;
		buf[used] = '\0';
		while ((nl = strchr(start, '\n'))) {
			*nl = '\0';
			progress_line(&p, start);
			start = nl + 1;
		}
		used -= (size_t)(start - buf);
		memmove(buf, start, used);
		if (used == sizeof(buf) - 1)
			used = 0; /* an absurdly long line: drop it */
	}
	close(pipefd[0]);
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			die_errno("waitpid");
	child = -1;
	if (interrupted || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		int shown = p.nlast < 10 ? p.nlast : 10;

		for (int i = p.nlast - shown; i < p.nlast; i++)
			fprintf(stderr, "  | %s\n", p.last[i % 30]);
		return interrupted ? -EINTR : -EIO;
	}
	return 0;
}

static void write_debian_chroot(const char *dir, const char *name)
{
	char path[PATH_MAX + 64];
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%.4000s/etc/debian_chroot", dir) >= sizeof(path))
		die("%s: path too long", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, name, strlen(name)) < 0 || write(fd, "\n", 1) < 0)
		die_errno("cannot write %s", path);
	close(fd);
}

int cmd_create(int argc, char **argv, void *userdata)
{
	const struct image_opts *o = userdata;
	const char *name = argv[0];
	struct melee_config cfg;
	char final[PATH_MAX], partial[PATH_MAX + 16];
	bool linux32;
	int r, lock;

	if (!o->suite)
		die_status(2, "create: --suite SUITE is required (e.g. bookworm, trixie)");
	if (o->variant && strcmp(o->variant, "minbase") && strcmp(o->variant, "standard"))
		die_status(2, "create: --variant must be minbase or standard, got '%s'",
			   o->variant);
	load(o, &cfg);
	check_new_name(&cfg, name, true, final, sizeof(final));
	prepare_images_dir(&cfg);
	catch_signals();
	make_partial(&cfg, name, partial, sizeof(partial));
	r = run_debootstrap(o, name, partial);
	if (r == -EINTR)
		fail_partial(partial, "interrupted");
	if (r < 0)
		fail_partial(partial, "debootstrap failed (its last lines are above)");
	write_debian_chroot(partial, name);
	lock = image_lock();
	open_partial(partial);
	if (rename(partial, final) < 0)
		fail_partial(partial, "cannot move the new image into place");
	linux32 = o->arch && (strcmp(o->arch, "i386") == 0 || strcmp(o->arch, "armhf") == 0 ||
			      strcmp(o->arch, "armel") == 0);
	r = finish(o, &cfg, name, final, linux32, false, lock);
	melee_config_free(&cfg);
	return r;
}
