/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-mounts check: rules on the host written against a user's name
 * miss that user's USER+IMAGE logins (libnss_melee gives a second name
 * to every human user, see melee-ids.h): sshd's DenyUsers alice lets
 * alice+sl6 in, access.conf's -:alice:ALL matches alice+sl6 only through
 * a group of the same name, sudo's (ALL, !alice) lets rtuser become
 * alice+sl6.  Each such rule gets a warning naming file:line and the
 * form that covers the suffix.  Warnings only: the files are the
 * administrator's, and a name may be meant literally. */
#include "mounts-namerules.h"
#include "melee-ids.h"
#include "melee-pw.h"
#include "melee-util.h"
#include "tool-util.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define RULES_FILE_MAX (1024 * 1024)

struct ctx {
	const struct melee_config *cfg;
	struct melee_id_range range;
	unsigned warnings;
};

static bool is_human(const struct ctx *c, const char *name)
{
	cleanup_free struct passwd *pw = NULL;

	/* A name with a separator is already a suffixed one. */
	if (!*name || strchr(name, c->cfg->separator) || strpbrk(name, "*?"))
		return false;
	return melee_getpwnam(name, &pw, NULL, 0) == 0 && melee_uid_is_human(&c->range, pw->pw_uid);
}

/* Does the list (tokens separated by any of seps) hold NAME<sep>* with
 * the same negation as NAME?  A plain "*" covers a plain NAME, never a
 * negated one: "Match User *,!alice" still matches alice+sl6. */
static bool covers_suffix(const struct ctx *c, const char *list, const char *seps, const char *name,
			  bool negated)
{
	char want[300];
	cleanup_free char *copy = strdup(list);
	char *save = NULL;

	snprintf(want, sizeof(want), "%s%c*", name, c->cfg->separator);
	if (!copy)
		return false;
	for (char *t = strtok_r(copy, seps, &save); t; t = strtok_r(NULL, seps, &save)) {
		bool neg = *t == '!';

		t += neg;
		t[strcspn(t, "@")] = '\0';
		if (neg == negated && (strcmp(t, want) == 0 || (!neg && strcmp(t, "*") == 0)))
			return true;
	}
	return false;
}

static void say(struct ctx *c, const char *path, unsigned line, const char *what, const char *name,
		const char *fix)
{
	char shown[80];

	melee_shown(name, 64, shown, sizeof(shown));
	warn("warning: %s:%u: %s names %s, who can also log in as %s%cIMAGE: %s", path, line, what,
	     shown, shown, c->cfg->separator, fix);
	c->warnings++;
}

/* sshd_config: DenyUsers/AllowUsers PATTERN..., Match User PATTERN,... */
static void sshd_line(struct ctx *c, const char *path, unsigned n, char *l)
{
	char *key = melee_next_token(&l), *rest = l, *t;
	bool match = key && strcasecmp(key, "Match") == 0;
	cleanup_free char *list = NULL;
	const char *seps = match ? ", \t" : " \t";

	if (!key || !(match || !strcasecmp(key, "DenyUsers") || !strcasecmp(key, "AllowUsers")))
		return;
	if (match) {
		char *crit = melee_next_token(&rest);

		if (!crit || strcasecmp(crit, "User") != 0)
			return;
		rest = melee_next_token(&rest);
		if (!rest)
			return;
	}
	list = strdup(rest);
	if (!list)
		die("out of memory");
	for (char *save = NULL, *p = list; (t = strtok_r(p, seps, &save)); p = NULL) {
		bool neg = *t == '!';

		t += neg;
		t[strcspn(t, "@")] = '\0';
		if (is_human(c, t) && !covers_suffix(c, rest, seps, t, neg))
			say(c, path, n, match ? "Match User" : key, t,
			    "add the pattern NAME+* (sshd patterns), or use "
			    "DenyGroups/AllowGroups");
	}
}

/* access.conf: PERM : USERS : ORIGINS.  No globs for users: (GROUP). */
static void access_line(struct ctx *c, const char *path, unsigned n, char *l)
{
	char *users = strchr(l, ':'), *end, *t, *save = NULL;

	if (!users || !(end = strchr(users + 1, ':')))
		return;
	*end = '\0';
	for (t = strtok_r(users + 1, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		t[strcspn(t, "@")] = '\0';
		if (is_human(c, t))
			say(c, path, n, "the user list", t,
			    "pam_access has no patterns for users: use (GROUP)");
	}
}

/* sudoers: a human user in a Runas list "(...)" or a Runas_Alias. */
static void sudoers_line(struct ctx *c, const char *path, unsigned n, char *l)
{
	char *t, *save = NULL;
	bool alias = strncmp(melee_trim(l), "Runas_Alias", 11) == 0;

	for (char *open = strchr(l, '('); open || alias; open = open ? strchr(open, '(') : NULL) {
		char *close = NULL;

		if (alias) {
			open = strchr(l, '=');
			alias = false;
			if (!open)
				break;
		} else if ((close = strchr(open, ')'))) {
			*close = '\0';
			/* (USERS : GROUPS): only the part before ':' names users. */
			*strchrnul(open, ':') = '\0';
		}
		for (t = strtok_r(open + 1, " \t,:!", &save); t;
		     t = strtok_r(NULL, " \t,:!", &save))
			if (is_human(c, t))
				say(c, path, n, "a Runas list", t,
				    "sudo has no patterns for users: use %GROUP or #UID");
		if (!close)
			break;
		open = close + 1;
	}
}

/* Cuts a comment off.  In sudoers "#" and digits is a uid ("(#1502)"),
 * not a comment. */
static void strip_comment(char *l, bool sudoers)
{
	for (char *h = strchr(l, '#'); h; h = strchr(h + 1, '#'))
		if (!sudoers || !isdigit((unsigned char)h[1])) {
			*h = '\0';
			return;
		}
}

static void scan(struct ctx *c, int dirfd, const char *name, const char *shown,
		 void (*fn)(struct ctx *, const char *, unsigned, char *))
{
	cleanup_fd int fd = openat(dirfd, name, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	cleanup_free char *text = NULL;
	char *save = NULL, *l;
	unsigned n = 0;

	if (fd < 0 || melee_read_fd(fd, RULES_FILE_MAX, &text, NULL) < 0)
		return;
	/* Line by line, keeping the numbers (strtok_r would skip empty ones). */
	for (l = text; l; l = save) {
		save = strchr(l, '\n');
		if (save)
			*save++ = '\0';
		n++;
		strip_comment(l, fn == sudoers_line);
		fn(c, shown, n, l);
	}
}

static void scan_dir(struct ctx *c, const char *dir, const char *suffix, bool sudo_names,
		     void (*fn)(struct ctx *, const char *, unsigned, char *))
{
	cleanup_fd int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent **list = NULL;
	int k;
	DIR *d;

	if (fd < 0 || !(d = fdopendir(fd)))
		return;
	fd = -1;
	k = scandirat(dirfd(d), ".", &list, NULL, alphasort);
	for (int i = 0; i < k; i++) {
		const char *e = list[i]->d_name;
		size_t len = strlen(e);
		char shown[4200];

		/* sudo's own rule for @includedir: no '.' and no trailing '~'. */
		if (e[0] != '.' && (sudo_names ? !strchr(e, '.') && e[len - 1] != '~'
					       : len > strlen(suffix) &&
						     !strcmp(e + len - strlen(suffix), suffix))) {
			snprintf(shown, sizeof(shown), "%s/%s", dir, e);
			scan(c, dirfd(d), e, shown, fn);
		}
		free(list[i]);
	}
	free(list);
	closedir(d);
}

unsigned mounts_namerules_warn(const struct melee_config *cfg)
{
	struct ctx c = { .cfg = cfg };
	char err[MELEE_ERRLEN];

	/* No image, no second names. */
	if (cfg->n_images == 0)
		return 0;
	if (melee_login_defs_read(MELEE_LOGIN_DEFS, &c.range, err, sizeof(err)) < 0) {
		warn("warning: %s (no USER+IMAGE name resolves while it cannot be read)", err);
		return 1;
	}
	scan(&c, AT_FDCWD, "/etc/ssh/sshd_config", "/etc/ssh/sshd_config", sshd_line);
	scan_dir(&c, "/etc/ssh/sshd_config.d", ".conf", false, sshd_line);
	scan(&c, AT_FDCWD, "/etc/security/access.conf", "/etc/security/access.conf", access_line);
	scan(&c, AT_FDCWD, "/etc/sudoers", "/etc/sudoers", sudoers_line);
	scan_dir(&c, "/etc/sudoers.d", NULL, true, sudoers_line);
	return c.warnings;
}
