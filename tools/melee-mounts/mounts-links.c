/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-mounts links: the seeds' per-image commands (sl6 -> melee) and
 * panel launchers.  Only what this command made is ever replaced or
 * removed: a link whose target is melee, a launcher that carries the
 * X-Melee-Image key.  Anything else with the same name is left alone
 * with a warning (an image called "ls" must not shadow the real one). */
#include "mounts-links.h"

#include "links-apps.h"

#include "melee-util.h"
#include "tool-util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LAUNCHER_KEY "X-Melee-Image="

/* Where a shell, sudo's secure_path, cron and melee-qsub's execvp look
 * for commands: a link there (or in --bindir, wherever that is) must not
 * take the place of another program. */
static const char *const standard_path[] = {
	"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin",
};

/* Our own programs, and the qsub that melee-qsub runs by name (even
 * before a batch system installs it): a link called like one of them
 * would turn it into melee. */
static const struct {
	const char *name, *what;
} reserved_names[] = {
	{ "melee", "a MELEE program" },
	{ "melee-qsub", "a MELEE program" },
	{ "melee-mounts", "a MELEE program" },
	{ "melee-image", "a MELEE program" },
	{ "qsub", "the command melee-qsub runs" },
};

/* The link target: PROG ("melee", "melee-qsub") when it lives in the
 * same directory (the links keep working if the tree moves), else the
 * installed one. */
static void link_target(int dirfd, const char *prog, char *buf, size_t len)
{
	struct stat st;

	if (fstatat(dirfd, prog, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
		snprintf(buf, len, "%s", prog);
	else
		snprintf(buf, len, "%s/%s", BINDIR, prog);
}

static bool is_our_link(int dirfd, const char *name, const char *prog)
{
	char t[PATH_MAX], installed[PATH_MAX];
	ssize_t n = readlinkat(dirfd, name, t, sizeof(t) - 1);

	if (n < 0)
		return false;
	t[n] = '\0';
	snprintf(installed, sizeof(installed), "%s/%s", BINDIR, prog);
	return strcmp(t, prog) == 0 || strcmp(t, installed) == 0;
}

/* What `name` already is (written to `found`): a program in the standard
 * PATH other than a link of ours to prog, or a reserved name.  A link
 * would shadow it for everyone whose PATH finds the link first. */
static bool shadows_program(const char *name, const char *prog, char *found, size_t len)
{
	for (size_t i = 0; i < sizeof(reserved_names) / sizeof(reserved_names[0]); i++)
		if (strcmp(name, reserved_names[i].name) == 0) {
			snprintf(found, len, "%s", reserved_names[i].what);
			return true;
		}
	for (size_t i = 0; i < sizeof(standard_path) / sizeof(standard_path[0]); i++) {
		cleanup_fd int dfd = open(standard_path[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		struct stat st;

		/* Following links, as execvp does: what would run. */
		if (dfd < 0 || is_our_link(dfd, name, prog) || fstatat(dfd, name, &st, 0) < 0 ||
		    S_ISDIR(st.st_mode) || !(st.st_mode & 0111))
			continue;
		snprintf(found, len, "%s/%s", standard_path[i], name);
		return true;
	}
	return false;
}

/* Refuses a name that shadows another program: warns, removes a link of
 * ours that an earlier run made under that name, and returns 1. */
static int refuse_shadowing(int dirfd, const char *bindir, const char *name, const char *prog,
			    bool quiet)
{
	char found[PATH_MAX + 32];

	if (!shadows_program(name, prog, found, sizeof(found)))
		return 0;
	warn("%s/%s not created: '%s' is %s, which the link would shadow; give the "
	     "image another name or alias",
	     bindir, name, name, found);
	if (is_our_link(dirfd, name, prog)) {
		if (unlinkat(dirfd, name, 0) < 0)
			warn("cannot remove %s/%s: %s", bindir, name, strerror(errno));
		else if (!quiet)
			printf("removed %s/%s\n", bindir, name);
	}
	return 1;
}

static bool configured(const struct melee_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_images; i++) {
		if (strcmp(cfg->images[i].name, name) == 0)
			return true;
		if (melee_strv_contains(cfg->images[i].aliases, name))
			return true;
	}
	return false;
}

static int make_link(int dirfd, const char *bindir, const char *name, const char *target,
		     const char *prog, bool quiet)
{
	char tmp[128], cur[PATH_MAX];
	ssize_t n;

	if (refuse_shadowing(dirfd, bindir, name, prog, quiet))
		return 1;
	n = readlinkat(dirfd, name, cur, sizeof(cur) - 1);
	if (n >= 0) {
		cur[n] = '\0';
		if (strcmp(cur, target) == 0)
			return 0;
	}
	if (n < 0 && errno != ENOENT) {
		warn("%s/%s exists and is not a link to %s; left alone", bindir, name, prog);
		return 1;
	}
	if (n >= 0 && !is_our_link(dirfd, name, prog)) {
		warn("%s/%s links to %s, not to %s; left alone", bindir, name, cur, prog);
		return 1;
	}
	/* A new link under a temporary name, renamed over: never a moment
	 * without the command, never a write through something planted. */
	snprintf(tmp, sizeof(tmp), ".%s.tmp%ld", name, (long)getpid());
	unlinkat(dirfd, tmp, 0);
	if (symlinkat(target, dirfd, tmp) < 0 || renameat(dirfd, tmp, dirfd, name) < 0) {
		warn("cannot create %s/%s: %s", bindir, name, strerror(errno));
		unlinkat(dirfd, tmp, 0);
		return 1;
	}
	if (!quiet)
		printf("%s/%s -> %s\n", bindir, name, target);
	return 0;
}

/* Desktop entry values: backslash and control characters escaped. */
static void put_value(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '\t')
			fputs("\\t", f);
		else if ((unsigned char)*s >= 0x20)
			fputc(*s, f);
	}
}

/* A launcher ("Terminal in ...", for the desktop's menu) or, with
 * `session`, a display-manager session entry melee-IMAGE: the greeter
 * puts its name into the PAM environment, pam_melee enters the image and
 * the session command runs inside it. */
static int write_launcher(int dirfd, const char *desktop_dir, const struct melee_image *im,
			  const char *melee_path, bool session, bool quiet)
{
	char name[MELEE_NAME_MAX + 32], err[MELEE_ERRLEN];
	char *data = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&data, &len);
	int r;

	if (!f)
		die("out of memory");
	snprintf(name, sizeof(name), "melee-%s.desktop", im->name);
	if (session) {
		fputs("[Desktop Entry]\nType=Application\nName=", f);
		put_value(f, im->description);
		fprintf(f, " (MELEE)\nComment=A desktop session inside the MELEE image %s\n",
			im->name);
		/* Run inside the image: its own session manager. */
		fputs("Exec=x-session-manager\n", f);
		/* SDDM puts DesktopNames, not the file name, into
		 * XDG_SESSION_DESKTOP, but adds X-SDDM-Env to the PAM
		 * environment: its choice reaches pam_melee as MELEE_IMAGE. */
		fprintf(f, "X-SDDM-Env=MELEE_IMAGE=%s\n", im->name);
	} else {
		fputs("[Desktop Entry]\nType=Application\nName=Terminal in ", f);
		put_value(f, im->description);
		fprintf(f, "\nComment=A shell inside the MELEE image %s\n", im->name);
		/* Terminal=true: the desktop's own terminal runs melee, which
		 * starts the user's shell inside the image. */
		fprintf(f, "Exec=%s %s\nTerminal=true\nIcon=utilities-terminal\n", melee_path,
			im->name);
		fputs("Categories=System;TerminalEmulator;\n", f);
	}
	fprintf(f, "%s%s\n", LAUNCHER_KEY, im->name);
	if (fclose(f) != 0)
		die("out of memory");
	if (!links_name_is_ours(dirfd, desktop_dir, name, im->name, false)) {
		free(data);
		return 1;
	}
	/* 1: it holds this already, and was left alone. */
	r = melee_write_atomic(dirfd, name, data, len, 0644, err, sizeof(err));
	free(data);
	if (r < 0) {
		warn("%s/%s: %s", desktop_dir, name, err);
		return 1;
	}
	if (r == 0 && !quiet)
		printf("%s/%s\n", desktop_dir, name);
	return 0;
}

/* Removes what this command made for images no longer configured. */
static void remove_stale(const struct melee_config *cfg, int dirfd, const char *dir, bool launchers,
			 bool quiet)
{
	int dup = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	DIR *d = dup >= 0 ? fdopendir(dup) : NULL;
	struct dirent *e;

	if (!d) {
		warn("cannot read %s: %s", dir, strerror(errno));
		if (dup >= 0)
			close(dup);
		return;
	}
	while ((e = readdir(d))) {
		char image[NAME_MAX + 1];
		size_t l = strlen(e->d_name);
		bool app;

		if (launchers) {
			/* The image is the launcher's key, not its file name:
			 * melee-trixie-xterm.desktop is trixie's (links --apps). */
			if (l <= 14 || strncmp(e->d_name, "melee-", 6) != 0 ||
			    strcmp(e->d_name + l - 8, ".desktop") != 0 ||
			    !links_launcher_image(dirfd, e->d_name, image, sizeof(image), &app) ||
			    configured(cfg, image))
				continue;
			links_remove_launcher(dirfd, dir, e->d_name, quiet);
			continue;
		} else if (strncmp(e->d_name, "qsub", 4) == 0 &&
			   is_our_link(dirfd, e->d_name, "melee-qsub")) {
			if (configured(cfg, e->d_name + 4))
				continue;
		} else {
			if (strcmp(e->d_name, "melee") == 0 || configured(cfg, e->d_name) ||
			    !is_our_link(dirfd, e->d_name, "melee"))
				continue;
		}
		if (unlinkat(dirfd, e->d_name, 0) < 0)
			warn("cannot remove %s/%s: %s", dir, e->d_name, strerror(errno));
		else if (!quiet)
			printf("removed %s/%s\n", dir, e->d_name);
	}
	closedir(d);
}

void links_melee_path(const char *bindir, char *buf, size_t len)
{
	cleanup_fd int bfd = open(bindir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char target[PATH_MAX];

	if (bfd < 0)
		die_status(2, "cannot open %s: %s", bindir, strerror(errno));
	link_target(bfd, "melee", target, sizeof(target));
	if (strcmp(target, "melee") == 0)
		snprintf(buf, len, "%s/melee", bindir);
	else
		snprintf(buf, len, "%s", target);
	/* Written into Exec lines unquoted. */
	if (strpbrk(buf, " \t\n\"'\\$`%;<>~|&*?#()"))
		die_status(2,
			   "%s: a launcher cannot name a path with spaces, quotes or "
			   "shell characters",
			   buf);
}

int mounts_links(const struct melee_config *cfg, const char *bindir, const char *desktop_dir,
		 const char *xsessions_dir, bool quiet)
{
	cleanup_fd int bfd = -1, dfd = -1, sfd = -1;
	char target[PATH_MAX], qtarget[PATH_MAX], melee_path[PATH_MAX];
	int rc = 0;

	bfd = open(bindir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (bfd < 0)
		die_status(2, "cannot open %s: %s", bindir, strerror(errno));
	link_target(bfd, "melee", target, sizeof(target));
	link_target(bfd, "melee-qsub", qtarget, sizeof(qtarget));
	links_melee_path(bindir, melee_path, sizeof(melee_path));
	for (size_t i = 0; i < cfg->n_images; i++) {
		const struct melee_image *im = &cfg->images[i];
		char q[MELEE_NAME_MAX + 8];

		/* sl6 -> melee, and the Torque-style qsubsl6 -> melee-qsub. */
		rc |= make_link(bfd, bindir, im->name, target, "melee", quiet);
		snprintf(q, sizeof(q), "qsub%s", im->name);
		rc |= make_link(bfd, bindir, q, qtarget, "melee-qsub", quiet);
		for (size_t a = 0; a < im->n_aliases; a++) {
			rc |= make_link(bfd, bindir, im->aliases[a], target, "melee", quiet);
			snprintf(q, sizeof(q), "qsub%s", im->aliases[a]);
			rc |= make_link(bfd, bindir, q, qtarget, "melee-qsub", quiet);
		}
	}
	remove_stale(cfg, bfd, bindir, false, quiet);

	if (desktop_dir) {
		dfd = open(desktop_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			die_status(2, "cannot open %s: %s", desktop_dir, strerror(errno));
		for (size_t i = 0; i < cfg->n_images; i++)
			rc |= write_launcher(dfd, desktop_dir, &cfg->images[i], melee_path, false,
					     quiet);
		remove_stale(cfg, dfd, desktop_dir, true, quiet);
	}
	if (xsessions_dir) {
		sfd = open(xsessions_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sfd < 0)
			die_status(2, "cannot open %s: %s", xsessions_dir, strerror(errno));
		for (size_t i = 0; i < cfg->n_images; i++)
			rc |= write_launcher(sfd, xsessions_dir, &cfg->images[i], melee_path, true,
					     quiet);
		remove_stale(cfg, sfd, xsessions_dir, true, quiet);
	}
	return rc ? 1 : 0;
}
