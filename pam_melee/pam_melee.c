/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pam_melee.so: a login lands in the image the user chose.
 *
 * auth:    no credentials; tells a client why a USER+IMAGE name does not
 *          exist (see pam_sm_authenticate).
 * account: may this user have the image the login asks for?  Refused
 *          early, with a message the user sees.
 * session: choose the image (pam_melee(8)'s order), check it, and enter it
 *          (melee_image_open(), then melee_enter_image_at() on that
 *          fd).  The caller (sshd's monitor, login, su, a display
 *          manager) stays root and forks the user's process from inside
 *          the image; put pam_melee last.
 *
 * An image asked for by the login name, MELEE_IMAGE or the session name
 * that cannot be had fails the login; a broken default (the user's file,
 * users.conf, default-image) falls back to the host unless fallback=deny.
 * See pam_melee(8). */
#include "melee-access.h"
#include "melee-auto-up.h"
#include "melee-config.h"
#include "melee-enter.h"
#include "melee-gpu-env.h"
#include "melee-ids.h"
#include "melee-pw.h"
#include "melee-safety.h"
#include "melee-user-default.h"
#include "melee-util.h"
#include "pam-ask.h"
#include "pam-config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#define PAM_SM_AUTH
#define PAM_SM_ACCOUNT
#define PAM_SM_SESSION
#include <security/pam_ext.h>
#include <security/pam_modules.h>

struct args {
	const char *conf;
	bool debug, quiet, fallback_deny, ask;
};

/* Where the choice came from: 1-3 are the login's own request (strict),
 * 4-6 are defaults (a broken one falls back to the host). */
enum source {
	SRC_NONE,
	SRC_SUFFIX,
	SRC_ENV,
	SRC_SESSION,
	SRC_USER_FILE,
	SRC_USERS_CONF,
	SRC_DEFAULT,
	SRC_ASKED,
};

static const char *const source_names[] = {
	"nothing",
	"the login name",
	"MELEE_IMAGE",
	"the session name",
	"~/.config/melee/image",
	"users.conf",
	"default-image",
	"the answer at the console",
};

struct choice {
	enum source source;
	char image[MELEE_NAME_MAX + 5]; /* room for melee_shown()'s "..." */
	char base[256];			/* the user without the suffix */
	bool host;			/* USER<sep>host: the host, whatever a default says */
};

static void parse_args(pam_handle_t *pamh, int argc, const char **argv, struct args *a)
{
	memset(a, 0, sizeof(*a));
	a->conf = MELEE_DEFAULT_CONFIG;
	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], "conf=", 5) == 0 && argv[i][5] == '/')
			a->conf = argv[i] + 5;
		else if (strcmp(argv[i], "debug") == 0)
			a->debug = true;
		else if (strcmp(argv[i], "quiet") == 0)
			a->quiet = true;
		else if (strcmp(argv[i], "fallback=deny") == 0)
			a->fallback_deny = true;
		else if (strcmp(argv[i], "fallback=host") == 0)
			a->fallback_deny = false;
		else if (strcmp(argv[i], "ask") == 0)
			a->ask = true;
		else
			pam_syslog(pamh, LOG_ERR,
				   "unknown option '%s' (expected conf=/PATH, "
				   "debug, quiet, fallback=host|deny, ask)",
				   argv[i]);
	}
}

static void set_choice(struct choice *c, enum source s, const char *image)
{
	c->source = s;
	/* An over-long request must not match an image by its prefix.  It
	 * goes into messages and the log: a control character becomes '?',
	 * which no image name has, so it is refused all the same. */
	melee_shown(strlen(image) > MELEE_NAME_MAX ? "(too long)" : image, MELEE_NAME_MAX, c->image,
		    sizeof(c->image));
}

/* The login name: USER, or USER<separator>IMAGE (source 1).  Fills
 * c->base, and c->image when there is a suffix.  A name without the
 * separator is the host's business, whatever it looks like (sssd's
 * alice@example.com, winbind's DOM\alice): it is only the base user. */
static int parse_name(const struct melee_config *cfg, const char *user, struct choice *c, char *err,
		      size_t errlen)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	if (!strchr(user, cfg->separator)) {
		for (i = 0; user[i]; i++)
			if ((unsigned char)user[i] < 0x20 || user[i] == 0x7f)
				return melee_fail(err, errlen, -EINVAL,
						  "a user name must not contain control "
						  "characters (byte %zu is 0x%02x)",
						  i + 1, (unsigned char)user[i]);
		if (i >= sizeof(c->base))
			return melee_fail(err, errlen, -EINVAL,
					  "a user name is at most %zu bytes, got %zu",
					  sizeof(c->base) - 1, i);
		snprintf(c->base, sizeof(c->base), "%s", user);
		return 0;
	}
	/* With a separator, the base is what libnss_melee accepts. */
	for (i = 0; user[i] && melee_user_char(user[i]); i++)
		;
	if (user[i] != cfg->separator || i == 0 || i >= sizeof(c->base) || !user[i + 1]) {
		char shown[MELEE_NAME_MAX + 5];

		/* The name is the client's: shown printable, like the rest. */
		return melee_fail(err, errlen, -EINVAL, "'%s' is not a user name or USER%cIMAGE",
				  melee_shown(user, MELEE_NAME_MAX, shown, sizeof(shown)),
				  cfg->separator);
	}
	snprintf(c->base, sizeof(c->base), "%.*s", (int)i, user);
	set_choice(c, SRC_SUFFIX, user + i + 1);
	/* The reserved name (no image may take it): the login asks for the
	 * host, so no default and no question apply (choose() stops at a
	 * suffix). */
	c->host = strcmp(user + i + 1, MELEE_HOST_NAME) == 0;
	return 0;
}

/* `ask`: the default just chosen (or the host) is only preselected; at a
 * terminal the user's answer decides (pam-ask.h).  An answer is the
 * login's own request: strict, like the login name's. */
static int ask_choice(pam_handle_t *pamh, const struct melee_config *cfg, struct choice *c,
		      struct passwd **pw, char *err, size_t errlen)
{
	char answer[MELEE_NAME_MAX + 1];
	int r;

	/* An unknown base user: check_choice() says so, as without ask. */
	if (!*pw && melee_getpwnam(c->base, pw, NULL, 0) < 0)
		return 0;
	r = melee_pam_ask(pamh, cfg, c->base, (*pw)->pw_gid,
			  c->source == SRC_NONE ? NULL : c->image, answer, sizeof(answer), err,
			  errlen);
	if (r == MELEE_ASK_NOT_ASKED)
		return 0;
	if (r < 0)
		return r;
	if (*answer)
		set_choice(c, SRC_ASKED, answer);
	else
		c->source = SRC_NONE;
	return 0;
}

/* pam_melee(8)'s order: the first source that says something wins; with
 * `ask` (the session only) what 4-7 chose is preselected in a question.
 * The base user's entry, when the user's file or the question needed
 * it, is left in *pw (the caller frees it) so that check_choice() does
 * not look it up again. */
static int choose(pam_handle_t *pamh, const struct melee_config *cfg, const char *user, bool ask,
		  struct choice *c, struct passwd **pw, char *err, size_t errlen)
{
	static const enum source default_sources[] = {
		[MELEE_DEFAULT_NONE] = SRC_NONE,
		[MELEE_DEFAULT_USER_FILE] = SRC_USER_FILE,
		[MELEE_DEFAULT_USERS_CONF] = SRC_USERS_CONF,
		[MELEE_DEFAULT_IMAGE] = SRC_DEFAULT,
	};
	const struct passwd *d_pw;
	struct melee_default d;
	const char *v;
	int r = parse_name(cfg, user, c, err, errlen);

	if (r < 0 || c->source == SRC_SUFFIX)
		return r;
	if ((v = pam_getenv(pamh, "MELEE_IMAGE")) && *v) {
		set_choice(c, SRC_ENV, v);
		return 0;
	}
	if (((v = pam_getenv(pamh, "XDG_SESSION_DESKTOP")) && strncmp(v, "melee-", 6) == 0) ||
	    ((v = pam_getenv(pamh, "DESKTOP_SESSION")) && strncmp(v, "melee-", 6) == 0)) {
		set_choice(c, SRC_SESSION, v + 6);
		return 0;
	}
	/* Sources 4-6, the ones `melee --show-default` reports too: one
	 * function for both (melee-user-default.h).  The user's file needs
	 * the base user's entry; without it that source is skipped. */
	if (!cfg->user_choice || melee_getpwnam(c->base, pw, NULL, 0) < 0)
		d_pw = NULL;
	else
		d_pw = *pw;
	melee_default_choose(cfg, c->base, d_pw, &d);
	if (d.source != MELEE_DEFAULT_NONE)
		set_choice(c, default_sources[d.source], d.image);
	return ask ? ask_choice(pamh, cfg, c, pw, err, errlen) : 0;
}

/* USER+IMAGE is a second name for USER only when USER is a person
 * (melee-ids.h).  Checked here on our own, whoever resolved the name: a
 * `root+demo` line in /etc/passwd, or another NSS module answering for
 * it, must not get root into an image nor past rules written against
 * "root".  The whole name must also be the base user's uid. */
static int check_suffix_name(pam_handle_t *pamh, const char *user, const struct choice *c,
			     const struct passwd *base, char *err, size_t errlen)
{
	cleanup_free struct passwd *res = NULL;
	int r = melee_pam_suffix_allowed(pamh, c->base, base->pw_uid, err, errlen);

	if (r < 0)
		return r;
	/* A lookup that fails (an entry bigger than MELEE_PW_MAX, a
	 * directory that is down) proves nothing: refused, as the caller's
	 * own lookup may well have found another uid. */
	r = melee_getpwnam(user, &res, err, errlen);
	if (r == -ENOENT)
		melee_err_clear(err, errlen);
	else if (r < 0) {
		char why[MELEE_ERRLEN];

		snprintf(why, sizeof(why), "%s", err && errlen ? err : strerror(-r));
		return melee_fail(err, errlen, r, "%s%c%s: cannot look the name up (%s): refused",
				  c->base, user[strlen(c->base)], c->image, why);
	}
	if (res && (res->pw_uid != base->pw_uid || res->pw_gid != base->pw_gid))
		return melee_fail(err, errlen, -EPERM,
				  "%s%c%s has uid %u gid %u, but %s has uid %u gid %u: refused",
				  c->base, user[strlen(c->base)], c->image, (unsigned)res->pw_uid,
				  (unsigned)res->pw_gid, c->base, (unsigned)base->pw_uid,
				  (unsigned)base->pw_gid);
	return 0;
}

/* USER<sep>host is a second name like any suffixed one: only for a
 * person, and only when the whole name is the base user's.  Leaves the
 * base user's entry in *pw (the caller frees it). */
static int check_host_name(pam_handle_t *pamh, const char *user, const struct choice *c,
			   struct passwd **pw, char *err, size_t errlen)
{
	int r = *pw ? 0 : melee_getpwnam(c->base, pw, err, errlen);

	if (r == -ENOENT)
		return melee_fail(err, errlen, -ENOENT, "unknown user '%s'", c->base);
	if (r < 0)
		return r;
	return check_suffix_name(pamh, user, c, *pw, err, errlen);
}

/* Looks up the base user (unless choose() did) and checks that the
 * chosen image exists and is allowed.  On success *im is the image; *pw,
 * the base user's entry (the caller frees it), is set whenever the
 * lookup succeeded. */
static int check_choice(pam_handle_t *pamh, const struct melee_config *cfg, const char *user,
			const struct choice *c, const struct melee_image **im, struct passwd **pw,
			char *err, size_t errlen)
{
	int r;

	*im = melee_config_find_image(cfg, c->image);
	if (!*im)
		return melee_fail(err, errlen, -ENOENT, "there is no image '%s' (asked for by %s)",
				  c->image, source_names[c->source]);
	r = *pw ? 0 : melee_getpwnam(c->base, pw, err, errlen);
	if (r == -ENOENT)
		return melee_fail(err, errlen, -ENOENT, "unknown user '%s'", c->base);
	if (r < 0)
		return r;
	if (c->source == SRC_SUFFIX && (r = check_suffix_name(pamh, user, c, *pw, err, errlen)) < 0)
		return r;
	return melee_user_may_use(*im, *pw, err, errlen);
}

/* The caller (sshd, su, login) execs the shell of its own passwd lookup
 * inside the image once the session is open; PAM cannot change it, so
 * unlike `melee` (which falls back to /bin/sh) a shell the image lacks
 * is refused here, naming both, and not left to su's "failed to execute"
 * or sshd's bare exit 254 (pam_melee(8)).  Resolved beneath the image
 * root as the image itself resolves it (its /bin -> usr/bin followed,
 * never out of it); an empty shell is /bin/sh, as for sshd and su.
 *
 * The host's session modules after pam_melee (Debian's sshd runs
 * pam_limits) read their configuration in the image: a missing
 * limits.conf fails the session with nothing but "Error in service
 * module" in sshd's log, so the log says which file of which image. */
static int check_image_files(pam_handle_t *pamh, int imgfd, const struct melee_image *im,
			     const struct passwd *pw, char *err, size_t errlen)
{
	const char *shell = pw->pw_shell && *pw->pw_shell ? pw->pw_shell : "/bin/sh";
	cleanup_fd int fd = -1, limits = -1;
	struct stat st;

	fd = image_resolve(imgfd, shell, O_PATH);
	if (fd < 0)
		return melee_fail(err, errlen, fd, "image %s has no %s, the login shell of %s (%s)",
				  im->name, shell, pw->pw_name, strerror(-fd));
	if (fstat(fd, &st) < 0)
		return melee_fail(err, errlen, -errno, "image %s: %s: %s", im->name, shell,
				  strerror(errno));
	if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
		return melee_fail(
		    err, errlen, -EACCES,
		    "in image %s, %s (the login shell of %s) is not an executable file", im->name,
		    shell, pw->pw_name);
	limits = image_resolve(imgfd, "/etc/security/limits.conf", O_PATH);
	if (limits == -ENOENT)
		pam_syslog(pamh, LOG_WARNING,
			   "image %s has no /etc/security/limits.conf: a pam_limits.so after "
			   "pam_melee in this session stack fails the session (melee.conf(5): "
			   "the fstab)",
			   im->name);
	return 0;
}

static bool strict(enum source s)
{
	return s == SRC_SUFFIX || s == SRC_ENV || s == SRC_SESSION || s == SRC_ASKED;
}

/* A choice that cannot be had: the login fails for a strict source (and
 * for any with fallback=deny); else it is logged and the host is used. */
static int refuse(pam_handle_t *pamh, const struct args *a, const struct choice *c, const char *why,
		  int fail_code)
{
	if (strict(c->source) || a->fallback_deny) {
		pam_error(pamh, "melee: %s", why);
		pam_syslog(pamh, LOG_NOTICE, "user %s: refused (%s): %s", c->base,
			   source_names[c->source], why);
		return fail_code;
	}
	pam_syslog(pamh, LOG_WARNING, "user %s: %s; using the host (fallback=host)", c->base, why);
	return PAM_IGNORE;
}

/* The configuration for this login (pam-config.h), read once per
 * handle; a failure is logged. */
static int load(pam_handle_t *pamh, const struct args *a, const char *user,
		const struct melee_config **cfg)
{
	char err[MELEE_ERRLEN];

	if (melee_pam_config(pamh, a->conf, user, cfg, err, sizeof(err)) < 0) {
		pam_syslog(pamh, LOG_ERR, "%s", err);
		return -1;
	}
	return 0;
}

static int get_user(pam_handle_t *pamh, const char **user)
{
	int r = pam_get_item(pamh, PAM_USER, (const void **)user);

	if (r != PAM_SUCCESS || !*user || !**user)
		return PAM_USER_UNKNOWN;
	return PAM_SUCCESS;
}

/* auth: checks no credentials and always answers PAM_IGNORE.  A name
 * whose image part libnss_melee refuses (unknown or restricted image) is
 * an "invalid user" to sshd, which then never runs the account stage: a
 * notice here, before the password prompt of keyboard-interactive, is the
 * only way the client learns why.  The notice depends only on the image
 * asked for (the configuration is public), never on the user, so that it
 * tells an unauthenticated client nothing about accounts. */
PAM_EXTERN int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	const struct melee_config *cfg;
	const struct melee_image *im;
	char err[MELEE_ERRLEN];
	const char *user;
	struct choice c;
	struct args a;

	parse_args(pamh, argc, argv, &a);
	if (get_user(pamh, &user) != PAM_SUCCESS || load(pamh, &a, user, &cfg) < 0)
		return PAM_IGNORE;
	if (parse_name(cfg, user, &c, err, sizeof(err)) < 0)
		pam_error(pamh, "melee: %s", err);
	else if (c.source != SRC_SUFFIX || c.host) {
		/* a plain name or the host: nothing to explain */
	} else if (!(im = melee_config_find_image(cfg, c.image)))
		pam_error(pamh, "melee: there is no image '%s' on this host", c.image);
	else if (im->n_allow_users || im->n_allow_groups)
		pam_info(pamh,
			 "melee: image '%s' is open only to the users and groups "
			 "its configuration allows",
			 im->name);
	return PAM_IGNORE;
}

PAM_EXTERN int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	return PAM_IGNORE;
}

/* Will the session put `ask`'s question?  At a terminal a person sits
 * at (the session may still find no conversation to ask through). */
static bool tty_asks(pam_handle_t *pamh)
{
	const void *tty = NULL;

	return pam_get_item(pamh, PAM_TTY, &tty) == PAM_SUCCESS && melee_pam_tty_is_terminal(tty);
}

PAM_EXTERN int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	const struct melee_config *cfg;
	const struct melee_image *im;
	struct choice c;
	cleanup_free struct passwd *pw = NULL;
	char err[MELEE_ERRLEN];
	const char *user;
	struct args a;
	int r;

	parse_args(pamh, argc, argv, &a);
	if (get_user(pamh, &user) != PAM_SUCCESS)
		return PAM_USER_UNKNOWN;
	if (load(pamh, &a, user, &cfg) < 0) {
		/* Without a configuration only a suffixed name is a problem. */
		return strpbrk(user, MELEE_SEPARATORS) ? PAM_AUTHINFO_UNAVAIL : PAM_IGNORE;
	}
	if (choose(pamh, cfg, user, false, &c, &pw, err, sizeof(err)) < 0) {
		pam_error(pamh, "melee: %s", err);
		return PAM_USER_UNKNOWN;
	}
	r = PAM_IGNORE;
	if (c.host) {
		r = check_host_name(pamh, user, &c, &pw, err, sizeof(err)) < 0
			? refuse(pamh, &a, &c, err, PAM_PERM_DENIED)
			: PAM_SUCCESS;
	} else if (c.source != SRC_NONE) {
		if (check_choice(pamh, cfg, user, &c, &im, &pw, err, sizeof(err)) >= 0)
			r = PAM_SUCCESS;
		else if (!(a.ask && !strict(c.source) && tty_asks(pamh)))
			r = refuse(pamh, &a, &c, err, PAM_PERM_DENIED);
		/* else: a default the user may not have is only what the
		 * session's question would preselect, and it does not
		 * preselect that one; the answer is checked there, and a
		 * session that puts no question checks the default then
		 * (fallback=deny refuses it there). */
	}
	return r;
}

/* A session that stays on the host gets MELEE_IMAGE set, and empty.
 * sshd copies the PAM environment over the variables a client sent
 * (session.c do_setup_env: the client's AcceptEnv values first, then
 * the PAM list, same names replaced), so a client's SendEnv
 * MELEE_IMAGE=sl6 cannot make a host session look like an image's to
 * the scripts and the batch plugin (env=yes) that read it. */
static int host_session(pam_handle_t *pamh)
{
	int r = pam_putenv(pamh, "MELEE_IMAGE=");

	if (r != PAM_SUCCESS) {
		pam_syslog(pamh, LOG_ERR, "cannot clear MELEE_IMAGE: %s", pam_strerror(pamh, r));
		return PAM_SESSION_ERR;
	}
	return PAM_IGNORE;
}

/* Every lookup the caller will need is done now, on the host: the NSS
 * modules for passwd and group (ours included, for the suffixed name's
 * initgroups after the chroot) are loaded here.  By the base name: glibc
 * asks every group service in turn, so ours is loaded all the same,
 * without its whole answer for USER+IMAGE (a configuration load and a
 * login.defs read, thrown away).  check_suffix_name() loaded our passwd
 * functions.  A failed walk (no memory, more groups than the kernel
 * allows) may have left a group service unloaded, which the image's own
 * libraries would then serve: refused, still on the host. */
static int load_group_services(pam_handle_t *pamh, const struct args *a, const struct choice *c,
			       const struct passwd *pw)
{
	cleanup_free gid_t *g = NULL;
	char err[MELEE_ERRLEN];
	size_t n = 0;

	if (melee_user_groups(c->base, pw->pw_gid, &g, &n) < 0) {
		snprintf(err, sizeof(err), "cannot read the groups of %s before entering the image",
			 c->base);
		return refuse(pamh, a, c, err, PAM_SESSION_ERR);
	}
	return PAM_SUCCESS;
}

/* What the session needs before the chroot, on the host: the group
 * services loaded, with auto-up = yes an image that is not up prepared
 * (melee-auto-up.h), and the image root walked and checked prepared
 * (melee_image_open) into *imgfd, the fd enter_session() enters: walked
 * once (again after auto-up, which may mount it), so that the login
 * shell is looked for in the tree that is entered.  An image not prepared (a
 * file image down: its mountpoint empty) is refused for that, its real
 * reason, not for a shell it lacks.  PAM_SUCCESS, or refuse()'s answer. */
static int prepare_on_host(pam_handle_t *pamh, const struct args *a, const struct melee_config *cfg,
			   const struct choice *c, const struct melee_image *im,
			   const struct passwd *pw, int *imgfd)
{
	char ran[MELEE_ERRLEN], err[MELEE_ERRLEN], uperr[MELEE_ERRLEN];
	int r = load_group_services(pamh, a, c, pw);

	if (r != PAM_SUCCESS)
		return r;
	/* Auto-up only for what it can mend (the image's path missing, its
	 * mounts not made: melee-auto-up.c's needs_up), asked after the one
	 * walk failed, so that an image that is up is walked once here too. */
	*imgfd = melee_image_open(im, err, sizeof(err));
	if (*imgfd == -ENOENT || *imgfd == -ENXIO) {
		r = melee_auto_up(cfg, a->conf, im, ran, sizeof(ran), uperr, sizeof(uperr));
		if (r < 0)
			return refuse(pamh, a, c, uperr, PAM_SESSION_ERR);
		if (r > 0) {
			pam_syslog(pamh, LOG_NOTICE, "user %s: %s", c->base, ran);
			*imgfd = melee_image_open(im, err, sizeof(err));
		}
	}
	if (*imgfd < 0 || check_image_files(pamh, *imgfd, im, pw, err, sizeof(err)) < 0)
		return refuse(pamh, a, c, err, PAM_SESSION_ERR);
	return PAM_SUCCESS;
}

static const char *gpu_env_get(const char *name, void *pamh)
{
	return pam_getenv(pamh, name);
}

static int gpu_env_set(const char *name, const char *value, void *pamh)
{
	cleanup_free char *env = NULL;

	if (asprintf(&env, "%s=%s", name, value) < 0)
		return -ENOMEM;
	return pam_putenv(pamh, env) == PAM_SUCCESS ? 0 : -ENOMEM;
}

/* MELEE_IMAGE and debian_chroot for the session inside image im, and
 * the GPU driver's paths (melee-gpu-env.h). */
static int set_image_env(pam_handle_t *pamh, const struct melee_image *im)
{
	char env[128], err[MELEE_ERRLEN];
	int r;

	snprintf(env, sizeof(env), "MELEE_IMAGE=%s", im->name);
	r = pam_putenv(pamh, env);
	snprintf(env, sizeof(env), "debian_chroot=%s", im->name);
	if (r == PAM_SUCCESS)
		r = pam_putenv(pamh, env);
	if (r == PAM_SUCCESS &&
	    melee_gpu_env(im, gpu_env_get, gpu_env_set, pamh, err, sizeof(err)) < 0) {
		pam_syslog(pamh, LOG_ERR, "image %s: %s", im->name, err);
		r = PAM_BUF_ERR;
	}
	return r;
}

/* Enters image im through the root prepare_on_host() walked
 * (melee_enter_image_at) and sets the session up inside it.
 * PAM_SUCCESS, PAM_SESSION_ERR once inside (there is no host to fall
 * back to), or refuse()'s answer when entering failed before the
 * chroot. */
static int enter_session(pam_handle_t *pamh, const struct args *a, const struct choice *c,
			 const struct melee_image *im, int imgfd, const struct passwd *pw)
{
	char err[MELEE_ERRLEN];
	int r = melee_enter_image_at(imgfd, im, err, sizeof(err));

	if (r == MELEE_ENTER_INSIDE) {
		/* Already chrooted: the host is out of reach, so there is no
		 * fallback whatever the source or the options. */
		pam_error(pamh, "melee: %s", err);
		pam_syslog(pamh, LOG_ERR, "user %s: session failed inside image %s (%s): %s",
			   c->base, im->name, source_names[c->source], err);
		return PAM_SESSION_ERR;
	}
	if (r < 0)
		return refuse(pamh, a, c, err, PAM_SESSION_ERR);
	/* From here on we are inside the image: only ids, no lookups. */
	r = set_image_env(pamh, im);
	if (r != PAM_SUCCESS) {
		/* Inside the image already: no host to fall back to. */
		pam_syslog(pamh, LOG_ERR, "user %s: cannot set MELEE_IMAGE in image %s: %s",
			   c->base, im->name, pam_strerror(pamh, r));
		return PAM_SESSION_ERR;
	}
	/* Plain su does not chdir; the old cwd is outside the image. */
	if (chdir(pw->pw_dir) < 0 && chdir("/") < 0)
		pam_syslog(pamh, LOG_WARNING, "cannot chdir in image %s", im->name);
	pam_syslog(pamh, LOG_INFO, "user %s: entered image %s (chosen by %s)", c->base, im->name,
		   source_names[c->source]);
	if (!a->quiet && c->source != SRC_SUFFIX)
		pam_info(pamh, "melee: %s", im->description);
	return PAM_SUCCESS;
}

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	const struct melee_config *cfg;
	const struct melee_image *im;
	struct choice c;
	cleanup_free struct passwd *pw = NULL;
	cleanup_fd int imgfd = -1;
	char err[MELEE_ERRLEN];
	const char *user;
	struct args a;
	int r;

	parse_args(pamh, argc, argv, &a);
	if (get_user(pamh, &user) != PAM_SUCCESS)
		return PAM_SESSION_ERR;
	if (load(pamh, &a, user, &cfg) < 0) {
		if (strpbrk(user, MELEE_SEPARATORS) || a.fallback_deny) {
			pam_error(pamh, "melee: the MELEE configuration cannot be read; see the "
					"system log");
			return PAM_SESSION_ERR;
		}
		return host_session(pamh);
	}
	/* PAM_SILENT: no messages, and so no question either. */
	if (choose(pamh, cfg, user, a.ask && !(flags & PAM_SILENT), &c, &pw, err, sizeof(err)) <
	    0) {
		pam_error(pamh, "melee: %s", err);
		r = PAM_SESSION_ERR;
		goto out;
	}
	if (c.source == SRC_NONE) {
		if (a.debug)
			pam_syslog(pamh, LOG_DEBUG, "user %s: no image chosen, host session", user);
		r = PAM_IGNORE;
		goto out;
	}
	if (c.host) {
		r = check_host_name(pamh, user, &c, &pw, err, sizeof(err));
		if (r < 0) {
			r = refuse(pamh, &a, &c, err, PAM_SESSION_ERR);
			goto out;
		}
		pam_syslog(pamh, LOG_INFO, "user %s: host session (asked for by %s)", c.base, user);
		r = PAM_IGNORE;
		goto out;
	}
	if (check_choice(pamh, cfg, user, &c, &im, &pw, err, sizeof(err)) < 0) {
		r = refuse(pamh, &a, &c, err, PAM_SESSION_ERR);
		goto out;
	}
	r = prepare_on_host(pamh, &a, cfg, &c, im, pw, &imgfd);
	if (r == PAM_SUCCESS)
		r = enter_session(pamh, &a, &c, im, imgfd, pw);
out:
	return r == PAM_IGNORE ? host_session(pamh) : r;
}

PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	/* Nothing to undo: the process that opened the session ends inside
	 * the image, and the mounts belong to melee-mounts. */
	return PAM_SUCCESS;
}
